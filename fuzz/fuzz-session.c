/*
 * libFuzzer target for the VICI session fed by a hostile daemon.
 *
 * The input is a script (fuzz-session.h) that the target runs against one
 * vici_session, synchronously and without real time: the session's clock is
 * a variable the script advances. The "daemon" is the server end of a real
 * unix stream socket the session connected to: the script writes any bytes
 * there, split anywhere, answers out of order or not at all, sends unknown
 * events, EVENT_UNKNOWN, CMD_UNKNOWN, oversized headers, and closes the
 * connection in the middle of a frame, while the host side issues plain
 * and streamed requests, registers and unregisters, cancels, reconnects
 * and lets callbacks do the same (or free the session).
 *
 * Speed. The session's socket() and connect() for the daemon's path are
 * served from socketpair() (the target is linked with --wrap=socket and
 * --wrap=connect): the connection is the same kind of connected unix
 * stream socket a listening socket would give, as at once as a unix
 * connect() completes, without a path in the file system, accept() or
 * fcntl() calls; the daemon's ends wait in a backlog that FS_ACCEPT takes
 * from. Per input, MAX_CONNECTS connections are made; later attempts are
 * refused (ECONNREFUSED, as from a socket whose daemon is gone) on a dup()
 * of one spare socket, so an input that reconnects in a loop costs no
 * socket each time. The script runs at most MAX_STEPS operations, so that
 * one input stays one short conversation.
 * The harness itself is not instrumented for coverage (its bookkeeping
 * would count as features): libFuzzer's guidance is the session's code.
 *
 * Besides the sanitizers, the target checks what the session promises:
 *   - a request gets stream calls (of its stream event only) before exactly
 *     one final call, and none after it or after vici_request_cancel();
 *   - the connection never gets out of step: every CMD_RESPONSE the target
 *     frames with an empty body is tagged with its place in the server's
 *     stream of answers, every request carries an id in its message, and a
 *     reply delivered to a request must be the answer to that request's own
 *     packet (answers pair with the client's packets by order, as VICI has
 *     no sequence numbers);
 *   - no request outlives its deadline: once the clock has reached the time
 *     of the call (or of its last stream event) plus its timeout, it has had
 *     its final call;
 *   - a listener gets only its event, and no call after
 *     vici_listener_remove();
 *   - what the client writes is well-framed CMD_REQUEST, EVENT_REGISTER and
 *     EVENT_UNREGISTER packets, and never registers a name twice (or
 *     unregisters one it did not register) on one connection;
 *   - vici_session_answered() implies UP;
 *   - when the daemon goes away, every request not cancelled is finished
 *     (-ECONNRESET / -ENOTCONN) and none is pending any more.
 *
 * FUZZ_SESSION_TRACE=1 in the environment prints what the client sees, for
 * reading a crash or checking that a seed goes where it should.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fuzz-session.h"
#include "vici/vici.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQ 16
#define MAX_LIS 8
#define MAX_ACTIONS 64
#define MAX_REGNAMES 16
#define MAX_PACKETS 2048 /* client packets remembered per connection */
#define MAX_PENDING 64   /* replies waiting for the packet they answer */
#define NOT_A_COMMAND UINT32_MAX
#define TARGET_TIMEOUT_MS 1000 /* the session's request timeout here */
#define MAX_STEPS 64           /* operations per input (see fuzz-session.h) */
#define MAX_RECONNECTS 4       /* vici_session_reconnect() calls per input */
#define BACKLOG_MAX 16         /* connections not yet taken by FS_ACCEPT */
#define MAX_CONNECTS 8         /* per input; later attempts are refused */
/* The daemon's socket as the session sees it (nothing is there: connect()
 * to it is served by the wrapper below). */
#define DAEMON_PATH "/nonexistent/fuzz-session/charon.vici"

/* AddressSanitizer's quarantine keeps freed memory from reuse so that a
 * use after free is caught. An input frees well under a megabyte, so 16 MB
 * still holds many inputs' worth; the default 256 MB makes nearly every
 * allocation touch fresh pages, a third of the time this target spent. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

/* The harness's own code is not what is being fuzzed. */
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-session: %s\n", what);
		abort();
	}
}

