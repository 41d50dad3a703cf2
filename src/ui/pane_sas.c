/*
 * The SA tree: IKE SAs with their CHILD SAs, from a model view (which keeps
 * the selection on the same SA while rows move, appear and vanish). The
 * view belongs to the application, which also reads the window of rows the
 * pane shows (model_view_set_window) to refresh what is on screen.
 *
 * A row the diagnosis engine has a verdict on (a CONNECTING IKE SA that
 * gets no answer, an IKE SA missing a configured CHILD SA) shows it in the
 * WHY column, which is there only while some SA has one; with a history
 * store, CHILD SAs show the last hour's traffic.
 */
#include <stdio.h>
#include <string.h>

#include "model/diag.h"
#include "model/model.h"
#include "ui/draw.h"
#include "ui/fields.h"
#include "ui/hist.h"
#include "ui/keys.h"
#include "ui/pane.h"
#include "ui/rows.h"
#include "ui/sort.h"

static struct model_view *view_of(struct pane *p)
{
	return p->priv;
}

/* s steps through name, state, id, remote, bytes, rate, rekey and expire;
 * :sort takes every column here (IN, OUT, RATE-IN, ... by their headings). */
static const struct sort_column sa_sorts[] = {
        {"name", MODEL_SORT_NAME, SAC_NAME, -1, false, true},
        {"state", MODEL_SORT_STATE, SAC_STATE, -1, false, true},
        {"id", MODEL_SORT_UNIQUEID, SAC_ID, -1, false, true},
        {"remote", MODEL_SORT_REMOTE, SAC_REMOTE, -1, false, true},
        {"bytes", MODEL_SORT_BYTES, SAC_BYTES_IN, SAC_BYTES_OUT, true, true},
        {"rate", MODEL_SORT_RATE, SAC_RATE_IN, SAC_RATE_OUT, true, true},
        {"rekey", MODEL_SORT_REKEY, SAC_REKEY, -1, false, true},
        {"expire", MODEL_SORT_EXPIRE, SAC_LIFE, -1, false, true},
        {"local", MODEL_SORT_LOCAL, SAC_LOCAL, -1, false, false},
        {"age", MODEL_SORT_AGE, SAC_AGE, -1, false, false},
        {"rate-in", MODEL_SORT_RATE_IN, SAC_RATE_IN, -1, true, false},
        {"rate-out", MODEL_SORT_RATE_OUT, SAC_RATE_OUT, -1, true, false},
        {"in", MODEL_SORT_BYTES_IN, SAC_BYTES_IN, -1, true, false},
        {"out", MODEL_SORT_BYTES_OUT, SAC_BYTES_OUT, -1, true, false},
        {"pkt-in", MODEL_SORT_PKTS_IN, SAC_PKTS_IN, -1, true, false},
        {"pkt-out", MODEL_SORT_PKTS_OUT, SAC_PKTS_OUT, -1, true, false},
};

struct sa_rows {
	struct model_view *v;
	const struct diag *diag;
	const struct hist *hist;
	struct rows_style st;
	int64_t fresh_ms;
	const struct marks *marks;
};

static bool sa_marked(void *arg, size_t i)
{
	struct sa_rows *sr = arg;
	const struct model_row *mr = model_view_row(sr->v, i);
	return sr->marks && mr &&
	       marks_has_sa(sr->marks, mr->ike->uniqueid, mr->child ? mr->child->uniqueid : 0);
}

static void sa_row(void *arg, size_t i, const unsigned *w, struct row *r)
{
	struct sa_rows *sr = arg;
	const struct model_row *mr = model_view_row(sr->v, i);
	struct rows_sa_info info = {.fresh_ms = sr->fresh_ms};
	float spark[HIST_RATE_BUCKETS];
	if (sr->diag)
		info.why = diag_sa_verdict(sr->diag, mr->ike->uniqueid,
		                           mr->child ? mr->child->uniqueid : 0);
	const struct hist_rate *rate =
	        mr->child && sr->hist ? hist_rates_find(sr->hist, mr->ike->name, mr->child->name)
	                              : NULL;
	if (rate) {
		hist_rate_total(rate, spark);
		info.spark = spark;
		info.spark_has = rate->has;
		info.n_spark = HIST_RATE_BUCKETS;
	}
	rows_sa(r, mr, &info, w, &sr->st);
}

