/*
 * Reading the history store: the timeline, flap counts and rate series.
 *
 * Rates. A full-resolution sample row holds the traffic of (t - dt, t]; a
 * 5-minute or 1-hour row that of its whole bucket. Each row is spread
 * over the buckets the caller asked for in proportion to the overlap, so a
 * sparkline reads the same whatever tier its data lives in, and the sum over
 * any window is the sum of what was recorded in it.
 */
#include "model/store_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

/* ---- timeline ------------------------------------------------------------ */

#define EVENT_COLUMNS                                                                              \
	"id, t, end_t, kind, conn, child, ike_id, child_id, new_id, state, remote, detail,"        \
	" code, side, evidence"

/* The WHERE clause of f, with parameters ?1 conn, ?2 since, ?3 until, ?4
 * before_id. */
static void filter_where(const struct store_filter *f, char *buf, size_t size)
{
	snprintf(buf, size, "WHERE 1%s%s%s", f->conn ? " AND conn IN (?1, '')" : "",
	         f->since ? " AND t >= ?2" : "",
	         !f->until      ? ""
	         : f->before_id ? " AND (t < ?3 OR (t = ?3 AND id < ?4))"
	                        : " AND t < ?3");
}

static void filter_bind(sqlite3_stmt *st, const struct store_filter *f)
{
	if (f->conn)
		sqlite3_bind_text(st, 1, f->conn, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->since);
	sqlite3_bind_int64(st, 3, f->until);
	sqlite3_bind_int64(st, 4, f->before_id);
}

static void read_event(sqlite3_stmt *st, struct store_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = sqlite3_column_int64(st, 0);
	ev->time = sqlite3_column_int64(st, 1);
	ev->end = sqlite3_column_int64(st, 2);
	ev->kind_word = store_column_str(st, 3);
	ev->kind = store_kind_parse(ev->kind_word.s, ev->kind_word.len);
	ev->conn = store_column_str(st, 4);
	ev->child = store_column_str(st, 5);
	ev->ike_id = (uint32_t)sqlite3_column_int64(st, 6);
	ev->child_id = (uint32_t)sqlite3_column_int64(st, 7);
	ev->new_id = (uint32_t)sqlite3_column_int64(st, 8);
	ev->state = store_column_str(st, 9);
	ev->remote = store_column_str(st, 10);
	ev->detail = store_column_str(st, 11);
	ev->code = store_column_str(st, 12);
	ev->side = store_column_str(st, 13);
	ev->evidence = store_column_str(st, 14);
}

long store_timeline(struct store *s, const struct store_filter *f, store_event_cb cb, void *ctx)
{
	char where[160], sql[512];
	filter_where(f, where, sizeof(where));
	bool desc = f->order == STORE_NEWEST_FIRST;
	if (!f->limit)
		snprintf(sql, sizeof(sql),
		         "SELECT " EVENT_COLUMNS " FROM events %s ORDER BY t %s, id %s", where,
		         desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
	else if (desc)
		snprintf(sql, sizeof(sql),
		         "SELECT " EVENT_COLUMNS
		         " FROM events %s ORDER BY t DESC, id DESC LIMIT ?5",
		         where);
	else
		snprintf(sql, sizeof(sql),
		         "SELECT * FROM (SELECT " EVENT_COLUMNS " FROM events %s"
		         " ORDER BY t DESC, id DESC LIMIT ?5) ORDER BY t, id",
		         where);
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "reading the timeline");
	filter_bind(st, f);
	if (f->limit)
		sqlite3_bind_int64(st, 5, (int64_t)(f->limit > INT64_MAX ? INT64_MAX : f->limit));
	long n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_event ev;
		read_event(st, &ev);
		n++;
		if (cb && cb(ctx, &ev)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc, "reading the timeline");
}

long store_count(struct store *s, const struct store_filter *f)
{
	char where[160], sql[256];
	filter_where(f, where, sizeof(where));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events %s", where);
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "counting the timeline");
	filter_bind(st, f);
	long n = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = (long)sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc, "counting the timeline");
}

