/*
 * VICI messages in charon's layout for tests (see msgs.h).
 */
#include "msgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/wire.h"

static void ike_fields(struct vici_builder *b, const struct ike_spec *s)
{
	vici_builder_add_fmt(b, "uniqueid", "%u", s->uid);
	vici_builder_add_str(b, "version", "2");
	vici_builder_add_str(b, "state", s->state ? s->state : "ESTABLISHED");
	vici_builder_add_str(b, "local-host", s->local ? s->local : "192.0.2.1");
	vici_builder_add_str(b, "local-port", "4500");
	vici_builder_add_str(b, "local-id", "gw.example.org");
	vici_builder_add_str(b, "remote-host", s->remote ? s->remote : "198.51.100.7");
	vici_builder_add_str(b, "remote-port", "4500");
	vici_builder_add_str(b, "remote-id", "peer.example.org");
	if (s->initiator)
		vici_builder_add_str(b, "initiator", "yes");
	vici_builder_add_str(b, "initiator-spi", "63d8059b5ef34997");
	vici_builder_add_str(b, "responder-spi",
	                     s->responder_spi ? s->responder_spi : "a1b2c3d4e5f60718");
	vici_builder_add_str(b, "nat-remote", "yes");
	vici_builder_add_str(b, "nat-any", "yes");
	vici_builder_add_str(b, "encr-alg", "AES_CBC");
	vici_builder_add_str(b, "encr-keysize", "256");
	vici_builder_add_str(b, "integ-alg", "HMAC_SHA2_256_128");
	vici_builder_add_str(b, "prf-alg", "PRF_HMAC_SHA2_256");
	vici_builder_add_str(b, "dh-group", "CURVE_25519");
	if (s->established >= 0)
		vici_builder_add_fmt(b, "established", "%d", s->established);
	if (s->rekey >= 0)
		vici_builder_add_fmt(b, "rekey-time", "%d", s->rekey);
	vici_builder_list_start(b, "tasks-queued");
	vici_builder_list_item_str(b, "CHILD_CREATE");
	vici_builder_list_end(b);
}

static void child_fields(struct vici_builder *b, const struct child_spec *c)
{
	vici_builder_add_str(b, "name", c->name);
	vici_builder_add_fmt(b, "uniqueid", "%u", c->uid);
	vici_builder_add_fmt(b, "reqid", "%u", c->reqid ? c->reqid : c->uid + 1000);
	vici_builder_add_str(b, "state", c->state ? c->state : "INSTALLED");
	vici_builder_add_str(b, "mode", "TUNNEL");
	vici_builder_add_str(b, "protocol", "ESP");
	vici_builder_add_str(b, "encap", "yes");
	vici_builder_add_fmt(b, "spi-in", "c%07x", c->uid);
	vici_builder_add_fmt(b, "spi-out", "d%07x", c->uid);
	vici_builder_add_str(b, "encr-alg", "AES_GCM_16");
	vici_builder_add_str(b, "encr-keysize", "256");
	vici_builder_add_fmt(b, "bytes-in", "%llu", (unsigned long long)c->bytes_in);
	vici_builder_add_fmt(b, "packets-in", "%llu", (unsigned long long)c->packets_in);
	vici_builder_add_str(b, "use-in", "3");
	vici_builder_add_fmt(b, "bytes-out", "%llu", (unsigned long long)c->bytes_out);
	vici_builder_add_fmt(b, "packets-out", "%llu", (unsigned long long)c->packets_out);
	vici_builder_add_fmt(b, "rekey-time", "%d", c->rekey);
	vici_builder_add_fmt(b, "life-time", "%d", c->life);
	vici_builder_add_fmt(b, "install-time", "%d", c->install);
	vici_builder_list_start(b, "local-ts");
	vici_builder_list_item_str(b, c->lts ? c->lts : "10.1.0.0/16");
	vici_builder_list_end(b);
	vici_builder_list_start(b, "remote-ts");
	vici_builder_list_item_str(b, c->rts ? c->rts : "10.2.0.0/16");
	vici_builder_list_end(b);
}

static void child_section(struct vici_builder *b, const struct child_spec *c)
{
	char key[300];
	snprintf(key, sizeof(key), "%s-%u", c->name, c->uid);
	vici_builder_section_start(b, key);
	child_fields(b, c);
	vici_builder_section_end(b);
}

struct msg msg_finish(struct vici_builder *b)
{
	struct msg m;
	if (vici_builder_finish(b, &m.p, &m.len) < 0)
		abort();
	return m;
}

struct msg msg_list_sa(const struct ike_spec *s, const struct child_spec *c, size_t n)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_section_start(&b, s->name);
	ike_fields(&b, s);
	vici_builder_section_start(&b, "child-sas");
	for (size_t i = 0; i < n; i++)
		child_section(&b, &c[i]);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	return msg_finish(&b);
}

struct msg msg_ike_updown(bool up, const struct ike_spec *s)
{
	struct vici_builder b;
	vici_builder_init(&b);
	if (up)
		vici_builder_add_str(&b, "up", "yes");
	vici_builder_section_start(&b, s->name);
	ike_fields(&b, s);
	vici_builder_section_end(&b);
	return msg_finish(&b);
}

struct msg msg_child_updown(bool up, const struct ike_spec *s, const struct child_spec *c)
{
	struct vici_builder b;
	vici_builder_init(&b);
	if (up)
		vici_builder_add_str(&b, "up", "yes");
	vici_builder_section_start(&b, s->name);
	ike_fields(&b, s);
	vici_builder_section_start(&b, "child-sas");
	child_section(&b, c);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	return msg_finish(&b);
}

