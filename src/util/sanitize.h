/*
 * Making hostile strings safe to show on a terminal.
 *
 * Everything that came from charon or the network (peer identities, log
 * lines, connection names, error messages) is a byte string that may hold
 * NUL, invalid UTF-8, C0/C1 controls, ESC sequences, DEL, bidi overrides
 * (U+202A-202E, U+2066-2069) or zero-width characters. Printed raw, such a
 * string can move the cursor, recolour or retitle the terminal, or make text
 * read differently from what it is. This module turns any byte string
 * (pointer + length, binary-safe) into plain printable UTF-8 in which every
 * offending byte or character is shown visibly as an escape:
 *
 *   \t \n \r            tab, newline, carriage return
 *   \xNN                other C0 controls, DEL and every byte that is not
 *                       part of a valid UTF-8 sequence (overlong forms,
 *                       surrogates, truncated sequences, > U+10FFFF)
 *   \uNNNN / \UNNNNNNNN valid characters that must not reach the terminal:
 *                       C1 controls (U+0080-009F), bidi controls, zero-width
 *                       and other format characters, line/paragraph
 *                       separators, unassigned or non-printable characters
 *                       (wcwidth() < 0), and in ASCII mode every non-ASCII
 *                       character
 *
 * Combining marks are kept after a printable base character (at most
 * SANITIZE_MAX_COMBINING of them, so "zalgo" text cannot grow a cell without
 * bound); elsewhere they are escaped. The output is always valid UTF-8 with
 * no byte < 0x20, no 0x7f and no C1 control, and sanitising it again returns
 * it unchanged (unless SANITIZE_ESCAPE_BACKSLASH is used).
 *
 * Widths come from wcwidth(), so the process must have called
 * setlocale(LC_CTYPE, "") (or set a UTF-8 locale) before; in a locale where
 * wcwidth() knows no non-ASCII character everything non-ASCII is escaped,
 * which is safe. With a non-UTF-8 locale, use SANITIZE_ASCII (see
 * sanitize_locale_is_utf8()).
 *
 * All functions are pure apart from reading the locale, never allocate
 * except sanitize_dup()/sanitize_strdup(), and have an ASCII fast path:
 * they are meant to be called for every visible cell on every frame.
 */
#ifndef SWANTOP_UI_SANITIZE_H
#define SWANTOP_UI_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flags for every function below; 0 is UTF-8 mode. */
enum sanitize_flags {
	/* Escape every non-ASCII character too (non-UTF-8 locale). The
	 * ellipsis becomes "~". */
	SANITIZE_ASCII = 1 << 0,
	/* Also show a literal backslash as "\\", so that escapes in the output
	 * are unambiguous. Off by default: Windows-style identities such as
	 * "DOMAIN\user" stay readable. */
	SANITIZE_ESCAPE_BACKSLASH = 1 << 1,
	/* sanitize_fit(): pad with spaces to exactly the requested width. */
	SANITIZE_PAD = 1 << 2,
};

/* Combining marks kept after one base character; more are escaped. */
#define SANITIZE_MAX_COMBINING 4

/* Worst-case bytes of output per display column in sanitize_fit() (a base
 * character plus its combining marks), and a buffer size that always holds
 * a fitted string of `cols` columns including the NUL. */
#define SANITIZE_BYTES_PER_COL (4 * (1 + SANITIZE_MAX_COMBINING))
#define SANITIZE_FIT_BUFSIZE(cols) ((size_t)(cols)*SANITIZE_BYTES_PER_COL + 8)

/* true if the current LC_CTYPE locale uses UTF-8 (nl_langinfo(CODESET)).
 * When false, pass SANITIZE_ASCII everywhere. */
bool sanitize_locale_is_utf8(void);

/* The display width of code point cp as sanitising would treat it: the
 * number of columns (0 for a combining mark, 1, or 2 for wide CJK) if cp may
 * be shown as it is, or -1 if it must be escaped. Used by the line editor to
 * refuse characters it could not draw. */
int sanitize_cp_width(uint32_t cp, unsigned flags);

/* Sanitises src[0..len) into dst (dstsize bytes, always NUL-terminated when
 * dstsize > 0; never cuts a character or an escape in half). Returns the
 * length the full output has (excluding the NUL), like snprintf: the output
 * was truncated iff the return value >= dstsize. */
size_t sanitize_buf(char *dst, size_t dstsize, const void *src, size_t len, unsigned flags);

/* Sanitises src[0..len) into a newly allocated NUL-terminated string that
 * the caller frees. Never returns NULL (aborts on out of memory). */
char *sanitize_dup(const void *src, size_t len, unsigned flags);
/* The same for a NUL-terminated string; s == NULL gives "". */
char *sanitize_strdup(const char *s, unsigned flags);

/* The number of terminal columns the sanitised form of src[0..len) takes.
 * Works on raw and on already sanitised strings alike. */
size_t sanitize_width(const void *src, size_t len, unsigned flags);

/* Sanitises src[0..len) and fits it into `width` columns: when it is wider,
 * it is cut at a character (or escape) boundary and ends with an ellipsis
 * ("…", "~" with SANITIZE_ASCII) so the result is at most `width` columns; a
 * wide character that does not fit whole is dropped. With SANITIZE_PAD, the
 * result is padded with spaces to exactly `width` columns. Writes a
 * NUL-terminated string into dst; if dstsize is too small the string is cut
 * (with an ellipsis) earlier. SANITIZE_FIT_BUFSIZE(width) is always enough.
 * Returns the number of columns written. */
size_t sanitize_fit(char *dst, size_t dstsize, const void *src, size_t len, size_t width,
                    unsigned flags);

#endif
