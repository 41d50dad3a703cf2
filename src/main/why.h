/*
 * `swantop why`: the diagnosis engine (model/diag.h) fed with charon's
 * live state, or with recorded `swantop listen` / `swantop call` JSON
 * lines, and its verdicts printed as a table with evidence or as JSON.
 *
 * A `struct why` is a model plus an engine fed together: every message
 * goes to the model, and what the model makes of it (log lines, SA events,
 * control-log) goes on to the engine. Live and recorded input take the
 * same path (why_feed()), so a history store can too.
 */
#ifndef SWANTOP_MAIN_WHY_H
#define SWANTOP_MAIN_WHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/diag.h"
#include "model/model.h"
#include "util/json.h"

struct why;

/* snapshot: judge one look at the tables at once (no grace for SAs still
 * CONNECTING); otherwise the engine's default grace applies. */
struct why *why_new(bool snapshot);
void why_free(struct why *w);
struct model *why_model(struct why *w);
struct diag *why_diag(struct why *w);

/* One message as charon sent it (event name, body), received at now
 * (monotonic ms). list-sa, list-conn and list-policy must come between
 * why_tables_begin() and why_tables_end(). Returns the model's result
 * (change flags, -ENOENT for an event it does not know, -EBADMSG). */
int why_feed(struct why *w, const char *name, const void *msg, size_t len, int64_t now);
/* A listing of the tables (bits 1u << enum model_table) begins / ends;
 * the end judges them (diag_update()). */
void why_tables_begin(struct why *w, unsigned tables, int64_t now);
void why_tables_end(struct why *w, int64_t now);

/* One line of `swantop listen` ({"event":..,"time":..,"data":{..}}) or
 * `swantop call` output ({"event":..,"data":{..}}; other lines, such as a
 * final reply, are skipped): fed at its time (seconds -> ms), or at the
 * last time seen. Consecutive list-* lines make one listing. Returns 0, 1
 * for a skipped line, or -EINVAL with a message in err. */
int why_feed_json_line(struct why *w, const char *line, size_t len, char *err, size_t errlen);
/* Ends a listing left open by why_feed_json_line(). */
void why_flush(struct why *w);
/* Reads a whole file of such lines; its list-conn lines are fed first, so
 * the connections are known while the events play. Returns 0 or -EINVAL
 * (err says which line and why). */
int why_replay(struct why *w, FILE *f, const char *name, char *err, size_t errlen);
/* The latest time fed (for ages in a replay). */
int64_t why_now(const struct why *w);

/* ---- the history store (why_store.c) ---------------------------------------- */

/* The latest verdict the recorder (swantop record) kept for a connection. */
struct why_recorded {
	char *conn;
	bool found;
	int64_t time;                                  /* wall-clock ms */
	char *code, *side, *child, *detail, *evidence; /* as stored: raw bytes */
	bool up_since; /* the connection (that CHILD) came up after it */
};

struct why_hist;

/* Opens the store at path read-only; wall: the wall-clock ms now. Returns 0,
 * or a negative errno (-ENOENT: no store) with a message in err. */
int why_hist_open(struct why_hist **out, const char *path, int64_t wall, char *err, size_t errlen);
void why_hist_free(struct why_hist *h);
int64_t why_hist_wall(const struct why_hist *h);
/* The latest recorded verdict of conn, or NULL (none, or h NULL). Owned by
 * h. */
const struct why_recorded *why_hist_find(struct why_hist *h, const char *conn);
/* Hands h to w (freed with it): why_render() then explains connections that
 * are down with nothing live to say why from their recorded verdicts. */
void why_set_hist(struct why *w, struct why_hist *h);
/* "recorded at 2026-12-04 03:00:12" (or "last failure recorded at ..."). */
void why_recorded_summary(char *buf, size_t size, const struct why_recorded *r);
/* The verdict's section of the text output (sanitised with flags fl). */
void why_recorded_text(FILE *out, const char *conn, const struct why_recorded *r, int64_t wall,
                       unsigned fl);
/* The "recorded" object of the JSON output. */
void why_recorded_json(struct json_buf *b, const struct why_recorded *r, int64_t wall);

/* Prints the verdicts: every connection that is not up (and, with all,
 * those that are), or just the named ones, then the peers no connection
 * matched. Text is sanitised for the terminal; JSON is one array. */
void why_render(struct why *w, FILE *out, const char *const *conns, size_t nconns, bool json,
                bool all, int64_t now);

#endif
