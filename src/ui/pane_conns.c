/*
 * The connections pane (every loaded connection with its child configs,
 * whether an SA is up for it, why it is not, and with a history store how
 * often it went down) and the policies pane (trap, drop and pass
 * policies). Both are flat lists rebuilt from the model on each draw; the
 * selection is kept by index, which is stable because charon lists
 * connections and policies in a fixed order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/diag.h"
#include "model/model.h"
#include "ui/fields.h"
#include "ui/hist.h"
#include "ui/keys.h"
#include "ui/pane.h"
#include "ui/rows.h"
#include "ui/sort.h"
#include "vici/xmalloc.h"

/* A flattened connections row: conn index and child index (-1: the conn),
 * or a peer no connection matched (conn SIZE_MAX) with its verdict. */
struct conn_row {
	size_t conn;
	long child;
	const struct diag_verdict *peer;
};

/* A row of the connections pane as the filter's fields see it (one of
 * conn, conn + child, peer). */
struct conn_item {
	const struct model_conn *conn;
	const struct model_conn_child *child; /* a child config row */
	const struct diag_verdict *peer;      /* a peer no connection matched */
	const struct pane_ctx *c;
};

static bool conn_item_match(const struct filter *f, const struct pane_ctx *c,
                            const struct model_conn *cn, const struct model_conn_child *ch,
                            const struct diag_verdict *peer)
{
	struct conn_item it = {cn, ch, peer, c};
	return filter_match(f, &it);
}

bool pane_conn_match(const struct filter *f, const struct pane_ctx *c, const struct model_conn *cn,
                     const struct model_conn_child *ch)
{
	return conn_item_match(f, c, cn, ch, NULL);
}

bool pane_conn_shown(const struct filter *f, const struct pane_ctx *c, const struct model_conn *cn)
{
	bool any = pane_conn_match(f, c, cn, NULL);
	for (size_t j = 0; !any && j < cn->n_children; j++)
		any = pane_conn_match(f, c, cn, &cn->children[j]);
	return any;
}

static size_t *conn_order(const struct pane *p, const struct pane_ctx *c);

/* The rows shown (allocated, *n of them): the connections with their
 * child configs (pane_conn_shown()), then the peers no connection matched
 * that have a current verdict (an attempt this charon refused before it
 * knew whose it was). */
static struct conn_row *conn_rows(const struct pane *p, const struct pane_ctx *c, size_t *n)
{
	const struct model *m = c->model;
	const struct diag *d = c->diag;
	size_t k = 0, nc = model_conn_count(m), np = d ? diag_count(d) : 0, cap = 16 + np;
	struct conn_row *rows = xcalloc(cap, sizeof(*rows));
	size_t *order = conn_order(p, c);
	for (size_t o = 0; o < nc; o++) {
		size_t i = order[o];
		const struct model_conn *cn = model_conn_at(m, i);
		if (!pane_conn_shown(p->match, c, cn))
			continue;
		if (k + 1 + cn->n_children + np > cap) {
			cap = (k + 1 + cn->n_children + np) * 2;
			rows = xreallocarray(rows, cap, sizeof(*rows));
		}
		rows[k++] = (struct conn_row){i, -1, NULL};
		for (size_t j = 0; j < cn->n_children; j++)
			if (pane_conn_match(p->match, c, cn, &cn->children[j]))
				rows[k++] = (struct conn_row){i, (long)j, NULL};
	}
	for (size_t i = 0; i < np; i++) {
		const struct diag_verdict *v = diag_at(d, i);
		if (*v->conn || !v->current || !conn_item_match(p->match, c, NULL, NULL, v))
			continue;
		rows[k++] = (struct conn_row){SIZE_MAX, -1, v};
	}
	free(order);
	*n = k;
	return rows;
}

/* The connection (and child config, or NULL) selected, or the verdict of a
 * peer; false if none. */
