/*
 * One non-blocking VICI socket: URI parsing, connect, an outgoing queue of
 * frames and an incoming queue of complete payloads.
 *
 * A conn never owns the event loop and never blocks (the single exception is
 * the getaddrinfo() lookup of a tcp:// host NAME; numeric addresses and
 * unix:// paths never block). Its host asks vici_conn_fd() and
 * vici_conn_events() before every poll(), and calls vici_conn_handle() with
 * the revents it got. handle() finishes a pending connect, writes as much of
 * the outgoing queue as the socket takes (keeping the offset of a partially
 * written frame) and reads until EAGAIN, so it is safe with edge-triggered
 * notification. Complete payloads are then pulled with vici_conn_next() or
 * vici_conn_recv(), until they return -EAGAIN. Reading until EAGAIN is shared
 * between the two: handle() reads one step (64 KiB) and the pulls read the
 * next steps as they run out of frames (and then write what handle() left:
 * it writes only once the socket has been read dry), so a daemon that sends
 * faster than its host consumes fills no more than one step of memory. The
 * conn has no callbacks and no timers: connect deadlines and everything about
 * requests and replies live in the session (session.h).
 *
 * Errors are 0 / negative errno. Every failure that closes the socket also
 * leaves an operator-worded message in vici_conn_error(), e.g. "cannot connect
 * to unix:///x: no such socket (is charon running? is the vici plugin
 * loaded?)". Frames received before the failure can still be pulled.
 */
#ifndef SWANTOP_VICI_CONN_H
#define SWANTOP_VICI_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vici/frame.h"

/* charon's default socket on Debian (and most Linux distributions). */
#define VICI_DEFAULT_URI "unix:///var/run/charon.vici"
extern const char vici_default_uri[];

enum vici_uri_kind {
	VICI_URI_UNIX = 1,
	VICI_URI_TCP = 2,
};

/* A parsed URI: "unix:///abs/path", "tcp://host:port", "tcp://1.2.3.4:4502",
 * "tcp://[::1]:4502". */
struct vici_uri {
	enum vici_uri_kind kind;
	char path[108]; /* unix: the socket path (sun_path size) */
	char host[256]; /* tcp: the host without brackets */
	char port[6];   /* tcp: decimal 1..65535 */
	bool numeric;   /* tcp: host is an IPv4/IPv6 literal (no DNS lookup) */
};

/* Parses uri into *u. Returns 0, or -EINVAL for anything else (unknown
 * scheme, relative or too long path, missing/invalid port, unbalanced
 * brackets). */
int vici_uri_parse(const char *uri, struct vici_uri *u);

/* An operator-worded message for an error of a connection to uri, e.g.
 * -ENOENT → "cannot connect to unix:///x: no such socket (is charon running?
 * is the vici plugin loaded?)", -EACCES → "... permission denied (run as root
 * or as a member of the group that owns /x)", -ECONNREFUSED, -ETIMEDOUT,
 * -ECONNRESET ("connection to ... reset by charon"), -EPIPE ("connection to
 * ... closed by charon"), -EINVAL ("invalid VICI URI ..."). Non-printable
 * bytes of uri are replaced. Returns a malloc'd string: the caller frees it. */
char *vici_strerror_uri(int err, const char *uri);

enum vici_conn_state {
	VICI_CONN_CLOSED = 0,
	VICI_CONN_CONNECTING = 1,
	VICI_CONN_UP = 2,
};

struct vici_conn;

/* A closed conn for uri (copied). Never NULL; nothing is connected yet. The
 * caller owns it: vici_conn_free(). */
struct vici_conn *vici_conn_new(const char *uri);
/* Closes the socket and frees everything, including queued frames. */
void vici_conn_free(struct vici_conn *c);

/* Starts a non-blocking connect (closing any previous socket and dropping
 * its queues). Returns 0 when the conn is UP or CONNECTING (then wait for
 * POLLOUT, i.e. call handle()), or a negative errno with vici_conn_error()
 * set; the conn is then CLOSED. */
int vici_conn_connect(struct vici_conn *c);
/* Closes the socket, drops both queues; the error message is kept. */
void vici_conn_close(struct vici_conn *c);

enum vici_conn_state vici_conn_state(const struct vici_conn *c);
/* The fd to watch, or -1 when CLOSED. The fd changes on every connect. */
int vici_conn_fd(const struct vici_conn *c);
/* The poll events to watch for: POLLOUT while connecting or while frames wait
 * to be written, POLLIN while UP; 0 when CLOSED. */
short vici_conn_events(const struct vici_conn *c);

/* Does the I/O that revents allows (revents 0 is a no-op). Returns 0 if the
 * conn is still CONNECTING or UP, or a negative errno when it just failed
 * or was closed by the peer (it is CLOSED now; vici_conn_error() says why;
 * frames read before can still be pulled): -ECONNRESET, -EPIPE (EOF),
 * -EMSGSIZE (oversized frame header), or a connect error. Returns -ENOTCONN
 * if it was already CLOSED. */
int vici_conn_handle(struct vici_conn *c, short revents);

/* Encodes a packet and appends it to the outgoing queue (also while
 * CONNECTING). msg is borrowed (copied). Returns 0, -EINVAL (bad name),
 * -EMSGSIZE (over VICI_FRAME_MAX) or -ENOTCONN when CLOSED. */
int vici_conn_send(struct vici_conn *c, enum vici_packet_type type, const char *name,
                   const void *msg, size_t msg_len);
/* Appends arbitrary bytes (copied) to the outgoing queue, unchecked: for
 * tests and tools. Returns 0 or -ENOTCONN. */
int vici_conn_send_raw(struct vici_conn *c, const void *data, size_t len);
/* Bytes queued but not yet written. */
size_t vici_conn_pending_out(const struct vici_conn *c);

/* Pulls the oldest received payload (frame without its 4-byte header): the
 * caller owns *payload (free() it). Returns 0, or -EAGAIN if none is
 * waiting; when it had to read the socket for more (see above) and that
 * failed, the error, once, after the payloads read before it (the conn is
 * CLOSED then, as after a failed handle()). */
int vici_conn_recv(struct vici_conn *c, uint8_t **payload, size_t *len);
/* The same, without a copy: *payload is lent by the conn and stays valid
 * until the next call of next(), recv(), handle() or free() on it (connect()
 * and close() leave it valid). */
int vici_conn_next(struct vici_conn *c, const uint8_t **payload, size_t *len);

/* The last error message ("" if none). Borrowed: valid until the next call
 * that changes it (connect, handle, close, free). */
const char *vici_conn_error(const struct vici_conn *c);
/* The URI given to vici_conn_new() (borrowed). */
const char *vici_conn_uri(const struct vici_conn *c);

#endif
