/*
 * Views: the SA tree as the panes show it. A view owns its rows (pointers
 * into the model, rebuilt when the model's view generation or the view's
 * settings change, or for new counters when sorted by bytes or rate) and a
 * selection held by identity, not by position, so the selected SA stays
 * selected while rows move, appear and disappear.
 *
 * The selection follows its SA across rekeys by the model's one rule
 * (model_sa_follow(), which the targets of actions use too) and never moves
 * to another SA by itself: when the SA is gone (or no longer shown, the
 * filter not matching it any more) nothing is selected, so that a key
 * pressed a moment later acts on nothing rather than on whatever row slid
 * into its place. The view remembers where the row was (by its neighbours)
 * so that the next navigation key continues from there, and takes the SA
 * back if it shows again. Only the operator moves it: keys, and a filter
 * they type that hides it (then the first row is selected).
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
	model_view_match_fn match; /* the filter; NULL: every row */
	void *match_ctx;
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
	/* REKEY and EXPIRE: each IKE SA's due time (by its index in the
	 * model), worked out once per sort instead of once per comparison */
	int64_t *due;
	size_t cap_order, n_order;
	/* order holds the last sorted order of this set of IKE SAs: sorting it
	 * again after a refresh that only changed values is nearly free, and
	 * after SAs came and went it is kept for the survivors (new ones are
	 * merged in) instead of sorting everything from scratch */
	bool order_valid;
	uint64_t order_set_gen;
	uint64_t order_born;  /* model born serial when order was made */
	struct model_sel sel; /* the selected SA as last seen; ike_id 0: none yet */
	size_t sel_idx;       /* its row; MODEL_VIEW_NONE when none is shown */
	uint32_t sel_reqid;   /* a CHILD SA's reqid and name, for model_sa_follow() */
	char sel_name[256];
	size_t sel_name_len;
	uint64_t sel_epoch;
	/* the selected SA went away: sel keeps it (it may come back), gone_at
	 * is where its row was (the index of the row now in its place), found
	 * again after each build from the rows that were around it */
	bool gone, gone_hidden; /* hidden: it exists, the filter hides it */
	size_t gone_at;
	struct model_sel near_prev, near_next; /* rows above and below it */
	bool filter_set;          /* the operator changed the filter since the last build */
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
	free(v->rows);
	free(v->order);
	free(v->tmp);
	free(v->order_uid);
	free(v->due);
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

void model_view_set_match(struct model_view *v, model_view_match_fn match, void *ctx)
{
	v->match = match;
	v->match_ctx = ctx;
	v->dirty = true;
	v->filter_set = true;
}

