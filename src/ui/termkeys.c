/*
 * The terminal key decoder.
 *
 * Decoding is a pure function of the bytes pending: dec_one() looks at the
 * front of the buffer and either decodes one unit and says how many bytes it
 * took, or says it needs more. Only three things carry over between calls:
 * the bytes not yet decoded, a paste in progress and the "skip the rest of an
 * over-long sequence" mode, and all three are decided by the bytes alone,
 * never by where reads happened to split them. That is what makes a stream
 * decode to the same events however it is cut into reads (the fuzz target
 * checks exactly that). Time only enters through `flush`: once the deadline
 * has passed, "need more" is no longer an answer and the incomplete rest is
 * resolved (a lone ESC becomes the Escape key).
 *
 * Every ESC-introduced unit follows one lenient grammar: "ESC [" then bytes
 * 0x20-0x3f then a final byte 0x40-0x7e (CSI), "ESC O" then digits and ';'
 * then a final byte (SS3), "ESC ]"/"ESC P" strings up to BEL or ST, and ESC
 * before anything else is Alt+that. A byte that does not fit ends the unit
 * as ignored without being taken into it: an ESC, a control or a UTF-8
 * character right after a broken sequence is still decoded on its own.
 */
#include "ui/termkeys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "vici/xmalloc.h"

enum skip {
	SKIP_NONE,
	SKIP_CSI,    /* parameter bytes up to a final byte */
	SKIP_STRING, /* an OSC/DCS body up to BEL or ST */
};

struct extra {
	uint8_t seq[TERMKEYS_SEQ_MAX];
	size_t len;
	uint32_t key;
};

struct termkeys {
	struct termkeys_config cfg;
	uint8_t *in; /* pending input: in[head..tail) */
	size_t head, tail, cap;
	/* in[head..stale), a paste or a skip was pending when its deadline
	 * passed and more bytes came before termkeys_next() was called: it is
	 * resolved without them */
	bool has_stale;
	size_t stale;
	int64_t last_feed;
	enum skip skip;
	bool in_paste;
	char *paste;
	size_t paste_len, paste_cap;
	bool paste_cut;
	struct extra *extra;
	size_t n_extra;
};

/* One decoding step over b[0..n). */
struct dec {
	const struct termkeys *tk;
	const uint8_t *b;
	size_t n;
	bool flush;
	struct key_event *ev;
	enum skip skip;   /* set when the unit was cut: skip the rest of it */
	bool paste_start; /* the unit was the bracketed paste start marker */
};

static const char paste_end[] = "\x1b[201~";
#define PASTE_MARK_LEN 6

/* ---- events ----------------------------------------------------------------- */

static size_t ev_ignored(struct dec *d, size_t len)
{
	d->ev->kind = TK_EV_IGNORED;
	return len;
}

static size_t ev_key(struct dec *d, enum tk_code code, unsigned mods, size_t len)
{
	d->ev->kind = TK_EV_KEY;
	d->ev->code = code;
	d->ev->mods = mods;
	return len;
}

/* A character event in canonical form (see termkeys_id_canon()). */
static size_t ev_char(struct dec *d, uint32_t cp, unsigned mods, size_t len)
{
	uint32_t id = termkeys_id_canon(TK_ID_CHAR(cp) | TK_ID_MODS(mods));
	if (!id)
		return ev_ignored(d, len);
	d->ev->mods = id >> TK_ID_MODSHIFT;
	id &= ~TK_ID_MODS(0xff);
	if (id & TK_ID_KEYBIT) {
		d->ev->kind = TK_EV_KEY;
		d->ev->code = (enum tk_code)(id & ~TK_ID_KEYBIT);
	} else {
		d->ev->kind = TK_EV_CHAR;
		d->ev->codepoint = id;
	}
	return len;
}

/* A C0 control byte or DEL as the key it is (Enter, C-a, ...): the canonical
 * form of the control character does the mapping. NUL is C-Space, as id 0
 * means no key. */
static size_t ev_control(struct dec *d, uint8_t c, unsigned mods, size_t len)
{
	return c ? ev_char(d, c, mods, len) : ev_char(d, ' ', mods | TK_MOD_CTRL, len);
}

