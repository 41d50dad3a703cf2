/*
 * Views: the SA tree as the panes show it. A view owns its rows (pointers
 * into the model, rebuilt when the model's view generation or the view's
 * settings change, or for new counters when sorted by bytes or rate) and a
 * selection held by identity, not by position, so the selected SA stays
 * selected while rows move, appear and disappear. When the selected SA goes
 * away the selection follows its rekey successor, else a CHILD SA of the
 * same name under the same IKE SA, else the IKE row, else the row now at the
 * same position.
 */
#include "model/model_priv.h"
#include "model/sa.h"

#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

struct model_view {
	struct model *m;
	enum model_sort key;
	bool desc;
	char *filter;
	size_t filter_len;
	bool built, dirty;
	uint64_t built_gen; /* m->view_gen the rows were built for */
	/* m->sa_gen and m->cnt_at of the last build: a bytes or rate order is
	 * redone for new counters, at most once per rate_min_interval_ms of
	 * model time (one refresh round), not for every list-sa */
	uint64_t built_sa_gen;
	int64_t built_cnt_at;
	struct model_row *rows;
	size_t n_rows, cap_rows;
	const struct model_ike **order, **tmp;
	uint32_t *order_uid; /* order[i]'s uniqueid, read while order[i] lived */
	size_t cap_order, n_order;
	/* order holds the last sorted order of this set of IKE SAs: sorting it
	 * again after a refresh that only changed values is nearly free, and
	 * after SAs came and went it is kept for the survivors (new ones are
	 * merged in) instead of sorting everything from scratch */
	bool order_valid;
	uint64_t order_set_gen;
	uint64_t order_born; /* model born serial when order was made */
	struct model_sel sel;
	size_t sel_idx; /* MODEL_VIEW_NONE when nothing is selected */
	char sel_name[256];
	size_t sel_name_len;
	size_t win_top, win_rows; /* the rows on screen (model_view_set_window) */
};

struct model_view *model_view_new(struct model *m)
{
	struct model_view *v = xcalloc(1, sizeof(*v));
	v->m = m;
	v->dirty = true;
	v->sel_idx = MODEL_VIEW_NONE;
	return v;
}

void model_view_free(struct model_view *v)
{
	if (!v)
		return;
	free(v->filter);
	free(v->rows);
	free(v->order);
	free(v->tmp);
	free(v->order_uid);
	free(v);
}

void model_view_set_sort(struct model_view *v, enum model_sort key, bool descending)
{
	if ((unsigned)key >= MODEL_SORT_COUNT)
		key = MODEL_SORT_NAME;
	if (v->key != key || v->desc != descending)
		v->dirty = true;
	v->key = key;
	v->desc = descending;
}

void model_view_set_filter(struct model_view *v, const char *text, size_t len)
{
	free(v->filter);
	v->filter = len ? xmemdup(text, len) : NULL;
	v->filter_len = len;
	v->dirty = true;
}

void model_view_set_fold(struct model_view *v, uint32_t ike_id, bool folded)
{
	sa_set_fold(v->m, ike_id, folded);
}

void model_view_fold_all(struct model_view *v, bool folded)
{
	struct model *m = v->m;
	m->fold_default = folded;
	for (size_t i = 0; i < m->n_ikes; i++)
		m->ikes[i]->folded = folded;
	sa_bump(m, true);
}

/* ---- sorting -------------------------------------------------------------- */

static int bytes_cmp(struct model_str a, struct model_str b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int r = n ? memcmp(a.s, b.s, n) : 0;
	if (r)
		return r < 0 ? -1 : 1;
	return a.len < b.len ? -1 : a.len > b.len;
}

static double rate_total(const struct model_ike *ike)
{
	return ike->rate.valid ? ike->rate.bytes_in + ike->rate.bytes_out : -1.0;
}

