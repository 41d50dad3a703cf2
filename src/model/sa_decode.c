/*
 * SA messages into scratch structs (see sa_decode.h): the field tables of
 * IKE and CHILD SAs in charon's emission order, and the walk over the
 * layouts of list-sa and the SA events. Nothing here touches the stored SAs;
 * sa.c and sa_events.c apply what was decoded.
 */
#include "model/sa_decode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "model/model_priv.h"
#include "vici/xmalloc.h"

#define IKE_F(n, k, m) FIELD(n, k, struct model_ike, m)
#define CHILD_F(n, k, m) FIELD(n, k, struct model_child, m)

static const struct field ike_fields[] = {
        IKE_F("uniqueid", F_U32, uniqueid),
        IKE_F("version", F_VERSION, version),
        IKE_F("state", F_IKE_STATE, state),
        IKE_F("local-host", F_STR, local_host),
        IKE_F("local-port", F_U16, local_port),
        IKE_F("local-id", F_STR, local_id),
        IKE_F("remote-host", F_STR, remote_host),
        IKE_F("remote-port", F_U16, remote_port),
        IKE_F("remote-id", F_STR, remote_id),
        IKE_F("remote-xauth-id", F_STR, remote_xauth_id),
        IKE_F("remote-eap-id", F_STR, remote_eap_id),
        IKE_F("initiator", F_YES, initiator),
        IKE_F("initiator-spi", F_STR, initiator_spi),
        IKE_F("responder-spi", F_STR, responder_spi),
        IKE_F("nat-local", F_YES, nat_local),
        IKE_F("nat-remote", F_YES, nat_remote),
        IKE_F("nat-fake", F_YES, nat_fake),
        IKE_F("nat-any", F_YES, nat_any),
        IKE_F("if-id-in", F_STR, if_id_in),
        IKE_F("if-id-out", F_STR, if_id_out),
        IKE_F("encr-alg", F_STR, encr_alg),
        IKE_F("encr-keysize", F_U32, encr_keysize),
        IKE_F("integ-alg", F_STR, integ_alg),
        IKE_F("integ-keysize", F_U32, integ_keysize),
        IKE_F("prf-alg", F_STR, prf_alg),
        IKE_F("dh-group", F_STR, dh_group),
        IKE_F("ppk", F_YES, ppk),
        IKE_F("established", F_AGO, established_at),
        IKE_F("rekey-time", F_UNTIL, rekey_at),
        IKE_F("reauth-time", F_UNTIL, reauth_at),
        IKE_F("local-vips", F_LIST, local_vips),
        IKE_F("remote-vips", F_LIST, remote_vips),
        IKE_F("tasks-queued", F_LIST, tasks_queued),
        IKE_F("tasks-active", F_LIST, tasks_active),
        IKE_F("tasks-passive", F_LIST, tasks_passive),
};
#define N_IKE_FIELDS (sizeof(ike_fields) / sizeof(ike_fields[0]))