struct rq {
	struct vici_request *h;
	uint32_t id;        /* in its message ("id"), 0 for an empty message */
	const char *stream; /* the event it streams, or NULL */
	int timeout_ms;     /* 0: none */
	int64_t deadline;   /* the call or its last stream event + timeout_ms */
	bool used, final, cancelled;
};

struct lis {
	struct vici_listener *h;
	const char *name;
	bool used, removed;
};

/* Registrations the client holds on the current server connection. */
struct regcount {
	char name[VICI_NAME_MAX + 1];
	int n;
};

static struct {
	struct vici_session *s;
	int64_t now;
	int peer;              /* server end of the current connection, or -1 */
	unsigned gen;          /* counts the server's connections */
	struct vici_reader rd; /* what the client wrote */
	struct regcount regs[MAX_REGNAMES];
	size_t nregs;
	uint32_t pkt_id[MAX_PACKETS]; /* per client packet: the id of a command */
	size_t npkts;
	struct vici_reader out; /* what the server wrote */
	bool out_bad;           /* ... is no longer a clean stream of frames */
	uint32_t answers;       /* answer frames in it */
	struct pending {
		uint32_t k, id;
	} pend[MAX_PENDING];
	size_t npend;
	uint32_t next_id;
	struct rq rq[MAX_REQ];
	struct lis lis[MAX_LIS];
	unsigned mode, actions;
	unsigned reconnects; /* reconnect() calls, honoured or not */
	bool freed_in_cb;
} g;

static bool tracing;

static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace(const char *fmt, ...)
{
	if (!tracing)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "[%lld] ", (long long)g.now);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int64_t fuzz_clock(void *ctx)
{
	(void)ctx;
	return g.now;
}

/* ---- the daemon's socket ---- */

int __real_socket(int domain, int type, int protocol);
int __real_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_socket(int domain, int type, int protocol);
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);

/* The daemon's ends of the connections made, oldest first, like a
 * listening socket's accept queue; and the pair socket() made last. */
static struct {
	int backlog[BACKLOG_MAX];
	size_t n;
	int client, peer; /* -1: none */
	int connects;     /* made during this input */
	int spare;        /* an unconnected socket, dup()ed for refused attempts */
	int refused;      /* the dup socket() returned last, or -1 */
} sock = {.client = -1, .peer = -1, .spare = -1, .refused = -1};

/* A unix stream socket is made as a socketpair; its other end becomes the
 * daemon's when connect() names the daemon's path. Both ends are
 * non-blocking and close-on-exec already (the session sets the same). */
int __wrap_socket(int domain, int type, int protocol)
{
	int sp[2];
	if (domain != AF_UNIX || type != SOCK_STREAM)
		return __real_socket(domain, type, protocol);
	if (sock.connects >= MAX_CONNECTS) {
		if (sock.spare < 0)
			sock.spare = __real_socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		sock.refused = fcntl(sock.spare, F_DUPFD_CLOEXEC, 0);
		return sock.refused;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol, sp) < 0)
		return -1;
	if (sock.peer >= 0)
		close(sock.peer); /* made but never connected */
	sock.client = sp[0];
	sock.peer = sp[1];
	return sp[0];
}

int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_un *su = (const struct sockaddr_un *)sa;
	if (fd >= 0 && fd == sock.refused) {
		sock.refused = -1;
		errno = ECONNREFUSED;
		return -1;
	}
	if (fd != sock.client || sock.peer < 0 || sa->sa_family != AF_UNIX ||
	    strcmp(su->sun_path, DAEMON_PATH) != 0)
		return __real_connect(fd, sa, len);
	if (sock.n == BACKLOG_MAX) {
		errno = EAGAIN; /* what a full listen backlog answers */
		return -1;
	}
	sock.backlog[sock.n++] = sock.peer;
	sock.client = sock.peer = -1;
	sock.connects++;
	return 0;
}

/* Closes every daemon end not taken (at the end of an input). */
static void sock_drop(void)
{
	for (size_t i = 0; i < sock.n; i++)
		close(sock.backlog[i]);
	sock.n = 0;
	if (sock.peer >= 0)
		close(sock.peer);
	sock.client = sock.peer = sock.refused = -1;
	sock.connects = 0;
}

/* ---- the server end ---- */

