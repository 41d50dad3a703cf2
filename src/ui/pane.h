/*
 * Panes of the monitor: one struct per pane plus a const table of operations.
 *
 * A pane owns its own view state (selection, scroll offset, filter text, fold
 * state lives in the model) and nothing else: the data it shows belongs to the
 * model, the curses window it draws into belongs to the layout. Handlers
 * (key, resize) only change state and return PANE_* flags saying what changed;
 * they never draw. The main loop redraws every dirty pane once per turn and
 * ends the turn with a single doupdate(), so a burst of keys or events costs
 * one screen update, not one per item (the htop HandlerResult / tmux redraw
 * flag pattern).
 */
#ifndef SWANTOP_UI_PANE_H
#define SWANTOP_UI_PANE_H

#include <stdbool.h>
#include <stddef.h>

struct app;
struct pane;

/* What a handler did; the loop acts on the union of flags of one turn. */
enum {
	PANE_IGNORED = 0,          /* not for this pane: try the global bindings */
	PANE_HANDLED = 1u << 0,    /* consumed; nothing visible changed */
	PANE_REDRAW = 1u << 1,     /* this pane must be redrawn */
	PANE_REDRAW_ALL = 1u << 2, /* bars or layout changed too */
	PANE_QUIT = 1u << 3,       /* the operator asked to leave */
};

/* A rectangle on the screen, in cells. */
struct rect {
	int y, x, h, w;
};

struct pane_ops {
	const char *name;
	/* Draws the pane into its rectangle (through draw.h). Must not change
	 * view state other than clamping the selection into range. */
	void (*draw)(struct pane *p, struct app *app);
	/* Handles one key already resolved to an action (keys.h). Returns
	 * PANE_* flags; PANE_IGNORED lets the global handler have it. */
	unsigned (*key)(struct pane *p, struct app *app, int action, int ch);
	/* The pane's rectangle changed (window resize or layout switch). */
	void (*resize)(struct pane *p, struct rect r);
	/* Frees what the pane allocated (not the struct pane itself). */
	void (*destroy)(struct pane *p);
};

/* Scrollable list state shared by every list-like pane. */
struct listview {
	size_t sel;   /* selected row index */
	size_t top;   /* first visible row */
	size_t count; /* rows at the last draw */
	bool follow;  /* keep the selection on the last row (event/log tails) */
};

struct pane {
	const struct pane_ops *ops;
	struct rect r;
	struct listview lv;
	char filter[128]; /* the pane's "/" filter (empty: none) */
	int sort;         /* pane-specific sort key (SA tree: enum model_sort) */
	bool sort_desc;
	bool dirty;
	void *priv; /* pane-specific state, owned by the pane */
};

/* Moves the selection for a navigation action (keys.h KA_UP…KA_END);
 * visible is the number of rows that fit. Returns PANE_REDRAW if it moved,
 * PANE_HANDLED if the action was navigation but nothing moved, else 0. */
unsigned listview_nav(struct listview *lv, int action, size_t visible);
/* Clamps sel/top for count rows of which visible fit on screen. */
void listview_clamp(struct listview *lv, size_t count, size_t visible);

#endif
