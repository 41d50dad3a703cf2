/*
 * The monitor's diagnosis engine and history store (see insight.h).
 */
#include "app/insight.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/store.h"
#include "ui/theme.h"
#include "util/sanitize.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

/* Tables are judged at most this often after changes from events (a
 * judgement costs about a microsecond per IKE SA; on large gateways they
 * are spaced further) ... */
#define JUDGE_MIN_MS 2000
/* ... and this often while an IKE SA is CONNECTING (past the engine's
 * grace it becomes a verdict with nothing else changing). */
#define JUDGE_EVERY_MS 5000
/* Flap counts and rate series are read this often. */
#define STORE_EVERY_MS 60000
/* An open timeline is read again this often (a recorder adds to it). */
#define TIMELINE_EVERY_MS 5000
#define DAY_MS (24 * 3600 * 1000LL)

struct insight {
	struct diag *diag;
	struct hist hist;

	uint64_t loads[3];     /* model_table_loads() as of the last judgement */
	bool pending;          /* something the tables say changed since */
	int64_t next_judge;    /* no judgement before (after changes) */
	int64_t next_periodic; /* a look whether an IKE SA is CONNECTING */

	char *path; /* the store's, NULL: no history */
	struct store *store;
	int64_t next_open, next_series, next_timeline;
	char message[400];
	int message_role;
	bool message_told;
};

const struct diag *insight_diag(const struct insight *in)
{
	return in->diag;
}

struct hist *insight_hist(struct insight *in)
{
	return &in->hist;
}

const char *insight_message(struct insight *in, int *role)
{
	if (in->message_told || !in->message[0])
		return NULL;
	in->message_told = true;
	*role = in->message_role;
	return in->message;
}

static void say(struct insight *in, int role, const char *what, const char *err)
{
	char safe[300];
	sanitize_buf(safe, sizeof(safe), err, strlen(err), 0);
	snprintf(in->message, sizeof(in->message), "history: %s%s", what, safe);
	in->message_role = role;
	in->message_told = false;
}

/* ---- the store ------------------------------------------------------------ */

static void store_lost(struct insight *in, const char *what, int64_t now)
{
	say(in, THEME_WARNING, what, store_errmsg(in->store));
	store_close(in->store);
	in->store = NULL;
	in->hist.enabled = false;
	hist_reset(&in->hist);
	snprintf(in->hist.where, sizeof(in->hist.where), "%.*s", (int)sizeof(in->hist.where) - 1,
	         in->message);
	in->next_open = now + STORE_EVERY_MS;
}

static void store_try_open(struct insight *in, int64_t now)
{
	char err[300];
	in->next_open = now + STORE_EVERY_MS;
	int rc = store_open(&in->store, in->path, STORE_READ_ONLY, err, sizeof(err));
	if (rc < 0) {
		in->store = NULL;
		/* said once: the retries a minute apart stay quiet */
		if (!in->message[0] || strcmp(in->hist.where, err)) {
			say(in, THEME_WARNING, "", err);
			sanitize_buf(in->hist.where, sizeof(in->hist.where), err, strlen(err), 0);
		}
		return;
	}
	in->hist.enabled = true;
	sanitize_buf(in->hist.where, sizeof(in->hist.where), in->path, strlen(in->path), 0);
	in->next_series = now;
	in->hist.gen++;
}

static int on_flap(void *ctx, const struct store_flaps *fl)
{
	hist_flaps_add(ctx, fl->conn, fl->ike_down, fl->child_down);
	return 0;
}

static int on_series(void *ctx, struct model_str conn, struct model_str child, uint32_t reqid,
                     const struct store_bucket *b, size_t n)
{
	(void)reqid;
	if (n == HIST_RATE_BUCKETS)
		hist_rates_add(ctx, conn, child, b);
	return 0;
}

