/*
 * Key ids and key names (see termkeys.h): one canonical form shared by the
 * decoder (every event it produces is canonical), the name parser and the
 * name printer, so that a binding read from a configuration file compares
 * equal to the event of the key it names.
 */
#include "ui/termkeys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/sanitize.h"
#include "util/text.h"

/* The first name of a code is its canonical one; the rest are aliases. */
static const struct {
	enum tk_code code;
	const char *name;
} names[] = {
        {TK_UP, "Up"},         {TK_DOWN, "Down"},
        {TK_LEFT, "Left"},     {TK_RIGHT, "Right"},
        {TK_HOME, "Home"},     {TK_END, "End"},
        {TK_INSERT, "Ins"},    {TK_DELETE, "Del"},
        {TK_PGUP, "PgUp"},     {TK_PGDN, "PgDn"},
        {TK_BEGIN, "Begin"},   {TK_TAB, "Tab"},
        {TK_ENTER, "Enter"},   {TK_ESCAPE, "Esc"},
        {TK_BACKSPACE, "BS"},  {TK_INSERT, "Insert"},
        {TK_DELETE, "Delete"}, {TK_PGUP, "PageUp"},
        {TK_PGDN, "PageDown"}, {TK_PGDN, "PgDown"},
        {TK_ESCAPE, "Escape"}, {TK_BACKSPACE, "Backspace"},
        {TK_ENTER, "Return"},
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

#define KEY(code, mods) (TK_ID_KEY(code) | TK_ID_MODS(mods))
/* xterm's extended terminfo names: cap + "2".."8" is the key with the
 * modifiers of xterm's parameter 2..8. */
#define XMODS(cap, code)                                                                           \
	{cap "2", KEY(code, TK_MOD_SHIFT)}, {cap "3", KEY(code, TK_MOD_ALT)},                      \
	        {cap "4", KEY(code, TK_MOD_SHIFT | TK_MOD_ALT)},                                   \
	        {cap "5", KEY(code, TK_MOD_CTRL)},                                                 \
	        {cap "6", KEY(code, TK_MOD_CTRL | TK_MOD_SHIFT)},                                  \
	        {cap "7", KEY(code, TK_MOD_CTRL | TK_MOD_ALT)},                                    \
	{                                                                                          \
		cap "8", KEY(code, TK_MOD_CTRL | TK_MOD_ALT | TK_MOD_SHIFT)                        \
	}

/* kf13 and above are left out on purpose: xterm's terminfo uses them for
 * Shift/Ctrl + F1-F12, which the built-in forms already name correctly. */
static const struct {
	const char *name;
	uint32_t key;
} caps[] = {
        {"kcuu1", KEY(TK_UP, 0)},
        {"kcud1", KEY(TK_DOWN, 0)},
        {"kcub1", KEY(TK_LEFT, 0)},
        {"kcuf1", KEY(TK_RIGHT, 0)},
        {"khome", KEY(TK_HOME, 0)},
        {"kend", KEY(TK_END, 0)},
        {"kich1", KEY(TK_INSERT, 0)},
        {"kdch1", KEY(TK_DELETE, 0)},
        {"kpp", KEY(TK_PGUP, 0)},
        {"knp", KEY(TK_PGDN, 0)},
        {"kb2", KEY(TK_BEGIN, 0)},
        {"kcbt", KEY(TK_TAB, TK_MOD_SHIFT)},
        {"kent", KEY(TK_ENTER, 0)},
        {"kbs", KEY(TK_BACKSPACE, 0)},
        {"kf1", KEY(TK_F(1), 0)},
        {"kf2", KEY(TK_F(2), 0)},
        {"kf3", KEY(TK_F(3), 0)},
        {"kf4", KEY(TK_F(4), 0)},
        {"kf5", KEY(TK_F(5), 0)},
        {"kf6", KEY(TK_F(6), 0)},
        {"kf7", KEY(TK_F(7), 0)},
        {"kf8", KEY(TK_F(8), 0)},
        {"kf9", KEY(TK_F(9), 0)},
        {"kf10", KEY(TK_F(10), 0)},
        {"kf11", KEY(TK_F(11), 0)},
        {"kf12", KEY(TK_F(12), 0)},
        {"kri", KEY(TK_UP, TK_MOD_SHIFT)},
        {"kind", KEY(TK_DOWN, TK_MOD_SHIFT)},
        {"kLFT", KEY(TK_LEFT, TK_MOD_SHIFT)},
        {"kRIT", KEY(TK_RIGHT, TK_MOD_SHIFT)},
        {"kHOM", KEY(TK_HOME, TK_MOD_SHIFT)},
        {"kEND", KEY(TK_END, TK_MOD_SHIFT)},
        {"kIC", KEY(TK_INSERT, TK_MOD_SHIFT)},
        {"kDC", KEY(TK_DELETE, TK_MOD_SHIFT)},
        {"kPRV", KEY(TK_PGUP, TK_MOD_SHIFT)},
        {"kNXT", KEY(TK_PGDN, TK_MOD_SHIFT)},
        XMODS("kUP", TK_UP),
        XMODS("kDN", TK_DOWN),
        XMODS("kLFT", TK_LEFT),
        XMODS("kRIT", TK_RIGHT),
        XMODS("kHOM", TK_HOME),
        XMODS("kEND", TK_END),
        XMODS("kIC", TK_INSERT),
        XMODS("kDC", TK_DELETE),
        XMODS("kPRV", TK_PGUP),
        XMODS("kNXT", TK_PGDN),
};

bool termkeys_terminfo_cap(size_t i, const char **name, uint32_t *key)
{
	if (i >= sizeof(caps) / sizeof(caps[0]))
		return false;
	*name = caps[i].name;
	*key = caps[i].key;
	return true;
}

uint32_t termkeys_event_id(const struct key_event *ev)
{
	if (ev->kind == TK_EV_KEY)
		return TK_ID_KEY(ev->code) | TK_ID_MODS(ev->mods);
	if (ev->kind == TK_EV_CHAR)
		return TK_ID_CHAR(ev->codepoint) | TK_ID_MODS(ev->mods);
	return 0;
}

size_t termkeys_name(uint32_t key, char *buf, size_t size)
{
	uint32_t id = termkeys_id_canon(key);
	unsigned mods = id >> TK_ID_MODSHIFT;
	uint32_t v = id & ~TK_ID_MODS(0xff);
	char base[16];
	if (!id)
		return (size_t)snprintf(buf, size, "?");
	if (v & TK_ID_KEYBIT) {
		enum tk_code code = (enum tk_code)(v & ~TK_ID_KEYBIT);
		if (code >= TK_F1 && code <= TK_F20)
			snprintf(base, sizeof(base), "F%d", (int)(code - TK_F1 + 1));
		for (size_t i = 0; i < N_NAMES; i++) {
			if (names[i].code == code) {
				snprintf(base, sizeof(base), "%s", names[i].name);
				break;
			}
		}
	} else if (v == ' ') {
		snprintf(base, sizeof(base), "Space");
	} else if (v < 0x80 || sanitize_cp_width(v, 0) > 0) {
		base[utf8_encode(v, base)] = '\0';
	} else {
		snprintf(base, sizeof(base), "U+%04X", (unsigned)v);
	}
	return (size_t)snprintf(buf, size, "%s%s%s%s", mods & TK_MOD_CTRL ? "C-" : "",
	                        mods & TK_MOD_ALT ? "M-" : "", mods & TK_MOD_SHIFT ? "S-" : "",
	                        base);
}

/* "U+hex" with 1-6 digits; false otherwise. */
static bool parse_uplus(const char *s, uint32_t *cp)
{
	size_t i = 2;
	uint32_t v = 0;
	if ((s[0] != 'U' && s[0] != 'u') || s[1] != '+' || !s[2])
		return false;
	for (; s[i]; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0 || i >= 8)
			return false;
		v = v * 16 + (uint32_t)d;
	}
	*cp = v;
	return true;
}