static int ike_cmp(const struct model_view *v, const struct model_ike *a, const struct model_ike *b)
{
	int r = 0;
	switch (v->key) {
	case MODEL_SORT_STATE:
		r = a->state < b->state ? -1 : a->state > b->state;
		if (!r)
			r = bytes_cmp(a->name, b->name);
		break;
	case MODEL_SORT_REMOTE:
		r = bytes_cmp(a->remote_host, b->remote_host);
		if (!r)
			r = bytes_cmp(a->name, b->name);
		break;
	case MODEL_SORT_BYTES: {
		uint64_t x = a->bytes_in + a->bytes_out, y = b->bytes_in + b->bytes_out;
		r = x < y ? -1 : x > y;
		break;
	}
	case MODEL_SORT_RATE: {
		double x = rate_total(a), y = rate_total(b);
		r = x < y ? -1 : x > y;
		break;
	}
	case MODEL_SORT_NAME:
		r = bytes_cmp(a->name, b->name);
		break;
	case MODEL_SORT_UNIQUEID:
	case MODEL_SORT_COUNT:
		break;
	}
	if (!r)
		r = a->uniqueid < b->uniqueid ? -1 : a->uniqueid > b->uniqueid;
	return v->desc ? -r : r;
}

/* Stable merge sort with the view as context (qsort has none). */
static void sort_ikes(const struct model_view *v, const struct model_ike **a,
                      const struct model_ike **tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_ikes(v, a, tmp, h);
	sort_ikes(v, a + h, tmp, n - h);
	if (ike_cmp(v, a[h - 1], a[h]) <= 0)
		return;
	memcpy(tmp, a, n * sizeof(*a));
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		a[k++] = ike_cmp(v, tmp[j], tmp[i]) < 0 ? tmp[j++] : tmp[i++];
	while (i < h)
		a[k++] = tmp[i++];
	while (j < n)
		a[k++] = tmp[j++];
}

/* ---- filtering ------------------------------------------------------------ */

static bool str_match(const struct model_view *v, struct model_str s)
{
	return model_str_icontains(s, v->filter, v->filter_len);
}

static bool list_match(const struct model_view *v, const struct model_list *l)
{
	struct model_list_iter it;
	struct model_str s;
	model_list_iter_init(&it, l);
	while (model_list_next(&it, &s))
		if (str_match(v, s))
			return true;
	return false;
}

static bool ike_match(const struct model_view *v, const struct model_ike *ike)
{
	return str_match(v, ike->name) || str_match(v, ike->local_host) ||
	       str_match(v, ike->remote_host) || str_match(v, ike->local_id) ||
	       str_match(v, ike->remote_id) || str_match(v, ike->remote_eap_id) ||
	       str_match(v, ike->remote_xauth_id) || str_match(v, ike->initiator_spi) ||
	       str_match(v, ike->responder_spi) || list_match(v, &ike->local_vips) ||
	       list_match(v, &ike->remote_vips);
}

static bool child_match(const struct model_view *v, const struct model_child *c)
{
	return str_match(v, c->name) || str_match(v, c->spi_in) || str_match(v, c->spi_out) ||
	       list_match(v, &c->local_ts) || list_match(v, &c->remote_ts);
}

/* ---- building ------------------------------------------------------------- */

static void view_row_push(struct model_view *v, const struct model_ike *ike, const struct model_child *c)
{
	if (v->n_rows == v->cap_rows) {
		v->cap_rows = v->cap_rows ? v->cap_rows * 2 : 64;
		v->rows = xreallocarray(v->rows, v->cap_rows, sizeof(*v->rows));
	}
	struct model_row *r = &v->rows[v->n_rows++];
	r->kind = c ? MODEL_ROW_CHILD : MODEL_ROW_IKE;
	r->ike = ike;
	r->child = c;
	r->last_child = false;
}