static const struct field child_fields[] = {
        CHILD_F("name", F_STR, name),
        CHILD_F("uniqueid", F_U32, uniqueid),
        CHILD_F("reqid", F_U32, reqid),
        CHILD_F("state", F_CHILD_STATE, state),
        CHILD_F("mode", F_STR, mode),
        CHILD_F("label", F_STR, label),
        CHILD_F("protocol", F_STR, protocol),
        CHILD_F("encap", F_YES, encap),
        CHILD_F("spi-in", F_STR, spi_in),
        CHILD_F("spi-out", F_STR, spi_out),
        CHILD_F("cpi-in", F_STR, cpi_in),
        CHILD_F("cpi-out", F_STR, cpi_out),
        CHILD_F("mark-in", F_STR, mark_in),
        CHILD_F("mark-mask-in", F_STR, mark_mask_in),
        CHILD_F("mark-out", F_STR, mark_out),
        CHILD_F("mark-mask-out", F_STR, mark_mask_out),
        CHILD_F("if-id-in", F_STR, if_id_in),
        CHILD_F("if-id-out", F_STR, if_id_out),
        CHILD_F("encr-alg", F_STR, encr_alg),
        CHILD_F("encr-keysize", F_U32, encr_keysize),
        CHILD_F("integ-alg", F_STR, integ_alg),
        CHILD_F("integ-keysize", F_U32, integ_keysize),
        CHILD_F("prf-alg", F_STR, prf_alg),
        CHILD_F("dh-group", F_STR, dh_group),
        CHILD_F("esn", F_YES, esn),
        CHILD_F("bytes-in", F_COUNTER, bytes_in),
        CHILD_F("packets-in", F_COUNTER, packets_in),
        CHILD_F("use-in", F_AGO, use_in_at),
        CHILD_F("bytes-out", F_COUNTER, bytes_out),
        CHILD_F("packets-out", F_COUNTER, packets_out),
        CHILD_F("use-out", F_AGO, use_out_at),
        CHILD_F("rekey-time", F_UNTIL, rekey_at),
        CHILD_F("life-time", F_UNTIL, life_at),
        CHILD_F("install-time", F_AGO, installed_at),
        CHILD_F("local-ts", F_LIST, local_ts),
        CHILD_F("remote-ts", F_LIST, remote_ts),
};
#define N_CHILD_FIELDS (sizeof(child_fields) / sizeof(child_fields[0]))

/* The walk over one message. */
struct sa_parse {
	struct model *m;
	int64_t now;
	enum sa_layout layout;
	struct sa_msg *d;
	bool got_ike, got_old, got_new;
	bool has_children;
	struct model_str child_key; /* child-rekey: the section holding old/new */
};

static const struct field root_fields[] = {
        FIELD("up", F_YES, struct sa_msg, up),
        FIELD("local-host", F_STR, struct sa_msg, local_host),
        FIELD("local-port", F_U16, struct sa_msg, local_port),
        FIELD("remote-host", F_STR, struct sa_msg, remote_host),
        FIELD("remote-port", F_U16, struct sa_msg, remote_port),
};
#define N_ROOT_FIELDS (sizeof(root_fields) / sizeof(root_fields[0]))

void sa_decode_init(struct model *m)
{
	memset(&m->ike_tpl, 0, sizeof(m->ike_tpl));
	fields_reset(&m->ike_tpl, ike_fields, N_IKE_FIELDS);
	memset(&m->child_tpl, 0, sizeof(m->child_tpl));
	fields_reset(&m->child_tpl, child_fields, N_CHILD_FIELDS);
}

void sa_decode_free(struct model *m)
{
	free(m->tmp);
	free(m->tmp_role);
}

static struct model_child *tmp_push(struct model *m, int role)
{
	if (m->tmp_n == m->tmp_cap) {
		m->tmp_cap = m->tmp_cap ? m->tmp_cap * 2 : 8;
		m->tmp = xreallocarray(m->tmp, m->tmp_cap, sizeof(*m->tmp));
		m->tmp_role = xreallocarray(m->tmp_role, m->tmp_cap, sizeof(*m->tmp_role));
	}
	m->tmp_role[m->tmp_n] = role;
	struct model_child *c = &m->tmp[m->tmp_n++];
	*c = m->child_tpl;
	return c;
}

static int child_body(struct sa_parse *sp, struct vici_parser *p, struct model_str key, int role)
{
	struct model_child *c = tmp_push(sp->m, role);
	const uint8_t *start = p->pos, *end;
	c->key = key;
	int r = fields_walk(p, false, c, child_fields, N_CHILD_FIELDS, sp->now, NULL, NULL, NULL,
	                    &end);
	if (r < 0)
		return r;
	c->raw.msg = start;
	c->raw.len = (size_t)(end - start);
	c->updated_at = sp->now;
	return 0;
}

/* Inside child-sas{<name>{old{...} new{...}}} of child-rekey. */
static int rekey_pair_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct sa_parse *sp = ctx;
	int role = vici_eq(e->name, e->name_len, "old")   ? ROLE_OLD
	           : vici_eq(e->name, e->name_len, "new") ? ROLE_NEW
	                                                  : -1;
	if (role < 0)
		return vici_parser_skip_section(p);
	return child_body(sp, p, sp->child_key, role);
}

