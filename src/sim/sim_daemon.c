/*
 * What vicisim does as a daemon: commands (version, stats, list-sas, list-conns,
 * list-policies, initiate, terminate, rekey, get-pools), events (ike-updown,
 * child-updown, ike-rekey, child-rekey, log, control-log), churn, the log
 * flood and the reply faults (oversized, malformed, close-after). Replies and
 * events go into the connections' outbound queues (sim_server.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "vici/xmalloc.h"

/* The events charon 5.9.8 knows ("alert" came in 6.0.3). */
const char *const sim_event_names[EV_COUNT] = {
        "list-sa",        "list-policy", "list-conn", "list-cert",
        "list-authority", "ike-updown",  "ike-rekey", "ike-update",
        "child-updown",   "child-rekey", "log",       "control-log",
};

/* Commands charon 5.9.8 knows but vicisim does not simulate: answered with
 * success=no instead of CMD_UNKNOWN, as a real daemon would know them. */
static const char *const other_commands[] = {
        "install",        "uninstall",      "get-conns",        "get-authorities", "load-conn",
        "unload-conn",    "load-cert",      "load-key",         "unload-key",      "get-keys",
        "load-token",     "load-shared",    "unload-shared",    "get-shared",      "flush-certs",
        "clear-creds",    "load-authority", "unload-authority", "load-pool",       "unload-pool",
        "get-algorithms", "get-counters",   "reset-counters",   "redirect",
};

/* The oversized fault: a header announcing 600 KiB, then that many bytes. */
static void send_oversized(struct sim_client *c)
{
	uint32_t n = 600u * 1024u;
	uint8_t *f = xcalloc(1, 4 + n);

	f[0] = (uint8_t)(n >> 24);
	f[1] = (uint8_t)(n >> 16);
	f[2] = (uint8_t)(n >> 8);
	f[3] = (uint8_t)n;
	f[4] = VICI_CMD_RESPONSE;
	sim_out_append(c, f, 4 + n);
	free(f);
}

/* The malformed fault: a body whose section is never closed. */
static void send_malformed(struct sim_client *c, enum vici_packet_type t, const char *name)
{
	static const uint8_t body[] = {VICI_SECTION_START, 6, 'b', 'r', 'o', 'k', 'e', 'n',
	                               VICI_KEY_VALUE,     1, 'k', 0,   1,   'v'};
	uint8_t f[4 + 2 + 255 + sizeof(body)];
	size_t nl = name ? strlen(name) : 0, n = 0;
	uint32_t payload = (uint32_t)(1 + (name ? 1 + nl : 0) + sizeof(body));

	f[n++] = (uint8_t)(payload >> 24);
	f[n++] = (uint8_t)(payload >> 16);
	f[n++] = (uint8_t)(payload >> 8);
	f[n++] = (uint8_t)payload;
	f[n++] = (uint8_t)t;
	if (name) {
		f[n++] = (uint8_t)nl;
		memcpy(f + n, name, nl);
		n += nl;
	}
	memcpy(f + n, body, sizeof(body));
	sim_out_append(c, f, n + sizeof(body));
}

static bool fault_for(bool on, const char *cmd, const char *name)
{
	return on && (!cmd || strcmp(cmd, name) == 0);
}

/* Sends a command reply body (takes msg), honouring oversized/malformed. */
static void reply(struct sim_server *s, struct sim_client *c, uint8_t *msg, size_t len)
{
	const char *cmd = c->job.pkt.name;

	if (fault_for(s->o.f.oversized, s->o.f.oversized_cmd, cmd))
		send_oversized(c);
	else if (fault_for(s->o.f.malformed, s->o.f.malformed_cmd, cmd))
		send_malformed(c, VICI_CMD_RESPONSE, NULL);
	else
		sim_send_packet(c, VICI_CMD_RESPONSE, NULL, msg, len);
	free(msg);
}

static void reply_builder(struct sim_server *s, struct sim_client *c, struct vici_builder *b)
{
	uint8_t *msg;
	size_t len;

	if (vici_builder_finish(b, &msg, &len) == 0)
		reply(s, c, msg, len);
	else
		fprintf(stderr, "vicisim: reply could not be encoded, dropped (as charon does)\n");
}

