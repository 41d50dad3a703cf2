/*
 * A VICI session: requests, streamed commands, event listeners, deadlines
 * and reconnects on top of one conn (conn.h).
 *
 * Requests are pipelined: every packet we send that expects an answer gets an
 * entry in a FIFO, and answers are matched by order (VICI has no sequence
 * numbers): CMD_REQUEST expects CMD_RESPONSE or CMD_UNKNOWN, EVENT_REGISTER
 * and EVENT_UNREGISTER expect EVENT_CONFIRM or EVENT_UNKNOWN. EVENT packets
 * may arrive at any time and are never part of the FIFO.
 *
 * Streamed commands (list-sas → list-sa, initiate → control-log, ...): the
 * session takes a reference on the stream event (REGISTER goes on the wire
 * only when the count goes 0→1), sends the command, hands each stream event
 * to the request's callback, then the final reply, then drops the reference
 * (UNREGISTER only on 1→0). A stream event belongs to the oldest command
 * still waiting for its reply if that command streams this event name
 * (charon raises stream events in the command's thread, before the reply);
 * otherwise it goes to the listeners of that name.
 *
 * Timeout policy (why a timeout never desynchronises the connection): a
 * request whose deadline passes after it was sent is ABANDONED: its caller
 * gets -ETIMEDOUT at once, but its FIFO entry stays so that the late reply
 * (and its stream events) are recognised by position and dropped. While an
 * abandoned entry is in the FIFO, nothing new is written (new requests wait
 * in the session's queue, their deadlines running), so at most the requests
 * already in flight could be affected if the reply never comes. Charon drops
 * oversized replies silently, so: once an abandoned entry is the oldest one
 * and its reply has still not come after the grace period, the connection is
 * recycled (closed and reconnected) and every request in flight or queued
 * fails with an error saying so. The grace period starts only when the
 * abandoned entry has become the oldest: a command without a deadline ahead
 * of it (a blocking initiate) does not count against it. A request that
 * times out before it was sent is simply removed. Each stream event of a
 * streamed command restarts its deadline, so the deadline bounds a silent
 * daemon, not the length of a large listing. REGISTER and UNREGISTER have
 * deadlines too (the session's request timeout, counted from when they are
 * written) and the same policy: a REGISTER that times out tells its
 * listeners -ETIMEDOUT, its late confirmation is recognised by position (and
 * still makes the registration active), and if none comes within the grace
 * period the connection is recycled and the registration tried again.
 *
 * Protocol violations (malformed packet or message, a packet type a server
 * must not send, a reply with nothing pending or of the wrong kind, an
 * oversized frame) close the connection with "protocol error: ..." and
 * reconnect. Reconnects back off exponentially (default 0.5 s doubling up
 * to 10 s); after each reconnect every event that still has listeners is
 * registered again before anything else is sent, and on_up(reconnected=true)
 * tells the owner to resynchronise its state.
 *
 * The session never owns the loop: its host polls vici_session_fd() for
 * vici_session_events() (ask again before every poll(): the fd changes on
 * reconnect), with a timeout from vici_session_poll_timeout(), and then calls
 * vici_session_handle(). The events are level-triggered: an epoll host must
 * update its interest set from vici_session_events() after every call into
 * the session (requests queue writes without writing). All callbacks run only from
 * vici_session_handle(), vici_session_tick() and vici_session_call_sync(), never from the function
 * that queued the work. Callbacks may call any session function, including
 * vici_request_cancel(), vici_listener_remove() and vici_session_free():
 * objects are marked and freed after dispatch.
 *
 * Errors: 0 / negative errno. Request errors: -ETIMEDOUT (deadline),
 * -ENOSYS (CMD_UNKNOWN: unknown command), -ECONNRESET (connection lost or
 * recycled after the request was sent: it may or may not have run; the
 * message says why), -ENOTCONN (session down, or the connection was lost
 * before the request was sent: it did not run).
 * Listener errors: -ENOENT (EVENT_UNKNOWN: "not supported by this daemon"),
 * -ETIMEDOUT (the registration was not confirmed in time).
 */
#ifndef SWANTOP_VICI_SESSION_H
#define SWANTOP_VICI_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vici/catalog.h"
#include "vici/conn.h"
#include "vici/wire.h"

/* ---- time ---- */

/* Monotonic clock in milliseconds (CLOCK_MONOTONIC): the time base of every
 * deadline in this API (unless a session has a clock of its own). */
int64_t vici_now_ms(void);
/* The earlier of two deadlines (monotonic ms), where a negative one means
 * "none": -1 only when both are none. For hosts merging the deadlines of
 * several sessions and their own timers into one poll() timeout. */
int64_t vici_deadline_min(int64_t a, int64_t b);

/* ---- the session ---- */

enum vici_session_state {
	VICI_SESSION_CONNECTING = 1, /* connect in progress; requests are queued */
	VICI_SESSION_UP = 2,
	VICI_SESSION_DOWN = 3, /* vici_session_error() says why; next attempt at
	                        * vici_session_retry_at(), or never (-1) */
};