/* xterm's modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4 | meta 8). */
static unsigned xterm_mods(unsigned long p)
{
	unsigned m = p >= 2 ? (unsigned)((p - 1) & 0xf) : 0;
	return (m & 1 ? TK_MOD_SHIFT : 0) | (m & 10 ? TK_MOD_ALT : 0) | (m & 4 ? TK_MOD_CTRL : 0);
}

/* A key sent as a code point (CSI u, modifyOtherKeys). */
static size_t ev_codepoint(struct dec *d, unsigned long cp, unsigned mods, size_t len)
{
	if (cp < 0x20 || cp == 0x7f)
		return ev_control(d, (uint8_t)cp, mods, len);
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0) ||
	    (cp >= 0xe000 && cp < 0xf900))
		return ev_ignored(d, len); /* kitty's functional keys live in the PUA */
	return ev_char(d, (uint32_t)cp, mods, len);
}

/* X10/SGR/urxvt button byte: low bits button, 4 shift, 8 alt, 16 ctrl, 32
 * motion, 64 wheel, 128 extra buttons. */
static size_t ev_mouse(struct dec *d, unsigned long cb, unsigned long x, unsigned long y,
                       bool release, bool x10, size_t len)
{
	struct key_event *ev = d->ev;
	unsigned base = (unsigned)(cb & 3), high = (unsigned)(cb & 192);
	ev->kind = TK_EV_MOUSE;
	ev->mods = (cb & 4 ? TK_MOD_SHIFT : 0) | (cb & 8 ? TK_MOD_ALT : 0) |
	           (cb & 16 ? TK_MOD_CTRL : 0);
	ev->mouse.x = (unsigned)(x > 0 ? (x > 0xffff ? 0xffff : x - 1) : 0);
	ev->mouse.y = (unsigned)(y > 0 ? (y > 0xffff ? 0xffff : y - 1) : 0);
	if (high == 64) {
		ev->mouse.action = TK_MOUSE_WHEEL;
		ev->mouse.button = 4 + base;
		return len;
	}
	ev->mouse.button = high == 128 ? 8 + base : high ? 0 : base == 3 ? 0 : base + 1;
	if (release || (x10 && base == 3 && !high && !(cb & 32)))
		ev->mouse.action = TK_MOUSE_RELEASE;
	else if (cb & 32)
		ev->mouse.action = TK_MOUSE_MOTION;
	else
		ev->mouse.action = TK_MOUSE_PRESS;
	/* No terminal sends a press of no button or of the buttons past 11
	 * (64 + 128): one unit, not a click. */
	if (high == 192 || (ev->mouse.action == TK_MOUSE_PRESS && !ev->mouse.button))
		return ev_ignored(d, len);
	return len;
}

/* ---- CSI ------------------------------------------------------------------- */

#define CSI_PARAMS 4

struct csi {
	unsigned long p[CSI_PARAMS];
	size_t np;
	uint8_t priv; /* '<' '=' '>' '?' before the parameters, or 0 */
	bool inter;   /* intermediate bytes 0x20-0x2f */
	bool bad;     /* a private marker in the middle */
};

/* Parses the parameter bytes s[0..n) of a CSI; ':' sub-parameters are
 * skipped. */
static void csi_parse(const uint8_t *s, size_t n, struct csi *c)
{
	bool sub = false;
	memset(c, 0, sizeof(*c));
	c->np = n ? 1 : 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = s[i];
		if (ch >= '0' && ch <= '9') {
			if (!sub && c->np <= CSI_PARAMS && c->p[c->np - 1] < 10000000)
				c->p[c->np - 1] = c->p[c->np - 1] * 10 + (ch - '0');
		} else if (ch == ';') {
			sub = false;
			if (c->np < CSI_PARAMS)
				c->p[c->np] = 0;
			c->np++;
		} else if (ch == ':') {
			sub = true;
		} else if (ch >= 0x3c && ch <= 0x3f) {
			if (i == 0)
				c->priv = ch;
			else
				c->bad = true;
			c->np = i + 1 < n ? 1 : 0;
		} else {
			c->inter = true;
		}
	}
	if (c->np > CSI_PARAMS)
		c->np = CSI_PARAMS;
}

