/*
 * libFuzzer target for the model (src/model): a sequence of steps, each
 * feeding it a message, a sweep, a clear, time or a view operation, and
 * after every step a walk over everything the model answers. The walk reads
 * every string, list and raw block it hands out (a borrowed pointer into a
 * freed or recycled message is an ASan report: pooled message blocks are
 * poisoned) and checks what the interface promises: lookups find what the
 * tables list, CHILD SAs are in order, totals are the sums, counts and
 * connection status (SAs and CHILD configs up) agree with the SA table,
 * raw blocks are valid message bodies, rings hold consecutive entries, view
 * rows point at live SAs and a view with rows has a selection or knows
 * where its gone one was.
 *
 * Input: one byte of configuration (ring sizes, sweep miss limit, rate
 * interval), then steps. A step is an opcode byte; what follows depends on
 * it:
 *
 *   op % 24 <  10  an event by name (names[op % 24] below) through
 *                  model_ingest_event(); 2-byte big-endian length, body
 *   op % 24 == 10  a version reply; length, body
 *   op % 24 == 11  a stats reply; length, body
 *   op % 24 == 12  an event of a name the model does not handle; length, body
 *   op % 24 == 13  model_sweep_begin(): table byte, ike-id byte
 *   op % 24 == 14  model_sweep_end(): table byte
 *   op % 24 == 15  model_sweep_abort(): table byte
 *   op % 24 == 16  model_clear(): table byte
 *   op % 24 == 17  now advances by a 2-byte big-endian count of 16 ms
 *   op % 24 == 18  model_event_add()/addf(): kind byte, length byte, text
 *   op % 24 >= 19  a view operation: a byte whose bit 0 picks one of two
 *                  views and whose other bits the operation, an argument byte
 *
 * A table byte is taken modulo 4 (3 is no table). fuzz/gen-corpus writes
 * seeds in this format (fuzz/corpus/model).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "vici/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's own code is not what is being fuzzed: its walks would count
 * as features (and cost libFuzzer a lookup each, every run). */
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)

static const char *const names[] = {
        "list-sa",    "list-conn",    "list-policy", "ike-updown", "ike-rekey",
        "ike-update", "child-updown", "child-rekey", "log",        "control-log",
};

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-model: %s\n", what);
		abort();
	}
}

/* Reads every byte, so ASan sees a borrowed pointer that is no longer valid. */
static volatile unsigned sink;

static void touch(const void *p, size_t len)
{
	const uint8_t *b = p;
	unsigned x = 0;
	for (size_t i = 0; i < len; i++)
		x += b[i];
	sink += x;
}

static void touch_str(struct model_str s)
{
	check(s.s != NULL, "string without bytes");
	touch(s.s, s.len);
}

static void touch_list(const struct model_list *l)
{
	struct model_list_iter it;
	struct model_str s;
	uint32_t n = 0;
	size_t bytes = 0;
	char buf[64];
	model_list_iter_init(&it, l);
	while (model_list_next(&it, &s)) {
		touch_str(s);
		bytes += s.len;
		n++;
	}
	check(n == l->count, "list items differ from its count");
	/* Items may hold NULs: the length is checked against the items, the
	 * terminator where the (possibly cut) result ends. */
	size_t full = model_list_join(l, ", ", buf, sizeof(buf));
	check(full == bytes + (n ? 2 * (n - 1) : 0) &&
	              buf[full < sizeof(buf) ? full : sizeof(buf) - 1] == 0,
	      "join length");
}

static void touch_raw(struct model_raw r)
{
	if (!r.len)
		return;
	touch(r.msg, r.len);
	check(vici_message_validate(r.msg, r.len) == 0, "raw elements are no valid message body");
}

static void touch_time(int64_t at, int64_t now)
{
	int64_t s;
	if (model_secs_ago(at, now, &s))
		sink += (unsigned)s;
	if (model_secs_until(at, now, &s))
		sink += (unsigned)s;
}

static int str_order(struct model_str a, struct model_str b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int r = n ? memcmp(a.s, b.s, n) : 0;
	if (r)
		return r;
	return a.len < b.len ? -1 : a.len > b.len;
}

static int child_order(const struct model_child *a, const struct model_child *b)
{
	int r = str_order(a->name, b->name);
	if (r)
		return r;
	return a->uniqueid < b->uniqueid ? -1 : a->uniqueid > b->uniqueid;
}

