/*
 * The terminal key decoder: bytes read from the terminal in, key events out.
 * Pure code (no curses, no clock, no terminal I/O), so every sequence is
 * unit-tested with bytes. The host reads the terminal itself (curses with
 * keypad() off, or the raw fd), hands the bytes to termkeys_feed() and takes
 * events with termkeys_next() until it returns false.
 *
 * What it understands: plain and UTF-8 characters (split across reads), C0
 * controls as Ctrl keys, Alt+key as an ESC prefix, the CSI and SS3 forms of
 * xterm, vt220, the Linux console, rxvt, PuTTY, tmux and screen for cursor
 * keys, Home/End, Insert/Delete, PgUp/PgDn, keypad keys and F1-F20 with
 * modifiers, Shift-Tab, CSI u and modifyOtherKeys keys, focus in/out, mouse
 * reports (SGR 1006, urxvt 1015 and X10), and bracketed paste, delivered as
 * ONE paste event with its bytes: nothing inside a paste is ever a key. Extra
 * sequences (the terminal's terminfo key strings) can be added at init and
 * take precedence over the built-in forms.
 *
 * A mouse report that cannot be a real one (a press of no button, buttons
 * past 11) is ignored like an unknown sequence.
 *
 * Anything else that looks like a sequence (an unknown or malformed CSI, SS3,
 * OSC or DCS; an invalid UTF-8 byte sequence) is consumed as ONE event of
 * kind TK_EV_IGNORED, never as its bytes, so a stray sequence cannot type
 * keys. An over-long sequence is cut at TERMKEYS_SEQ_MAX bytes (one ignored
 * event) and the rest of it is skipped silently.
 *
 * What the host sets up: keypad() off (or no curses input at all: the
 * bytes come from read() on the terminal), and the modes it wants the
 * terminal to report in, turned off again at exit and on suspend: bracketed
 * paste (ESC [ ? 2004 h / l), focus (ESC [ ? 1004 h), mouse (ESC [ ? 1000 h
 * with ESC [ ? 1006 h for SGR reports).
 *
 * Time. A lone ESC could be the Escape key or the start of a sequence whose
 * rest has not arrived yet; the decoder waits. When input is pending,
 * termkeys_deadline() tells when it gives up waiting: the host polls with
 * that timeout and calls termkeys_next() with the current time; from the
 * deadline on, a pending ESC is the Escape key, "ESC [" is Alt-[ and an
 * incomplete sequence is ignored. A paste whose end marker never comes is
 * delivered as it is after the (longer) paste timeout. Time is always passed
 * in (monotonic ms); nothing here reads a clock.
 *
 * Key names (termkeys_name(), termkeys_parse()), for key bindings in the
 * configuration and the help screen:
 *
 *   a  Z  7  ?  é        a character: itself (one UTF-8 character)
 *   Space                the space bar
 *   U+00E9               any character by code point (hex)
 *   Up Down Left Right Home End PgUp PgDn Ins Del Begin
 *   Tab Enter Esc BS F1 ... F20
 *                        named keys; also accepted, in any case: Insert,
 *                        Delete, PageUp, PageDown, PgDown, Escape, Backspace,
 *                        Return, and every canonical name in any case
 *   C-x  M-x  S-x        with Ctrl, Alt (Meta) and Shift; combined in the
 *                        order C-M-S- ("C-M-Del", "S-Tab", "M-S-Up"); A- is
 *                        accepted for M-. Letters with Shift are the capital
 *                        letter ("S-a" is "A"); Ctrl letters are lower case
 *                        ("C-S" is "C-s"); C-Space, C-\, C-], C-^ and C-_
 *                        name the other control bytes.
 *
 * The terminal's Backspace is BS whether it sends DEL (0x7f) or C-h (0x08),
 * and Enter is Enter whether it sends CR or LF, so C-h, C-m and C-j are not
 * keys of their own; neither are C-i (Tab) and C-[ (Esc).
 */