/* The key of "CSI n ~" (vt220, xterm, linux, rxvt, PuTTY). */
static enum tk_code tilde_key(unsigned long n)
{
	static const enum tk_code low[] = {
	        TK_NOKEY, TK_HOME,  TK_INSERT, TK_DELETE, TK_END,   TK_PGUP,  TK_PGDN,
	        TK_HOME,  TK_END,   TK_NOKEY,  TK_NOKEY,  TK_F(1),  TK_F(2),  TK_F(3),
	        TK_F(4),  TK_F(5),  TK_NOKEY,  TK_F(6),   TK_F(7),  TK_F(8),  TK_F(9),
	        TK_F(10), TK_NOKEY, TK_F(11),  TK_F(12),  TK_F(13), TK_F(14), TK_NOKEY,
	        TK_F(15), TK_F(16), TK_NOKEY,  TK_F(17),  TK_F(18), TK_F(19), TK_F(20),
	};
	return n < sizeof(low) / sizeof(low[0]) ? low[n] : TK_NOKEY;
}

static enum tk_code letter_key(uint8_t f)
{
	switch (f) {
	case 'A':
		return TK_UP;
	case 'B':
		return TK_DOWN;
	case 'C':
		return TK_RIGHT;
	case 'D':
		return TK_LEFT;
	case 'E':
	case 'G':
		return TK_BEGIN;
	case 'F':
		return TK_END;
	case 'H':
		return TK_HOME;
	case 'P':
	case 'Q':
	case 'R':
	case 'S':
		return TK_F(f - 'P' + 1);
	default:
		return TK_NOKEY;
	}
}

/* rxvt's shifted (CSI a-d) and, in SS3, control (a-d) cursor keys. */
static enum tk_code rxvt_arrow(uint8_t f)
{
	return f >= 'a' && f <= 'd' ? letter_key((uint8_t)(f - 'a' + 'A')) : TK_NOKEY;
}

/* Interprets a complete CSI of len bytes whose final byte is b[len - 1]. */
static size_t csi_interpret(struct dec *d, size_t len)
{
	const uint8_t *b = d->b;
	uint8_t f = b[len - 1];
	struct csi c;
	csi_parse(b + 2, len - 3, &c);
	if (c.bad || c.inter)
		return ev_ignored(d, len);
	if (c.priv == '<') {
		if ((f == 'M' || f == 'm') && c.np == 3)
			return ev_mouse(d, c.p[0], c.p[1], c.p[2], f == 'm', false, len);
		return ev_ignored(d, len);
	}
	if (c.priv)
		return ev_ignored(d, len);
	unsigned long p0 = c.np ? c.p[0] : 0;
	unsigned mods = c.np >= 2 ? xterm_mods(c.p[1]) : 0;
	enum tk_code k;
	switch (f) {
	case '~':
		if (p0 == 200 && c.np == 1) {
			d->paste_start = true;
			return len;
		}
		if (p0 == 27 && c.np == 3) /* xterm modifyOtherKeys */
			return ev_codepoint(d, c.p[2], xterm_mods(c.p[1]), len);
		/* fall through */
	case '^':
	case '$':
	case '@':
		if (f == '^' || f == '@')
			mods |= TK_MOD_CTRL;
		if (f == '$' || f == '@')
			mods |= TK_MOD_SHIFT;
		k = c.np ? tilde_key(p0) : TK_NOKEY;
		return k ? ev_key(d, k, mods, len) : ev_ignored(d, len);
	case 'Z':
		return ev_key(d, TK_TAB, mods | TK_MOD_SHIFT, len);
	case 'I':
	case 'O':
		if (c.np)
			return ev_ignored(d, len);
		d->ev->kind = TK_EV_FOCUS;
		d->ev->focus_in = f == 'I';
		return len;
	case 'u':
		return c.np ? ev_codepoint(d, p0, mods, len) : ev_ignored(d, len);
	case 'M':
		if (c.np == 3) /* urxvt 1015 */
			return ev_mouse(d, c.p[0] >= 32 ? c.p[0] - 32 : 0, c.p[1], c.p[2], false,
			                true, len);
		return ev_ignored(d, len);
	default:
		k = letter_key(f);
		if (!k && c.np == 0 && (k = rxvt_arrow(f)))
			mods = TK_MOD_SHIFT;
		/* "CSI 1 ; m X" or bare "CSI X": other first numbers are not keys */
		if (!k || (c.np && p0 > 1))
			return ev_ignored(d, len);
		return ev_key(d, k, mods, len);
	}
}