/* Does the engine have a verdict on an SA the model holds? */
static bool any_sa_verdict(const struct diag *d, const struct model *m)
{
	for (size_t i = 0; d && i < diag_count(d); i++) {
		const struct diag_verdict *v = diag_at(d, i);
		if (v->current && v->ike_id && model_ike_find(m, v->ike_id))
			return true;
	}
	return false;
}

/* ---- the filter's fields (struct sa_item) --------------------------------- */

#define SA(r) ((const struct sa_item *)(r))

static bool get_name(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_str(SA(r)->ike->name, visit, ctx);
}

static bool get_child(const void *r, filter_visit_fn visit, void *ctx)
{
	return SA(r)->child && fields_str(SA(r)->child->name, visit, ctx);
}

/* A CHILD SA's row holds its own state and its IKE SA's: "state=ESTABLISHED"
 * keeps an established IKE SA's CHILD SAs, "!ESTABLISHED" drops them. */
static bool get_state(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct sa_item *it = SA(r);
	return (it->child && fields_str(it->child->state_name, visit, ctx)) ||
	       fields_str(it->ike->state_name, visit, ctx);
}

static bool get_local(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_str(SA(r)->ike->local_host, visit, ctx);
}

static bool get_remote(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_str(SA(r)->ike->remote_host, visit, ctx);
}

static bool get_id(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_ike *ike = SA(r)->ike;
	return fields_str(ike->local_id, visit, ctx) || fields_str(ike->remote_id, visit, ctx) ||
	       (ike->remote_eap_id.len && fields_str(ike->remote_eap_id, visit, ctx)) ||
	       (ike->remote_xauth_id.len && fields_str(ike->remote_xauth_id, visit, ctx));
}

static bool get_vip(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_ike *ike = SA(r)->ike;
	return fields_list(&ike->local_vips, visit, ctx) ||
	       fields_list(&ike->remote_vips, visit, ctx);
}

static bool get_version(const void *r, filter_visit_fn visit, void *ctx)
{
	unsigned v = SA(r)->ike->version;
	return v && visit(ctx, v == 1 ? "IKEv1" : "IKEv2", 5);
}

/* "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519", put together without
 * printf as it runs for every row. */
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
	const struct model_child *c = SA(r)->child;
	const struct model_ike *ike = SA(r)->ike;
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
	const struct sa_item *it = SA(r);
	if (it->child)
		return fields_str(it->child->spi_in, visit, ctx) ||
		       fields_str(it->child->spi_out, visit, ctx);
	return fields_str(it->ike->initiator_spi, visit, ctx) ||
	       fields_str(it->ike->responder_spi, visit, ctx);
}

static bool get_ts(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_child *c = SA(r)->child;
	return c &&
	       (fields_list(&c->local_ts, visit, ctx) || fields_list(&c->remote_ts, visit, ctx));
}

static bool get_mode(const void *r, filter_visit_fn visit, void *ctx)
{
	return SA(r)->child && fields_str(SA(r)->child->mode, visit, ctx);
}

static bool get_why(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct sa_item *it = SA(r);
	const struct diag *d = it->c ? it->c->diag : NULL;
	return d && fields_cstr(fields_verdict_problem(diag_sa_verdict(
	                                d, it->ike->uniqueid, it->child ? it->child->uniqueid : 0)),
	                        visit, ctx);
}

static bool get_problem(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct sa_item *it = SA(r);
	return fields_cstr(fields_sa_problem(it->ike, it->child, it->c ? it->c->diag : NULL,
	                                     it->c ? it->c->now : 0),
	                   visit, ctx);
}

static bool get_reqid(const void *r, filter_visit_fn visit, void *ctx)
{
	return SA(r)->child && fields_u64(SA(r)->child->reqid, visit, ctx);
}

static bool get_uniqueid(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct sa_item *it = SA(r);
	return fields_u64(it->child ? it->child->uniqueid : it->ike->uniqueid, visit, ctx);
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
        {"why", true, get_why},
        {"problem", false, get_problem},
        {"version", false, get_version},
        {"reqid", false, get_reqid},
        {"uniqueid", false, get_uniqueid},
};

