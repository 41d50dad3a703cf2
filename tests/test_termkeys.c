/*
 * Unit tests for src/ui/termkeys: the terminal key decoder and key names.
 *
 * Most tests are rows of (bytes, expected events): every row is decoded
 * whole, byte by byte and split in two at every byte boundary, and must give
 * the same events each time. Events are written as text ("C-Up", "paste:a\e",
 * "mouse:press:1@9,4", "ignored:5") so a row reads like what the terminal sent
 * and what the operator pressed.
 */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/termkeys.h"

#define LATE INT64_C(1000000000) /* a time after every deadline */

/* Appends a text form of ev to out. */
static void describe(const struct key_event *ev, char *out, size_t size)
{
	size_t n = strlen(out);
	char *p = out + n;
	size_t room = size - n;
	if (room < 80)
		fail_msg("too many events: %s", out);
	if (n)
		*p++ = ' ', room--;
	switch (ev->kind) {
	case TK_EV_KEY:
	case TK_EV_CHAR: {
		uint32_t id = termkeys_event_id(ev);
		/* every event the decoder makes is canonical */
		assert_int_equal(termkeys_id_canon(id), id);
		termkeys_name(id, p, room);
		break;
	}
	case TK_EV_PASTE: {
		size_t k = (size_t)snprintf(p, room, "paste:");
		for (size_t i = 0; i < ev->paste_len && k + 8 < room; i++) {
			unsigned char c = (unsigned char)ev->paste[i];
			if (c == 0x1b)
				k += (size_t)snprintf(p + k, room - k, "\\e");
			else if (c < 0x20 || c >= 0x7f)
				k += (size_t)snprintf(p + k, room - k, "\\x%02x", c);
			else
				p[k++] = (char)c, p[k] = '\0';
		}
		snprintf(p + k, room - k, "%s%s", ev->paste_cut ? "+cut" : "",
		         ev->paste_unterminated ? "+unterminated" : "");
		break;
	}
	case TK_EV_MOUSE: {
		static const char *const act[] = {"press", "release", "motion", "wheel"};
		snprintf(p, room, "mouse:%s%s%s%s:%u@%u,%u", ev->mods & TK_MOD_CTRL ? "C-" : "",
		         ev->mods & TK_MOD_ALT ? "M-" : "", ev->mods & TK_MOD_SHIFT ? "S-" : "",
		         act[ev->mouse.action], ev->mouse.button, ev->mouse.x, ev->mouse.y);
		break;
	}
	case TK_EV_FOCUS:
		snprintf(p, room, "focus-%s", ev->focus_in ? "in" : "out");
		break;
	case TK_EV_IGNORED:
		snprintf(p, room, "ignored:%zu", ev->raw_len);
		break;
	default:
		fail_msg("event of kind %d", (int)ev->kind);
	}
}

static void drain(struct termkeys *tk, int64_t now, char *out, size_t size)
{
	struct key_event ev;
	while (termkeys_next(tk, now, &ev))
		describe(&ev, out, size);
}

/* Decodes in[0..len) fed in pieces: cuts[] are the lengths of the pieces
 * (the rest goes last), all at time 0, then drains after the deadline. */
static void decode_cut(struct termkeys *tk, const char *in, size_t len, const size_t *cuts,
                       size_t ncuts, char *out, size_t size)
{
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; i <= ncuts && off <= len; i++) {
		size_t k = i < ncuts ? cuts[i] : len - off;
		if (k > len - off)
			k = len - off;
		termkeys_feed(tk, in + off, k, 0);
		off += k;
		drain(tk, 0, out, size);
	}
	drain(tk, LATE, out, size);
	assert_int_equal(termkeys_deadline(tk), TERMKEYS_NO_DEADLINE);
}

/* Decodes in whole, byte by byte and cut in two at every boundary; all must
 * give want. */
static void check_splits(const struct termkeys_config *cfg, const char *in, size_t len,
                         const char *want)
{
	char out[4096];
	size_t cuts[1024] = {0};
	struct termkeys *tk = termkeys_new(cfg);
	decode_cut(tk, in, len, NULL, 0, out, sizeof(out));
	if (strcmp(out, want))
		fail_msg("whole %zu bytes: got \"%s\", want \"%s\"", len, out, want);
	assert_true(len < 1024);
	for (size_t i = 0; i < len; i++)
		cuts[i] = 1;
	decode_cut(tk, in, len, cuts, len, out, sizeof(out));
	if (strcmp(out, want))
		fail_msg("byte by byte: got \"%s\", want \"%s\"", out, want);
	for (size_t k = 1; k < len; k++) {
		decode_cut(tk, in, len, &k, 1, out, sizeof(out));
		if (strcmp(out, want))
			fail_msg("cut at %zu: got \"%s\", want \"%s\"", k, out, want);
	}
	termkeys_free(tk);
}