/* ESC [ ... : b[0] = ESC, b[1] = '['. */
static size_t dec_csi(struct dec *d)
{
	const uint8_t *b = d->b;
	size_t n = d->n;
	if (n == 2)
		return d->flush ? ev_char(d, '[', TK_MOD_ALT, 2) : 0;
	if (b[2] == '[') { /* Linux console F1-F5: ESC [ [ A..E */
		if (n == 3)
			return d->flush ? ev_ignored(d, 3) : 0;
		if (b[3] >= 'A' && b[3] <= 'E')
			return ev_key(d, TK_F(b[3] - 'A' + 1), 0, 4);
		return ev_ignored(d, b[3] >= 0x20 && b[3] < 0x7f ? 4 : 3);
	}
	if (b[2] == 'M') { /* X10 mouse: three raw bytes follow */
		if (n < 6)
			return d->flush ? ev_ignored(d, n) : 0;
		return ev_mouse(d, (uint8_t)(b[3] - 32), b[4] >= 32 ? b[4] - 32u : 0,
		                b[5] >= 32 ? b[5] - 32u : 0, false, true, 6);
	}
	bool digits = true;
	for (size_t i = 2; i < n; i++) {
		uint8_t c = b[i];
		if (i >= TERMKEYS_SEQ_MAX) {
			d->skip = SKIP_CSI;
			return ev_ignored(d, TERMKEYS_SEQ_MAX);
		}
		if (c == '$' && digits && i > 2) /* rxvt: shifted "CSI n $" */
			return csi_interpret(d, i + 1);
		if (c >= 0x20 && c <= 0x3f) {
			digits = digits && c >= '0' && c <= '9';
			continue;
		}
		if (c >= 0x40 && c <= 0x7e)
			return csi_interpret(d, i + 1);
		return ev_ignored(d, i);
	}
	return d->flush ? ev_ignored(d, n) : 0;
}

/* ---- SS3, strings, Alt ----------------------------------------------------- */

/* ESC O [digits ;] final: b[0] = ESC, b[1] = 'O'. */
static size_t dec_ss3(struct dec *d)
{
	static const char keypad[] = "*+,-./0123456789"; /* ESC O j .. ESC O y */
	const uint8_t *b = d->b;
	size_t n = d->n, i = 2;
	unsigned long p = 0;
	if (n == 2)
		return d->flush ? ev_char(d, 'O', TK_MOD_ALT, 2) : 0;
	for (; i < n && ((b[i] >= '0' && b[i] <= '9') || b[i] == ';'); i++) {
		if (i >= TERMKEYS_SEQ_MAX) {
			d->skip = SKIP_CSI;
			return ev_ignored(d, TERMKEYS_SEQ_MAX);
		}
		p = b[i] == ';' ? 0 : p < 1000 ? p * 10 + (b[i] - '0') : p;
	}
	if (i == n)
		return d->flush ? ev_ignored(d, n) : 0;
	uint8_t f = b[i];
	unsigned mods = xterm_mods(p);
	enum tk_code k = letter_key(f);
	if (f < 0x20 || f > 0x7e)
		return ev_ignored(d, i);
	if (k)
		return ev_key(d, k, mods, i + 1);
	if ((k = rxvt_arrow(f)))
		return ev_key(d, k, mods | TK_MOD_CTRL, i + 1);
	if (f == 'M')
		return ev_key(d, TK_ENTER, mods, i + 1);
	if (f == 'I')
		return ev_key(d, TK_TAB, mods, i + 1);
	if (f == ' ')
		return ev_char(d, ' ', mods, i + 1);
	if (f == 'X')
		return ev_char(d, '=', mods, i + 1);
	if (f >= 'j' && f <= 'y')
		return ev_char(d, (uint8_t)keypad[f - 'j'], mods, i + 1);
	return ev_ignored(d, i + 1);
}