static int children_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct sa_parse *sp = ctx;
	struct model_str key = mstr(e->name, e->name_len);
	if (sp->layout != SA_LAYOUT_CHILD_REKEY)
		return child_body(sp, p, key, ROLE_PLAIN);
	sp->child_key = key;
	return fields_walk(p, false, NULL, NULL, 0, sp->now, rekey_pair_sub, sp, NULL, NULL);
}

/* Only the first child-sas section of a message counts (for ike-rekey: of
 * both IKE sections). */
static int ike_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct sa_parse *sp = ctx;
	if (!vici_eq(e->name, e->name_len, "child-sas") || sp->has_children)
		return vici_parser_skip_section(p);
	sp->has_children = true;
	return fields_walk(p, false, NULL, NULL, 0, sp->now, children_sub, sp, NULL, NULL);
}

/* Decodes the IKE section whose SECTION_START e was just returned into f;
 * its CHILD SAs go to m->tmp. */
static int ike_body(struct sa_parse *sp, struct vici_parser *p, const struct vici_element *e,
                    struct model_ike *f)
{
	const uint8_t *start = p->pos, *first_sub, *end;
	*f = sp->m->ike_tpl;
	f->name = mstr(e->name, e->name_len);
	int r = fields_walk(p, false, f, ike_fields, N_IKE_FIELDS, sp->now, ike_sub, sp, &first_sub,
	                    &end);
	if (r < 0)
		return r;
	/* charon puts child-sas last: the IKE's own elements end where it starts. */
	f->raw.msg = start;
	f->raw.len = (size_t)(first_sub - start);
	f->updated_at = sp->now;
	return f->uniqueid ? 0 : -EBADMSG;
}

static int ike_rekey_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct sa_parse *sp = ctx;
	if (vici_eq(e->name, e->name_len, "old") && !sp->got_old) {
		sp->got_old = true;
		return ike_body(sp, p, e, &sp->d->ike);
	}
	if (vici_eq(e->name, e->name_len, "new") && !sp->got_new) {
		sp->got_new = true;
		return ike_body(sp, p, e, &sp->d->ike_new);
	}
	return vici_parser_skip_section(p);
}

/* The root of an SA message: optional keys, then one <ike-name> section (for
 * ike-rekey the section holds old and new IKE sections). */
static int root_sub(void *ctx, struct vici_parser *p, const struct vici_element *e)
{
	struct sa_parse *sp = ctx;
	if (sp->got_ike)
		return vici_parser_skip_section(p);
	sp->got_ike = true;
	if (sp->layout != SA_LAYOUT_IKE_REKEY)
		return ike_body(sp, p, e, &sp->d->ike);
	struct model_str name = {e->name, (uint32_t)e->name_len};
	int r = fields_walk(p, false, NULL, NULL, 0, sp->now, ike_rekey_sub, sp, NULL, NULL);
	/* Both IKE SAs are named by the enclosing section, not "old"/"new". */
	sp->d->ike.name = sp->d->ike_new.name = name;
	return r;
}

int sa_decode(struct model *m, const void *msg, size_t len, enum sa_layout layout, int64_t now,
              struct sa_msg *d)
{
	struct sa_parse sp = {.m = m, .now = now, .layout = layout, .d = d};
	struct vici_parser p;
	memset(d, 0, sizeof(*d));
	m->tmp_n = 0;
	fields_reset(d, root_fields, N_ROOT_FIELDS);
	vici_parser_init(&p, msg, len);
	int r = fields_walk(&p, true, d, root_fields, N_ROOT_FIELDS, now, root_sub, &sp, NULL,
	                    NULL);
	if (r < 0 || !sp.got_ike || (layout == SA_LAYOUT_IKE_REKEY && (!sp.got_old || !sp.got_new)))
		return -EBADMSG;
	d->children = m->tmp;
	d->roles = m->tmp_role;
	d->n_children = m->tmp_n;
	return 0;
}

/* ---- the model's own copies -------------------------------------------------- */

/* Where the strings and lists of an object are: the F_STR and F_LIST fields
 * of its table, and the few set outside it. */
