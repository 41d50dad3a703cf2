/*
 * The bookkeeping of a VICI session: op lists, requests, notes and
 * registrations (see session_queue.h). No I/O and no callbacks: what is
 * finished goes to the dead list or into a note for session.c to deliver.
 */
#include "vici/session_queue.h"

#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

void session_list_append(struct oplist *l, struct op *op)
{
	op->next = NULL;
	op->prev = l->tail;
	if (l->tail)
		l->tail->next = op;
	else
		l->head = op;
	l->tail = op;
}

void session_list_remove(struct oplist *l, struct op *op)
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

struct op *session_op_new(enum op_kind kind, struct vici_request *req, struct reg *reg)
{
	struct op *op = xcalloc(1, sizeof(*op));
	op->kind = kind;
	op->req = req;
	op->reg = reg;
	op->deadline = -1;
	return op;
}

void session_req_free(struct vici_request *req)
{
	if (!req)
		return;
	free(req->cmd);
	free(req->msg);
	free(req);
}

/* ---- notes ---- */

struct note *session_note_add(struct vici_session *s, enum note_kind kind, int err, const char *msg)
{
	struct note *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->err = err;
	n->msg = xstrdup(msg ? msg : "");
	*s->notes_tail = n;
	s->notes_tail = &n->next;
	return n;
}

void session_note_free(struct note *n)
{
	free(n->msg);
	free(n);
}

/* ---- registrations ---- */

struct reg *session_reg_get(struct vici_session *s, const char *name)
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

struct reg *session_reg_find(struct vici_session *s, const char *name)
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
void session_reg_sync(struct vici_session *s, struct reg *r)
{
	bool want = r->refs > 0 && !r->unsupported;
	if (want == r->wire || s->state == VICI_SESSION_DOWN)
		return;
	enum op_kind undo = want ? OP_UNREG : OP_REG;
	struct op *pending = outbox_find(s, undo, r);
	if (pending) {
		/* The opposite op never left: cancelling it restores the state
		 * the server already has. */
		session_list_remove(&s->outbox, pending);
		free(pending);
	} else {
		session_list_append(&s->outbox, session_op_new(want ? OP_REG : OP_UNREG, NULL, r));
	}
	r->wire = want;
}

void session_reg_release(struct vici_session *s, struct reg *r)
{
	if (r->refs > 0)
		r->refs--;
	session_reg_sync(s, r);
}

void session_req_release_stream(struct vici_session *s, struct vici_request *req)
{
	if (req->stream) {
		struct reg *r = req->stream;
		req->stream = NULL;
		session_reg_release(s, r);
	}
}

void session_listeners_fail(struct vici_session *s, struct reg *r, int err, const char *msg)
{
	for (struct vici_listener *l = s->listeners; l; l = l->next) {
		if (l->reg == r && !l->removed) {
			struct note *n = session_note_add(s, NOTE_LISTENER, err, msg);
			n->lis = l;
		}
	}
}

/* ---- finishing requests ---- */

/* Queues the final error call of req (unless the caller is gone). */
void session_req_fail(struct vici_session *s, struct vici_request *req, int err, const char *msg)
{
	if (req->done)
		return;
	req->done = true;
	if (req->cancelled)
		return;
	struct note *n = session_note_add(s, NOTE_FINAL, err, msg);
	n->req = req;
}

/* Moves ops of the outbox whose request finished or was cancelled before it
 * was sent to the dead list. Restarts after each removal because releasing a
 * stream may remove another op from the outbox. */
void session_outbox_purge(struct vici_session *s)
{
	bool again = true;
	while (again) {
		again = false;
		for (struct op *op = s->outbox.head; op; op = op->next) {
			if (op->kind != OP_CMD || !(op->req->done || op->req->cancelled))
				continue;
			session_list_remove(&s->outbox, op);
			session_list_append(&s->dead, op);
			session_req_release_stream(s, op->req);
			again = true;
			break;
		}
	}
}
void session_free_oplist(struct oplist *l)
{
	struct op *op;
	while ((op = l->head)) {
		session_list_remove(l, op);
		session_req_free(op->req);
		free(op);
	}
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