long store_flaps(struct store *s, const char *conn, int64_t since, int64_t until, store_flaps_cb cb,
                 void *ctx)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "SELECT conn, sum(kind = 'ike-down'), sum(kind = 'child-down') FROM events"
	         " WHERE %s t >= ?2 AND t < ?3 AND kind IN ('ike-down', 'child-down')"
	         " GROUP BY conn ORDER BY conn",
	         conn ? "conn = ?1 AND" : "");
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "counting flaps");
	if (conn)
		sqlite3_bind_text(st, 1, conn, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until ? until : INT64_MAX);
	long n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_flaps fl = {
		        .conn = store_column_str(st, 0),
		        .ike_down = (unsigned)sqlite3_column_int64(st, 1),
		        .child_down = (unsigned)sqlite3_column_int64(st, 2),
		};
		n++;
		if (cb && cb(ctx, &fl)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, rc, "counting flaps");
}

/* ---- rates --------------------------------------------------------------- */

struct grid {
	int64_t since, bucket;
	size_t n;
};

/* Adds the traffic v of [a, b) to the buckets it overlaps, in proportion. */
static void spread(const struct grid *g, struct store_bucket *out, int64_t a, int64_t b,
                   const double v[4])
{
	int64_t end = g->since + (int64_t)g->n * g->bucket;
	if (b <= a) {
		if (a < g->since || a >= end)
			return;
		struct store_bucket *o = &out[(a - g->since) / g->bucket];
		o->bytes_in += v[0], o->bytes_out += v[1];
		o->packets_in += v[2], o->packets_out += v[3];
		o->data = true;
		return;
	}
	int64_t lo = a > g->since ? a : g->since, hi = b < end ? b : end;
	for (int64_t t = lo; t < hi;) {
		size_t i = (size_t)((t - g->since) / g->bucket);
		int64_t be = g->since + (int64_t)(i + 1) * g->bucket;
		int64_t stop = be < hi ? be : hi;
		double f = (double)(stop - t) / (double)(b - a);
		out[i].bytes_in += v[0] * f, out[i].bytes_out += v[1] * f;
		out[i].packets_in += v[2] * f, out[i].packets_out += v[3] * f;
		out[i].data = true;
		t = stop;
	}
}

/* The rows of each tier that overlap a window: series, t, the length they
 * cover (?6 for the downsampled tiers), 4 counters; ?2 and ?3 bound t, %s
 * takes a selection of series. */
static const char *const tier_sql[3] = {
        "SELECT series, t, dt, bytes_in, bytes_out, packets_in, packets_out FROM samples"
        " WHERE t > ?2 AND t < ?3 %s",
        "SELECT series, t, ?6, bytes_in, bytes_out, packets_in, packets_out FROM samples_mid"
        " WHERE t > ?2 AND t < ?3 %s",
        "SELECT series, t, ?6, bytes_in, bytes_out, packets_in, packets_out"
        " FROM samples_coarse WHERE t > ?2 AND t < ?3 %s",
};

typedef struct store_bucket *(*series_buckets_fn)(void *ctx, int64_t series);

/* Reads the rows of every tier that overlap the grid and spreads them into
 * the buckets find() returns for their series (NULL: skip). sel is the
 * series selection ("" for all, else a condition on ?1... as SQL). */
