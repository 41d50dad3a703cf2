/*
 * The panes' field tables for the filter language (see rowfields.h).
 */
#include "ui/rowfields.h"

#include <stdio.h>
#include <string.h>

#include "model/model.h"

static bool put_str(struct model_str s, filter_visit_fn visit, void *ctx)
{
	return s.len && visit(ctx, s.s, s.len);
}

static bool put_cstr(const char *s, filter_visit_fn visit, void *ctx)
{
	return *s && visit(ctx, s, strlen(s));
}

static bool put_list(const struct model_list *l, filter_visit_fn visit, void *ctx)
{
	struct model_list_iter it;
	struct model_str s;
	model_list_iter_init(&it, l);
	while (model_list_next(&it, &s))
		if (visit(ctx, s.s, s.len))
			return true;
	return false;
}

static bool put_u64(unsigned long long v, filter_visit_fn visit, void *ctx)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", v);
	return put_cstr(buf, visit, ctx);
}

/* ---- the SA tree ------------------------------------------------------------ */

#define SA_ROW(r) ((const struct model_row *)(r))

static bool sa_name(const void *r, filter_visit_fn v, void *c)
{
	return put_str(SA_ROW(r)->ike->name, v, c);
}

static bool sa_child(const void *r, filter_visit_fn v, void *c)
{
	return SA_ROW(r)->child && put_str(SA_ROW(r)->child->name, v, c);
}

static bool sa_state(const void *r, filter_visit_fn v, void *c)
{
	const struct model_row *mr = SA_ROW(r);
	return put_str(mr->child ? mr->child->state_name : mr->ike->state_name, v, c);
}

static bool sa_local(const void *r, filter_visit_fn v, void *c)
{
	return put_str(SA_ROW(r)->ike->local_host, v, c);
}

static bool sa_remote(const void *r, filter_visit_fn v, void *c)
{
	return put_str(SA_ROW(r)->ike->remote_host, v, c);
}

static bool sa_id(const void *r, filter_visit_fn v, void *c)
{
	const struct model_ike *ike = SA_ROW(r)->ike;
	return put_str(ike->local_id, v, c) || put_str(ike->remote_id, v, c) ||
	       put_str(ike->remote_eap_id, v, c) || put_str(ike->remote_xauth_id, v, c);
}

static bool sa_vip(const void *r, filter_visit_fn v, void *c)
{
	const struct model_ike *ike = SA_ROW(r)->ike;
	return put_list(&ike->local_vips, v, c) || put_list(&ike->remote_vips, v, c);
}

static bool sa_proposal(const void *r, filter_visit_fn v, void *c)
{
	const struct model_row *mr = SA_ROW(r);
	if (mr->child)
		return put_str(mr->child->encr_alg, v, c) || put_str(mr->child->integ_alg, v, c) ||
		       put_str(mr->child->dh_group, v, c);
	return put_str(mr->ike->encr_alg, v, c) || put_str(mr->ike->integ_alg, v, c) ||
	       put_str(mr->ike->prf_alg, v, c) || put_str(mr->ike->dh_group, v, c);
}

static bool sa_spi(const void *r, filter_visit_fn v, void *c)
{
	const struct model_row *mr = SA_ROW(r);
	if (mr->child)
		return put_str(mr->child->spi_in, v, c) || put_str(mr->child->spi_out, v, c);
	return put_str(mr->ike->initiator_spi, v, c) || put_str(mr->ike->responder_spi, v, c);
}

static bool sa_ts(const void *r, filter_visit_fn v, void *c)
{
	const struct model_child *ch = SA_ROW(r)->child;
	return ch && (put_list(&ch->local_ts, v, c) || put_list(&ch->remote_ts, v, c));
}

static bool sa_mode(const void *r, filter_visit_fn v, void *c)
{
	return SA_ROW(r)->child && put_str(SA_ROW(r)->child->mode, v, c);
}

static bool sa_version(const void *r, filter_visit_fn v, void *c)
{
	return SA_ROW(r)->ike->version && put_u64(SA_ROW(r)->ike->version, v, c);
}

static bool sa_reqid(const void *r, filter_visit_fn v, void *c)
{
	return SA_ROW(r)->child && put_u64(SA_ROW(r)->child->reqid, v, c);
}

static bool sa_uniqueid(const void *r, filter_visit_fn v, void *c)
{
	const struct model_row *mr = SA_ROW(r);
	return put_u64(mr->child ? mr->child->uniqueid : mr->ike->uniqueid, v, c);
}

