/*
 * Retention of the history store, in bounded steps.
 *
 * Samples live in three tiers: full resolution (table samples, ordered by
 * time) for raw_ms, then sums per series over 1-minute buckets (samples_1m)
 * for mid_ms, then over 15-minute buckets (samples_15m) for coarse_ms.
 * Moving data down a tier adds it into the coarser bucket and deletes the
 * finer rows in the same transaction, so totals never change and never
 * count twice, and the tiers cover disjoint stretches of time. Timeline
 * records go after events_ms.
 *
 * The size cap works through one more horizon, cap_horizon: when the pages
 * in use exceed max_bytes, the horizon moves forward from the oldest data
 * held, and everything older goes from every table, oldest first. Freed
 * pages are given back to the file system (auto_vacuum = INCREMENTAL) once
 * there are enough of them to be worth moving pages for.
 *
 * Every call of store_maintain() does at most about `budget` rows of work in
 * one transaction, and keeps its place (a cursor over the series) between
 * calls, so a recorder never stalls on a large backlog: it calls again soon
 * while the answer is "more to do".
 */
#include "model/store_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

/* Free pages kept for reuse before any are given back, and the most given
 * back per call. */
#define STORE_FREE_KEEP 1024
#define STORE_FREE_STEP 2048

static int64_t floor_to(int64_t t, int64_t step)
{
	return t >= 0 ? t / step * step : -((-t + step - 1) / step) * step;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Runs sql with nbind int64 parameters; *changes (if not NULL) gets the rows
 * changed, *one (if not NULL) the first column of the first row. */
static int run(struct store *s, const char *what, long *changes, int64_t *one, const char *sql,
               int nbind, ...)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, what);
	va_list ap;
	va_start(ap, nbind);
	for (int i = 1; i <= nbind; i++)
		sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
	va_end(ap);
	bool null = true;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (one && null) {
			null = sqlite3_column_type(st, 0) == SQLITE_NULL;
			*one = sqlite3_column_int64(st, 0);
		}
	}
	if (one && null)
		*one = INT64_MIN;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, what);
	if (changes)
		*changes = sqlite3_changes(s->db);
	return 0;
}

static int age_events(struct store *s, int64_t now, long *left, bool *more)
{
	int64_t h = max64(now - s->ret.events_ms, s->cap_horizon);
	long n = 0;
	int e = run(s, "deleting old events", &n, NULL,
	            "DELETE FROM events WHERE id IN"
	            " (SELECT id FROM events WHERE t < ?1 ORDER BY t LIMIT ?2)",
	            2, h, (int64_t)*left);
	*left -= n;
	*more = *more || *left <= 0;
	return e;
}

#define SUMS_1M                                                                                    \
	"ON CONFLICT(series, t) DO UPDATE SET bytes_in = bytes_in + excluded.bytes_in,"            \
	" bytes_out = bytes_out + excluded.bytes_out,"                                             \
	" packets_in = packets_in + excluded.packets_in,"                                          \
	" packets_out = packets_out + excluded.packets_out"

/* Full-resolution samples older than raw_ms go into 1-minute sums, a slice
 * of whole minutes at a time (at least 15 of them, so each series' page of
 * samples_1m is written once for many rows); below the cap horizon they are
 * only deleted. */
