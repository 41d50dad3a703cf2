/*
 * Row formatting: turns model data into lines of text tagged with theme
 * roles, with no terminal involved, so that what the panes show is unit
 * tested (tests/test_rows.c). Only draw.c hands rows to curses.
 *
 * A row is a short buffer of spans; every span is already sanitised and
 * fitted to its column width, so a row is exactly as wide as the widths it
 * was built for. Columns adapt to the pane width: columns_fit() keeps the
 * most important columns that fit and gives the spare width to the
 * stretchable ones.
 */
#ifndef SWANTOP_UI_ROWS_H
#define SWANTOP_UI_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/diag.h"
#include "model/model.h"
#include "model/store.h"

#define ROW_MAX_SPANS 64
#define ROW_BUFSIZE 4096

struct row_span {
	uint16_t off, len; /* bytes in row->buf */
	uint8_t role;      /* enum theme_role */
};

struct row {
	char buf[ROW_BUFSIZE];
	size_t used;
	struct row_span span[ROW_MAX_SPANS];
	size_t n;
	size_t cols;    /* display columns so far */
	unsigned flags; /* sanitize flags (SANITIZE_ASCII in non-UTF-8 locales) */
};

/* Empties r; flags are sanitize_flags used for every span. */
void row_init(struct row *r, unsigned flags);

enum row_align {
	ROW_LEFT,
	ROW_RIGHT,
};

/* Appends the hostile bytes s[0..len) sanitised and fitted into exactly width
 * columns (cut with an ellipsis, padded with spaces). width 0 appends the
 * whole sanitised text. Returns the columns appended. */
size_t row_add(struct row *r, int role, const void *s, size_t len, size_t width,
               enum row_align align);
