/*
 * libFuzzer target for the terminal key decoder (src/ui/termkeys.c):
 *  - the input decoded in one piece and cut into pieces of 1-16 bytes at
 *    points drawn from the input gives the same events, byte for byte;
 *  - every key or character event is canonical, a valid scalar value that
 *    is not a control, and its name parses back to it;
 *  - every mouse event is one the terminal can have meant: an action and a
 *    button that go together, only Shift/Alt/Ctrl, cells in range, decoded
 *    from an ESC sequence;
 *  - after the input, a bracketed paste of the input's bytes (with any end
 *    marker in them broken up) is ONE paste event with exactly those bytes
 *    (up to the bound), never a key, and the key after it is decoded;
 *  - an SGR mouse report made from the input's first bytes, cut anywhere,
 *    decodes to exactly the event it encodes, and the key after it too.
 * Crashes, sanitizer reports and aborts are the findings.
 */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/termkeys.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's own code is not what is being fuzzed: its checks would
 * count as features (and cost libFuzzer a lookup each, every run). */
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)

#define LATE INT64_C(1000000000)
#define PASTE_MAX 200

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_ALL, "C.UTF-8");
	return 0;
}

struct log {
	uint8_t *buf;
	size_t len, cap;
	size_t events;
};

static void log_add(struct log *l, const void *p, size_t n)
{
	if (l->len + n > l->cap) {
		l->cap = (l->len + n) * 2 + 256;
		l->buf = realloc(l->buf, l->cap);
		if (!l->buf)
			abort();
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

static void check_event(const struct key_event *ev)
{
	if (ev->raw_len == 0 || !ev->raw || ev->raw_len > TERMKEYS_SEQ_MAX + 2)
		abort();
	if (ev->kind == TK_EV_CHAR) {
		uint32_t c = ev->codepoint;
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			abort();
	}
	if (ev->kind == TK_EV_KEY && (ev->code <= TK_NOKEY || ev->code >= TK_CODE_COUNT))
		abort();
	if (ev->kind == TK_EV_KEY || ev->kind == TK_EV_CHAR) {
		uint32_t id = termkeys_event_id(ev), back = 0;
		char name[64];
		if (!id || termkeys_id_canon(id) != id)
			abort();
		termkeys_name(id, name, sizeof(name));
		if (termkeys_parse(name, &back) || back != id)
			abort();
	}
	if (ev->kind == TK_EV_PASTE && ev->paste_len > PASTE_MAX)
		abort();
	if (ev->kind == TK_EV_MOUSE) {
		unsigned b = ev->mouse.button;
		bool extra = b >= 8 && b <= 11;
		if (ev->raw[0] != 0x1b ||
		    ev->mods & ~(unsigned)(TK_MOD_SHIFT | TK_MOD_ALT | TK_MOD_CTRL) ||
		    ev->mouse.x > 0xffff || ev->mouse.y > 0xffff)
			abort();
		switch (ev->mouse.action) {
		case TK_MOUSE_WHEEL:
			if (b < 4 || b > 7)
				abort();
			break;
		case TK_MOUSE_PRESS:
			if (!(b >= 1 && b <= 3) && !extra)
				abort();
			break;
		case TK_MOUSE_RELEASE:
		case TK_MOUSE_MOTION:
			if (b > 3 && !extra)
				abort();
			break;
		default:
			abort();
		}
	}
}

/* Appends every event ready at now to l. */
static void drain(struct termkeys *tk, int64_t now, struct log *l)
{
	struct key_event ev;
	while (termkeys_next(tk, now, &ev)) {
		check_event(&ev);
		log_add(l, &ev.kind, sizeof(ev.kind));
		log_add(l, &ev.code, sizeof(ev.code));
		log_add(l, &ev.codepoint, sizeof(ev.codepoint));
		log_add(l, &ev.mods, sizeof(ev.mods));
		log_add(l, &ev.mouse, sizeof(ev.mouse));
		log_add(l, &ev.focus_in, sizeof(ev.focus_in));
		log_add(l, &ev.paste_len, sizeof(ev.paste_len));
		if (ev.paste_len)
			log_add(l, ev.paste, ev.paste_len);
		log_add(l, &ev.paste_cut, sizeof(ev.paste_cut));
		log_add(l, &ev.paste_unterminated, sizeof(ev.paste_unterminated));
		log_add(l, &ev.raw_len, sizeof(ev.raw_len));
		log_add(l, ev.raw, ev.raw_len);
		l->events++;
	}
}

static struct termkeys *decoder(bool extras)
{
	struct termkeys_config cfg = {.paste_max = PASTE_MAX};
	struct termkeys *tk = termkeys_new(&cfg);
	if (extras) {
		/* a terminfo that disagrees with the built-in forms */
		termkeys_add(tk, "\x1b[1~", TK_ID_KEY(TK_END));
		termkeys_add(tk, "\x1bOw", TK_ID_KEY(TK_F(5)));
		termkeys_add(tk, "\x1b[[A", TK_ID_CTRL('x'));
		termkeys_add(tk, "\x7f", TK_ID_KEY(TK_DELETE));
		termkeys_add(tk, "\x1b[99~", TK_ID_KEY(TK_HOME));
	}
	return tk;
}

/* The size of the next piece (1-16 bytes, at most left), from a generator
 * seeded by the input. */
static size_t next_cut(uint32_t *seed, size_t left)
{
	*seed = *seed * 1103515245u + 12345u;
	size_t k = 1 + (*seed >> 16) % 16;
	return k < left ? k : left;
}

/* An SGR report (ESC [ < b ; x ; y M/m) from the input's first bytes: fed
 * in pieces, followed by "q", it must decode to what it says and nothing
 * else. */
static void check_sgr(const uint8_t *data, size_t size, uint32_t seed)
{
	if (size < 5)
		return;
	unsigned cb = data[0], x = 1 + (data[1] | (unsigned)data[2] << 8),
	         y = 1 + (data[3] | (unsigned)data[4] << 8);
	bool release = cb & 1 && !(cb & 64), motion = cb & 32, wheel = (cb & 192) == 64;
	if (release)
		cb &= ~1u; /* a release names its button; keep the low bits a button */
	char seq[64];
	int n = snprintf(seq, sizeof(seq), "\x1b[<%u;%u;%u%cq", cb, x, y, release ? 'm' : 'M');
	struct termkeys *tk = termkeys_new(NULL);
	int state = 0;
	for (int off = 0; off < n;) {
		size_t k = next_cut(&seed, (size_t)(n - off));
		termkeys_feed(tk, seq + off, k, 0);
		off += (int)k;
		struct key_event ev;
		while (termkeys_next(tk, off == n ? LATE : 0, &ev)) {
			check_event(&ev);
			if (state == 0) {
				unsigned base = cb & 3, high = cb & 192;
				unsigned want = wheel         ? 4 + base
				                : high == 128 ? 8 + base
				                : high        ? 0
				                : base == 3   ? 0
				                              : base + 1;
				enum tk_mouse_action act = wheel     ? TK_MOUSE_WHEEL
				                           : release ? TK_MOUSE_RELEASE
				                           : motion  ? TK_MOUSE_MOTION
				                                     : TK_MOUSE_PRESS;
				unsigned mods = (cb & 4 ? TK_MOD_SHIFT : 0) |
				                (cb & 8 ? TK_MOD_ALT : 0) |
				                (cb & 16 ? TK_MOD_CTRL : 0);
				/* a press of no button, or of buttons past 11, is no click */
				bool none = (cb & 192) == 192 || (act == TK_MOUSE_PRESS && !want);
				if (none ? ev.kind != TK_EV_IGNORED
				         : ev.kind != TK_EV_MOUSE || ev.mouse.x != x - 1 ||
				                    ev.mouse.y != y - 1 ||
				                    ev.mouse.button != want ||
				                    ev.mouse.action != act || ev.mods != mods)
					abort();
			} else if (state != 1 || termkeys_event_id(&ev) != TK_ID_CHAR('q')) {
				abort();
			}
			state++;
		}
	}
	if (state != 2)
		abort();
	termkeys_free(tk);
}

static void decode_cut(struct termkeys *tk, const uint8_t *data, size_t size, uint32_t seed,
                       struct log *l)
{
	for (size_t off = 0; off < size;) {
		size_t k = next_cut(&seed, size - off);
		termkeys_feed(tk, data + off, k, 0);
		off += k;
		drain(tk, 0, l);
	}
	drain(tk, LATE, l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed = 2166136261u;
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 16777619u;
	bool extras = seed & 1;

	struct log whole = {0}, cut = {0};
	struct termkeys *a = decoder(extras), *b = decoder(extras);
	termkeys_feed(a, data, size, 0);
	drain(a, 0, &whole);
	drain(a, LATE, &whole);
	decode_cut(b, data, size, seed, &cut);
	if (whole.len != cut.len || whole.events != cut.events ||
	    (whole.len && memcmp(whole.buf, cut.buf, whole.len)))
		abort();
	if (termkeys_deadline(a) != TERMKEYS_NO_DEADLINE)
		abort();

	/* The input again, as a paste, after everything above was flushed. */
	uint8_t *paste = malloc(size + 16);
	size_t plen = 0;
	if (!paste)
		abort();
	memcpy(paste, "\x1b[200~", 6);
	plen = 6;
	for (size_t i = 0; i < size; i++) {
		paste[plen++] = data[i];
		/* break "ESC [ 2 0 1 ~" by dropping its final byte */
		if (plen >= 12 && !memcmp(paste + plen - 6, "\x1b[201~", 6))
			plen--;
	}
	size_t content = plen - 6, want = content < PASTE_MAX ? content : PASTE_MAX;
	memcpy(paste + plen, "\x1b[201~q", 7);
	plen += 7;
	int state = 0; /* 0: the paste is next, 1: "q" is next, 2: done */
	for (size_t off = 0; off <= plen;) {
		size_t k = next_cut(&seed, plen - off);
		termkeys_feed(a, paste + off, k, 0);
		off += k;
		struct key_event ev;
		while (termkeys_next(a, off == plen ? LATE : 0, &ev)) {
			check_event(&ev);
			if (state == 0 &&
			    (ev.kind != TK_EV_PASTE || ev.paste_len != want ||
			     memcmp(ev.paste, paste + 6, want) ||
			     ev.paste_cut != (content > PASTE_MAX) || ev.paste_unterminated))
				abort();
			if (state == 1 && termkeys_event_id(&ev) != TK_ID_CHAR('q'))
				abort();
			if (state == 2)
				abort();
			state++;
		}
		if (off == plen)
			break;
	}
	if (state != 2)
		abort();

	check_sgr(data, size, seed);

	free(paste);
	free(whole.buf);
	free(cut.buf);
	termkeys_free(a);
	termkeys_free(b);
	return 0;
}
#pragma clang attribute pop