static bool conn_selected(struct pane *p, const struct pane_ctx *c, const struct model_conn **cn,
                          const struct model_conn_child **ch, const struct diag_verdict **peer)
{
	size_t n;
	struct conn_row *rows = conn_rows(p, c, &n);
	bool ok = p->lv.sel < n;
	*cn = NULL;
	*ch = NULL;
	*peer = NULL;
	if (ok && rows[p->lv.sel].peer) {
		*peer = rows[p->lv.sel].peer;
	} else if (ok) {
		*cn = model_conn_at(c->model, rows[p->lv.sel].conn);
		*ch = rows[p->lv.sel].child >= 0 ? &(*cn)->children[rows[p->lv.sel].child] : NULL;
	}
	free(rows);
	return ok;
}

static bool name_is(struct model_str a, struct model_str b)
{
	return a.len == b.len && !memcmp(a.s, b.s, a.len);
}

/* A trap policy of the connection (child NULL: any of its children). */
static bool trapped(const struct model *m, const struct model_conn *c,
                    const struct model_conn_child *child)
{
	for (size_t i = 0; i < model_pol_count(m); i++) {
		const struct model_pol *pl = model_pol_at(m, i);
		if (pl->type == MODEL_POL_TRAP && name_is(pl->ike, c->name) &&
		    (!child || name_is(pl->child, child->name)))
			return true;
	}
	return false;
}

/* A CHILD SA of the config installed under an up IKE SA of the connection. */
static bool config_up(const struct model *m, const struct model_conn *c,
                      const struct model_conn_child *ch)
{
	for (size_t i = 0; i < model_ike_count(m); i++) {
		const struct model_ike *ike = model_ike_at(m, i);
		if ((ike->state != MODEL_IKE_ESTABLISHED && ike->state != MODEL_IKE_REKEYING) ||
		    !name_is(ike->name, c->name))
			continue;
		for (size_t j = 0; j < ike->n_children; j++)
			if (ike->children[j].state == MODEL_CHILD_INSTALLED &&
			    name_is(ike->children[j].name, ch->name))
				return true;
	}
	return false;
}

/* CHILD configs neither up nor trapped while the connection's IKE SA is up
 * (the walk over the SAs only for the rare connection that lacks one). */
static size_t configs_missing(const struct model *m, const struct model_conn *c,
                              const struct model_conn_status *cs)
{
	size_t missing = 0;
	if (!cs->ikes_up || cs->configs_up >= c->n_children)
		return 0;
	for (size_t j = 0; j < c->n_children; j++)
		missing += !trapped(m, c, &c->children[j]) && !config_up(m, c, &c->children[j]);
	return missing;
}

void pane_conn_status(const struct model *m, const struct model_conn *c,
                      struct model_conn_status *cs, struct rows_conn_info *ci)
{
	model_conn_status_get(m, c, cs);
	/* the walk over the policies only where STATUS reads it */
	ci->trapped = !cs->ikes && trapped(m, c, NULL);
	ci->missing = configs_missing(m, c, cs);
}

/* STATUS, as rows_conn() shows it. */
static enum rows_conn_state conn_state(const struct model *m, const struct model_conn *cn)
{
	struct model_conn_status cs;
	struct rows_conn_info ci;
	pane_conn_status(m, cn, &cs, &ci);
	return rows_conn_state(&cs, &ci);
}

/* A name as the engine keys it (a C string; charon's names hold no NUL). */
static const char *cname(char *buf, size_t size, struct model_str s)
{
	snprintf(buf, size, "%.*s", (int)s.len, s.s);
	return buf;
}

/* ---- the filter's fields (struct conn_item) -------------------------------- */

#define CI(r) ((const struct conn_item *)(r))