struct row {
	const char *in;
	const char *want;
};

static void check_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_splits(NULL, rows[i].in, strlen(rows[i].in), rows[i].want);
}
#define CHECK_ROWS(r) check_rows(r, sizeof(r) / sizeof(r[0]))

static void test_cursor_and_editing_keys(void **state)
{
	static const struct row rows[] = {
	        {"\x1b[A\x1b[B\x1b[C\x1b[D", "Up Down Right Left"},
	        {"\x1bOA\x1bOB\x1bOC\x1bOD", "Up Down Right Left"},
	        {"\x1b[H\x1b[F\x1bOH\x1bOF", "Home End Home End"},
	        {"\x1b[1~\x1b[4~\x1b[7~\x1b[8~", "Home End Home End"},
	        {"\x1b[2~\x1b[3~\x1b[5~\x1b[6~", "Ins Del PgUp PgDn"},
	        {"\x1b[E\x1bOE\x1b[G", "Begin Begin Begin"},
	        {"\x1b[Z", "S-Tab"},
	        {"\x1b[1;2Z", "S-Tab"},
	        /* keypad in application mode */
	        {"\x1bOM\x1bOj\x1bOk\x1bOm\x1bOn\x1bOo\x1bOp\x1bOy\x1bOX\x1bOI\x1bO ",
	         "Enter * + - . / 0 9 = Tab Space"},
	};
	CHECK_ROWS(rows);
}

static void test_function_keys(void **state)
{
	static const struct row rows[] = {
	        /* xterm, vt220 */
	        {"\x1bOP\x1bOQ\x1bOR\x1bOS", "F1 F2 F3 F4"},
	        {"\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~",
	         "F5 F6 F7 F8 F9 F10 F11 F12"},
	        {"\x1b[25~\x1b[26~\x1b[28~\x1b[29~\x1b[31~\x1b[32~\x1b[33~\x1b[34~",
	         "F13 F14 F15 F16 F17 F18 F19 F20"},
	        /* rxvt, xterm-r6, PuTTY */
	        {"\x1b[11~\x1b[12~\x1b[13~\x1b[14~", "F1 F2 F3 F4"},
	        /* Linux console */
	        {"\x1b[[A\x1b[[B\x1b[[C\x1b[[D\x1b[[E", "F1 F2 F3 F4 F5"},
	        {"\x1b[P\x1b[Q\x1b[R\x1b[S", "F1 F2 F3 F4"},
	        {"\x1b[[Z", "ignored:4"},
	        {"\x1b[16~\x1b[22~\x1b[35~\x1b[0~", "ignored:5 ignored:5 ignored:5 ignored:4"},
	};
	CHECK_ROWS(rows);
}

static void test_modifiers(void **state)
{
	static const struct row rows[] = {
	        {"\x1b[1;2A\x1b[1;3A\x1b[1;4A\x1b[1;5A", "S-Up M-Up M-S-Up C-Up"},
	        {"\x1b[1;6C\x1b[1;7D\x1b[1;8B\x1b[1;9A", "C-S-Right C-M-Left C-M-S-Down M-Up"},
	        {"\x1b[5;3~\x1b[3;5~\x1b[6;2~\x1b[2;5~", "M-PgUp C-Del S-PgDn C-Ins"},
	        {"\x1b[1;5H\x1b[1;2F", "C-Home S-End"},
	        {"\x1b[1;2P\x1b[1;5Q\x1b[15;5~\x1b[24;2~", "S-F1 C-F2 C-F5 S-F12"},
	        {"\x1bO5P\x1bO2Q\x1bO1;3R", "C-F1 S-F2 M-F3"}, /* old xterm, konsole */
	        /* rxvt */
	        {"\x1b[a\x1b[b\x1b[c\x1b[d", "S-Up S-Down S-Right S-Left"},
	        {"\x1bOa\x1bOb\x1bOc\x1bOd", "C-Up C-Down C-Right C-Left"},
	        {"\x1b[7^\x1b[8$\x1b[2@\x1b[11^\x1b[3$", "C-Home S-End C-S-Ins C-F1 S-Del"},
	        {"\x1b\x1b[A\x1b\x1bOB\x1b\x1b[5~", "M-Up M-Down M-PgUp"},
	        /* CSI u and modifyOtherKeys */
	        {"\x1b[115;5u\x1b[27;5;115~\x1b[97;3u\x1b[13;2u", "C-s C-s M-a S-Enter"},
	        {"\x1b[65;5u\x1b[97;2u\x1b[57399u", "C-a A ignored:8"},
	        /* a second number other than a modifier is no key */
	        {"\x1b[2;5A\x1b[5A", "ignored:6 ignored:4"},
	};
	CHECK_ROWS(rows);
}