/* A new connection: nothing written, nothing registered. */
static void conn_reset(void)
{
	g.gen++;
	g.nregs = g.npkts = g.npend = 0;
	g.answers = 0;
	g.out_bad = false;
	vici_reader_free(&g.rd);
	vici_reader_init(&g.rd);
	vici_reader_free(&g.out);
	vici_reader_init(&g.out);
}

/* Client packet k must be the request with this id. */
static void check_answer(uint32_t k, uint32_t id)
{
	if (k >= MAX_PACKETS)
		return;
	if (k >= g.npkts) {
		if (g.npend < MAX_PENDING)
			g.pend[g.npend++] = (struct pending){k, id};
		return;
	}
	trace("answer %u went to request id %u, packet %u has id %u", k, id, k, g.pkt_id[k]);
	check(g.pkt_id[k] == id, "a reply went to a request it does not answer");
}

/* The id in a client's or a request's message, 0 if none. */
static uint32_t message_id(const uint8_t *msg, size_t len)
{
	const uint8_t *v;
	size_t vl;
	if (!len || vici_message_find(msg, len, "id", &v, &vl) || vl == 0 || vl > 9)
		return 0;
	uint32_t id = 0;
	for (size_t i = 0; i < vl; i++)
		id = id * 10 + (uint32_t)(v[i] - '0');
	return id;
}