#ifndef SWANTOP_UI_TERMKEYS_H
#define SWANTOP_UI_TERMKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an event is. */
enum tk_kind {
	TK_EV_NONE = 0,
	TK_EV_KEY,     /* a named key: code, mods */
	TK_EV_CHAR,    /* a character: codepoint, mods */
	TK_EV_PASTE,   /* a bracketed paste: paste, paste_len (never keys) */
	TK_EV_MOUSE,   /* a mouse report: mouse, mods */
	TK_EV_FOCUS,   /* the terminal gained (focus_in) or lost focus */
	TK_EV_IGNORED, /* an unknown or malformed sequence or invalid UTF-8: one unit, drop it */
};

/* Named keys. */
enum tk_code {
	TK_NOKEY = 0,
	TK_UP,
	TK_DOWN,
	TK_LEFT,
	TK_RIGHT,
	TK_HOME,
	TK_END,
	TK_INSERT,
	TK_DELETE,
	TK_PGUP,
	TK_PGDN,
	TK_BEGIN, /* keypad 5 */
	TK_TAB,
	TK_ENTER,
	TK_ESCAPE,
	TK_BACKSPACE,
	TK_F1,
	TK_F20 = TK_F1 + 19,
	TK_CODE_COUNT
};
#define TK_F(n) ((enum tk_code)(TK_F1 + (n)-1))

/* Modifier bits. */
enum {
	TK_MOD_SHIFT = 1u << 0,
	TK_MOD_ALT = 1u << 1, /* Alt or Meta */
	TK_MOD_CTRL = 1u << 2,
};

enum tk_mouse_action {
	TK_MOUSE_PRESS,
	TK_MOUSE_RELEASE, /* button 0 if the terminal did not say which (X10) */
	TK_MOUSE_MOTION,  /* with button held (button) or none (0) */
	TK_MOUSE_WHEEL,   /* button 4 up, 5 down, 6 left, 7 right */
};

struct key_event {
	enum tk_kind kind;
	enum tk_code code; /* TK_EV_KEY */
	/* TK_EV_CHAR: a Unicode scalar value, never a control character: Ctrl
	 * keys are characters with TK_MOD_CTRL (C-a is 'a' + Ctrl, C-Space is
	 * ' ' + Ctrl), except those that are named keys (Tab, Enter, BS, Esc) */
	uint32_t codepoint;
	unsigned mods; /* TK_MOD_*: keys, characters and mouse reports */
	struct {
		enum tk_mouse_action action;
		unsigned button; /* 1 left, 2 middle, 3 right, 4-7 wheel, 8-11 extra; 0 none */
		unsigned x, y;   /* cell, 0-based from the top left */
	} mouse;
	bool focus_in; /* TK_EV_FOCUS */
	/* TK_EV_PASTE: the pasted bytes as the terminal sent them (any bytes,
	 * ESC and invalid UTF-8 included), at most paste_max of them. Borrowed:
	 * valid until the next call on the decoder. */
	const char *paste;
	size_t paste_len;
	bool paste_cut;          /* longer than paste_max: the rest was dropped */
	bool paste_unterminated; /* ended by the paste timeout, not by its end marker */
	/* The bytes this event was decoded from (for a paste: its start marker;
	 * for a cut sequence: its first TERMKEYS_SEQ_MAX bytes). Borrowed like
	 * paste. */
	const uint8_t *raw;
	size_t raw_len;
};

/* Escape sequences longer than this are cut and skipped. */
#define TERMKEYS_SEQ_MAX 64
/* Defaults of struct termkeys_config. */
#define TERMKEYS_ESC_TIMEOUT_MS 50
#define TERMKEYS_PASTE_TIMEOUT_MS 3000
#define TERMKEYS_PASTE_MAX 65536
/* termkeys_deadline() when nothing is pending. */
#define TERMKEYS_NO_DEADLINE INT64_MAX

