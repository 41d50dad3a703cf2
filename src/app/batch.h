/*
 * Batch mode, like `top -b`: `swantop -b [-n COUNT] [-d SECONDS] [--pane
 * sas|conns|pols|events] [--filter EXPR] [--json] [--uri URI]` prints
 * snapshots of one pane, with the same columns, rates and countdowns as
 * the screen (ui/rows.h, without curses) and the rows the pane's filter
 * keeps (its field table, ui/pane.h), as text or one JSON object per
 * snapshot and line, and exits after COUNT of them. No terminal is needed
 * and no escape sequence is written: every string is sanitised.
 *
 * The data comes from the feed (app/feed.h), the monitor's own sessions
 * and refresh policy: each snapshot waits until charon listed the pane's
 * table again. The first one waits one second longer and lists the SAs
 * twice, so that RATE-IN and RATE-OUT are real rates (what `top -b -n 1`
 * users expect: numbers, not blanks). The events pane prints the events
 * that came since the snapshot before (the first: all held so far).
 *
 * Width: $COLUMNS, else the terminal's when stdout is one, else 200.
 * Exit codes: BATCH_EXIT_*.
 */
#ifndef SWANTOP_APP_BATCH_H
#define SWANTOP_APP_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/model.h"

enum {
	BATCH_EXIT_OK = 0,
	BATCH_EXIT_USAGE = 2,   /* a bad option or filter */
	BATCH_EXIT_CONNECT = 3, /* charon cannot be reached (no socket, permission
	                           denied, charon down) or went away */
	BATCH_EXIT_TIMEOUT = 4, /* charon answered nothing in time */
};

enum batch_pane { BATCH_SAS, BATCH_CONNS, BATCH_POLS, BATCH_EVENTS };

struct batch_options {
	const char *uri; /* NULL: charon's default socket */
	long count;      /* snapshots, >= 1 (default 1) */
	int delay_ms;    /* between snapshots (default 3000, as top) */
	enum batch_pane pane;
	const char *filter; /* the filter language (model/filter.h); NULL: none */
	bool json;
	bool help;
};

/* Whether argv (argv[0] the program) asks for batch mode: -b or --batch
 * anywhere before "--". */
bool batch_wanted(int argc, char **argv);
/* Parses the batch command line (argv strings borrowed). Returns 0, or
 * -EINVAL with a one-line message in err. Pure. */
int batch_parse_args(int argc, char **argv, struct batch_options *o, char *err, size_t errsize);
extern const char batch_usage_text[];

/* Runs batch mode (argv as main's); returns a BATCH_EXIT_* code. */
int batch_main(int argc, char **argv);

/* ---- the snapshots (batch_out.c), pure: model in, text out ---- */

struct filter;

struct batch_snapshot {
	struct model *m; /* a view of it is made and freed (nothing else changes) */
	enum batch_pane pane;
	const struct filter *filter; /* compiled against batch_fields(); NULL: none */
	size_t width;                /* text: the line width */
	bool json, utf8;
	int64_t now, wall_offset; /* monotonic ms; realtime - monotonic */
	uint64_t events_after;    /* events pane: only events with a larger seq */
};

struct pane_ops;
/* The pane whose rows and filter a snapshot has (ui/pane.h). */
const struct pane_ops *batch_pane_ops(enum batch_pane pane);
/* The field table of the pane's rows for the filter language: the pane's
 * own (its ops' fields), *n of them. */
const struct filter_field *batch_fields(enum batch_pane pane, size_t *n);
/* Writes one snapshot (text: a title line, the heading and the rows, then
 * an empty line; JSON: one line). Returns the seq of the newest event held
 * (for events_after of the next one). */
uint64_t batch_write(FILE *out, const struct batch_snapshot *s);
/* "sas", "conns", "pols", "events". */
const char *batch_pane_name(enum batch_pane pane);

#endif
