/*
 * Layout arithmetic. The body (everything between the header and the two
 * bottom lines) is split about 3:2 between the main pane and the bottom
 * panes, with every visible pane keeping at least its title line and two
 * rows.
 */
#include "ui/layout.h"

#include <string.h>

static struct rect mkrect(int y, int x, int h, int w)
{
	struct rect r = {y, x, h, w};
	return r;
}

void layout_compute(struct layout *l, int rows, int cols, int zoom)
{
	memset(l, 0, sizeof(*l));
	if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
		l->too_small = true;
		return;
	}
	int header = rows >= 16 ? 2 : 1;
	int hint = rows >= 12 ? 1 : 0;
	int body = rows - header - hint - 1;
	l->slot[LS_HEADER] = mkrect(0, 0, header, cols);
	l->slot[LS_STATUS] = mkrect(rows - hint - 1, 0, 1, cols);
	if (hint)
		l->slot[LS_HINT] = mkrect(rows - 1, 0, 1, cols);

	if (zoom == LS_MAIN || zoom == LS_EVENTS || zoom == LS_LOG) {
		l->slot[zoom] = mkrect(header, 0, body, cols);
		return;
	}
	/* Too short for three panes: the main pane alone. */
	if (body < 12) {
		l->slot[LS_MAIN] = mkrect(header, 0, body, cols);
		return;
	}
	int bottom = body * 2 / 5;
	int main_h = body - bottom;
	l->slot[LS_MAIN] = mkrect(header, 0, main_h, cols);
	int y = header + main_h;
	if (cols >= LAYOUT_SIDE_COLS) {
		int left = cols / 2;
		l->side_by_side = true;
		l->slot[LS_EVENTS] = mkrect(y, 0, bottom, left);
		l->slot[LS_LOG] = mkrect(y, left, bottom, cols - left);
	} else {
		int ev = bottom / 2;
		l->slot[LS_EVENTS] = mkrect(y, 0, ev, cols);
		l->slot[LS_LOG] = mkrect(y + ev, 0, bottom - ev, cols);
	}
}