static void reply_status(struct sim_server *s, struct sim_client *c, const char *errfmt, ...)
        __attribute__((format(printf, 3, 4)));

static void reply_status(struct sim_server *s, struct sim_client *c, const char *errfmt, ...)
{
	struct vici_builder b;
	va_list ap;

	vici_builder_init(&b);
	vici_builder_add_str(&b, "success", errfmt ? "no" : "yes");
	if (errfmt) {
		va_start(ap, errfmt);
		vici_builder_add_vfmt(&b, "errmsg", errfmt, ap);
		va_end(ap);
	}
	reply_builder(s, c, &b);
}

/* ------------------------------------------------------------ events */

static bool any_registered(const struct sim_server *s, enum sim_event ev)
{
	for (size_t i = 0; i < s->nc; i++)
		if (s->c[i]->reg[ev] && !s->c[i]->dead)
			return true;
	return false;
}

/* Sends an event body to every registered connection, once per registration.
 * Takes the builder's message. */
static void broadcast(struct sim_server *s, enum sim_event ev, struct vici_builder *b)
{
	uint8_t *msg, *frame;
	size_t len, flen;

	if (vici_builder_finish(b, &msg, &len) != 0)
		return; /* charon 5.9.8 silently drops events it cannot encode */
	if (vici_packet_encode(VICI_EVENT, sim_event_names[ev], msg, len, &frame, &flen) == 0) {
		for (size_t i = 0; i < s->nc; i++)
			for (unsigned k = 0; k < s->c[i]->reg[ev]; k++)
				sim_out_append(s->c[i], frame, flen);
		free(frame);
	}
	free(msg);
}

/* An event only for one connection (stream events, control-log). */
static void unicast(struct sim_client *c, enum sim_event ev, struct vici_builder *b)
{
	uint8_t *msg;
	size_t len;

	if (vici_builder_finish(b, &msg, &len) != 0)
		return;
	for (unsigned k = 0; k < c->reg[ev]; k++)
		sim_send_packet(c, VICI_EVENT, sim_event_names[ev], msg, len);
	free(msg);
}

static void log_fields(struct vici_builder *b, const char *group, int level,
                       const struct sim_model *m, const struct sim_ike *ike, const char *msg)
{
	vici_builder_add_str(b, "group", group);
	vici_builder_add_fmt(b, "level", "%d", level);
	if (ike) {
		vici_builder_add_str(b, "ikesa-name", m->conns[ike->conn].name);
		vici_builder_add_fmt(b, "ikesa-uniqueid", "%u", ike->uniqueid);
	}
	vici_builder_add_str(b, "msg", msg);
}

/* A daemon log line: the "log" event for everyone registered and, if ctl is
 * set, the "control-log" event for the connection running a command. */
