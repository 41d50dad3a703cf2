/*
 * A curses screen for tests (see cscreen.h).
 */
#include "cscreen.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static SCREEN *scr;
static FILE *scr_out, *scr_in;
static int scr_rows, scr_cols;

int cscreen_up(int rows, int cols)
{
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	if (cols > CSCREEN_COLS_MAX)
		return -1;
	scr_out = fopen("/dev/null", "w");
	scr_in = fopen("/dev/null", "r");
	scr = newterm("xterm-256color", scr_out, scr_in);
	if (!scr)
		return -1;
	resizeterm(rows, cols);
	scr_rows = rows;
	scr_cols = cols;
	return 0;
}

int cscreen_down(void)
{
	endwin();
	delscreen(scr);
	fclose(scr_out);
	fclose(scr_in);
	return 0;
}

const char *cscreen_line(int y)
{
	static char buf[CSCREEN_COLS_MAX * 4 + 1];
	wchar_t w[CSCREEN_COLS_MAX + 1];
	memset(w, 0, sizeof(w));
	mvinnwstr(y, 0, w, scr_cols);
	size_t n = wcstombs(buf, w, sizeof(buf) - 1);
	if (n == (size_t)-1)
		n = 0;
	buf[n] = '\0';
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

int cscreen_find(const char *s)
{
	for (int y = 0; y < scr_rows; y++)
		if (strstr(cscreen_line(y), s))
			return y;
	return -1;
}
