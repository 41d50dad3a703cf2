/*
 * A small line editor for the command line, as a pure state machine.
 *
 * libedit's readline layer wants to own the terminal, which curses already
 * does, so the command line edits its text here and the monitor draws it.
 * The editor knows nothing of curses: the caller translates its input into
 * a struct of (enum lineedit_key, code point), feeds it to lineedit_key(),
 * acts on the result (redraw, accept, cancel, complete) and, when drawing,
 * asks lineedit_view() which slice of the text is visible in how many
 * columns and where the cursor is.
 *
 * Keys (emacs style, like a shell):
 *   printable          insert at the cursor
 *   Left/^B Right/^F   move one character        Home/^A End/^E  line start/end
 *   Ctrl-Left/Alt-b, Ctrl-Right/Alt-f  move one word
 *   Backspace/^H/DEL   delete before the cursor  Delete/^D  delete at the cursor
 *   ^K  kill to end    ^U  kill to start         ^W  kill word before the cursor
 *   ^Y  yank the last kill
 *   Up/^P Down/^N      history (the line being typed is kept and comes back
 *                      after the newest entry)
 *   Enter/^J/^M        accept       Esc/^C/^G  cancel      Tab/^I  complete
 *
 * Control characters passed as LINEEDIT_KEY_CHAR are interpreted as the keys
 * above, so the caller can pass get_wch() characters through unchanged and
 * only map KEY_* codes. Characters that cannot be shown safely (see
 * sanitize_cp_width()) are refused, so the text never holds a control
 * character.
 *
 * The text is kept as code points; lineedit_text() gives it as UTF-8.
 * Cursor positions are in characters (code points) unless a name says
 * "byte".
 */
#ifndef SWANTOP_UI_LINEEDIT_H
#define SWANTOP_UI_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most characters the text holds; more input is refused (a command line
 * is at most CMDLINE_MAX bytes anyway). */
#define LINEEDIT_MAX 4096

enum lineedit_key {
	LINEEDIT_KEY_NONE = 0,
	LINEEDIT_KEY_CHAR, /* a character (Unicode code point in ch); control
	                      characters act as the keys listed above */
	LINEEDIT_KEY_LEFT,
	LINEEDIT_KEY_RIGHT,
	LINEEDIT_KEY_WORD_LEFT,
	LINEEDIT_KEY_WORD_RIGHT,
	LINEEDIT_KEY_HOME,
	LINEEDIT_KEY_END,
	LINEEDIT_KEY_UP,
	LINEEDIT_KEY_DOWN,
	LINEEDIT_KEY_BACKSPACE,
	LINEEDIT_KEY_DELETE,
	LINEEDIT_KEY_KILL_END,   /* ^K */
	LINEEDIT_KEY_KILL_START, /* ^U */
	LINEEDIT_KEY_KILL_WORD,  /* ^W */
	LINEEDIT_KEY_YANK,       /* ^Y */
	LINEEDIT_KEY_ENTER,
	LINEEDIT_KEY_CANCEL, /* Esc, ^C, ^G */
	LINEEDIT_KEY_TAB,
};

/* What a key did; the caller acts on it. */
enum lineedit_result {
	LINEEDIT_IGNORED = 0, /* nothing changed (unknown key, nothing to delete...) */
	LINEEDIT_CHANGED,     /* text or cursor changed: redraw */
	LINEEDIT_ACCEPT,      /* Enter: take lineedit_text(), then lineedit_clear() */
	LINEEDIT_CANCEL,      /* Esc/^C/^G: leave the command line */
	LINEEDIT_COMPLETE,    /* Tab: run completion, apply with lineedit_replace() */
};

struct lineedit;

/* A new empty editor that remembers at most history_max history entries
 * (0: no history). Free with lineedit_free(). Never returns NULL. */
struct lineedit *lineedit_new(size_t history_max);
void lineedit_free(struct lineedit *le);

/* In ASCII mode (a non-UTF-8 locale) only ASCII characters are accepted, so
 * the text never holds what the terminal could not show. Off by default. */
void lineedit_set_ascii(struct lineedit *le, bool ascii);

/* Feeds one key. ch is the code point for LINEEDIT_KEY_CHAR, else ignored. */
enum lineedit_result lineedit_key(struct lineedit *le, enum lineedit_key key, uint32_t ch);

/* The text as NUL-terminated UTF-8; owned by le, valid until the next call
 * that changes le. */
const char *lineedit_text(struct lineedit *le);
/* The cursor as a byte offset into lineedit_text() / in characters. */
size_t lineedit_cursor_byte(const struct lineedit *le);
size_t lineedit_cursor(const struct lineedit *le);
/* The number of characters in the text. */
size_t lineedit_length(const struct lineedit *le);

/* Replaces the text with utf8 (invalid or unsafe parts dropped) and puts the
 * cursor at its end. Leaves history browsing. */
void lineedit_set_text(struct lineedit *le, const char *utf8);
/* Empties the text (after accept or cancel) and leaves history browsing. */
void lineedit_clear(struct lineedit *le);
/* Replaces the bytes [start_byte, end_byte) of lineedit_text() by utf8 and
 * puts the cursor after the inserted text: applies a completion. Offsets are
 * clamped to the text and rounded to character boundaries. */
void lineedit_replace(struct lineedit *le, size_t start_byte, size_t end_byte, const char *utf8);

/* Inserts pasted bytes at the cursor as text, never as keys: invalid UTF-8
 * and every character that cannot be shown (control characters, ESC,
 * newlines and tabs among them) are dropped, so "abc\e2" inserts "abc2".
 * Returns the number of characters inserted; *cut (if not NULL) gets the
 * number that did not fit in LINEEDIT_MAX. */
size_t lineedit_paste(struct lineedit *le, const char *bytes, size_t len, size_t *cut);

/* Appends a line to the in-memory history (empty lines and a repeat of the
 * newest entry are skipped; the oldest entry goes when full). The caller adds
 * accepted lines and, at start, the persisted history (see cmdline.h). */
void lineedit_history_add(struct lineedit *le, const char *utf8);
size_t lineedit_history_count(const struct lineedit *le);

/* What to draw for the text in `width` columns. */
struct lineedit_view {
	const char *text;  /* start of the visible slice, inside lineedit_text() */
	size_t len;        /* its length in bytes */
	size_t cols;       /* its width in columns (<= width) */
	size_t cursor_col; /* cursor column relative to the slice (< width) */
	bool more_left;    /* text hidden left of the slice */
	bool more_right;   /* text hidden right of the slice */
};

/* Computes the visible slice for width columns (width >= 1) with horizontal
 * scrolling that keeps the cursor visible and moves only when it must (the
 * scroll position is remembered in le, hence not const). The cursor may sit
 * one column past the text. The view points into le's text: valid until the
 * next change. */
void lineedit_view(struct lineedit *le, size_t width, struct lineedit_view *view);

#endif