static void emit_log(struct sim_server *s, struct sim_client *ctl, const char *group,
                     const struct sim_ike *ike, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

static void emit_log(struct sim_server *s, struct sim_client *ctl, const char *group,
                     const struct sim_ike *ike, const char *fmt, ...)
{
	struct vici_builder b;
	char msg[1024];
	va_list ap;

	if (!any_registered(s, EV_LOG) && !(ctl && ctl->reg[EV_CONTROL_LOG]))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (any_registered(s, EV_LOG)) {
		vici_builder_init(&b);
		vici_builder_add_str(&b, "group", group);
		vici_builder_add_str(&b, "level", "1");
		vici_builder_add_fmt(&b, "thread", "%u", 1 + (unsigned)(sim_rand(s->m) % 16));
		if (ike) {
			vici_builder_add_str(&b, "ikesa-name", s->m->conns[ike->conn].name);
			vici_builder_add_fmt(&b, "ikesa-uniqueid", "%u", ike->uniqueid);
		}
		vici_builder_add_str(&b, "msg", msg);
		broadcast(s, EV_LOG, &b);
	}
	if (ctl && ctl->reg[EV_CONTROL_LOG]) {
		vici_builder_init(&b);
		log_fields(&b, group, 1, s->m, ike, msg);
		unicast(ctl, EV_CONTROL_LOG, &b);
	}
}

static void ev_ike_updown(struct sim_server *s, const struct sim_ike *ike, bool up, int64_t now)
{
	struct vici_builder b;

	if (!any_registered(s, EV_IKE_UPDOWN))
		return;
	vici_builder_init(&b);
	if (up)
		vici_builder_add_str(&b, "up", "yes");
	sim_encode_ike(s->m, &b, ike, now, false, NULL, 0);
	broadcast(s, EV_IKE_UPDOWN, &b);
}

static void ev_child_updown(struct sim_server *s, const struct sim_ike *ike,
                            const struct sim_child *c, bool up, int64_t now)
{
	struct vici_builder b;
	char key[300];

	if (!any_registered(s, EV_CHILD_UPDOWN))
		return;
	vici_builder_init(&b);
	if (up)
		vici_builder_add_str(&b, "up", "yes");
	vici_builder_section_start(&b, s->m->conns[ike->conn].name);
	sim_encode_ike_fields(s->m, &b, ike, now);
	vici_builder_section_start(&b, "child-sas");
	snprintf(key, sizeof(key), "%s-%u", s->m->child_names[c->idx], c->uniqueid);
	vici_builder_section_start(&b, key);
	sim_encode_child(s->m, &b, ike, c, now);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	broadcast(s, EV_CHILD_UPDOWN, &b);
}

static const char *peer_text(const struct sim_ike *ike, char *buf, size_t size)
{
	uint32_t a = ike->peer + 1;

	snprintf(buf, size, "100.%u.%u.%u", 64 + ((a >> 16) & 63), (a >> 8) & 255, a & 255);
	return buf;
}

/* ------------------------------------------------------------ SA actions */

static void sa_down(struct sim_server *s, struct sim_client *ctl, struct sim_ike *ike, int64_t now,
                    int64_t up_at)
{
	char addr[32];

	emit_log(s, ctl, "IKE", ike, "deleting IKE_SA %s[%u] between 192.0.2.1...%s",
	         s->m->conns[ike->conn].name, ike->uniqueid, peer_text(ike, addr, sizeof(addr)));
	if (ike->state == SIM_IKE_ESTABLISHED) {
		for (unsigned j = 0; j < s->m->o.children; j++) {
			struct sim_child *c = &ike->child[j];

			if (c->down)
				continue;
			c->cstate = SIM_CHILD_DELETED;
			ev_child_updown(s, ike, c, false, now);
			c->cstate = SIM_CHILD_INSTALLED;
		}
		ike->state = SIM_IKE_DELETING;
		ev_ike_updown(s, ike, false, now);
	}
	emit_log(s, ctl, "IKE", ike, "IKE_SA deleted");
	ike->state = SIM_IKE_DOWN;
	ike->up_at = up_at;
	sim_ike_touch(ike);
}

static void sa_up(struct sim_server *s, struct sim_client *ctl, struct sim_ike *ike, int64_t now)
{
	char addr[32];

	sim_ike_establish(s->m, ike, now);
	peer_text(ike, addr, sizeof(addr));
	emit_log(s, ctl, "IKE", ike, "initiating IKE_SA %s[%u] to %s", s->m->conns[ike->conn].name,
	         ike->uniqueid, addr);
	emit_log(s, ctl, "IKE", ike, "IKE_SA %s[%u] established between 192.0.2.1...%s",
	         s->m->conns[ike->conn].name, ike->uniqueid, addr);
	ev_ike_updown(s, ike, true, now);
	for (unsigned j = 0; j < s->m->o.children; j++) {
		struct sim_child *c = &ike->child[j];

		emit_log(s, ctl, "CHD", ike, "CHILD_SA %s{%u} established with SPIs %08x_i %08x_o",
		         s->m->child_names[c->idx], c->reqid, c->spi_in, c->spi_out);
		ev_child_updown(s, ike, c, true, now);
	}
}

static void sa_rekey(struct sim_server *s, struct sim_ike *ike, int64_t now)
{
	struct sim_ike old = *ike;
	struct vici_builder b;

	sim_ike_rekey(s->m, ike, now);
	emit_log(s, NULL, "IKE", ike, "IKE_SA %s[%u] rekeyed between 192.0.2.1...",
	         s->m->conns[ike->conn].name, ike->uniqueid);
	if (!any_registered(s, EV_IKE_REKEY))
		return;
	old.state = SIM_IKE_REKEYING;
	vici_builder_init(&b);
	vici_builder_section_start(&b, s->m->conns[ike->conn].name);
	vici_builder_section_start(&b, "old");
	sim_encode_ike_fields(s->m, &b, &old, now);
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "new");
	sim_encode_ike_fields(s->m, &b, ike, now);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	broadcast(s, EV_IKE_REKEY, &b);
}

