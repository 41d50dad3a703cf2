/*
 * The line editor keeps code points rather than UTF-8 so that every cursor
 * move and deletion is one array operation and can never split a character;
 * the UTF-8 form is rebuilt lazily when someone asks for it. Widths come from
 * sanitize_cp_width(), the same function the sanitiser uses, so what the
 * editor measures is what the terminal shows.
 */
#include "ui/lineedit.h"

#include <stdlib.h>
#include <string.h>

#include "util/sanitize.h"
#include "util/text.h"
#include "vici/xmalloc.h"

struct lineedit {
	uint32_t *buf; /* the text, code points */
	size_t len, cap, cur;
	uint32_t *kill; /* the last killed text, for ^Y */
	size_t kill_len;
	char *utf8; /* cache of the text as UTF-8; valid when !dirty */
	size_t utf8_cap;
	bool dirty;
	char **hist; /* oldest first */
	size_t hist_n, hist_max;
	size_t hist_pos; /* entry being shown; hist_n: the line being typed */
	uint32_t *saved; /* the line being typed while browsing history */
	size_t saved_len;
	size_t scroll;  /* first visible character */
	unsigned flags; /* sanitize flags: SANITIZE_ASCII or 0 */
};

struct lineedit *lineedit_new(size_t history_max)
{
	struct lineedit *le = xcalloc(1, sizeof(*le));

	le->hist_max = history_max;
	le->dirty = true;
	return le;
}

static void normalize(struct lineedit *le);

void lineedit_set_ascii(struct lineedit *le, bool ascii)
{
	le->flags = ascii ? SANITIZE_ASCII : 0;
	normalize(le);
	le->dirty = true;
}

void lineedit_free(struct lineedit *le)
{
	if (!le)
		return;
	for (size_t i = 0; i < le->hist_n; i++)
		free(le->hist[i]);
	free(le->hist);
	free(le->buf);
	free(le->kill);
	free(le->utf8);
	free(le->saved);
	free(le);
}

static bool insertable(const struct lineedit *le, size_t at, uint32_t c)
{
	int w = sanitize_cp_width(c, le->flags);
	/* a combining mark needs a character before it to attach to */
	return w > 0 || (w == 0 && at > 0);
}

/* Drops combining marks that no longer attach to a character (its base was
 * deleted, or too many marks pile up), by the same rule as the sanitiser, so
 * the text is always shown exactly as it is. */
static void normalize(struct lineedit *le)
{
	int marks = -1;
	size_t o = 0, cur = le->cur;

	for (size_t i = 0; i < le->len; i++) {
		int w = sanitize_cp_width(le->buf[i], le->flags);
		if (w < 0 || (w == 0 && (marks < 0 || marks >= SANITIZE_MAX_COMBINING))) {
			if (i < le->cur)
				cur--;
			continue;
		}
		marks = w == 0 ? marks + 1 : 0;
		le->buf[o++] = le->buf[i];
	}
	if (o != le->len)
		le->dirty = true;
	le->len = o;
	le->cur = cur;
}

static void reserve(struct lineedit *le, size_t n)
{
	if (n <= le->cap)
		return;
	size_t cap = le->cap ? le->cap : 64;
	while (cap < n)
		cap *= 2;
	le->buf = xreallocarray(le->buf, cap, sizeof(*le->buf));
	le->cap = cap;
}

/* Returns how many of the n characters fitted. */
static size_t insert(struct lineedit *le, const uint32_t *cs, size_t n)
{
	if (le->len + n > LINEEDIT_MAX)
		n = LINEEDIT_MAX - le->len;
	if (n == 0)
		return 0;
	reserve(le, le->len + n);
	memmove(le->buf + le->cur + n, le->buf + le->cur, (le->len - le->cur) * sizeof(*le->buf));
	memcpy(le->buf + le->cur, cs, n * sizeof(*cs));
	le->len += n;
	le->cur += n;
	le->dirty = true;
	normalize(le);
	return n;
}

/* Deletes [from, to), remembering it for ^Y if kill is set. */
static void erase(struct lineedit *le, size_t from, size_t to, bool kill)
{
	if (from >= to)
		return;
	if (kill) {
		le->kill = xreallocarray(le->kill, to - from, sizeof(*le->kill));
		memcpy(le->kill, le->buf + from, (to - from) * sizeof(*le->kill));
		le->kill_len = to - from;
	}
	memmove(le->buf + from, le->buf + to, (le->len - to) * sizeof(*le->buf));
	le->len -= to - from;
	if (le->cur > to)
		le->cur -= to - from;
	else if (le->cur > from)
		le->cur = from;
	le->dirty = true;
	normalize(le);
}

