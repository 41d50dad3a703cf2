/*
 * Panes of the monitor: one struct per pane plus a const table of operations.
 *
 * A pane owns its own view state (selection, scroll offset, filter text;
 * fold state lives in the model) and nothing else: the data it shows belongs
 * to the model, the screen rectangle to the layout. It sees the world
 * through a narrow read-only context (struct pane_ctx) and never acts: a key
 * that means "do something" comes back as an intent (a verb and a target)
 * for the application to carry out, after asking the operator where the
 * verb is destructive. Handlers only change state and return PANE_* flags
 * saying what changed; they never draw. The main loop redraws once per turn
 * and ends the turn with a single doupdate(), so a burst of keys or events
 * costs one screen update, not one per item (the htop HandlerResult / tmux
 * redraw flag pattern).
 */
#ifndef SWANTOP_UI_PANE_H
#define SWANTOP_UI_PANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/action.h"
#include "action/marks.h"
#include "model/model.h"

struct pane;
struct column;
struct row;
struct rows_conn_info;
struct diag;
struct hist;
struct filter;
struct filter_field;
struct sort_column;

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

/* What a pane may know of the world while it draws or handles a key. */
struct pane_ctx {
	const struct model *model;
	bool utf8;               /* the locale shows UTF-8 glyphs */
	bool focused;            /* this pane has the focus */
	bool connected;          /* the monitor's connection to charon is up */
	bool have_data;          /* charon answered a list-sas at least once */
	int64_t now;             /* monotonic ms */
	int64_t wall_offset;     /* realtime ms minus monotonic ms */
	int64_t counters_ms;     /* counters older than this show their age (0: never) */
	const struct diag *diag; /* why what is down is down (model/diag.h), or NULL */
	const struct hist *hist; /* what the history store says (ui/hist.h), or NULL */
	const struct marks *marks; /* the marked rows (action/marks.h), or NULL */
};

/* A key, resolved through the key table. */
struct key_input {
	int action;     /* enum key_action */
	enum verb verb; /* KA_VERB: which one */
	int ch;         /* the key itself */
};

/* What a key asks the application to do. */
struct intent {
	enum verb verb; /* VERB_NONE: nothing to act on */
	struct target target;
	bool force;        /* act even where it looks unneeded */
	char message[160]; /* why nothing can be done ("no SA selected"), or "" */
};

/* What the detail view shows: the item selected in a pane. */
enum detail_kind {
	DETAIL_NONE,
	DETAIL_SA,      /* target: TARGET_IKE_SA or TARGET_CHILD_SA */
	DETAIL_CONN,    /* target: TARGET_CONN or TARGET_CHILD_CONF */
	DETAIL_POLICY,  /* target.ike: the policy's key */
	DETAIL_EVENT,   /* seq */
	DETAIL_LOG,     /* seq */
	DETAIL_HISTORY, /* seq: the id of a record of the history store (ui/hist.h) */
	DETAIL_PEER,    /* target.ike: the address of a peer no connection matched */
};

struct detail_subject {
	enum detail_kind kind;
	struct target target;
	uint64_t seq;
};

/* What a pane is made with. */
struct pane_init {
	struct model *model;     /* outlives the pane */
	struct model_view *view; /* the SA pane's view (owned by the caller) */
	struct hist *hist;       /* where panes ask for history (owned by the caller), or NULL */
};

struct pane_ops {
	const char *name;
	/* Creates the pane's own state (priv). */
	void (*init)(struct pane *p, const struct pane_init *in);
	/* Draws the pane into its rectangle (through draw.h). Must not change
	 * view state other than clamping the selection into range. */
	void (*draw)(struct pane *p, const struct pane_ctx *c);
	/* Handles one key. Returns PANE_* flags; PANE_IGNORED lets the global
	 * handler have it. A request to act is written to *out. */
	unsigned (*key)(struct pane *p, const struct pane_ctx *c, const struct key_input *k,
	                struct intent *out);
	/* The selected item for the detail view; false if none (NULL: the
	 * pane has no detail view). */
	bool (*detail)(struct pane *p, const struct pane_ctx *c, struct detail_subject *out);
	/* p->filter changed and p->match is compiled (NULL: the selection
	 * goes back to the top). */
	void (*filter_changed)(struct pane *p);
	/* Frees what the pane allocated (not the struct pane itself). */
	void (*destroy)(struct pane *p);
	/* The fields of the "/" filter language over the pane's rows
	 * (model/filter.h, ui/fields.h); a getter gets the pane's row item. */
	const struct filter_field *fields;
	size_t nfields;
	/* The columns the pane sorts by (ui/sort.h); NULL: it does not. */
	const struct sort_column *sorts;
	size_t nsorts;
	/* Sets p->sort and p->sort_desc and keeps the selection on its item
	 * (NULL: they are just set). */
	void (*sort_set)(struct pane *p, const struct pane_ctx *c, int idx, bool desc);
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
	char filter[128]; /* the pane's "/" filter as typed (empty: none) */
	/* filter compiled against ops->fields (NULL: every row); while the
	 * text does not compile, the last one that did, and filter_err says
	 * why (else "") */
	struct filter *match;
	char filter_err[256];
	bool problems;       /* the problems view (is:problem) is on */
	struct pane_ctx env; /* the context rows were last matched in */
	uint64_t env_diag;   /* diag_generation() then */
	int64_t env_at;      /* when a filter reading "problem" was last matched */
	int sort;            /* index into ops->sorts (ui/sort.h) */
	bool sort_desc;
	void *priv; /* pane-specific state, owned by the pane */
	char *copy; /* the selected row's text for copying, as last drawn (owned), or NULL */
};