static const struct diag_verdict *item_verdict(const struct conn_item *it)
{
	char name[TARGET_NAME_MAX + 1], child[TARGET_NAME_MAX + 1];
	const struct diag *d = it->c->diag;
	if (it->peer)
		return it->peer;
	if (!d)
		return NULL;
	cname(name, sizeof(name), it->conn->name);
	if (it->child)
		return diag_child_verdict(d, name, cname(child, sizeof(child), it->child->name));
	return diag_conn_verdict(d, name);
}

static bool cget_name(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct conn_item *it = CI(r);
	char name[300];
	if (it->peer)
		return visit(ctx, name,
		             (size_t)snprintf(name, sizeof(name), "peer %s", it->peer->peer));
	return fields_str(it->conn->name, visit, ctx);
}

/* A connection's row holds the names of its child configs. */
static bool cget_child(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct conn_item *it = CI(r);
	if (it->peer)
		return false;
	if (it->child)
		return fields_str(it->child->name, visit, ctx);
	for (size_t i = 0; i < it->conn->n_children; i++)
		if (fields_str(it->conn->children[i].name, visit, ctx))
			return true;
	return false;
}

static bool cget_status(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct conn_item *it = CI(r);
	return fields_cstr(it->peer ? "unmatched"
	                            : rows_conn_state_name(conn_state(it->c->model, it->conn)),
	                   visit, ctx);
}

/* A child config's row holds its traffic selectors and its connection's
 * addresses, so that a negated term drops both rows. */
static bool cget_local(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct conn_item *it = CI(r);
	if (it->peer)
		return false;
	return (it->child && fields_list(&it->child->local_ts, visit, ctx)) ||
	       fields_list(&it->conn->local_addrs, visit, ctx);
}

static bool cget_remote(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct conn_item *it = CI(r);
	if (it->peer)
		return fields_cstr(it->peer->peer, visit, ctx);
	return (it->child && fields_list(&it->child->remote_ts, visit, ctx)) ||
	       fields_list(&it->conn->remote_addrs, visit, ctx);
}

static bool cget_version(const void *r, filter_visit_fn visit, void *ctx)
{
	return CI(r)->conn && fields_str(CI(r)->conn->version, visit, ctx);
}

/* The authentication classes of the connection's rounds ("public key",
 * "pre-shared key", "EAP", ...). */
static bool cget_auth(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct model_conn *cn = CI(r)->conn;
	for (size_t i = 0; cn && i < cn->n_auths; i++)
		if (fields_str(cn->auths[i].auth_class, visit, ctx))
			return true;
	return false;
}

static bool cget_mode(const void *r, filter_visit_fn visit, void *ctx)
{
	return CI(r)->child && fields_str(CI(r)->child->mode, visit, ctx);
}

static bool cget_why(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_cstr(fields_verdict_problem(item_verdict(CI(r))), visit, ctx);
}

/* A verdict, else a connection partly up or still connecting, or a child
 * config missing under an IKE SA that is up. Down by itself is no problem
 * (nothing asks for it to be up; should-be-up is a verdict). */
static bool cget_problem(const void *r, filter_visit_fn visit, void *ctx)
{
	const struct conn_item *it = CI(r);
	const char *why = fields_verdict_problem(item_verdict(it));
	const struct model *m = it->c->model;
	if (!why && it->child) {
		struct model_conn_status cs;
		model_conn_status_get(m, it->conn, &cs);
		if (cs.ikes_up && !trapped(m, it->conn, it->child) &&
		    !config_up(m, it->conn, it->child))
			why = "child-missing";
	} else if (!why && it->conn) {
		enum rows_conn_state s = conn_state(m, it->conn);
		if (s == ROWS_CONN_PARTIAL || s == ROWS_CONN_CONNECTING)
			why = rows_conn_state_name(s);
	}
	return fields_cstr(why, visit, ctx);
}

