/*
 * One non-blocking VICI socket (see conn.h).
 *
 * The conn is deliberately dumb: it moves bytes between the socket and two
 * queues and turns socket errors into sentences. Everything that needs a
 * clock or knows what a packet means lives in the session, so this file can
 * be driven by any loop and tested with a plain socketpair.
 *
 * Reading is done in steps of one buffer (READ_STEP bytes) that is kept for
 * the life of the conn. A step cuts the frames it read right away (so an
 * oversized header is refused at once) and lends them out where they lie;
 * only a frame split between two steps is put together in the frame reader's
 * buffer, which is kept too. The next step is taken when every frame of this
 * one has been pulled: a daemon that writes faster than its host consumes
 * (a listing of 50 000 SAs is 60 MB) then costs one buffer, not a copy of the
 * whole listing, and no allocation per frame. Frames a host leaves unpulled
 * when it calls handle() again are copied into the incoming queue first, so
 * nothing is lost whatever the host does.
 */
#include "vici/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vici/xmalloc.h"

const char vici_default_uri[] = VICI_DEFAULT_URI;

struct chunk {
	struct chunk *next;
	uint8_t *data;
	size_t len, off; /* off: bytes already written (outgoing) */
};

struct chunk_queue {
	struct chunk *head, *tail;
};

/* Bytes read from the socket per step. */
#define READ_STEP 65536u

/* A frame cut from the last step, where it lies. */
struct frame_ref {
	const uint8_t *p;
	size_t len;
};

struct vici_conn {
	char *uri;
	struct vici_uri u;
	bool uri_ok;
	enum vici_conn_state state;
	int fd;
	struct addrinfo *ai_list; /* tcp: addresses still to try */
	struct addrinfo *ai_next;
	int last_err;               /* tcp: error of the last address tried */
	struct chunk_queue out, in; /* in: frames kept from earlier steps */
	size_t out_bytes;
	struct vici_reader reader;  /* a frame split between two steps */
	uint8_t *ibuf;              /* the step buffer (READ_STEP bytes) */
	size_t ilen, itail;         /* bytes in ibuf; from itail on, a frame's start */
	struct frame_ref *fr;       /* the frames of the last step */
	size_t fr_n, fr_at, fr_cap; /* fr_at: the next one to pull */
	bool rd_more;               /* the last step filled ibuf: the socket may hold more */
	bool wr_later;              /* writing waits until the socket has been read dry */
	int rd_err;                 /* a failure of a step taken by a pull, not yet reported */
	struct chunk *lent;         /* the queued frame vici_conn_next() lent last */
	char *error;
};

/* ---- URIs ---- */

static bool parse_port(const char *s, char *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > 5)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	snprintf(out, 6, "%lu", v);
	return true;
}

