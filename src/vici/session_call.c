/*
 * What the host of a VICI session calls to queue work (see session.h):
 * requests, cancelling, the synchronous wrapper, listeners. Nothing here
 * calls back: the work is queued and session.c does it.
 */
#include "vici/session_priv.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

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
	struct op *op = session_op_new(OP_CMD, req, NULL);
	op->deadline =
	        opts->timeout_ms == VICI_TIMEOUT_NONE ? -1 : session_now(s) + req->timeout_ms;
	if (stream) {
		req->stream = session_reg_get(s, stream);
		req->stream->refs++;
		session_reg_sync(s, req->stream);
	}
	session_list_append(&s->outbox, op);
	session_pump(s);
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
		session_outbox_purge(req->s);
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
		int64_t now = session_now(s);
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
		session_run(s, n > 0 ? pfd.revents : 0, session_now(s));
	}
	bool dead = s->dead_session;
	session_leave(s);
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
	l->reg = session_reg_get(s, name);
	l->fn = fn;
	l->ctx = ctx;
	*s->listeners_tail = l;
	s->listeners_tail = &l->next;
	l->reg->refs++;
	if (l->reg->unsupported) {
		char *msg = xasprintf("event '%s' is not supported by this daemon", name);
		struct note *n = session_note_add(s, NOTE_LISTENER, -ENOENT, msg);
		n->lis = l;
		free(msg);
	}
	session_reg_sync(s, l->reg);
	session_pump(s);
	return l;
}

void vici_listener_remove(struct vici_listener *l)
{
	if (!l || l->removed)
		return;
	l->removed = true;
	l->fn = NULL;
	session_reg_release(l->s, l->reg);
	session_pump(l->s);
}

enum vici_listener_state vici_listener_state(const struct vici_listener *l)
{
	if (l->reg->unsupported)
		return VICI_LISTENER_UNSUPPORTED;
	if (l->reg->wire && l->reg->confirmed && l->s->state == VICI_SESSION_UP)
		return VICI_LISTENER_ACTIVE;
	return VICI_LISTENER_PENDING;
}