/* Inserts UTF-8 at the cursor in one go (one normalisation, not one per
 * character), dropping what is invalid or unsafe. Returns the number of
 * characters inserted; *cut gets those that did not fit. */
static size_t insert_utf8(struct lineedit *le, const char *s, size_t n, size_t *cut)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t *cs = xreallocarray(NULL, n + 1, sizeof(*cs));
	size_t m = 0;

	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t k = utf8_decode(p + i, n - i, &c);
		if (k == 0) {
			i++;
			continue;
		}
		i += k;
		if (sanitize_cp_width(c, le->flags) >= 0)
			cs[m++] = c;
	}
	size_t done = insert(le, cs, m);
	free(cs);
	if (cut)
		*cut = m - done;
	return done;
}

/* Replaces the text by UTF-8. */
static void set_utf8(struct lineedit *le, const char *s, size_t n)
{
	le->len = le->cur = 0;
	le->dirty = true;
	insert_utf8(le, s, n, NULL);
}

static void set_cps(struct lineedit *le, const uint32_t *cs, size_t n)
{
	le->len = le->cur = 0;
	le->dirty = true;
	insert(le, cs, n);
}

const char *lineedit_text(struct lineedit *le)
{
	if (!le->dirty)
		return le->utf8;
	size_t need = 1;
	for (size_t i = 0; i < le->len; i++)
		need += utf8_len(le->buf[i]);
	if (need > le->utf8_cap) {
		le->utf8 = xrealloc(le->utf8, need);
		le->utf8_cap = need;
	}
	size_t o = 0;
	for (size_t i = 0; i < le->len; i++)
		o += utf8_encode(le->buf[i], le->utf8 + o);
	le->utf8[o] = '\0';
	le->dirty = false;
	return le->utf8;
}

size_t lineedit_cursor_byte(const struct lineedit *le)
{
	size_t o = 0;
	for (size_t i = 0; i < le->cur; i++)
		o += utf8_len(le->buf[i]);
	return o;
}

size_t lineedit_cursor(const struct lineedit *le)
{
	return le->cur;
}

size_t lineedit_length(const struct lineedit *le)
{
	return le->len;
}

static void leave_history(struct lineedit *le)
{
	le->hist_pos = le->hist_n;
	le->saved_len = 0;
}

void lineedit_set_text(struct lineedit *le, const char *utf8)
{
	set_utf8(le, utf8 ? utf8 : "", utf8 ? strlen(utf8) : 0);
	leave_history(le);
}

void lineedit_clear(struct lineedit *le)
{
	le->len = le->cur = le->scroll = 0;
	le->dirty = true;
	leave_history(le);
}

/* The character index at byte offset off of the UTF-8 text, rounded down to
 * a character boundary and clamped to the text. */
static size_t index_of_byte(const struct lineedit *le, size_t off)
{
	size_t o = 0, i = 0;
	while (i < le->len && o + utf8_len(le->buf[i]) <= off)
		o += utf8_len(le->buf[i++]);
	return i;
}

void lineedit_replace(struct lineedit *le, size_t start_byte, size_t end_byte, const char *utf8)
{
	size_t from = index_of_byte(le, start_byte);
	size_t to = index_of_byte(le, end_byte);
	if (to < from)
		to = from;
	erase(le, from, to, false);
	le->cur = from;
	insert_utf8(le, utf8 ? utf8 : "", utf8 ? strlen(utf8) : 0, NULL);
}

size_t lineedit_paste(struct lineedit *le, const char *bytes, size_t len, size_t *cut)
{
	size_t dummy;
	return insert_utf8(le, bytes ? bytes : "", bytes ? len : 0, cut ? cut : &dummy);
}

void lineedit_history_add(struct lineedit *le, const char *utf8)
{
	if (le->hist_max == 0 || !utf8 || !*utf8)
		return;
	if (le->hist_n > 0 && strcmp(le->hist[le->hist_n - 1], utf8) == 0)
		return;
	if (le->hist_n == le->hist_max) {
		free(le->hist[0]);
		memmove(le->hist, le->hist + 1, (le->hist_n - 1) * sizeof(*le->hist));
		le->hist_n--;
	} else {
		le->hist = xreallocarray(le->hist, le->hist_n + 1, sizeof(*le->hist));
	}
	le->hist[le->hist_n++] = xstrdup(utf8);
	leave_history(le);
}