static struct regcount *reg_slot(const char *name)
{
	for (size_t i = 0; i < g.nregs; i++)
		if (!strcmp(g.regs[i].name, name))
			return &g.regs[i];
	check(g.nregs < MAX_REGNAMES, "too many registered names");
	struct regcount *r = &g.regs[g.nregs++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->n = 0;
	return r;
}

/* One packet the client wrote: only what a client may send, refcounted. */
static void client_packet(const uint8_t *p, size_t len)
{
	struct vici_packet pkt;
	check(vici_packet_parse(p, len, &pkt) == 0, "client wrote a malformed packet");
	trace("client wrote %s %s", vici_packet_type_name(pkt.type), pkt.name);
	if (g.npkts < MAX_PACKETS) {
		size_t k = g.npkts++;
		g.pkt_id[k] = pkt.type == VICI_CMD_REQUEST ? message_id(pkt.msg, pkt.msg_len)
		                                           : NOT_A_COMMAND;
		for (size_t i = 0; i < g.npend; i++) {
			if (g.pend[i].k == k) {
				uint32_t id = g.pend[i].id;
				g.pend[i--] = g.pend[--g.npend];
				check_answer((uint32_t)k, id);
			}
		}
	}
	switch (pkt.type) {
	case VICI_CMD_REQUEST:
		check(pkt.msg_len == 0 || vici_message_validate(pkt.msg, pkt.msg_len) == 0,
		      "client wrote a malformed message");
		break;
	case VICI_EVENT_REGISTER:
		check(++reg_slot(pkt.name)->n == 1, "client registered a name twice");
		break;
	case VICI_EVENT_UNREGISTER:
		check(--reg_slot(pkt.name)->n == 0, "client unregistered a name it did not hold");
		break;
	default:
		check(false, "client wrote a server's packet type");
	}
}

/* Reads and checks everything the client wrote so far. */
static void server_read(void)
{
	uint8_t buf[16384];
	if (g.peer < 0)
		return;
	for (;;) {
		ssize_t n = read(g.peer, buf, sizeof(buf));
		if (n <= 0)
			return;
		bool drained = (size_t)n < sizeof(buf); /* no second read for EAGAIN */
		size_t off = 0;
		while (off < (size_t)n) {
			long c = vici_reader_feed(&g.rd, buf + off, (size_t)n - off);
			check(c >= 0, "client wrote an oversized frame");
			off += (size_t)c;
			uint8_t *payload;
			size_t plen;
			if (vici_reader_take(&g.rd, &payload, &plen) == 0) {
				client_packet(payload, plen);
				free(payload);
			}
		}
		if (drained)
			return;
	}
}

/* Follows the frames the server wrote, counting the answers among them. */
static void server_wrote(const uint8_t *p, size_t len)
{
	while (len && !g.out_bad) {
		long c = vici_reader_feed(&g.out, p, len);
		if (c < 0) {
			g.out_bad = true;
			return;
		}
		p += c;
		len -= (size_t)c;
		uint8_t *payload;
		size_t plen;
		struct vici_packet pkt;
		if (vici_reader_take(&g.out, &payload, &plen) == 0) {
			if (vici_packet_parse(payload, plen, &pkt))
				g.out_bad = true; /* the client drops the connection */
			else if (pkt.type != VICI_EVENT)
				g.answers++;
			free(payload);
		}
	}
}

static void server_write(const uint8_t *p, size_t len)
{
	while (g.peer >= 0 && len) {
		ssize_t n = send(g.peer, p, len, MSG_NOSIGNAL);
		if (n <= 0) {
			g.out_bad = true; /* full or gone: the rest is dropped */
			return;
		}
		server_wrote(p, (size_t)n);
		p += n;
		len -= (size_t)n;
	}
}

static void server_close(void)
{
	if (g.peer >= 0) {
		server_read();
		close(g.peer);
		g.peer = -1;
	}
}

/* Takes the client's newest connection, if it made one: those before it
 * were closed by the client when it reconnected again. */
static void server_accept(void)
{
	if (sock.n == 0)
		return;
	for (size_t i = 0; i + 1 < sock.n; i++)
		close(sock.backlog[i]);
	server_close();
	g.peer = sock.backlog[sock.n - 1];
	sock.n = 0;
	conn_reset();
}

/* ---- the client end ---- */

static void client_checks(void)
{
	if (!g.s)
		return;
	check(!vici_session_answered(g.s) || vici_session_state(g.s) == VICI_SESSION_UP,
	      "answered while not up");
	for (int i = 0; i < MAX_REQ; i++) {
		const struct rq *r = &g.rq[i];
		if (r->used && !r->final && !r->cancelled && r->timeout_ms)
			check(g.now < r->deadline, "a request outlived its deadline");
	}
}

static void after_call(void)
{
	if (g.freed_in_cb) {
		g.s = NULL; /* freed when the entry point returned */
		memset(g.rq, 0, sizeof(g.rq));
		memset(g.lis, 0, sizeof(g.lis));
	}
	client_checks();
}

static void client_io(void)
{
	if (!g.s)
		return;
	struct pollfd p = {.fd = vici_session_fd(g.s), .events = vici_session_events(g.s)};
	int n = p.fd >= 0 ? poll(&p, 1, 0) : 0;
	vici_session_handle(g.s, n > 0 ? p.revents : 0);
	after_call();
	/* The session writes only from handle() when told it may (POLLOUT);
	 * anything else it wrote is read when the daemon closes. */
	if (n > 0 && (p.revents & POLLOUT))
		server_read();
}

static void do_call(const char *cmd, unsigned flags);
static void do_listen(const char *name);

/* The host asks for a new connection, a few times per input: each one
 * tears everything down, which a few times covers and more only repeats. */
static void reconnect(void)
{
	if (g.reconnects++ < MAX_RECONNECTS)
		vici_session_reconnect(g.s);
}

static void cb_action(bool final_call, bool listener)
{
	if (g.mode == FS_CB_NOTHING || g.actions >= MAX_ACTIONS || g.freed_in_cb)
		return;
	g.actions++;
	switch (g.mode) {
	case FS_CB_CANCEL_OTHER:
		for (int i = 0; final_call && i < MAX_REQ; i++) {
			struct rq *r = &g.rq[i];
			if (r->used && !r->final && !r->cancelled) {
				r->cancelled = true;
				vici_request_cancel(r->h);
				break;
			}
		}
		break;
	case FS_CB_REMOVE_LISTENER:
		for (int i = 0; i < MAX_LIS; i++) {
			if (g.lis[i].used && !g.lis[i].removed) {
				g.lis[i].removed = true;
				vici_listener_remove(g.lis[i].h);
				break;
			}
		}
		break;
	case FS_CB_CALL:
		if (final_call)
			do_call(fs_commands[g.actions % FS_COMMANDS], g.actions);
		break;
	case FS_CB_FREE:
		g.freed_in_cb = true;
		vici_session_free(g.s);
		break;
	case FS_CB_RECONNECT:
		if (final_call)
			reconnect();
		break;
	case FS_CB_LISTEN:
		if (listener)
			do_listen(fs_names[g.actions % FS_NAMES]);
		break;
	}
}

static void req_cb(void *ctx, int err, const struct vici_msg *m)
{
	struct rq *r = ctx;
	trace("request %d: %s %s err %d %s", (int)(r - g.rq), m->final ? "final" : "stream",
	      m->name, err, m->error ? m->error : "");
	check(!g.freed_in_cb, "callback after the session was freed");
	check(r->used && !r->final && !r->cancelled, "request callback after final or cancel");
	check(m != NULL && m->name != NULL, "no message or name");
	if (!m->final) {
		check(err == 0 && m->data != NULL, "stream call with an error");
		check(r->stream && !strcmp(m->name, r->stream), "stream call of another event");
		check(vici_message_validate(m->data, m->len) == 0, "stream event not validated");
		r->deadline = g.now + r->timeout_ms;
		cb_action(false, false);
		return;
	}
	check(err <= 0, "positive error");
	check(err == 0 || m->error != NULL, "error without a message");
	check(err < 0 || vici_message_validate(m->data, m->len) == 0, "reply not validated");
	const uint8_t *v;
	size_t vl;
	unsigned gen, k;
	char tag[32];
	if (err == 0 && vici_message_find(m->data, m->len, "seq", &v, &vl) == 0 &&
	    vl < sizeof(tag)) {
		memcpy(tag, v, vl);
		tag[vl] = '\0';
		if (sscanf(tag, "%u:%u", &gen, &k) == 2 && gen == g.gen)
			check_answer(k, r->id);
	}
	r->final = true;
	cb_action(true, false);
}

static void lis_cb(void *ctx, int err, const struct vici_msg *m)
{
	struct lis *l = ctx;
	trace("listener %d: %s err %d %s", (int)(l - g.lis), m->name, err,
	      m->error ? m->error : "");
	check(!g.freed_in_cb, "callback after the session was freed");
	check(l->used && !l->removed, "listener callback after remove");
	check(m != NULL && m->name != NULL, "no message or name");
	check(!strcmp(m->name, l->name), "listener called with another event");
	check(err == 0 || err == -ENOENT || err == -ETIMEDOUT, "unexpected listener error");
	check(err < 0 || vici_message_validate(m->data, m->len) == 0, "event not validated");
	check(err == 0 || m->error != NULL, "listener error without a message");
	cb_action(false, true);
}

static void on_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	(void)ctx;
	trace("state %s %d %s", vici_session_state_name(st), err, msg);
}