static const struct filter_field conn_fields[] = {
        {"name", true, cget_name},        {"child", true, cget_child},
        {"status", true, cget_status},    {"state", false, cget_status},
        {"local", true, cget_local},      {"remote", true, cget_remote},
        {"version", true, cget_version},  {"auth", true, cget_auth},
        {"mode", true, cget_mode},        {"why", true, cget_why},
        {"problem", false, cget_problem},
};

struct conn_draw {
	const struct model *m;
	const struct conn_row *rows;
	const struct diag *diag;
	const struct hist *hist;
	struct rows_style st;
	const struct marks *marks;
};

static bool conn_marked(void *arg, size_t i)
{
	struct conn_draw *d = arg;
	if (!d->marks || d->rows[i].peer)
		return false;
	const struct model_conn *c = model_conn_at(d->m, d->rows[i].conn);
	const struct model_conn_child *ch =
	        d->rows[i].child < 0 ? NULL : &c->children[d->rows[i].child];
	return marks_has_conn(d->marks, c->name.s, c->name.len, ch ? ch->name.s : NULL,
	                      ch ? ch->name.len : 0);
}

static void conn_row(void *arg, size_t i, const unsigned *w, struct row *r)
{
	struct conn_draw *d = arg;
	if (d->rows[i].peer) {
		rows_conn_peer(r, d->rows[i].peer, w, &d->st);
		return;
	}
	const struct model_conn *c = model_conn_at(d->m, d->rows[i].conn);
	long ch = d->rows[i].child;
	char name[TARGET_NAME_MAX + 1], child[TARGET_NAME_MAX + 1];
	cname(name, sizeof(name), c->name);
	if (ch < 0) {
		struct model_conn_status cs;
		struct rows_conn_info ci = {
		        .why = d->diag ? diag_conn_verdict(d->diag, name) : NULL,
		        .flaps = d->hist && d->hist->enabled,
		};
		pane_conn_status(d->m, c, &cs, &ci);
		const struct hist_flap *fl = ci.flaps ? hist_flaps_find(d->hist, c->name) : NULL;
		if (fl) {
			ci.ike_down = fl->ike_down;
			ci.child_down = fl->child_down;
		}
		rows_conn(r, c, &cs, &ci, w, &d->st);
	} else {
		const struct model_conn_child *cc = &c->children[ch];
		const struct diag_verdict *why =
		        d->diag ? diag_child_verdict(d->diag, name,
		                                     cname(child, sizeof(child), cc->name))
		                : NULL;
		rows_conn_child(r, cc, (size_t)ch + 1 == c->n_children, why, w, &d->st);
	}
}

/* ---- sorting ----------------------------------------------------------------- */

enum conn_sort { CS_LISTED, CS_NAME, CS_STATUS, CS_WHY, CS_IKE, CS_LOCAL, CS_REMOTE, CS_AUTH };

/* s: charon's order, name, status, remote. */
static const struct sort_column conn_sorts[] = {
        {"listed", CS_LISTED, -1, -1, false, true},
        {"name", CS_NAME, CC_NAME, -1, false, true},
        {"status", CS_STATUS, CC_UP, -1, false, true},
        {"remote", CS_REMOTE, CC_REMOTE, -1, false, true},
        {"why", CS_WHY, CC_WHY, -1, false, false},
        {"ike", CS_IKE, CC_VERSION, -1, false, false},
        {"local", CS_LOCAL, CC_LOCAL, -1, false, false},
        {"auth", CS_AUTH, CC_AUTH, -1, false, false},
};