static int downsample_raw(struct store *s, int64_t now, long *left, bool *more)
{
	const int64_t m = STORE_MID_BUCKET_MS, batch = 15 * m;
	int64_t h = floor_to(now - s->ret.raw_ms, m);
	int64_t cap = floor_to(s->cap_horizon, m);
	while (*left > 0) {
		int64_t oldest;
		int e = run(s, "reading samples", NULL, &oldest, "SELECT min(t) FROM samples", 0);
		if (e)
			return e;
		if (oldest == INT64_MIN)
			return 0;
		int64_t a = floor_to(oldest, m);
		if (a >= max64(h - batch, cap))
			return 0;
		int64_t b = a + batch, count = 0;
		if (b > max64(h, cap))
			b = max64(h, cap);
		e = run(s, "reading samples", NULL, &count,
		        "SELECT count(*) FROM samples WHERE t < ?1", 1, b);
		if (e)
			return e;
		if (count > *left && b - a > m)
			b = a + max64(1, (b - a) / m * *left / count) * m;
		long n = 0;
		if (b > cap)
			e = run(s, "downsampling samples", &n, NULL,
			        "INSERT INTO samples_1m(series, t, bytes_in, bytes_out, packets_in,"
			        " packets_out) SELECT series, (t / ?2) * ?2 AS b, sum(bytes_in),"
			        " sum(bytes_out), sum(packets_in), sum(packets_out) FROM samples"
			        " WHERE t < ?1 GROUP BY series, b " SUMS_1M,
			        2, b, m);
		if (!e)
			e = run(s, "deleting samples", &n, NULL, "DELETE FROM samples WHERE t < ?1",
			        1, b);
		if (e)
			return e;
		*left -= n;
	}
	*more = true;
	return 0;
}

/* One series of the pass: 1-minute sums older than mid_ms into 15-minute
 * sums, and what is older than the deletion horizons away. Returns 0 or an
 * errno; *n gets the rows touched. */
static int pass_series(struct store *s, int64_t id, long *n)
{
	long a = 0, b = 0, c = 0;
	int64_t mid = s->pass_mid_h, del = s->pass_del_h;
	int e = run(s, "downsampling samples", &a, NULL,
	            "INSERT INTO samples_15m(series, t, bytes_in, bytes_out, packets_in,"
	            " packets_out) SELECT series, (t / ?3) * ?3 AS b, sum(bytes_in),"
	            " sum(bytes_out), sum(packets_in), sum(packets_out) FROM samples_1m"
	            " WHERE series = ?1 AND t < ?2 GROUP BY b " SUMS_1M,
	            3, id, mid, (int64_t)STORE_COARSE_BUCKET_MS);
	if (!e)
		e = run(s, "deleting samples", &b, NULL,
		        "DELETE FROM samples_1m WHERE series = ?1 AND t < ?2", 2, id,
		        max64(mid, floor_to(s->cap_horizon, STORE_MID_BUCKET_MS)));
	if (!e)
		e = run(s, "deleting samples", &c, NULL,
		        "DELETE FROM samples_15m WHERE series = ?1 AND t < ?2", 2, id, del);
	*n = a + b + c + 1;
	return e;
}

/* Forgets series that have had no samples for longer than anything is
 * kept (and so have no rows left in any tier). */
static int forget_series(struct store *s, int64_t now)
{
	int64_t h = s->pass_del_h;
	if (h > now - s->ret.raw_ms - 2 * 3600 * 1000)
		h = now - s->ret.raw_ms - 2 * 3600 * 1000;
	long n = 0;
	int e = run(s, "forgetting series", &n, NULL,
	            "DELETE FROM series WHERE last_t < ?1"
	            " AND NOT EXISTS (SELECT 1 FROM samples_1m WHERE series = series.id)"
	            " AND NOT EXISTS (SELECT 1 FROM samples_15m WHERE series = series.id)",
	            1, h);
	if (n)
		store_series_forget(s);
	return e;
}

/* The per-series pass: starts when a horizon moved by a bucket, then goes on
 * through the series in id order across calls. */
static int series_pass(struct store *s, int64_t now, long *left, bool *more)
{
	int64_t mid = floor_to(now - s->ret.mid_ms, STORE_COARSE_BUCKET_MS);
	int64_t del = max64(now - s->ret.coarse_ms, s->cap_horizon);
	if (!s->pass_running) {
		if (mid <= s->done_mid_h && del < s->done_del_h + STORE_COARSE_BUCKET_MS &&
		    s->cap_horizon <= s->done_del_h)
			return 0;
		s->pass_running = true;
		s->pass_cursor = 0;
		s->pass_mid_h = mid;
		s->pass_del_h = del;
	}
	while (*left > 0) {
		int64_t id;
		int e = run(s, "reading series", NULL, &id,
		            "SELECT id FROM series WHERE id > ?1 ORDER BY id LIMIT 1", 1,
		            s->pass_cursor);
		if (e)
			return e;
		if (id == INT64_MIN) {
			s->pass_running = false;
			s->done_mid_h = s->pass_mid_h;
			s->done_del_h = s->pass_del_h;
			return forget_series(s, now);
		}
		long n = 0;
		if ((e = pass_series(s, id, &n)))
			return e;
		s->pass_cursor = id;
		*left -= n;
	}
	*more = true;
	return 0;
}

