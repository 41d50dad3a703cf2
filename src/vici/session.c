/*
 * A VICI session (see session.h for the contract and the timeout policy).
 *
 * How it hangs together. Everything we send lives in one of two lists of
 * "ops" (a command, a REGISTER or an UNREGISTER):
 *
 *   outbox  ops not written yet, in order. Pumped to the conn while the
 *           connection is UP and no abandoned op is in the FIFO.
 *   fifo    ops written and waiting for their answer, in order. The answers
 *           come back in the same order, which is all VICI gives us to match
 *           them.
 *
 * Registrations are one "reg" per event name with a count of holders
 * (listeners and streamed requests in progress). reg_sync() compares "someone
 * holds it" with "the server has it" and queues a REGISTER or UNREGISTER, or
 * cancels the opposite op if that one has not been written yet. Because the
 * server processes our packets in order, a streamed command queued after its
 * REGISTER is handled while the registration is in place.
 *
 * Callbacks and memory. Callbacks may do anything, including freeing the
 * session. So nothing is freed while a callback could be on the stack: ops
 * that are finished move to a dead list, removed listeners are marked, and
 * reap() frees them when the outermost entry point (handle, tick, call_sync)
 * is about to return. Failures that hit many requests at once (connection
 * lost, timeouts) do not call back while walking a list: they queue "notes"
 * that are delivered one by one afterwards. Packets are dispatched one at a
 * time, never while a list is being walked, so those call back directly.
 */
#include "vici/session.h"

#include <errno.h>
#include <poll.h>
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

/* ---- data ---- */

enum op_kind { OP_CMD, OP_REG, OP_UNREG };

struct reg {
	struct reg *next;
	char *name;
	unsigned refs;    /* listeners + streamed requests holding it */
	bool wire;        /* the server has it (or will: REGISTER queued/sent) */
	bool confirmed;   /* EVENT_CONFIRM seen for the last REGISTER */
	bool unsupported; /* EVENT_UNKNOWN on this connection */
};

struct vici_request {
	struct vici_session *s;
	char *cmd;
	uint8_t *msg;
	size_t len;
	struct reg *stream; /* held while queued or in flight; NULL once released */
	vici_request_fn fn;
	void *ctx;
	int timeout_ms;   /* for messages */
	int64_t deadline; /* -1: none */
	int64_t abandoned_at;
	bool sent;
	bool done;      /* the caller got (or is queued to get) its final call */
	bool cancelled; /* the caller wants no more calls */
	bool abandoned; /* timed out after it was sent: drop its late reply */
};

struct op {
	struct op *prev, *next;
	enum op_kind kind;
	struct vici_request *req; /* OP_CMD (owned) */
	struct reg *reg;          /* OP_REG, OP_UNREG */
};

struct oplist {
	struct op *head, *tail;
};

struct vici_listener {
	struct vici_listener *next;
	struct vici_session *s;
	struct reg *reg;
	vici_event_fn fn;
	void *ctx;
	bool removed;
};

enum note_kind { NOTE_FINAL, NOTE_UNSUPPORTED, NOTE_STATE, NOTE_UP };

struct note {
	struct note *next;
	enum note_kind kind;
	struct vici_request *req;   /* NOTE_FINAL */
	struct vici_listener *lis;  /* NOTE_UNSUPPORTED */
	enum vici_session_state st; /* NOTE_STATE */
	bool reconnected;           /* NOTE_UP */
	int err;
	char *msg;
};

struct vici_session {
	struct vici_session_config cfg;
	char *uri;
	char *uri_text; /* uri with non-printable bytes replaced */
	struct vici_conn *conn;
	enum vici_session_state state;
	int64_t connect_deadline;
	int64_t retry_at;
	int backoff_ms;
	bool ever_up;
	char *error;

	struct oplist outbox, fifo, dead;
	unsigned abandoned; /* abandoned ops in the fifo */
	int64_t head_since; /* when the current fifo head became the head */