/* Flap counts of the last day and rate series of the last hour. */
static void read_series(struct insight *in, int64_t now, int64_t wall)
{
	struct hist *h = &in->hist;
	in->next_series = now + STORE_EVERY_MS;
	hist_flaps_clear(h);
	if (store_flaps(in->store, NULL, wall - DAY_MS, 0, on_flap, h) < 0) {
		store_lost(in, "cannot count the flaps: ", now);
		return;
	}
	hist_rates_clear(h);
	int64_t since = wall - (int64_t)HIST_RATE_BUCKETS * HIST_RATE_BUCKET_MS;
	if (store_rates_all(in->store, since, HIST_RATE_BUCKET_MS, HIST_RATE_BUCKETS, on_series,
	                    h) < 0) {
		store_lost(in, "cannot read the rates: ", now);
		return;
	}
	h->rates_until = wall;
	hist_sort(h);
}

static int on_record(void *ctx, const struct store_event *ev)
{
	hist_list_add(ctx, ev);
	return 0;
}

/* The timeline a detail view asks for: the newest want_n records of its
 * connection, read again when it grows, changes or gets old. */
static void read_timeline(struct insight *in, int64_t now)
{
	struct hist *h = &in->hist;
	if (!h->tl.want_conn) {
		if (h->tl.conn) {
			free(h->tl.conn);
			h->tl.conn = NULL;
			hist_list_clear(&h->tl.recs);
			h->gen++;
		}
		return;
	}
	bool same = h->tl.conn && !strcmp(h->tl.conn, h->tl.want_conn);
	bool more = h->tl.recs.n < h->tl.want_n && !h->tl.complete;
	if (same && !more && now < in->next_timeline)
		return;
	in->next_timeline = now + TIMELINE_EVERY_MS;
	struct store_filter f = {
	        .conn = h->tl.want_conn, .limit = h->tl.want_n, .order = STORE_NEWEST_FIRST};
	hist_list_clear(&h->tl.recs);
	long n = store_timeline(in->store, &f, on_record, &h->tl.recs);
	if (!same) {
		free(h->tl.conn);
		h->tl.conn = xstrdup(h->tl.want_conn);
	}
	h->tl.complete = n >= 0 && (size_t)n < h->tl.want_n;
	h->gen++;
	if (n < 0)
		store_lost(in, "cannot read the timeline: ", now);
}

/* The events pane's scroll-back: the next page of records older than the
 * oldest one loaded (at first: older than the pane's ring). */
static void read_back(struct insight *in, int64_t now)
{
	struct hist *h = &in->hist;
	struct hist_list *l = &h->back.recs;
	if (h->back.want_n <= l->n || h->back.complete)
		return;
	size_t want = h->back.want_n - l->n;
	struct store_filter f = {.order = STORE_NEWEST_FIRST, .limit = want};
	if (l->n) {
		f.until = l->v[l->n - 1].ev.time;
		f.before_id = l->v[l->n - 1].ev.id;
	} else {
		f.until = h->back.anchor;
	}
	long n = store_timeline(in->store, &f, on_record, l);
	h->back.complete = n >= 0 && (size_t)n < want;
	h->gen++;
	if (n < 0)
		store_lost(in, "cannot read older events: ", now);
}

static void store_turn(struct insight *in, int64_t now, int64_t wall)
{
	if (!in->path)
		return;
	if (!in->store && now >= in->next_open)
		store_try_open(in, now);
	if (in->store && now >= in->next_series)
		read_series(in, now, wall);
	if (in->store)
		read_timeline(in, now);
	if (in->store)
		read_back(in, now);
}

/* ---- lifetime --------------------------------------------------------------- */

int insight_store_path(char *buf, size_t size)
{
	return store_default_path(buf, size, (unsigned)geteuid(), getenv("XDG_STATE_HOME"),
	                          getenv("HOME"));
}

const char *insight_default_db(char *buf, size_t size)
{
	if (insight_store_path(buf, size) < 0)
		return NULL;
	return access(buf, F_OK) == 0 ? buf : NULL;
}

