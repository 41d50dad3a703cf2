/*
 * The recorder's loop (see record.h): one poll() over a signal self-pipe,
 * the feed's two sessions and the nearest deadline (the feed's requests and
 * retries, the diagnosis engine's judgements, the store's next write or
 * retention step). A turn: read signals, let the sessions do their I/O,
 * run the feed's timers, then hand what the model and the engine learned
 * to the recorder and let the store write (at most once a second, one
 * transaction).
 *
 * Nothing here ends the process on a lost charon: the feed reconnects with
 * backoff and the recorder notes the gap; only the store failing to open
 * ends it. A store that fails to write later (disk full) keeps its queue and
 * is retried every second; that is said once per streak.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/feed.h"
#include "app/insight.h"
#include "app/record.h"
#include "util/sanitize.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

#define MAX_FDS 8
/* Events ring of the recorder's model: large enough for the burst of a
 * gateway with thousands of SAs coming back at once between two turns. */
#define EVENTS_RING 20000

struct rec_loop {
	const struct record_config *cfg;
	struct store *s;
	struct model *m;
	struct insight *in;
	struct feed *f;
	struct recorder *r;
	int64_t off; /* wall - monotonic, ms */
	unsigned sweeps;
	bool restarted;
	bool link_up;
	char link_said[256];
	bool store_failing;
	unsigned long dropped; /* store_dropped() when writing began to fail */
};

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* a byte is pending already */
	}
	errno = saved;
}