/* The oldest time any table holds, INT64_MIN if the store is empty. */
static int oldest_data(struct store *s, int64_t *t)
{
	static const char *const sql[] = {
	        "SELECT min(t) FROM events",
	        "SELECT min(t) FROM samples",
	        "SELECT min(m) FROM (SELECT (SELECT min(t) FROM samples_1m WHERE series = s.id)"
	        " AS m FROM series s)",
	        "SELECT min(m) FROM (SELECT (SELECT min(t) FROM samples_15m WHERE series = s.id)"
	        " AS m FROM series s)",
	};
	*t = INT64_MIN;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		int64_t v;
		int e = run(s, "finding the oldest data", NULL, &v, sql[i], 0);
		if (e)
			return e;
		if (v != INT64_MIN && (*t == INT64_MIN || v < *t))
			*t = v;
	}
	return 0;
}

/* Over the size cap with nothing else left to delete: move the cap horizon
 * forward by a step (a 32nd of the span held, at least an hour). */
static int enforce_cap(struct store *s, int64_t now, bool *more)
{
	int64_t used = store_used_bytes(s);
	if (used < 0)
		return store_fail(s, sqlite3_errcode(s->db), "reading the size");
	if ((uint64_t)used <= s->ret.max_bytes)
		return 0;
	int64_t oldest;
	int e = oldest_data(s, &oldest);
	if (e || oldest == INT64_MIN)
		return e;
	int64_t from = max64(oldest, s->cap_horizon);
	int64_t step = max64(3600 * 1000, (now - from) / 32);
	s->cap_horizon = from + step < now ? from + step : now;
	*more = true;
	return 0;
}

static int give_back(struct store *s, bool *more)
{
	int64_t free_pages = 0, page_size = 4096;
	int e = run(s, "reading the free list", NULL, &free_pages, "PRAGMA freelist_count", 0);
	if (!e)
		e = run(s, "reading the page size", NULL, &page_size, "PRAGMA page_size", 0);
	/* a small cap keeps fewer free pages: at most a 16th of it */
	int64_t keep = (int64_t)(s->ret.max_bytes / 16) / (page_size > 0 ? page_size : 4096);
	keep = keep < STORE_FREE_KEEP ? keep : STORE_FREE_KEEP;
	if (e || free_pages <= keep)
		return e;
	int64_t n = free_pages - keep / 2;
	if (n > STORE_FREE_STEP) {
		n = STORE_FREE_STEP;
		*more = true;
	}
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%lld)", (long long)n);
	return store_exec(s, sql, "giving back free pages");
}

int store_maintain(struct store *s, int64_t now, unsigned budget)
{
	if (!s->rw)
		return -EROFS;
	int e = store_exec(s, "BEGIN IMMEDIATE", "starting retention");
	if (e)
		return e;
	long left = budget ? (long)budget : 1;
	bool more = false;
	e = age_events(s, now, &left, &more);
	if (!e)
		e = downsample_raw(s, now, &left, &more);
	if (!e)
		e = series_pass(s, now, &left, &more);
	if (!e && !more)
		e = enforce_cap(s, now, &more);
	if (!e)
		e = give_back(s, &more);
	if (!e)
		e = store_exec(s, "COMMIT", "committing retention");
	if (e) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		store_series_forget(s);
		s->pass_running = false;
		return e;
	}
	return more ? 1 : 0;
}
