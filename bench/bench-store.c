/*
 * The history store at scale: a recorder's month at N IKE SAs with one
 * CHILD SA each (default 30 days, 1000 + 1000), simulated in fast time, then
 * the queries the monitor and `swantop history` run on it.
 *
 *   bench-store [days [ike-sas [dir]]]
 *
 * The recorder's policy as the store expects it: every CHILD SA's counters
 * sampled once a minute (all of them busy, the worst case: idle ones write
 * nothing), a CHILD rekey per hour and an IKE rekey every four hours per
 * connection (each with its events), 1 % of the connections going down and
 * up again each hour, the loop calling store_tick() whenever store_due() says
 * so (flushes once a second, retention steps in between), default retention.
 *
 * Prints "figure: NAME VALUE UNIT" lines:
 *   store_size_1d / _7d / _30d   pages in use after that many days (MiB)
 *   store_growth_per_day         in use, growth per day over days 8..30, when
 *                                every tier is filling (MiB/day)
 *   store_file_30d               the file on disk at the end (MiB)
 *   store_tick_max / _p99 / _mean  the longest, 99th percentile and mean
 *                                store_tick() (a stall of the recorder's loop:
 *                                the longest are WAL checkpoints, ms)
 *   store_sim_cpu                CPU time of the whole simulated month (s)
 *   history_30d                  `swantop history --since 30d`: the newest
 *                                1000 records plus the count of the rest,
 *                                read-only (median of 7, ms)
 *   history_30d_conn             one connection's whole month (ms)
 *   flaps_24h                    down events per connection, last 24 h (ms)
 *   sparkline_1h                 one CHILD's last hour in 60 buckets (ms)
 *   sparkline_all_1h             every CHILD's last hour, one pass (ms)
 *   rates_7d                     one CHILD's week in 168 buckets (ms)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/store.h"

#define MIN_MS (60 * 1000LL)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define T_START 1796342400000LL /* 2026-12-04 00:00 UTC */

