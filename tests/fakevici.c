/*
 * fakevici: a scripted fake VICI server for tests (see fakevici.h).
 *
 * It frames and parses packets with its own few lines of code instead of the
 * library's frame.c, so a bug in the library cannot hide itself by being on
 * both ends of the socket. Only the packet type constants and names are
 * shared.
 */
#include "fakevici.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vici/xmalloc.h"

enum step_kind {
	S_EXPECT,
	S_SEND,
	S_DELAY,
	S_HANG,
	S_EXPECT_EOF,
	S_CLOSE,
	S_ACCEPT,
	S_SERVE,
};

struct canned {
	char *command, *stream_event;
	unsigned stream_count;
	uint8_t *event_msg, *reply;
	size_t event_len, reply_len;
};

struct step {
	enum step_kind kind;
	int type;
	char *name;
	uint8_t *data;
	size_t len, chunk;
	int ms;
	struct canned *canned;
	size_t ncanned;
	char *unknown;
};

struct fakevici {
	int lfd, cfd;
	bool tcp;
	char dir[64];
	char path[108];
	char uri[192];
	struct step *steps;
	size_t nsteps;
	int step_timeout;
	pthread_t thread;
	bool started, joined;
	int wake[2];
	pthread_mutex_t mu;
	char *log, *snap;
	size_t log_len;
	char err[512];
	bool failed;
	uint8_t *rx;
	size_t rx_len, rx_cap;
};

/* ---- setup ---- */

static struct fakevici *alloc_fake(void)
{
	struct fakevici *f = xcalloc(1, sizeof(*f));
	f->lfd = f->cfd = -1;
	f->step_timeout = 5000;
	if (pipe(f->wake) < 0)
		abort();
	pthread_mutex_init(&f->mu, NULL);
	f->log = xstrdup("");
	return f;
}

/* Temp dirs still in use. A failing cmocka assertion jumps out of the test
 * before fakevici_free(), so they are also removed at exit. */
static char live_dirs[32][64];

static void remove_dir(const char *dir)
{
	char *path = xasprintf("%s/charon.vici", dir);
	unlink(path);
	free(path);
	rmdir(dir);
}

static void remove_live_dirs(void)
{
	for (size_t i = 0; i < sizeof(live_dirs) / sizeof(live_dirs[0]); i++)
		if (live_dirs[i][0])
			remove_dir(live_dirs[i]);
}

static void track_dir(const char *dir, bool add)
{
	static bool registered;
	if (!registered) {
		atexit(remove_live_dirs);
		registered = true;
	}
	for (size_t i = 0; i < sizeof(live_dirs) / sizeof(live_dirs[0]); i++) {
		if (add ? !live_dirs[i][0] : !strcmp(live_dirs[i], dir)) {
			snprintf(live_dirs[i], sizeof(live_dirs[i]), "%s", add ? dir : "");
			return;
		}
	}
}

struct fakevici *fakevici_new(void)
{
	struct fakevici *f = alloc_fake();
	snprintf(f->dir, sizeof(f->dir), "/tmp/fakevici.XXXXXX");
	if (!mkdtemp(f->dir))
		abort();
	track_dir(f->dir, true);
	snprintf(f->path, sizeof(f->path), "%s/charon.vici", f->dir);
	snprintf(f->uri, sizeof(f->uri), "unix://%s", f->path);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(f->lfd, 8) < 0) {
		perror("fakevici");
		abort();
	}
	return f;
}

struct fakevici *fakevici_new_tcp(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	bool v6 = strchr(addr, ':') != NULL;
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return NULL;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return NULL;
		sl = sizeof(*s4);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return NULL;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		close(fd);
		return NULL;
	}
	struct fakevici *f = alloc_fake();
	f->lfd = fd;
	f->tcp = true;
	unsigned port = v6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
	                   : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	snprintf(f->uri, sizeof(f->uri), v6 ? "tcp://[%s]:%u" : "tcp://%s:%u", addr, port);
	return f;
}

const char *fakevici_uri(const struct fakevici *f)
{
	return f->uri;
}

const char *fakevici_path(const struct fakevici *f)
{
	return f->path;
}

void fakevici_set_step_timeout(struct fakevici *f, int ms)
{
	f->step_timeout = ms;
}