/* ESC ] (OSC) or ESC P (DCS) up to BEL or ST (ESC \). */
static size_t dec_string(struct dec *d)
{
	const uint8_t *b = d->b;
	for (size_t i = 2; i < d->n; i++) {
		if (i >= TERMKEYS_SEQ_MAX) {
			d->skip = SKIP_STRING;
			return ev_ignored(d, TERMKEYS_SEQ_MAX);
		}
		if (b[i] == 0x07)
			return ev_ignored(d, i + 1);
		if (b[i] == 0x1b) {
			if (i + 1 == d->n)
				break;
			return ev_ignored(d, b[i + 1] == '\\' ? i + 2 : i);
		}
		if (b[i] < 0x20 || b[i] == 0x7f)
			return ev_ignored(d, i);
	}
	return d->flush ? ev_ignored(d, d->n) : 0;
}

/* Whether ESC c starts a string (a reply to a query) rather than Alt-c: only
 * when the byte after c is one such replies start with. */
static bool string_start(const uint8_t *b, size_t n)
{
	if (b[1] != ']' && b[1] != 'P')
		return false;
	if (n < 3)
		return true; /* wait and see */
	if (b[2] >= '0' && b[2] <= '9')
		return true;
	return b[1] == 'P' && b[2] && strchr(";<=>?!$+|", b[2]);
}

static size_t dec_one(struct dec *d);

/* Adds Alt to the key or character just decoded (len bytes with the ESC). */
static size_t add_alt(struct dec *d, size_t len)
{
	if (d->ev->kind == TK_EV_CHAR)
		return ev_char(d, d->ev->codepoint, d->ev->mods | TK_MOD_ALT, len);
	d->ev->mods |= TK_MOD_ALT;
	return len;
}

/* Runs dec_one() on the bytes after the first; 0 if they need more. */
static size_t dec_rest(struct dec *d, bool flush)
{
	struct dec sub = *d;
	sub.b = d->b + 1;
	sub.n = d->n - 1;
	sub.flush = flush;
	size_t len = dec_one(&sub);
	d->skip = sub.skip;
	d->paste_start = sub.paste_start;
	return len ? len + 1 : 0;
}

/* ESC ESC ...: Alt with a sequence ("ESC ESC [ A" is Alt-Up in rxvt and
 * tmux), else the first ESC is the Escape key. */
static size_t dec_esc_esc(struct dec *d)
{
	if (d->n == 2 || (d->b[2] != '[' && d->b[2] != 'O'))
		return d->n == 2 && !d->flush ? 0 : ev_key(d, TK_ESCAPE, 0, 1);
	struct key_event save = *d->ev;
	size_t len = dec_rest(d, false);
	if (!len)
		return d->flush ? ev_key(d, TK_ESCAPE, 0, 1) : 0;
	if (d->ev->kind == TK_EV_KEY || d->ev->kind == TK_EV_CHAR)
		return add_alt(d, len);
	if (d->ev->kind == TK_EV_IGNORED && !d->skip)
		return len;
	*d->ev = save; /* mouse, focus, paste or a cut sequence: not Alt-able */
	d->skip = SKIP_NONE;
	d->paste_start = false;
	return ev_key(d, TK_ESCAPE, 0, 1);
}

static size_t dec_esc(struct dec *d)
{
	const uint8_t *b = d->b;
	if (d->n == 1)
		return d->flush ? ev_key(d, TK_ESCAPE, 0, 1) : 0;
	if (b[1] == '[')
		return dec_csi(d);
	if (b[1] == 'O')
		return dec_ss3(d);
	if (b[1] == 0x1b)
		return dec_esc_esc(d);
	if (string_start(b, d->n) && d->n >= 3)
		return dec_string(d);
	if (string_start(b, d->n) && !d->flush)
		return 0;
	/* Alt + a character or control key */
	size_t len = dec_rest(d, d->flush);
	if (len && (d->ev->kind == TK_EV_KEY || d->ev->kind == TK_EV_CHAR))
		return add_alt(d, len);
	return len;
}

/* ---- UTF-8 ----------------------------------------------------------------- */

/* One UTF-8 character, or the longest prefix of one that is valid so far as
 * one ignored unit (the Unicode "maximal subpart"). */