/* Name of a state ("connecting", "up", "down"). Static string. */
const char *vici_session_state_name(enum vici_session_state st);

struct vici_session;

/* Configuration; zero means "the default" for every field. */
struct vici_session_config {
	const char *uri;        /* NULL: VICI_DEFAULT_URI (copied) */
	int request_timeout_ms; /* default deadline per request: 30000 */
	int connect_timeout_ms; /* 10000 */
	int grace_ms;           /* wait for an abandoned reply: 5000 */
	int backoff_min_ms;     /* first retry delay: 500 */
	int backoff_max_ms;     /* cap of the doubling: 10000 */
	bool no_reconnect;      /* true: stay DOWN after a failure (tools);
	                         * vici_session_reconnect() still works */
	/* Every state change (CONNECTING/UP/DOWN); err and msg (borrowed) say
	 * why it went DOWN, else 0 and "". */
	void (*on_state)(void *ctx, enum vici_session_state st, int err, const char *msg);
	/* The connection came up and listeners are re-registered: (re)load your
	 * state. reconnected is false the first time. */
	void (*on_up)(void *ctx, bool reconnected);
	/* The time base of every deadline of this session (monotonic ms), called
	 * with ctx; NULL: vici_now_ms(). For tests and fuzzing, which drive time
	 * themselves: vici_session_handle() and call_sync() read it, tick()
	 * takes now from its caller. */
	int64_t (*clock)(void *ctx);
	void *ctx;
};

/* Creates a session and starts connecting (no callback is called from here;
 * a connect that fails at once leaves the session DOWN with the error set).
 * cfg is copied; NULL means all defaults. Never NULL. The caller owns it. */
struct vici_session *vici_session_new(const struct vici_session_config *cfg);
/* Frees the session, its conn, requests and listeners, without calling any
 * callback. Safe inside a callback of this session (then freed after the
 * dispatch returns; no further callbacks are called). */
void vici_session_free(struct vici_session *s);

enum vici_session_state vici_session_state(const struct vici_session *s);
/* The last connection error ("" if none). Borrowed; valid until the next
 * call into the session. */
const char *vici_session_error(const struct vici_session *s);
/* When the next connect attempt happens (monotonic ms), or -1 if not DOWN
 * or no retry is scheduled. For "retry in N s". */
int64_t vici_session_retry_at(const struct vici_session *s);
/* Whether the daemon has answered on the current connection: true from the
 * first reply, confirmation or refusal (CMD_UNKNOWN, EVENT_UNKNOWN) after a
 * (re)connect, false while connecting or down. A connected socket alone
 * proves little (a hung daemon still accepts); show a link as up once this
 * is true. Events do not count. */
bool vici_session_answered(const struct vici_session *s);
/* The session's URI (borrowed). */
const char *vici_session_uri(const struct vici_session *s);
/* Closes the current connection (if any; in-flight requests fail with
 * -ECONNRESET) and starts connecting now. Returns 0 or the connect error. */
int vici_session_reconnect(struct vici_session *s);

/* ---- host loop integration ---- */

/* The fd to poll, or -1 (DOWN). Ask before every poll(): it changes. */
int vici_session_fd(const struct vici_session *s);
/* The events to poll for (POLLIN/POLLOUT), 0 when there is no fd. */
short vici_session_events(const struct vici_session *s);
/* The nearest deadline (monotonic ms): request deadlines, grace period,
 * connect timeout, retry time, or "now" when deferred work waits. -1 if
 * none. */
int64_t vici_session_next_deadline(const struct vici_session *s);
/* Helper for poll(): milliseconds from now until the next deadline (0 if
 * due, -1 if none), capped at max_ms when max_ms >= 0. */
int vici_session_poll_timeout(const struct vici_session *s, int64_t now, int max_ms);
/* Does the I/O allowed by revents (0 is fine), dispatches what arrived and
 * then processes timers, as vici_session_tick() at the session's clock.
 * Called from a callback of a received message it does no I/O: the call that
 * dispatches goes on reading, so messages are always delivered in order. */
void vici_session_handle(struct vici_session *s, short revents);
/* Processes deadlines, retries and deferred notifications due at now. */
void vici_session_tick(struct vici_session *s, int64_t now);

/* ---- requests ---- */

/* What a callback receives. Everything is borrowed for the duration of the
 * callback only: copy what you keep. */
struct vici_msg {
	const char *name;    /* event name (stream or listener event), or the
	                      * command name for a request's final call */
	const uint8_t *data; /* message body (may be empty); NULL when err < 0 */
	size_t len;
	bool final;        /* request callbacks: the last call for this request */
	const char *error; /* err < 0: what happened, worded for an operator;
	                    * else NULL */
	int64_t received;  /* monotonic ms the packet arrived (time fields in
	                    * VICI messages are relative to it) */
};