/* ---- steps ---- */

static struct step *add_step(struct fakevici *f, enum step_kind kind)
{
	f->steps = xreallocarray(f->steps, f->nsteps + 1, sizeof(*f->steps));
	struct step *s = &f->steps[f->nsteps++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	return s;
}

static uint8_t *encode(int type, const char *name, const void *msg, size_t len, size_t *out)
{
	size_t nlen = name ? strlen(name) : 0;
	size_t payload = 1 + (name ? 1 + nlen : 0) + len;
	uint8_t *b = xmalloc(4 + payload);
	b[0] = (uint8_t)(payload >> 24);
	b[1] = (uint8_t)(payload >> 16);
	b[2] = (uint8_t)(payload >> 8);
	b[3] = (uint8_t)payload;
	b[4] = (uint8_t)type;
	size_t off = 5;
	if (name) {
		b[off++] = (uint8_t)nlen;
		memcpy(b + off, name, nlen);
		off += nlen;
	}
	if (len)
		memcpy(b + off, msg, len);
	*out = 4 + payload;
	return b;
}

void fakevici_expect(struct fakevici *f, enum vici_packet_type type, const char *name)
{
	struct step *s = add_step(f, S_EXPECT);
	s->type = type;
	s->name = name ? xstrdup(name) : NULL;
}

void fakevici_send_split(struct fakevici *f, enum vici_packet_type type, const char *name,
                         const void *msg, size_t len, size_t chunk)
{
	struct step *s = add_step(f, S_SEND);
	s->data = encode(type, name, msg, len, &s->len);
	s->chunk = chunk;
}

void fakevici_send(struct fakevici *f, enum vici_packet_type type, const char *name,
                   const void *msg, size_t len)
{
	fakevici_send_split(f, type, name, msg, len, 0);
}

void fakevici_reply(struct fakevici *f, const void *msg, size_t len)
{
	fakevici_send(f, VICI_CMD_RESPONSE, NULL, msg, len);
}

void fakevici_event(struct fakevici *f, const char *name, const void *msg, size_t len)
{
	fakevici_send(f, VICI_EVENT, name, msg, len);
}

void fakevici_confirm(struct fakevici *f)
{
	fakevici_send(f, VICI_EVENT_CONFIRM, NULL, NULL, 0);
}

void fakevici_event_unknown(struct fakevici *f)
{
	fakevici_send(f, VICI_EVENT_UNKNOWN, NULL, NULL, 0);
}

void fakevici_cmd_unknown(struct fakevici *f)
{
	fakevici_send(f, VICI_CMD_UNKNOWN, NULL, NULL, 0);
}

void fakevici_raw(struct fakevici *f, const void *data, size_t len)
{
	struct step *s = add_step(f, S_SEND);
	s->data = xmemdup(data, len);
	s->len = len;
}

void fakevici_oversized(struct fakevici *f)
{
	uint32_t n = VICI_FRAME_MAX + 1;
	uint8_t b[12] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n,
	                 VICI_CMD_RESPONSE};
	fakevici_raw(f, b, sizeof(b));
}

void fakevici_delay(struct fakevici *f, int ms)
{
	add_step(f, S_DELAY)->ms = ms;
}

void fakevici_hang(struct fakevici *f)
{
	add_step(f, S_HANG);
}

void fakevici_expect_eof(struct fakevici *f)
{
	add_step(f, S_EXPECT_EOF);
}

void fakevici_close(struct fakevici *f)
{
	add_step(f, S_CLOSE);
}

void fakevici_accept(struct fakevici *f)
{
	add_step(f, S_ACCEPT);
}

void fakevici_serve(struct fakevici *f, const struct fakevici_canned *canned, size_t n,
                    const char *unknown_events)
{
	struct step *s = add_step(f, S_SERVE);
	s->canned = xcalloc(n ? n : 1, sizeof(*s->canned));
	s->ncanned = n;
	for (size_t i = 0; i < n; i++) {
		struct canned *c = &s->canned[i];
		c->command = xstrdup(canned[i].command);
		c->stream_event = canned[i].stream_event ? xstrdup(canned[i].stream_event) : NULL;
		c->stream_count = canned[i].stream_count;
		c->event_msg = xmemdup(canned[i].event_msg, canned[i].event_len);
		c->event_len = canned[i].event_len;
		c->reply = xmemdup(canned[i].reply, canned[i].reply_len);
		c->reply_len = canned[i].reply_len;
	}
	/* Padded with spaces so a name can be searched as " name ". */
	s->unknown = xasprintf(" %s ", unknown_events ? unknown_events : "");
}