static void conn_key(const struct pane_ctx *cx, int key, const struct model_conn *c,
                     struct sort_item *it)
{
	char buf[512];
	switch (key) {
	case CS_NAME:
		it->s = c->name;
		break;
	case CS_STATUS:
		it->n = conn_state(cx->model, c); /* from the worst */
		it->s = c->name;
		break;
	case CS_WHY: {
		const struct diag_verdict *v =
		        cx->diag ? diag_conn_verdict(cx->diag, cname(buf, sizeof(buf), c->name))
		                 : NULL;
		/* connections with a verdict first, by its code */
		it->n = v ? 0 : 1;
		if (v)
			it->s = (struct model_str){diag_code_name(v->code),
			                           (uint32_t)strlen(diag_code_name(v->code))};
		break;
	}
	case CS_IKE:
		it->s = c->version;
		break;
	case CS_LOCAL:
	case CS_REMOTE:
	case CS_AUTH:
		model_list_join(key == CS_LOCAL ? &c->local_addrs : &c->remote_addrs, ",", buf,
		                sizeof(buf));
		if (key == CS_AUTH)
			buf[0] = '\0';
		for (size_t i = 0; key == CS_AUTH && i < c->n_auths; i++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%.*s ",
			         (int)c->auths[i].auth_class.len, c->auths[i].auth_class.s);
		it->own = xstrdup(buf);
		it->s = (struct model_str){it->own, (uint32_t)strlen(it->own)};
		break;
	default:
		break;
	}
}

/* The indexes of the connections in the pane's order (allocated). */
static size_t *conn_order(const struct pane *p, const struct pane_ctx *cx)
{
	size_t nc = model_conn_count(cx->model);
	size_t *order = xcalloc(nc ? nc : 1, sizeof(*order));
	const struct sort_column *sc = pane_sort_column(p);
	int key = sc ? sc->key : CS_LISTED;
	struct sort_item *v = xcalloc(nc ? nc : 1, sizeof(*v));
	for (size_t i = 0; i < nc; i++) {
		v[i].idx = i;
		if (key != CS_LISTED)
			conn_key(cx, key, model_conn_at(cx->model, i), &v[i]);
	}
	sort_items(v, nc, p->sort_desc);
	for (size_t i = 0; i < nc; i++)
		order[i] = v[i].idx;
	sort_items_free(v, nc);
	free(v);
	return order;
}

/* The selection stays on its connection, child config or peer. */
static void conns_sort_set(struct pane *p, const struct pane_ctx *c, int idx, bool desc)
{
	const struct model_conn *cn;
	const struct model_conn_child *ch;
	const struct diag_verdict *peer;
	bool had = conn_selected(p, c, &cn, &ch, &peer);
	p->sort = idx;
	p->sort_desc = desc;
	if (!had)
		return;
	size_t n;
	struct conn_row *rows = conn_rows(p, c, &n);
	for (size_t i = 0; i < n; i++) {
		const struct model_conn *rc =
		        rows[i].peer ? NULL : model_conn_at(c->model, rows[i].conn);
		if (rows[i].peer ? rows[i].peer == peer
		                 : rc == cn && (ch ? rows[i].child == ch - cn->children
		                                   : rows[i].child < 0)) {
			p->lv.sel = i;
			break;
		}
	}
	free(rows);
}

static void conns_draw(struct pane *p, const struct pane_ctx *c)
{
	struct model_counts mc;
	model_counts_get(c->model, &mc);
	char right[400], note[200], snote[64];
	snprintf(right, sizeof(right), "%zu loaded, %zu up  %s%s", mc.conns, mc.conns_up,
	         pane_sort_note(p, c->utf8, snote, sizeof(snote)), pane_filter_note(p, note, sizeof(note)));
	size_t n;
	struct conn_row *rows = conn_rows(p, c, &n);
	struct conn_draw d = {c->model, rows, c->diag, c->hist, {c->utf8, c->now, c->wall_offset},
	                      c->marks};
	size_t n_marked = c->marks ? marks_count(c->marks, MARKS_CONNS) : 0;
	char title[64];
	snprintf(title, sizeof(title), "2 connections");
	if (n_marked)
		snprintf(title, sizeof(title), "2 connections  %zu marked", n_marked);
	/* FLAPS needs a history store */
	struct column cols[CC_COUNT];
	memcpy(cols, conn_columns, sizeof(cols));
	if (!c->hist || !c->hist->enabled)
		cols[CC_FLAPS].max = 0;
	struct pane_list l = {
	        .title = title,
	        .right = right,
	        .columns = cols,
	        .ncolumns = CC_COUNT,
	        .count = n,
	        .selected = p->lv.sel,
	        .empty = p->problems && !p->filter[0] && n < model_conn_count(c->model)
	                         ? "no problems: nothing that should be up is down"
	                 : p->match ? "no connection matches the filter"
	                            : "no connections loaded",
	        .row_fn = conn_row,
	        .arg = &d,
	        .marked = conn_marked,
	        .n_marked = n_marked,
	};
	pane_list_draw(p, c, &l);
	free(rows);
}

