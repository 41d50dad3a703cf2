/*
 * The "/" filter (src/model/filter.c) over the SA tree as the SA pane shows
 * it: N IKE SAs (default 10000) with C CHILD SAs each (default 2), made with
 * tools/listsa-gen and ingested into the model, unfolded into a view of
 * N * (1 + C) rows (30000 by default). For each filter below, one keystroke
 * is timed as the monitor would do it: compile the text, match every row.
 * The field table is the SA pane's columns (see sa_fields below); free
 * text looks at the visible ones.
 *
 *   bench-filter [runs [ike-sas [child-sas]]]
 *
 * Prints "figure: NAME VALUE UNIT" lines, CPU time, the median of the runs:
 *   filter_30k_<label>  one keystroke with that filter
 *   filter_30k_ms       the slowest of the realistic filters
 *   filter_30k_worst    a regular expression with no literal text in it,
 *                       run on every visible field of every row
 * ("30k" is the default number of rows; other sizes print their own.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/filter.h"
#include "model/model.h"
#include "tools/listsa-gen.h"

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

/* ---- the SA pane's fields over struct model_row -------------------------- */

#define ROW(r) ((const struct model_row *)(r))

static bool visit_str(struct model_str s, filter_visit_fn visit, void *ctx)
{
	return visit(ctx, s.s, s.len);
}

static bool visit_list(const struct model_list *l, filter_visit_fn visit, void *ctx)
{
	struct model_list_iter it;
	struct model_str s;
	model_list_iter_init(&it, l);
	while (model_list_next(&it, &s))
		if (visit(ctx, s.s, s.len))
			return true;
	return false;
}

static bool visit_u32(uint32_t v, filter_visit_fn visit, void *ctx)
{
	char buf[16];
	return visit(ctx, buf, (size_t)snprintf(buf, sizeof(buf), "%u", v));
}

static bool get_name(const void *r, filter_visit_fn visit, void *ctx)
{
	return visit_str(ROW(r)->ike->name, visit, ctx);
}

static bool get_child(const void *r, filter_visit_fn visit, void *ctx)
{
	return ROW(r)->child && visit_str(ROW(r)->child->name, visit, ctx);
}

static bool get_state(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_row *mr = ROW(r);
	return visit_str(mr->child ? mr->child->state_name : mr->ike->state_name, visit, ctx);
}

static bool get_local(const void *r, filter_visit_fn visit, void *ctx)
{
	return visit_str(ROW(r)->ike->local_host, visit, ctx);
}

static bool get_remote(const void *r, filter_visit_fn visit, void *ctx)
{
	return visit_str(ROW(r)->ike->remote_host, visit, ctx);
}

static bool get_id(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_ike *ike = ROW(r)->ike;
	return visit_str(ike->local_id, visit, ctx) || visit_str(ike->remote_id, visit, ctx) ||
	       (ike->remote_eap_id.len && visit_str(ike->remote_eap_id, visit, ctx)) ||
	       (ike->remote_xauth_id.len && visit_str(ike->remote_xauth_id, visit, ctx));
}

static bool get_vip(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_ike *ike = ROW(r)->ike;
	return visit_list(&ike->local_vips, visit, ctx) ||
	       visit_list(&ike->remote_vips, visit, ctx);
}

static bool get_version(const void *r, filter_visit_fn visit, void *ctx)
{
	unsigned v = ROW(r)->ike->version;
	return v && visit(ctx, v == 1 ? "IKEv1" : "IKEv2", 5);
}

/* "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519": what the algorithms column
 * shows, put together without printf as it runs for every row. */
static size_t put(char *buf, size_t n, const char *sep, struct model_str s)
{
	if (!s.len || n + 1 + s.len > 150)
		return n;
	if (n && sep)
		buf[n++] = *sep;
	memcpy(buf + n, s.s, s.len);
	return n + s.len;
}

static bool get_proposal(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_row *mr = ROW(r);
	const struct model_child *c = mr->child;
	const struct model_ike *ike = mr->ike;
	char buf[160], ks[12];
	uint32_t k = c ? c->encr_keysize : ike->encr_keysize;
	size_t n = put(buf, 0, NULL, c ? c->encr_alg : ike->encr_alg), kn = sizeof(ks);
	do
		ks[--kn] = (char)('0' + k % 10);
	while (k /= 10);
	ks[--kn] = '_';
	n = put(buf, n, NULL, (struct model_str){ks + kn, (uint32_t)(sizeof(ks) - kn)});
	n = put(buf, n, "/", c ? c->integ_alg : ike->integ_alg);
	n = put(buf, n, "/", c ? (struct model_str){"", 0} : ike->prf_alg);
	n = put(buf, n, "/", c ? c->dh_group : ike->dh_group);
	return visit(ctx, buf, n);
}

static bool get_spi(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_row *mr = ROW(r);
	if (mr->child)
		return visit_str(mr->child->spi_in, visit, ctx) ||
		       visit_str(mr->child->spi_out, visit, ctx);
	return visit_str(mr->ike->initiator_spi, visit, ctx) ||
	       visit_str(mr->ike->responder_spi, visit, ctx);
}

static bool get_ts(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_child *c = ROW(r)->child;
	return c && (visit_list(&c->local_ts, visit, ctx) || visit_list(&c->remote_ts, visit, ctx));
}

static bool get_mode(const void *r, filter_visit_fn visit, void *ctx)
{
	return ROW(r)->child && visit_str(ROW(r)->child->mode, visit, ctx);
}

static bool get_reqid(const void *r, filter_visit_fn visit, void *ctx)
{
	return ROW(r)->child && visit_u32(ROW(r)->child->reqid, visit, ctx);
}

static bool get_uniqueid(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_row *mr = ROW(r);
	return visit_u32(mr->child ? mr->child->uniqueid : mr->ike->uniqueid, visit, ctx);
}

static const struct filter_field sa_fields[] = {
        {"name", true, get_name},
        {"child", true, get_child},
        {"state", true, get_state},
        {"local", true, get_local},
        {"remote", true, get_remote},
        {"id", true, get_id},
        {"vip", true, get_vip},
        {"proposal", true, get_proposal},
        {"alg", false, get_proposal},
        {"spi", true, get_spi},
        {"ts", true, get_ts},
        {"mode", true, get_mode},
        {"version", false, get_version},
        {"reqid", false, get_reqid},
        {"uniqueid", false, get_uniqueid},
};
#define N_FIELDS (sizeof(sa_fields) / sizeof(sa_fields[0]))

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
        {"worst", "[0-9]{3}[a-f]$", true},
};
#define N_FILTERS (sizeof(filters) / sizeof(filters[0]))

static size_t run_once(const char *text, const struct model_view *v, double *ms)
{
	char err[512];
	struct filter *f;
	double t0 = cpu_ms();
	if (filter_compile(text, sa_fields, N_FIELDS, &f, err, sizeof(err))) {
		fprintf(stderr, "bench-filter: %s\n", err);
		exit(1);
	}
	size_t n = model_view_count(v), hits = 0;
	for (size_t i = 0; i < n; i++)
		hits += filter_match(f, model_view_row(v, i));
	filter_free(f);
	*ms = cpu_ms() - t0;
	return hits;
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
	model_view_fold_all(v, false);
	model_view_refresh(v);
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
			hits = run_once(filters[k].text, v, &t[r]);
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
	model_view_free(v);
	model_free(m);
	return 0;
}
