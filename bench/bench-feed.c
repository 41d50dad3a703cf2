/*
 * The monitor's feed (src/app/feed.h) without a terminal, as a recorder
 * would run it: against URI for SECONDS, with a window of ROWS IKE SAs "on
 * screen" (the first ones by unique id) and the first of them selected.
 * Prints what it asked charon, what each kind of request cost (as learned
 * from the round trips), the periods the budget gave, and with a charon pid
 * the CPU charon spent over the run.
 *
 *   bench-feed URI SECONDS [ROWS [BUDGET [INTERVAL_MS [CHARON_PID]]]]
 *
 * Figures: feed_load (the policy's own estimate, ms/s), feed_charon (charon
 * CPU over the run, ms/s, when a pid is given), feed_sweep_period (ms).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/feed.h"
#include "tools/proc-cpu.h"
#include "vici/vici.h"

struct run {
	struct model *m;
	size_t rows;
	size_t requests;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The first rows IKE SAs by unique id, the first one selected. */
static size_t window(void *ctx, uint32_t *ids, size_t max, uint32_t *selected, uint32_t *detail)
{
	struct run *r = ctx;
	size_t n = model_ike_count(r->m), k = 0;
	uint32_t *all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		return 0;
	for (size_t i = 0; i < n; i++)
		all[i] = model_ike_at(r->m, i)->uniqueid;
	qsort(all, n, sizeof(*all), cmp_u32);
	for (; k < n && k < r->rows && k < max; k++)
		ids[k] = all[k];
	*selected = k ? ids[0] : 0;
	*detail = 0;
	free(all);
	return k;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench-feed URI SECONDS [ROWS [BUDGET [INTERVAL_MS "
		                "[CHARON_PID]]]]\n");
		return 2;
	}
	double secs = atof(argv[2]);
	struct run r = {0};
	r.rows = argc > 3 ? (size_t)atoi(argv[3]) : 18;
	double budget = argc > 4 ? atof(argv[4]) : FEED_BUDGET_DEFAULT;
	int interval = argc > 5 ? atoi(argv[5]) : 1500;
	int pid = argc > 6 ? atoi(argv[6]) : 0;
	r.m = model_new(NULL);
	struct feed_config c = {
	        .uri = argv[1],
	        .model = r.m,
	        .interval_ms = interval,
	        .budget = budget,
	        .window = window,
	        .ctx = &r,
	};
	struct feed *f = feed_new(&c);
	int64_t start = vici_now_ms(), end = start + (int64_t)(secs * 1000);
	double c0 = pid ? proc_cpu_ms(pid) : 0;
	for (int64_t now = start; now < end; now = vici_now_ms()) {
		struct pollfd fds[4];
		void *tags[4];
		size_t n = feed_pollfds(f, fds, tags, 4);
		int64_t d = feed_deadline(f);
		int64_t to = d < 0 ? 1000 : d - now;
		if (to > 1000)
			to = 1000;
		if (to < 0)
			to = 0;
		if (poll(fds, n, (int)to) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < n; i++)
			if (fds[i].revents)
				feed_handle(f, tags[i], fds[i].revents);
		feed_tick(f, vici_now_ms());
		model_take_changes(r.m);
	}
	double wall = (double)(vici_now_ms() - start) / 1000.0;
	const struct refresh_costs *k = feed_costs(f);
	const struct refresh_periods *p = feed_periods(f);
	static const char *const names[REFRESH_KIND_COUNT] = {
	        "",       "list-sas ike-id", "list-sas (per SA)",
	        "stats",  "list-conns",      "list-policies",
	        "version"};
	printf("# %zu IKE SAs, %u sweeps in %.0f s\n", model_ike_count(r.m), feed_sweeps(f), wall);
	for (int i = 1; i < REFRESH_KIND_COUNT; i++)
		printf("# cost %-18s warm %8.3f ms%s, cold %8.3f ms%s, %lu sent\n", names[i],
		       k->ms[0][i], k->learned[0][i] ? "" : " (guess)", k->ms[1][i],
		       k->learned[1][i] ? "" : " (guess)", feed_sent(f, (enum refresh_kind)i));
	printf("# periods: selected %lld, visible %lld, sweep %lld, stats %lld, conns %lld, pols "
	       "%lld ms\n",
	       (long long)p->selected, (long long)p->visible, (long long)p->sweep,
	       (long long)p->stats, (long long)p->conns, (long long)p->pols);
	printf("figure: feed_load %.2f ms/s\n", p->load);
	printf("figure: feed_sweep_period %lld ms\n", (long long)p->sweep);
	if (pid)
		printf("figure: feed_charon %.2f ms/s\n", (proc_cpu_ms(pid) - c0) / wall);
	feed_free(f);
	model_free(r.m);
	return 0;
}