const struct filter_field rowfields_sa[] = {
        {"name", true, sa_name},
        {"child", true, sa_child},
        {"state", true, sa_state},
        {"local", true, sa_local},
        {"remote", true, sa_remote},
        {"id", true, sa_id},
        {"vip", true, sa_vip},
        {"proposal", true, sa_proposal},
        {"alg", false, sa_proposal},
        {"spi", true, sa_spi},
        {"ts", true, sa_ts},
        {"mode", true, sa_mode},
        {"version", false, sa_version},
        {"reqid", false, sa_reqid},
        {"uniqueid", false, sa_uniqueid},
};
const size_t rowfields_sa_count = sizeof(rowfields_sa) / sizeof(rowfields_sa[0]);

/* ---- connections -------------------------------------------------------------- */

#define CONN(r) ((const struct model_conn *)(r))

static bool conn_name(const void *r, filter_visit_fn v, void *c)
{
	return put_str(CONN(r)->name, v, c);
}

static bool conn_child(const void *r, filter_visit_fn v, void *c)
{
	for (size_t i = 0; i < CONN(r)->n_children; i++)
		if (put_str(CONN(r)->children[i].name, v, c))
			return true;
	return false;
}

static bool conn_local(const void *r, filter_visit_fn v, void *c)
{
	return put_list(&CONN(r)->local_addrs, v, c);
}

static bool conn_remote(const void *r, filter_visit_fn v, void *c)
{
	return put_list(&CONN(r)->remote_addrs, v, c);
}

static bool conn_version(const void *r, filter_visit_fn v, void *c)
{
	return put_str(CONN(r)->version, v, c);
}

static bool conn_auth(const void *r, filter_visit_fn v, void *c)
{
	for (size_t i = 0; i < CONN(r)->n_auths; i++)
		if (put_str(CONN(r)->auths[i].auth_class, v, c))
			return true;
	return false;
}

const struct filter_field rowfields_conn[] = {
        {"name", true, conn_name},     {"child", true, conn_child},     {"local", true, conn_local},
        {"remote", true, conn_remote}, {"version", true, conn_version}, {"auth", true, conn_auth},
};
const size_t rowfields_conn_count = sizeof(rowfields_conn) / sizeof(rowfields_conn[0]);

/* ---- policies ------------------------------------------------------------------ */

#define POL(r) ((const struct model_pol *)(r))

static bool pol_name(const void *r, filter_visit_fn v, void *c)
{
	return put_str(POL(r)->key, v, c);
}

static bool pol_type(const void *r, filter_visit_fn v, void *c)
{
	return put_cstr(model_pol_type_name(POL(r)->type), v, c);
}

static bool pol_mode(const void *r, filter_visit_fn v, void *c)
{
	return put_str(POL(r)->mode, v, c);
}

static bool pol_ike(const void *r, filter_visit_fn v, void *c)
{
	return put_str(POL(r)->ike, v, c);
}

static bool pol_child(const void *r, filter_visit_fn v, void *c)
{
	return put_str(POL(r)->child, v, c);
}

static bool pol_ts(const void *r, filter_visit_fn v, void *c)
{
	return put_list(&POL(r)->local_ts, v, c) || put_list(&POL(r)->remote_ts, v, c);
}

const struct filter_field rowfields_pol[] = {
        {"name", true, pol_name}, {"type", true, pol_type},    {"mode", true, pol_mode},
        {"ike", false, pol_ike},  {"child", false, pol_child}, {"ts", true, pol_ts},
};
const size_t rowfields_pol_count = sizeof(rowfields_pol) / sizeof(rowfields_pol[0]);

/* ---- events -------------------------------------------------------------------- */

#define EVENT(r) ((const struct model_event *)(r))

static bool ev_kind(const void *r, filter_visit_fn v, void *c)
{
	return put_cstr(model_event_kind_name(EVENT(r)->kind), v, c);
}

static bool ev_name(const void *r, filter_visit_fn v, void *c)
{
	return put_str(EVENT(r)->ike_name, v, c);
}

static bool ev_child(const void *r, filter_visit_fn v, void *c)
{
	return put_str(EVENT(r)->child_name, v, c);
}

static bool ev_remote(const void *r, filter_visit_fn v, void *c)
{
	return put_str(EVENT(r)->remote_host, v, c);
}

static bool ev_text(const void *r, filter_visit_fn v, void *c)
{
	return put_str(EVENT(r)->text, v, c);
}

const struct filter_field rowfields_event[] = {
        {"kind", true, ev_kind},     {"name", true, ev_name}, {"child", true, ev_child},
        {"remote", true, ev_remote}, {"text", true, ev_text},
};
const size_t rowfields_event_count = sizeof(rowfields_event) / sizeof(rowfields_event[0]);
