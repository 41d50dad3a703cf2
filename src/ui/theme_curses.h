/*
 * Applying a theme to curses: the only place where roles become colour
 * pairs. Role r uses colour pair r + 1. Colours the terminal does not have
 * are folded down (a bright colour 8-15 becomes its base colour 0-7 plus
 * bold on 8-colour terminals; 16-255 are approximated by the nearest of the
 * 8 or 16 base colours), and a terminal without colours gets the attributes
 * only.
 */
#ifndef SWANTOP_UI_THEME_CURSES_H
#define SWANTOP_UI_THEME_CURSES_H

#include "ui/theme.h"

/* Initialises the colour pairs for t (after initscr()/start_color() and
 * use_default_colors(), which the caller does). Safe to call again when the
 * theme changes; the caller then redraws. Returns 0, or -ENOTSUP when the
 * terminal has no colours (attributes still apply). */
int theme_curses_apply(const struct theme *t);

/* The curses attributes (COLOR_PAIR | A_BOLD | ...) to draw role with under
 * the theme last applied. Returned as an int-sized attr_t value. */
unsigned long theme_curses_attr(enum theme_role role);
/* The attributes without the colour pair, and the pair number, for the
 * wide-character calls (wattr_set, setcchar). */
unsigned long theme_curses_attrs(enum theme_role role);
short theme_curses_pair(enum theme_role role);

#endif