static size_t dec_utf8(struct dec *d)
{
	const uint8_t *b = d->b;
	uint8_t c = b[0], lo = 0x80, hi = 0xbf;
	size_t need = c >= 0xc2 && c <= 0xdf   ? 2
	              : c >= 0xe0 && c <= 0xef ? 3
	              : c >= 0xf0 && c <= 0xf4 ? 4
	                                       : 0;
	uint32_t cp;
	if (!need)
		return ev_ignored(d, 1);
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (size_t i = 1; i < need; i++) {
		if (i == d->n)
			return d->flush ? ev_ignored(d, i) : 0;
		if (b[i] < lo || b[i] > hi)
			return ev_ignored(d, i);
		lo = 0x80, hi = 0xbf;
	}
	if (utf8_decode(b, need, &cp) != need || cp < 0xa0)
		return ev_ignored(d, need); /* C1 controls are not characters */
	return ev_char(d, cp, 0, need);
}

/* ---- one unit -------------------------------------------------------------- */

static const struct extra *extra_find(const struct termkeys *tk, const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < tk->n_extra; i++)
		if (tk->extra[i].len == len && !memcmp(tk->extra[i].seq, s, len))
			return &tk->extra[i];
	return NULL;
}

/* Decodes the unit at b[0..n) into d->ev; returns its length, 0 if it needs
 * more bytes (never when flushing). */
static size_t dec_one(struct dec *d)
{
	uint8_t c = d->b[0];
	size_t len;
	if (c == 0x1b)
		len = dec_esc(d);
	else if (c < 0x20 || c == 0x7f)
		len = ev_control(d, c, 0, 1);
	else if (c < 0x80)
		len = ev_char(d, c, 0, 1);
	else
		len = dec_utf8(d);
	if (len && !d->skip && !d->paste_start && d->tk) {
		const struct extra *x = extra_find(d->tk, d->b, len);
		if (x) {
			struct key_event *ev = d->ev;
			uint32_t id = x->key & ~TK_ID_MODS(0xff);
			memset(ev, 0, sizeof(*ev));
			ev->mods = x->key >> TK_ID_MODSHIFT;
			ev->kind = id & TK_ID_KEYBIT ? TK_EV_KEY : TK_EV_CHAR;
			if (ev->kind == TK_EV_KEY)
				ev->code = (enum tk_code)(id & ~TK_ID_KEYBIT);
			else
				ev->codepoint = id;
		}
	}
	return len;
}

/* ---- the decoder ----------------------------------------------------------- */

struct termkeys *termkeys_new(const struct termkeys_config *config)
{
	struct termkeys *tk = xcalloc(1, sizeof(*tk));
	if (config)
		tk->cfg = *config;
	if (tk->cfg.esc_timeout_ms <= 0)
		tk->cfg.esc_timeout_ms = TERMKEYS_ESC_TIMEOUT_MS;
	if (tk->cfg.paste_timeout_ms <= 0)
		tk->cfg.paste_timeout_ms = TERMKEYS_PASTE_TIMEOUT_MS;
	if (!tk->cfg.paste_max)
		tk->cfg.paste_max = TERMKEYS_PASTE_MAX;
	return tk;
}

void termkeys_free(struct termkeys *tk)
{
	if (!tk)
		return;
	free(tk->in);
	free(tk->paste);
	free(tk->extra);
	free(tk);
}

void termkeys_reset(struct termkeys *tk)
{
	tk->head = tk->tail = tk->stale = 0;
	tk->has_stale = false;
	tk->skip = SKIP_NONE;
	tk->in_paste = false;
	tk->paste_len = 0;
}

int termkeys_add(struct termkeys *tk, const char *seq, uint32_t key)
{
	size_t len = seq ? strlen(seq) : 0;
	uint8_t c = len ? (uint8_t)seq[0] : 0;
	key = termkeys_id_canon(key);
	if (!key || !len || len >= TERMKEYS_SEQ_MAX ||
	    (c != 0x1b && (len > 1 || (c >= 0x20 && c != 0x7f))))
		return -EINVAL;
	if (c == 0x1b) {
		/* It must be exactly one unit of the grammar, so that it is found
		 * where the grammar ends a unit. */
		struct key_event ev;
		struct dec d = {.b = (const uint8_t *)seq, .n = len, .ev = &ev};
		memset(&ev, 0, sizeof(ev));
		if (dec_one(&d) != len || d.skip || d.paste_start)
			return -EINVAL;
	}
	for (size_t i = 0; i < tk->n_extra; i++) {
		if (tk->extra[i].len == len && !memcmp(tk->extra[i].seq, seq, len)) {
			tk->extra[i].key = key;
			return -EEXIST;
		}
	}
	tk->extra = xreallocarray(tk->extra, tk->n_extra + 1, sizeof(*tk->extra));
	struct extra *x = &tk->extra[tk->n_extra++];
	memcpy(x->seq, seq, len);
	x->len = len;
	x->key = key;
	return 0;
}