/* ---- the script thread ---- */

static void log_add(struct fakevici *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_add(struct fakevici *f, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&f->mu);
	size_t n = strlen(line);
	f->log = xrealloc(f->log, f->log_len + n + 1);
	memcpy(f->log + f->log_len, line, n + 1);
	f->log_len += n;
	pthread_mutex_unlock(&f->mu);
}

static int fail(struct fakevici *f, size_t step, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int fail(struct fakevici *f, size_t step, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&f->mu);
	if (!f->failed) {
		snprintf(f->err, sizeof(f->err), "step %zu: %s", step + 1, msg);
		f->failed = true;
	}
	pthread_mutex_unlock(&f->mu);
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd (or the wake pipe) until deadline (-1: forever). Returns 1
 * ready, 0 timeout, -1 stopped. */
static int wait_fd(struct fakevici *f, int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = f->wake[0], .events = POLLIN},
		                      {.fd = fd, .events = events}};
		int t = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			t = left > 0 ? (int)left : 0;
		}
		int n = poll(p, fd >= 0 ? 2 : 1, t);
		if (n < 0 && errno == EINTR)
			continue;
		if (p[0].revents)
			return -1;
		if (n > 0)
			return 1;
		if (n == 0 && deadline >= 0)
			return 0;
	}
}

static int do_accept(struct fakevici *f, size_t step, int64_t deadline)
{
	if (f->cfd >= 0)
		close(f->cfd);
	f->cfd = -1;
	f->rx_len = 0;
	int r = wait_fd(f, f->lfd, POLLIN, deadline);
	if (r <= 0)
		return fail(f, step, r == 0 ? "no client connected" : "stopped");
	f->cfd = accept(f->lfd, NULL, NULL);
	if (f->cfd < 0)
		return fail(f, step, "accept: %s", strerror(errno));
	log_add(f, "accept\n");
	return 0;
}

struct pkt {
	int type;
	char name[256];
	uint8_t *msg;
	size_t len;
};

/* Reads one packet. Returns 1, 0 on EOF, -1 timeout/stop/error (with a
 * failure recorded when step is valid). */
static int read_packet(struct fakevici *f, size_t step, int64_t deadline, struct pkt *p)
{
	for (;;) {
		if (f->rx_len >= 4) {
			uint32_t n = (uint32_t)f->rx[0] << 24 | (uint32_t)f->rx[1] << 16 |
			             (uint32_t)f->rx[2] << 8 | f->rx[3];
			if (n > VICI_FRAME_MAX + 1024)
				return fail(f, step, "client sent a frame of %u bytes", n);
			if (f->rx_len >= 4 + (size_t)n) {
				const uint8_t *b = f->rx + 4;
				size_t off = 1;
				if (n < 1)
					return fail(f, step, "client sent an empty frame");
				p->type = b[0];
				p->name[0] = '\0';
				if (p->type == VICI_CMD_REQUEST || p->type == VICI_EVENT_REGISTER ||
				    p->type == VICI_EVENT_UNREGISTER || p->type == VICI_EVENT) {
					size_t nl = n >= 2 ? b[1] : 0;
					if (n < 2 || 2 + nl > n)
						return fail(f, step,
						            "client sent a truncated name");
					memcpy(p->name, b + 2, nl);
					p->name[nl] = '\0';
					off = 2 + nl;
				}
				p->len = n - off;
				p->msg = xmemdup(b + off, p->len);
				memmove(f->rx, f->rx + 4 + n, f->rx_len - 4 - n);
				f->rx_len -= 4 + n;
				log_add(f, "%s%s%s\n", vici_packet_type_name((unsigned)p->type),
				        p->name[0] ? " " : "", p->name);
				return 1;
			}
		}
		int r = wait_fd(f, f->cfd, POLLIN, deadline);
		if (r <= 0)
			return r == 0 ? fail(f, step, "timed out waiting for the client") : -1;
		if (f->rx_cap - f->rx_len < 65536) {
			f->rx_cap = f->rx_len + 65536 * 2;
			f->rx = xrealloc(f->rx, f->rx_cap);
		}
		ssize_t got = recv(f->cfd, f->rx + f->rx_len, f->rx_cap - f->rx_len, 0);
		if (got == 0 || (got < 0 && errno == ECONNRESET)) {
			log_add(f, "eof\n");
			return 0;
		}
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return fail(f, step, "recv: %s", strerror(errno));
		}
		f->rx_len += (size_t)got;
	}
}