bool pane_sa_match(const struct filter *f, const struct pane_ctx *c, const struct model_ike *ike,
                   const struct model_child *child)
{
	struct sa_item it = {ike, child, c};
	return filter_match(f, &it);
}

static bool sa_match(void *ctx, const struct model_ike *ike, const struct model_child *child)
{
	const struct pane *p = ctx;
	return pane_sa_match(p->match, &p->env, ike, child);
}

static void sas_filter_changed(struct pane *p)
{
	model_view_set_match(view_of(p), p->match ? sa_match : NULL, p);
}

/* The context rows are matched in; the view matches again when the
 * filter's answers moved (verdicts, the time). */
static void sas_env(struct pane *p, const struct pane_ctx *c)
{
	if (pane_env_update(p, c))
		model_view_rematch(view_of(p));
}

static void sas_init(struct pane *p, const struct pane_init *in)
{
	p->priv = in->view;
}

static void sas_draw(struct pane *p, const struct pane_ctx *c)
{
	struct model_view *v = view_of(p);
	sas_env(p, c);
	model_view_refresh(v);
	size_t n = model_view_count(v);
	struct model_counts mc;
	model_counts_get(c->model, &mc);
	char right[400], stale[48] = "", note[200];
	bool away = !c->connected && c->have_data;
	/* SAs the last sweep did not list (busy in charon, or gone) carry a
	 * "?" after their state until the next sweeps settle it. */
	if (mc.stale)
		snprintf(stale, sizeof(stale), "  %zu unconfirmed (?)", mc.stale);
	char snote[64];
	snprintf(right, sizeof(right), "%s%zu IKE, %zu CHILD  %s%s%s", away ? "STALE: " : "",
	         mc.ikes, mc.children, pane_sort_note(p, c->utf8, snote, sizeof(snote)),
	         pane_filter_note(p, note, sizeof(note)), stale);
	size_t sel = model_view_selected(v), where = 0;
	bool hidden = false, gone = model_view_gone(v, &where, &hidden);
	/* Gone: no row is highlighted and the list stays where it was. */
	p->lv.sel = sel != MODEL_VIEW_NONE ? sel
	            : gone && where < n    ? where
	            : gone && n            ? n - 1
	                                   : 0;
	struct sa_rows sr = {
	        v, c->diag, c->hist, {c->utf8, c->now, c->wall_offset}, c->counters_ms, c->marks};
	size_t n_marked = c->marks ? marks_count(c->marks, MARKS_SAS) : 0;
	char title[64];
	snprintf(title, sizeof(title), "1 SAs%s",
	         gone ? hidden ? " (selected SA filtered out)" : " (selected SA gone)" : "");
	if (n_marked)
		snprintf(title + strlen(title), sizeof(title) - strlen(title), "  %zu marked",
		         n_marked);
	/* WHY while something has a verdict; LAST HOUR with a history store */
	struct column cols[SAC_COUNT];
	memcpy(cols, sa_columns, sizeof(cols));
	if (!any_sa_verdict(c->diag, c->model))
		cols[SAC_WHY].max = 0;
	if (!c->hist || !c->hist->n_rates)
		cols[SAC_HOUR].max = 0;
	struct pane_list l = {
	        .title = title,
	        .right = right,
	        .columns = cols,
	        .ncolumns = SAC_COUNT,
	        .count = n,
	        .selected = sel,
	        .empty = p->problems && !p->filter[0] ? "no problems: every SA is up"
	                 : p->match                   ? "no SA matches the filter"
	                 : c->connected ? "no SAs (press 2 for connections, i to initiate one)"
	                                : "no data yet",
	        .row_fn = sa_row,
	        .arg = &sr,
	        .marked = sa_marked,
	        .n_marked = n_marked,
	};
	pane_list_draw(p, c, &l);
	model_view_set_window(v, p->lv.top, pane_body_rows(p, true));
}