static void on_up(void *ctx, bool reconnected)
{
	(void)ctx;
	(void)reconnected;
	check(!g.freed_in_cb, "on_up after the session was freed");
}

static void do_call(const char *cmd, unsigned flags)
{
	static const int timeouts[] = {0, 1, 50, 999, 1000, 5000, VICI_TIMEOUT_NONE, -7};
	static const char *const streams[] = {NULL, "", "list-sa", "log"};
	static const uint8_t body_bad[] = {VICI_SECTION_START, 1, 's'};
	struct rq *r = NULL;
	for (int i = 0; i < MAX_REQ && !r; i++)
		if (!g.rq[i].used || g.rq[i].final || g.rq[i].cancelled)
			r = &g.rq[i];
	if (!r || !g.s)
		return;
	struct vici_call_opts o = {.timeout_ms = timeouts[FS_TIMEOUT_BITS(flags)],
	                           .stream_event = streams[FS_STREAM_BITS(flags)]};
	uint32_t id = 0;
	uint8_t *body = NULL;
	size_t blen = 0;
	if (FS_BODY_BITS(flags) == 2) {
		body = malloc(sizeof(body_bad));
		check(body != NULL, "malloc");
		memcpy(body, body_bad, sizeof(body_bad));
		blen = sizeof(body_bad);
	} else if (FS_BODY_BITS(flags) != 3) {
		struct vici_builder b;
		id = ++g.next_id;
		vici_builder_init(&b);
		if (FS_BODY_BITS(flags) == 1)
			vici_builder_add_str(&b, "noblock", "yes");
		vici_builder_add_fmt(&b, "id", "%u", id);
		check(vici_builder_finish(&b, &body, &blen) == 0, "builder");
	}
	const struct vici_command_info *ci = vici_command_lookup(cmd);
	*r = (struct rq){
	        .used = true,
	        .stream = o.stream_event ? (*o.stream_event ? o.stream_event : NULL)
	                                 : (ci ? ci->stream_event : NULL),
	        .timeout_ms = o.timeout_ms > 0                    ? o.timeout_ms
	                      : o.timeout_ms == VICI_TIMEOUT_NONE ? 0
	                                                          : TARGET_TIMEOUT_MS,
	};
	r->deadline = g.now + r->timeout_ms;
	r->id = id;
	int err = vici_session_call(g.s, cmd, body, blen, &o, req_cb, r, &r->h);
	free(body);
	if (err < 0) {
		check(err == -EINVAL || err == -EBADMSG || err == -ENOTCONN,
		      "unexpected call error");
		r->used = false;
	}
}

