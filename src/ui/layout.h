/*
 * Screen layout: where the header, the main pane (SAs, connections or
 * policies), the event and log panes, the status line and the hint bar go
 * for a given terminal size. Pure arithmetic, recomputed on every resize, so
 * any size works (and is unit-tested): the main pane on top, events and log
 * below it (side by side on wide terminals, stacked otherwise), and one pane
 * maximised on request.
 */
#ifndef SWANTOP_UI_LAYOUT_H
#define SWANTOP_UI_LAYOUT_H

#include <stdbool.h>

#include "ui/pane.h"

enum layout_slot { LS_HEADER, LS_MAIN, LS_EVENTS, LS_LOG, LS_STATUS, LS_HINT, LS_COUNT };

/* Below this the monitor only says "terminal too small". */
#define LAYOUT_MIN_ROWS 8
#define LAYOUT_MIN_COLS 30
/* From this width on, events and log sit side by side. */
#define LAYOUT_SIDE_COLS 150

struct layout {
	struct rect slot[LS_COUNT]; /* h == 0: not shown */
	bool too_small;
	bool side_by_side;
};

/* Fills l for a rows×cols screen. zoom is LS_MAIN, LS_EVENTS or LS_LOG to
 * give that pane the whole body, anything else for the normal split. */
void layout_compute(struct layout *l, int rows, int cols, int zoom);

#endif