void termkeys_feed(struct termkeys *tk, const void *buf, size_t len, int64_t now)
{
	if (!len)
		return;
	bool late = now >= termkeys_deadline(tk);
	if (tk->head && (tk->head == tk->tail || tk->tail + len > tk->cap)) {
		memmove(tk->in, tk->in + tk->head, tk->tail - tk->head);
		tk->tail -= tk->head;
		tk->stale = tk->stale > tk->head ? tk->stale - tk->head : 0;
		tk->head = 0;
	}
	/* What waited past its deadline does not wait for these bytes: the
	 * host was late to ask, the operator was not quick. */
	if (late) {
		tk->has_stale = true;
		tk->stale = tk->tail;
	}
	if (tk->tail + len > tk->cap) {
		size_t cap = tk->cap ? tk->cap : 256;
		while (cap < tk->tail + len)
			cap *= 2;
		tk->in = xrealloc(tk->in, cap);
		tk->cap = cap;
	}
	memcpy(tk->in + tk->tail, buf, len);
	tk->tail += len;
	tk->last_feed = now;
}

int64_t termkeys_deadline(const struct termkeys *tk)
{
	if (tk->in_paste)
		return tk->last_feed + tk->cfg.paste_timeout_ms;
	if (tk->head < tk->tail || tk->skip)
		return tk->last_feed + tk->cfg.esc_timeout_ms;
	return TERMKEYS_NO_DEADLINE;
}

static void paste_add(struct termkeys *tk, const uint8_t *s, size_t len)
{
	size_t room = tk->cfg.paste_max - tk->paste_len;
	if (len > room) {
		tk->paste_cut = true;
		len = room;
	}
	if (tk->paste_len + len > tk->paste_cap) {
		size_t cap = tk->paste_cap ? tk->paste_cap : 1024;
		while (cap < tk->paste_len + len)
			cap *= 2;
		tk->paste = xrealloc(tk->paste, cap < tk->cfg.paste_max ? cap : tk->cfg.paste_max);
		tk->paste_cap = cap < tk->cfg.paste_max ? cap : tk->cfg.paste_max;
	}
	if (len)
		memcpy(tk->paste + tk->paste_len, s, len);
	tk->paste_len += len;
}

/* Moves pasted bytes from the input into the paste up to the end marker;
 * true when the paste is complete (or timed out) and in *ev. */
static bool paste_step(struct termkeys *tk, size_t upto, bool late, struct key_event *ev)
{
	const uint8_t *b = tk->in + tk->head;
	size_t n = upto - tk->head, i = 0, keep = 0;
	bool end = false;
	for (; i < n; i++) {
		if (b[i] != 0x1b)
			continue;
		size_t k = 1;
		while (k < PASTE_MARK_LEN && i + k < n && b[i + k] == (uint8_t)paste_end[k])
			k++;
		if (k == PASTE_MARK_LEN) {
			end = true;
			break;
		}
		if (i + k == n) { /* a marker may be coming */
			keep = n - i;
			break;
		}
	}
	if (!end && late)
		i = n, keep = 0;
	paste_add(tk, b, i);
	tk->head += end ? i + PASTE_MARK_LEN : n - keep;
	if (!end && !late)
		return false;
	tk->in_paste = false;
	ev->kind = TK_EV_PASTE;
	ev->paste = tk->paste ? tk->paste : "";
	ev->paste_len = tk->paste_len;
	ev->paste_cut = tk->paste_cut;
	ev->paste_unterminated = !end;
	ev->raw = (const uint8_t *)"\x1b[200~";
	ev->raw_len = PASTE_MARK_LEN;
	return true;
}