static uint32_t parse_base(const char *s)
{
	size_t len = strlen(s);
	uint32_t cp;
	if (utf8_decode((const uint8_t *)s, len, &cp) == len)
		return cp < 0x20 || cp == 0x7f ? 0 : TK_ID_CHAR(cp);
	if (!strcasecmp(s, "Space"))
		return ' ';
	if (parse_uplus(s, &cp))
		return cp < 0x20 || cp == 0x7f ? 0 : TK_ID_CHAR(cp);
	if ((s[0] == 'F' || s[0] == 'f') && s[1] >= '1' && s[1] <= '9' && len <= 3) {
		int n = s[1] - '0';
		if (len == 3 && s[2] >= '0' && s[2] <= '9')
			n = n * 10 + (s[2] - '0');
		else if (len == 3)
			n = 0;
		return n >= 1 && n <= 20 ? TK_ID_KEY(TK_F(n)) : 0;
	}
	for (size_t i = 0; i < N_NAMES; i++)
		if (!strcasecmp(s, names[i].name))
			return TK_ID_KEY(names[i].code);
	return 0;
}

int termkeys_parse(const char *name, uint32_t *key)
{
	unsigned mods = 0;
	const char *s = name;
	for (; s[0] && s[1] == '-' && s[2]; s += 2) {
		unsigned m = s[0] == 'C'                  ? TK_MOD_CTRL
		             : s[0] == 'M' || s[0] == 'A' ? TK_MOD_ALT
		             : s[0] == 'S'                ? TK_MOD_SHIFT
		                                          : 0;
		if (!m)
			break;
		mods |= m;
	}
	uint32_t base = *s ? parse_base(s) : 0;
	uint32_t id = base ? termkeys_id_canon(base | TK_ID_MODS(mods)) : 0;
	if (!id)
		return -EINVAL;
	*key = id;
	return 0;
}