struct msg msg_child_rekey(const struct ike_spec *s, const struct child_spec *o,
                           const struct child_spec *n)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_section_start(&b, s->name);
	ike_fields(&b, s);
	vici_builder_section_start(&b, "child-sas");
	vici_builder_section_start(&b, o->name);
	vici_builder_section_start(&b, "old");
	child_fields(&b, o);
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "new");
	child_fields(&b, n);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	return msg_finish(&b);
}

struct msg msg_ike_rekey(const struct ike_spec *o, const struct ike_spec *n)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_section_start(&b, o->name);
	vici_builder_section_start(&b, "old");
	ike_fields(&b, o);
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "new");
	ike_fields(&b, n);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	return msg_finish(&b);
}

struct msg msg_ike_update(const struct ike_spec *s, const char *new_remote, int port)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "local-host", s->local ? s->local : "192.0.2.1");
	vici_builder_add_str(&b, "local-port", "4500");
	vici_builder_add_str(&b, "remote-host", new_remote);
	vici_builder_add_fmt(&b, "remote-port", "%d", port);
	vici_builder_section_start(&b, s->name);
	ike_fields(&b, s);
	vici_builder_section_end(&b);
	return msg_finish(&b);
}

struct msg msg_list_conn(const char *name, const char *const *children, const char *const *start,
                         size_t n)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_section_start(&b, name);
	vici_builder_list_start(&b, "local_addrs");
	vici_builder_list_item_str(&b, "192.0.2.1");
	vici_builder_list_end(&b);
	vici_builder_list_start(&b, "remote_addrs");
	vici_builder_list_item_str(&b, "192.0.2.2");
	vici_builder_list_end(&b);
	vici_builder_add_str(&b, "version", "IKEv2");
	vici_builder_add_str(&b, "reauth_time", "0");
	vici_builder_add_str(&b, "rekey_time", "14400");
	vici_builder_add_str(&b, "unique", "UNIQUE_NO");
	vici_builder_section_start(&b, "local-1");
	vici_builder_add_str(&b, "class", "pre-shared key");
	vici_builder_add_str(&b, "id", "gw@example.org");
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "remote-1");
	vici_builder_add_str(&b, "class", "pre-shared key");
	vici_builder_add_str(&b, "id", "%any");
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "children");
	for (size_t i = 0; i < n; i++) {
		vici_builder_section_start(&b, children[i]);
		vici_builder_add_str(&b, "mode", "TUNNEL");
		vici_builder_add_str(&b, "rekey_time", "3600");
		vici_builder_add_str(&b, "dpd_action", "clear");
		vici_builder_add_str(&b, "close_action", "none");
		vici_builder_add_str(&b, "start_action", start && start[i] ? start[i] : "none");
		vici_builder_list_start(&b, "local-ts");
		vici_builder_list_item_str(&b, "10.1.0.0/16");
		vici_builder_list_end(&b);
		vici_builder_list_start(&b, "remote-ts");
		vici_builder_list_item_str(&b, "10.2.0.0/16");
		vici_builder_list_end(&b);
		vici_builder_section_end(&b);
	}
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	return msg_finish(&b);
}

struct msg msg_control_log(const char *group, int level, const char *text)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "group", group);
	vici_builder_add_fmt(&b, "level", "%d", level);
	vici_builder_add_str(&b, "msg", text);
	return msg_finish(&b);
}

struct msg msg_list_pol(const char *key, const char *mode, const char *lts, const char *rts)
{
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_section_start(&b, key);
	const char *slash = strchr(key, '/');
	vici_builder_add_str(&b, "child", slash ? slash + 1 : key);
	if (slash)
		vici_builder_add_fmt(&b, "ike", "%.*s", (int)(slash - key), key);
	vici_builder_add_str(&b, "mode", mode);
	vici_builder_list_start(&b, "local-ts");
	vici_builder_list_item_str(&b, lts);
	vici_builder_list_end(&b);
	vici_builder_list_start(&b, "remote-ts");
	vici_builder_list_item_str(&b, rts);
	vici_builder_list_end(&b);
	vici_builder_section_end(&b);
	return msg_finish(&b);
}

int msg_feed(struct model *m, const char *event, struct msg msg, int64_t now)
{
	int r = model_ingest_event(m, event, strlen(event), msg.p, msg.len, now);
	free(msg.p);
	return r;
}

void msg_sweep_sas(struct model *m, const struct ike_spec *ikes,
                   const struct child_spec *const *children, const size_t *nchildren, size_t n,
                   int64_t now)
{
	model_sweep_begin(m, MODEL_TABLE_SAS, 0, now);
	for (size_t i = 0; i < n; i++)
		msg_feed(m, "list-sa", msg_list_sa(&ikes[i], children[i], nchildren[i]), now);
	model_sweep_end(m, MODEL_TABLE_SAS, now);
}

void msg_sweep(struct model *m, enum model_table t, const char *event, const struct msg *msgs,
               size_t n, int64_t now)
{
	model_sweep_begin(m, t, 0, now);
	for (size_t i = 0; i < n; i++)
		msg_feed(m, event, msgs[i], now);
	model_sweep_end(m, t, now);
}

void msg_sweep_conns(struct model *m, const struct msg *conns, size_t n, int64_t now)
{
	msg_sweep(m, MODEL_TABLE_CONNS, "list-conn", conns, n, now);
}