static int signals_setup(void)
{
	if (pipe(sig_pipe))
		return -errno;
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void signals_teardown(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
}

static int64_t wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("swantop record: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- feed callbacks ---------------------------------------------------------- */

static void on_restart(void *ctx)
{
	struct rec_loop *L = ctx;
	L->restarted = true;
}

static void on_event(void *ctx, const struct vici_msg *m)
{
	struct rec_loop *L = ctx;
	if (strcmp(m->name, "alert"))
		return;
	const uint8_t *v;
	size_t vl;
	if (vici_message_find(m->data, m->len, "type", &v, &vl) < 0)
		v = (const uint8_t *)"?", vl = 1;
	char text[160];
	snprintf(text, sizeof(text), "alert: %.*s", (int)(vl < 100 ? vl : 100), (const char *)v);
	recorder_notice(L->r, text, m->received + L->off);
}

/* ---- a turn --------------------------------------------------------------------- */

static void link_turn(struct rec_loop *L, int64_t wall)
{
	const struct feed_link *l = feed_link(L->f, FEED_MONITOR);
	bool up = l->state == VICI_SESSION_UP;
	bool down = l->state == VICI_SESSION_DOWN;
	const char *uri = L->cfg->uri ? L->cfg->uri : VICI_DEFAULT_URI;
	if (up != L->link_up && (up || down)) {
		L->link_up = up;
		/* a connection that was up at once has no time of change */
		int64_t at = l->since > 0 ? l->since + L->off : wall;
		recorder_link(L->r, up, l->error, at < wall ? at : wall);
		if (up) {
			say("connected to charon at %s", uri);
			L->link_said[0] = '\0';
		}
	}
	/* each new problem once, not once per retry */
	if (down && *l->error && strcmp(L->link_said, l->error)) {
		snprintf(L->link_said, sizeof(L->link_said), "%s", l->error);
		say("charon at %s: %s; trying again (the time without charon is recorded as a gap)",
		    uri, l->error);
	}
}

static void store_turn(struct rec_loop *L, int64_t wall)
{
	int e = store_tick(L->s, wall);
	if (e && !L->store_failing) {
		char *safe = sanitize_strdup(store_errmsg(L->s), 0);
		say("%s; %zu records kept in memory (at most %d events and %d samples; later "
		    "ones are counted and dropped), trying again every second",
		    safe, store_pending(L->s), STORE_QUEUE_HARD_MAX, STORE_QUEUE_HARD_MAX);
		free(safe);
		L->dropped = store_dropped(L->s);
	} else if (!e && L->store_failing) {
		unsigned long lost = store_dropped(L->s) - L->dropped;
		if (lost)
			say("%s: writing again; %lu records were dropped meanwhile "
			    "(a notice in the store says so)",
			    store_path(L->s), lost);
		else
			say("%s: writing again", store_path(L->s));
	}
	L->store_failing = e != 0;
}

static void turn(struct rec_loop *L, int64_t now)
{
	int64_t wall = wall_now();
	L->off = wall - now;
	unsigned changes = model_take_changes(L->m);
	insight_turn(L->in, L->m, changes, now, wall);
	recorder_events(L->r, L->m, L->off);
	recorder_verdicts(L->r, insight_diag(L->in), L->off);
	link_turn(L, wall);
	if (L->restarted) {
		const struct model_stats *st = model_stats_get(L->m);
		char since[64] = "";
		if (st->valid)
			snprintf(since, sizeof(since), "%.*s",
			         (int)(st->since.len < 63 ? st->since.len : 63), st->since.s);
		recorder_restart(L->r, since, wall);
		L->restarted = false;
	}
	if (feed_sweeps(L->f) != L->sweeps) {
		L->sweeps = feed_sweeps(L->f);
		recorder_samples(L->r, L->m, L->off);
	}
	store_turn(L, wall);
}

static int poll_timeout(const struct rec_loop *L, int64_t now)
{
	int64_t next = now + 1000;
	next = vici_deadline_min(next, feed_deadline(L->f));
	next = vici_deadline_min(next, insight_deadline(L->in));
	int64_t due = store_due(L->s);
	if (due != INT64_MAX)
		next = vici_deadline_min(next, due - L->off);
	int64_t t = next - vici_now_ms();
	return t < 0 ? 0 : t > 1000 ? 1000 : (int)t;
}

/* Returns true when a stop signal came. */
static bool read_signals(void)
{
	unsigned char b[16];
	bool stop = false;
	ssize_t n;
	while ((n = read(sig_pipe[0], b, sizeof(b))) > 0)
		stop = true;
	return stop;
}

static void loop(struct rec_loop *L)
{
	struct pollfd fds[MAX_FDS];
	void *tags[MAX_FDS];
	bool stop = false;
	while (!stop) {
		int64_t now = vici_now_ms();
		turn(L, now);
		fds[0] = (struct pollfd){sig_pipe[0], POLLIN, 0};
		size_t n = 1 + feed_pollfds(L->f, fds + 1, tags + 1, MAX_FDS - 1);
		int rc = poll(fds, n, poll_timeout(L, now));
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && fds[0].revents)
			stop = read_signals();
		for (size_t i = 1; rc > 0 && i < n; i++)
			if (fds[i].revents)
				feed_handle(L->f, tags[i], fds[i].revents);
		feed_tick(L->f, vici_now_ms());
	}
	turn(L, vici_now_ms());
}

/* ---- setting up and the last write ------------------------------------------------ */

static int open_store(struct rec_loop *L)
{
	char err[600], who[64];
	int e = store_open(&L->s, L->cfg->db, STORE_READ_WRITE, err, sizeof(err));
	if (e) {
		char *safe = sanitize_strdup(err, 0);
		say("%s", safe);
		free(safe);
		return RECORD_EXIT_STORE;
	}
	snprintf(who, sizeof(who), "pid %ld", (long)getpid());
	if (store_lock_writer(L->s, who)) {
		char *safe = sanitize_strdup(store_errmsg(L->s), 0);
		say("%s", safe);
		free(safe);
		return RECORD_EXIT_STORE;
	}
	if (L->cfg->max_bytes) {
		struct store_retention ret = {.max_bytes = L->cfg->max_bytes};
		store_set_retention(L->s, &ret);
	}
	return 0;
}

/* The end: a gap still open ends now (the next run's begins here too), the
 * time is noted as the last alive, and everything queued is written. */
static int finish(struct rec_loop *L)
{
	int64_t wall = wall_now();
	recorder_link(L->r, true, NULL, wall);
	int e = store_flush(L->s);
	if (!e && store_maintain(L->s, wall, 1) < 0)
		e = -EIO;
	if (e) {
		char *safe = sanitize_strdup(store_errmsg(L->s), 0);
		say("%s; %zu records were not written", safe, store_pending(L->s));
		free(safe);
		return RECORD_EXIT_STORE;
	}
	say("stopped: %lu SA events, %lu verdicts, %lu samples (%u listings) recorded in %s",
	    recorder_count(L->r, STORE_EV_IKE_UP) + recorder_count(L->r, STORE_EV_IKE_DOWN) +
	            recorder_count(L->r, STORE_EV_CHILD_UP) +
	            recorder_count(L->r, STORE_EV_CHILD_DOWN) +
	            recorder_count(L->r, STORE_EV_IKE_REKEY) +
	            recorder_count(L->r, STORE_EV_CHILD_REKEY) +
	            recorder_count(L->r, STORE_EV_IKE_UPDATE),
	    recorder_count(L->r, STORE_EV_VERDICT), recorder_sampled(L->r), feed_sweeps(L->f),
	    store_path(L->s));
	return RECORD_EXIT_OK;
}

int record_run(const struct record_config *c)
{
	struct rec_loop L = {.cfg = c};
	int rc = open_store(&L);
	if (rc) {
		store_close(L.s);
		return rc;
	}
	int64_t alive = store_alive(L.s);
	if (signals_setup()) {
		say("cannot create the signal pipe: %s", strerror(errno));
		store_close(L.s);
		return RECORD_EXIT_STORE;
	}
	struct model_config mc;
	model_config_defaults(&mc);
	mc.events_capacity = EVENTS_RING;
	L.m = model_new(&mc);
	int64_t now = vici_now_ms();
	L.off = wall_now() - now;
	L.in = insight_new(NULL, now);
	L.r = recorder_new(L.s, alive > 0 ? alive : 0);
	struct feed_config fc = {
	        .uri = c->uri,
	        .model = L.m,
	        .interval_ms = c->interval_ms > 0 ? c->interval_ms : RECORD_INTERVAL_DEFAULT_MS,
	        .budget = c->budget,
	        .on_restart = on_restart,
	        .on_event = on_event,
	        .ctx = &L,
	};
	L.f = feed_new(&fc);
	say("recording into %s", store_path(L.s));
	loop(&L);
	rc = finish(&L);
	feed_free(L.f);
	recorder_free(L.r);
	insight_free(L.in);
	model_free(L.m);
	store_close(L.s);
	signals_teardown();
	return rc;
}