static int parse_tcp(const char *rest, struct vici_uri *u)
{
	const char *colon;
	size_t hlen;
	const char *host = rest;
	if (*rest == '[') {
		const char *close = strchr(rest, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		host = rest + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(rest, ':');
		if (!colon)
			return -EINVAL;
		hlen = (size_t)(colon - rest);
		if (memchr(rest, ':', hlen)) /* a bare IPv6 literal needs brackets */
			return -EINVAL;
	}
	if (hlen == 0 || hlen >= sizeof(u->host))
		return -EINVAL;
	for (size_t i = 0; i < hlen; i++) {
		unsigned char ch = (unsigned char)host[i];
		if (ch <= ' ' || ch >= 0x7f || ch == '/' || ch == '[' || ch == ']')
			return -EINVAL;
	}
	memcpy(u->host, host, hlen);
	u->host[hlen] = '\0';
	if (!parse_port(colon + 1, u->port))
		return -EINVAL;
	struct in_addr a4;
	struct in6_addr a6;
	if (*rest == '[') {
		if (inet_pton(AF_INET6, u->host, &a6) != 1)
			return -EINVAL;
		u->numeric = true;
	} else {
		u->numeric = inet_pton(AF_INET, u->host, &a4) == 1;
	}
	u->kind = VICI_URI_TCP;
	return 0;
}

int vici_uri_parse(const char *uri, struct vici_uri *u)
{
	memset(u, 0, sizeof(*u));
	if (!uri)
		return -EINVAL;
	if (strncmp(uri, "unix://", 7) == 0) {
		const char *path = uri + 7;
		size_t n = strlen(path);
		if (path[0] != '/' || n >= sizeof(u->path))
			return -EINVAL;
		memcpy(u->path, path, n + 1);
		u->kind = VICI_URI_UNIX;
		return 0;
	}
	if (strncmp(uri, "tcp://", 6) == 0) {
		int r = parse_tcp(uri + 6, u);
		if (r < 0)
			memset(u, 0, sizeof(*u));
		return r;
	}
	return -EINVAL;
}

/* ---- error texts ---- */

static char *sanitize(const char *s)
{
	char *out = xstrdup(s ? s : "");
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return out;
}

char *vici_strerror_uri(int err, const char *uri)
{
	char *su = sanitize(uri);
	struct vici_uri u;
	bool is_unix = vici_uri_parse(uri, &u) == 0 && u.kind == VICI_URI_UNIX;
	char *path = sanitize(is_unix ? u.path : "");
	const char *what;
	char *res;

	switch (-err) {
	case EINVAL:
		res = xasprintf("invalid VICI URI '%s' (expected unix:///path or tcp://host:port)",
		                su);
		goto out;
	case ECONNRESET:
		res = xasprintf("connection to %s reset by charon", su);
		goto out;
	case EPIPE:
		res = xasprintf("connection to %s closed by charon", su);
		goto out;
	case EMSGSIZE:
		res = xasprintf("protocol error: %s sent a frame over the %u-byte limit", su,
		                VICI_FRAME_MAX);
		goto out;
	case ENOENT:
	case ENOTDIR:
		what = is_unix ? "no such socket (is charon running? is the vici plugin loaded?)"
		               : "not found";
		break;
	case EACCES:
	case EPERM:
		if (is_unix) {
			res = xasprintf(
			        "cannot connect to %s: permission denied (run as root or as a "
			        "member of the group that owns %s)",
			        su, path);
			goto out;
		}
		what = "permission denied";
		break;
	case ECONNREFUSED:
		what = is_unix ? "connection refused (a stale socket: is charon running?)"
		               : "connection refused (is charon's vici plugin listening there?)";
		break;
	case ETIMEDOUT:
		what = "timed out";
		break;
	case EAGAIN:
		what = "charon is not accepting connections (its listen queue is full)";
		break;
	case ENXIO:
		what = "cannot resolve the host name";
		break;
	case EHOSTUNREACH:
		what = "host unreachable";
		break;
	case ENETUNREACH:
		what = "network unreachable";
		break;
	case EADDRNOTAVAIL:
		what = "address not available";
		break;
	case EAFNOSUPPORT:
		what = "address family not supported on this host";
		break;
	default:
		what = strerror(-err);
		break;
	}
	res = xasprintf("cannot connect to %s: %s", su, what);
out:
	free(su);
	free(path);
	return res;
}

static void set_error(struct vici_conn *c, char *msg)
{
	free(c->error);
	c->error = msg;
}

static void set_error_errno(struct vici_conn *c, int err)
{
	set_error(c, vici_strerror_uri(err, c->uri));
}

/* ---- queues ---- */

static void queue_push(struct chunk_queue *q, uint8_t *data, size_t len)
{
	struct chunk *ch = xcalloc(1, sizeof(*ch));
	ch->data = data;
	ch->len = len;
	if (q->tail)
		q->tail->next = ch;
	else
		q->head = ch;
	q->tail = ch;
}

static struct chunk *queue_pop(struct chunk_queue *q)
{
	struct chunk *ch = q->head;
	if (ch) {
		q->head = ch->next;
		if (!q->head)
			q->tail = NULL;
	}
	return ch;
}

static void queue_clear(struct chunk_queue *q)
{
	struct chunk *ch;
	while ((ch = queue_pop(q))) {
		free(ch->data);
		free(ch);
	}
}

/* Forgets the frames read (lent memory stays valid until the next pull). */
static void input_reset(struct vici_conn *c)
{
	queue_clear(&c->in);
	c->ilen = c->itail = 0;
	c->fr_n = c->fr_at = 0;
	c->rd_more = c->wr_later = false;
	c->rd_err = 0;
	/* A fresh reader that keeps its buffer: a frame it lent may still be
	 * in use by the caller of the pull. */
	uint8_t *buf = c->reader.buf;
	size_t cap = c->reader.cap;
	vici_reader_init(&c->reader);
	c->reader.buf = buf;
	c->reader.cap = cap;
}

static void drop_lent(struct vici_conn *c)
{
	if (c->lent) {
		free(c->lent->data);
		free(c->lent);
		c->lent = NULL;
	}
}

/* ---- life cycle ---- */

struct vici_conn *vici_conn_new(const char *uri)
{
	struct vici_conn *c = xcalloc(1, sizeof(*c));
	c->uri = xstrdup(uri ? uri : VICI_DEFAULT_URI);
	c->uri_ok = vici_uri_parse(c->uri, &c->u) == 0;
	c->fd = -1;
	c->state = VICI_CONN_CLOSED;
	c->error = xstrdup("");
	vici_reader_init(&c->reader);
	return c;
}

static void close_socket(struct vici_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = VICI_CONN_CLOSED;
	if (c->ai_list)
		freeaddrinfo(c->ai_list);
	c->ai_list = c->ai_next = NULL;
}

void vici_conn_close(struct vici_conn *c)
{
	close_socket(c);
	queue_clear(&c->out);
	c->out_bytes = 0;
	input_reset(c);
}

void vici_conn_free(struct vici_conn *c)
{
	if (!c)
		return;
	vici_conn_close(c);
	drop_lent(c);
	vici_reader_free(&c->reader);
	free(c->ibuf);
	free(c->fr);
	free(c->uri);
	free(c->error);
	free(c);
}

/* Fails the conn: closes the socket (keeping received frames so the owner
 * can still dispatch what arrived before) and records why. */
static int fail(struct vici_conn *c, int err)
{
	close_socket(c);
	queue_clear(&c->out);
	c->out_bytes = 0;
	set_error_errno(c, err);
	return err;
}

static int nonblocking_socket(int family)
{
	int fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Starts connecting to the next tcp address; 0 when UP or CONNECTING. */
static int tcp_try_next(struct vici_conn *c)
{
	while (c->ai_next) {
		struct addrinfo *ai = c->ai_next;
		c->ai_next = ai->ai_next;
		int fd = nonblocking_socket(ai->ai_family);
		if (fd < 0) {
			c->last_err = fd;
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			c->fd = fd;
			c->state = VICI_CONN_UP;
			return 0;
		}
		if (errno == EINPROGRESS) {
			c->fd = fd;
			c->state = VICI_CONN_CONNECTING;
			return 0;
		}
		c->last_err = -errno;
		close(fd);
	}
	return fail(c, c->last_err ? c->last_err : -EHOSTUNREACH);
}

static int connect_tcp(struct vici_conn *c)
{
	struct addrinfo hints = {
	        .ai_family = AF_UNSPEC,
	        .ai_socktype = SOCK_STREAM,
	        .ai_flags = AI_NUMERICSERV | (c->u.numeric ? AI_NUMERICHOST : 0),
	};
	struct addrinfo *res = NULL;
	/* Blocks only for host names: numeric hosts never touch the resolver. */
	int r = getaddrinfo(c->u.host, c->u.port, &hints, &res);
	if (r != 0 || !res) {
		char *su = sanitize(c->uri), *sh = sanitize(c->u.host);
		set_error(c, xasprintf("cannot connect to %s: cannot resolve '%s': %s", su, sh,
		                       r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r)));
		free(su);
		free(sh);
		if (res)
			freeaddrinfo(res);
		return -ENXIO;
	}
	c->ai_list = c->ai_next = res;
	c->last_err = 0;
	return tcp_try_next(c);
}

static int connect_unix(struct vici_conn *c)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, c->u.path, strlen(c->u.path) + 1);
	int fd = nonblocking_socket(AF_UNIX);
	if (fd < 0)
		return fail(c, fd);
	c->fd = fd;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		c->state = VICI_CONN_UP;
		return 0;
	}
	if (errno == EINPROGRESS) {
		c->state = VICI_CONN_CONNECTING;
		return 0;
	}
	return fail(c, -errno);
}

