/*
 * What session_call.c needs of session.c (private to src/vici): sending the
 * outbox and running an entry point that calls back.
 */
#ifndef SWANTOP_VICI_SESSION_PRIV_H
#define SWANTOP_VICI_SESSION_PRIV_H

#include <stdint.h>

#include "vici/session_queue.h"

/* The session's clock (monotonic ms): cfg.clock, or vici_now_ms(). */
int64_t session_now(const struct vici_session *s);
/* Writes queued ops to the conn while it is UP and nothing is abandoned. */
void session_pump(struct vici_session *s);
/* One turn of an entry point that calls back: I/O allowed by revents,
 * dispatch, timers at now, notes. Between s->depth++ and session_leave(). */
void session_run(struct vici_session *s, short revents, int64_t now);
/* Ends an entry point: at the outermost one, frees what callbacks can no
 * longer see, or the whole session if it was freed inside a callback. */
void session_leave(struct vici_session *s);

#endif
