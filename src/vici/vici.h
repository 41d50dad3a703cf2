/*
 * swantop's VICI client library: the public header.
 *
 * VICI is the message protocol of strongSwan's IKE daemon charon (its vici
 * plugin, the socket swanctl talks to). This library lets a C program talk
 * to charon without libstrongswan and without giving up its own event loop:
 * it builds and parses VICI messages, frames packets, connects to
 * unix:///path or tcp://host:port URIs, pipelines requests, handles streamed
 * commands (list-sas, initiate with control-log, ...), reference-counts event
 * registrations, puts a deadline on every request and reconnects with
 * backoff. Nothing in it blocks or owns the loop: the host polls the fd the
 * session names and calls it back (see examples/version.c for a whole poll()
 * host in one page). It is not thread-safe: use a session from one thread.
 *
 * Layers, lowest first, each usable on its own:
 *   wire.h     message elements on memory buffers: builder and pull parser
 *   frame.h    4-byte length framing and the 8 packet types, pure state machines
 *   conn.h     one non-blocking socket: connect, send queue, receive queue
 *   catalog.h  the known commands and events: stream events, blocking, flags
 *   session.h  requests, streams, listeners, deadlines, reconnect
 *
 * Ownership, in short (each header states it per function):
 *   - Messages you pass in (request bodies, names, URIs) are borrowed and
 *     copied: free yours whenever you like.
 *   - Messages handed to your callbacks (struct vici_msg) are borrowed for
 *     the duration of the callback: copy what you keep.
 *   - vici_builder_finish(), vici_strdup(), vici_strerror_uri() and
 *     vici_conn_recv() hand you malloc'd memory: free() it. vici_conn_next()
 *     and vici_reader_lend() lend it until the next call (see their headers).
 *   - Sessions and conns belong to you (vici_session_free(), vici_conn_free());
 *     request and listener handles belong to the session and stay valid until
 *     the final callback / vici_request_cancel() / vici_listener_remove().
 *
 * Errors are 0 on success and a negative errno on failure everywhere;
 * operator-worded texts come with connection errors and request failures.
 * Allocation failure aborts (xmalloc.h).
 */
#ifndef SWANTOP_VICI_H
#define SWANTOP_VICI_H

#include "vici/wire.h"
#include "vici/frame.h"
#include "vici/conn.h"
#include "vici/catalog.h"
#include "vici/session.h"

#endif