static void test_controls_and_alt(void **state)
{
	static const struct row rows[] = {
	        {"\x01\x1a\x1c\x1d\x1e\x1f", "C-a C-z C-\\ C-] C-^ C-_"},
	        {"\x7f\x08\t\r\n", "BS BS Tab Enter Enter"},
	        {"\x13q", "C-s q"},
	        {"\x1bx\x1bX\x1b\x01\x1b\x7f\x1b\r\x1b\t", "M-x M-X C-M-a M-BS M-Enter M-Tab"},
	        {"\x1b\xc3\xa9\x1b ", "M-\xc3\xa9 M-Space"},
	        {"\x1b]a\x1bPx", "M-] a M-P x"},
	        {"\x1b\x1bx", "Esc M-x"},
	        {"\x1b", "Esc"},
	        {"\x1b\x1b", "Esc Esc"},
	        {"\x1b[", "M-["},
	        {"\x1bO", "M-O"},
	        {"\x1b\x1b[", "Esc M-["},
	        {" a1~", "Space a 1 ~"},
	};
	CHECK_ROWS(rows);
	check_splits(NULL, "\x00\x1b\x00", 3, "C-Space C-M-Space");
}

static void test_focus_and_mouse(void **state)
{
	static const struct row rows[] = {
	        {"\x1b[I\x1b[O", "focus-in focus-out"},
	        {"\x1b[1I", "ignored:4"},
	        /* SGR 1006 */
	        {"\x1b[<0;10;5M\x1b[<0;10;5m", "mouse:press:1@9,4 mouse:release:1@9,4"},
	        {"\x1b[<2;1;1M\x1b[<1;300;200M", "mouse:press:3@0,0 mouse:press:2@299,199"},
	        {"\x1b[<64;3;4M\x1b[<65;3;4M\x1b[<66;3;4M\x1b[<67;3;4M",
	         "mouse:wheel:4@2,3 mouse:wheel:5@2,3 mouse:wheel:6@2,3 mouse:wheel:7@2,3"},
	        {"\x1b[<32;3;4M\x1b[<35;3;4M", "mouse:motion:1@2,3 mouse:motion:0@2,3"},
	        {"\x1b[<16;1;1M\x1b[<4;1;1M\x1b[<8;1;1m",
	         "mouse:C-press:1@0,0 mouse:S-press:1@0,0 mouse:M-release:1@0,0"},
	        {"\x1b[<128;2;2M", "mouse:press:8@1,1"},
	        {"\x1b[<0;1M\x1b[<5I", "ignored:7 ignored:5"},
	        /* a drag with 1002 on, its release; coordinates kept in range */
	        {"\x1b[<0;5;5M\x1b[<32;6;5M\x1b[<0;6;5m",
	         "mouse:press:1@4,4 mouse:motion:1@5,4 mouse:release:1@5,4"},
	        {"\x1b[<0;99999999;0M", "mouse:press:1@65535,0"},
	        /* four numbers, a sub-parameter or an intermediate: not mouse */
	        {"\x1b[<0;1;1;1M\x1b[<0;1 M", "ignored:11 ignored:8"},
	        /* a press of no button, or of buttons past 11: no click */
	        {"\x1b[<3;1;1M\x1b[<192;1;1M\x1b[<195;1;1m", "ignored:9 ignored:11 ignored:11"},
	        /* Esc before a report is the Escape key, not Alt-mouse */
	        {"\x1b\x1b[<0;1;1M", "Esc mouse:press:1@0,0"},
	        /* X10: ESC [ M and three raw bytes */
	        {"\x1b[M !!\x1b[M#!!\x1b[M`++",
	         "mouse:press:1@0,0 mouse:release:0@0,0 mouse:wheel:4@10,10"},
	        {"\x1b[M\"\xff\x80", "mouse:press:3@222,95"},
	        {"\x1b[M \x1b\x1b", "mouse:press:1@0,0"},
	        {"\x1b[M !", "ignored:5"},
	        /* urxvt 1015 */
	        {"\x1b[32;10;5M\x1b[35;10;5M", "mouse:press:1@9,4 mouse:release:0@9,4"},
	};
	CHECK_ROWS(rows);
}