static void child_rekey(struct sim_server *s, struct sim_ike *ike, struct sim_child *c, int64_t now)
{
	struct sim_child old = *c;
	struct vici_builder b;

	sim_child_rekey(s->m, ike, c, now);
	emit_log(s, NULL, "CHD", ike, "CHILD_SA %s{%u} established with SPIs %08x_i %08x_o",
	         s->m->child_names[c->idx], c->reqid, c->spi_in, c->spi_out);
	if (!any_registered(s, EV_CHILD_REKEY))
		return;
	old.cstate = SIM_CHILD_REKEYED;
	vici_builder_init(&b);
	vici_builder_section_start(&b, s->m->conns[ike->conn].name);
	sim_encode_ike_fields(s->m, &b, ike, now);
	vici_builder_section_start(&b, "child-sas");
	vici_builder_section_start(&b, s->m->child_names[c->idx]);
	vici_builder_section_start(&b, "old");
	sim_encode_child(s->m, &b, ike, &old, now);
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "new");
	sim_encode_child(s->m, &b, ike, c, now);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	broadcast(s, EV_CHILD_REKEY, &b);
}

static void churn_one(struct sim_server *s, int64_t now)
{
	struct sim_model *m = s->m;
	struct sim_ike *ike;
	uint64_t r;

	if (!m->nikes)
		return;
	r = sim_rand(m);
	ike = &m->ikes[r % m->nikes];
	if (ike->state != SIM_IKE_ESTABLISHED || ike->stuck)
		return;
	switch ((r >> 32) % 10) {
	case 0:
	case 1:
	case 2:
	case 3:
		sa_down(s, NULL, ike, now, now + 1 + (int64_t)((r >> 40) % 3));
		break;
	case 4:
	case 5:
	case 6:
		sa_rekey(s, ike, now);
		break;
	default:
		if (m->o.children)
			child_rekey(s, ike, &ike->child[(r >> 40) % m->o.children], now);
		break;
	}
}

static void log_one(struct sim_server *s)
{
	static const char *const groups[] = {"IKE", "NET", "CHD", "ENC", "CFG", "KNL", "MGR"};
	struct sim_model *m = s->m;
	struct sim_ike *ike = NULL;
	struct vici_builder b;
	char msg[4096];
	uint64_t r = sim_rand(m);

	if (m->nikes && r % 8 != 0) {
		ike = &m->ikes[(r >> 8) % m->nikes];
		if (ike->state == SIM_IKE_DOWN)
			ike = NULL;
	}
	sim_log_message(m, msg, sizeof(msg), ike);
	vici_builder_init(&b);
	vici_builder_add_str(&b, "group", groups[(r >> 16) % 7]);
	vici_builder_add_fmt(&b, "level", "%u", (unsigned)((r >> 24) % 2));
	vici_builder_add_fmt(&b, "thread", "%u", 1 + (unsigned)((r >> 28) % 16));
	if (ike) {
		vici_builder_add_str(&b, "ikesa-name", m->conns[ike->conn].name);
		vici_builder_add_fmt(&b, "ikesa-uniqueid", "%u", ike->uniqueid);
	}
	vici_builder_add_str(&b, "msg", msg);
	broadcast(s, EV_LOG, &b);
}