static double clock_ms(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static struct model_str S(const char *s) {
	return (struct model_str){s, (uint32_t)strlen(s)};
}

struct child {
	uint32_t uid;
	int64_t installed;
	uint64_t c[4];
};

struct sim {
	struct store *s;
	unsigned n;
	struct child *ch;
	uint32_t next_uid;
	uint64_t x;
	double tick_max, tick_sum;
	double *tick_ms;
	size_t ticks, ticks_cap;
};

static void die(struct store *s, const char *what)
{
	fprintf(stderr, "bench-store: %s: %s\n", what, s ? store_errmsg(s) : "");
	exit(1);
}

/* The recorder's loop between now and until: a tick whenever one is due. */
static void run_loop(struct sim *m, int64_t now, int64_t until)
{
	for (;;) {
		int64_t due = store_due(m->s);
		if (due > until)
			return;
		if (due > now)
			now = due;
		double t0 = clock_ms(CLOCK_MONOTONIC);
		if (store_tick(m->s, now))
			die(m->s, "tick");
		double d = clock_ms(CLOCK_MONOTONIC) - t0;
		m->tick_max = d > m->tick_max ? d : m->tick_max;
		m->tick_sum += d;
		if (m->ticks == m->ticks_cap) {
			m->ticks_cap = m->ticks_cap ? 2 * m->ticks_cap : 4096;
			m->tick_ms = realloc(m->tick_ms, m->ticks_cap * sizeof(double));
			if (!m->tick_ms)
				die(NULL, "out of memory");
		}
		m->tick_ms[m->ticks++] = d;
	}
}

static void event(struct sim *m, int64_t t, enum store_kind k, const char *conn, uint32_t ike,
                  uint32_t child, uint32_t new_id, const char *state)
{
	struct store_event ev = {.time = t,
	                         .kind = k,
	                         .conn = S(conn),
	                         .child = S(child ? "net" : ""),
	                         .ike_id = ike,
	                         .child_id = child,
	                         .new_id = new_id,
	                         .state = S(state),
	                         .remote = S("198.51.100.23")};
	store_add_event(m->s, &ev);
}

/* One minute of a recorder's life at time t. */
static void minute(struct sim *m, int64_t t)
{
	char conn[32];
	long minute_of_day = (long)((t - T_START) / MIN_MS);
	for (unsigned i = 0; i < m->n; i++) {
		struct child *c = &m->ch[i];
		snprintf(conn, sizeof(conn), "conn-%04u", i);
		/* rekeys staggered over the hour */
		if ((unsigned)(minute_of_day % 60) == i % 60) {
			uint32_t nu = m->next_uid++;
			event(m, t - 500, STORE_EV_CHILD_REKEY, conn, i + 1, c->uid, nu,
			      "INSTALLED");
			*c = (struct child){.uid = nu, .installed = t - 500};
		}
		if ((unsigned)(minute_of_day % 240) == i % 240)
			event(m, t - 400, STORE_EV_IKE_REKEY, conn, i + 1, 0, i + 1, "ESTABLISHED");
		if (i % 100 == (unsigned)(minute_of_day % 6000) / 60 && minute_of_day % 60 == 7) {
			event(m, t - 300, STORE_EV_IKE_DOWN, conn, i + 1, 0, 0, "DELETING");
			event(m, t - 200, STORE_EV_IKE_UP, conn, i + 1, 0, 0, "ESTABLISHED");
		}
		uint64_t bytes = rnd(&m->x) % 4000000, pk = bytes / 900 + 1;
		c->c[0] += bytes, c->c[1] += bytes / 3, c->c[2] += pk, c->c[3] += pk / 2 + 1;
		struct store_sample sm = {.time = t,
		                          .conn = S(conn),
		                          .child = S("net"),
		                          .reqid = i + 1,
		                          .uniqueid = c->uid,
		                          .installed = c->installed,
		                          .bytes_in = c->c[0],
		                          .bytes_out = c->c[1],
		                          .packets_in = c->c[2],
		                          .packets_out = c->c[3]};
		store_add_sample(m->s, &sm);
	}
	run_loop(m, t, t + MIN_MS - 1);
}

static double mib(int64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

static int count_cb(void *ctx, const struct store_event *ev)
{
	(*(long *)ctx)++;
	return 0;
}

static int flaps_cb(void *ctx, const struct store_flaps *fl)
{
	*(long *)ctx += fl->ike_down;
	return 0;
}

static int series_cb(void *ctx, struct model_str conn, struct model_str child, uint32_t reqid,
                     const struct store_bucket *b, size_t n)
{
	(*(long *)ctx)++;
	return 0;
}

enum query { Q_HISTORY, Q_HISTORY_CONN, Q_FLAPS, Q_SPARK, Q_SPARK_ALL, Q_RATES_7D, Q_COUNT };

/* Runs one query; returns what it found (to check it did find something). */
static long query(struct store *r, enum query q, int64_t end)
{
	long n = 0;
	struct store_bucket b[168];
	struct store_filter f = {.since = end - 30 * DAY_MS, .limit = 1000};
	switch (q) {
	case Q_HISTORY:
		n = store_timeline(r, &f, count_cb, &n) >= 0 ? n : -1;
		return n >= 0 && store_count(r, &f) >= n ? n : -1;
	case Q_HISTORY_CONN:
		f.conn = "conn-0042";
		f.limit = 0;
		return store_timeline(r, &f, count_cb, &n) >= 0 ? n : -1;
	case Q_FLAPS:
		return store_flaps(r, NULL, end - DAY_MS, end, flaps_cb, &n) >= 0 ? n : -1;
	case Q_SPARK:
		if (store_rates(r, "conn-0042", "net", 0, end - HOUR_MS, MIN_MS, 60, b))
			return -1;
		for (int i = 0; i < 60; i++)
			n += b[i].data;
		return n;
	case Q_SPARK_ALL:
		return store_rates_all(r, end - HOUR_MS, MIN_MS, 60, series_cb, &n) >= 0 ? n : -1;
	case Q_RATES_7D:
		if (store_rates(r, "conn-0042", "net", 0, end - 7 * DAY_MS, HOUR_MS, 168, b))
			return -1;
		for (int i = 0; i < 168; i++)
			n += b[i].data;
		return n;
	default:
		return -1;
	}
}

int main(int argc, char **argv)
{
	unsigned days = argc > 1 ? (unsigned)atoi(argv[1]) : 30;
	unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 1000;
	const char *dir = argc > 3 ? argv[3] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (days < 1 || days > 400 || n < 1 || n > 100000) {
		fprintf(stderr, "usage: bench-store [days [ike-sas [dir]]]\n");
		return 2;
	}
	char path[512], err[512];
	snprintf(path, sizeof(path), "%s/bench-store.%ld/history.db", dir, (long)getpid());
	struct sim m = {.n = n, .next_uid = 1, .x = 88172645463325252ull};
	if (store_open(&m.s, path, STORE_READ_WRITE, err, sizeof(err))) {
		fprintf(stderr, "bench-store: %s\n", err);
		return 1;
	}
	m.ch = calloc(n, sizeof(*m.ch));
	for (unsigned i = 0; i < n; i++)
		m.ch[i].uid = m.next_uid++;

	double cpu0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	int64_t size_day[401] = {0};
	int64_t t = T_START;
	for (unsigned d = 1; d <= days; d++) {
		for (int k = 0; k < 24 * 60; k++, t += MIN_MS)
			minute(&m, t);
		size_day[d] = store_size(m.s);
		fprintf(stderr, "bench-store: day %u: %.1f MiB in use\n", d, mib(size_day[d]));
	}
	double cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	if (store_flush(m.s))
		die(m.s, "flush");
	int64_t end = t;
	store_close(m.s);

	struct store *r;
	if (store_open(&r, path, STORE_READ_ONLY, err, sizeof(err))) {
		fprintf(stderr, "bench-store: %s\n", err);
		return 1;
	}
	static const char *const names[Q_COUNT] = {"history_30d",  "history_30d_conn", "flaps_24h",
	                                           "sparkline_1h", "sparkline_all_1h", "rates_7d"};
	double q_ms[Q_COUNT];
	for (int q = 0; q < Q_COUNT; q++) {
		double runs[7];
		long found = 0;
		for (int k = 0; k < 7; k++) {
			double t0 = clock_ms(CLOCK_MONOTONIC);
			found = query(r, (enum query)q, end);
			runs[k] = clock_ms(CLOCK_MONOTONIC) - t0;
		}
		if (found <= 0) {
			fprintf(stderr, "bench-store: %s found nothing (%ld)\n", names[q], found);
			return 1;
		}
		qsort(runs, 7, sizeof(runs[0]), cmp_double);
		q_ms[q] = runs[3];
		fprintf(stderr, "bench-store: %s: %ld found\n", names[q], found);
	}
	store_close(r);
	struct stat sb;
	if (stat(path, &sb))
		sb.st_size = -1;

	printf("figure: store_size_1d %.1f MiB\n", mib(size_day[1]));
	if (days >= 7)
		printf("figure: store_size_7d %.1f MiB\n", mib(size_day[7]));
	printf("figure: store_size_%ud %.1f MiB\n", days, mib(size_day[days]));
	if (days > 8)
		printf("figure: store_growth_per_day %.2f MiB/day\n",
		       mib(size_day[days] - size_day[8]) / (days - 8));
	printf("figure: store_file_%ud %.1f MiB\n", days, mib(sb.st_size));
	printf("figure: store_tick_max %.1f ms\n", m.tick_max);
	printf("figure: store_tick_mean %.2f ms\n", m.ticks ? m.tick_sum / (double)m.ticks : 0);
	if (m.ticks) {
		qsort(m.tick_ms, m.ticks, sizeof(double), cmp_double);
		printf("figure: store_tick_p99 %.1f ms\n", m.tick_ms[m.ticks * 99 / 100]);
	}
	printf("figure: store_sim_cpu %.1f s\n", cpu / 1000.0);
	for (int q = 0; q < Q_COUNT; q++)
		printf("figure: %s %.2f ms\n", names[q], q_ms[q]);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/bench-store.%ld'", dir, (long)getpid());
	if (system(cmd))
		fprintf(stderr, "bench-store: could not remove %s\n", path);
	free(m.ch);
	free(m.tick_ms);
	return 0;
}