static unsigned conns_key(struct pane *p, const struct pane_ctx *c, const struct key_input *k,
                          struct intent *out)
{
	size_t n;
	free(conn_rows(p, c, &n));
	p->lv.count = n;
	unsigned f = listview_nav(&p->lv, k->action, pane_body_rows(p, true));
	if (f)
		return f;
	if (k->action == KA_SORT || k->action == KA_SORT_REVERSE)
		return pane_sort_key(p, c, k->action);
	if (k->action != KA_VERB)
		return PANE_IGNORED;
	const struct model_conn *cn;
	const struct model_conn_child *ch;
	const struct diag_verdict *peer;
	if (!conn_selected(p, c, &cn, &ch, &peer)) {
		snprintf(out->message, sizeof(out->message), "no connection selected");
		return PANE_REDRAW_ALL;
	}
	if (peer) {
		snprintf(out->message, sizeof(out->message),
		         "no connection matched this peer: it has to try again");
		return PANE_REDRAW_ALL;
	}
	out->verb = k->verb;
	target_conn(&out->target, cn, ch);
	return PANE_REDRAW_ALL;
}

static bool conns_detail(struct pane *p, const struct pane_ctx *c, struct detail_subject *out)
{
	const struct model_conn *cn;
	const struct model_conn_child *ch;
	const struct diag_verdict *peer;
	if (!conn_selected(p, c, &cn, &ch, &peer))
		return false;
	if (peer) {
		out->kind = DETAIL_PEER;
		target_name_set(&out->target.ike, peer->peer, strlen(peer->peer));
		return true;
	}
	out->kind = DETAIL_CONN;
	target_conn(&out->target, cn, ch);
	return true;
}

const struct pane_ops pane_conns_ops = {
        .name = "connections",
        .draw = conns_draw,
        .key = conns_key,
        .detail = conns_detail,
        .fields = conn_fields,
        .nfields = sizeof(conn_fields) / sizeof(conn_fields[0]),
        .sorts = conn_sorts,
        .nsorts = sizeof(conn_sorts) / sizeof(conn_sorts[0]),
        .sort_set = conns_sort_set,
};

/* ---- the policies pane's fields (struct model_pol) ------------------------- */

#define POL(r) ((const struct model_pol *)(r))

static bool pget_name(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_str(POL(r)->key, visit, ctx);
}

static bool pget_type(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_cstr(model_pol_type_name(POL(r)->type), visit, ctx);
}

static bool pget_mode(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_str(POL(r)->mode, visit, ctx);
}

static bool pget_local(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_list(&POL(r)->local_ts, visit, ctx);
}

static bool pget_remote(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_list(&POL(r)->remote_ts, visit, ctx);
}

static bool pget_ts(const void *r, filter_visit_fn visit, void *ctx)
{
	return pget_local(r, visit, ctx) || pget_remote(r, visit, ctx);
}

static bool pget_conn(const void *r, filter_visit_fn visit, void *ctx)
{
	return POL(r)->ike.len && fields_str(POL(r)->ike, visit, ctx);
}

static bool pget_child(const void *r, filter_visit_fn visit, void *ctx)
{
	return fields_str(POL(r)->child, visit, ctx);
}