/* The same for a NUL-terminated string (NULL counts as ""). */
size_t row_adds(struct row *r, int role, const char *s, size_t width, enum row_align align);
/* printf into a span (the result is sanitised too). */
size_t row_addf(struct row *r, int role, size_t width, enum row_align align, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
/* The row's text without roles, NUL-terminated (for tests and search). */
const char *row_text(struct row *r);

/* A column of a table. */
struct column {
	const char *title;
	uint8_t min;  /* narrowest useful width */
	uint8_t max;  /* widest it grows to (== min: fixed); 0: hidden (a pane's
	                 copy of a table hides what has nothing to show) */
	uint8_t prio; /* 0 always shown; higher numbers are dropped first */
	enum row_align align;
};

/* One cell of a table row: bytes (sanitised as they are added) in a role;
 * s NULL for an empty cell. */
struct row_cell {
	int role;
	const char *s;
	size_t len;
};
/* Appends the n cells of a table row in column order for the widths w (a
 * column of width 0 is left out), one space between them. */
void rows_cells(struct row *r, const struct row_cell *cells, const struct column *c, size_t n,
                const unsigned *w);

/* Chooses widths for the n columns in width cells with one space between
 * shown columns: columns are admitted by priority (then position) while
 * their minimum widths fit, then spare cells go to columns below their max,
 * left to right. w[i] = 0 for a dropped column. Returns the number shown. */
size_t columns_fit(const struct column *c, size_t n, size_t width, unsigned *w);

/* --- value formatting shared by the panes (pure) --- */

/* "1.2K", "34M", "5.6G" (powers of 1024, 4 columns at most) for a byte
 * count, plain decimal below 10000. */
void fmt_bytes(char *buf, size_t size, uint64_t v);
/* "999", "12K", "3.4M" for a count (powers of 1000). */
void fmt_count(char *buf, size_t size, uint64_t v);
/* A duration in seconds as "45s", "12m03s", "3h05m", "2d04h"; negative
 * values get a leading "-". */
void fmt_duration(char *buf, size_t size, int64_t secs);
/* The time from now until at (until) or since at (!until) as a duration
 * (fmt_duration), "-" when at is MODEL_TIME_NONE. */
void fmt_delta(char *buf, size_t size, int64_t at, int64_t now, bool until);
/* A rate in bytes per second ("1.2K/s"); "-" when unknown (< 0). */
void fmt_rate(char *buf, size_t size, double bps);
/* The age of counters received at at (monotonic ms), as a duration
 * (fmt_duration), once it is older than fresh_ms; "" while fresh, when at is
 * MODEL_TIME_NONE or fresh_ms is 0. */
void fmt_data_age(char *buf, size_t size, int64_t at, int64_t now, int64_t fresh_ms);

/* --- the panes' rows (pure: model data in, text and roles out) --- */

/* Row and state decorations: tree lines and state glyphs in UTF-8, or ASCII. */
struct rows_style {
	bool utf8;
	int64_t now;         /* monotonic ms, for countdowns and ages */
	int64_t wall_offset; /* realtime ms minus monotonic ms, for clock times */
};

/* The theme role of a state (state-up, connecting, rekeying, ...). */
int rows_ike_state_role(enum model_ike_state s);
int rows_child_state_role(enum model_child_state s);

/* SA tree columns. */
enum sa_column {
	SAC_NAME,
	SAC_ID,
	SAC_STATE,
	SAC_WHY, /* the verdict on a CONNECTING IKE SA, or one missing a CHILD SA */
	SAC_MODE,
	SAC_LOCAL,
	SAC_REMOTE,
	SAC_RATE_IN,
	SAC_RATE_OUT,
	SAC_HOUR, /* CHILD SAs: the last hour's traffic as a sparkline (history) */
	SAC_BYTES_IN,
	SAC_BYTES_OUT,
	SAC_PKTS_IN,
	SAC_PKTS_OUT,
	SAC_DATA, /* the counters' age, when older than the interval */
	SAC_AGE,
	SAC_REKEY,
	SAC_LIFE,
	SAC_SPIS,
	SAC_IDS,
	SAC_ALGS,
	SAC_COUNT
};
extern const struct column sa_columns[SAC_COUNT];

/* The heading row of a table for the widths w (0 = column dropped). */
void rows_header(struct row *r, const struct column *c, size_t n, const unsigned *w);
/* The same with glyph (the sort mark, ui/sort.h) after the titles of
 * columns mark and mark2 (-1: none); glyph NULL marks nothing. */
void rows_header_sorted(struct row *r, const struct column *c, size_t n, const unsigned *w,
                        int mark, int mark2, const char *glyph);

/* The widest sparkline a row draws. */
#define SAC_SPARK_MAX 60

/* What the SA tree shows of a row beyond the model (any may be NULL). */
struct rows_sa_info {
	const struct diag_verdict *why; /* the current verdict about this SA */
	const float *spark;             /* bytes/s per minute of the last hour, oldest first */
	const bool *spark_has;          /* where anything was recorded */
	size_t n_spark;
	int64_t fresh_ms; /* counters older than this show their age in DATA
	                   * (the IKE row's: its last list-sa; a CHILD row's: its
	                   * last update); 0: never */
};
/* One row of the SA tree (an IKE SA or one of its CHILD SAs); info may be
 * NULL. */
void rows_sa(struct row *r, const struct model_row *mr, const struct rows_sa_info *info,
             const unsigned *w, const struct rows_style *st);

/* The role of a verdict by severity: error for what needs a change of
 * configuration or credentials (no-proposal, ts-unacceptable, auth-failed,
 * install-failed, refused), down for a peer that is gone (peer-unreachable,
 * dpd-dead, peer-deleted), warning for the rest. */
int rows_verdict_role(enum diag_code c);

/* Connections: a connection row, then one row per child config. */
enum conn_column {
	CC_NAME,
	CC_UP,
	CC_WHY,
	CC_VERSION,
	CC_LOCAL,
	CC_REMOTE,
	CC_AUTH,
	CC_FLAPS,
	CC_DETAIL,
	CC_COUNT
};
extern const struct column conn_columns[CC_COUNT];
/* What the connections pane knows of a connection beyond its status. */
struct rows_conn_info {
	bool trapped;                   /* a trap policy of it is installed (read without IKE SA) */
	size_t missing;                 /* CHILD configs neither up nor trapped (while IKE is up) */
	const struct diag_verdict *why; /* its current verdict, or NULL */
	bool flaps;                     /* the history store counted its down events */
	unsigned ike_down, child_down;  /* ... in the last 24 hours */
};
/* A connection's STATUS, worst first (the order of :sort status). */
enum rows_conn_state {
	ROWS_CONN_DOWN,
	ROWS_CONN_CONNECTING,
	ROWS_CONN_PARTIAL,
	ROWS_CONN_TRAP,
	ROWS_CONN_UP,
};
/* What STATUS says of a connection with SAs cs: up or partial (ci->missing)
 * while an IKE SA is up, connecting while one is not, else trap
 * (ci->trapped) or down. */
enum rows_conn_state rows_conn_state(const struct model_conn_status *cs,
                                     const struct rows_conn_info *ci);
/* "down", "connecting", "partial", "trap", "up": the word STATUS shows and
 * the connections pane's field "status" holds. */
const char *rows_conn_state_name(enum rows_conn_state s);
/* STATUS reads "up 1·2" (IKE SAs up · CHILD SAs installed; "1:2" in
 * ASCII), "partial 1·0" when a configured CHILD SA is missing (never in the
 * colour of up), "connecting", "trap" or "down"; WHY the verdict's code in
 * its severity, "·" when up; FLAPS "IKE·CHILD" down events. */
void rows_conn(struct row *r, const struct model_conn *c, const struct model_conn_status *cs,
               const struct rows_conn_info *ci, const unsigned *w, const struct rows_style *st);
/* A peer no connection matched, with its verdict: "peer ADDR", STATUS
 * "unmatched", WHY its code. */
void rows_conn_peer(struct row *r, const struct diag_verdict *v, const unsigned *w,
                    const struct rows_style *st);
/* A child config row; why: its current verdict, or NULL. */
void rows_conn_child(struct row *r, const struct model_conn_child *ch, bool last,
                     const struct diag_verdict *why, const unsigned *w,
                     const struct rows_style *st);

/* Policies. */
enum pol_column { PC_TYPE, PC_NAME, PC_MODE, PC_LOCAL, PC_REMOTE, PC_COUNT };
extern const struct column pol_columns[PC_COUNT];
void rows_pol(struct row *r, const struct model_pol *p, const unsigned *w,
              const struct rows_style *st);

/* Countdowns under this many seconds are drawn as warnings. */
#define ROWS_COUNTDOWN_SOON 60
/* The role of a countdown to at: default, warning when it is soon, error
 * when it is overdue. */
int rows_countdown_role(int64_t at, int64_t now);

/* The role an event kind is drawn in. */
int rows_event_role(enum model_event_kind k);
/* "site1[3]/site1-lan": a connection, its IKE SA's uniqueid (when not 0)
 * and a CHILD name (when not empty), as bytes (sanitise when shown). */
void fmt_sa_ref(char *buf, size_t size, struct model_str conn, uint32_t ike_id,
                struct model_str child);
/* One event line: time, kind, SA, text; width is the pane width. */
void rows_event(struct row *r, const struct model_event *e, size_t width,
                const struct rows_style *st);
/* One log line: time, group, level, thread, IKE SA, message. */
void rows_log(struct row *r, const struct model_log_line *l, size_t width,
              const struct rows_style *st);
/* "HH:MM:SS" local time of a monotonic time. */
void fmt_clock(char *buf, size_t size, int64_t mono_ms, int64_t wall_offset);

/* A sparkline of n values (oldest first) in exactly width cells: each cell
 * the sum of the values it covers, scaled to the largest; ▁..█ in UTF-8,
 * "_.:-=+*#" in ASCII; a space where nothing was recorded (has[i] false).
 * buf needs width * 3 + 1 bytes. */
void fmt_spark(char *buf, size_t size, const float *v, const bool *has, size_t n, size_t width,
               bool utf8);

/* --- history rows (rows_hist.c) --- */

/* A wall-clock time (ms since the epoch) in local time: "2026-12-04
 * 03:00:12" with date, else "03:00:12". */
void fmt_wall(char *buf, size_t size, int64_t wall_ms, bool date);

/* The SA of a store record: "IKE #12", "net #34", "net #34>#35" for a rekey
 * (sanitised). */
void rows_store_sa(char *buf, size_t size, const struct store_event *ev);
/* Everything else a record says, sanitised: state, remote, a gap's end,
 * detail, side, evidence (malloc'd). */
char *rows_store_details(const struct store_event *ev, unsigned flags);
/* The role a record's kind is drawn in (as the live events'). */
int rows_store_role(enum store_kind k);

/* A connection's timeline: time, SA, event, verdict, details. */
enum hist_column { HC_TIME, HC_SA, HC_EVENT, HC_VERDICT, HC_DETAIL, HC_COUNT };
extern const struct column hist_columns[HC_COUNT];
/* One record; verdict: the code to show ("" for none: a verdict record
 * shows its own code). */
void rows_hist(struct row *r, const struct store_event *ev, const char *verdict, const unsigned *w,
               const struct rows_style *st);
/* One record in the events pane, marked as history: its date and time,
 * drawn dim; width is the pane width. */
void rows_hist_event(struct row *r, const struct store_event *ev, size_t width,
                     const struct rows_style *st);

#endif