static void test_paste(void **state)
{
	static const struct row rows[] = {
	        {"\x1b[200~hello world\x1b[201~", "paste:hello world"},
	        {"\x1b[200~\x1b[201~", "paste:"},
	        /* nothing inside is a key: not "t" then "y", not ESC, not a sequence */
	        {"\x1b[200~ty\r\x03\x1b\x1b[A\x1b[201\x1b[20\x1b[200~\x1bOP\x1b[201~",
	         "paste:ty\\x0d\\x03\\e\\e[A\\e[201\\e[20\\e[200~\\eOP"},
	        {"x\x1b[200~a\xff\xc3\x1b[201~y", "x paste:a\\xff\\xc3 y"},
	        {"\x1b[200~a\x1b[201~\x1b[200~b\x1b[201~", "paste:a paste:b"},
	        /* a stray end marker is one ignored unit */
	        {"\x1b[201~q", "ignored:6 q"},
	        /* the end never comes: delivered at the deadline */
	        {"\x1b[200~ab\x1b[20", "paste:ab\\e[20+unterminated"},
	        /* ESC ESC before a paste: the first one is the Escape key */
	        {"\x1b\x1b[200~z\x1b[201~", "Esc paste:z"},
	};
	CHECK_ROWS(rows);
}

static void test_paste_bounded(void **state)
{
	struct termkeys_config cfg = {.paste_max = 16};
	char in[400], want[400];
	size_t n = (size_t)snprintf(in, sizeof(in), "\x1b[200~");
	for (int i = 0; i < 300; i++)
		in[n++] = (char)('a' + i % 26);
	n += (size_t)snprintf(in + n, sizeof(in) - n, "\x1b[201~q");
	snprintf(want, sizeof(want), "paste:abcdefghijklmnop+cut q");
	check_splits(&cfg, in, n, want);

	/* the default bound is TERMKEYS_PASTE_MAX, and what follows is still found */
	size_t big = TERMKEYS_PASTE_MAX + 1000;
	char *p = malloc(big + 20);
	assert_non_null(p);
	memcpy(p, "\x1b[200~", 6);
	memset(p + 6, '\x1b', big); /* ESC bytes all the way */
	memcpy(p + 6 + big, "\x1b[201~\x1bOA", 9);
	struct termkeys *tk = termkeys_new(NULL);
	struct key_event ev;
	for (size_t off = 0; off < big + 15; off += 4096) {
		size_t k = big + 15 - off < 4096 ? big + 15 - off : 4096;
		termkeys_feed(tk, p + off, k, 0);
		if (off + k < big + 15)
			assert_false(termkeys_next(tk, 0, &ev));
	}
	assert_true(termkeys_next(tk, 0, &ev));
	assert_int_equal(ev.kind, TK_EV_PASTE);
	assert_int_equal(ev.paste_len, TERMKEYS_PASTE_MAX);
	assert_true(ev.paste_cut);
	assert_false(ev.paste_unterminated);
	assert_true(termkeys_next(tk, 0, &ev));
	assert_int_equal(termkeys_event_id(&ev), TK_ID_KEY(TK_UP));
	assert_false(termkeys_next(tk, 0, &ev));
	termkeys_free(tk);
	free(p);
}