static bool pget_reqid(const void *r, filter_visit_fn visit, void *ctx)
{
	return POL(r)->reqid && fields_u64(POL(r)->reqid, visit, ctx);
}

static const struct filter_field pol_fields[] = {
        {"type", true, pget_type},    {"name", true, pget_name},     {"mode", true, pget_mode},
        {"local", true, pget_local},  {"remote", true, pget_remote}, {"ts", false, pget_ts},
        {"conn", false, pget_conn},   {"ike", false, pget_conn},     {"child", false, pget_child},
        {"reqid", false, pget_reqid},
};

static size_t *pol_order(const struct pane *p, const struct model *m);

/* The indexes of the policies shown (allocated, *n of them), sorted. */
static size_t *pol_rows(const struct pane *p, const struct model *m, size_t *n)
{
	size_t k = 0, np = model_pol_count(m);
	size_t *rows = pol_order(p, m);
	for (size_t o = 0; o < np; o++)
		if (pane_match(p, model_pol_at(m, rows[o])))
			rows[k++] = rows[o];
	*n = k;
	return rows;
}

static const struct model_pol *pol_selected(struct pane *p, const struct model *m)
{
	size_t n;
	size_t *rows = pol_rows(p, m, &n);
	const struct model_pol *pl = p->lv.sel < n ? model_pol_at(m, rows[p->lv.sel]) : NULL;
	free(rows);
	return pl;
}

enum pol_sort { PS_LISTED, PS_TYPE, PS_NAME, PS_MODE, PS_LOCAL, PS_REMOTE };

/* s: charon's order, type, name. */
static const struct sort_column pol_sorts[] = {
        {"listed", PS_LISTED, -1, -1, false, true},
        {"type", PS_TYPE, PC_TYPE, -1, false, true},
        {"name", PS_NAME, PC_NAME, -1, false, true},
        {"mode", PS_MODE, PC_MODE, -1, false, false},
        {"local-ts", PS_LOCAL, PC_LOCAL, -1, false, false},
        {"remote-ts", PS_REMOTE, PC_REMOTE, -1, false, false},
};

/* The indexes of the policies in the pane's order (allocated). */
static size_t *pol_order(const struct pane *p, const struct model *m)
{
	size_t np = model_pol_count(m);
	const struct sort_column *sc = pane_sort_column(p);
	int key = sc ? sc->key : PS_LISTED;
	struct sort_item *v = xcalloc(np ? np : 1, sizeof(*v));
	size_t *order = xcalloc(np ? np : 1, sizeof(*order));
	char buf[512];
	for (size_t i = 0; i < np; i++) {
		const struct model_pol *pl = model_pol_at(m, i);
		v[i].idx = i;
		if (key == PS_TYPE)
			v[i].n = pl->type, v[i].s = pl->key;
		else if (key == PS_NAME)
			v[i].s = pl->key;
		else if (key == PS_MODE)
			v[i].s = pl->mode;
		if (key == PS_LOCAL || key == PS_REMOTE) {
			model_list_join(key == PS_LOCAL ? &pl->local_ts : &pl->remote_ts, ",", buf,
			                sizeof(buf));
			v[i].own = xstrdup(buf);
			v[i].s = (struct model_str){v[i].own, (uint32_t)strlen(v[i].own)};
		}
	}
	sort_items(v, np, p->sort_desc);
	for (size_t i = 0; i < np; i++)
		order[i] = v[i].idx;
	sort_items_free(v, np);
	free(v);
	return order;
}

/* The selection stays on its policy. */
static void pols_sort_set(struct pane *p, const struct pane_ctx *c, int idx, bool desc)
{
	const struct model_pol *pl = pol_selected(p, c->model);
	p->sort = idx;
	p->sort_desc = desc;
	size_t n;
	size_t *rows = pol_rows(p, c->model, &n);
	for (size_t i = 0; pl && i < n; i++)
		if (model_pol_at(c->model, rows[i]) == pl)
			p->lv.sel = i;
	free(rows);
}