/* The panes (their files: pane_sas.c, pane_conns.c, pane_events.c). */
extern const struct pane_ops pane_sas_ops;
extern const struct pane_ops pane_conns_ops;
extern const struct pane_ops pane_pols_ops;
extern const struct pane_ops pane_events_ops;
extern const struct pane_ops pane_log_ops;

/* What the connections pane shows of a connection's status: the model's
 * counts in cs, and in ci whether a trap policy of it is installed (looked
 * up only while it has no IKE SA: STATUS "trap") and how many CHILD configs
 * are neither up nor trapped while its IKE SA is up (STATUS "partial");
 * rows_conn_state() tells STATUS from them. */
void pane_conn_status(const struct model *m, const struct model_conn *c,
                      struct model_conn_status *cs, struct rows_conn_info *ci);

/* Which rows a filter shows, for the panes and batch mode (app/batch.h)
 * alike: f is compiled against the pane's field table (NULL: every row)
 * and each row is matched on its own in c. The SA tree's rows: an IKE SA
 * (child NULL) or one of its CHILD SAs; an IKE SA is shown above its CHILD
 * SAs that match (model_view_set_match()). */
bool pane_sa_match(const struct filter *f, const struct pane_ctx *c, const struct model_ike *ike,
                   const struct model_child *child);
/* The connections pane's: a connection (ch NULL) or one of its child
 * configs. */
bool pane_conn_match(const struct filter *f, const struct pane_ctx *c, const struct model_conn *cn,
                     const struct model_conn_child *ch);
/* Whether the connection is shown: it or one of its child configs matches;
 * it is then shown above those of its child configs that match. */
bool pane_conn_shown(const struct filter *f, const struct pane_ctx *c, const struct model_conn *cn);
/* The events pane's rows of the model's ring. (The policies pane's items
 * are the model's struct model_pol.) */
bool pane_event_match(const struct filter *f, const struct model_event *e);

/* Sets up p as a pane of kind ops. */
void pane_init(struct pane *p, const struct pane_ops *ops, const struct pane_init *in);
void pane_destroy(struct pane *p);
/* The pane's rectangle changed (window resize or layout switch). */
void pane_resize(struct pane *p, struct rect r);
/* Applies p->filter (after it changed) and p->problems: compiles them
 * (see fields_compile()). Returns 0, or -EINVAL with the message in
 * p->filter_err (the pane keeps the rows of the last good filter). */
int pane_filter_changed(struct pane *p);
/* Remembers c as the context the pane's rows are matched in; returns true
 * when the filter's answers may have changed since (a verdict changed and
 * the filter reads one, or the time moved FIELDS_PROBLEM_REMATCH_MS on a
 * filter reading "problem"). */
bool pane_env_update(struct pane *p, const struct pane_ctx *c);
/* Whether the pane shows row item (its own kind, see its field table). */
bool pane_match(const struct pane *p, const void *item);
/* The title's note on the filter: "  problems", "  filter: TEXT", with
 * " (invalid)" while it does not compile; "" for none. */
const char *pane_filter_note(const struct pane *p, char *buf, size_t size);
/* The selected item for the detail view (false: nothing selected, or the
 * pane has no detail view). */
bool pane_detail(struct pane *p, const struct pane_ctx *c, struct detail_subject *out);

/* Moves the selection for a navigation action (keys.h KA_UP…KA_END);
 * visible is the number of rows that fit. Returns PANE_REDRAW if it moved,
 * PANE_HANDLED if the action was navigation but nothing moved, else 0. */
unsigned listview_nav(struct listview *lv, int action, size_t visible);
/* Clamps sel/top for count rows of which visible fit on screen. */
void listview_clamp(struct listview *lv, size_t count, size_t visible);

/* The visible row count of a list pane (title and, with heading, the
 * column heading excluded). */
size_t pane_body_rows(const struct pane *p, bool heading);

/* A list pane's draw, shared by every pane: the title line, the column
 * heading (when columns is not NULL), one row per visible item from
 * row_fn, and a dim message when there are none. */
struct pane_list {
	const char *title;            /* "1 SAs" */
	const char *right;            /* right side of the title line (already safe) */
	const struct column *columns; /* NULL: no heading (rows get the width) */
	size_t ncolumns;
	size_t count;      /* items */
	size_t selected;   /* index of the selection, or (size_t)-1 for none shown */
	const char *empty; /* shown when count is 0 */
	/* Formats item i into r for column widths w (width[0] = the pane width
	 * when there are no columns). */
	void (*row_fn)(void *arg, size_t i, const unsigned *w, struct row *r);
	void *arg;
	/* Marks: is item i marked (NULL: the pane has no marks)? With
	 * n_marked > 0 every row starts with a mark column. */
	bool (*marked)(void *arg, size_t i);
	size_t n_marked;
	/* The row copied when nothing is selected: the cursor row (lv.sel)
	 * of a tail that follows, rather than none. */
	bool copy_cursor;
};
void pane_list_draw(struct pane *p, const struct pane_ctx *c, const struct pane_list *l);

/* The text of the selected row as pane_list_draw() last drew it, for
 * copying: the shown columns, each at its widest (column max), trimmed and
 * separated by tabs; a pane without columns gives its whole line. NULL
 * when no row is selected. Borrowed until the next draw. */
const char *pane_copy_text(const struct pane *p);
/* The mark glyph: a bullet in UTF-8, '*' otherwise. */
const char *pane_mark_glyph(bool utf8);

#endif