static void do_listen(const char *name)
{
	struct lis *l = NULL;
	for (int i = 0; i < MAX_LIS && !l; i++)
		if (!g.lis[i].used || g.lis[i].removed)
			l = &g.lis[i];
	if (!l || !g.s)
		return;
	*l = (struct lis){.used = true, .name = name};
	l->h = vici_session_listen(g.s, name, lis_cb, l);
	check(l->h != NULL, "listen failed");
}

/* ---- the script ---- */

struct input {
	const uint8_t *p;
	size_t left;
};

static bool take(struct input *in, size_t n, const uint8_t **out)
{
	if (in->left < n)
		return false;
	*out = in->p;
	in->p += n;
	in->left -= n;
	return true;
}

static bool byte(struct input *in, unsigned *v)
{
	const uint8_t *b;
	if (!take(in, 1, &b))
		return false;
	*v = *b;
	return true;
}

/* FS_PACKET: a framed packet of any type, written in two pieces. */
static bool op_packet(struct input *in)
{
	unsigned type, ni, len, cut;
	const uint8_t *name = NULL, *msg;
	size_t nlen = 0;
	if (!byte(in, &type) || !byte(in, &ni))
		return false;
	if (ni == 255) {
		unsigned l;
		if (!byte(in, &l) || !take(in, l, &name))
			return false;
		nlen = l;
	} else {
		name = (const uint8_t *)fs_names[ni % FS_NAMES];
		nlen = strlen((const char *)name);
	}
	if (!byte(in, &len) || !take(in, len, &msg) || !byte(in, &cut))
		return false;
	/* An empty CMD_RESPONSE in a clean stream gets its place as a tag. */
	uint8_t tagged[64];
	if (type == VICI_CMD_RESPONSE && len == 0 && !g.out_bad && g.out.hdr_have == 0 &&
	    g.out.have == 0 && !g.out.ready) {
		struct vici_builder b;
		uint8_t *tm;
		size_t tl;
		vici_builder_init(&b);
		vici_builder_add_fmt(&b, "seq", "%u:%u", g.gen, g.answers);
		check(vici_builder_finish(&b, &tm, &tl) == 0 && tl <= sizeof(tagged), "tag");
		memcpy(tagged, tm, tl);
		free(tm);
		msg = tagged;
		len = (unsigned)tl;
	}
	/* Named types get their name; the others none, as charon frames them. */
	bool named = type == VICI_CMD_REQUEST || type == VICI_EVENT_REGISTER ||
	             type == VICI_EVENT_UNREGISTER || type == VICI_EVENT;
	size_t plen = 1 + (named ? 1 + nlen : 0) + len;
	uint8_t *f = malloc(4 + plen);
	check(f != NULL, "malloc");
	f[0] = (uint8_t)(plen >> 24);
	f[1] = (uint8_t)(plen >> 16);
	f[2] = (uint8_t)(plen >> 8);
	f[3] = (uint8_t)plen;
	f[4] = (uint8_t)type;
	size_t off = 5;
	if (named) {
		f[off++] = (uint8_t)nlen;
		memcpy(f + off, name, nlen);
		off += nlen;
	}
	memcpy(f + off, msg, len);
	size_t at = cut % (4 + plen + 1);
	server_write(f, at);
	client_io();
	server_write(f + at, 4 + plen - at);
	free(f);
	return true;
}