static int read_tiers(struct store *s, const struct grid *g, const char *sel, const char *conn,
                      const char *child, uint32_t reqid, series_buckets_fn find, void *ctx)
{
	int64_t until = g->since + (int64_t)g->n * g->bucket;
	for (int tier = 0; tier < 3; tier++) {
		char sql[640], cond[200];
		int64_t lo = g->since - (tier == 0   ? 0
		                         : tier == 1 ? STORE_MID_BUCKET_MS
		                                     : STORE_COARSE_BUCKET_MS);
		int64_t hi = until + (tier == 0 ? s->ret.max_sample_gap_ms : 0);
		snprintf(cond, sizeof(cond), "%s%s", *sel ? "AND series IN " : "", sel);
		snprintf(sql, sizeof(sql), tier_sql[tier], cond);
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
		if (rc != SQLITE_OK)
			return store_fail(s, rc, "reading samples");
		if (*sel) {
			sqlite3_bind_text(st, 1, conn, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, child, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 5, reqid);
		}
		sqlite3_bind_int64(st, 2, lo);
		sqlite3_bind_int64(st, 3, hi);
		if (tier)
			sqlite3_bind_int64(
			        st, 6, tier == 1 ? STORE_MID_BUCKET_MS : STORE_COARSE_BUCKET_MS);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct store_bucket *b = find(ctx, sqlite3_column_int64(st, 0));
			if (!b)
				continue;
			int64_t t = sqlite3_column_int64(st, 1), len = sqlite3_column_int64(st, 2);
			double v[4];
			for (int i = 0; i < 4; i++)
				v[i] = (double)sqlite3_column_int64(st, 3 + i);
			if (tier == 0)
				spread(g, b, t - len, t, v);
			else
				spread(g, b, t, t + len, v);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, rc, "reading samples");
	}
	return 0;
}

static struct store_bucket *one_series(void *ctx, int64_t series)
{
	return ctx;
}

int store_rates(struct store *s, const char *conn, const char *child, uint32_t reqid, int64_t since,
                int64_t bucket_ms, size_t n, struct store_bucket *out)
{
	if (!conn || !child || bucket_ms <= 0 || n > (size_t)(INT64_MAX / 2 / bucket_ms))
		return -EINVAL;
	memset(out, 0, n * sizeof(*out));
	struct grid g = {since, bucket_ms, n};
	return read_tiers(s, &g,
	                  "(SELECT id FROM series WHERE conn = ?1 AND child = ?4"
	                  " AND (?5 = 0 OR reqid = ?5))",
	                  conn, child, reqid, one_series, out);
}

/* Buckets per series id, allocated as series show up. */
struct all_ctx {
	struct store_bucket **by_id;
	size_t cap, n;
};

static struct store_bucket *all_series(void *ctx, int64_t series)
{
	struct all_ctx *a = ctx;
	if (series <= 0 || series > (int64_t)1 << 31)
		return NULL;
	size_t i = (size_t)series;
	if (i >= a->cap) {
		size_t cap = a->cap ? a->cap : 256;
		while (cap <= i)
			cap *= 2;
		a->by_id = xreallocarray(a->by_id, cap, sizeof(*a->by_id));
		memset(a->by_id + a->cap, 0, (cap - a->cap) * sizeof(*a->by_id));
		a->cap = cap;
	}
	if (!a->by_id[i])
		a->by_id[i] = xcalloc(a->n, sizeof(struct store_bucket));
	return a->by_id[i];
}

long store_rates_all(struct store *s, int64_t since, int64_t bucket_ms, size_t n,
                     store_series_cb cb, void *ctx)
{
	if (bucket_ms <= 0 || !n || n > (size_t)(INT64_MAX / 2 / bucket_ms))
		return -EINVAL;
	struct grid g = {since, bucket_ms, n};
	struct all_ctx a = {NULL, 0, n};
	long e = read_tiers(s, &g, "", NULL, NULL, 0, all_series, &a), count = 0;
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_OK;
	if (!e)
		rc = sqlite3_prepare_v2(s->db,
		                        "SELECT conn, child, reqid FROM series WHERE id = ?1", -1,
		                        &st, NULL);
	for (size_t i = 0; !e && rc == SQLITE_OK && i < a.cap; i++) {
		bool any = false;
		for (size_t j = 0; a.by_id[i] && j < n && !any; j++)
			any = a.by_id[i][j].data;
		if (!any)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (int64_t)i);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
			continue;
		}
		rc = SQLITE_OK;
		count++;
		if (cb(ctx, store_column_str(st, 0), store_column_str(st, 1),
		       (uint32_t)sqlite3_column_int64(st, 2), a.by_id[i], n))
			break;
	}
	if (!e && rc != SQLITE_OK)
		e = store_fail(s, rc, "reading series");
	sqlite3_finalize(st);
	for (size_t i = 0; i < a.cap; i++)
		free(a.by_id[i]);
	free(a.by_id);
	return e ? e : count;
}