struct pol_draw {
	const struct model *m;
	const size_t *rows;
	struct rows_style st;
};

static void pol_row(void *arg, size_t i, const unsigned *w, struct row *r)
{
	struct pol_draw *d = arg;
	rows_pol(r, model_pol_at(d->m, d->rows[i]), w, &d->st);
}

static void pols_draw(struct pane *p, const struct pane_ctx *c)
{
	struct model_counts mc;
	model_counts_get(c->model, &mc);
	char right[400], note[200], snote[64];
	snprintf(right, sizeof(right), "%zu trap, %zu drop, %zu pass  %s%s",
	         mc.pol_types[MODEL_POL_TRAP], mc.pol_types[MODEL_POL_DROP],
	         mc.pol_types[MODEL_POL_PASS], pane_sort_note(p, c->utf8, snote, sizeof(snote)),
	         pane_filter_note(p, note, sizeof(note)));
	size_t n;
	size_t *rows = pol_rows(p, c->model, &n);
	struct pol_draw d = {c->model, rows, {c->utf8, c->now, c->wall_offset}};
	struct pane_list l = {
	        .title = "3 policies",
	        .right = right,
	        .columns = pol_columns,
	        .ncolumns = PC_COUNT,
	        .count = n,
	        .selected = p->lv.sel,
	        .empty = p->match ? "no policy matches the filter" : "no policies installed",
	        .row_fn = pol_row,
	        .arg = &d,
	};
	pane_list_draw(p, c, &l);
	free(rows);
}

static unsigned pols_key(struct pane *p, const struct pane_ctx *c, const struct key_input *k,
                         struct intent *out)
{
	size_t n;
	free(pol_rows(p, c->model, &n));
	p->lv.count = n;
	unsigned f = listview_nav(&p->lv, k->action, pane_body_rows(p, true));
	if (f)
		return f;
	if (k->action == KA_SORT || k->action == KA_SORT_REVERSE)
		return pane_sort_key(p, c, k->action);
	if (k->action != KA_VERB)
		return PANE_IGNORED;
	const struct model_pol *pl = pol_selected(p, c->model);
	if (!pl || !pl->child.len) {
		snprintf(out->message, sizeof(out->message), "no policy selected");
		return PANE_REDRAW_ALL;
	}
	const struct model_conn *cn =
	        pl->ike.len ? model_conn_find(c->model, pl->ike.s, pl->ike.len) : NULL;
	const struct model_conn_child *cc = NULL;
	for (size_t i = 0; cn && i < cn->n_children; i++)
		if (cn->children[i].name.len == pl->child.len &&
		    !memcmp(cn->children[i].name.s, pl->child.s, pl->child.len))
			cc = &cn->children[i];
	if (!cn || !cc) {
		snprintf(out->message, sizeof(out->message),
		         "the policy's connection is not loaded");
		return PANE_REDRAW_ALL;
	}
	out->verb = k->verb;
	target_conn(&out->target, cn, cc);
	return PANE_REDRAW_ALL;
}

static bool pols_detail(struct pane *p, const struct pane_ctx *c, struct detail_subject *out)
{
	const struct model_pol *pl = pol_selected(p, c->model);
	if (!pl)
		return false;
	out->kind = DETAIL_POLICY;
	target_name_set(&out->target.ike, pl->key.s, pl->key.len);
	return true;
}

const struct pane_ops pane_pols_ops = {
        .name = "policies",
        .draw = pols_draw,
        .key = pols_key,
        .detail = pols_detail,
        .fields = pol_fields,
        .nfields = sizeof(pol_fields) / sizeof(pol_fields[0]),
        .sorts = pol_sorts,
        .nsorts = sizeof(pol_sorts) / sizeof(pol_sorts[0]),
        .sort_set = pols_sort_set,
};