/* Time-driven work: churn, log flood, SAs coming back, due rekeys. */
void sim_tick(struct sim_server *s, int64_t now_ms)
{
	double dt = (double)(now_ms - s->last_tick_ms) / 1000.0;
	int64_t now = now_ms / 1000;
	struct sim_model *m = s->m;

	if (dt < 0)
		dt = 0;
	s->last_tick_ms = now_ms;
	if (s->o.churn > 0) {
		s->churn_acc += s->o.churn * dt;
		while (s->churn_acc >= 1.0) {
			s->churn_acc -= 1.0;
			churn_one(s, now);
		}
	}
	if (s->o.log_rate > 0) {
		s->log_acc += s->o.log_rate * dt;
		if (!any_registered(s, EV_LOG))
			s->log_acc = s->log_acc > 1 ? 1 : s->log_acc;
		while (s->log_acc >= 1.0) {
			s->log_acc -= 1.0;
			log_one(s);
		}
	}
	if (now == s->last_sec)
		return;
	s->last_sec = now;
	for (size_t i = 0; i < m->nikes; i++) {
		struct sim_ike *ike = &m->ikes[i];

		if (ike->state == SIM_IKE_DOWN) {
			if (ike->up_at && ike->up_at <= now)
				sa_up(s, NULL, ike, now);
			continue;
		}
		if (ike->state != SIM_IKE_ESTABLISHED || ike->stuck)
			continue;
		if ((ike->rekey_at && ike->rekey_at <= now) ||
		    (ike->reauth_at && ike->reauth_at <= now))
			sa_rekey(s, ike, now);
		for (unsigned j = 0; j < m->o.children; j++)
			if (!ike->child[j].down && ike->child[j].rekey_at <= now)
				child_rekey(s, ike, &ike->child[j], now);
	}
}

/* ------------------------------------------------------------ commands */

/* charon's get_str: a root key/value as a string (NULL when absent). */
static char *arg_str(const struct vici_packet *p, const char *key)
{
	const uint8_t *v;
	size_t len;

	if (vici_message_find(p->msg, p->msg_len, key, &v, &len) != 0)
		return NULL;
	return vici_strdup(v, len);
}

/* charon's get_int: base detection, default when absent or not a number. */
static long long arg_int(const struct vici_packet *p, const char *key, long long def)
{
	char *s = arg_str(p, key), *end;
	long long v;

	if (!s)
		return def;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end)
		v = def;
	free(s);
	return v;
}

static bool arg_present(const struct vici_packet *p, const char *key)
{
	const uint8_t *v;
	size_t len;

	return vici_message_find(p->msg, p->msg_len, key, &v, &len) == 0;
}

static void cmd_version(struct sim_server *s, struct sim_client *c)
{
	uint8_t *msg;
	size_t len;

	if (sim_encode_version(&msg, &len) == 0)
		reply(s, c, msg, len);
}

static void cmd_stats(struct sim_server *s, struct sim_client *c)
{
	uint8_t *msg;
	size_t len;

	if (sim_encode_stats(s->m, sim_now(), &msg, &len) == 0)
		reply(s, c, msg, len);
}

/* Emits one stream event body (takes msg); false if the stream must stop
 * (close-after fault). */
static bool stream_event(struct sim_server *s, struct sim_client *c, enum sim_event ev,
                         uint8_t *msg, size_t len)
{
	if (c->job.emitted == 0 &&
	    fault_for(s->o.f.malformed, s->o.f.malformed_cmd, c->job.pkt.name)) {
		for (unsigned k = 0; k < c->reg[ev]; k++)
			send_malformed(c, VICI_EVENT, sim_event_names[ev]);
	} else if (c->job.emitted == 0 &&
	           fault_for(s->o.f.oversized, s->o.f.oversized_cmd, c->job.pkt.name)) {
		send_oversized(c);
	} else {
		for (unsigned k = 0; k < c->reg[ev]; k++)
			sim_send_packet(c, VICI_EVENT, sim_event_names[ev], msg, len);
	}
	free(msg);
	c->job.emitted++;
	if (s->o.f.close_after && c->job.emitted >= s->o.f.close_after) {
		sim_diag(s, "connection %u: closing after %zu stream events (fault)", c->id,
		         c->job.emitted);
		c->close_when_flushed = true;
		return false;
	}
	return true;
}