static void walk_child(const struct model *m, const struct model_ike *ike,
                       const struct model_child *c, int64_t now)
{
	const struct model_ike *owner = NULL;
	check(model_child_find(m, c->uniqueid, &owner) == c && owner == ike,
	      "a listed CHILD SA is not found by its uniqueid");
	const struct model_str strs[] = {
	        c->key,           c->name,         c->state_name, c->mode,     c->protocol,
	        c->label,         c->spi_in,       c->spi_out,    c->cpi_in,   c->cpi_out,
	        c->mark_in,       c->mark_mask_in, c->mark_out,   c->if_id_in, c->if_id_out,
	        c->mark_mask_out, c->encr_alg,     c->integ_alg,  c->prf_alg,  c->dh_group,
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		touch_str(strs[i]);
	touch_list(&c->local_ts);
	touch_list(&c->remote_ts);
	touch_raw(c->raw);
	check(model_child_state_name(c->state) != NULL, "state name");
	const int64_t times[] = {c->use_in_at, c->use_out_at,   c->rekey_at,
	                         c->life_at,   c->installed_at, c->updated_at};
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		touch_time(times[i], now);
	check(!c->rate.valid || (c->rate.bytes_in >= 0 && c->rate.bytes_out >= 0 &&
	                         c->rate.packets_in >= 0 && c->rate.packets_out >= 0),
	      "negative rate");
	sink += model_child_successor(m, c->uniqueid);
}

static void walk_ike(const struct model *m, const struct model_ike *ike, int64_t now)
{
	check(model_ike_find(m, ike->uniqueid) == ike, "a listed IKE SA is not found");
	const struct model_str strs[] = {
	        ike->name,          ike->state_name,    ike->local_host,    ike->local_id,
	        ike->remote_host,   ike->remote_id,     ike->remote_eap_id, ike->remote_xauth_id,
	        ike->initiator_spi, ike->responder_spi, ike->if_id_in,      ike->if_id_out,
	        ike->encr_alg,      ike->integ_alg,     ike->prf_alg,       ike->dh_group,
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		touch_str(strs[i]);
	const struct model_list *lists[] = {&ike->local_vips, &ike->remote_vips, &ike->tasks_queued,
	                                    &ike->tasks_active, &ike->tasks_passive};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		touch_list(lists[i]);
	touch_raw(ike->raw);
	check(model_ike_state_name(ike->state) != NULL, "state name");
	touch_time(ike->established_at, now);
	touch_time(ike->rekey_at, now);
	touch_time(ike->reauth_at, now);
	uint64_t bi = 0, bo = 0, pi = 0, po = 0;
	for (size_t j = 0; j < ike->n_children; j++) {
		const struct model_child *c = &ike->children[j];
		walk_child(m, ike, c, now);
		if (j)
			check(child_order(&ike->children[j - 1], c) < 0,
			      "CHILD SAs out of order (or one listed twice)");
		bi += c->bytes_in;
		bo += c->bytes_out;
		pi += c->packets_in;
		po += c->packets_out;
	}
	check(bi == ike->bytes_in && bo == ike->bytes_out && pi == ike->packets_in &&
	              po == ike->packets_out,
	      "IKE totals are not the sums of its CHILD SAs");
	sink += model_ike_successor(m, ike->uniqueid);
}

static bool str_eq(struct model_str a, struct model_str b)
{
	return a.len == b.len && (!a.len || memcmp(a.s, b.s, a.len) == 0);
}

/* A CHILD config is up when an IKE SA of its connection that is
 * ESTABLISHED or REKEYING has an INSTALLED CHILD SA of its name. */
static bool config_up(const struct model *m, const struct model_conn *c,
                      const struct model_conn_child *cfg)
{
	for (size_t k = 0; k < model_ike_count(m); k++) {
		const struct model_ike *ike = model_ike_at(m, k);
		if (!str_eq(ike->name, c->name) ||
		    (ike->state != MODEL_IKE_ESTABLISHED && ike->state != MODEL_IKE_REKEYING))
			continue;
		for (size_t j = 0; j < ike->n_children; j++)
			if (ike->children[j].state == MODEL_CHILD_INSTALLED &&
			    str_eq(ike->children[j].name, cfg->name))
				return true;
	}
	return false;
}

static void walk_conns(const struct model *m, size_t *conns_up)
{
	size_t n = model_conn_count(m);
	*conns_up = 0;
	check(model_conn_at(m, n) == NULL, "connection past the end");
	for (size_t i = 0; i < n; i++) {
		const struct model_conn *c = model_conn_at(m, i);
		check(c && model_conn_find(m, c->name.s, c->name.len) == c,
		      "a listed connection is not found by its name");
		const struct model_str strs[] = {c->name, c->version, c->unique, c->ppk_id};
		for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
			touch_str(strs[k]);
		touch_list(&c->local_addrs);
		touch_list(&c->remote_addrs);
		for (size_t k = 0; k < c->n_auths; k++) {
			const struct model_auth *a = &c->auths[k];
			const struct model_str as[] = {a->section,    a->auth_class, a->eap_type,
			                               a->eap_vendor, a->xauth,      a->revocation,
			                               a->id,         a->ca_id,      a->aaa_id,
			                               a->eap_id,     a->xauth_id};
			for (size_t j = 0; j < sizeof(as) / sizeof(as[0]); j++)
				touch_str(as[j]);
			touch_list(&a->groups);
			touch_list(&a->cert_policy);
			touch_list(&a->certs);
			touch_list(&a->cacerts);
		}
		for (size_t k = 0; k < c->n_children; k++) {
			const struct model_conn_child *ch = &c->children[k];
			const struct model_str cs[] = {
			        ch->name,         ch->mode,       ch->label,       ch->interface,
			        ch->start_action, ch->dpd_action, ch->close_action};
			for (size_t j = 0; j < sizeof(cs) / sizeof(cs[0]); j++)
				touch_str(cs[j]);
			touch_list(&ch->local_ts);
			touch_list(&ch->remote_ts);
		}
		touch_raw(c->raw);
		struct model_conn_status st, want = {0, 0, 0, 0};
		model_conn_status_get(m, c, &st);
		/* the status is cached; count it again the long way */
		for (size_t k = 0; k < model_ike_count(m); k++) {
			const struct model_ike *ike = model_ike_at(m, k);
			if (!str_eq(ike->name, c->name))
				continue;
			want.ikes++;
			want.ikes_up += ike->state == MODEL_IKE_ESTABLISHED;
			for (size_t j = 0; j < ike->n_children; j++)
				want.children_up += ike->children[j].state == MODEL_CHILD_INSTALLED;
		}
		for (size_t k = 0; k < c->n_children; k++)
			want.configs_up += config_up(m, c, &c->children[k]);
		check(st.ikes == want.ikes && st.ikes_up == want.ikes_up &&
		              st.children_up == want.children_up &&
		              st.configs_up == want.configs_up,
		      "connection status differs from the SA table");
		*conns_up += st.ikes_up > 0;
	}
	for (size_t i = 0; i < model_pol_count(m); i++) {
		const struct model_pol *p = model_pol_at(m, i);
		check(p != NULL, "policy missing");
		const struct model_str strs[] = {p->key, p->child, p->ike, p->mode, p->label};
		for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
			touch_str(strs[k]);
		touch_list(&p->local_ts);
		touch_list(&p->remote_ts);
		touch_raw(p->raw);
	}
}

static void walk_daemon(const struct model *m)
{
	const struct model_version *v = model_version_get(m);
	const struct model_stats *st = model_stats_get(m);
	const struct model_str vs[] = {v->daemon,  v->version,  v->sysname, v->release,
	                               v->machine, st->running, st->since};
	for (size_t k = 0; k < sizeof(vs) / sizeof(vs[0]); k++)
		touch_str(vs[k]);
	touch_list(&st->plugins);
	if (v->valid)
		touch_raw(v->raw);
	if (st->valid)
		touch_raw(st->raw);
}

static void walk_rings(const struct model *m, const uint8_t *filter_bytes, size_t filter_len)
{
	size_t n = model_events_count(m);
	check(model_event_at(m, n) == NULL, "event past the end");
	for (size_t i = 0; i < n; i++) {
		const struct model_event *e = model_event_at(m, i);
		check(e != NULL, "event missing");
		if (i)
			check(e->seq == model_event_at(m, i - 1)->seq + 1,
			      "events not consecutive");
		else
			check(e->seq == model_events_dropped(m), "events dropped uncounted");
		const struct model_str strs[] = {e->ike_name, e->child_name, e->remote_host,
		                                 e->text, e->group};
		for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
			touch_str(strs[k]);
		check(model_event_kind_name(e->kind) != NULL, "kind name");
	}
	n = model_log_count(m);
	check(model_log_at(m, n) == NULL, "log line past the end");
	struct model_log_filter all, f;
	model_log_filter_init(&all);
	check(model_log_count_matching(m, &all) == n, "the open filter hides lines");
	/* A filter made of the input: groups, levels, ike id and some text. */
	char text[9];
	size_t tl = filter_len < 8 ? filter_len : 8;
	model_log_filter_init(&f);
	if (filter_len >= 4) {
		f.groups = (uint32_t)filter_bytes[0] << 12 | filter_bytes[1];
		f.min_level = (int8_t)filter_bytes[2];
		f.max_level = (int8_t)filter_bytes[3];
		f.ike_id = filter_bytes[0] & 7;
	}
	memcpy(text, filter_bytes, tl);
	text[tl] = 0;
	f.text = text;
	size_t matching = 0;
	for (size_t i = 0; i < n; i++) {
		const struct model_log_line *l = model_log_at(m, i);
		check(l != NULL, "log line missing");
		if (i)
			check(l->seq == model_log_at(m, i - 1)->seq + 1,
			      "log lines not consecutive");
		else
			check(l->seq == model_log_dropped(m), "log lines dropped uncounted");
		touch_str(l->group);
		touch_str(l->ike_name);
		touch_str(l->msg);
		check(l->group_index < MODEL_LOG_GROUP_COUNT, "group index");
		check(model_log_group_index(l->group.s, l->group.len) == l->group_index,
		      "group index differs from the group");
		check(model_log_group_name(l->group_index) != NULL, "group name");
		matching += model_log_match(l, &f);
	}
	check(model_log_count_matching(m, &f) == matching, "count_matching differs from match");
}

/* A view and the order it was asked for. */
struct view {
	struct model_view *v;
	enum model_sort key;
	bool desc;
	char sub[4]; /* the filter: rows whose name or remote host holds it */
	size_t sub_len;
	bool filtered;
};

static bool str_has(struct model_str s, const char *sub, size_t len)
{
	for (size_t i = 0; i + len <= s.len; i++)
		if (!memcmp(s.s + i, sub, len))
			return true;
	return false;
}

static bool view_match(void *ctx, const struct model_ike *ike, const struct model_child *child)
{
	const struct view *vw = ctx;
	if (child)
		return str_has(child->name, vw->sub, vw->sub_len);
	return str_has(ike->name, vw->sub, vw->sub_len) ||
	       str_has(ike->remote_host, vw->sub, vw->sub_len);
}

/* The order model.h describes, for the keys that do not depend on counters
 * (a bytes or rate order is redone only now and then); 0 for those. */
static int ike_order(const struct view *vw, const struct model_ike *a, const struct model_ike *b)
{
	int r = 0;
	switch (vw->key) {
	case MODEL_SORT_NAME:
		r = str_order(a->name, b->name);
		break;
	case MODEL_SORT_STATE:
		r = a->state < b->state ? -1 : a->state > b->state;
		if (!r)
			r = str_order(a->name, b->name);
		break;
	case MODEL_SORT_REMOTE:
		r = str_order(a->remote_host, b->remote_host);
		if (!r)
			r = str_order(a->name, b->name);
		break;
	case MODEL_SORT_UNIQUEID:
		break;
	default:
		return 0;
	}
	if (!r)
		r = a->uniqueid < b->uniqueid ? -1 : a->uniqueid > b->uniqueid;
	return vw->desc ? -r : r;
}

static void walk_view(const struct model *m, const struct view *vw)
{
	struct model_view *v = vw->v;
	const struct model_ike *prev = NULL;
	model_view_refresh(v);
	size_t n = model_view_count(v);
	check(model_view_row(v, n) == NULL, "row past the end");
	size_t sel = model_view_selected(v), where = n + 1;
	/* With rows, a row is selected, or the selected SA is gone and the
	 * view knows where it was. */
	bool gone = model_view_gone(v, &where, NULL);
	check(sel == MODEL_VIEW_NONE ? !n || (gone && where <= n) : sel < n && !gone,
	      "selection outside the rows");
	const struct model_ike *cur = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = model_view_row(v, i);
		check(r && model_ike_find(m, r->ike->uniqueid) == r->ike, "row of a dead IKE SA");
		touch_str(r->ike->name);
		if (r->kind == MODEL_ROW_IKE) {
			check(r->child == NULL, "IKE row with a CHILD SA");
			check(!prev || ike_order(vw, prev, r->ike) <= 0, "IKE rows out of order");
			prev = cur = r->ike;
			continue;
		}
		check(r->ike == cur && !cur->folded, "CHILD row not under its unfolded IKE row");
		check(r->child >= cur->children && r->child < cur->children + cur->n_children,
		      "CHILD row outside its IKE SA");
		check(!vw->filtered || view_match((void *)vw, r->ike, r->child),
		      "CHILD row the filter does not match");
		touch_str(r->child->name);
	}
	if (sel != MODEL_VIEW_NONE) {
		struct model_sel s = model_view_selection(v);
		const struct model_row *r = model_view_row(v, sel);
		check(s.ike_id == r->ike->uniqueid &&
		              s.child_id == (r->child ? r->child->uniqueid : 0),
		      "selection identity differs from the selected row");
	}
	/* The IKE SAs of the window: shown ones, no repeat next to each other. */
	uint32_t ids[8];
	size_t k = model_view_window_ikes(v, ids, 8);
	check(k <= 8, "more window IKE SAs than room");
	for (size_t i = 0; i < k; i++)
		check(model_ike_find(m, ids[i]) && (!i || ids[i] != ids[i - 1]),
		      "window names an IKE SA that is gone, or one twice in a row");
}

static void walk(struct model *m, const struct view *views, size_t nviews, int64_t now,
                 const uint8_t *filter_bytes, size_t filter_len)
{
	struct model_counts k;
	size_t children = 0, stale = 0, states = 0, conns_up;
	size_t n = model_ike_count(m);
	check(model_ike_at(m, n) == NULL, "IKE SA past the end");
	for (size_t i = 0; i < n; i++) {
		const struct model_ike *ike = model_ike_at(m, i);
		check(ike != NULL, "IKE SA missing");
		walk_ike(m, ike, now);
		children += ike->n_children;
		stale += ike->stale;
	}
	walk_conns(m, &conns_up);
	model_counts_get(m, &k);
	for (size_t i = 0; i < MODEL_IKE_STATE_COUNT; i++)
		states += k.ike_states[i];
	check(k.ikes == n && k.children == children && k.stale == stale && states == n &&
	              k.conns == model_conn_count(m) && k.pols == model_pol_count(m) &&
	              k.conns_up == conns_up,
	      "counts disagree with the tables");
	walk_daemon(m);
	walk_rings(m, filter_bytes, filter_len);
	for (size_t i = 0; i < nviews; i++)
		walk_view(m, &views[i]);
	sink += (unsigned)model_take_changes(m);
	sink += (unsigned)model_sa_generation(m) + (unsigned)model_sa_view_generation(m);
}

static void view_op(struct model *m, struct view *vw, uint8_t op, uint8_t arg)
{
	struct model_view *v = vw->v;
	model_view_refresh(v);
	switch (op % 10) {
	case 0:
		vw->key = (enum model_sort)(arg % (MODEL_SORT_COUNT + 1));
		vw->desc = arg & 0x80;
		model_view_set_sort(v, vw->key, vw->desc);
		if (vw->key == MODEL_SORT_COUNT)
			vw->key = MODEL_SORT_NAME; /* what the view makes of it */
		break;
	case 1: {
		/* a filter out of an SA's strings, so that it matches sometimes */
		size_t n = model_ike_count(m);
		const struct model_ike *ike = n ? model_ike_at(m, arg % n) : NULL;
		struct model_str s =
		        ike ? (arg & 1 ? ike->remote_host : ike->name) : (struct model_str){"", 0};
		vw->sub_len = s.len > 3 ? (size_t)(arg % 4) + 1 : s.len;
		if (vw->sub_len)
			memcpy(vw->sub, s.s, vw->sub_len);
		vw->filtered = !(arg & 0x80);
		model_view_set_match(v, vw->filtered ? view_match : NULL, vw);
		break;
	}
	case 2:
		model_view_set_fold(v, arg % 16, arg & 0x80);
		break;
	case 3:
		model_view_fold_all(v, arg & 1);
		break;
	case 4:
		model_view_select(v, arg);
		break;
	case 5:
		model_view_move(v, (int8_t)arg);
		break;
	case 6: {
		struct model_sel s = {arg % 16, arg >> 4};
		model_view_select_id(v, s);
		break;
	}
	case 7:
		model_view_select_id(v, model_view_selection(v));
		break;
	case 8:
		model_view_move(v, arg & 1 ? 1000000 : -1000000);
		break;
	default:
		model_view_set_window(v, arg & 15, arg >> 4);
		/* the SA a detail view shows: its raw elements are kept */
		model_set_raw_ike(m, arg % 16);
		break;
	}
}

static bool take(const uint8_t **p, const uint8_t *end, size_t n)
{
	if ((size_t)(end - *p) < n)
		return false;
	*p += n;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	if (size < 1)
		return 0;
	uint8_t cfgb = *p++;
	struct model_config cfg;
	model_config_defaults(&cfg);
	cfg.events_capacity = 1 + (cfgb & 7);
	cfg.log_capacity = 1 + ((cfgb >> 3) & 7);
	cfg.sweep_miss_limit = 1 + ((cfgb >> 6) & 1);
	cfg.rate_min_interval_ms = cfgb & 0x80 ? 1 : 900;
	struct model *m = model_new(&cfg);
	struct view views[2] = {{.v = model_view_new(m), .key = MODEL_SORT_NAME},
	                        {.v = model_view_new(m), .key = MODEL_SORT_RATE, .desc = true}};
	model_view_set_sort(views[1].v, MODEL_SORT_RATE, true);
	int64_t now = 1000000;

	while (p < end) {
		const uint8_t *step = p;
		uint8_t op = *p++ % 24;
		if (op <= 12) {
			if (!take(&p, end, 2))
				break;
			size_t len = (size_t)p[-2] << 8 | p[-1];
			if (len > (size_t)(end - p))
				len = (size_t)(end - p);
			/* a copy of exactly the body, so reads past it are caught */
			uint8_t *body = malloc(len ? len : 1);
			memcpy(body, p, len);
			p += len;
			int r;
			if (op < 10)
				r = model_ingest_event(m, names[op], strlen(names[op]), body, len,
				                       now);
			else if (op == 10)
				r = model_ingest_version(m, body, len, now);
			else if (op == 11)
				r = model_ingest_stats(m, body, len, now);
			else
				r = model_ingest_event(m, "list-sas", 8, body, len, now);
			free(body);
			check(r >= 0 || r == -EBADMSG || (op == 12 && r == -ENOENT),
			      "ingest returned an unexpected error");
		} else if (op <= 16) {
			if (!take(&p, end, op == 13 ? 2 : 1))
				break;
			enum model_table t = (enum model_table)(step[1] % 4);
			if (op == 13)
				model_sweep_begin(m, t, step[2] % 16, now);
			else if (op == 14)
				model_sweep_end(m, t, now);
			else if (op == 15)
				model_sweep_abort(m, t);
			else
				model_clear(m, t);
		} else if (op == 17) {
			if (!take(&p, end, 2))
				break;
			now += ((int64_t)p[-2] << 8 | p[-1]) * 16;
		} else if (op == 18) {
			if (!take(&p, end, 2))
				break;
			enum model_event_kind k =
			        (enum model_event_kind)((p[-2] & 0x7f) % (MODEL_EV_KIND_COUNT + 1));
			size_t len = p[-1] <= (size_t)(end - p) ? p[-1] : (size_t)(end - p);
			int r = p[-2] & 0x80 ? model_event_addf(m, k, now, "%.*s", (int)len,
			                                        (const char *)p)
			                     : model_event_add(m, k, now, (const char *)p, len);
			check(r == ((unsigned)k < MODEL_EV_KIND_COUNT ? MODEL_CHANGED_EVENTS
			                                              : -EINVAL),
			      "event_add result");
			p += len;
		} else {
			if (!take(&p, end, 2))
				break;
			view_op(m, &views[p[-2] & 1], p[-2] >> 1, p[-1]);
		}
		walk(m, views, 2, now, step, (size_t)(end - step));
	}
	model_view_free(views[0].v);
	model_view_free(views[1].v);
	model_free(m);
	return 0;
}
#pragma clang attribute pop
