/*
 * What vicisim does as a daemon on a command: version, stats, list-sas,
 * list-conns, list-policies, initiate, terminate, rekey, get-pools, and the
 * reply faults (oversized, malformed, close-after). Replies go into the
 * connection's outbound queue (sim_out.c); what a command does to SAs, and
 * the events that tells, is sim_events.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "vici/xmalloc.h"

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

	if (sim_encode_stats(s->m, sim_now_ms(), &msg, &len) == 0)
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
		sim_sa_up(s, timeout < 0 ? NULL : c, sa, now);
		reply_status(s, c, NULL);
	}
	free(ike);
	free(child);
}

/* What terminate and rekey act on, chosen as charon 5.9.8 does
 * (vici_control.c): with a CHILD selector, the CHILD SAs matching its name
 * and id in the IKE SAs matching the IKE name and id; without one, every IKE
 * SA that matches the IKE name or the IKE id, half-open ones too. */
struct target {
	size_t ike;
	int child; /* -1: the IKE SA */
};

struct selector {
	char *ike, *child;
	uint32_t ike_id, child_id;
};

static size_t select_targets(const struct sim_model *m, const struct selector *sel,
                             struct target **out)
{
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < m->nikes; i++) {
		const struct sim_ike *sa = &m->ikes[i];

		if (sa->state == SIM_IKE_DOWN)
			continue;
		if (!sel->child && !sel->child_id) {
			if ((sel->ike && strcmp(sel->ike, m->conns[sa->conn].name) == 0) ||
			    (sel->ike_id && sel->ike_id == sa->uniqueid)) {
				*out = xreallocarray(*out, n + 1, sizeof(**out));
				(*out)[n++] = (struct target){i, -1};
			}
			continue;
		}
		if (sa->state != SIM_IKE_ESTABLISHED || !ike_matches(m, sa, sel->ike, sel->ike_id))
			continue;
		for (unsigned j = 0; j < m->o.children; j++) {
			const struct sim_child *ch = &sa->child[j];

			if (ch->down ||
			    (sel->child && strcmp(sel->child, m->child_names[ch->idx]) != 0) ||
			    (sel->child_id && sel->child_id != ch->uniqueid))
				continue;
			*out = xreallocarray(*out, n + 1, sizeof(**out));
			(*out)[n++] = (struct target){i, (int)j};
		}
	}
	return n;
}

static void act(struct sim_server *s, struct sim_client *ctl, const struct target *t,
                bool terminate, int64_t now)
{
	struct sim_ike *sa = &s->m->ikes[t->ike];

	if (t->child >= 0 && terminate)
		sim_sa_child_down(s, ctl, sa, &sa->child[t->child], now);
	else if (t->child >= 0)
		sim_sa_child_rekey(s, sa, &sa->child[t->child], now);
	else if (terminate)
		sim_sa_down(s, ctl, sa, now, 0);
	else if (sa->state == SIM_IKE_ESTABLISHED)
		sim_sa_rekey(s, sa, now); /* charon queues a job; a half-open SA ignores it */
}

static void terminate_reply(struct sim_server *s, struct sim_client *c, bool terminate, size_t n)
{
	struct vici_builder b;

	vici_builder_init(&b);
	vici_builder_add_str(&b, "success", n ? "yes" : "no");
	vici_builder_add_fmt(&b, "matches", "%zu", n);
	if (terminate)
		vici_builder_add_fmt(&b, "terminated", "%zu", n);
	if (!n)
		vici_builder_add_fmt(&b, "errmsg", "no matching SAs to %s found",
		                     terminate ? "terminate" : "rekey");
	reply_builder(s, c, &b);
}

/* terminate and rekey. With timeout >= 0 terminate waits for each SA to go
 * and streams its log as control-log; with timeout < 0 charon replies at
 * once and the SAs go afterwards, without control-log. */
static void terminate_or_rekey(struct sim_server *s, struct sim_client *c, bool terminate)
{
	const struct vici_packet *p = &c->job.pkt;
	struct selector sel = {
	        .ike = arg_str(p, "ike"),
	        .child = arg_str(p, "child"),
	        .ike_id = (uint32_t)arg_int(p, "ike-id", 0),
	        .child_id = (uint32_t)arg_int(p, "child-id", 0),
	};
	bool wait = !terminate || arg_int(p, "timeout", 0) >= 0;
	struct target *t;
	int64_t now = sim_now();
	size_t n;

	if (!sel.ike && !sel.child && !sel.ike_id && !sel.child_id) {
		reply_status(s, c,
		             terminate ? "missing terminate selector" : "missing rekey selector");
	} else {
		n = select_targets(s->m, &sel, &t);
		if (!wait)
			terminate_reply(s, c, terminate, n);
		for (size_t i = 0; i < n; i++)
			act(s, terminate && wait ? c : NULL, &t[i], terminate, now);
		if (wait)
			terminate_reply(s, c, terminate, n);
		free(t);
	}
	free(sel.ike);
	free(sel.child);
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
