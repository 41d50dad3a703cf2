/*
 * History as the panes show it (see hist.h): copies of the store's
 * records, flap counts and rate series in sorted arrays, looked up by
 * binary search while rows are drawn.
 */
#include "ui/hist.h"

#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

void hist_list_clear(struct hist_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].blob);
	l->n = 0;
}

static void list_free(struct hist_list *l)
{
	hist_list_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void hist_flaps_clear(struct hist *h)
{
	for (size_t i = 0; i < h->n_flaps; i++)
		free(h->flaps[i].conn);
	free(h->flaps);
	h->flaps = NULL;
	h->n_flaps = 0;
	h->gen++;
}

void hist_rates_clear(struct hist *h)
{
	for (size_t i = 0; i < h->n_rates; i++) {
		free(h->rates[i].conn);
		free(h->rates[i].child);
	}
	free(h->rates);
	h->rates = NULL;
	h->n_rates = 0;
	h->gen++;
}

void hist_reset(struct hist *h)
{
	hist_flaps_clear(h);
	hist_rates_clear(h);
	hist_list_clear(&h->tl.recs);
	free(h->tl.conn);
	h->tl.conn = NULL;
	h->tl.complete = false;
	hist_list_clear(&h->back.recs);
	h->back.complete = false;
	h->gen++;
}

void hist_free(struct hist *h)
{
	hist_reset(h);
	list_free(&h->tl.recs);
	list_free(&h->back.recs);
	free(h->tl.want_conn);
	memset(h, 0, sizeof(*h));
}

/* ---- records ------------------------------------------------------------- */

void hist_list_add(struct hist_list *l, const struct store_event *ev)
{
	const struct model_str *src[] = {&ev->kind_word, &ev->conn,   &ev->child,
	                                 &ev->state,     &ev->remote, &ev->detail,
	                                 &ev->code,      &ev->side,   &ev->evidence};
	size_t n = sizeof(src) / sizeof(src[0]), total = 0;
	for (size_t i = 0; i < n; i++)
		total += src[i]->len + 1;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	struct hist_rec *r = &l->v[l->n++];
	r->ev = *ev;
	r->blob = xmalloc(total);
	struct model_str *dst[] = {&r->ev.kind_word, &r->ev.conn,   &r->ev.child,
	                           &r->ev.state,     &r->ev.remote, &r->ev.detail,
	                           &r->ev.code,      &r->ev.side,   &r->ev.evidence};
	char *p = r->blob;
	for (size_t i = 0; i < n; i++) {
		if (src[i]->len)
			memcpy(p, src[i]->s, src[i]->len);
		p[src[i]->len] = '\0';
		*dst[i] = (struct model_str){p, src[i]->len};
		p += src[i]->len + 1;
	}
}

/* ---- flaps and rates -------------------------------------------------------- */

static char *dup_str(struct model_str s)
{
	return xstrndup(s.s, s.len);
}

void hist_flaps_add(struct hist *h, struct model_str conn, unsigned ike_down, unsigned child_down)
{
	h->flaps = xreallocarray(h->flaps, h->n_flaps + 1, sizeof(*h->flaps));
	h->flaps[h->n_flaps++] = (struct hist_flap){dup_str(conn), ike_down, child_down};
	h->gen++;
}

/* Names as C strings: a name with a NUL byte is cut there, as everywhere a
 * name is looked up by string. */
static int name_cmp(const char *a, struct model_str b)
{
	size_t la = strlen(a);
	int c = memcmp(a, b.s, la < b.len ? la : b.len);
	return c ? c : la < b.len ? -1 : la > b.len ? 1 : 0;
}

static int rate_cmp(const struct hist_rate *r, struct model_str conn, struct model_str child)
{
	int c = name_cmp(r->conn, conn);
	return c ? c : name_cmp(r->child, child);
}

void hist_rates_add(struct hist *h, struct model_str conn, struct model_str child,
                    const struct store_bucket *b)
{
	h->rates = xreallocarray(h->rates, h->n_rates + 1, sizeof(*h->rates));
	struct hist_rate *r = &h->rates[h->n_rates++];
	memset(r, 0, sizeof(*r));
	r->conn = dup_str(conn);
	r->child = dup_str(child);
	for (size_t i = 0; i < HIST_RATE_BUCKETS; i++) {
		r->in[i] = (float)(b[i].bytes_in * 1000.0 / HIST_RATE_BUCKET_MS);
		r->out[i] = (float)(b[i].bytes_out * 1000.0 / HIST_RATE_BUCKET_MS);
		r->has[i] = b[i].data;
	}
	h->gen++;
}

static int flap_sort(const void *a, const void *b)
{
	return strcmp(((const struct hist_flap *)a)->conn, ((const struct hist_flap *)b)->conn);
}

static int rate_sort(const void *a, const void *b)
{
	const struct hist_rate *x = a, *y = b;
	int c = strcmp(x->conn, y->conn);
	return c ? c : strcmp(x->child, y->child);
}

void hist_sort(struct hist *h)
{
	if (h->n_flaps)
		qsort(h->flaps, h->n_flaps, sizeof(*h->flaps), flap_sort);
	if (!h->n_rates)
		return;
	qsort(h->rates, h->n_rates, sizeof(*h->rates), rate_sort);
	/* the series of one CHILD under several reqids add up */
	size_t k = 0;
	for (size_t i = 1; i < h->n_rates; i++) {
		struct hist_rate *a = &h->rates[k], *b = &h->rates[i];
		if (strcmp(a->conn, b->conn) || strcmp(a->child, b->child)) {
			h->rates[++k] = *b;
			continue;
		}
		for (size_t j = 0; j < HIST_RATE_BUCKETS; j++) {
			a->in[j] += b->in[j];
			a->out[j] += b->out[j];
			a->has[j] = a->has[j] || b->has[j];
		}
		free(b->conn);
		free(b->child);
	}
	h->n_rates = k + 1;
}

const struct hist_flap *hist_flaps_find(const struct hist *h, struct model_str conn)
{
	size_t lo = 0, hi = h->n_flaps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(h->flaps[mid].conn, conn);
		if (!c)
			return &h->flaps[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct hist_rate *hist_rates_find(const struct hist *h, struct model_str conn,
                                        struct model_str child)
{
	size_t lo = 0, hi = h->n_rates;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = rate_cmp(&h->rates[mid], conn, child);
		if (!c)
			return &h->rates[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void hist_rate_total(const struct hist_rate *r, float *out)
{
	for (size_t i = 0; i < HIST_RATE_BUCKETS; i++)
		out[i] = r->in[i] + r->out[i];
}

/* ---- wishes ----------------------------------------------------------------- */

void hist_want_timeline(struct hist *h, const char *conn, size_t n)
{
	if (!conn) {
		free(h->tl.want_conn);
		h->tl.want_conn = NULL;
		h->tl.want_n = 0;
		return;
	}
	if (!h->tl.want_conn || strcmp(h->tl.want_conn, conn)) {
		free(h->tl.want_conn);
		h->tl.want_conn = xstrdup(conn);
	}
	h->tl.want_n = n;
}

void hist_want_back(struct hist *h, int64_t anchor, size_t n)
{
	if (!n || !h->back.want_n)
		h->back.anchor = anchor;
	if (!n && h->back.recs.n) {
		hist_list_clear(&h->back.recs);
		h->back.complete = false;
		h->gen++;
	}
	h->back.want_n = n;
}