struct termkeys_config {
	int esc_timeout_ms;   /* how long a lone ESC waits for more */
	int paste_timeout_ms; /* how long a paste waits for more without its end marker */
	size_t paste_max;     /* bytes of a paste kept; the rest is dropped */
};

struct termkeys;

/* A decoder; config may be NULL, zero fields take their defaults. Never
 * NULL (aborts when out of memory). */
struct termkeys *termkeys_new(const struct termkeys_config *config);
void termkeys_free(struct termkeys *tk);

/* Adds a sequence the terminal sends for key (a key id, see below), e.g. a
 * terminfo string from tigetstr("khome"). It is looked up before the
 * built-in forms. It must be one control byte, or ESC followed by a CSI, SS3
 * or Alt form that is a whole sequence on its own. Returns 0, -EINVAL for a
 * sequence that cannot be told apart from others or a key id that is not a
 * key or character (nothing added), -EEXIST if seq was added before (the new
 * key replaces the old). */
int termkeys_add(struct termkeys *tk, const char *seq, uint32_t key);

/* The terminfo capabilities worth passing to termkeys_add(): for i = 0, 1,
 * ... sets *name (a static string such as "khome", "kf5" or the extended
 * "kUP5") and *key, and returns true; false past the last one. The host
 * does: for each, s = tigetstr(name); if s is a string, termkeys_add(). */
bool termkeys_terminfo_cap(size_t i, const char **name, uint32_t *key);

/* Appends len bytes read from the terminal at time now (copied). Call
 * termkeys_next() until it returns false after each feed: input is decoded
 * there, and a paste in progress then holds at most paste_max bytes. */
void termkeys_feed(struct termkeys *tk, const void *buf, size_t len, int64_t now);

/* Decodes the next event into *ev and returns true, or returns false when
 * what is left is an incomplete sequence (or nothing) and now is before
 * termkeys_deadline(). Pointers in *ev are borrowed until the next call. */
bool termkeys_next(struct termkeys *tk, int64_t now, struct key_event *ev);

/* When termkeys_next() will stop waiting for the rest of what is pending
 * (monotonic ms), or TERMKEYS_NO_DEADLINE when nothing is pending. */
int64_t termkeys_deadline(const struct termkeys *tk);

/* Drops everything pending (input, a paste in progress), e.g. after the
 * terminal was suspended. */
void termkeys_reset(struct termkeys *tk);

/* ---- key ids and names ---------------------------------------------------
 *
 * A key id is one number for a key event: a named key or a character and
 * its modifiers, in canonical form (see the names above), so that a binding
 * table compares numbers. */

#define TK_ID_KEYBIT 0x200000u
#define TK_ID_MODSHIFT 24
#define TK_ID_CHAR(cp) ((uint32_t)(cp))
#define TK_ID_KEY(code) (TK_ID_KEYBIT | (uint32_t)(code))
#define TK_ID_MODS(mods) ((uint32_t)(mods) << TK_ID_MODSHIFT)
#define TK_ID_CTRL(c) (TK_ID_CHAR(c) | TK_ID_MODS(TK_MOD_CTRL))
#define TK_ID_ALT(c) (TK_ID_CHAR(c) | TK_ID_MODS(TK_MOD_ALT))

/* The key id of a key or character event in canonical form; 0 for other
 * events. */
uint32_t termkeys_event_id(const struct key_event *ev);

/* Canonical form of a key id ("S-a" → "A", "C-S" → "C-s"); 0 if it is not a
 * key or character id (0 itself is none: NUL is C-Space). */
uint32_t termkeys_id_canon(uint32_t key);

/* Writes the canonical name of key into buf (NUL-terminated, truncated to
 * size). Returns the full length like snprintf; an invalid id gives "?". */
size_t termkeys_name(uint32_t key, char *buf, size_t size);

/* Parses a key name into *key (canonical). Returns 0, or -EINVAL for a name
 * that is not a key. */
int termkeys_parse(const char *name, uint32_t *key);

#endif