static bool step(struct input *in)
{
	unsigned op, a, b;
	const uint8_t *bytes;
	if (!byte(in, &op))
		return false;
	trace("op %u", op % FS_OP_COUNT);
	switch (op % FS_OP_COUNT) {
	case FS_FEED:
		if (!byte(in, &a) || !take(in, a, &bytes))
			return false;
		server_write(bytes, a);
		break;
	case FS_FEED_BIG:
		if (!byte(in, &a) || !byte(in, &b) || !take(in, a << 8 | b, &bytes))
			return false;
		server_write(bytes, a << 8 | b);
		break;
	case FS_PACKET:
		if (!op_packet(in))
			return false;
		break;
	case FS_CALL:
		if (!byte(in, &a) || !byte(in, &b))
			return false;
		do_call(fs_commands[a % FS_COMMANDS], b);
		break;
	case FS_LISTEN:
		if (!byte(in, &a))
			return false;
		do_listen(fs_names[a % FS_NAMES]);
		break;
	case FS_UNLISTEN:
		if (!byte(in, &a))
			return false;
		if (g.lis[a % MAX_LIS].used && !g.lis[a % MAX_LIS].removed) {
			g.lis[a % MAX_LIS].removed = true;
			vici_listener_remove(g.lis[a % MAX_LIS].h);
		}
		break;
	case FS_CANCEL:
		if (!byte(in, &a))
			return false;
		if (g.rq[a % MAX_REQ].used && !g.rq[a % MAX_REQ].final &&
		    !g.rq[a % MAX_REQ].cancelled) {
			g.rq[a % MAX_REQ].cancelled = true;
			vici_request_cancel(g.rq[a % MAX_REQ].h);
		}
		break;
	case FS_TICK:
		if (!byte(in, &a))
			return false;
		g.now += fs_steps[a % FS_STEPS];
		vici_session_tick(g.s, g.now);
		after_call();
		break;
	case FS_IO:
		client_io();
		break;
	case FS_CLOSE:
		server_close();
		break;
	case FS_ACCEPT:
		server_accept();
		break;
	case FS_RECONNECT:
		reconnect();
		break;
	case FS_MODE:
		if (!byte(in, &a))
			return false;
		g.mode = a % FS_CB_COUNT;
		break;
	case FS_OVERSIZED: {
		if (!byte(in, &a))
			return false;
		uint32_t n = VICI_FRAME_MAX + 1 + a;
		uint8_t h[5] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
		                (uint8_t)n, VICI_CMD_RESPONSE};
		server_write(h, sizeof(h));
		break;
	}
	}
	return g.s != NULL;
}

/* The daemon goes away: everything must finish, nothing may stay pending. */
static void check_teardown(void)
{
	g.mode = FS_CB_NOTHING; /* no reconnect from a callback now */
	server_accept();        /* a reconnect the script did not take */
	server_close();
	/* at least once: callbacks queued by reconnects run only from handle */
	client_io();
	for (int i = 0; i < 8 && g.s && vici_session_state(g.s) == VICI_SESSION_UP; i++)
		client_io();
	if (!g.s || vici_session_state(g.s) == VICI_SESSION_CONNECTING)
		return;
	trace("teardown: %s, %zu pending", vici_session_state_name(vici_session_state(g.s)),
	      vici_session_pending(g.s));
	check(vici_session_state(g.s) == VICI_SESSION_DOWN, "still up after the daemon left");
	check(vici_session_pending(g.s) == 0, "requests pending after the daemon left");
	for (int i = 0; i < MAX_REQ; i++)
		check(!g.rq[i].used || g.rq[i].final || g.rq[i].cancelled,
		      "a request never got its final call");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool inited;
	if (!inited)
		tracing = getenv("FUZZ_SESSION_TRACE") != NULL;
	inited = true;
	memset(&g, 0, sizeof(g));
	g.peer = -1;
	g.now = 1000000;
	vici_reader_init(&g.rd);
	vici_reader_init(&g.out);
	struct vici_session_config cfg = {
	        .uri = "unix://" DAEMON_PATH,
	        .request_timeout_ms = TARGET_TIMEOUT_MS,
	        .connect_timeout_ms = 500,
	        .grace_ms = 500,
	        .backoff_min_ms = 10,
	        .backoff_max_ms = 100,
	        .on_state = on_state,
	        .on_up = on_up,
	        .clock = fuzz_clock,
	};
	g.s = vici_session_new(&cfg);
	server_accept();
	struct input in = {data, size};
	for (int i = 0; i < MAX_STEPS && step(&in); i++)
		;
	check_teardown();
	if (g.s)
		vici_session_free(g.s);
	server_close();
	sock_drop();
	vici_reader_free(&g.rd);
	vici_reader_free(&g.out);
	return 0;
}

#pragma clang attribute pop