static bool cmd_list_conns(struct sim_server *s, struct sim_client *c)
{
	char *ike = arg_str(&c->job.pkt, "ike");
	bool go = true;

	for (size_t i = 0; go && c->reg[EV_LIST_CONN] && i < s->m->nconns; i++) {
		uint8_t *msg;
		size_t len;

		if (ike && strcmp(ike, s->m->conns[i].name) != 0)
			continue;
		if (sim_encode_conn(s->m, i, &msg, &len) == 0)
			go = stream_event(s, c, EV_LIST_CONN, msg, len);
	}
	free(ike);
	return go;
}

static bool cmd_list_policies(struct sim_server *s, struct sim_client *c)
{
	const struct vici_packet *p = &c->job.pkt;
	char *ike = arg_str(p, "ike"), *child = arg_str(p, "child");
	bool go = c->reg[EV_LIST_POLICY] > 0;
	uint8_t *msg;
	size_t len;

	for (size_t i = 0; go && arg_present(p, "trap") && i < s->m->nconns; i++) {
		if (!s->m->conns[i].trap || (ike && strcmp(ike, s->m->conns[i].name) != 0))
			continue;
		for (unsigned j = 0; go && j < s->m->o.children; j++) {
			if (child && strcmp(child, s->m->child_names[j]) != 0)
				continue;
			if (sim_encode_policy(s->m, i, j, &msg, &len) == 0)
				go = stream_event(s, c, EV_LIST_POLICY, msg, len);
		}
	}
	if (go && arg_present(p, "pass") && !ike && (!child || strcmp(child, "bypass-lan") == 0) &&
	    sim_encode_shunt(&msg, &len) == 0)
		go = stream_event(s, c, EV_LIST_POLICY, msg, len);
	free(ike);
	free(child);
	return go;
}

/* list-sas: set up the cursor; sim_list_sas_step() does the work. */
static void cmd_list_sas_start(struct sim_client *c, int64_t now_ms)
{
	struct sim_job *j = &c->job;

	j->kind = JOB_LIST_SAS;
	j->cursor = 0;
	j->emitted = 0;
	j->started_ms = now_ms;
	j->noblock = arg_present(&j->pkt, "noblock");
	j->ike = arg_str(&j->pkt, "ike");
	j->child = arg_str(&j->pkt, "child");
	j->ike_id = (uint32_t)arg_int(&j->pkt, "ike-id", 0);
	j->child_id = (uint32_t)arg_int(&j->pkt, "child-id", 0);
}

static bool ike_matches(const struct sim_model *m, const struct sim_ike *ike, const char *name,
                        uint32_t id)
{
	if (name && strcmp(name, m->conns[ike->conn].name) != 0)
		return false;
	return !id || id == ike->uniqueid;
}

/* Advances a list-sas stream as far as the outbound queue and the per-SA cost
 * allow. Returns the time (ms) it wants to run again, or 0 for "when the
 * queue drains", or -1 when finished. */
int64_t sim_list_sas_step(struct sim_server *s, struct sim_client *c, int64_t now_ms)
{
	struct sim_job *j = &c->job;
	struct sim_model *m = s->m;
	int64_t now = now_ms / 1000;

	while (j->cursor < m->nikes) {
		struct sim_ike *ike = &m->ikes[j->cursor];
		uint8_t *msg;
		size_t len;

		if (sim_out_pending(c) >= SIM_HIGH_WATER || c->dead || c->close_when_flushed)
			return 0;
		if (ike->state == SIM_IKE_DOWN || !ike_matches(m, ike, j->ike, j->ike_id)) {
			j->cursor++;
			continue;
		}
		if (ike->stuck && !j->noblock)
			return INT64_MAX; /* checked out forever: charon waits for it */
		if (ike->stuck) {
			j->cursor++;
			continue;
		}
		if (s->o.sa_cost_us) {
			int64_t due =
			        j->started_ms + (int64_t)(j->emitted + 1) * s->o.sa_cost_us / 1000;

			if (due > now_ms)
				return due;
		}
		j->cursor++;
		if (!c->reg[EV_LIST_SA]) {
			j->emitted++;
			continue;
		}
		if (!j->child && !j->child_id && j->emitted > 0 &&
		    !fault_for(s->o.f.malformed, s->o.f.malformed_cmd, "list-sas")) {
			const uint8_t *frame;
			size_t flen;

			/* the hot path: cached frames, no re-encoding */
			if (sim_listsa_frame(m, ike, now, &frame, &flen) == 0)
				for (unsigned k = 0; k < c->reg[EV_LIST_SA]; k++)
					sim_out_append(c, frame, flen);
			j->emitted++;
			if (s->o.f.close_after && j->emitted >= s->o.f.close_after) {
				c->close_when_flushed = true;
				return -1;
			}
			continue;
		}
		{
			struct vici_builder b;

			vici_builder_init(&b);
			sim_encode_ike(m, &b, ike, now, true, j->child, j->child_id);
			if (vici_builder_finish(&b, &msg, &len) == 0 &&
			    !stream_event(s, c, EV_LIST_SA, msg, len))
				return -1;
		}
	}
	sim_send_packet(c, VICI_CMD_RESPONSE, NULL, NULL, 0);
	sim_diag(s,
	         "connection %u: list-sas: %zu events in %lld ms (list-sa cache %llu hits, %llu "
	         "misses)",
	         c->id, j->emitted, (long long)(sim_now_ms() - j->started_ms),
	         (unsigned long long)m->cache_hits, (unsigned long long)m->cache_misses);
	return -1;
}