static int send_bytes(struct fakevici *f, size_t step, const uint8_t *d, size_t len)
{
	while (len > 0) {
		if (wait_fd(f, f->cfd, POLLOUT, now_ms() + f->step_timeout) <= 0)
			return fail(f, step, "cannot send (client does not read)");
		ssize_t n = send(f->cfd, d, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* The client may legitimately be gone already. */
			return 0;
		}
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

static int run_send(struct fakevici *f, size_t i, struct step *s)
{
	if (f->cfd < 0)
		return fail(f, i, "no client to send to");
	if (!s->chunk)
		return send_bytes(f, i, s->data, s->len);
	for (size_t off = 0; off < s->len; off += s->chunk) {
		size_t n = s->len - off < s->chunk ? s->len - off : s->chunk;
		if (send_bytes(f, i, s->data + off, n) < 0)
			return -1;
		if (wait_fd(f, -1, 0, now_ms() + 2) < 0)
			return -1;
	}
	return 0;
}

static int send_packet(struct fakevici *f, size_t i, int type, const char *name, const void *msg,
                       size_t len)
{
	size_t n;
	uint8_t *b = encode(type, name, msg, len, &n);
	int r = send_bytes(f, i, b, n);
	free(b);
	return r;
}

struct regcount {
	char name[256];
	unsigned n;
};

static unsigned *reg_slot(struct regcount *regs, size_t *nregs, const char *name)
{
	for (size_t k = 0; k < *nregs; k++)
		if (strcmp(regs[k].name, name) == 0)
			return &regs[k].n;
	if (*nregs == 64)
		return NULL;
	snprintf(regs[*nregs].name, sizeof(regs[*nregs].name), "%s", name);
	regs[*nregs].n = 0;
	return &regs[(*nregs)++].n;
}

static int run_serve(struct fakevici *f, size_t i, struct step *s)
{
	struct regcount regs[64];
	size_t nregs = 0;
	for (;;) {
		struct pkt p;
		int r = read_packet(f, i, -1, &p);
		if (r <= 0)
			return r;
		char key[260];
		snprintf(key, sizeof(key), " %s ", p.name);
		unsigned *cnt = reg_slot(regs, &nregs, p.name);
		r = 0;
		if (p.type == VICI_EVENT_REGISTER) {
			bool unknown = strstr(s->unknown, key) != NULL;
			if (!unknown && cnt)
				(*cnt)++;
			r = send_packet(f, i, unknown ? VICI_EVENT_UNKNOWN : VICI_EVENT_CONFIRM,
			                NULL, NULL, 0);
		} else if (p.type == VICI_EVENT_UNREGISTER) {
			bool had = cnt && *cnt > 0;
			if (had)
				(*cnt)--;
			r = send_packet(f, i, had ? VICI_EVENT_CONFIRM : VICI_EVENT_UNKNOWN, NULL,
			                NULL, 0);
		} else if (p.type == VICI_CMD_REQUEST) {
			struct canned *c = NULL;
			for (size_t k = 0; k < s->ncanned; k++)
				if (strcmp(s->canned[k].command, p.name) == 0)
					c = &s->canned[k];
			if (!c) {
				r = send_packet(f, i, VICI_CMD_UNKNOWN, NULL, NULL, 0);
			} else {
				unsigned copies = 0;
				if (c->stream_event) {
					unsigned *ec = reg_slot(regs, &nregs, c->stream_event);
					copies = ec ? *ec : 0;
				}
				for (unsigned e = 0; r == 0 && e < c->stream_count * copies; e++)
					r = send_packet(f, i, VICI_EVENT, c->stream_event,
					                c->event_msg, c->event_len);
				if (r == 0)
					r = send_packet(f, i, VICI_CMD_RESPONSE, NULL, c->reply,
					                c->reply_len);
			}
		}
		free(p.msg);
		if (r < 0)
			return r;
	}
}

static int run_step(struct fakevici *f, size_t i, struct step *s)
{
	int64_t deadline = now_ms() + f->step_timeout;
	struct pkt p;
	int r;
	switch (s->kind) {
	case S_EXPECT:
		if (f->cfd < 0)
			return fail(f, i, "no client");
		r = read_packet(f, i, deadline, &p);
		if (r == 0)
			return fail(f, i, "expected %s %s, got EOF",
			            vici_packet_type_name((unsigned)s->type),
			            s->name ? s->name : "");
		if (r < 0)
			return -1;
		free(p.msg);
		if (p.type != s->type || (s->name && strcmp(p.name, s->name) != 0))
			return fail(f, i, "expected %s %s, got %s %s",
			            vici_packet_type_name((unsigned)s->type),
			            s->name ? s->name : "", vici_packet_type_name((unsigned)p.type),
			            p.name);
		return 0;
	case S_SEND:
		return run_send(f, i, s);
	case S_DELAY:
		return wait_fd(f, -1, 0, now_ms() + s->ms) < 0 ? -1 : 0;
	case S_HANG:
	case S_EXPECT_EOF:
		if (f->cfd < 0)
			return 0;
		while ((r = read_packet(f, i, deadline, &p)) > 0)
			free(p.msg);
		return r;
	case S_CLOSE:
		if (f->cfd >= 0)
			close(f->cfd);
		f->cfd = -1;
		f->rx_len = 0;
		return 0;
	case S_ACCEPT:
		return do_accept(f, i, deadline);
	case S_SERVE:
		if (f->cfd < 0)
			return fail(f, i, "no client");
		return run_serve(f, i, s);
	}
	return -1;
}

static void *script(void *arg)
{
	struct fakevici *f = arg;
	if (f->nsteps == 0 || f->steps[0].kind != S_ACCEPT) {
		if (do_accept(f, 0, now_ms() + f->step_timeout) < 0)
			goto out;
	}
	for (size_t i = 0; i < f->nsteps; i++) {
		if (run_step(f, i, &f->steps[i]) < 0) {
			if (!f->failed)
				fail(f, i, "stopped");
			break;
		}
	}
out:
	if (f->cfd >= 0)
		close(f->cfd);
	f->cfd = -1;
	return NULL;
}

void fakevici_start(struct fakevici *f)
{
	if (pthread_create(&f->thread, NULL, script, f) != 0)
		abort();
	f->started = true;
}

int fakevici_wait(struct fakevici *f)
{
	if (f->started && !f->joined) {
		pthread_join(f->thread, NULL);
		f->joined = true;
	}
	return f->failed ? -1 : 0;
}

const char *fakevici_error(const struct fakevici *f)
{
	return f->err;
}

const char *fakevici_log(struct fakevici *f)
{
	pthread_mutex_lock(&f->mu);
	free(f->snap);
	f->snap = xstrdup(f->log);
	pthread_mutex_unlock(&f->mu);
	return f->snap;
}

void fakevici_free(struct fakevici *f)
{
	if (!f)
		return;
	if (f->started && !f->joined) {
		if (write(f->wake[1], "x", 1) < 0)
			abort();
		pthread_join(f->thread, NULL);
	}
	if (f->cfd >= 0)
		close(f->cfd);
	if (f->lfd >= 0)
		close(f->lfd);
	close(f->wake[0]);
	close(f->wake[1]);
	if (!f->tcp) {
		remove_dir(f->dir);
		track_dir(f->dir, false);
	}
	for (size_t i = 0; i < f->nsteps; i++) {
		struct step *s = &f->steps[i];
		free(s->name);
		free(s->data);
		for (size_t k = 0; k < s->ncanned; k++) {
			free(s->canned[k].command);
			free(s->canned[k].stream_event);
			free(s->canned[k].event_msg);
			free(s->canned[k].reply);
		}
		free(s->canned);
		free(s->unknown);
	}
	free(f->steps);
	free(f->rx);
	free(f->log);
	free(f->snap);
	pthread_mutex_destroy(&f->mu);
	free(f);
}