struct own_layout {
	const struct field *tab;
	size_t n;
	size_t extra_str[3]; /* offsets of model_str fields not in tab, 0 ends */
};

static const struct own_layout ike_layout = {
        ike_fields,
        N_IKE_FIELDS,
        {offsetof(struct model_ike, name), offsetof(struct model_ike, state_name), 0},
};
static const struct own_layout child_layout = {
        child_fields,
        N_CHILD_FIELDS,
        {offsetof(struct model_child, key), offsetof(struct model_child, state_name), 0},
};

/* A string or a list of an object, by the offset of its model_str or
 * model_list: both begin with the pointer, then a 32-bit length. */
static const void *own_get(const void *obj, size_t off)
{
	const void *p;
	memcpy(&p, (const char *)obj + off, sizeof(p));
	return p;
}

static void own_set(void *obj, size_t off, const void *p)
{
	memcpy((char *)obj + off, &p, sizeof(p));
}

static size_t own_len(const void *obj, size_t off)
{
	uint32_t len;
	memcpy(&len, (const char *)obj + off + sizeof(void *), sizeof(len));
	return len;
}

/* Calls fn for every string and list of an object of layout l. */
typedef void (*own_fn)(void *ctx, size_t off);

static void own_each(const struct own_layout *l, own_fn fn, void *ctx)
{
	for (size_t i = 0; l->extra_str[i]; i++)
		fn(ctx, l->extra_str[i]);
	for (size_t i = 0; i < l->n; i++)
		if (l->tab[i].kind == F_STR || l->tab[i].kind == F_LIST)
			fn(ctx, l->tab[i].off);
}

/* One pass over the new object and the stored one. */
struct own {
	void *f;         /* the new one, pointing into a message */
	const void *old; /* the stored one, or NULL */
	bool same;       /* every string and list is old's */
	size_t total;    /* their bytes */
	uint8_t *at;     /* where the next one is copied to */
};

static void own_measure(void *ctx, size_t off)
{
	struct own *o = ctx;
	size_t len = own_len(o->f, off);
	o->total += len;
	if (o->same)
		o->same = o->old && own_len(o->old, off) == len &&
		          (!len || !memcmp(own_get(o->old, off), own_get(o->f, off), len));
}

static void own_reuse(void *ctx, size_t off)
{
	struct own *o = ctx;
	own_set(o->f, off, own_get(o->old, off));
}

static void own_copy(void *ctx, size_t off)
{
	struct own *o = ctx;
	size_t len = own_len(o->f, off);
	if (len)
		memcpy(o->at, own_get(o->f, off), len);
	own_set(o->f, off, len ? (const void *)o->at : "");
	o->at += len;
}

static struct model_blk *own(struct model *m, const struct own_layout *l, void *f, const void *old,
                             struct model_raw *raw, const struct model_raw *old_raw, bool keep)
{
	struct own o = {f, old, old != NULL, 0, NULL};
	own_each(l, own_measure, &o);
	if (o.same && !keep && !old_raw->len) {
		own_each(l, own_reuse, &o);
		raw->msg = NULL, raw->len = 0;
		return NULL;
	}
	struct model_blk *b = blk_alloc(&m->pool, o.total + (keep ? raw->len : 0));
	o.at = b->data;
	own_each(l, own_copy, &o);
	if (keep && raw->len) {
		memcpy(o.at, raw->msg, raw->len);
		raw->msg = o.at;
	} else {
		raw->msg = NULL, raw->len = 0;
	}
	return b;
}

struct model_blk *sa_own_ike(struct model *m, struct model_ike *f, const struct model_ike *old,
                             bool raw)
{
	static const struct model_raw none = {NULL, 0};
	return own(m, &ike_layout, f, old, &f->raw, old ? &old->raw : &none, raw);
}

struct model_blk *sa_own_child(struct model *m, struct model_child *f,
                               const struct model_child *old, bool raw)
{
	static const struct model_raw none = {NULL, 0};
	return own(m, &child_layout, f, old, &f->raw, old ? &old->raw : &none, raw);
}