size_t lineedit_history_count(const struct lineedit *le)
{
	return le->hist_n;
}

static enum lineedit_result history_move(struct lineedit *le, bool up)
{
	if (up) {
		if (le->hist_pos == 0 || le->hist_n == 0)
			return LINEEDIT_IGNORED;
		if (le->hist_pos >= le->hist_n) {
			le->saved = xreallocarray(le->saved, le->len + 1, sizeof(*le->saved));
			if (le->len > 0)
				memcpy(le->saved, le->buf, le->len * sizeof(*le->buf));
			le->saved_len = le->len;
			le->hist_pos = le->hist_n;
		}
		le->hist_pos--;
	} else {
		if (le->hist_pos >= le->hist_n)
			return LINEEDIT_IGNORED;
		le->hist_pos++;
	}
	if (le->hist_pos == le->hist_n)
		set_cps(le, le->saved, le->saved_len);
	else
		set_utf8(le, le->hist[le->hist_pos], strlen(le->hist[le->hist_pos]));
	return LINEEDIT_CHANGED;
}

static bool is_blank(uint32_t c)
{
	return c == ' ' || c == 0x3000 || c == 0xa0;
}

static size_t word_left(const struct lineedit *le)
{
	size_t i = le->cur;
	while (i > 0 && is_blank(le->buf[i - 1]))
		i--;
	while (i > 0 && !is_blank(le->buf[i - 1]))
		i--;
	return i;
}

static size_t word_right(const struct lineedit *le)
{
	size_t i = le->cur;
	while (i < le->len && is_blank(le->buf[i]))
		i++;
	while (i < le->len && !is_blank(le->buf[i]))
		i++;
	return i;
}

static enum lineedit_result move_to(struct lineedit *le, size_t pos)
{
	if (pos == le->cur)
		return LINEEDIT_IGNORED;
	le->cur = pos;
	return LINEEDIT_CHANGED;
}

static enum lineedit_result kill_range(struct lineedit *le, size_t from, size_t to)
{
	if (from >= to)
		return LINEEDIT_IGNORED;
	erase(le, from, to, true);
	return LINEEDIT_CHANGED;
}

/* Control characters as keys, emacs style. */
static enum lineedit_key control_key(uint32_t c)
{
	switch (c) {
	case 0x01:
		return LINEEDIT_KEY_HOME;
	case 0x02:
		return LINEEDIT_KEY_LEFT;
	case 0x03:
	case 0x07:
	case 0x1b:
		return LINEEDIT_KEY_CANCEL;
	case 0x04:
		return LINEEDIT_KEY_DELETE;
	case 0x05:
		return LINEEDIT_KEY_END;
	case 0x06:
		return LINEEDIT_KEY_RIGHT;
	case 0x08:
	case 0x7f:
		return LINEEDIT_KEY_BACKSPACE;
	case 0x09:
		return LINEEDIT_KEY_TAB;
	case 0x0a:
	case 0x0d:
		return LINEEDIT_KEY_ENTER;
	case 0x0b:
		return LINEEDIT_KEY_KILL_END;
	case 0x0e:
		return LINEEDIT_KEY_DOWN;
	case 0x10:
		return LINEEDIT_KEY_UP;
	case 0x15:
		return LINEEDIT_KEY_KILL_START;
	case 0x17:
		return LINEEDIT_KEY_KILL_WORD;
	case 0x19:
		return LINEEDIT_KEY_YANK;
	default:
		return LINEEDIT_KEY_NONE;
	}
}

