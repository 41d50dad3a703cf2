/*
 * The insides of a VICI session: its structures and their bookkeeping (op
 * lists, registrations, notes), private to src/vici; the contract is
 * session.h. The session is three files, each calling only those before it:
 *
 *   session_queue.c  this bookkeeping, without I/O or callbacks
 *   session.c        the state machine: connect, send, dispatch what
 *                    arrives, deadlines, reconnect, life cycle
 *   session_call.c   what the host calls to queue work: requests,
 *                    listeners, the synchronous wrapper (session_priv.h)
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
 * (listeners and streamed requests in progress). session_reg_sync() compares
 * "someone holds it" with "the server has it" and queues a REGISTER or
 * UNREGISTER, or cancels the opposite op if that one has not been written
 * yet. Because the server processes our packets in order, a streamed command
 * queued after its REGISTER is handled while the registration is in place.
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
#ifndef SWANTOP_VICI_SESSION_QUEUE_H
#define SWANTOP_VICI_SESSION_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vici/session.h"

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
	int timeout_ms; /* its op's deadline, restarted by stream progress */
	bool sent;
	bool done;      /* the caller got (or is queued to get) its final call */
	bool cancelled; /* the caller wants no more calls */
};

struct op {
	struct op *prev, *next;
	enum op_kind kind;
	struct vici_request *req; /* OP_CMD (owned) */
	struct reg *reg;          /* OP_REG, OP_UNREG */
	int64_t deadline;         /* -1: none. Commands: from the call; (un)registrations:
	                           * from the moment they are written */
	int64_t abandoned_at;
	bool abandoned; /* timed out after it was sent: its late answer is dropped */
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

enum note_kind { NOTE_FINAL, NOTE_LISTENER, NOTE_STATE, NOTE_UP };

struct note {
	struct note *next;
	enum note_kind kind;
	struct vici_request *req;   /* NOTE_FINAL */
	struct vici_listener *lis;  /* NOTE_LISTENER: an error for one listener */
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
	bool answered; /* the daemon answered on this connection */
	char *error;

	struct oplist outbox, fifo, dead;
	unsigned abandoned; /* abandoned ops in the fifo */
	int64_t head_since; /* when the current fifo head became the head */

	struct reg *regs;
	struct vici_listener *listeners, **listeners_tail;

	struct note *notes, **notes_tail;

	unsigned depth; /* nesting of entry points that may call back */
	bool dead_session;
	bool in_dispatch; /* a payload lent by the conn is being dispatched */
};

/* ---- session_queue.c ---- */

void session_list_append(struct oplist *l, struct op *op);
void session_list_remove(struct oplist *l, struct op *op);
/* A new op (xcalloc); req is owned by it, reg borrowed. */
struct op *session_op_new(enum op_kind kind, struct vici_request *req, struct reg *reg);
void session_req_free(struct vici_request *req);
/* Frees every op of l with its request. */
void session_free_oplist(struct oplist *l);

/* Queues a note (msg copied) for deliver_notes(); returns it to fill in. */
struct note *session_note_add(struct vici_session *s, enum note_kind kind, int err,
                              const char *msg);
void session_note_free(struct note *n);

/* The reg of name, created (count 0) if there is none yet. */
struct reg *session_reg_get(struct vici_session *s, const char *name);
/* The reg of name, or NULL. */
struct reg *session_reg_find(struct vici_session *s, const char *name);
/* Brings the server's registration for r in line with its local count:
 * queues a REGISTER or UNREGISTER, or cancels the opposite one not sent yet. */
void session_reg_sync(struct vici_session *s, struct reg *r);
/* Drops one holder of r, then syncs. */
void session_reg_release(struct vici_session *s, struct reg *r);
/* Releases the stream registration req holds, if any. */
void session_req_release_stream(struct vici_session *s, struct vici_request *req);
/* Queues err and msg for every listener of r not removed. */
void session_listeners_fail(struct vici_session *s, struct reg *r, int err, const char *msg);
/* Queues the final error call of req (unless it is done or cancelled). */
void session_req_fail(struct vici_session *s, struct vici_request *req, int err, const char *msg);
/* Moves outbox ops whose request finished or was cancelled unsent to the dead
 * list, releasing their streams. */
void session_outbox_purge(struct vici_session *s);

#endif
