/*
 * Applying a theme to curses. Themes are written for 256 colours; real
 * terminals may have 8 or 16, so colours are folded down here rather than
 * in every theme file: bright colours become base colour + bold, and the
 * 256-colour cube and grey ramp are mapped to the nearest base colour by
 * their xterm RGB values.
 */
#include "ui/theme_curses.h"

#include <curses.h>
#include <errno.h>

static attr_t role_attrs[THEME_ROLE_COUNT];
static short role_pair[THEME_ROLE_COUNT];

/* xterm's RGB values for colours 0-15. */
static const unsigned char base_rgb[16][3] = {
        {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
        {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
};

static void rgb_of(int c, int rgb[3])
{
	static const int level[6] = {0, 95, 135, 175, 215, 255};

	if (c < 16) {
		for (int i = 0; i < 3; i++)
			rgb[i] = base_rgb[c][i];
	} else if (c < 232) {
		c -= 16;
		rgb[0] = level[c / 36], rgb[1] = level[(c / 6) % 6], rgb[2] = level[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

static int nearest_base(int c, int ncolors)
{
	int rgb[3], best = 0;
	long best_d = -1;

	rgb_of(c, rgb);
	for (int i = 0; i < ncolors; i++) {
		long d = 0;
		for (int k = 0; k < 3; k++) {
			long x = rgb[k] - base_rgb[i][k];
			d += x * x;
		}
		if (best_d < 0 || d < best_d)
			best_d = d, best = i;
	}
	return best;
}

/* A theme colour as one the terminal has; *extra gets attributes that stand
 * in for brightness. */
static short fold(int c, attr_t *extra)
{
	if (c < 0)
		return -1;
	if (c < COLORS)
		return (short)c;
	if (c >= 16)
		c = nearest_base(c, COLORS >= 16 ? 16 : 8);
	if (c >= 8 && c >= COLORS) {
		if (c == 8) { /* bright black: grey, not invisible black */
			if (extra)
				*extra |= A_DIM;
			return -1;
		}
		if (extra)
			*extra |= A_BOLD;
		c -= 8;
	}
	return (short)c;
}

static attr_t attrs_of(unsigned a)
{
	attr_t r = 0;

	if (a & THEME_ATTR_BOLD)
		r |= A_BOLD;
	if (a & THEME_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_ATTR_DIM)
		r |= A_DIM;
#ifdef A_ITALIC
	if (a & THEME_ATTR_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

/* Without colours a theme that marks the cursor row or the column heading
 * by colour alone would leave them invisible (a vt100, NO_COLOR): those
 * roles then get attributes that every terminal shows, each distinct from
 * the others. */
static attr_t colourless(int role, attr_t a)
{
	if (a & (A_REVERSE | A_UNDERLINE | A_BOLD))
		return a;
	switch (role) {
	case THEME_SELECTED:
		return a | A_REVERSE;
	case THEME_SELECTED_INACTIVE:
		return a | A_UNDERLINE;
	case THEME_TABLE_HEADER:
	case THEME_TITLE:
		return a | A_BOLD;
	default:
		return a;
	}
}

int theme_curses_apply(const struct theme *t)
{
	bool color = has_colors() && COLORS >= 8 && COLOR_PAIRS > THEME_ROLE_COUNT;

	for (int r = 0; r < THEME_ROLE_COUNT; r++) {
		const struct theme_style *st = &t->style[r];
		attr_t a = attrs_of(st->attrs);
		role_pair[r] = 0;
		if (color && !t->mono) {
			short fg = fold(st->fg, &a);
			short bg = fold(st->bg, NULL);
			if (init_pair((short)(r + 1), fg, bg) == OK)
				role_pair[r] = (short)(r + 1);
		} else {
			a = colourless(r, a);
		}
		role_attrs[r] = a;
	}
	return color ? 0 : -ENOTSUP;
}

unsigned long theme_curses_attr(enum theme_role role)
{
	if ((unsigned)role >= THEME_ROLE_COUNT)
		return A_NORMAL;
	return (unsigned long)(role_attrs[role] | (attr_t)COLOR_PAIR(role_pair[role]));
}

unsigned long theme_curses_attrs(enum theme_role role)
{
	return (unsigned)role < THEME_ROLE_COUNT ? (unsigned long)role_attrs[role] : A_NORMAL;
}

short theme_curses_pair(enum theme_role role)
{
	return (unsigned)role < THEME_ROLE_COUNT ? role_pair[role] : 0;
}
