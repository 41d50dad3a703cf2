/*
 * vicisim's server loop: sockets, poll(), per-connection inbound FIFO and
 * outbound queue; see sim_server.h. What the daemon does with a packet is
 * sim_daemon.c.
 *
 * How it mirrors charon 5.9.8 (vici_socket.c, vici_dispatcher.c):
 * every inbound packet of a connection goes into a FIFO and is worked on one
 * at a time, so pipelined requests are answered in order and a command that
 * never completes (the "hang" faults, a stuck SA without noblock) holds up
 * everything behind it on that connection, (un)register included. Events that
 * are not part of a command (ike-updown, log, ...) do not wait for that FIFO:
 * they go straight into the outbound queue of every registered connection,
 * once per registration.
 *
 * Streams are produced lazily: a list-sas job emits list-sa frames only while
 * the connection's outbound queue is below a high-water mark, so 30k SAs do
 * not sit in memory at once and a slow reader slows the stream down instead
 * of growing the queue. Unlike charon, the outbound queue for other events is
 * still unbounded (a non-reading client registered for log grows it), but
 * a connection is dropped above SIM_OUT_MAX so a forgotten client cannot eat
 * the machine.
 */
#include "sim/sim_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vici/frame.h"
#include "vici/xmalloc.h"

#define SIM_READ_CHUNK 65536

void sim_job_done(struct sim_client *c)
{
	free(c->job.payload);
	free(c->job.ike);
	free(c->job.child);
	memset(&c->job, 0, sizeof(c->job));
}

/* Takes the next inbound packet into work. */
static void job_start(struct sim_server *s, struct sim_client *c, int64_t now_ms)
{
	struct sim_inpkt in = c->in[c->in_head++];
	struct sim_job *j = &c->job;
	int ev;

	if (c->in_head == c->in_len)
		c->in_head = c->in_len = 0;
	memset(j, 0, sizeof(*j));
	j->payload = in.payload;
	if (s->o.f.hang_all) {
		j->kind = JOB_STALLED;
		return;
	}
	if (vici_packet_parse(in.payload, in.len, &j->pkt) != 0) {
		sim_diag(s, "connection %u: invalid vici message, ignored", c->id);
		sim_job_done(c);
		return;
	}
	switch (j->pkt.type) {
	case VICI_EVENT_REGISTER:
	case VICI_EVENT_UNREGISTER:
		if (j->pkt.type == VICI_EVENT_REGISTER && s->o.f.hang_register &&
		    (!s->o.f.hang_register_event ||
		     strcmp(s->o.f.hang_register_event, j->pkt.name) == 0)) {
			sim_diag(s,
			         "connection %u: never confirming the registration of %s (fault)",
			         c->id, j->pkt.name);
			j->kind = JOB_STALLED;
			return;
		}
		ev = sim_find_event(j->pkt.name);
		if (ev < 0 || (j->pkt.type == VICI_EVENT_UNREGISTER && !c->reg[ev])) {
			sim_send_simple(c, VICI_EVENT_UNKNOWN);
		} else {
			if (j->pkt.type == VICI_EVENT_REGISTER)
				c->reg[ev]++; /* duplicates allowed, as in charon */
			else
				c->reg[ev]--;
			sim_send_simple(c, VICI_EVENT_CONFIRM);
		}
		sim_job_done(c);
		return;
	case VICI_CMD_REQUEST:
		if (s->o.f.hang_cmd && strcmp(s->o.f.hang_cmd, j->pkt.name) == 0) {
			sim_diag(s, "connection %u: never answering %s (fault)", c->id,
			         j->pkt.name);
			j->kind = JOB_STALLED;
			return;
		}
		j->kind = JOB_WAIT;
		j->due_ms = now_ms + s->o.delay_ms;
		return;
	default:
		sim_diag(s, "connection %u: unsupported vici operation, ignored", c->id);
		sim_job_done(c);
		return;
	}
}