static void rows_build(struct model_view *v)
{
	const struct model *m = v->m;
	size_t n = 0;
	if (m->n_ikes > v->cap_order) {
		v->cap_order = m->n_ikes;
		v->order = xreallocarray(v->order, v->cap_order, sizeof(*v->order));
		v->tmp = xreallocarray(v->tmp, v->cap_order, sizeof(*v->tmp));
		v->order_uid = xreallocarray(v->order_uid, v->cap_order, sizeof(*v->order_uid));
	}
	if (v->order_valid && v->order_set_gen == m->set_gen) {
		n = m->n_ikes;
	} else if (v->order_valid) {
		/* Survivors keep their place (an entry may point to a freed SA:
		 * it is only compared with the live one of its uniqueid, never
		 * read), the new ones go to the end; the sort merges them in. */
		for (size_t i = 0; i < v->n_order && n < m->n_ikes; i++) {
			const struct model_ike *ike = idmap_get(&m->ike_map, v->order_uid[i]);
			if (ike && ike == v->order[i] && ike->priv.born <= v->order_born)
				v->order[n++] = ike;
		}
		for (size_t i = 0; i < m->n_ikes && n < m->n_ikes; i++)
			if (m->ikes[i]->priv.born > v->order_born)
				v->order[n++] = m->ikes[i];
		if (n != m->n_ikes)
			v->order_valid = false;
	}
	if (!v->order_valid) {
		n = 0;
		for (size_t i = 0; i < m->n_ikes; i++)
			v->order[n++] = m->ikes[i];
	}
	sort_ikes(v, v->order, v->tmp, n);
	for (size_t i = 0; i < n; i++)
		v->order_uid[i] = v->order[i]->uniqueid;
	v->n_order = n;
	v->order_valid = true;
	v->order_set_gen = m->set_gen;
	v->order_born = m->born;
	v->n_rows = 0;
	for (size_t i = 0; i < n; i++) {
		const struct model_ike *ike = v->order[i];
		bool all = !v->filter_len || ike_match(v, ike);
		bool any = all;
		for (size_t j = 0; !any && j < ike->n_children; j++)
			any = child_match(v, &ike->children[j]);
		if (!any)
			continue;
		view_row_push(v, ike, NULL);
		if (ike->folded)
			continue;
		size_t first = v->n_rows;
		for (size_t j = 0; j < ike->n_children; j++)
			if (all || child_match(v, &ike->children[j]))
				view_row_push(v, ike, &ike->children[j]);
		if (v->n_rows > first)
			v->rows[v->n_rows - 1].last_child = true;
	}
}

static size_t row_find(const struct model_view *v, uint32_t ike_id, uint32_t child_id)
{
	for (size_t i = 0; i < v->n_rows; i++) {
		const struct model_row *r = &v->rows[i];
		if (r->ike->uniqueid != ike_id)
			continue;
		if (!child_id && r->kind == MODEL_ROW_IKE)
			return i;
		if (child_id && r->child && r->child->uniqueid == child_id)
			return i;
	}
	return MODEL_VIEW_NONE;
}

static size_t row_find_child_name(const struct model_view *v, uint32_t ike_id)
{
	for (size_t i = 0; i < v->n_rows; i++) {
		const struct model_row *r = &v->rows[i];
		if (r->ike->uniqueid == ike_id && r->child &&
		    r->child->name.len == v->sel_name_len &&
		    memcmp(r->child->name.s, v->sel_name, v->sel_name_len) == 0)
			return i;
	}
	return MODEL_VIEW_NONE;
}

static void sel_set(struct model_view *v, size_t i)
{
	if (i == MODEL_VIEW_NONE || i >= v->n_rows) {
		v->sel_idx = MODEL_VIEW_NONE;
		return;
	}
	const struct model_row *r = &v->rows[i];
	v->sel_idx = i;
	v->sel.ike_id = r->ike->uniqueid;
	v->sel.child_id = r->child ? r->child->uniqueid : 0;
	v->sel_name_len = 0;
	if (r->child) {
		size_t n = r->child->name.len < sizeof(v->sel_name) ? r->child->name.len
		                                                    : sizeof(v->sel_name);
		memcpy(v->sel_name, r->child->name.s, n);
		v->sel_name_len = n;
	}
}