	struct reg *regs;
	struct vici_listener *listeners, **listeners_tail;

	struct note *notes, **notes_tail;

	unsigned depth; /* nesting of entry points that may call back */
	bool dead_session;
};

/* ---- op lists ---- */

static void list_append(struct oplist *l, struct op *op)
{
	op->next = NULL;
	op->prev = l->tail;
	if (l->tail)
		l->tail->next = op;
	else
		l->head = op;
	l->tail = op;
}

static void list_remove(struct oplist *l, struct op *op)
{
	if (op->prev)
		op->prev->next = op->next;
	else
		l->head = op->next;
	if (op->next)
		op->next->prev = op->prev;
	else
		l->tail = op->prev;
	op->prev = op->next = NULL;
}

static struct op *op_new(enum op_kind kind, struct vici_request *req, struct reg *reg)
{
	struct op *op = xcalloc(1, sizeof(*op));
	op->kind = kind;
	op->req = req;
	op->reg = reg;
	return op;
}

static void req_free(struct vici_request *req)
{
	if (!req)
		return;
	free(req->cmd);
	free(req->msg);
	free(req);
}

/* ---- notes ---- */

static struct note *note_add(struct vici_session *s, enum note_kind kind, int err, const char *msg)
{
	struct note *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->err = err;
	n->msg = xstrdup(msg ? msg : "");
	*s->notes_tail = n;
	s->notes_tail = &n->next;
	return n;
}

static void note_free(struct note *n)
{
	free(n->msg);
	free(n);
}

/* ---- registrations ---- */

static struct reg *reg_get(struct vici_session *s, const char *name)
{
	for (struct reg *r = s->regs; r; r = r->next)
		if (strcmp(r->name, name) == 0)
			return r;
	struct reg *r = xcalloc(1, sizeof(*r));
	r->name = xstrdup(name);
	r->next = s->regs;
	s->regs = r;
	return r;
}

