/*
 * The state machine of a VICI session (see session.h for the contract and
 * the timeout policy, session_queue.h for the structures): connecting, sending
 * the outbox, dispatching what arrives, deadlines, going down and
 * reconnecting, and the life cycle.
 */
#include "vici/session_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vici/frame.h"
#include "vici/xmalloc.h"

#define DEFAULT_REQUEST_TIMEOUT_MS 30000
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_GRACE_MS 5000
#define DEFAULT_BACKOFF_MIN_MS 500
#define DEFAULT_BACKOFF_MAX_MS 10000

int64_t vici_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t vici_deadline_min(int64_t a, int64_t b)
{
	if (a < 0)
		return b < 0 ? -1 : b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

int64_t session_now(const struct vici_session *s)
{
	return s->cfg.clock ? s->cfg.clock(s->cfg.ctx) : vici_now_ms();
}

const char *vici_session_state_name(enum vici_session_state st)
{
	switch (st) {
	case VICI_SESSION_CONNECTING:
		return "connecting";
	case VICI_SESSION_UP:
		return "up";
	case VICI_SESSION_DOWN:
		return "down";
	}
	return "unknown";
}

/* ---- sending ---- */

static void set_head_since(struct vici_session *s)
{
	s->head_since = session_now(s);
}

/* Writes queued ops to the conn while it is UP and nothing is abandoned. */
void session_pump(struct vici_session *s)
{
	while (s->state == VICI_SESSION_UP && !s->abandoned && s->outbox.head) {
		struct op *op = s->outbox.head;
		int r;
		session_list_remove(&s->outbox, op);
		if (op->kind == OP_CMD && (op->req->done || op->req->cancelled)) {
			/* Releasing may drop a REGISTER further on: we always take
			 * the head again. */
			session_list_append(&s->dead, op);
			session_req_release_stream(s, op->req);
			continue;
		}
		switch (op->kind) {
		case OP_CMD:
			r = vici_conn_send(s->conn, VICI_CMD_REQUEST, op->req->cmd, op->req->msg,
			                   op->req->len);
			free(op->req->msg);
			op->req->msg = NULL;
			op->req->sent = true;
			break;
		case OP_REG:
			r = vici_conn_send(s->conn, VICI_EVENT_REGISTER, op->reg->name, NULL, 0);
			op->reg->confirmed = false;
			op->deadline = session_now(s) + s->cfg.request_timeout_ms;
			break;
		default:
			r = vici_conn_send(s->conn, VICI_EVENT_UNREGISTER, op->reg->name, NULL, 0);
			op->deadline = session_now(s) + s->cfg.request_timeout_ms;
			break;
		}
		if (r < 0) {
			/* Names and sizes were checked when queued; only a closed
			 * conn gets here, and that is reported by handle(). */
			session_list_append(&s->dead, op);
			if (op->kind == OP_CMD) {
				session_req_fail(s, op->req, -ECONNRESET,
				                 "cannot send the request");
				session_req_release_stream(s, op->req);
			}
			continue;
		}
		if (!s->fifo.head)
			set_head_since(s);
		session_list_append(&s->fifo, op);
	}
}

/* ---- state changes ---- */

static void set_error(struct vici_session *s, const char *msg)
{
	free(s->error);
	s->error = xstrdup(msg ? msg : "");
}

static void set_state(struct vici_session *s, enum vici_session_state st, int err, const char *msg)
{
	s->state = st;
	struct note *n = session_note_add(s, NOTE_STATE, err, msg);
	n->st = st;
}

/* Fails everything in flight and queued, forgets the server's registrations
 * and goes DOWN, scheduling a retry. msg says why, for the operator. */
static void go_down(struct vici_session *s, int err, const char *msg, bool retry)
{
	char *why = xstrdup(msg);
	if (vici_conn_state(s->conn) != VICI_CONN_CLOSED)
		vici_conn_close(s->conn);
	s->state = VICI_SESSION_DOWN; /* first: reg_sync must not queue anything */
	set_error(s, why);

	struct op *op;
	while ((op = s->fifo.head)) {
		session_list_remove(&s->fifo, op);
		session_list_append(&s->dead, op);
		if (op->kind == OP_CMD) {
			session_req_fail(s, op->req, -ECONNRESET, why);
			session_req_release_stream(s, op->req);
		}
	}
	while ((op = s->outbox.head)) {
		session_list_remove(&s->outbox, op);
		session_list_append(&s->dead, op);
		if (op->kind == OP_CMD) {
			/* Never sent, so it surely did not run: a different code
			 * than for the requests in flight, which may have. */
			session_req_fail(s, op->req, -ENOTCONN, why);
			session_req_release_stream(s, op->req);
		}
	}
	s->abandoned = 0;
	s->answered = false;
	for (struct reg *r = s->regs; r; r = r->next)
		r->wire = r->confirmed = r->unsupported = false;

	int64_t now = session_now(s);
	if (retry && !s->cfg.no_reconnect) {
		s->retry_at = now + s->backoff_ms;
		s->backoff_ms = s->backoff_ms * 2 > s->cfg.backoff_max_ms ? s->cfg.backoff_max_ms
		                                                          : s->backoff_ms * 2;
	} else {
		s->retry_at = -1;
	}
	set_state(s, VICI_SESSION_DOWN, err, why);
	free(why);
}

static void become_up(struct vici_session *s)
{
	set_state(s, VICI_SESSION_UP, 0, "");
	struct note *n = session_note_add(s, NOTE_UP, 0, "");
	n->reconnected = s->ever_up;
	s->ever_up = true;
	session_pump(s);
}

/* Starts a connection attempt; the outbox is empty here (DOWN failed all). */
static void start_connect(struct vici_session *s)
{
	s->retry_at = -1;
	int r = vici_conn_connect(s->conn);
	if (r < 0) {
		/* A bad URI will not get better by retrying. */
		go_down(s, r, vici_conn_error(s->conn), r != -EINVAL);
		return;
	}
	set_error(s, "");
	s->state = VICI_SESSION_CONNECTING;
	s->answered = false;
	s->connect_deadline = session_now(s) + s->cfg.connect_timeout_ms;
	/* Registrations first, before any command queued from now on. */
	for (struct reg *r2 = s->regs; r2; r2 = r2->next)
		session_reg_sync(s, r2);
	if (vici_conn_state(s->conn) == VICI_CONN_UP)
		become_up(s);
	else
		set_state(s, VICI_SESSION_CONNECTING, 0, "");
}

static void protocol_error(struct vici_session *s, const char *fmt, const char *a, const char *b)
{
	char detail[512];
	snprintf(detail, sizeof(detail), fmt, a, b ? b : "");
	char *msg = xasprintf("protocol error: %s (connection to %s closed)", detail, s->uri_text);
	go_down(s, -EPROTO, msg, true);
	free(msg);
}
/* ---- life cycle ---- */

static int pick(int v, int def)
{
	return v > 0 ? v : def;
}

struct vici_session *vici_session_new(const struct vici_session_config *cfg)
{
	struct vici_session *s = xcalloc(1, sizeof(*s));
	if (cfg)
		s->cfg = *cfg;
	s->uri = xstrdup(s->cfg.uri ? s->cfg.uri : VICI_DEFAULT_URI);
	s->cfg.uri = s->uri;
	/* For messages: an operator's terminal must not get escape sequences. */
	s->uri_text = xstrdup(s->uri);
	for (char *p = s->uri_text; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	s->cfg.request_timeout_ms = pick(s->cfg.request_timeout_ms, DEFAULT_REQUEST_TIMEOUT_MS);
	s->cfg.connect_timeout_ms = pick(s->cfg.connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT_MS);
	s->cfg.grace_ms = pick(s->cfg.grace_ms, DEFAULT_GRACE_MS);
	s->cfg.backoff_min_ms = pick(s->cfg.backoff_min_ms, DEFAULT_BACKOFF_MIN_MS);
	s->cfg.backoff_max_ms = pick(s->cfg.backoff_max_ms, DEFAULT_BACKOFF_MAX_MS);
	if (s->cfg.backoff_max_ms < s->cfg.backoff_min_ms)
		s->cfg.backoff_max_ms = s->cfg.backoff_min_ms;
	s->backoff_ms = s->cfg.backoff_min_ms;
	s->conn = vici_conn_new(s->uri);
	s->error = xstrdup("");
	s->retry_at = -1;
	s->listeners_tail = &s->listeners;
	s->notes_tail = &s->notes;
	start_connect(s);
	return s;
}

static void destroy(struct vici_session *s)
{
	vici_conn_free(s->conn);
	session_free_oplist(&s->outbox);
	session_free_oplist(&s->fifo);
	session_free_oplist(&s->dead);
	while (s->notes) {
		struct note *n = s->notes;
		s->notes = n->next;
		session_note_free(n);
	}
	while (s->listeners) {
		struct vici_listener *l = s->listeners;
		s->listeners = l->next;
		free(l);
	}
	while (s->regs) {
		struct reg *r = s->regs;
		s->regs = r->next;
		free(r->name);
		free(r);
	}
	free(s->error);
	free(s->uri);
	free(s->uri_text);
	free(s);
}

void vici_session_free(struct vici_session *s)
{
	if (!s)
		return;
	if (s->depth > 0) {
		s->dead_session = true;
		return;
	}
	destroy(s);
}

/* Frees what callbacks can no longer see. Only at depth 0, after notes. */
static void reap(struct vici_session *s)
{
	session_free_oplist(&s->dead);
	struct vici_listener **pp = &s->listeners;
	s->listeners_tail = &s->listeners;
	while (*pp) {
		struct vici_listener *l = *pp;
		if (l->removed) {
			*pp = l->next;
			free(l);
		} else {
			s->listeners_tail = &l->next;
			pp = &l->next;
		}
	}
}

/* ---- accessors ---- */

enum vici_session_state vici_session_state(const struct vici_session *s)
{
	return s->state;
}

const char *vici_session_error(const struct vici_session *s)
{
	return s->error;
}

int64_t vici_session_retry_at(const struct vici_session *s)
{
	return s->state == VICI_SESSION_DOWN ? s->retry_at : -1;
}

const char *vici_session_uri(const struct vici_session *s)
{
	return s->uri;
}

int vici_session_fd(const struct vici_session *s)
{
	return vici_conn_fd(s->conn);
}

short vici_session_events(const struct vici_session *s)
{
	return vici_conn_events(s->conn);
}

bool vici_session_answered(const struct vici_session *s)
{
	return s->answered;
}

static int64_t grace_deadline(const struct vici_session *s)
{
	struct op *h = s->fifo.head;
	if (!h || !h->abandoned)
		return -1;
	int64_t since = h->abandoned_at > s->head_since ? h->abandoned_at : s->head_since;
	return since + s->cfg.grace_ms;
}

int64_t vici_session_next_deadline(const struct vici_session *s)
{
	if (s->notes)
		return 0;
	int64_t d = -1;
	if (s->state == VICI_SESSION_DOWN)
		d = vici_deadline_min(d, s->retry_at);
	if (s->state == VICI_SESSION_CONNECTING)
		d = vici_deadline_min(d, s->connect_deadline);
	for (struct op *op = s->outbox.head; op; op = op->next)
		if (op->kind == OP_CMD && !op->req->done && !op->req->cancelled)
			d = vici_deadline_min(d, op->deadline);
	for (struct op *op = s->fifo.head; op; op = op->next)
		if (!op->abandoned)
			d = vici_deadline_min(d, op->deadline);
	return vici_deadline_min(d, grace_deadline(s));
}

int vici_session_poll_timeout(const struct vici_session *s, int64_t now, int max_ms)
{
	int64_t d = vici_session_next_deadline(s);
	int64_t t;
	if (d < 0)
		t = -1;
	else if (d <= now)
		t = 0;
	else
		t = d - now;
	if (max_ms >= 0 && (t < 0 || t > max_ms))
		t = max_ms;
	return (int)(t > 0x7fffffff ? 0x7fffffff : t);
}

/* ---- dispatch ---- */

static void deliver_notes(struct vici_session *s)
{
	while (s->notes && !s->dead_session) {
		struct note *n = s->notes;
		s->notes = n->next;
		if (!s->notes)
			s->notes_tail = &s->notes;
		struct vici_msg m = {.final = true,
		                     .error = n->err < 0 ? n->msg : NULL,
		                     .received = session_now(s)};
		switch (n->kind) {
		case NOTE_FINAL:
			if (!n->req->cancelled && n->req->fn) {
				m.name = n->req->cmd;
				n->req->fn(n->req->ctx, n->err, &m);
			}
			break;
		case NOTE_LISTENER:
			if (!n->lis->removed && n->lis->fn) {
				m.name = n->lis->reg->name;
				n->lis->fn(n->lis->ctx, n->err, &m);
			}
			break;
		case NOTE_STATE:
			if (s->cfg.on_state)
				s->cfg.on_state(s->cfg.ctx, n->st, n->err, n->msg);
			break;
		case NOTE_UP:
			if (s->cfg.on_up)
				s->cfg.on_up(s->cfg.ctx, n->reconnected);
			break;
		}
		session_note_free(n);
	}
}

static struct op *first_cmd(struct vici_session *s)
{
	for (struct op *op = s->fifo.head; op; op = op->next)
		if (op->kind == OP_CMD)
			return op;
	return NULL;
}

static void dispatch_event(struct vici_session *s, const struct vici_packet *pkt, int64_t now)
{
	struct vici_msg m = {
	        .name = pkt->name, .data = pkt->msg, .len = pkt->msg_len, .received = now};
	struct op *cmd = first_cmd(s);
	if (cmd && cmd->req->stream && strcmp(cmd->req->stream->name, pkt->name) == 0) {
		struct vici_request *req = cmd->req;
		/* A stream that makes progress is alive: its deadline bounds
		 * silence, not the length of a large listing. */
		if (cmd->deadline >= 0 && !cmd->abandoned)
			cmd->deadline = now + req->timeout_ms;
		if (!req->done && !req->cancelled && req->fn)
			req->fn(req->ctx, 0, &m);
		return;
	}
	struct reg *r = session_reg_find(s, pkt->name);
	if (!r)
		return;
	/* Listeners added by a callback start with the next event. */
	struct vici_listener *last = NULL;
	for (struct vici_listener *l = s->listeners; l; l = l->next)
		last = l;
	for (struct vici_listener *l = s->listeners; l; l = l->next) {
		if (l->reg == r && !l->removed && l->fn) {
			l->fn(l->ctx, 0, &m);
			if (s->dead_session)
				return;
		}
		if (l == last)
			break;
	}
}

static void dispatch_cmd_reply(struct vici_session *s, const struct vici_packet *pkt, int64_t now)
{
	struct op *op = s->fifo.head;
	struct vici_request *req = op->req;
	session_list_remove(&s->fifo, op);
	session_list_append(&s->dead, op);
	set_head_since(s);
	if (op->abandoned)
		s->abandoned--;
	session_req_release_stream(s, req);
	bool deliver = !req->done && !req->cancelled && req->fn;
	req->done = true;
	if (!deliver)
		return;
	struct vici_msg m = {.name = req->cmd, .final = true, .received = now};
	if (pkt->type == VICI_CMD_UNKNOWN) {
		char *msg =
		        xasprintf("unknown command '%s' (not supported by this daemon)", req->cmd);
		m.error = msg;
		req->fn(req->ctx, -ENOSYS, &m);
		free(msg);
		return;
	}
	m.data = pkt->msg;
	m.len = pkt->msg_len;
	req->fn(req->ctx, 0, &m);
}

static void dispatch_confirm(struct vici_session *s, const struct vici_packet *pkt)
{
	struct op *op = s->fifo.head;
	struct reg *r = op->reg;
	session_list_remove(&s->fifo, op);
	session_list_append(&s->dead, op);
	set_head_since(s);
	if (op->abandoned)
		s->abandoned--;
	if (op->kind == OP_UNREG) {
		/* EVENT_UNKNOWN for an UNREGISTER only means it was not there. */
		r->confirmed = false;
		return;
	}
	if (pkt->type == VICI_EVENT_CONFIRM) {
		/* Also when it comes late: the daemon has the registration now,
		 * and its events flow. */
		r->confirmed = true;
		return;
	}
	r->unsupported = true;
	r->wire = false;
	r->confirmed = false;
	char *msg = xasprintf("event '%s' is not supported by this daemon", r->name);
	session_listeners_fail(s, r, -ENOENT, msg);
	free(msg);
}

/* Handles one received payload. */
static void dispatch(struct vici_session *s, const uint8_t *payload, size_t len, int64_t now)
{
	struct vici_packet pkt;
	if (vici_packet_parse(payload, len, &pkt) < 0) {
		char what[32];
		snprintf(what, sizeof(what), "%zu", len);
		protocol_error(s, "malformed packet (%s bytes)%s", what, NULL);
		return;
	}
	const char *tname = vici_packet_type_name(pkt.type);
	struct op *head = s->fifo.head;
	switch (pkt.type) {
	case VICI_EVENT:
		if (vici_message_validate(pkt.msg, pkt.msg_len) < 0) {
			protocol_error(s, "malformed message in event '%s'%s", pkt.name, NULL);
			return;
		}
		dispatch_event(s, &pkt, now);
		break;
	case VICI_CMD_RESPONSE:
	case VICI_CMD_UNKNOWN:
		if (!head) {
			protocol_error(s, "%s with no request pending%s", tname, NULL);
			return;
		}
		if (head->kind != OP_CMD) {
			protocol_error(s, "%s while waiting for the answer to registering '%s'",
			               tname, head->reg->name);
			return;
		}
		if (pkt.type == VICI_CMD_RESPONSE &&
		    vici_message_validate(pkt.msg, pkt.msg_len) < 0) {
			protocol_error(s, "malformed message in the reply to '%s'%s",
			               head->req->cmd, NULL);
			return;
		}
		s->answered = true; /* before the callback, which may reconnect */
		dispatch_cmd_reply(s, &pkt, now);
		break;
	case VICI_EVENT_CONFIRM:
	case VICI_EVENT_UNKNOWN:
		if (!head) {
			protocol_error(s, "%s with no registration pending%s", tname, NULL);
			return;
		}
		if (head->kind == OP_CMD) {
			protocol_error(s, "%s while waiting for the reply to '%s'", tname,
			               head->req->cmd);
			return;
		}
		s->answered = true;
		dispatch_confirm(s, &pkt);
		break;
	default:
		protocol_error(s, "unexpected %s packet from the server%s", tname, NULL);
		return;
	}
	/* A well-formed, expected packet: the daemon works, so the next outage
	 * starts with a short retry again. */
	s->backoff_ms = s->cfg.backoff_min_ms;
}

/* ---- timers ---- */

/* What the daemon owes for op, for messages. */
static const char *answer_name(const struct op *op)
{
	switch (op->kind) {
	case OP_CMD:
		return "reply to";
	case OP_REG:
		return "confirmation of registering";
	default:
		return "confirmation of unregistering";
	}
}

/* Tells whoever waits for op, which was sent and has just passed its
 * deadline, that it timed out. Its place in the FIFO stays (see session.h). */
static void abandon(struct vici_session *s, struct op *op)
{
	char *msg;
	if (op->kind == OP_CMD) {
		msg = xasprintf("'%s' timed out after %d ms (no reply from charon)", op->req->cmd,
		                op->req->timeout_ms);
		session_req_fail(s, op->req, -ETIMEDOUT, msg);
	} else if (op->kind == OP_REG) {
		msg = xasprintf(
		        "charon did not confirm the registration of event '%s' within %d ms",
		        op->reg->name, s->cfg.request_timeout_ms);
		session_listeners_fail(s, op->reg, -ETIMEDOUT, msg);
	} else {
		return; /* an UNREGISTER: nobody listens any more */
	}
	free(msg);
}

static void timers(struct vici_session *s, int64_t now)
{
	if (s->state == VICI_SESSION_DOWN && s->retry_at >= 0 && now >= s->retry_at)
		start_connect(s);
	if (s->state == VICI_SESSION_CONNECTING && now >= s->connect_deadline) {
		char *msg = vici_strerror_uri(-ETIMEDOUT, s->uri);
		go_down(s, -ETIMEDOUT, msg, true);
		free(msg);
	}
	for (struct op *op = s->outbox.head; op; op = op->next) {
		struct vici_request *req = op->kind == OP_CMD ? op->req : NULL;
		if (!req || req->done || req->cancelled || op->deadline < 0 || now < op->deadline)
			continue;
		char *msg = xasprintf("'%s' timed out after %d ms (not sent: %s)", req->cmd,
		                      req->timeout_ms,
		                      s->state == VICI_SESSION_UP ? "waiting for an earlier reply"
		                                                  : "not connected");
		session_req_fail(s, req, -ETIMEDOUT, msg);
		free(msg);
	}
	session_outbox_purge(s);
	for (struct op *op = s->fifo.head; op; op = op->next) {
		if (op->abandoned || op->deadline < 0 || now < op->deadline)
			continue;
		op->abandoned = true;
		op->abandoned_at = now;
		s->abandoned++;
		abandon(s, op);
	}
	int64_t g = grace_deadline(s);
	if (g >= 0 && now >= g) {
		struct op *h = s->fifo.head;
		char *msg =
		        xasprintf("connection to %s recycled: the %s '%s' did not come "
		                  "within %d ms after its deadline",
		                  s->uri_text, answer_name(h),
		                  h->kind == OP_CMD ? h->req->cmd : h->reg->name, s->cfg.grace_ms);
		go_down(s, -ETIMEDOUT, msg, true);
		free(msg);
	}
}

/* ---- entry points that call back ---- */

static void handle_io(struct vici_session *s, short revents)
{
	if (vici_conn_state(s->conn) == VICI_CONN_CLOSED || !revents || s->in_dispatch)
		return;
	bool was_connecting = s->state == VICI_SESSION_CONNECTING;
	int r = vici_conn_handle(s->conn, revents);
	if (was_connecting && vici_conn_state(s->conn) == VICI_CONN_UP)
		become_up(s);
	/* Frames that arrived before a failure still count. They are lent by the
	 * conn, which reads the socket on as they run out: a callback that
	 * reconnects leaves the one in hand valid, and nothing reads while one
	 * is dispatched (see in_dispatch). */
	const uint8_t *payload;
	size_t len;
	int64_t now = session_now(s);
	int rn = -EAGAIN;
	s->in_dispatch = true;
	while (!s->dead_session && (rn = vici_conn_next(s->conn, &payload, &len)) == 0) {
		dispatch(s, payload, len, now);
		deliver_notes(s);
	}
	s->in_dispatch = false;
	if (s->dead_session)
		return;
	if (r == 0 && rn != -EAGAIN)
		r = rn;
	if (r < 0 && s->state != VICI_SESSION_DOWN) {
		/* Only if the conn that failed is still ours: a callback may have
		 * reconnected in the meantime. */
		if (vici_conn_state(s->conn) == VICI_CONN_CLOSED)
			go_down(s, r, vici_conn_error(s->conn), true);
	}
	session_pump(s);
}

void session_leave(struct vici_session *s)
{
	if (--s->depth > 0)
		return;
	if (s->dead_session) {
		destroy(s);
		return;
	}
	reap(s);
}

void session_run(struct vici_session *s, short revents, int64_t now)
{
	handle_io(s, revents);
	if (!s->dead_session) {
		timers(s, now);
		session_pump(s);
	}
	deliver_notes(s);
	if (!s->dead_session)
		session_pump(s);
}

void vici_session_handle(struct vici_session *s, short revents)
{
	s->depth++;
	session_run(s, revents, session_now(s));
	session_leave(s);
}

void vici_session_tick(struct vici_session *s, int64_t now)
{
	s->depth++;
	session_run(s, 0, now);
	session_leave(s);
}

int vici_session_reconnect(struct vici_session *s)
{
	s->backoff_ms = s->cfg.backoff_min_ms;
	if (s->state != VICI_SESSION_DOWN) {
		char *msg = xasprintf("connection to %s closed: reconnect requested", s->uri_text);
		go_down(s, -ECONNRESET, msg, false);
		free(msg);
	}
	start_connect(s);
	return s->state == VICI_SESSION_DOWN ? -ENOTCONN : 0;
}
