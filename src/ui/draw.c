/*
 * Curses drawing helpers. Colours come from theme_curses.h (one pair per
 * role); every string is fitted with sanitize_fit() on its way out.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include "ui/draw.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "util/sanitize.h"
#include "ui/theme_curses.h"

int draw_attr(int role)
{
	if (role < 0 || role >= THEME_ROLE_COUNT)
		return A_NORMAL;
	return (int)theme_curses_attr((enum theme_role)role);
}

void draw_fill(int y, int x, int w, int role)
{
	if (w <= 0)
		return;
	attrset(draw_attr(role));
	mvhline(y, x, ' ', w);
}

int draw_text(int y, int x, int w, int role, const char *s)
{
	if (w <= 0)
		return 0;
	char buf[SANITIZE_FIT_BUFSIZE(512)];
	if (w > 512)
		w = 512;
	/* Already safe, but fitting goes through the same code, which also
	 * keeps wide characters whole at the edge. */
	int cols = (int)sanitize_fit(buf, sizeof(buf), s, strlen(s), (size_t)w,
	                             sanitize_locale_is_utf8() ? 0 : SANITIZE_ASCII);
	attrset(draw_attr(role));
	mvaddstr(y, x, buf);
	return cols;
}

void draw_row(int y, int x, int w, const struct row *r, int sel_role)
{
	int col = 0;
	move(y, x);
	for (size_t i = 0; i < r->n && col < w; i++) {
		const struct row_span *sp = &r->span[i];
		char tmp[ROW_BUFSIZE];
		memcpy(tmp, r->buf + sp->off, sp->len);
		tmp[sp->len] = '\0';
		int role = sel_role >= 0 ? sel_role : sp->role;
		col += draw_text(y, x + col, w - col, role, tmp);
	}
	if (col < w)
		draw_fill(y, x + col, w - col, sel_role >= 0 ? sel_role : THEME_DEFAULT);
}

void draw_title(struct rect r, const char *title, const char *right, bool focused, bool utf8)
{
	int role = focused ? THEME_TITLE : THEME_BORDER;
	attrset(draw_attr(THEME_BORDER));
	if (utf8) {
		for (int i = 0; i < r.w; i++)
			mvaddstr(r.y, r.x + i, "\u2500");
	} else {
		mvhline(r.y, r.x, '-', r.w);
	}
	int x = r.x + 1;
	char t[256];
	snprintf(t, sizeof(t), "%s%s ", focused ? (utf8 ? "\u25b6 " : "> ") : " ", title);
	x += draw_text(r.y, x, r.w - 2, role, t);
	if (right && *right) {
		int rw = (int)sanitize_width(right, strlen(right), utf8 ? 0 : SANITIZE_ASCII) + 2;
		int avail = r.x + r.w - 1 - x;
		if (rw > avail)
			rw = avail;
		if (rw > 2) {
			char buf[512];
			snprintf(buf, sizeof(buf), " %s ", right);
			draw_text(r.y, r.x + r.w - 1 - rw, rw, THEME_BORDER, buf);
		}
	}
	attrset(A_NORMAL);
}
