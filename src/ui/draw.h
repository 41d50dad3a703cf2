/*
 * The thin layer between rows/themes and curses: everything that calls
 * curses for drawing lives here (and in app/terminal.c for setup). Everything is
 * drawn on stdscr at absolute positions; curses diffs the frame, so the loop
 * simply redraws what is dirty and calls doupdate() once.
 */
#ifndef SWANTOP_UI_DRAW_H
#define SWANTOP_UI_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/pane.h"
#include "ui/rows.h"
#include "ui/theme.h"

/* The curses attributes of role (colour pair and attributes). */
int draw_attr(int role);

/* Paints w cells at (y, x) with spaces in role. */
void draw_fill(int y, int x, int w, int role);
/* Draws already-safe text (our own, or sanitised) clipped to w columns;
 * returns the columns drawn. */
int draw_text(int y, int x, int w, int role, const char *s);
/* Draws a row clipped to w columns and pads the rest with spaces. selected
 * draws the whole line in the selection role (focused or not). */
void draw_row(int y, int x, int w, const struct row *r, int sel_role);
/* A pane's title line: " title " on a rule, with extra text on the right
 * (already safe). focused pane titles stand out. */
void draw_title(struct rect r, const char *title, const char *right, bool focused, bool utf8);

#endif