/* Drives a connection's FIFO. Returns the earliest time (ms) it needs to be
 * looked at again without I/O, or INT64_MAX. */
static int64_t client_work(struct sim_server *s, struct sim_client *c, int64_t now_ms)
{
	for (;;) {
		if (c->dead || c->close_when_flushed)
			return INT64_MAX;
		if (c->job.kind == JOB_NONE) {
			if (c->in_head == c->in_len)
				return INT64_MAX;
			job_start(s, c, now_ms);
			continue;
		}
		if (c->job.kind == JOB_STALLED)
			return INT64_MAX;
		if (c->job.kind == JOB_WAIT) {
			if (c->job.due_ms > now_ms)
				return c->job.due_ms;
			if (sim_dispatch_command(s, c, now_ms)) {
				sim_job_done(c);
				continue;
			}
		}
		if (c->job.kind == JOB_LIST_SAS) {
			int64_t t = sim_list_sas_step(s, c, now_ms);

			if (t < 0) {
				sim_job_done(c);
				continue;
			}
			return t == 0 ? INT64_MAX : t;
		}
	}
}

/* ------------------------------------------------------------ sockets */

static void client_free(struct sim_client *c)
{
	close(c->fd);
	vici_reader_free(&c->rd);
	for (size_t i = c->in_head; i < c->in_len; i++)
		free(c->in[i].payload);
	free(c->in);
	free(c->out);
	sim_job_done(c);
	free(c);
}

static void client_read(struct sim_server *s, struct sim_client *c)
{
	uint8_t buf[SIM_READ_CHUNK];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
		size_t off = 0;

		if (n == 0) {
			sim_diag(s, "connection %u closed by client", c->id);
			c->dead = true;
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				sim_diag(s, "connection %u: read: %s", c->id, strerror(errno));
				c->dead = true;
			}
			return;
		}
		while (off < (size_t)n) {
			long used = vici_reader_feed(&c->rd, buf + off, (size_t)n - off);
			struct sim_inpkt in;

			if (used < 0) {
				fprintf(stderr,
				        "vicisim: connection %u: vici message exceeds "
				        "524288 bytes limit, closed\n",
				        c->id);
				c->dead = true;
				return;
			}
			off += (size_t)used;
			if (vici_reader_take(&c->rd, &in.payload, &in.len) == 0) {
				if (c->in_len == c->in_cap) {
					c->in_cap = c->in_cap ? c->in_cap * 2 : 16;
					c->in = xreallocarray(c->in, c->in_cap, sizeof(*c->in));
				}
				c->in[c->in_len++] = in;
			}
		}
	}
}

static void client_write(struct sim_server *s, struct sim_client *c)
{
	while (sim_out_pending(c)) {
		ssize_t n = send(c->fd, c->out + c->out_off, sim_out_pending(c), MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				sim_diag(s, "connection %u: write: %s", c->id, strerror(errno));
				c->dead = true;
			}
			return;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	if (c->close_when_flushed)
		c->dead = true;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static void accept_all(struct sim_server *s)
{
	for (;;) {
		int fd = accept(s->lfd, NULL, NULL);
		struct sim_client *c;

		if (fd < 0)
			return;
		if (set_nonblock(fd) < 0) {
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->fd = fd;
		c->id = ++s->next_id;
		vici_reader_init(&c->rd);
		s->c = xreallocarray(s->c, s->nc + 1, sizeof(*s->c));
		s->c[s->nc++] = c;
		sim_diag(s, "connection %u accepted", c->id);
	}
}

struct sim_server *sim_server_new(struct sim_model *m, const struct sim_server_opts *o)
{
	struct sim_server *s = xcalloc(1, sizeof(*s));

	s->m = m;
	s->o = *o;
	s->lfd = -1;
	s->last_tick_ms = sim_now_ms();
	s->last_sec = s->last_tick_ms / 1000;
	return s;
}

void sim_server_free(struct sim_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nc; i++)
		client_free(s->c[i]);
	free(s->c);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->unix_path)
		unlink(s->unix_path);
	free(s->unix_path);
	free(s);
}

int sim_server_listen_unix(struct sim_server *s, const char *path, char *uri, size_t size)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0 ||
	    set_nonblock(fd) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	s->lfd = fd;
	s->unix_path = xstrdup(path);
	snprintf(uri, size, "unix://%s", path);
	return 0;
}