int vici_conn_connect(struct vici_conn *c)
{
	vici_conn_close(c);
	set_error(c, xstrdup(""));
	if (!c->uri_ok) {
		set_error_errno(c, -EINVAL);
		return -EINVAL;
	}
	if (c->u.kind == VICI_URI_UNIX)
		return connect_unix(c);
	return connect_tcp(c);
}

/* ---- state ---- */

enum vici_conn_state vici_conn_state(const struct vici_conn *c)
{
	return c->state;
}

int vici_conn_fd(const struct vici_conn *c)
{
	return c->fd;
}

short vici_conn_events(const struct vici_conn *c)
{
	switch (c->state) {
	case VICI_CONN_CONNECTING:
		return POLLOUT;
	case VICI_CONN_UP:
		return (short)(POLLIN | (c->out.head ? POLLOUT : 0));
	default:
		return 0;
	}
}

const char *vici_conn_error(const struct vici_conn *c)
{
	return c->error;
}

const char *vici_conn_uri(const struct vici_conn *c)
{
	return c->uri;
}

size_t vici_conn_pending_out(const struct vici_conn *c)
{
	return c->out_bytes;
}

/* ---- I/O ---- */

static int finish_connect(struct vici_conn *c)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr == 0) {
		c->state = VICI_CONN_UP;
		if (c->ai_list)
			freeaddrinfo(c->ai_list);
		c->ai_list = c->ai_next = NULL;
		return 0;
	}
	close(c->fd);
	c->fd = -1;
	if (c->u.kind == VICI_URI_TCP) {
		/* Another address of the same name may work (IPv6 vs IPv4). */
		c->last_err = -soerr;
		return tcp_try_next(c);
	}
	return fail(c, -soerr);
}