/* Request callback: zero or more stream events (err 0, final false), then
 * exactly one final call (final true): err 0 with the CMD_RESPONSE body, or
 * err < 0 (-ETIMEDOUT, -ENOSYS, -ECONNRESET, -ENOTCONN) with m->error set. Not called
 * any more after vici_request_cancel(). m is never NULL. */
typedef void (*vici_request_fn)(void *ctx, int err, const struct vici_msg *m);

#define VICI_TIMEOUT_NONE (-1)

/* Per-call options; zero-initialised means the defaults. */
struct vici_call_opts {
	int timeout_ms;           /* 0: the session's default; > 0: this;
	                           * VICI_TIMEOUT_NONE: no deadline (only for
	                           * commands flagged VICI_CMD_SELF_TIMED) */
	const char *stream_event; /* NULL: from the command table; "": do not
	                           * stream; else stream this event */
};

struct vici_request;

/* Queues command cmd with the message msg/len (borrowed: copied; NULL/0 for
 * an empty message). fn(ctx, ...) is called as described above. On success
 * *reqp (if not NULL) gets a handle owned by the session, valid until fn's
 * final call returns or until vici_request_cancel(). Returns 0, -EINVAL (bad
 * name or options), -EBADMSG (msg is not a well-formed message), -EMSGSIZE
 * (too big), or -ENOTCONN when the session is DOWN (vici_session_error()
 * says why). Requests made while CONNECTING wait for the connection. */
int vici_session_call(struct vici_session *s, const char *cmd, const void *msg, size_t len,
                      const struct vici_call_opts *opts, vici_request_fn fn, void *ctx,
                      struct vici_request **reqp);
/* Like vici_session_call() with the message of builder b (NULL: empty),
 * which is finished (and reset) here; its sticky error is returned. */
int vici_session_call_builder(struct vici_session *s, const char *cmd, struct vici_builder *b,
                              const struct vici_call_opts *opts, vici_request_fn fn, void *ctx,
                              struct vici_request **reqp);
/* Stops all callbacks of req and releases the handle. A request not sent yet
 * is dropped; a sent one is drained in the background (its stream and reply
 * are read and dropped, then the stream event is released). Safe inside any
 * callback, also req's own. Never call it after req's final callback. */
void vici_request_cancel(struct vici_request *req);

/* Runs its own poll() loop on s until the request finishes (the request's
 * deadline bounds it), dispatching everything else (listeners, other
 * requests) as usual. fn may be NULL. Returns the final err (0, -ETIMEDOUT,
 * -ENOSYS, -ECONNRESET, ...) or a vici_session_call() error; the error text
 * is left in vici_session_error() for connection problems. Must not be
 * called from a callback (-EDEADLK). For simple tools; the core is
 * non-blocking. */
int vici_session_call_sync(struct vici_session *s, const char *cmd, const void *msg, size_t len,
                           const struct vici_call_opts *opts, vici_request_fn fn, void *ctx);

/* Number of requests not finished yet (queued, in flight, draining after
 * cancel or timeout). */
size_t vici_session_pending(const struct vici_session *s);

/* ---- event listeners ---- */

/* Listener callback: each event of the name (err 0, m->data the body), or an
 * error (m->error says it for an operator):
 *   -ENOENT once per connection when the daemon answered EVENT_UNKNOWN
 *     ("event 'X' is not supported by this daemon"; also for a listener
 *     added later on that connection);
 *   -ETIMEDOUT when the daemon did not confirm the REGISTER within the
 *     session's request timeout ("charon did not confirm the registration of
 *     event 'X' within N ms"), once per attempt. A late confirmation still
 *     activates it (no callback; see vici_listener_state()); none at all
 *     recycles the connection, which registers again.
 * The session continues either way, and the registration is tried again
 * after a reconnect. Stream events claimed by a request in progress (see
 * above) do not reach listeners. */
typedef void (*vici_event_fn)(void *ctx, int err, const struct vici_msg *m);

enum vici_listener_state {
	VICI_LISTENER_PENDING = 1,     /* REGISTER not confirmed yet (or down) */
	VICI_LISTENER_ACTIVE = 2,      /* confirmed: events flow */
	VICI_LISTENER_UNSUPPORTED = 3, /* EVENT_UNKNOWN on this connection */
};

struct vici_listener;

/* Listens for event name (copied). Registration is reference-counted per
 * name: REGISTER goes on the wire only for the first holder, UNREGISTER only
 * when the last one leaves; registrations survive reconnects. The handle is
 * owned by the session until vici_listener_remove(). Returns NULL only for an
 * invalid name (errno EINVAL). */
struct vici_listener *vici_session_listen(struct vici_session *s, const char *name,
                                          vici_event_fn fn, void *ctx);
/* Stops and releases a listener. Safe inside any callback, also its own. */
void vici_listener_remove(struct vici_listener *l);
enum vici_listener_state vici_listener_state(const struct vici_listener *l);

#endif