int sim_server_listen_tcp(struct sim_server *s, const char *hostport, char *uri, size_t size)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char *host = xstrdup(hostport), *port = strrchr(host, ':'), *h = host;
	int fd = -1, err = -EADDRNOTAVAIL, one = 1;

	if (!port) {
		free(host);
		return -EINVAL;
	}
	*port++ = '\0';
	if (*h == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = '\0';
		h++;
	}
	if (getaddrinfo(h, port, &hints, &res) != 0) {
		free(host);
		return -EADDRNOTAVAIL;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0 &&
		    set_nonblock(fd) == 0)
			break;
		err = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		free(host);
		return err;
	}
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	snprintf(uri, size, "tcp://%s%s%s:%u", strchr(h, ':') ? "[" : "", h,
	         strchr(h, ':') ? "]" : "",
	         ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                        : ((struct sockaddr_in *)&ss)->sin_port));
	free(host);
	s->lfd = fd;
	return 0;
}

static void reap(struct sim_server *s)
{
	size_t k = 0;

	for (size_t i = 0; i < s->nc; i++) {
		if (s->c[i]->dead) {
			sim_diag(s, "connection %u gone", s->c[i]->id);
			client_free(s->c[i]);
		} else {
			s->c[k++] = s->c[i];
		}
	}
	s->nc = k;
}

int sim_server_run(struct sim_server *s, int stop_fd)
{
	struct pollfd *pfd = NULL;
	size_t pcap = 0;

	for (;;) {
		int64_t now_ms = sim_now_ms(), wake = INT64_MAX;
		int timeout;
		size_t n = 0;

		sim_tick(s, now_ms);
		for (size_t i = 0; i < s->nc; i++) {
			int64_t t = client_work(s, s->c[i], now_ms);

			client_write(s, s->c[i]);
			/* the write may have made room for more of a stream */
			if (!s->c[i]->dead && s->c[i]->job.kind == JOB_LIST_SAS &&
			    sim_out_pending(s->c[i]) < SIM_HIGH_WATER)
				t = now_ms;
			if (t < wake)
				wake = t;
		}
		reap(s);
		if (s->o.churn > 0 || s->o.log_rate > 0)
			wake = wake < now_ms + 10 ? wake : now_ms + 10;
		wake = wake < (now_ms / 1000 + 1) * 1000 ? wake : (now_ms / 1000 + 1) * 1000;
		timeout = wake <= now_ms ? 0 : (int)(wake - now_ms);

		if (pcap < s->nc + 2) {
			pcap = s->nc + 16;
			pfd = xreallocarray(pfd, pcap, sizeof(*pfd));
		}
		pfd[n++] = (struct pollfd){.fd = stop_fd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
		for (size_t i = 0; i < s->nc; i++) {
			short ev = POLLIN;

			if (sim_out_pending(s->c[i]))
				ev |= POLLOUT;
			pfd[n++] = (struct pollfd){.fd = s->c[i]->fd, .events = ev};
		}
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			free(pfd);
			return -errno;
		}
		if (pfd[0].revents) {
			free(pfd);
			return 0;
		}
		if (pfd[1].revents & POLLIN)
			accept_all(s);
		for (size_t i = 2; i < n; i++) {
			struct sim_client *c = s->c[i - 2];

			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				client_read(s, c);
			if (!c->dead && (pfd[i].revents & POLLOUT))
				client_write(s, c);
		}
		reap(s);
	}
}