struct insight *insight_new(const char *db, int64_t now)
{
	struct insight *in = xcalloc(1, sizeof(*in));
	in->diag = diag_new(NULL);
	hist_init(&in->hist);
	in->next_periodic = now + JUDGE_EVERY_MS;
	if (db) {
		in->path = xstrdup(db);
		store_try_open(in, now);
	} else {
		snprintf(in->hist.where, sizeof(in->hist.where), "no history store");
	}
	return in;
}

void insight_free(struct insight *in)
{
	if (!in)
		return;
	diag_free(in->diag);
	hist_free(&in->hist);
	store_close(in->store);
	free(in->path);
	free(in);
}

/* ---- the engine --------------------------------------------------------------- */

bool insight_turn(struct insight *in, const struct model *m, unsigned changes, int64_t now,
                  int64_t wall)
{
	uint64_t gen = diag_generation(in->diag), hgen = in->hist.gen;
	if (changes & (MODEL_CHANGED_EVENTS | MODEL_CHANGED_LOG))
		diag_feed_model(in->diag, m);
	if (changes & (MODEL_CHANGED_SA_SET | MODEL_CHANGED_CONNS | MODEL_CHANGED_POLS))
		in->pending = true;
	/* The first listing of a table is judged at once; changes at most
	 * every JUDGE_MIN_MS (they come in floods: under SA churn charon's
	 * connections and policies are listed again every half second). */
	unsigned tables = 0;
	bool judge = false;
	for (unsigned t = MODEL_TABLE_SAS; t <= MODEL_TABLE_POLS; t++) {
		uint64_t l = model_table_loads(m, (enum model_table)t);
		judge = judge || (l && !in->loads[t]);
		in->loads[t] = l;
		if (l)
			tables |= 1u << t;
	}
	judge = judge || (in->pending && now >= in->next_judge);
	/* a verdict held back by the engine's grace is due now */
	int64_t due = diag_recheck_at(in->diag);
	judge = judge || (due != MODEL_TIME_NONE && now >= due && now >= in->next_judge);
	if (!judge && now >= in->next_periodic) {
		/* the counts are looked at only now: under churn every turn
		 * would compute them afresh */
		struct model_counts mc;
		model_counts_get(m, &mc);
		judge = mc.ike_states[MODEL_IKE_CONNECTING] > 0;
		in->next_periodic = now + JUDGE_EVERY_MS;
	}
	if (judge) {
		int64_t t0 = vici_now_ms();
		diag_update(in->diag, m, tables, now);
		/* a judgement walks every SA: on a large gateway they come less
		 * often, so that they take about half a percent of a core */
		int64_t gap = (vici_now_ms() - t0) * 200;
		in->pending = false;
		in->next_judge = now + (gap > JUDGE_MIN_MS ? gap : JUDGE_MIN_MS);
		in->next_periodic = now + (gap > JUDGE_EVERY_MS ? gap : JUDGE_EVERY_MS);
	}
	store_turn(in, now, wall);
	return diag_generation(in->diag) != gen || in->hist.gen != hgen;
}

void insight_action(struct insight *in, int64_t now, const struct run_result *r)
{
	const struct verb_def *d = verb_get(r->verb);
	if (!d)
		return;
	diag_feed_action(in->diag, now, d->name, r->ike ? r->ike : "", r->child ? r->child : "",
	                 r->ok, r->ok ? "" : r->outcome);
}

int64_t insight_deadline(const struct insight *in)
{
	int64_t d = in->next_periodic;
	if (in->pending)
		d = vici_deadline_min(d, in->next_judge);
	int64_t due = diag_recheck_at(in->diag);
	if (due != MODEL_TIME_NONE)
		d = vici_deadline_min(d, due > in->next_judge ? due : in->next_judge);
	if (in->path && !in->store)
		d = vici_deadline_min(d, in->next_open);
	if (in->store) {
		d = vici_deadline_min(d, in->next_series);
		if (in->hist.tl.want_conn)
			d = vici_deadline_min(d, in->next_timeline);
	}
	return d;
}