static unsigned sas_key(struct pane *p, const struct pane_ctx *c, const struct key_input *k,
                        struct intent *out)
{
	struct model_view *v = view_of(p);
	sas_env(p, c);
	model_view_refresh(v);
	size_t vis = pane_body_rows(p, true);
	size_t page = vis > 1 ? vis - 1 : 1;
	size_t n = model_view_count(v);
	size_t sel = model_view_selected(v);
	const struct model_row *row = sel == MODEL_VIEW_NONE ? NULL : model_view_row(v, sel);
	switch (k->action) {
	case KA_UP:
		model_view_move(v, -1);
		return PANE_REDRAW;
	case KA_DOWN:
		model_view_move(v, 1);
		return PANE_REDRAW;
	case KA_PGUP:
		model_view_move(v, -(long)page);
		return PANE_REDRAW;
	case KA_PGDN:
		model_view_move(v, (long)page);
		return PANE_REDRAW;
	case KA_HOME:
		if (n)
			model_view_select(v, 0);
		return PANE_REDRAW;
	case KA_END:
		if (n)
			model_view_select(v, n - 1);
		return PANE_REDRAW;
	case KA_FOLD:
		if (!row)
			return PANE_HANDLED;
		if (row->kind == MODEL_ROW_CHILD) {
			struct model_sel s = {row->ike->uniqueid, 0};
			model_view_select_id(v, s);
		} else {
			model_view_set_fold(v, row->ike->uniqueid, true);
		}
		return PANE_REDRAW;
	case KA_UNFOLD:
		if (row)
			model_view_set_fold(v, row->ike->uniqueid, false);
		return PANE_REDRAW;
	case KA_TOGGLE:
		if (row) {
			if (row->kind == MODEL_ROW_CHILD) {
				struct model_sel s = {row->ike->uniqueid, 0};
				model_view_select_id(v, s);
				model_view_set_fold(v, row->ike->uniqueid, true);
			} else {
				model_view_set_fold(v, row->ike->uniqueid, !row->ike->folded);
			}
		}
		return PANE_REDRAW;
	case KA_SORT:
	case KA_SORT_REVERSE:
		return pane_sort_key(p, c, k->action);
	case KA_FOLD_ALL:
		model_view_fold_all(v, true);
		return PANE_REDRAW;
	case KA_UNFOLD_ALL:
		model_view_fold_all(v, false);
		return PANE_REDRAW;
	case KA_VERB:
		if (!row) {
			/* Never the row that took its place. */
			snprintf(out->message, sizeof(out->message), "%s",
			         model_view_gone(v, NULL, NULL) ? "the selected SA is gone"
			                                        : "no SA selected");
			return PANE_REDRAW_ALL;
		}
		out->verb = k->verb;
		if (row->child)
			target_child_sa(&out->target, row->ike, row->child);
		else
			target_ike_sa(&out->target, row->ike);
		return PANE_REDRAW_ALL;
	default:
		return PANE_IGNORED;
	}
}

static bool sas_detail(struct pane *p, const struct pane_ctx *c, struct detail_subject *out)
{
	(void)c;
	struct model_view *v = view_of(p);
	model_view_refresh(v);
	size_t sel = model_view_selected(v);
	const struct model_row *r = sel == MODEL_VIEW_NONE ? NULL : model_view_row(v, sel);
	if (!r)
		return false;
	out->kind = DETAIL_SA;
	if (r->child)
		target_child_sa(&out->target, r->ike, r->child);
	else
		target_ike_sa(&out->target, r->ike);
	return true;
}

/* The view keeps the selection on its SA whatever the order. */
static void sas_sort_set(struct pane *p, const struct pane_ctx *c, int idx, bool desc)
{
	(void)c;
	p->sort = idx;
	p->sort_desc = desc;
	model_view_set_sort(view_of(p), (enum model_sort)sa_sorts[idx].key, desc);
}

const struct pane_ops pane_sas_ops = {
        .name = "SAs",
        .init = sas_init,
        .draw = sas_draw,
        .key = sas_key,
        .detail = sas_detail,
        .filter_changed = sas_filter_changed,
        .fields = sa_fields,
        .nfields = sizeof(sa_fields) / sizeof(sa_fields[0]),
        .sorts = sa_sorts,
        .nsorts = sizeof(sa_sorts) / sizeof(sa_sorts[0]),
        .sort_set = sas_sort_set,
};