enum lineedit_result lineedit_key(struct lineedit *le, enum lineedit_key key, uint32_t ch)
{
	if (key == LINEEDIT_KEY_CHAR) {
		if (ch < 0x20 || ch == 0x7f) {
			key = control_key(ch);
		} else {
			if (!insertable(le, le->cur, ch))
				return LINEEDIT_IGNORED;
			size_t before = le->len;
			insert(le, &ch, 1);
			return le->len != before ? LINEEDIT_CHANGED : LINEEDIT_IGNORED;
		}
	}
	switch (key) {
	case LINEEDIT_KEY_LEFT:
		return le->cur > 0 ? move_to(le, le->cur - 1) : LINEEDIT_IGNORED;
	case LINEEDIT_KEY_RIGHT:
		return le->cur < le->len ? move_to(le, le->cur + 1) : LINEEDIT_IGNORED;
	case LINEEDIT_KEY_WORD_LEFT:
		return move_to(le, word_left(le));
	case LINEEDIT_KEY_WORD_RIGHT:
		return move_to(le, word_right(le));
	case LINEEDIT_KEY_HOME:
		return move_to(le, 0);
	case LINEEDIT_KEY_END:
		return move_to(le, le->len);
	case LINEEDIT_KEY_UP:
		return history_move(le, true);
	case LINEEDIT_KEY_DOWN:
		return history_move(le, false);
	case LINEEDIT_KEY_BACKSPACE:
		if (le->cur == 0)
			return LINEEDIT_IGNORED;
		erase(le, le->cur - 1, le->cur, false);
		return LINEEDIT_CHANGED;
	case LINEEDIT_KEY_DELETE:
		if (le->cur == le->len)
			return LINEEDIT_IGNORED;
		erase(le, le->cur, le->cur + 1, false);
		return LINEEDIT_CHANGED;
	case LINEEDIT_KEY_KILL_END:
		return kill_range(le, le->cur, le->len);
	case LINEEDIT_KEY_KILL_START:
		return kill_range(le, 0, le->cur);
	case LINEEDIT_KEY_KILL_WORD:
		return kill_range(le, word_left(le), le->cur);
	case LINEEDIT_KEY_YANK: {
		if (le->kill_len == 0)
			return LINEEDIT_IGNORED;
		size_t before = le->len;
		insert(le, le->kill, le->kill_len);
		return le->len != before ? LINEEDIT_CHANGED : LINEEDIT_IGNORED;
	}
	case LINEEDIT_KEY_ENTER:
		return LINEEDIT_ACCEPT;
	case LINEEDIT_KEY_CANCEL:
		return LINEEDIT_CANCEL;
	case LINEEDIT_KEY_TAB:
		return LINEEDIT_COMPLETE;
	default:
		return LINEEDIT_IGNORED;
	}
}

static size_t cp_cols(uint32_t c)
{
	int w = sanitize_cp_width(c, 0);
	return w > 0 ? (size_t)w : 0;
}

/* Columns of the characters [from, to). */
static size_t cols_between(const struct lineedit *le, size_t from, size_t to)
{
	size_t w = 0;
	for (size_t i = from; i < to; i++)
		w += cp_cols(le->buf[i]);
	return w;
}

void lineedit_view(struct lineedit *le, size_t width, struct lineedit_view *v)
{
	const char *text = lineedit_text(le);

	if (width == 0)
		width = 1;
	/* columns the cursor needs: the character under it, or one cell at
	 * the end of the text */
	size_t cw = le->cur < le->len ? cp_cols(le->buf[le->cur]) : 1;
	if (cw == 0)
		cw = 1;
	if (le->scroll > le->cur)
		le->scroll = le->cur;
	/* incrementally: the text may be long and this runs every frame */
	size_t before = cols_between(le, le->scroll, le->cur);
	while (le->scroll < le->cur && before + cw > width)
		before -= cp_cols(le->buf[le->scroll++]);
	/* never start on a combining mark */
	while (le->scroll > 0 && le->scroll < le->len && cp_cols(le->buf[le->scroll]) == 0)
		le->scroll--;
	/* when text was deleted, show as much of it as fits again */
	size_t rest = le->cur == le->len ? 1 : 0;
	for (size_t i = le->scroll; i < le->len && rest <= width; i++)
		rest += cp_cols(le->buf[i]);
	while (le->scroll > 0 && rest + cp_cols(le->buf[le->scroll - 1]) <= width)
		rest += cp_cols(le->buf[--le->scroll]);

	size_t off = 0;
	for (size_t i = 0; i < le->scroll; i++)
		off += utf8_len(le->buf[i]);
	size_t end = le->scroll, cols = 0, bytes = 0;
	while (end < le->len && cols + cp_cols(le->buf[end]) <= width) {
		cols += cp_cols(le->buf[end]);
		bytes += utf8_len(le->buf[end]);
		end++;
	}
	v->text = text + off;
	v->len = bytes;
	v->cols = cols;
	v->cursor_col = cols_between(le, le->scroll, le->cur);
	if (v->cursor_col >= width)
		v->cursor_col = width - 1;
	v->more_left = le->scroll > 0;
	v->more_right = end < le->len;
}
