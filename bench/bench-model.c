/*
 * The model under a full list-sa sweep at scale: N IKE SAs (default 10000)
 * with C CHILD SAs each (default 2), as realistic list-sa event bodies in
 * charon 5.9.8's layout (listsa-gen.h), are built in memory once and then
 * ingested as sweeps (model_sweep_begin, one model_ingest_list_sa per event,
 * model_sweep_end) again and again; every sweep after the first updates
 * every SA and CHILD SA in place.
 *
 *   bench-model [sweeps [ike-sas [child-sas]]]
 *
 * Prints "figure: NAME VALUE UNIT" lines:
 *   model_sweep_10k       median CPU time of one steady-state sweep
 *   model_sweep_first_10k the first sweep (every SA created)
 *   model_view_10k        rebuilding the sorted SA tree view after a sweep
 *   view_sort_KEY_10k     sorting the SA tree anew by KEY (s or :sort: name,
 *                         state, remote, bytes, rate, rekey, expire), the
 *                         rows rebuilt and the selection found again
 *   view_sort_max_10k     the slowest of those
 *   model_rss_10k         resident size of the whole process holding the
 *                         model and a view after three sweeps, messages
 *                         generated one at a time and freed after ingest
 *   model_heap_10k        of which malloc'd and in use (mallinfo2)
 * (the "10k" in the names is the default size; other sizes print their own
 * number).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/listsa-gen.h"
#include "model/model.h"

/* CPU time: the machine is shared with builds and tests. */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double rss_mb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lf kB", &kb) == 1)
			break;
	fclose(f);
	return kb / 1024.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void sweep(struct model *m, uint8_t **msg, const size_t *len, unsigned n, int64_t now)
{
	model_sweep_begin(m, MODEL_TABLE_SAS, 0, now);
	for (unsigned i = 0; i < n; i++) {
		if (model_ingest_list_sa(m, msg[i], len[i], now) < 0) {
			fprintf(stderr, "bench-model: message %u refused\n", i);
			exit(1);
		}
	}
	model_sweep_end(m, MODEL_TABLE_SAS, now);
}

static const char *size_name(unsigned n, char *buf, size_t size)
{
	if (n % 1000 == 0)
		snprintf(buf, size, "%uk", n / 1000);
	else
		snprintf(buf, size, "%u", n);
	return buf;
}