static void frame_push(struct vici_conn *c, const uint8_t *p, size_t len)
{
	if (c->fr_n == c->fr_cap) {
		c->fr_cap = c->fr_cap ? c->fr_cap * 2 : 64;
		c->fr = xreallocarray(c->fr, c->fr_cap, sizeof(*c->fr));
	}
	c->fr[c->fr_n++] = (struct frame_ref){p, len};
}

/* Cuts the frames in ibuf; a frame's start at the end stays there (itail). */
static int cut(struct vici_conn *c)
{
	size_t off = 0;
	while (off < c->ilen) {
		const uint8_t *p;
		size_t plen;
		long n = vici_reader_lend(&c->reader, c->ibuf + off, c->ilen - off, &p, &plen);
		if (n < 0) {
			uint32_t announced = c->reader.len;
			c->ilen = c->itail = off; /* the frames before it still count */
			fail(c, (int)n);
			char *su = sanitize(c->uri);
			set_error(c, xasprintf("protocol error: %s announced a frame of %lu "
			                       "bytes (the limit is %u)",
			                       su, (unsigned long)announced, VICI_FRAME_MAX));
			free(su);
			return (int)n;
		}
		off += (size_t)n;
		if (p)
			frame_push(c, p, plen);
		else if (n == 0)
			break;
	}
	c->itail = off;
	return 0;
}

/* Reads one step: up to READ_STEP bytes, or until the socket has no more.
 * Frames of the previous step still unpulled are copied to the queue first. */
static int read_step(struct vici_conn *c)
{
	for (; c->fr_at < c->fr_n; c->fr_at++)
		queue_push(&c->in, xmemdup(c->fr[c->fr_at].p, c->fr[c->fr_at].len),
		           c->fr[c->fr_at].len);
	c->fr_n = c->fr_at = 0;
	if (c->itail < c->ilen) {
		/* The start of a frame (lend() refused it: incomplete, its header
		 * accepted): the reader takes it whole. */
		vici_reader_feed(&c->reader, c->ibuf + c->itail, c->ilen - c->itail);
	}
	c->ilen = c->itail = 0;
	if (!c->ibuf)
		c->ibuf = xmalloc(READ_STEP);
	int err = 0;
	while (c->ilen < READ_STEP) {
		ssize_t n = recv(c->fd, c->ibuf + c->ilen, READ_STEP - c->ilen, 0);
		if (n > 0) {
			c->ilen += (size_t)n;
			continue;
		}
		if (n == 0)
			err = -EPIPE;
		else if (errno == EINTR)
			continue;
		else if (errno != EAGAIN && errno != EWOULDBLOCK)
			err = -errno;
		break;
	}
	c->rd_more = c->ilen == READ_STEP;
	int r = cut(c);
	if (r < 0)
		return r;
	return err ? fail(c, err) : 0;
}