void model_view_rematch(struct model_view *v)
{
	if (v->match)
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

static double rate_of(const struct model_ike *ike, enum model_sort key)
{
	if (!ike->rate.valid)
		return -1.0;
	return key == MODEL_SORT_RATE_IN    ? ike->rate.bytes_in
	       : key == MODEL_SORT_RATE_OUT ? ike->rate.bytes_out
	                                    : ike->rate.bytes_in + ike->rate.bytes_out;
}

static uint64_t counter_of(const struct model_ike *ike, enum model_sort key)
{
	switch (key) {
	case MODEL_SORT_BYTES_IN:
		return ike->bytes_in;
	case MODEL_SORT_BYTES_OUT:
		return ike->bytes_out;
	case MODEL_SORT_PKTS_IN:
		return ike->packets_in;
	case MODEL_SORT_PKTS_OUT:
		return ike->packets_out;
	default:
		return ike->bytes_in + ike->bytes_out;
	}
}

static int64_t sooner(int64_t a, int64_t b)
{
	if (a == MODEL_TIME_NONE)
		return b;
	if (b == MODEL_TIME_NONE)
		return a;
	return a < b ? a : b;
}

/* When the next rekey (or expiry) of the IKE SA or one of its CHILD SAs is
 * due, what the REKEY and EXPIRE columns count down to; MODEL_TIME_NONE
 * for none. */
static int64_t due_of(const struct model_ike *ike, enum model_sort key)
{
	int64_t at = MODEL_TIME_NONE;
	if (key == MODEL_SORT_REKEY)
		at = sooner(ike->rekey_at, ike->reauth_at);
	for (size_t i = 0; i < ike->n_children; i++)
		at = sooner(at, key == MODEL_SORT_REKEY ? ike->children[i].rekey_at
		                                        : ike->children[i].life_at);
	return at;
}

static int num_cmp(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* A time order where "none" comes last whichever the direction; *last
 * tells the caller not to turn the result around. */
static int time_cmp(int64_t a, int64_t b, bool *last)
{
	if (a == MODEL_TIME_NONE || b == MODEL_TIME_NONE) {
		*last = a != b;
		return a == b ? 0 : a == MODEL_TIME_NONE ? 1 : -1;
	}
	return num_cmp(a, b);
}

static int ike_cmp(const struct model_view *v, const struct model_ike *a, const struct model_ike *b)
{
	int r = 0;
	bool last = false;
	switch (v->key) {
	case MODEL_SORT_STATE:
		r = a->state < b->state ? -1 : a->state > b->state;
		if (!r)
			r = bytes_cmp(a->name, b->name);
		break;
	case MODEL_SORT_REMOTE:
	case MODEL_SORT_LOCAL:
		r = v->key == MODEL_SORT_REMOTE ? bytes_cmp(a->remote_host, b->remote_host)
		                                : bytes_cmp(a->local_host, b->local_host);
		if (!r)
			r = bytes_cmp(a->name, b->name);
		break;
	case MODEL_SORT_BYTES:
	case MODEL_SORT_BYTES_IN:
	case MODEL_SORT_BYTES_OUT:
	case MODEL_SORT_PKTS_IN:
	case MODEL_SORT_PKTS_OUT: {
		uint64_t x = counter_of(a, v->key), y = counter_of(b, v->key);
		r = x < y ? -1 : x > y;
		break;
	}
	case MODEL_SORT_RATE:
	case MODEL_SORT_RATE_IN:
	case MODEL_SORT_RATE_OUT: {
		double x = rate_of(a, v->key), y = rate_of(b, v->key);
		r = x < y ? -1 : x > y;
		break;
	}
	case MODEL_SORT_REKEY:
	case MODEL_SORT_EXPIRE:
		r = time_cmp(v->due[a->priv.index], v->due[b->priv.index], &last);
		break;
	case MODEL_SORT_AGE:
		/* the youngest (established last) first */
		r = time_cmp(a->established_at, b->established_at, &last);
		if (!last)
			r = -r;
		break;
	case MODEL_SORT_NAME:
		r = bytes_cmp(a->name, b->name);
		break;
	case MODEL_SORT_UNIQUEID:
	case MODEL_SORT_COUNT:
		break;
	}
	if (last)
		return r;
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

/* ---- building ------------------------------------------------------------- */

static void view_row_push(struct model_view *v, const struct model_ike *ike,
                          const struct model_child *c)
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
		v->due = xreallocarray(v->due, v->cap_order, sizeof(*v->due));
	}
	if (v->key == MODEL_SORT_REKEY || v->key == MODEL_SORT_EXPIRE)
		for (size_t i = 0; i < m->n_ikes; i++)
			v->due[i] = due_of(m->ikes[i], v->key);
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
		if (!v->match) {
			view_row_push(v, ike, NULL);
			for (size_t j = 0; !ike->folded && j < ike->n_children; j++)
				view_row_push(v, ike, &ike->children[j]);
			if (!ike->folded && ike->n_children)
				v->rows[v->n_rows - 1].last_child = true;
			continue;
		}
		/* Each row on its own; an IKE SA that does not match is shown
		 * above CHILD SAs that do. Folded: none of them is pushed, but
		 * one that matches still shows its IKE SA. */
		size_t at = v->n_rows;
		bool any = v->match(v->match_ctx, ike, NULL);
		view_row_push(v, ike, NULL);
		size_t first = v->n_rows;
		for (size_t j = 0; j < ike->n_children && !(ike->folded && any); j++) {
			if (!v->match(v->match_ctx, ike, &ike->children[j]))
				continue;
			any = true;
			if (!ike->folded)
				view_row_push(v, ike, &ike->children[j]);
		}
		if (!any)
			v->n_rows = at;
		else if (v->n_rows > first)
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

static struct model_sel row_sel(const struct model_row *r)
{
	struct model_sel s = {r->ike->uniqueid, r->child ? r->child->uniqueid : 0};
	return s;
}

/* Remembers the rows around the selection, to find its place if it goes. */
static void sel_near(struct model_view *v)
{
	struct model_sel none = {0, 0};
	size_t i = v->sel_idx;
	v->near_prev = i != MODEL_VIEW_NONE && i > 0 ? row_sel(&v->rows[i - 1]) : none;
	v->near_next = i != MODEL_VIEW_NONE && i + 1 < v->n_rows ? row_sel(&v->rows[i + 1]) : none;
}

static void sel_set(struct model_view *v, size_t i)
{
	v->gone = v->gone_hidden = false;
	if (i == MODEL_VIEW_NONE || i >= v->n_rows) {
		v->sel_idx = MODEL_VIEW_NONE;
		memset(&v->sel, 0, sizeof(v->sel));
		return;
	}
	const struct model_row *r = &v->rows[i];
	v->sel_idx = i;
	v->sel = row_sel(r);
	v->sel_epoch = r->ike->epoch;
	v->sel_reqid = r->child ? r->child->reqid : 0;
	v->sel_name_len = 0;
	if (r->child) {
		size_t n = r->child->name.len < sizeof(v->sel_name) ? r->child->name.len
		                                                    : sizeof(v->sel_name);
		memcpy(v->sel_name, r->child->name.s, n);
		v->sel_name_len = n;
	}
	sel_near(v);
}

/* The row of the selected SA as it is now (model_sa_follow()): its own, or
 * its IKE SA's when it is a CHILD SA the operator folded away. *exists
 * tells whether the SA is still in the model at all. */
static size_t reselect(struct model_view *v, bool *exists)
{
	struct model_sa_ref ref = {
	        .ike_id = v->sel.ike_id,
	        .child_id = v->sel.child_id,
	        .reqid = v->sel_reqid,
	        .child_name = {v->sel_name, (uint32_t)v->sel_name_len},
	        .epoch = v->sel_epoch,
	};
	const struct model_child *c;
	const struct model_ike *ike = model_sa_follow(v->m, &ref, &c);
	*exists = ike != NULL;
	if (!ike)
		return MODEL_VIEW_NONE;
	size_t i = row_find(v, ike->uniqueid, c ? c->uniqueid : 0);
	if (i == MODEL_VIEW_NONE && c && ike->folded)
		i = row_find(v, ike->uniqueid, 0);
	return i;
}

/* Where the gone row was in the rows as they are now. */
static size_t gone_place(const struct model_view *v)
{
	size_t i;
	if (v->near_next.ike_id &&
	    (i = row_find(v, v->near_next.ike_id, v->near_next.child_id)) != MODEL_VIEW_NONE)
		return i;
	if (v->near_prev.ike_id &&
	    (i = row_find(v, v->near_prev.ike_id, v->near_prev.child_id)) != MODEL_VIEW_NONE)
		return i + 1;
	return v->gone_at < v->n_rows ? v->gone_at : v->n_rows;
}

/* After a build: the selection on its SA's new row, or gone (see the top
 * comment). */
static void sel_update(struct model_view *v)
{
	bool filter_set = v->filter_set;
	v->filter_set = false;
	if (!v->sel.ike_id) {
		/* Nothing chosen yet: the first row, as when the monitor starts. */
		sel_set(v, v->n_rows ? 0 : MODEL_VIEW_NONE);
		return;
	}
	bool exists;
	size_t i = reselect(v, &exists);
	if (i != MODEL_VIEW_NONE) {
		sel_set(v, i);
		return;
	}
	if (filter_set) {
		/* The operator's filter hid it: the first match, as typed. */
		sel_set(v, v->n_rows ? 0 : MODEL_VIEW_NONE);
		return;
	}
	if (!v->gone)
		v->gone_at = v->sel_idx != MODEL_VIEW_NONE ? v->sel_idx : 0;
	v->gone = true;
	v->gone_hidden = exists;
	v->sel_idx = MODEL_VIEW_NONE;
	v->gone_at = gone_place(v);
}

bool model_sort_moves(enum model_sort key)
{
	return key != MODEL_SORT_NAME && key != MODEL_SORT_STATE && key != MODEL_SORT_UNIQUEID &&
	       key != MODEL_SORT_REMOTE && key != MODEL_SORT_LOCAL && key < MODEL_SORT_COUNT;
}

/* Do counters matter to the order, and did they move long enough ago? */
static bool counters_resort(const struct model_view *v)
{
	const struct model *m = v->m;
	if (!model_sort_moves(v->key))
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
	rows_build(v);
	v->built = true;
	v->dirty = false;
	v->built_gen = v->m->view_gen;
	v->built_sa_gen = v->m->sa_gen;
	v->built_cnt_at = v->m->cnt_at;
	sel_update(v);
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

bool model_view_gone(const struct model_view *v, size_t *where, bool *hidden)
{
	if (!v->gone)
		return false;
	if (where)
		*where = v->gone_at;
	if (hidden)
		*hidden = v->gone_hidden;
	return true;
}

void model_view_move(struct model_view *v, long delta)
{
	if (!v->n_rows)
		return;
	long cur = v->sel_idx == MODEL_VIEW_NONE ? 0 : (long)v->sel_idx;
	if (v->gone)
		/* gone_at is the row now in its place: down lands on it. */
		cur = (long)v->gone_at - (delta > 0 ? 1 : 0);
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