int main(int argc, char **argv)
{
	unsigned sweeps = argc > 1 ? (unsigned)atoi(argv[1]) : 20;
	unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 10000;
	unsigned nchild = argc > 3 ? (unsigned)atoi(argv[3]) : 2;
	char nm[32];
	if (sweeps < 1 || n < 1 || sweeps > 100000 || n > 1000000 || nchild > 100) {
		fprintf(stderr, "usage: bench-model [sweeps [ike-sas [child-sas]]]\n");
		return 2;
	}
	size_name(n, nm, sizeof(nm));

	/* Memory first, in a fresh heap, the way the program receives messages:
	 * one at a time, freed right after it was ingested. */
	double rss0 = rss_mb();
	struct model *mm = model_new(NULL);
	struct model_view *mv = model_view_new(mm);
	for (int k = 0; k < 3; k++) {
		model_sweep_begin(mm, MODEL_TABLE_SAS, 0, 1000 + 2000 * k);
		for (unsigned i = 0; i < n; i++) {
			uint8_t *one;
			size_t one_len;
			if (listsa_gen_message(i, nchild, &one, &one_len) < 0 ||
			    model_ingest_list_sa(mm, one, one_len, 1000 + 2000 * k) < 0) {
				fprintf(stderr, "bench-model: message %u failed\n", i);
				return 1;
			}
			free(one);
		}
		model_sweep_end(mm, MODEL_TABLE_SAS, 1000 + 2000 * k);
		model_view_refresh(mv);
	}
	double rss = rss_mb();
	struct mallinfo2 mi = mallinfo2();
	double heap = (double)mi.uordblks / (1024.0 * 1024.0);
	double heap_free = (double)mi.fordblks / (1024.0 * 1024.0);
	double heap_mmap = (double)mi.hblkhd / (1024.0 * 1024.0);
	model_view_free(mv);
	model_free(mm);
	malloc_trim(0);

	uint8_t **msg = calloc(n, sizeof(*msg));
	size_t *len = calloc(n, sizeof(*len));
	size_t total = 0;
	if (!msg || !len)
		return 1;
	for (unsigned i = 0; i < n; i++) {
		if (listsa_gen_message(i, nchild, &msg[i], &len[i]) < 0) {
			fprintf(stderr, "bench-model: generator failed\n");
			return 1;
		}
		total += len[i];
	}

	struct model *m = model_new(NULL);
	struct model_view *v = model_view_new(m);
	double t0 = cpu_ms();
	sweep(m, msg, len, n, 1000);
	double first = cpu_ms() - t0;
	if (model_ike_count(m) != n) {
		fprintf(stderr, "bench-model: %zu IKE SAs after the sweep, want %u\n",
		        model_ike_count(m), n);
		return 1;
	}

	double *t = calloc(sweeps, sizeof(*t));
	double *tv = calloc(sweeps, sizeof(*tv));
	if (!t || !tv)
		return 1;
	for (unsigned k = 0; k < sweeps; k++) {
		double a = cpu_ms();
		sweep(m, msg, len, n, 2000 + 2000 * (int64_t)k);
		double b = cpu_ms();
		model_view_refresh(v);
		tv[k] = cpu_ms() - b;
		t[k] = b - a;
	}
	qsort(t, sweeps, sizeof(*t), cmp_double);
	qsort(tv, sweeps, sizeof(*tv), cmp_double);
	/* A new order, as s or :sort asks for it: each key from the name
	 * order (the one before it), median of the runs. */
	static const struct {
		const char *name;
		enum model_sort key;
	} keys[] = {
	        {"name", MODEL_SORT_NAME},     {"state", MODEL_SORT_STATE},
	        {"remote", MODEL_SORT_REMOTE}, {"bytes", MODEL_SORT_BYTES},
	        {"rate", MODEL_SORT_RATE},     {"rekey", MODEL_SORT_REKEY},
	        {"expire", MODEL_SORT_EXPIRE},
	};
	double ts[sizeof(keys) / sizeof(keys[0])], ts_max = 0;
	model_view_select(v, model_view_count(v) / 2);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		double *runs = calloc(sweeps, sizeof(*runs));
		if (!runs)
			return 1;
		for (unsigned r = 0; r < sweeps; r++) {
			model_view_set_sort(v,
			                    keys[k].key == MODEL_SORT_NAME ? MODEL_SORT_STATE
			                                                   : MODEL_SORT_NAME,
			                    false);
			model_view_refresh(v);
			double a = cpu_ms();
			model_view_set_sort(v, keys[k].key, false);
			model_view_refresh(v);
			runs[r] = cpu_ms() - a;
		}
		qsort(runs, sweeps, sizeof(*runs), cmp_double);
		ts[k] = runs[sweeps / 2];
		ts_max = ts[k] > ts_max ? ts[k] : ts_max;
		free(runs);
	}
	struct model_counts c;
	model_counts_get(m, &c);

	for (unsigned i = 0; i < n; i++)
		free(msg[i]);
	free(msg);
	free(len);

	printf("# %u IKE SAs, %zu CHILD SAs, %.1f MB of list-sa events per sweep, %u sweeps\n", n,
	       c.children, (double)total / 1e6, sweeps);
	printf("# process RSS before the model: %.1f MB; view rows: %zu\n", rss0,
	       model_view_count(v));
	printf("# malloc: %.1f MB in use, %.1f MB mmapped, %.1f MB free inside the heap\n", heap,
	       heap_mmap, heap_free);
	printf("figure: model_sweep_%s %.2f ms\n", nm, t[sweeps / 2]);
	printf("figure: model_sweep_first_%s %.2f ms\n", nm, first);
	printf("figure: model_view_%s %.2f ms\n", nm, tv[sweeps / 2]);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		printf("figure: view_sort_%s_%s %.2f ms\n", keys[k].name, nm, ts[k]);
	printf("figure: view_sort_max_%s %.2f ms\n", nm, ts_max);
	printf("figure: model_rss_%s %.1f MB\n", nm, rss);
	printf("figure: model_heap_%s %.1f MB\n", nm, heap);
	free(t);
	free(tv);
	model_view_free(v);
	model_free(m);
	return 0;
}