static void test_utf8(void **state)
{
	static const struct row rows[] = {
	        {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
	        {"\xff", "ignored:1"},
	        {"\xe2\x82"
	         "a",
	         "ignored:2 a"},
	        {"\xf0\x9f\x98", "ignored:3"},
	        {"\xc0\xaf", "ignored:1 ignored:1"},
	        {"\xed\xa0\x80", "ignored:1 ignored:1 ignored:1"},
	        {"\xc2\x9b"
	         "1",
	         "ignored:2 1"}, /* C1 CSI as a character */
	        {"\xe2\x82\x1b[A", "ignored:2 Up"},
	};
	CHECK_ROWS(rows);
}

static void test_unknown_sequences(void **state)
{
	char longcsi[200];
	size_t n = (size_t)snprintf(longcsi, sizeof(longcsi), "\x1b[");
	while (n < 150)
		longcsi[n++] = '1';
	n += (size_t)snprintf(longcsi + n, sizeof(longcsi) - n, "~a");

	static const struct row rows[] = {
	        {"\x1b[99~\x1b[?1;2c\x1b[>0;276;0c", "ignored:5 ignored:7 ignored:11"},
	        {"\x1b[1 q\x1b[?3;1$y", "ignored:5 ignored:8"},
	        {"\x1b]11;rgb:0000/0000/0000\x07q", "ignored:24 q"},
	        {"\x1b]11;rgb:ffff\x1b\\q", "ignored:15 q"},
	        {"\x1bP1$r0m\x1b\\\x1bP>|xterm(388)\x1b\\", "ignored:9 ignored:16"},
	        {"\x1bOz\x1bO12", "ignored:3 ignored:4"},
	        /* a broken sequence ends where the byte that breaks it begins */
	        {"\x1b[1\x01", "ignored:3 C-a"},
	        {"\x1b[12\x1b[A", "ignored:4 Up"},
	        {"\x1b]0;x\x1b[B", "ignored:5 Down"},
	        {"\x1bO\x1b", "ignored:2 Esc"},
	        {"\x1b[1;5\xc3\xa9", "ignored:5 \xc3\xa9"},
	        {"\x1b[1;", "ignored:4"},
	        {"\x1b]11;", "ignored:5"},
	};
	CHECK_ROWS(rows);
	/* over-long: the first TERMKEYS_SEQ_MAX bytes are one unit, the rest is
	 * skipped up to its final byte */
	check_splits(NULL, longcsi, n, "ignored:64 a");
	char longosc[300];
	n = (size_t)snprintf(longosc, sizeof(longosc), "\x1b]2;");
	while (n < 250)
		longosc[n++] = 'x';
	n += (size_t)snprintf(longosc + n, sizeof(longosc) - n, "\x1b\\b\x1b]2;");
	while (n < 290)
		longosc[n++] = 'y';
	n += (size_t)snprintf(longosc + n, sizeof(longosc) - n,
	                      "\x07"
	                      "c");
	check_splits(NULL, longosc, n, "ignored:64 b ignored:38 c");
}

static void test_esc_timeout(void **state)
{
	struct termkeys_config cfg = {.esc_timeout_ms = 40};
	struct termkeys *tk = termkeys_new(&cfg);
	struct key_event ev;

	assert_int_equal(termkeys_deadline(tk), TERMKEYS_NO_DEADLINE);
	termkeys_feed(tk, "\x1b", 1, 1000);
	assert_false(termkeys_next(tk, 1000, &ev));
	assert_int_equal(termkeys_deadline(tk), 1040);
	assert_false(termkeys_next(tk, 1039, &ev));
	assert_true(termkeys_next(tk, 1040, &ev));
	assert_int_equal(termkeys_event_id(&ev), TK_ID_KEY(TK_ESCAPE));
	assert_int_equal(termkeys_deadline(tk), TERMKEYS_NO_DEADLINE);

	/* the rest of a sequence in time: no Escape */
	termkeys_feed(tk, "\x1b", 1, 2000);
	assert_false(termkeys_next(tk, 2030, &ev));
	termkeys_feed(tk, "[", 1, 2030);
	assert_int_equal(termkeys_deadline(tk), 2070);
	assert_false(termkeys_next(tk, 2060, &ev));
	termkeys_feed(tk, "1;5A", 4, 2065);
	assert_true(termkeys_next(tk, 2065, &ev));
	assert_int_equal(termkeys_event_id(&ev), TK_ID_KEY(TK_UP) | TK_ID_MODS(TK_MOD_CTRL));

	/* ESC then a key in time is Alt; too late, Escape and the key */
	termkeys_feed(tk, "\x1b", 1, 3000);
	termkeys_feed(tk, "x", 1, 3010);
	assert_true(termkeys_next(tk, 3010, &ev));
	assert_int_equal(termkeys_event_id(&ev), TK_ID_ALT('x'));
	termkeys_feed(tk, "\x1b", 1, 4000);
	assert_true(termkeys_next(tk, 4100, &ev));
	assert_int_equal(termkeys_event_id(&ev), TK_ID_KEY(TK_ESCAPE));
	termkeys_feed(tk, "x", 1, 4100);
	assert_true(termkeys_next(tk, 4100, &ev));
	assert_int_equal(termkeys_event_id(&ev), TK_ID_CHAR('x'));

	/* an incomplete sequence at the deadline is one ignored unit, and what
	 * comes later is decoded on its own */
	termkeys_feed(tk, "\x1b[1;5", 5, 5000);
	assert_false(termkeys_next(tk, 5000, &ev));
	assert_true(termkeys_next(tk, 5040, &ev));
	assert_int_equal(ev.kind, TK_EV_IGNORED);
	assert_int_equal(ev.raw_len, 5);
	termkeys_feed(tk, "A", 1, 5100);
	assert_true(termkeys_next(tk, 5100, &ev));
	assert_int_equal(termkeys_event_id(&ev), TK_ID_CHAR('A'));

	/* a paste waits much longer */
	termkeys_feed(tk, "\x1b[200~abc", 9, 6000);
	assert_false(termkeys_next(tk, 6040, &ev));
	assert_int_equal(termkeys_deadline(tk), 6000 + TERMKEYS_PASTE_TIMEOUT_MS);
	termkeys_feed(tk, "def", 3, 8000);
	assert_false(termkeys_next(tk, 8000 + TERMKEYS_PASTE_TIMEOUT_MS - 1, &ev));
	assert_true(termkeys_next(tk, 8000 + TERMKEYS_PASTE_TIMEOUT_MS, &ev));
	assert_int_equal(ev.kind, TK_EV_PASTE);
	assert_int_equal(ev.paste_len, 6);
	assert_memory_equal(ev.paste, "abcdef", 6);
	assert_true(ev.paste_unterminated);

	/* the rest of an over-long sequence is skipped only until the deadline */
	char junk[100];
	memset(junk, '1', sizeof(junk));
	memcpy(junk, "\x1b[", 2);
	termkeys_feed(tk, junk, sizeof(junk), 20000);
	assert_true(termkeys_next(tk, 20000, &ev));
	assert_int_equal(ev.kind, TK_EV_IGNORED);
	assert_false(termkeys_next(tk, 20000, &ev));
	assert_int_equal(termkeys_deadline(tk), 20040);
	assert_false(termkeys_next(tk, 20040, &ev));
	termkeys_feed(tk, "q", 1, 20100);
	assert_true(termkeys_next(tk, 20100, &ev));
	assert_int_equal(termkeys_event_id(&ev), TK_ID_CHAR('q'));

	/* a host late to ask: what timed out is resolved without the bytes
	 * that came after it */
	char out[1024] = "";
	termkeys_feed(tk, "\x1b", 1, 25000);
	termkeys_feed(tk, "x", 1, 25100);
	drain(tk, 25100, out, sizeof(out));
	termkeys_feed(tk, "\x1b[1;", 4, 25200);
	termkeys_feed(tk, "5A", 2, 25300);
	drain(tk, 25300, out, sizeof(out));
	termkeys_feed(tk, "\x1b[200~ab", 8, 25400);
	termkeys_feed(tk, "\x1b[201~q", 7, 25400 + TERMKEYS_PASTE_TIMEOUT_MS);
	drain(tk, 25400 + TERMKEYS_PASTE_TIMEOUT_MS, out, sizeof(out));
	termkeys_feed(tk, "\x1b[200~c", 7, 30000);
	assert_false(termkeys_next(tk, 30000, &ev));
	termkeys_feed(tk, "d", 1, 30000 + TERMKEYS_PASTE_TIMEOUT_MS);
	drain(tk, 30000 + TERMKEYS_PASTE_TIMEOUT_MS, out, sizeof(out));
	termkeys_feed(tk, junk, sizeof(junk), 40000);
	assert_true(termkeys_next(tk, 40000, &ev));
	termkeys_feed(tk, "2~z", 3, 40100);
	drain(tk, 40100, out, sizeof(out));
	/* an event taken, the rest not asked for, then more bytes in time */
	termkeys_feed(tk, "\x1b", 1, 45000);
	termkeys_feed(tk, "a", 1, 45100);
	assert_true(termkeys_next(tk, 45100, &ev));
	describe(&ev, out, sizeof(out));
	termkeys_feed(tk, "b\x1b", 2, 45110);
	termkeys_feed(tk, "[A", 2, 45120);
	drain(tk, 45120, out, sizeof(out));
	/* and in time, the same bytes are one unit */
	termkeys_feed(tk, "\x1b", 1, 50000);
	termkeys_feed(tk, "x", 1, 50010);
	termkeys_feed(tk, "\x1b[1;", 4, 50020);
	termkeys_feed(tk, "5A", 2, 50030);
	drain(tk, 50030, out, sizeof(out));
	assert_string_equal(out, "Esc x ignored:4 5 A paste:ab+unterminated ignored:6 q "
	                         "paste:c+unterminated d 2 ~ z Esc a b Up M-x C-Up");

	/* reset forgets what is pending */
	termkeys_feed(tk, "\x1b[200~abc", 9, 30000);
	assert_false(termkeys_next(tk, 30000, &ev));
	termkeys_reset(tk);
	assert_int_equal(termkeys_deadline(tk), TERMKEYS_NO_DEADLINE);
	termkeys_feed(tk, "t", 1, 30001);
	assert_true(termkeys_next(tk, 30001, &ev));
	assert_int_equal(termkeys_event_id(&ev), TK_ID_CHAR('t'));
	termkeys_free(tk);
}

static void test_extra_sequences(void **state)
{
	struct termkeys *tk = termkeys_new(NULL);
	char out[256];
	/* terminfo's word wins over the built-in forms */
	assert_int_equal(termkeys_add(tk, "\x1b[1~", TK_ID_KEY(TK_END)), 0);
	assert_int_equal(termkeys_add(tk, "\x1bOw", TK_ID_KEY(TK_F(5))), 0);
	assert_int_equal(termkeys_add(tk, "\x1b[99~", TK_ID_CHAR('x') | TK_ID_MODS(TK_MOD_SHIFT)),
	                 0);
	assert_int_equal(termkeys_add(tk, "\x08", TK_ID_KEY(TK_DELETE)), 0);
	assert_int_equal(termkeys_add(tk, "\x1b[1~", TK_ID_KEY(TK_HOME)), -EEXIST);
	assert_int_equal(termkeys_add(tk, "\x1b[1~", TK_ID_KEY(TK_END)), -EEXIST);
	/* not one unit of the grammar, no key, or not something to bind */
	assert_int_equal(termkeys_add(tk, "\x1b[", TK_ID_KEY(TK_UP)), -EINVAL);
	assert_int_equal(termkeys_add(tk, "\x1b", TK_ID_KEY(TK_UP)), -EINVAL);
	assert_int_equal(termkeys_add(tk, "\x1b[A\x1b", TK_ID_KEY(TK_UP)), -EINVAL);
	assert_int_equal(termkeys_add(tk, "ab", TK_ID_KEY(TK_UP)), -EINVAL);
	assert_int_equal(termkeys_add(tk, "a", TK_ID_KEY(TK_UP)), -EINVAL);
	assert_int_equal(termkeys_add(tk, "", TK_ID_KEY(TK_UP)), -EINVAL);
	assert_int_equal(termkeys_add(tk, "\x1b[200~", TK_ID_KEY(TK_UP)), -EINVAL);
	assert_int_equal(termkeys_add(tk, "\x1b[1 q", 0), -EINVAL);
	assert_int_equal(termkeys_add(tk, "\x1b[1 q", TK_ID_KEY(TK_CODE_COUNT)), -EINVAL);

	static const char in[] = "\x1b[1~\x1bOw\x1b\x1bOw\x1b[99~\x08\x1b[4~\x1b[1;5H";
	size_t cut = 3;
	decode_cut(tk, in, sizeof(in) - 1, &cut, 1, out, sizeof(out));
	assert_string_equal(out, "End F5 M-F5 X Del End C-Home");
	termkeys_free(tk);

	/* the terminfo capabilities: names unique, keys canonical */
	const char *name, *seen[256];
	uint32_t key;
	size_t n = 0;
	for (; termkeys_terminfo_cap(n, &name, &key); n++) {
		assert_true(n < 256);
		assert_int_equal(termkeys_id_canon(key), key);
		for (size_t j = 0; j < n; j++)
			assert_string_not_equal(seen[j], name);
		seen[n] = name;
	}
	assert_true(n > 80);
	assert_true(termkeys_terminfo_cap(0, &name, &key));
	assert_string_equal(name, "kcuu1");
	assert_int_equal(key, TK_ID_KEY(TK_UP));
}

static void test_names(void **state)
{
	static const struct {
		const char *in, *canon;
	} rows[] = {
	        {"a", "a"},
	        {"A", "A"},
	        {"S-a", "A"},
	        {"C-s", "C-s"},
	        {"C-S", "C-s"},
	        {"M-x", "M-x"},
	        {"A-x", "M-x"},
	        {"C-M-x", "C-M-x"},
	        {"M-C-x", "C-M-x"},
	        {"Home", "Home"},
	        {"home", "Home"},
	        {"F5", "F5"},
	        {"f12", "F12"},
	        {"F20", "F20"},
	        {"S-Tab", "S-Tab"},
	        {"PgDn", "PgDn"},
	        {"PageDown", "PgDn"},
	        {"pgdown", "PgDn"},
	        {"PageUp", "PgUp"},
	        {"Space", "Space"},
	        {" ", "Space"},
	        {"C-Space", "C-Space"},
	        {"C-@", "C-Space"},
	        {"Escape", "Esc"},
	        {"Backspace", "BS"},
	        {"Return", "Enter"},
	        {"Insert", "Ins"},
	        {"Delete", "Del"},
	        {"C-i", "Tab"},
	        {"C-m", "Enter"},
	        {"C-j", "Enter"},
	        {"C-h", "BS"},
	        {"C-[", "Esc"},
	        {"C-M-h", "M-BS"},
	        {"C-?", "BS"},
	        {"-", "-"},
	        {"C--", "C--"},
	        {"S-1", "1"},
	        {"C-S-Up", "C-S-Up"},
	        {"M-S-Up", "M-S-Up"},
	        {"S-M-Up", "M-S-Up"},
	        {"U+E9", "\xc3\xa9"},
	        {"\xc3\xa9", "\xc3\xa9"},
	        {"U+0301", "U+0301"},
	        {"U+41", "A"},
	        {"C-\\", "C-\\"},
	        {"C-]", "C-]"},
	        {"Begin", "Begin"},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t key = 0, again = 0;
		if (termkeys_parse(rows[i].in, &key))
			fail_msg("\"%s\" did not parse", rows[i].in);
		termkeys_name(key, buf, sizeof(buf));
		if (strcmp(buf, rows[i].canon))
			fail_msg("\"%s\" is \"%s\", want \"%s\"", rows[i].in, buf, rows[i].canon);
		assert_int_equal(termkeys_parse(buf, &again), 0);
		assert_int_equal(again, key);
	}
	static const char *const bad[] = {
	        "",    "C-", "Foo",  "F0", "F21",  "F1x",  "c-x",  "x-y", "U+D800",   "U+110000",
	        "U+1", "U+", "\x01", "ab", "\xff", "U+9B", "C-M-", "Q-a", "U+1234567"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t key = 12345;
		if (termkeys_parse(bad[i], &key) != -EINVAL)
			fail_msg("\"%s\" parsed", bad[i]);
		assert_int_equal(key, 12345);
	}
	/* names fit in small buffers like snprintf */
	assert_int_equal(termkeys_name(TK_ID_KEY(TK_PGDN) | TK_ID_MODS(7), buf, 4), 10);
	assert_string_equal(buf, "C-M");
	assert_int_equal(termkeys_name(0, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "?");
	assert_int_equal(termkeys_name(TK_ID_KEY(TK_NOKEY), buf, sizeof(buf)), 1);
	assert_int_equal(termkeys_name(0x80 | TK_ID_MODS(0), buf, sizeof(buf)), 1);
	assert_int_equal(termkeys_name('a' | TK_ID_MODS(8), buf, sizeof(buf)), 1);
}

/* Every named key with every modifier set, and a range of characters, prints
 * a name that parses back to the same id. */
static void test_names_round_trip(void **state)
{
	char buf[64];
	for (unsigned mods = 0; mods < 8; mods++) {
		for (uint32_t c = TK_NOKEY + 1; c < TK_CODE_COUNT; c++) {
			uint32_t id = TK_ID_KEY(c) | TK_ID_MODS(mods), back = 0;
			termkeys_name(id, buf, sizeof(buf));
			assert_int_equal(termkeys_parse(buf, &back), 0);
			assert_int_equal(back, id);
		}
		for (uint32_t cp = 0; cp < 0x3000; cp++) {
			uint32_t id = termkeys_id_canon(cp | TK_ID_MODS(mods)), back = 0;
			if (!id)
				continue;
			assert_int_equal(termkeys_id_canon(id), id);
			termkeys_name(id, buf, sizeof(buf));
			if (termkeys_parse(buf, &back) || back != id)
				fail_msg("U+%04X mods %u: \"%s\" gives %x, want %x", cp, mods, buf,
				         back, id);
		}
	}
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "no C.UTF-8 locale\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cursor_and_editing_keys),
	        cmocka_unit_test(test_function_keys),
	        cmocka_unit_test(test_modifiers),
	        cmocka_unit_test(test_controls_and_alt),
	        cmocka_unit_test(test_focus_and_mouse),
	        cmocka_unit_test(test_paste),
	        cmocka_unit_test(test_paste_bounded),
	        cmocka_unit_test(test_utf8),
	        cmocka_unit_test(test_unknown_sequences),
	        cmocka_unit_test(test_esc_timeout),
	        cmocka_unit_test(test_extra_sequences),
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
