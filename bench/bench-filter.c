/*
 * The "/" filter (src/model/filter.c) over the SA tree as the SA pane shows
 * it: N IKE SAs (default 10000) with C CHILD SAs each (default 2), made with
 * tools/listsa-gen and ingested into the model, unfolded into a view of
 * N * (1 + C) rows (30000 by default), with the diagnosis engine's verdicts
 * on them as the monitor has them. For each filter below, one keystroke is
 * timed the way the monitor runs it: the text set on the SA pane
 * (pane_filter_changed(): compiled against the pane's field table) and the
 * pane's view rebuilt (model_view_refresh(): every row matched, the order
 * kept). Free text looks at the visible fields, "why" among them.
 *
 *   bench-filter [runs [ike-sas [child-sas]]]
 *
 * Prints "figure: NAME VALUE UNIT" lines, CPU time, the median of the runs:
 *   filter_30k_<label>  one keystroke with that filter
 *   filter_30k_ms       the slowest of the realistic filters
 *   filter_30k_worst    a regular expression with no literal text in it,
 *                       run on every visible field of every row
 *   filter_30k_none     the same rebuild without a filter (what the view
 *                       costs anyway)
 * ("30k" is the default number of rows; other sizes print their own.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/diag.h"
#include "model/filter.h"
#include "model/model.h"
#include "tools/listsa-gen.h"
#include "ui/pane.h"

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* ---- the benchmark -------------------------------------------------------- */

static const struct {
	const char *label, *text;
	bool worst; /* not one of the realistic ones */
} filters[] = {
        {"word", "gw-1234", false},
        {"address", "10.17.", false},
        {"state", "state=installed", false},
        {"negated", "!established", false},
        {"regex", "^gw-12[0-9]{2}$", false},
        {"fields", "remote~^198\\.51\\.1[0-9]\\. child=lan", false},
        {"proposal", "aes.*sha2 !curve", false},
        {"three", "gw-1 lan !dmz", false},
        {"problems", "is:problem", false},
        {"none", "", true},
        {"worst", "[0-9]{3}[a-f]$", true},
};
#define N_FILTERS (sizeof(filters) / sizeof(filters[0]))

/* One keystroke: the pane's filter set, its view rebuilt. */
static size_t run_once(struct pane *p, struct model_view *v, const char *text, double *ms)
{
	double t0 = cpu_ms();
	snprintf(p->filter, sizeof(p->filter), "%s", text);
	if (pane_filter_changed(p)) {
		fprintf(stderr, "bench-filter: %s\n", p->filter_err);
		exit(1);
	}
	model_view_refresh(v);
	*ms = cpu_ms() - t0;
	return model_view_count(v);
}

int main(int argc, char **argv)
{
	unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : 21;
	unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 10000;
	unsigned nchild = argc > 3 ? (unsigned)atoi(argv[3]) : 2;
	if (runs < 1 || runs > 10000 || n < 1 || n > 1000000 || nchild > 100) {
		fprintf(stderr, "usage: bench-filter [runs [ike-sas [child-sas]]]\n");
		return 2;
	}
	struct model *m = model_new(NULL);
	struct model_view *v = model_view_new(m);
	model_sweep_begin(m, MODEL_TABLE_SAS, 0, 1000);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *msg;
		size_t len;
		if (listsa_gen_message(i, nchild, &msg, &len) < 0 ||
		    model_ingest_list_sa(m, msg, len, 1000) < 0) {
			fprintf(stderr, "bench-filter: message %u failed\n", i);
			return 1;
		}
		free(msg);
	}
	model_sweep_end(m, MODEL_TABLE_SAS, 1000);
	struct diag *d = diag_new(NULL);
	diag_update(d, m, DIAG_TABLES_ALL, 1000);
	model_view_fold_all(v, false);
	model_view_refresh(v);
	struct pane p;
	struct pane_init in = {m, v, NULL};
	pane_init(&p, &pane_sas_ops, &in);
	struct pane_ctx c = {.model = m, .diag = d, .now = 1000};
	pane_env_update(&p, &c);
	size_t rows = model_view_count(v);
	char size[32];
	if (rows % 1000 == 0)
		snprintf(size, sizeof(size), "%zuk", rows / 1000);
	else
		snprintf(size, sizeof(size), "%zu", rows);
	printf("# %u IKE SAs x %u CHILD SAs: %zu rows, %u runs per filter (median CPU time)\n", n,
	       nchild, rows, runs);

	double *t = calloc(runs, sizeof(*t)), slowest = 0;
	if (!t)
		return 1;
	for (size_t k = 0; k < N_FILTERS; k++) {
		size_t hits = 0;
		for (unsigned r = 0; r < runs; r++)
			hits = run_once(&p, v, filters[k].text, &t[r]);
		qsort(t, runs, sizeof(*t), cmp_double);
		double med = t[runs / 2];
		printf("# %-9s %-45s %6zu rows match, slowest run %.2f ms\n", filters[k].label,
		       filters[k].text, hits, t[runs - 1]);
		printf("figure: filter_%s_%s %.2f ms\n", size, filters[k].label, med);
		if (!filters[k].worst && med > slowest)
			slowest = med;
	}
	printf("figure: filter_%s_ms %.2f ms\n", size, slowest);
	free(t);
	pane_destroy(&p);
	diag_free(d);
	model_view_free(v);
	model_free(m);
	return 0;
}
