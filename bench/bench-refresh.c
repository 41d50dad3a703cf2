/*
 * Client CPU per full SA refresh, as the monitor does it: one long-lived VICI
 * session (src/vici), `list-sas noblock=yes` again and again, every list-sa
 * stream event fed to the model (model_sweep_begin, model_ingest_event per
 * event, model_sweep_end), exactly the path of src/app/vici.c. Only the
 * drawing is left out (the screen shows a few dozen rows of it).
 *
 *   bench-refresh URI [runs [warmup]]
 *
 * Time is this process's CPU time (CLOCK_PROCESS_CPUTIME_ID: user + system,
 * so the socket reads count too) from sending the request to the end of the
 * sweep; wall time is printed alongside. Prints one line per run and then
 *   figure: refresh_cpu_<N> MEDIAN ms     (N: IKE SAs seen, "10k" style)
 *   figure: refresh_wall_<N> MEDIAN ms
 *   figure: refresh_bytes_<N> BYTES bytes (list-sa bodies per refresh)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model.h"
#include "vici/vici.h"

struct bench {
	struct vici_session *s;
	struct model *m;
	bool done;
	int err;
	size_t events, bytes;
};

static double clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The monitor's on_list()/on_sas() without the bookkeeping of its screen. */
static void on_sas(void *ctx, int err, const struct vici_msg *m)
{
	struct bench *b = ctx;
	if (!m->final) {
		if (err == 0) {
			model_ingest_event(b->m, m->name, strlen(m->name), m->data, m->len,
					   m->received);
			b->events++;
			b->bytes += m->len;
		}
		return;
	}
	if (err == 0)
		model_sweep_end(b->m, MODEL_TABLE_SAS, m->received);
	else
		model_sweep_abort(b->m, MODEL_TABLE_SAS);
	b->err = err;
	b->done = true;
	if (err)
		fprintf(stderr, "bench-refresh: list-sas: %s\n", m->error ? m->error : "failed");
}

/* Runs the session until b->done or the deadline (ms of wall time). */
static int run_until_done(struct bench *b, double deadline)
{
	while (!b->done) {
		if (clock_ms(CLOCK_MONOTONIC) > deadline) {
			fprintf(stderr, "bench-refresh: no answer in time\n");
			return -ETIMEDOUT;
		}
		struct pollfd pfd = {.fd = vici_session_fd(b->s), .events = vici_session_events(b->s)};
		int to = vici_session_poll_timeout(b->s, vici_now_ms(), 1000);
		if (pfd.fd < 0) {
			fprintf(stderr, "bench-refresh: %s\n", vici_session_error(b->s));
			return -ENOTCONN;
		}
		if (poll(&pfd, 1, to) < 0 && errno != EINTR)
			return -errno;
		vici_session_handle(b->s, pfd.revents);
	}
	return b->err;
}

static int refresh(struct bench *b)
{
	struct vici_builder bl;
	vici_builder_init(&bl);
	vici_builder_add_str(&bl, "noblock", "yes");
	b->done = false;
	b->err = 0;
	b->events = b->bytes = 0;
	model_sweep_begin(b->m, MODEL_TABLE_SAS, 0, vici_now_ms());
	int r = vici_session_call_builder(b->s, "list-sas", &bl, NULL, on_sas, b, NULL);
	if (r < 0) {
		model_sweep_abort(b->m, MODEL_TABLE_SAS);
		fprintf(stderr, "bench-refresh: list-sas: %s\n", strerror(-r));
		return r;
	}
	return run_until_done(b, clock_ms(CLOCK_MONOTONIC) + 60000);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: bench-refresh URI [runs [warmup]]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 7;
	int warmup = argc > 3 ? atoi(argv[3]) : 2;
	if (runs < 1 || runs > 1000 || warmup < 0 || warmup > 100) {
		fprintf(stderr, "bench-refresh: runs must be 1..1000, warmup 0..100\n");
		return 2;
	}
	struct vici_session_config cfg = {0};
	cfg.uri = argv[1];
	cfg.no_reconnect = true;
	cfg.request_timeout_ms = 60000;
	struct bench b = {0};
	b.s = vici_session_new(&cfg);
	b.m = model_new(NULL);

	double *cpu = calloc((size_t)runs, sizeof(*cpu));
	double *wall = calloc((size_t)runs, sizeof(*wall));
	if (!cpu || !wall)
		return 1;
	/* The first refresh creates every SA in the model (and connects): a
	 * warm-up, like the monitor's start, not its steady state. */
	for (int i = 0; i < warmup; i++)
		if (refresh(&b) < 0)
			return 1;
	size_t ikes = 0;
	for (int i = 0; i < runs; i++) {
		double w0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
		if (refresh(&b) < 0)
			return 1;
		cpu[i] = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
		wall[i] = clock_ms(CLOCK_MONOTONIC) - w0;
		ikes = model_ike_count(b.m);
		printf("# run %d: %zu list-sa events, %zu bytes, cpu %.2f ms, wall %.2f ms\n", i + 1,
		       b.events, b.bytes, cpu[i], wall[i]);
	}
	struct model_counts c;
	model_counts_get(b.m, &c);
	qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_double);
	qsort(wall, (size_t)runs, sizeof(*wall), cmp_double);
	char nm[32];
	if (ikes % 1000 == 0 && ikes)
		snprintf(nm, sizeof(nm), "%zuk", ikes / 1000);
	else
		snprintf(nm, sizeof(nm), "%zu", ikes);
	printf("# model: %zu IKE SAs, %zu CHILD SAs; %d runs after %d warm-up\n", c.ikes,
	       c.children, runs, warmup);
	printf("figure: refresh_cpu_%s %.2f ms\n", nm, cpu[runs / 2]);
	printf("figure: refresh_wall_%s %.2f ms\n", nm, wall[runs / 2]);
	printf("figure: refresh_bytes_%s %zu bytes\n", nm, b.bytes);
	free(cpu);
	free(wall);
	model_free(b.m);
	vici_session_free(b.s);
	return 0;
}
