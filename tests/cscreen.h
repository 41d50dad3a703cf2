/*
 * A curses screen for tests of what the panes draw: a terminal of a given
 * size writing to /dev/null, read back line by line (mvinnwstr) as UTF-8.
 * The locale is C.UTF-8 and TZ is UTC while it is up.
 */
#ifndef SWANTOP_TESTS_CSCREEN_H
#define SWANTOP_TESTS_CSCREEN_H

/* The widest screen a test may ask for. */
#define CSCREEN_COLS_MAX 256

/* Opens the screen (rows x cols, cols at most CSCREEN_COLS_MAX): 0, or -1. */
int cscreen_up(int rows, int cols);
/* Closes it; 0. */
int cscreen_down(void);
/* Line y as UTF-8, trailing blanks cut (a static buffer). */
const char *cscreen_line(int y);
/* The first line holding s, or -1. */
int cscreen_find(const char *s);

#endif