static struct reg *reg_find(struct vici_session *s, const char *name)
{
	for (struct reg *r = s->regs; r; r = r->next)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

static struct op *outbox_find(struct vici_session *s, enum op_kind kind, struct reg *reg)
{
	for (struct op *op = s->outbox.head; op; op = op->next)
		if (op->kind == kind && op->reg == reg)
			return op;
	return NULL;
}

/* Brings the server's registration for r in line with its local count. */
static void reg_sync(struct vici_session *s, struct reg *r)
{
	bool want = r->refs > 0 && !r->unsupported;
	if (want == r->wire || s->state == VICI_SESSION_DOWN)
		return;
	enum op_kind undo = want ? OP_UNREG : OP_REG;
	struct op *pending = outbox_find(s, undo, r);
	if (pending) {
		/* The opposite op never left: cancelling it restores the state
		 * the server already has. */
		list_remove(&s->outbox, pending);
		free(pending);
	} else {
		list_append(&s->outbox, op_new(want ? OP_REG : OP_UNREG, NULL, r));
	}
	r->wire = want;
}

static void reg_release(struct vici_session *s, struct reg *r)
{
	if (r->refs > 0)
		r->refs--;
	reg_sync(s, r);
}

static void req_release_stream(struct vici_session *s, struct vici_request *req)
{
	if (req->stream) {
		struct reg *r = req->stream;
		req->stream = NULL;
		reg_release(s, r);
	}
}

/* ---- finishing requests ---- */

/* Queues the final error call of req (unless the caller is gone). */
static void req_fail(struct vici_session *s, struct vici_request *req, int err, const char *msg)
{
	if (req->done)
		return;
	req->done = true;
	if (req->cancelled)
		return;
	struct note *n = note_add(s, NOTE_FINAL, err, msg);
	n->req = req;
}

/* Moves ops of the outbox whose request finished or was cancelled before it
 * was sent to the dead list. Restarts after each removal because releasing a
 * stream may remove another op from the outbox. */
static void outbox_purge(struct vici_session *s)
{
	bool again = true;
	while (again) {
		again = false;
		for (struct op *op = s->outbox.head; op; op = op->next) {
			if (op->kind != OP_CMD || !(op->req->done || op->req->cancelled))
				continue;
			list_remove(&s->outbox, op);
			list_append(&s->dead, op);
			req_release_stream(s, op->req);
			again = true;
			break;
		}
	}
}

/* ---- sending ---- */

static void set_head_since(struct vici_session *s)
{
	s->head_since = vici_now_ms();
}

/* Writes queued ops to the conn while it is UP and nothing is abandoned. */
static void pump(struct vici_session *s)
{
	while (s->state == VICI_SESSION_UP && !s->abandoned && s->outbox.head) {
		struct op *op = s->outbox.head;
		int r;
		list_remove(&s->outbox, op);
		if (op->kind == OP_CMD && (op->req->done || op->req->cancelled)) {
			/* Releasing may drop a REGISTER further on: we always take
			 * the head again. */
			list_append(&s->dead, op);
			req_release_stream(s, op->req);
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
			break;
		default:
			r = vici_conn_send(s->conn, VICI_EVENT_UNREGISTER, op->reg->name, NULL, 0);
			break;
		}
		if (r < 0) {
			/* Names and sizes were checked when queued; only a closed
			 * conn gets here, and that is reported by handle(). */
			list_append(&s->dead, op);
			if (op->kind == OP_CMD) {
				req_fail(s, op->req, -ECONNRESET, "cannot send the request");
				req_release_stream(s, op->req);
			}
			continue;
		}
		if (!s->fifo.head)
			set_head_since(s);
		list_append(&s->fifo, op);
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
	struct note *n = note_add(s, NOTE_STATE, err, msg);
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
		list_remove(&s->fifo, op);
		list_append(&s->dead, op);
		if (op->kind == OP_CMD) {
			req_fail(s, op->req, -ECONNRESET, why);
			req_release_stream(s, op->req);
		}
	}
	while ((op = s->outbox.head)) {
		list_remove(&s->outbox, op);
		list_append(&s->dead, op);
		if (op->kind == OP_CMD) {
			/* Never sent, so it surely did not run: a different code
			 * than for the requests in flight, which may have. */
			req_fail(s, op->req, -ENOTCONN, why);
			req_release_stream(s, op->req);
		}
	}
	s->abandoned = 0;
	for (struct reg *r = s->regs; r; r = r->next)
		r->wire = r->confirmed = r->unsupported = false;

	int64_t now = vici_now_ms();
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
	struct note *n = note_add(s, NOTE_UP, 0, "");
	n->reconnected = s->ever_up;
	s->ever_up = true;
	pump(s);
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
	s->connect_deadline = vici_now_ms() + s->cfg.connect_timeout_ms;
	/* Registrations first, before any command queued from now on. */
	for (struct reg *r2 = s->regs; r2; r2 = r2->next)
		reg_sync(s, r2);
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

static void free_oplist(struct oplist *l)
{
	struct op *op;
	while ((op = l->head)) {
		list_remove(l, op);
		req_free(op->req);
		free(op);
	}
}

static void destroy(struct vici_session *s)
{
	vici_conn_free(s->conn);
	free_oplist(&s->outbox);
	free_oplist(&s->fifo);
	free_oplist(&s->dead);
	while (s->notes) {
		struct note *n = s->notes;
		s->notes = n->next;
		note_free(n);
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
	free_oplist(&s->dead);
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

size_t vici_session_pending(const struct vici_session *s)
{
	size_t n = 0;
	for (struct op *op = s->outbox.head; op; op = op->next)
		if (op->kind == OP_CMD && !op->req->done && !op->req->cancelled)
			n++;
	for (struct op *op = s->fifo.head; op; op = op->next)
		if (op->kind == OP_CMD)
			n++;
	return n;
}

static int64_t min_deadline(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int64_t grace_deadline(const struct vici_session *s)
{
	struct op *h = s->fifo.head;
	if (!h || h->kind != OP_CMD || !h->req->abandoned)
		return -1;
	int64_t since = h->req->abandoned_at > s->head_since ? h->req->abandoned_at : s->head_since;
	return since + s->cfg.grace_ms;
}

int64_t vici_session_next_deadline(const struct vici_session *s)
{
	if (s->notes)
		return 0;
	int64_t d = -1;
	if (s->state == VICI_SESSION_DOWN)
		d = min_deadline(d, s->retry_at);
	if (s->state == VICI_SESSION_CONNECTING)
		d = min_deadline(d, s->connect_deadline);
	for (struct op *op = s->outbox.head; op; op = op->next)
		if (op->kind == OP_CMD && !op->req->done && !op->req->cancelled)
			d = min_deadline(d, op->req->deadline);
	for (struct op *op = s->fifo.head; op; op = op->next)
		if (op->kind == OP_CMD && !op->req->abandoned)
			d = min_deadline(d, op->req->deadline);
	return min_deadline(d, grace_deadline(s));
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
		                     .received = vici_now_ms()};
		switch (n->kind) {
		case NOTE_FINAL:
			if (!n->req->cancelled && n->req->fn) {
				m.name = n->req->cmd;
				n->req->fn(n->req->ctx, n->err, &m);
			}
			break;
		case NOTE_UNSUPPORTED:
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
		note_free(n);
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
		if (req->deadline >= 0 && !req->abandoned)
			req->deadline = now + req->timeout_ms;
		if (!req->done && !req->cancelled && req->fn)
			req->fn(req->ctx, 0, &m);
		return;
	}
	struct reg *r = reg_find(s, pkt->name);
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
	list_remove(&s->fifo, op);
	list_append(&s->dead, op);
	set_head_since(s);
	if (req->abandoned)
		s->abandoned--;
	req_release_stream(s, req);
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
	list_remove(&s->fifo, op);
	list_append(&s->dead, op);
	set_head_since(s);
	if (op->kind == OP_UNREG) {
		/* EVENT_UNKNOWN for an UNREGISTER only means it was not there. */
		r->confirmed = false;
		return;
	}
	if (pkt->type == VICI_EVENT_CONFIRM) {
		r->confirmed = true;
		return;
	}
	r->unsupported = true;
	r->wire = false;
	r->confirmed = false;
	char *msg = xasprintf("event '%s' is not supported by this daemon", r->name);
	for (struct vici_listener *l = s->listeners; l; l = l->next) {
		if (l->reg == r && !l->removed) {
			struct note *n = note_add(s, NOTE_UNSUPPORTED, -ENOENT, msg);
			n->lis = l;
		}
	}
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
		if (!req || req->done || req->cancelled || req->deadline < 0 || now < req->deadline)
			continue;
		char *msg = xasprintf("'%s' timed out after %d ms (not sent: %s)", req->cmd,
		                      req->timeout_ms,
		                      s->state == VICI_SESSION_UP ? "waiting for an earlier reply"
		                                                  : "not connected");
		req_fail(s, req, -ETIMEDOUT, msg);
		free(msg);
	}
	outbox_purge(s);
	for (struct op *op = s->fifo.head; op; op = op->next) {
		struct vici_request *req = op->kind == OP_CMD ? op->req : NULL;
		if (!req || req->abandoned || req->deadline < 0 || now < req->deadline)
			continue;
		req->abandoned = true;
		req->abandoned_at = now;
		s->abandoned++;
		char *msg = xasprintf("'%s' timed out after %d ms (no reply from charon)", req->cmd,
		                      req->timeout_ms);
		req_fail(s, req, -ETIMEDOUT, msg);
		free(msg);
	}
	int64_t g = grace_deadline(s);
	if (g >= 0 && now >= g) {
		char *msg = xasprintf("connection to %s recycled: the reply to '%s' did not come "
		                      "within %d ms after its deadline",
		                      s->uri_text, s->fifo.head->req->cmd, s->cfg.grace_ms);
		go_down(s, -ETIMEDOUT, msg, true);
		free(msg);
	}
}

/* ---- entry points that call back ---- */

static void handle_io(struct vici_session *s, short revents)
{
	if (vici_conn_state(s->conn) == VICI_CONN_CLOSED || !revents)
		return;
	bool was_connecting = s->state == VICI_SESSION_CONNECTING;
	int r = vici_conn_handle(s->conn, revents);
	if (was_connecting && vici_conn_state(s->conn) == VICI_CONN_UP)
		become_up(s);
	/* Frames that arrived before a failure still count. */
	uint8_t *payload;
	size_t len;
	int64_t now = vici_now_ms();
	while (!s->dead_session && vici_conn_recv(s->conn, &payload, &len) == 0) {
		dispatch(s, payload, len, now);
		free(payload);
		deliver_notes(s);
	}
	if (s->dead_session)
		return;
	if (r < 0 && s->state != VICI_SESSION_DOWN) {
		/* Only if the conn that failed is still ours: a callback may have
		 * reconnected in the meantime. */
		if (vici_conn_state(s->conn) == VICI_CONN_CLOSED)
			go_down(s, r, vici_conn_error(s->conn), true);
	}
	pump(s);
}

static void leave(struct vici_session *s)
{
	if (--s->depth > 0)
		return;
	if (s->dead_session) {
		destroy(s);
		return;
	}
	reap(s);
}

static void run(struct vici_session *s, short revents, int64_t now)
{
	handle_io(s, revents);
	if (!s->dead_session) {
		timers(s, now);
		pump(s);
	}
	deliver_notes(s);
	if (!s->dead_session)
		pump(s);
}

void vici_session_handle(struct vici_session *s, short revents)
{
	s->depth++;
	run(s, revents, vici_now_ms());
	leave(s);
}

void vici_session_tick(struct vici_session *s, int64_t now)
{
	s->depth++;
	run(s, 0, now);
	leave(s);
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

/* ---- requests ---- */

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > VICI_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
			return false;
	return true;
}

int vici_session_call(struct vici_session *s, const char *cmd, const void *msg, size_t len,
                      const struct vici_call_opts *opts, vici_request_fn fn, void *ctx,
                      struct vici_request **reqp)
{
	static const struct vici_call_opts defaults;
	if (!opts)
		opts = &defaults;
	if (!name_ok(cmd) || (len && !msg))
		return -EINVAL;
	const struct vici_command_info *ci = vici_command_lookup(cmd);
	if (opts->timeout_ms < VICI_TIMEOUT_NONE ||
	    (opts->timeout_ms == VICI_TIMEOUT_NONE && !(ci && (ci->flags & VICI_CMD_SELF_TIMED))))
		return -EINVAL;
	const char *stream =
	        opts->stream_event ? opts->stream_event : (ci ? ci->stream_event : NULL);
	if (stream && !*stream)
		stream = NULL;
	if (stream && !name_ok(stream))
		return -EINVAL;
	if (len > VICI_FRAME_MAX || 2 + strlen(cmd) + len > VICI_FRAME_MAX)
		return -EMSGSIZE;
	if (len && vici_message_validate(msg, len) < 0)
		return -EBADMSG;
	if (s->state == VICI_SESSION_DOWN)
		return -ENOTCONN;

	struct vici_request *req = xcalloc(1, sizeof(*req));
	req->s = s;
	req->cmd = xstrdup(cmd);
	req->msg = len ? xmemdup(msg, len) : NULL;
	req->len = len;
	req->fn = fn;
	req->ctx = ctx;
	req->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : s->cfg.request_timeout_ms;
	req->deadline =
	        opts->timeout_ms == VICI_TIMEOUT_NONE ? -1 : vici_now_ms() + req->timeout_ms;
	if (stream) {
		req->stream = reg_get(s, stream);
		req->stream->refs++;
		reg_sync(s, req->stream);
	}
	list_append(&s->outbox, op_new(OP_CMD, req, NULL));
	pump(s);
	if (reqp)
		*reqp = req;
	return 0;
}

int vici_session_call_builder(struct vici_session *s, const char *cmd, struct vici_builder *b,
                              const struct vici_call_opts *opts, vici_request_fn fn, void *ctx,
                              struct vici_request **reqp)
{
	uint8_t *msg = NULL;
	size_t len = 0;
	if (b) {
		int r = vici_builder_finish(b, &msg, &len);
		if (r < 0)
			return r;
	}
	int r = vici_session_call(s, cmd, msg, len, opts, fn, ctx, reqp);
	free(msg);
	return r;
}

void vici_request_cancel(struct vici_request *req)
{
	if (!req || req->cancelled)
		return;
	req->cancelled = true;
	req->fn = NULL;
	if (!req->sent)
		outbox_purge(req->s);
}

struct sync_call {
	vici_request_fn fn;
	void *ctx;
	bool done;
	int err;
};

static void sync_cb(void *ctx, int err, const struct vici_msg *m)
{
	struct sync_call *sc = ctx;
	if (sc->fn)
		sc->fn(sc->ctx, err, m);
	if (m->final) {
		sc->done = true;
		sc->err = err;
	}
}

int vici_session_call_sync(struct vici_session *s, const char *cmd, const void *msg, size_t len,
                           const struct vici_call_opts *opts, vici_request_fn fn, void *ctx)
{
	if (s->depth > 0)
		return -EDEADLK;
	struct sync_call sc = {.fn = fn, .ctx = ctx};
	int r = vici_session_call(s, cmd, msg, len, opts, sync_cb, &sc, NULL);
	if (r < 0)
		return r;
	s->depth++;
	while (!sc.done && !s->dead_session) {
		int64_t now = vici_now_ms();
		int timeout = vici_session_poll_timeout(s, now, -1);
		struct pollfd pfd = {.fd = vici_session_fd(s), .events = vici_session_events(s)};
		if (pfd.fd < 0 && timeout < 0) {
			r = -ENOTCONN; /* nothing can finish the request any more */
			break;
		}
		int n = poll(&pfd, pfd.fd >= 0 ? 1 : 0, timeout);
		if (n < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		run(s, n > 0 ? pfd.revents : 0, vici_now_ms());
	}
	bool dead = s->dead_session;
	leave(s);
	if (dead)
		return sc.done ? sc.err : -ECANCELED;
	return sc.done ? sc.err : r;
}

/* ---- listeners ---- */

struct vici_listener *vici_session_listen(struct vici_session *s, const char *name,
                                          vici_event_fn fn, void *ctx)
{
	if (!name_ok(name)) {
		errno = EINVAL;
		return NULL;
	}
	struct vici_listener *l = xcalloc(1, sizeof(*l));
	l->s = s;
	l->reg = reg_get(s, name);
	l->fn = fn;
	l->ctx = ctx;
	*s->listeners_tail = l;
	s->listeners_tail = &l->next;
	l->reg->refs++;
	if (l->reg->unsupported) {
		char *msg = xasprintf("event '%s' is not supported by this daemon", name);
		struct note *n = note_add(s, NOTE_UNSUPPORTED, -ENOENT, msg);
		n->lis = l;
		free(msg);
	}
	reg_sync(s, l->reg);
	pump(s);
	return l;
}

void vici_listener_remove(struct vici_listener *l)
{
	if (!l || l->removed)
		return;
	l->removed = true;
	l->fn = NULL;
	reg_release(l->s, l->reg);
	pump(l->s);
}

enum vici_listener_state vici_listener_state(const struct vici_listener *l)
{
	if (l->reg->unsupported)
		return VICI_LISTENER_UNSUPPORTED;
	if (l->reg->wire && l->reg->confirmed && l->s->state == VICI_SESSION_UP)
		return VICI_LISTENER_ACTIVE;
	return VICI_LISTENER_PENDING;
}
