/*
 * What the simulated daemon raises by itself or on a command: the events
 * registered clients get (ike-updown, child-updown, ike-rekey, child-rekey,
 * log, and control-log for the connection running a command), the SA
 * actions that raise them in charon's order (bus.c, ike_delete.c,
 * child_delete.c), churn, the log flood and the per-second timers (SAs
 * coming back, due rekeys). Called by the server loop (sim_tick) and by the
 * commands (sim_daemon.c); writes through sim_out.c.
 */
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

int sim_find_event(const char *name)
{
	for (int i = 0; i < EV_COUNT; i++)
		if (strcmp(sim_event_names[i], name) == 0)
			return i;
	return -1;
}

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
void sim_emit_log(struct sim_server *s, struct sim_client *ctl, const char *group,
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

/* ------------------------------------------------------------ SA actions */

/* "closing CHILD_SA ..." as child_delete.c and quick_delete.c log it. */
static void log_closing(struct sim_server *s, struct sim_client *ctl, const struct sim_ike *ike,
                        const struct sim_child *c, int64_t now)
{
	uint64_t in, out;
	char lts[64], rts[64];

	sim_child_bytes(c, now, &in, &out);
	sim_child_ts(ike, c->idx, lts, sizeof(lts), rts, sizeof(rts));
	sim_emit_log(s, ctl, "IKE", ike,
	             "closing CHILD_SA %s{%u} with SPIs %08x_i (%llu bytes) %08x_o (%llu bytes) "
	             "and TS %s === %s",
	             s->m->child_names[c->idx], c->uniqueid, c->spi_in, (unsigned long long)in,
	             c->spi_out, (unsigned long long)out, lts, rts);
}

/* child-updown for a CHILD SA on its way out, in state DELETED. */
static void child_deleted(struct sim_server *s, struct sim_ike *ike, struct sim_child *c,
                          int64_t now)
{
	c->cstate = SIM_CHILD_DELETED;
	ev_child_updown(s, ike, c, false, now);
	c->cstate = SIM_CHILD_INSTALLED;
}

/* IKEv1 (quick_delete.c): the CHILD SA is DELETED and announced before its
 * DELETE goes out. */
static void child_down_v1(struct sim_server *s, struct sim_client *ctl, struct sim_ike *ike,
                          struct sim_child *c, int64_t now)
{
	log_closing(s, ctl, ike, c, now);
	child_deleted(s, ike, c, now);
	sim_emit_log(s, ctl, "IKE", ike, "sending DELETE for ESP CHILD_SA with SPI %08x",
	             c->spi_in);
}

void sim_sa_down(struct sim_server *s, struct sim_client *ctl, struct sim_ike *ike, int64_t now,
                 int64_t up_at)
{
	const char *name = s->m->conns[ike->conn].name;
	char between[1024];

	if (ike->state == SIM_IKE_CONNECTING) {
		/* ike_sa.c delete_(): no DELETE, no events for a half-open SA */
		sim_emit_log(s, ctl, "IKE", ike,
		             "destroying IKE_SA in state CONNECTING without notification");
		goto gone;
	}
	/* IKEv1 (task_manager_v1.c): a quick delete per CHILD SA first */
	for (unsigned j = 0; ike->version == 1 && j < s->m->o.children; j++)
		if (!ike->child[j].down)
			child_down_v1(s, ctl, ike, &ike->child[j], now);
	sim_ike_between(s->m, ike, between, sizeof(between));
	sim_emit_log(s, ctl, "IKE", ike, "deleting IKE_SA %s[%u] between %s", name, ike->uniqueid,
	             between);
	ike->state = SIM_IKE_DELETING;
	sim_emit_log(s, ctl, "IKE", ike, "sending DELETE for IKE_SA %s[%u]", name, ike->uniqueid);
	if (ike->version == 1) {
		ev_ike_updown(s, ike, false, now);
		goto gone;
	}
	sim_emit_log(s, ctl, "IKE", ike, "IKE_SA deleted");
	/* ike_delete.c process_i() raises ike_updown, and bus.c follows it with
	 * child_updown for each CHILD SA, still INSTALLED */
	ev_ike_updown(s, ike, false, now);
	for (unsigned j = 0; j < s->m->o.children; j++)
		if (!ike->child[j].down)
			ev_child_updown(s, ike, &ike->child[j], false, now);
gone:
	ike->state = SIM_IKE_DOWN;
	ike->up_at = up_at;
	sim_ike_touch(ike);
}

void sim_sa_child_down(struct sim_server *s, struct sim_client *ctl, struct sim_ike *ike,
                       struct sim_child *c, int64_t now)
{
	if (ike->version == 1) {
		child_down_v1(s, ctl, ike, c, now);
	} else {
		/* child_delete.c: build_i logs, process_i logs the peer's DELETE,
		 * then delete_children() announces it */
		log_closing(s, ctl, ike, c, now);
		sim_emit_log(s, ctl, "IKE", ike, "sending DELETE for ESP CHILD_SA with SPI %08x",
		             c->spi_in);
		sim_emit_log(s, ctl, "IKE", ike, "received DELETE for ESP CHILD_SA with SPI %08x",
		             c->spi_out);
		sim_emit_log(s, ctl, "IKE", ike, "CHILD_SA closed");
		child_deleted(s, ike, c, now);
	}
	c->down = true;
	sim_ike_touch(ike);
}

void sim_sa_up(struct sim_server *s, struct sim_client *ctl, struct sim_ike *ike, int64_t now)
{
	char addr[32], between[1024];

	sim_ike_establish(s->m, ike, now);
	sim_peer_addr(addr, sizeof(addr), ike->peer);
	sim_ike_between(s->m, ike, between, sizeof(between));
	sim_emit_log(s, ctl, "IKE", ike, "initiating IKE_SA %s[%u] to %s",
	             s->m->conns[ike->conn].name, ike->uniqueid, addr);
	sim_emit_log(s, ctl, "IKE", ike, "IKE_SA %s[%u] established between %s",
	             s->m->conns[ike->conn].name, ike->uniqueid, between);
	ev_ike_updown(s, ike, true, now);
	for (unsigned j = 0; j < s->m->o.children; j++) {
		struct sim_child *c = &ike->child[j];

		sim_emit_log(s, ctl, "CHD", ike,
		             "CHILD_SA %s{%u} established with SPIs %08x_i %08x_o",
		             s->m->child_names[c->idx], c->reqid, c->spi_in, c->spi_out);
		ev_child_updown(s, ike, c, true, now);
	}
}

void sim_sa_rekey(struct sim_server *s, struct sim_ike *ike, int64_t now)
{
	struct sim_ike old = *ike;
	struct vici_builder b;

	sim_ike_rekey(s->m, ike, now);
	sim_emit_log(s, NULL, "IKE", ike, "IKE_SA %s[%u] rekeyed between 192.0.2.1...",
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

void sim_sa_child_rekey(struct sim_server *s, struct sim_ike *ike, struct sim_child *c, int64_t now)
{
	struct sim_child old = *c;
	struct vici_builder b;

	sim_child_rekey(s->m, ike, c, now);
	sim_emit_log(s, NULL, "CHD", ike, "CHILD_SA %s{%u} established with SPIs %08x_i %08x_o",
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
		sim_sa_down(s, NULL, ike, now, now + 1 + (int64_t)((r >> 40) % 3));
		break;
	case 4:
	case 5:
	case 6:
		sim_sa_rekey(s, ike, now);
		break;
	default:
		if (m->o.children)
			sim_sa_child_rekey(s, ike, &ike->child[(r >> 40) % m->o.children], now);
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
				sim_sa_up(s, NULL, ike, now);
			continue;
		}
		if (ike->state != SIM_IKE_ESTABLISHED || ike->stuck)
			continue;
		if ((ike->rekey_at && ike->rekey_at <= now) ||
		    (ike->reauth_at && ike->reauth_at <= now))
			sim_sa_rekey(s, ike, now);
		for (unsigned j = 0; j < m->o.children; j++)
			if (!ike->child[j].down && ike->child[j].rekey_at <= now)
				sim_sa_child_rekey(s, ike, &ike->child[j], now);
	}
}