static size_t find_conn(const struct sim_model *m, const char *name)
{
	for (size_t i = 0; i < m->nconns; i++)
		if (strcmp(m->conns[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

static bool has_child_name(const struct sim_model *m, const char *name)
{
	for (unsigned j = 0; j < m->o.children; j++)
		if (strcmp(m->child_names[j], name) == 0)
			return true;
	return false;
}

static void cmd_initiate(struct sim_server *s, struct sim_client *c)
{
	const struct vici_packet *p = &c->job.pkt;
	char *ike = arg_str(p, "ike"), *child = arg_str(p, "child");
	long long timeout = arg_int(p, "timeout", 0);
	size_t conn = ike ? find_conn(s->m, ike) : (s->m->nconns ? 0 : SIZE_MAX);
	struct sim_ike *sa = NULL;
	int64_t now = sim_now();

	if (!ike && !child) {
		reply_status(s, c, "missing configuration name");
	} else if (conn == SIZE_MAX || (child && !has_child_name(s->m, child))) {
		reply_status(s, c, "%s config '%s' not found", child ? "CHILD_SA" : "IKE_SA",
		             child ? child : ike);
	} else {
		for (size_t i = 0; i < s->m->nikes && !sa; i++)
			if (s->m->ikes[i].conn == conn && s->m->ikes[i].state == SIM_IKE_DOWN)
				sa = &s->m->ikes[i];
		if (!sa)
			sa = sim_model_add(s->m, (uint32_t)conn);
		sa_up(s, timeout < 0 ? NULL : c, sa, now);
		reply_status(s, c, NULL);
	}
	free(ike);
	free(child);
}

static void terminate_or_rekey(struct sim_server *s, struct sim_client *c, bool terminate)
{
	const struct vici_packet *p = &c->job.pkt;
	char *ike = arg_str(p, "ike"), *child = arg_str(p, "child");
	uint32_t ike_id = (uint32_t)arg_int(p, "ike-id", 0);
	uint32_t child_id = (uint32_t)arg_int(p, "child-id", 0);
	long long timeout = arg_int(p, "timeout", 0);
	struct sim_client *ctl = terminate && timeout >= 0 ? c : NULL;
	struct vici_builder b;
	unsigned matches = 0;
	int64_t now = sim_now();

	if (!ike && !child && !ike_id && !child_id) {
		reply_status(s, c,
		             terminate ? "missing terminate selector" : "missing rekey selector");
		goto out;
	}
	for (size_t i = 0; i < s->m->nikes; i++) {
		struct sim_ike *sa = &s->m->ikes[i];

		if (sa->state != SIM_IKE_ESTABLISHED || !ike_matches(s->m, sa, ike, ike_id))
			continue;
		if (!child && !child_id) {
			matches++;
			if (terminate)
				sa_down(s, ctl, sa, now, 0);
			else
				sa_rekey(s, sa, now);
			continue;
		}
		for (unsigned j = 0; j < s->m->o.children; j++) {
			struct sim_child *ch = &sa->child[j];

			if (ch->down || (child && strcmp(child, s->m->child_names[ch->idx]) != 0) ||
			    (child_id && child_id != ch->uniqueid))
				continue;
			matches++;
			if (terminate) {
				emit_log(s, ctl, "CHD", sa, "closing CHILD_SA %s{%u}",
				         s->m->child_names[ch->idx], ch->reqid);
				ch->cstate = SIM_CHILD_DELETED;
				ev_child_updown(s, sa, ch, false, now);
				ch->cstate = SIM_CHILD_INSTALLED;
				ch->down = true;
				sim_ike_touch(sa);
			} else {
				child_rekey(s, sa, ch, now);
			}
		}
	}
	vici_builder_init(&b);
	vici_builder_add_str(&b, "success", matches ? "yes" : "no");
	vici_builder_add_fmt(&b, "matches", "%u", matches);
	if (terminate)
		vici_builder_add_fmt(&b, "terminated", "%u", matches);
	if (!matches)
		vici_builder_add_fmt(&b, "errmsg", "no matching SAs to %s found",
		                     terminate ? "terminate" : "rekey");
	reply_builder(s, c, &b);
out:
	free(ike);
	free(child);
}

static void cmd_get_pools(struct sim_server *s, struct sim_client *c)
{
	struct vici_builder b;
	size_t online = 0;

	for (size_t i = 0; i < s->m->nikes; i++)
		if (s->m->ikes[i].vip && s->m->ikes[i].state == SIM_IKE_ESTABLISHED)
			online++;
	vici_builder_init(&b);
	vici_builder_section_start(&b, "rw-pool");
	vici_builder_add_str(&b, "base", "10.10.0.0");
	vici_builder_add_str(&b, "size", "65534");
	vici_builder_add_fmt(&b, "online", "%zu", online);
	vici_builder_add_str(&b, "offline", "0");
	vici_builder_section_end(&b);
	reply_builder(s, c, &b);
}

static bool is_other_command(const char *name)
{
	for (size_t i = 0; i < sizeof(other_commands) / sizeof(other_commands[0]); i++)
		if (strcmp(other_commands[i], name) == 0)
			return true;
	return false;
}

/* Runs a command whose delay has passed. Returns true when it is complete. */
bool sim_dispatch_command(struct sim_server *s, struct sim_client *c, int64_t now_ms)
{
	const char *name = c->job.pkt.name;

	if (strcmp(name, "list-sas") == 0) {
		cmd_list_sas_start(c, now_ms);
		return false;
	}
	if (strcmp(name, "version") == 0) {
		cmd_version(s, c);
	} else if (strcmp(name, "stats") == 0) {
		cmd_stats(s, c);
	} else if (strcmp(name, "list-conns") == 0) {
		if (!cmd_list_conns(s, c))
			return true;
		sim_send_packet(c, VICI_CMD_RESPONSE, NULL, NULL, 0);
	} else if (strcmp(name, "list-policies") == 0) {
		if (!cmd_list_policies(s, c))
			return true;
		sim_send_packet(c, VICI_CMD_RESPONSE, NULL, NULL, 0);
	} else if (strcmp(name, "initiate") == 0) {
		cmd_initiate(s, c);
	} else if (strcmp(name, "terminate") == 0) {
		terminate_or_rekey(s, c, true);
	} else if (strcmp(name, "rekey") == 0) {
		terminate_or_rekey(s, c, false);
	} else if (strcmp(name, "get-pools") == 0) {
		cmd_get_pools(s, c);
	} else if (strcmp(name, "list-certs") == 0 || strcmp(name, "list-authorities") == 0) {
		/* streams of a daemon without certificates: no events */
		sim_send_packet(c, VICI_CMD_RESPONSE, NULL, NULL, 0);
	} else if (strcmp(name, "reload-settings") == 0) {
		reply_status(s, c, NULL);
	} else if (is_other_command(name)) {
		reply_status(s, c, "'%s' is not simulated by vicisim", name);
	} else {
		sim_send_simple(c, VICI_CMD_UNKNOWN);
	}
	return true;
}

int sim_find_event(const char *name)
{
	for (int i = 0; i < EV_COUNT; i++)
		if (strcmp(sim_event_names[i], name) == 0)
			return i;
	return -1;
}