/* Finds where the remembered selection went (see the top comment). */
static size_t reselect(const struct model_view *v)
{
	const struct model *m = v->m;
	uint32_t ike_id = v->sel.ike_id, child_id = v->sel.child_id;
	size_t i = row_find(v, ike_id, child_id);
	if (i != MODEL_VIEW_NONE)
		return i;
	uint32_t ike_succ = model_ike_successor(m, ike_id);
	if (child_id) {
		uint32_t cs = model_child_successor(m, child_id);
		const struct model_ike *owner;
		if (cs && model_child_find(m, cs, &owner)) {
			i = row_find(v, owner->uniqueid, cs);
			if (i != MODEL_VIEW_NONE)
				return i;
		}
		const struct model_ike *now_in;
		if (model_child_find(m, child_id, &now_in)) {
			/* The CHILD SA moved to another IKE SA (ike-rekey). */
			i = row_find(v, now_in->uniqueid, child_id);
			if (i != MODEL_VIEW_NONE)
				return i;
			ike_id = now_in->uniqueid;
		}
		if (v->sel_name_len) {
			i = row_find_child_name(v, ike_id);
			if (i == MODEL_VIEW_NONE && ike_succ)
				i = row_find_child_name(v, ike_succ);
			if (i != MODEL_VIEW_NONE)
				return i;
		}
		i = row_find(v, ike_id, 0);
		if (i != MODEL_VIEW_NONE)
			return i;
	}
	if (ike_succ) {
		i = row_find(v, ike_succ, 0);
		if (i != MODEL_VIEW_NONE)
			return i;
	}
	if (!v->n_rows)
		return MODEL_VIEW_NONE;
	return v->sel_idx != MODEL_VIEW_NONE && v->sel_idx < v->n_rows ? v->sel_idx : v->n_rows - 1;
}

/* Do counters matter to the order, and did they move long enough ago? */
static bool counters_resort(const struct model_view *v)
{
	const struct model *m = v->m;
	if (v->key != MODEL_SORT_BYTES && v->key != MODEL_SORT_RATE)
		return false;
	if (v->built_sa_gen == m->sa_gen)
		return false;
	return m->cnt_at - v->built_cnt_at >= m->cfg.rate_min_interval_ms ||
	       m->cnt_at < v->built_cnt_at;
}

bool model_view_refresh(struct model_view *v)
{
	if (v->built && !v->dirty && v->built_gen == v->m->view_gen && !counters_resort(v))
		return false;
	bool had_sel = v->built && v->sel_idx != MODEL_VIEW_NONE;
	rows_build(v);
	v->built = true;
	v->dirty = false;
	v->built_gen = v->m->view_gen;
	v->built_sa_gen = v->m->sa_gen;
	v->built_cnt_at = v->m->cnt_at;
	if (!had_sel) {
		sel_set(v, v->n_rows ? 0 : MODEL_VIEW_NONE);
		return true;
	}
	sel_set(v, reselect(v));
	return true;
}

size_t model_view_count(const struct model_view *v)
{
	return v->n_rows;
}

const struct model_row *model_view_row(const struct model_view *v, size_t i)
{
	return i < v->n_rows ? &v->rows[i] : NULL;
}

size_t model_view_selected(const struct model_view *v)
{
	return v->sel_idx;
}

struct model_sel model_view_selection(const struct model_view *v)
{
	struct model_sel none = {0, 0};
	return v->sel_idx == MODEL_VIEW_NONE ? none : v->sel;
}

void model_view_select(struct model_view *v, size_t row)
{
	if (!v->n_rows)
		return;
	sel_set(v, row < v->n_rows ? row : v->n_rows - 1);
}

void model_view_move(struct model_view *v, long delta)
{
	if (!v->n_rows)
		return;
	long cur = v->sel_idx == MODEL_VIEW_NONE ? 0 : (long)v->sel_idx;
	long to = cur + delta;
	if (delta < 0 && to > cur)
		to = 0;
	if (to < 0)
		to = 0;
	if (to >= (long)v->n_rows)
		to = (long)v->n_rows - 1;
	sel_set(v, (size_t)to);
}

bool model_view_select_id(struct model_view *v, struct model_sel sel)
{
	size_t i = row_find(v, sel.ike_id, sel.child_id);
	if (i == MODEL_VIEW_NONE)
		return false;
	sel_set(v, i);
	return true;
}

void model_view_set_window(struct model_view *v, size_t top, size_t rows)
{
	v->win_top = top;
	v->win_rows = rows;
}

size_t model_view_window_ikes(struct model_view *v, uint32_t *ids, size_t max)
{
	model_view_refresh(v);
	size_t n = 0;
	for (size_t i = v->win_top; i < v->n_rows && i < v->win_top + v->win_rows && n < max; i++) {
		uint32_t id = v->rows[i].ike->uniqueid;
		if (n && ids[n - 1] == id)
			continue; /* CHILD rows follow their IKE row */
		ids[n++] = id;
	}
	return n;
}