static int write_all(struct vici_conn *c)
{
	while (c->out.head) {
		struct chunk *ch = c->out.head;
		ssize_t n = send(c->fd, ch->data + ch->off, ch->len - ch->off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return fail(c, errno == EPIPE ? -EPIPE : -errno);
		}
		ch->off += (size_t)n;
		c->out_bytes -= (size_t)n;
		if (ch->off == ch->len) {
			queue_pop(&c->out);
			free(ch->data);
			free(ch);
		}
	}
	return 0;
}

int vici_conn_handle(struct vici_conn *c, short revents)
{
	if (c->state == VICI_CONN_CLOSED)
		return -ENOTCONN;
	if (!revents)
		return 0;
	if (c->state == VICI_CONN_CONNECTING) {
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return 0;
		int r = finish_connect(c);
		if (r < 0 || c->state != VICI_CONN_UP)
			return r;
		/* Freshly connected: the socket is writable, flush what waits. */
		revents = POLLOUT;
	}
	/* Read first: if the peer closed, the frames it sent before still count.
	 * When the step did not read the socket dry, writing waits for the pull
	 * that does. */
	if (revents & (POLLIN | POLLERR | POLLHUP)) {
		int r = read_step(c);
		if (r < 0)
			return r;
	}
	if ((revents & (POLLOUT | POLLERR)) && c->out.head) {
		if (c->rd_more) {
			c->wr_later = true;
			return 0;
		}
		int r = write_all(c);
		if (r < 0)
			return r;
	}
	return 0;
}

int vici_conn_send(struct vici_conn *c, enum vici_packet_type type, const char *name,
                   const void *msg, size_t msg_len)
{
	if (c->state == VICI_CONN_CLOSED)
		return -ENOTCONN;
	uint8_t *frame;
	size_t flen;
	int r = vici_packet_encode(type, name, msg, msg_len, &frame, &flen);
	if (r < 0)
		return r;
	queue_push(&c->out, frame, flen);
	c->out_bytes += flen;
	return 0;
}

int vici_conn_send_raw(struct vici_conn *c, const void *data, size_t len)
{
	if (c->state == VICI_CONN_CLOSED)
		return -ENOTCONN;
	if (len == 0)
		return 0;
	queue_push(&c->out, xmemdup(data, len), len);
	c->out_bytes += len;
	return 0;
}

/* The next frame of the last step, taking further steps while the socket
 * has more; then the write handle() left for later. 0, -EAGAIN or a failure
 * of a step (after the frames read before it). */
static int pull_step(struct vici_conn *c, const uint8_t **payload, size_t *len)
{
	for (;;) {
		if (c->fr_at < c->fr_n) {
			*payload = c->fr[c->fr_at].p;
			*len = c->fr[c->fr_at].len;
			c->fr_at++;
			return 0;
		}
		if (c->rd_err) {
			int r = c->rd_err;
			c->rd_err = 0;
			return r;
		}
		if (c->state != VICI_CONN_UP)
			return -EAGAIN;
		if (c->rd_more) {
			int r = read_step(c);
			if (r < 0)
				c->rd_err = r;
			continue;
		}
		if (c->wr_later) {
			c->wr_later = false;
			if (c->out.head) {
				int r = write_all(c);
				if (r < 0)
					return r;
			}
		}
		return -EAGAIN;
	}
}

int vici_conn_next(struct vici_conn *c, const uint8_t **payload, size_t *len)
{
	drop_lent(c);
	c->lent = queue_pop(&c->in);
	if (c->lent) {
		*payload = c->lent->data;
		*len = c->lent->len;
		return 0;
	}
	return pull_step(c, payload, len);
}

int vici_conn_recv(struct vici_conn *c, uint8_t **payload, size_t *len)
{
	struct chunk *ch = queue_pop(&c->in);
	if (ch) {
		*payload = ch->data;
		*len = ch->len;
		free(ch);
		return 0;
	}
	const uint8_t *p;
	int r = pull_step(c, &p, len);
	if (r == 0)
		*payload = xmemdup(p, *len);
	return r;
}
