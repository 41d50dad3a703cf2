/*
 * What one request costs charon on a connection that stays open, as the
 * monitor's own: K requests of one kind back to back on one VICI session,
 * charon's CPU time over them divided by K, and the round trip of each.
 *
 *   bench-requests [--gap MS] URI CHARON_PID NAME K COMMAND [KEY=VALUE...]
 *
 * With --gap, MS of silence before each request: each then finds charon
 * idle, as a monitor's occasional request does (its threads wake up).
 *
 * charon's CPU is the sum over its threads of the time on a CPU
 * (tools/proc-cpu.h), minus what it used while idle over as long a window
 * measured right after (the lab's charon is not quite silent). Prints
 *   figure: charon_rq_NAME MS ms        (charon CPU per request)
 *   figure: rtt_NAME MS ms              (median round trip, first byte
 *                                        sent to the final reply)
 *   figure: reply_bytes_NAME BYTES bytes (streamed events + reply, one request)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/proc-cpu.h"
#include "vici/vici.h"

struct bench {
	struct vici_session *s;
	bool done;
	int err;
	size_t bytes;
};

static double clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void on_reply(void *ctx, int err, const struct vici_msg *m)
{
	struct bench *b = ctx;
	b->bytes += m->len;
	if (!m->final)
		return;
	b->err = err;
	b->done = true;
	if (err)
		fprintf(stderr, "bench-requests: %s\n", m->error ? m->error : "failed");
}

static int run(struct bench *b)
{
	double deadline = clock_ms() + 60000;
	while (!b->done) {
		if (clock_ms() > deadline)
			return -ETIMEDOUT;
		struct pollfd pfd = {.fd = vici_session_fd(b->s),
		                     .events = vici_session_events(b->s)};
		if (pfd.fd < 0) {
			fprintf(stderr, "bench-requests: %s\n", vici_session_error(b->s));
			return -ENOTCONN;
		}
		int to = vici_session_poll_timeout(b->s, vici_now_ms(), 1000);
		if (poll(&pfd, 1, to) < 0 && errno != EINTR)
			return -errno;
		vici_session_handle(b->s, pfd.revents);
	}
	return b->err;
}

static int request(struct bench *b, const char *cmd, char **kv, int nkv)
{
	struct vici_builder bl;
	vici_builder_init(&bl);
	for (int i = 0; i < nkv; i++) {
		char *eq = strchr(kv[i], '=');
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		vici_builder_add_str(&bl, kv[i], eq + 1);
		*eq = '=';
	}
	b->done = false;
	b->err = 0;
	b->bytes = 0;
	int r = vici_session_call_builder(b->s, cmd, &bl, NULL, on_reply, b, NULL);
	return r < 0 ? r : run(b);
}

int main(int argc, char **argv)
{
	int gap = 0;
	if (argc > 2 && !strcmp(argv[1], "--gap")) {
		gap = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 6) {
		fprintf(stderr,
		        "usage: bench-requests URI CHARON_PID NAME K COMMAND [KEY=VALUE...]\n");
		return 2;
	}
	int pid = atoi(argv[2]), k = atoi(argv[4]);
	const char *name = argv[3], *cmd = argv[5];
	if (pid <= 0 || k < 1 || k > 100000 || proc_cpu_ms(pid) < 0) {
		fprintf(stderr, "bench-requests: bad pid or K\n");
		return 2;
	}
	struct vici_session_config cfg = {0};
	cfg.uri = argv[1];
	cfg.no_reconnect = true;
	cfg.request_timeout_ms = 60000;
	struct bench b = {0};
	b.s = vici_session_new(&cfg);
	/* connect and warm up (the first list also fills charon's caches) */
	if (request(&b, cmd, argv + 6, argc - 6) < 0)
		return 1;
	double *rtt = calloc((size_t)k, sizeof(*rtt));
	if (!rtt)
		return 1;
	double c0 = proc_cpu_ms(pid), w0 = clock_ms();
	double slept = 0;
	for (int i = 0; i < k; i++) {
		if (gap > 0) {
			struct timespec g = {gap / 1000, (long)(gap % 1000) * 1000000L};
			nanosleep(&g, NULL);
			slept += gap;
		}
		double t = clock_ms();
		if (request(&b, cmd, argv + 6, argc - 6) < 0)
			return 1;
		rtt[i] = clock_ms() - t;
	}
	double busy = proc_cpu_ms(pid) - c0, wall = clock_ms() - w0;
	/* charon's idle rate over a window as long */
	double i0 = proc_cpu_ms(pid);
	double nap = wall < 5000 ? wall : 5000;
	struct timespec ts = {(time_t)(nap / 1000),
	                      (long)((nap - (double)(time_t)(nap / 1000) * 1000) * 1e6)};
	nanosleep(&ts, NULL);
	double idle_rate = (proc_cpu_ms(pid) - i0) / (wall < 5000 ? wall : 5000);
	double per = (busy - idle_rate * wall) / k;
	(void)slept;
	qsort(rtt, (size_t)k, sizeof(*rtt), cmp_double);
	printf("# %d x %s: charon %.1f ms busy over %.0f ms (idle rate %.3f ms/s)\n", k, cmd, busy,
	       wall, idle_rate * 1000);
	printf("figure: charon_rq_%s %.3f ms\n", name, per < 0 ? 0 : per);
	printf("figure: rtt_%s %.3f ms\n", name, rtt[k / 2]);
	printf("figure: reply_bytes_%s %zu bytes\n", name, b.bytes);
	free(rtt);
	vici_session_free(b.s);
	return 0;
}