/* Skips the rest of a cut sequence; returns the bytes skipped. */
static size_t skip_step(struct termkeys *tk, size_t upto, bool late)
{
	const uint8_t *b = tk->in + tk->head;
	size_t n = upto - tk->head, i = 0;
	for (; i < n; i++) {
		uint8_t c = b[i];
		if (tk->skip == SKIP_CSI) {
			if (c >= 0x20 && c <= 0x3f)
				continue;
			tk->skip = SKIP_NONE;
			return c >= 0x40 && c <= 0x7e ? i + 1 : i;
		}
		if (c == 0x07) {
			tk->skip = SKIP_NONE;
			return i + 1;
		}
		if (c == 0x1b && i + 1 == n)
			break;
		if (c < 0x20 || c == 0x7f) {
			tk->skip = SKIP_NONE;
			return c == 0x1b && b[i + 1] == '\\' ? i + 2 : i;
		}
	}
	if (late)
		tk->skip = SKIP_NONE;
	return i;
}

bool termkeys_next(struct termkeys *tk, int64_t now, struct key_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	for (;;) {
		if (tk->has_stale && tk->head >= tk->stale && !tk->in_paste && !tk->skip)
			tk->has_stale = false;
		size_t upto = tk->has_stale ? tk->stale : tk->tail;
		bool late = tk->has_stale || now >= termkeys_deadline(tk);
		if (tk->in_paste)
			return paste_step(tk, upto, late, ev);
		if (tk->skip) {
			tk->head += skip_step(tk, upto, late);
			if (tk->skip)
				return false;
			continue;
		}
		if (tk->head == upto)
			return false;
		struct dec d = {.tk = tk,
		                .b = tk->in + tk->head,
		                .n = upto - tk->head,
		                .flush = late,
		                .ev = ev};
		size_t len = dec_one(&d);
		if (!len)
			return false;
		ev->raw = d.b;
		ev->raw_len = len;
		tk->head += len;
		tk->skip = d.skip;
		if (d.paste_start) {
			tk->in_paste = true;
			tk->paste_len = 0;
			tk->paste_cut = false;
			memset(ev, 0, sizeof(*ev));
			continue;
		}
		return true;
	}
}

/* ---- key ids ---------------------------------------------------------------- */

#define KEY_ID(code, mods) (TK_ID_KEY(code) | TK_ID_MODS(mods))

/* Ctrl + c as the terminal sends it, as an id (c a control byte). */
static uint32_t control_id(uint32_t c, unsigned mods)
{
	switch (c) {
	case 0x08:
	case 0x7f:
		return KEY_ID(TK_BACKSPACE, mods);
	case 0x09:
		return KEY_ID(TK_TAB, mods);
	case 0x0a:
	case 0x0d:
		return KEY_ID(TK_ENTER, mods);
	case 0x1b:
		return KEY_ID(TK_ESCAPE, mods);
	case 0x00:
		return ' ' | TK_ID_MODS(mods | TK_MOD_CTRL);
	default:
		return (c + 0x60u - (c >= 0x1c ? 0x20u : 0u)) | TK_ID_MODS(mods | TK_MOD_CTRL);
	}
}

uint32_t termkeys_id_canon(uint32_t key)
{
	unsigned mods = key >> TK_ID_MODSHIFT;
	uint32_t v = key & ~TK_ID_MODS(0xff);
	if (!key || (mods & ~(unsigned)(TK_MOD_SHIFT | TK_MOD_ALT | TK_MOD_CTRL)))
		return 0; /* 0 is "no key", not NUL: NUL is C-Space */
	if (v & TK_ID_KEYBIT) {
		v &= ~TK_ID_KEYBIT;
		return v > TK_NOKEY && v < TK_CODE_COUNT ? key : 0;
	}
	if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) || (v >= 0x80 && v < 0xa0))
		return 0;
	if (v < 0x20 || v == 0x7f)
		return control_id(v, mods);
	if (mods & TK_MOD_CTRL) {
		if (v >= 'A' && v <= 'Z')
			v += 0x20;
		/* what the terminal sends for these is another key */
		if (v == 'h' || v == 'i' || v == 'j' || v == 'm' || v == '[' || v == '?')
			return control_id(v == '?'   ? 0x7f
			                  : v == '[' ? 0x1b
			                             : v & 0x1f,
			                  mods & ~(unsigned)TK_MOD_CTRL);
		if (v == '@')
			v = ' ';
	} else {
		if (v >= 'a' && v <= 'z' && (mods & TK_MOD_SHIFT))
			v -= 0x20;
		mods &= ~(unsigned)TK_MOD_SHIFT;
	}
	return v | TK_ID_MODS(mods);
}
