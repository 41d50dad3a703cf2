/*
 * Tests of vicisim, the VICI server playing charon 5.9.8: the protocol rules
 * (registrations as a multiset, CMD_UNKNOWN/EVENT_UNKNOWN, streams only to
 * registered requesters, pipelining), the content (counts, filters, counters
 * that grow, terminate/initiate with events and new unique ids, terminate
 * as charon does it, stats' uptime.since flipping by a second as charon's),
 * churn, log floods, slow replies, every fault mode, TCP, clean shutdown,
 * and that the real swanctl 5.9.8 lists what vicisim serves.
 *
 * The client here is deliberately minimal and blocking (frame.h + wire.h on a
 * socket with poll() deadlines), so the raw protocol is visible: a session
 * library would hide duplicate registrations and stale replies.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "vici/frame.h"
#include "vici/wire.h"
#include "vici/xmalloc.h"

/* ------------------------------------------------------------ helpers */

struct sim {
	pid_t pid;
	char dir[64], path[96], uri[512];
};

/* Simulators still running, killed by teardown when an assertion fails. */
static struct sim *live[4];

static int teardown_kill(void **state)
{
	for (int i = 0; i < 4; i++) {
		if (!live[i])
			continue;
		kill(live[i]->pid, SIGKILL);
		waitpid(live[i]->pid, NULL, 0);
		unlink(live[i]->path);
		rmdir(live[i]->dir);
		live[i] = NULL;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *vicisim_path(void)
{
	static char path[4096];
	const char *b = getenv("SWANTOP_BUILD_DIR");

	snprintf(path, sizeof(path), "%s/src/sim/vicisim", b ? b : ".");
	return path;
}

/* Starts vicisim with the given extra arguments (NULL-terminated) and waits
 * for its "ready" line. tcp: listen on 127.0.0.1:0 instead of a socket. */
static void sim_start(struct sim *s, int tcp, ...)
{
	const char *argv[64];
	int n = 0, out[2];
	char line[512];
	size_t have = 0;
	va_list ap;
	int64_t deadline = now_ms() + 10000;

	snprintf(s->dir, sizeof(s->dir), "/tmp/vicisim-test-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/sim.vici", s->dir);
	argv[n++] = vicisim_path();
	argv[n++] = tcp ? "--tcp" : "--socket";
	argv[n++] = tcp ? "127.0.0.1:0" : s->path;
	va_start(ap, tcp);
	for (const char *a; (a = va_arg(ap, const char *)) && n < 62;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	assert_int_equal(pipe(out), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	for (int i = 0; i < 4; i++) {
		if (!live[i]) {
			live[i] = s;
			break;
		}
	}
	while (have < sizeof(line) - 1 && !memchr(line, '\n', have)) {
		struct pollfd p = {.fd = out[0], .events = POLLIN};
		ssize_t r;

		assert_true(poll(&p, 1, (int)(deadline - now_ms())) == 1);
		r = read(out[0], line + have, sizeof(line) - 1 - have);
		assert_true(r > 0);
		have += (size_t)r;
	}
	close(out[0]);
	line[have] = '\0';
	assert_memory_equal(line, "ready ", 6);
	*strchr(line, '\n') = '\0';
	snprintf(s->uri, sizeof(s->uri), "%s", line + 6);
}

/* Stops vicisim with SIGTERM; it must exit 0 and remove its socket. */
static void sim_stop(struct sim *s)
{
	int status = 0;
	struct stat st;

	for (int i = 0; i < 4; i++)
		if (live[i] == s)
			live[i] = NULL;
	kill(s->pid, SIGTERM);
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(stat(s->path, &st), -1);
	rmdir(s->dir);
}

struct cli {
	int fd;
	struct vici_reader rd;
	uint8_t buf[65536];
	size_t off, len;
};

static void cli_open(struct cli *c, const struct sim *s)
{
	memset(c, 0, sizeof(*c));
	vici_reader_init(&c->rd);
	if (strncmp(s->uri, "tcp://", 6) == 0) {
		struct sockaddr_in a = {.sin_family = AF_INET};

		a.sin_port = htons((uint16_t)atoi(strrchr(s->uri, ':') + 1));
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		c->fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	} else {
		struct sockaddr_un a = {.sun_family = AF_UNIX};

		snprintf(a.sun_path, sizeof(a.sun_path), "%s", s->path);
		c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	}
}

static void cli_close(struct cli *c)
{
	close(c->fd);
	vici_reader_free(&c->rd);
}

static void cli_send_raw(struct cli *c, const void *p, size_t n)
{
	assert_int_equal(write(c->fd, p, n), (ssize_t)n);
}

/* Sends a packet; msg is a finished builder or NULL. */
static void cli_send(struct cli *c, enum vici_packet_type t, const char *name,
                     struct vici_builder *b)
{
	uint8_t *msg = NULL, *frame;
	size_t mlen = 0, flen;

	if (b)
		assert_int_equal(vici_builder_finish(b, &msg, &mlen), 0);
	assert_int_equal(vici_packet_encode(t, name, msg, mlen, &frame, &flen), 0);
	cli_send_raw(c, frame, flen);
	free(frame);
	free(msg);
}

/* Receives one payload: 1 (owned *p), 0 on timeout, -EPIPE on EOF,
 * -EMSGSIZE for an oversized header. */
static int cli_recv(struct cli *c, int timeout_ms, uint8_t **p, size_t *n)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		while (c->off < c->len) {
			long used = vici_reader_feed(&c->rd, c->buf + c->off, c->len - c->off);

			if (used < 0)
				return (int)used;
			c->off += (size_t)used;
			if (vici_reader_take(&c->rd, p, n) == 0)
				return 1;
		}
		struct pollfd pf = {.fd = c->fd, .events = POLLIN};
		int64_t left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pf, 1, (int)left) != 1)
			return 0;
		r = read(c->fd, c->buf, sizeof(c->buf));
		if (r <= 0)
			return -EPIPE;
		c->off = 0;
		c->len = (size_t)r;
	}
}

/* What a command produced: its reply and the events that came before it. */
struct result {
	enum vici_packet_type type;
	uint8_t *reply; /* payload of the reply packet */
	size_t reply_len;
	struct vici_packet pkt;
	unsigned events;
	char first_event[256];
	uint8_t *ev[64]; /* the first 64 event payloads */
	size_t ev_len[64];
};

static void result_free(struct result *r)
{
	free(r->reply);
	for (unsigned i = 0; i < r->events && i < 64; i++)
		free(r->ev[i]);
	memset(r, 0, sizeof(*r));
}

/* Waits for the next non-EVENT packet, counting events before it. Returns 1,
 * 0 on timeout, or the receive error. */
static int cli_wait(struct cli *c, int timeout_ms, struct result *r)
{
	uint8_t *p;
	size_t n;
	int rc;

	memset(r, 0, sizeof(*r));
	while ((rc = cli_recv(c, timeout_ms, &p, &n)) == 1) {
		struct vici_packet pkt;

		assert_int_equal(vici_packet_parse(p, n, &pkt), 0);
		if (pkt.type == VICI_EVENT) {
			if (!r->events)
				snprintf(r->first_event, sizeof(r->first_event), "%s", pkt.name);
			if (r->events < 64) {
				r->ev[r->events] = p;
				r->ev_len[r->events] = n;
			} else {
				free(p);
			}
			r->events++;
			continue;
		}
		r->reply = p;
		r->reply_len = n;
		r->pkt = pkt;
		r->type = pkt.type;
		return 1;
	}
	return rc;
}

static void cli_cmd(struct cli *c, const char *name, struct vici_builder *b, struct result *r)
{
	cli_send(c, VICI_CMD_REQUEST, name, b);
	assert_int_equal(cli_wait(c, 10000, r), 1);
}

static void cli_register(struct cli *c, const char *name, enum vici_packet_type expect)
{
	struct result r;

	cli_send(c, VICI_EVENT_REGISTER, name, NULL);
	assert_int_equal(cli_wait(c, 5000, &r), 1);
	assert_int_equal(r.type, expect);
	result_free(&r);
}

/* A root key of a message as a string (static buffer), or NULL. */
static const char *find(const uint8_t *msg, size_t len, const char *path)
{
	static char out[4][512];
	static int k;
	const uint8_t *v;
	size_t n;

	if (vici_message_find(msg, len, path, &v, &n) != 0)
		return NULL;
	k = (k + 1) % 4;
	snprintf(out[k], sizeof(out[k]), "%.*s", (int)n, (const char *)v);
	return out[k];
}

static const char *reply_find(const struct result *r, const char *path)
{
	return find(r->pkt.msg, r->pkt.msg_len, path);
}

/* Event i's message. */
static void event_msg(const struct result *r, unsigned i, struct vici_packet *pkt)
{
	assert_true(i < r->events && i < 64);
	assert_int_equal(vici_packet_parse(r->ev[i], r->ev_len[i], pkt), 0);
}

/* Name of the first section of a message. */
static void first_section(const struct vici_packet *pkt, char *buf, size_t size)
{
	struct vici_parser p;
	struct vici_element e;

	vici_parser_init(&p, pkt->msg, pkt->msg_len);
	while (vici_parser_next(&p, &e) == 1) {
		if (e.type == VICI_SECTION_START) {
			snprintf(buf, size, "%.*s", (int)e.name_len, e.name);
			return;
		}
	}
	buf[0] = '\0';
}

static void list_sas(struct cli *c, struct result *r, const char *key, const char *value)
{
	struct vici_builder b;

	vici_builder_init(&b);
	vici_builder_add_str(&b, "noblock", "yes");
	if (key)
		vici_builder_add_str(&b, key, value);
	cli_cmd(c, "list-sas", &b, r);
	assert_int_equal(r->type, VICI_CMD_RESPONSE);
	assert_int_equal(r->pkt.msg_len, 0);
}

/* ------------------------------------------------------------ tests */

static void test_protocol_rules(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;

	sim_start(&s, false, "--ike", "7", "--children", "2", NULL);
	cli_open(&c, &s);

	cli_cmd(&c, "version", NULL, &r);
	assert_int_equal(r.type, VICI_CMD_RESPONSE);
	assert_string_equal(reply_find(&r, "daemon"), "charon");
	assert_string_equal(reply_find(&r, "version"), "5.9.8");
	result_free(&r);

	cli_cmd(&c, "no-such-command", NULL, &r);
	assert_int_equal(r.type, VICI_CMD_UNKNOWN);
	assert_int_equal(r.reply_len, 1);
	result_free(&r);

	/* "alert" is unknown to 5.9.8; unregistering what was never registered */
	cli_register(&c, "alert", VICI_EVENT_UNKNOWN);
	cli_send(&c, VICI_EVENT_UNREGISTER, "log", NULL);
	assert_int_equal(cli_wait(&c, 5000, &r), 1);
	assert_int_equal(r.type, VICI_EVENT_UNKNOWN);
	result_free(&r);

	/* not registered: list-sas streams nothing */
	list_sas(&c, &r, NULL, NULL);
	assert_int_equal(r.events, 0);
	result_free(&r);

	/* registered twice: every event twice */
	cli_register(&c, "list-sa", VICI_EVENT_CONFIRM);
	cli_register(&c, "list-sa", VICI_EVENT_CONFIRM);
	list_sas(&c, &r, NULL, NULL);
	assert_int_equal(r.events, 14);
	assert_string_equal(r.first_event, "list-sa");
	result_free(&r);
	for (int i = 0; i < 2; i++) {
		cli_send(&c, VICI_EVENT_UNREGISTER, "list-sa", NULL);
		assert_int_equal(cli_wait(&c, 5000, &r), 1);
		assert_int_equal(r.type, VICI_EVENT_CONFIRM);
		result_free(&r);
	}
	cli_send(&c, VICI_EVENT_UNREGISTER, "list-sa", NULL);
	assert_int_equal(cli_wait(&c, 5000, &r), 1);
	assert_int_equal(r.type, VICI_EVENT_UNKNOWN);
	result_free(&r);

	cli_close(&c);
	sim_stop(&s);
}

static void test_pipelining_and_clients(void **state)
{
	struct sim s;
	struct cli a, b;
	struct result r;
	struct vici_builder bl;
	uint8_t *f1, *f2, *f3, all[4096];
	size_t n1, n2, n3;

	sim_start(&s, false, "--ike", "20", NULL);
	cli_open(&a, &s);
	cli_open(&b, &s);
	cli_register(&a, "list-sa", VICI_EVENT_CONFIRM);

	/* three requests in one write: answers in order */
	vici_builder_init(&bl);
	vici_builder_add_str(&bl, "noblock", "yes");
	uint8_t *m;
	size_t ml;
	assert_int_equal(vici_builder_finish(&bl, &m, &ml), 0);
	assert_int_equal(vici_packet_encode(VICI_CMD_REQUEST, "version", NULL, 0, &f1, &n1), 0);
	assert_int_equal(vici_packet_encode(VICI_CMD_REQUEST, "list-sas", m, ml, &f2, &n2), 0);
	assert_int_equal(vici_packet_encode(VICI_CMD_REQUEST, "stats", NULL, 0, &f3, &n3), 0);
	memcpy(all, f1, n1);
	memcpy(all + n1, f2, n2);
	memcpy(all + n1 + n2, f3, n3);
	cli_send_raw(&a, all, n1 + n2 + n3);
	free(f1);
	free(f2);
	free(f3);
	free(m);

	/* meanwhile the other client is served and sees none of a's stream */
	cli_cmd(&b, "version", NULL, &r);
	assert_int_equal(r.events, 0);
	result_free(&r);

	assert_int_equal(cli_wait(&a, 5000, &r), 1);
	assert_int_equal(r.events, 0);
	assert_non_null(reply_find(&r, "daemon"));
	result_free(&r);
	assert_int_equal(cli_wait(&a, 5000, &r), 1);
	assert_int_equal(r.events, 20);
	assert_int_equal(r.pkt.msg_len, 0);
	result_free(&r);
	assert_int_equal(cli_wait(&a, 5000, &r), 1);
	assert_int_equal(r.events, 0);
	assert_string_equal(reply_find(&r, "ikesas.total"), "20");
	result_free(&r);

	cli_close(&a);
	cli_close(&b);
	sim_stop(&s);
}

static void test_content_and_filters(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;
	struct vici_packet pkt;
	char name[256], before[300];
	const char *v;

	sim_start(&s, false, "--ike", "30", "--children", "3", "--conns", "5", "--connecting", "2",
	          NULL);
	cli_open(&c, &s);
	cli_register(&c, "list-sa", VICI_EVENT_CONFIRM);

	list_sas(&c, &r, NULL, NULL);
	assert_int_equal(r.events, 32);
	event_msg(&r, 0, &pkt);
	first_section(&pkt, name, sizeof(name));
	assert_string_equal(name, "conn0");
	assert_string_equal(find(pkt.msg, pkt.msg_len, "conn0.state"), "ESTABLISHED");
	assert_string_equal(find(pkt.msg, pkt.msg_len, "conn0.uniqueid"), "1");
	assert_non_null(find(pkt.msg, pkt.msg_len, "conn0.established"));
	assert_non_null(find(pkt.msg, pkt.msg_len, "conn0.rekey-time"));
	assert_string_equal(find(pkt.msg, pkt.msg_len, "conn0.child-sas.net0-1.state"),
	                    "INSTALLED");
	assert_non_null(find(pkt.msg, pkt.msg_len, "conn0.child-sas.net2-3.install-time"));
	assert_non_null(find(pkt.msg, pkt.msg_len, "conn0.child-sas.net0-1.life-time"));
	assert_int_equal(vici_message_validate(pkt.msg, pkt.msg_len), 0);
	result_free(&r);

	/* name filter: conn i%5 */
	list_sas(&c, &r, "ike", "conn3");
	assert_int_equal(r.events, 6 + 0);
	result_free(&r);
	/* unique id filter */
	list_sas(&c, &r, "ike-id", "5");
	assert_int_equal(r.events, 1);
	event_msg(&r, 0, &pkt);
	first_section(&pkt, name, sizeof(name));
	assert_string_equal(name, "conn4");
	assert_string_equal(find(pkt.msg, pkt.msg_len, "conn4.uniqueid"), "5");
	result_free(&r);

	/* counters grow with time (a busy child of SA 2) */
	list_sas(&c, &r, "ike-id", "2");
	event_msg(&r, 0, &pkt);
	v = find(pkt.msg, pkt.msg_len, "conn1.child-sas.net1-5.bytes-in");
	assert_non_null(v);
	snprintf(before, sizeof(before), "%s", v);
	result_free(&r);
	nanosleep(&(struct timespec){.tv_sec = 1, .tv_nsec = 200000000}, NULL);
	list_sas(&c, &r, "ike-id", "2");
	event_msg(&r, 0, &pkt);
	v = find(pkt.msg, pkt.msg_len, "conn1.child-sas.net1-5.bytes-in");
	assert_true(strtoull(v, NULL, 10) > strtoull(before, NULL, 10));
	result_free(&r);

	/* half-open SAs: CONNECTING, no children, in stats */
	list_sas(&c, &r, "ike-id", "31");
	event_msg(&r, 0, &pkt);
	first_section(&pkt, name, sizeof(name));
	snprintf(before, sizeof(before), "%s.state", name);
	assert_string_equal(find(pkt.msg, pkt.msg_len, before), "CONNECTING");
	result_free(&r);
	cli_cmd(&c, "stats", NULL, &r);
	assert_string_equal(reply_find(&r, "ikesas.total"), "32");
	assert_string_equal(reply_find(&r, "ikesas.half-open"), "2");
	result_free(&r);

	/* list-conns and list-policies stream only when registered */
	cli_cmd(&c, "list-conns", NULL, &r);
	assert_int_equal(r.events, 0);
	result_free(&r);
	cli_register(&c, "list-conn", VICI_EVENT_CONFIRM);
	cli_cmd(&c, "list-conns", NULL, &r);
	assert_int_equal(r.events, 5);
	assert_string_equal(r.first_event, "list-conn");
	result_free(&r);
	cli_register(&c, "list-policy", VICI_EVENT_CONFIRM);
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "trap", "yes");
	cli_cmd(&c, "list-policies", &b, &r);
	assert_int_equal(r.events, 3 * 3);
	result_free(&r);

	cli_close(&c);
	sim_stop(&s);
}

/* A control connection (control-log, list-sa) and a monitor (ike-updown,
 * child-updown). */
static void open_ctl_mon(const struct sim *s, struct cli *ctl, struct cli *mon)
{
	cli_open(ctl, s);
	cli_open(mon, s);
	cli_register(mon, "ike-updown", VICI_EVENT_CONFIRM);
	cli_register(mon, "child-updown", VICI_EVENT_CONFIRM);
	cli_register(ctl, "control-log", VICI_EVENT_CONFIRM);
	cli_register(ctl, "list-sa", VICI_EVENT_CONFIRM);
}

static void test_terminate_initiate(void **state)
{
	struct sim s;
	struct cli ctl, mon;
	struct result r;
	struct vici_builder b;
	struct vici_packet pkt;
	unsigned ike_up = 0, ike_down = 0, child_down = 0, child_up = 0;

	sim_start(&s, false, "--ike", "4", "--children", "2", NULL);
	open_ctl_mon(&s, &ctl, &mon);

	vici_builder_init(&b);
	vici_builder_add_str(&b, "ike-id", "3");
	cli_cmd(&ctl, "terminate", &b, &r);
	assert_string_equal(reply_find(&r, "success"), "yes");
	assert_string_equal(reply_find(&r, "matches"), "1");
	assert_true(r.events >= 2);
	assert_string_equal(r.first_event, "control-log");
	result_free(&r);

	vici_builder_init(&b);
	vici_builder_add_str(&b, "ike-id", "3");
	cli_cmd(&ctl, "terminate", &b, &r);
	assert_string_equal(reply_find(&r, "success"), "no");
	assert_string_equal(reply_find(&r, "errmsg"), "no matching SAs to terminate found");
	result_free(&r);

	list_sas(&ctl, &r, NULL, NULL);
	assert_int_equal(r.events, 3);
	result_free(&r);

	vici_builder_init(&b);
	vici_builder_add_str(&b, "ike", "conn2");
	cli_cmd(&ctl, "initiate", &b, &r);
	assert_string_equal(reply_find(&r, "success"), "yes");
	assert_true(r.events >= 2);
	result_free(&r);
	vici_builder_init(&b);
	vici_builder_add_str(&b, "ike", "nope");
	cli_cmd(&ctl, "initiate", &b, &r);
	assert_string_equal(reply_find(&r, "errmsg"), "IKE_SA config 'nope' not found");
	result_free(&r);

	/* back, with a new unique id above all earlier ones */
	list_sas(&ctl, &r, "ike", "conn2");
	assert_int_equal(r.events, 1);
	event_msg(&r, 0, &pkt);
	assert_string_equal(find(pkt.msg, pkt.msg_len, "conn2.uniqueid"), "5");
	assert_non_null(find(pkt.msg, pkt.msg_len, "conn2.child-sas.net0-9.uniqueid"));
	result_free(&r);

	/* the monitor saw: 2 child downs, ike down, ike up, 2 child ups */
	for (int i = 0; i < 6; i++) {
		uint8_t *p;
		size_t n;

		assert_int_equal(cli_recv(&mon, 5000, &p, &n), 1);
		assert_int_equal(vici_packet_parse(p, n, &pkt), 0);
		assert_int_equal(pkt.type, VICI_EVENT);
		bool up = find(pkt.msg, pkt.msg_len, "up") != NULL;
		if (strcmp(pkt.name, "ike-updown") == 0)
			up ? ike_up++ : ike_down++;
		else
			up ? child_up++ : child_down++;
		free(p);
	}
	assert_int_equal(ike_down, 1);
	assert_int_equal(ike_up, 1);
	assert_int_equal(child_down, 2);
	assert_int_equal(child_up, 2);

	/* rekey by ike-id: a new unique id */
	vici_builder_init(&b);
	vici_builder_add_str(&b, "ike-id", "1");
	cli_cmd(&ctl, "rekey", &b, &r);
	assert_string_equal(reply_find(&r, "matches"), "1");
	result_free(&r);
	list_sas(&ctl, &r, "ike-id", "6");
	assert_int_equal(r.events, 1);
	result_free(&r);

	cli_close(&ctl);
	cli_close(&mon);
	sim_stop(&s);
}

/* The name of the first CHILD SA section ("net0-9") of a list-sa event. */
static void first_child_key(const struct vici_packet *pkt, char *buf, size_t size)
{
	struct vici_parser p;
	struct vici_element e;
	int depth = 0, in_children = 0;

	buf[0] = '\0';
	vici_parser_init(&p, pkt->msg, pkt->msg_len);
	while (vici_parser_next(&p, &e) == 1) {
		if (e.type == VICI_SECTION_START) {
			depth++;
			if (in_children && depth == in_children + 1) {
				snprintf(buf, size, "%.*s", (int)e.name_len, e.name);
				return;
			}
			if (depth == 2 && e.name_len == 9 && !memcmp(e.name, "child-sas", 9))
				in_children = depth;
		} else if (e.type == VICI_SECTION_END) {
			depth--;
		}
	}
}

/* The control-log messages of a result, one per line, into buf. */
static void control_log(const struct result *r, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < r->events && i < 64; i++) {
		struct vici_packet pkt;
		const char *msg;

		event_msg(r, i, &pkt);
		assert_string_equal(pkt.name, "control-log");
		msg = find(pkt.msg, pkt.msg_len, "msg");
		assert_non_null(msg);
		n += (size_t)snprintf(buf + n, size - n, "%s\n", msg);
		assert_true(n < size);
	}
}

/* The next event on a monitor connection: its name, "up" or not, and the
 * state of its IKE SA (and CHILD SA: key "<conn>.child-sas.<child>.state"). */
static void next_event(struct cli *mon, char *name, bool *up, char *ike_state, char *child_state)
{
	struct vici_packet pkt;
	char conn[256], path[600], child[256];
	uint8_t *p;
	size_t n;

	assert_int_equal(cli_recv(mon, 5000, &p, &n), 1);
	assert_int_equal(vici_packet_parse(p, n, &pkt), 0);
	assert_int_equal(pkt.type, VICI_EVENT);
	strcpy(name, pkt.name);
	*up = find(pkt.msg, pkt.msg_len, "up") != NULL;
	first_section(&pkt, conn, sizeof(conn));
	snprintf(path, sizeof(path), "%s.state", conn);
	strcpy(ike_state, find(pkt.msg, pkt.msg_len, path));
	child_state[0] = '\0';
	first_child_key(&pkt, child, sizeof(child));
	if (child[0]) {
		snprintf(path, sizeof(path), "%s.child-sas.%s.state", conn, child);
		strcpy(child_state, find(pkt.msg, pkt.msg_len, path));
	}
	free(p);
}

/* The next event on mon must be a down event of this name; the states are
 * checked unless NULL. */
static void expect_down(struct cli *mon, const char *name, const char *ike_state,
                        const char *child_state)
{
	char got[64], ike[32], child[32];
	bool up;

	next_event(mon, got, &up, ike, child);
	assert_string_equal(got, name);
	assert_false(up);
	if (ike_state)
		assert_string_equal(ike, ike_state);
	if (child_state)
		assert_string_equal(child, child_state);
}

static void terminate(struct cli *c, struct result *r, const char *k1, const char *v1,
                      const char *k2, const char *v2)
{
	struct vici_builder b;

	vici_builder_init(&b);
	vici_builder_add_str(&b, k1, v1);
	if (k2)
		vici_builder_add_str(&b, k2, v2);
	cli_cmd(c, "terminate", &b, r);
	assert_int_equal(r->type, VICI_CMD_RESPONSE);
}

/* terminate as charon 5.9.8 does it (vici_control.c, ike_delete.c,
 * child_delete.c, bus.c): the control-log lines, the reply keys, the events
 * in charon's order with charon's states, the OR of ike and ike-id, a
 * half-open SA destroyed without events, timeout=-1 replying first, and the
 * SAs really gone from list-sas. */
static void test_terminate_like_charon(void **state)
{
	struct sim s;
	struct cli ctl, mon;
	struct result r;
	struct vici_packet pkt;
	char log[4096], name[64], key[256], conn[64];

	sim_start(&s, false, "--ike", "4", "--children", "2", "--connecting", "1", NULL);
	open_ctl_mon(&s, &ctl, &mon);

	/* an IKE SA by id: logs, reply, then ike-updown before its children */
	list_sas(&ctl, &r, "ike-id", "2");
	assert_int_equal(r.events, 1);
	event_msg(&r, 0, &pkt);
	first_section(&pkt, conn, sizeof(conn));
	result_free(&r);
	terminate(&ctl, &r, "ike-id", "2", NULL, NULL);
	assert_string_equal(reply_find(&r, "success"), "yes");
	assert_string_equal(reply_find(&r, "matches"), "1");
	assert_string_equal(reply_find(&r, "terminated"), "1");
	assert_null(reply_find(&r, "errmsg"));
	control_log(&r, log, sizeof(log));
	snprintf(key, sizeof(key), "deleting IKE_SA %s[2] between 192.0.2.1[gw.example.org]...",
	         conn);
	assert_memory_equal(log, key, strlen(key));
	snprintf(key, sizeof(key), "\nsending DELETE for IKE_SA %s[2]\nIKE_SA deleted\n", conn);
	assert_non_null(strstr(log, key));
	result_free(&r);
	expect_down(&mon, "ike-updown", "DELETING", NULL);
	expect_down(&mon, "child-updown", "DELETING", "INSTALLED");
	expect_down(&mon, "child-updown", "DELETING", "INSTALLED");
	list_sas(&ctl, &r, "ike-id", "2");
	assert_int_equal(r.events, 0);
	result_free(&r);

	/* one CHILD SA by id: its own log lines and a DELETED child-updown */
	list_sas(&ctl, &r, "ike-id", "1");
	event_msg(&r, 0, &pkt);
	first_child_key(&pkt, key, sizeof(key));
	result_free(&r);
	char *dash = strrchr(key, '-');
	assert_non_null(dash);
	terminate(&ctl, &r, "child-id", dash + 1, NULL, NULL);
	assert_string_equal(reply_find(&r, "matches"), "1");
	control_log(&r, log, sizeof(log));
	*dash = '\0';
	char expect[128];
	snprintf(expect, sizeof(expect), "closing CHILD_SA %s{%s} with SPIs ", key, dash + 1);
	assert_memory_equal(log, expect, strlen(expect));
	assert_non_null(strstr(log, " bytes) and TS 10."));
	assert_non_null(strstr(log, "\nsending DELETE for ESP CHILD_SA with SPI "));
	assert_non_null(strstr(log, "\nreceived DELETE for ESP CHILD_SA with SPI "));
	assert_non_null(strstr(log, "\nCHILD_SA closed\n"));
	result_free(&r);
	expect_down(&mon, "child-updown", "ESTABLISHED", "DELETED");
	list_sas(&ctl, &r, "ike-id", "1");
	assert_int_equal(r.events, 1);
	event_msg(&r, 0, &pkt);
	snprintf(expect, sizeof(expect), "%s.child-sas.%s-%s.uniqueid", conn, key, dash + 1);
	assert_null(find(pkt.msg, pkt.msg_len, expect)); /* that one is gone ... */
	first_child_key(&pkt, name, sizeof(name));
	assert_true(name[0] && strcmp(name, key) != 0); /* ... the other stays */
	result_free(&r);

	/* ike and ike-id select by name OR id, as charon's terminate does */
	list_sas(&ctl, &r, "ike-id", "3");
	event_msg(&r, 0, &pkt);
	first_section(&pkt, conn, sizeof(conn));
	result_free(&r);
	terminate(&ctl, &r, "ike", conn, "ike-id", "1");
	assert_string_equal(reply_find(&r, "matches"), "2");
	assert_string_equal(reply_find(&r, "terminated"), "2");
	result_free(&r);
	/* in the order of the SAs: #1 (one CHILD SA left), then #3 (two) */
	static const char *const order[] = {"ike-updown", "child-updown", "ike-updown",
	                                    "child-updown", "child-updown"};
	for (int i = 0; i < 5; i++)
		expect_down(&mon, order[i], "DELETING", NULL);

	/* a half-open SA goes without a DELETE and without events */
	list_sas(&ctl, &r, NULL, NULL);
	unsigned before = r.events;
	const char *half = NULL;
	for (unsigned i = 0; i < r.events; i++) {
		char path[300];

		event_msg(&r, i, &pkt);
		first_section(&pkt, conn, sizeof(conn));
		snprintf(path, sizeof(path), "%s.state", conn);
		if (!strcmp(find(pkt.msg, pkt.msg_len, path), "CONNECTING")) {
			snprintf(path, sizeof(path), "%s.uniqueid", conn);
			half = find(pkt.msg, pkt.msg_len, path);
			snprintf(key, sizeof(key), "%s", half);
		}
	}
	assert_non_null(half);
	result_free(&r);
	terminate(&ctl, &r, "ike-id", key, NULL, NULL);
	assert_string_equal(reply_find(&r, "matches"), "1");
	control_log(&r, log, sizeof(log));
	assert_string_equal(log, "destroying IKE_SA in state CONNECTING without notification\n");
	result_free(&r);
	list_sas(&ctl, &r, NULL, NULL);
	assert_int_equal(r.events, before - 1);
	result_free(&r);

	/* timeout=-1: the reply comes first, without control-log; then the SA
	 * goes with its events */
	list_sas(&ctl, &r, NULL, NULL);
	assert_int_equal(r.events, 1);
	event_msg(&r, 0, &pkt);
	first_section(&pkt, conn, sizeof(conn));
	result_free(&r);
	terminate(&ctl, &r, "ike", conn, "timeout", "-1");
	assert_string_equal(reply_find(&r, "success"), "yes");
	assert_int_equal(r.events, 0);
	result_free(&r);
	expect_down(&mon, "ike-updown", "DELETING", NULL);
	list_sas(&ctl, &r, NULL, NULL);
	assert_int_equal(r.events, 0);
	result_free(&r);

	/* nothing left to match */
	terminate(&ctl, &r, "ike", conn, NULL, NULL);
	assert_string_equal(reply_find(&r, "success"), "no");
	assert_string_equal(reply_find(&r, "matches"), "0");
	assert_string_equal(reply_find(&r, "terminated"), "0");
	assert_string_equal(reply_find(&r, "errmsg"), "no matching SAs to terminate found");
	result_free(&r);

	cli_close(&ctl);
	cli_close(&mon);
	sim_stop(&s);
}

/* An IKEv1 SA goes as charon's task_manager_v1.c takes it down: a quick
 * delete per CHILD SA (child-updown DELETED while the IKE SA is still
 * ESTABLISHED), then the ISAKMP delete (ike-updown), and no "IKE_SA
 * deleted" (as the lab's IKEv1 connection shows). */
static void test_terminate_ikev1(void **state)
{
	struct sim s;
	struct cli ctl, mon;
	struct result r;
	struct vici_packet pkt;
	char log[4096], conn[64], path[300], id[16] = "";

	sim_start(&s, false, "--ike", "7", "--children", "1", NULL);
	open_ctl_mon(&s, &ctl, &mon);
	list_sas(&ctl, &r, NULL, NULL);
	for (unsigned i = 0; i < r.events && !id[0]; i++) {
		event_msg(&r, i, &pkt);
		first_section(&pkt, conn, sizeof(conn));
		snprintf(path, sizeof(path), "%s.version", conn);
		if (!strcmp(find(pkt.msg, pkt.msg_len, path), "1")) {
			snprintf(path, sizeof(path), "%s.uniqueid", conn);
			snprintf(id, sizeof(id), "%s", find(pkt.msg, pkt.msg_len, path));
		}
	}
	result_free(&r);
	assert_true(id[0]); /* peer 6 of 7 speaks IKEv1 */
	terminate(&ctl, &r, "ike-id", id, NULL, NULL);
	assert_string_equal(reply_find(&r, "terminated"), "1");
	control_log(&r, log, sizeof(log));
	assert_memory_equal(log, "closing CHILD_SA ", 17);
	const char *esp = strstr(log, "\nsending DELETE for ESP CHILD_SA with SPI ");
	const char *ike = strstr(log, "\ndeleting IKE_SA ");
	assert_true(esp && ike && esp < ike);
	assert_non_null(strstr(ike, "\nsending DELETE for IKE_SA "));
	assert_null(strstr(log, "IKE_SA deleted"));
	assert_null(strstr(log, "CHILD_SA closed"));
	result_free(&r);
	expect_down(&mon, "child-updown", "ESTABLISHED", "DELETED");
	expect_down(&mon, "ike-updown", "DELETING", NULL);
	cli_close(&ctl);
	cli_close(&mon);
	sim_stop(&s);
}

/* "Mon DD HH:MM:SS YYYY" (strongSwan's %T) as local time. */
static time_t parse_since(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm = {.tm_isdst = -1};
	char mon[4];

	assert_int_equal(sscanf(s, "%3s %d %d:%d:%d %d", mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	                        &tm.tm_sec, &tm.tm_year),
	                 6);
	const char *m = strstr(months, mon);
	assert_non_null(m);
	tm.tm_mon = (int)(m - months) / 3;
	tm.tm_year -= 1900;
	return mktime(&tm);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* strongSwan's %V ("5 seconds", "3 minutes") in seconds. */
static long parse_running(const char *s)
{
	long n;
	char unit[16];

	assert_int_equal(sscanf(s, "%ld %15s", &n, unit), 2);
	if (!strncmp(unit, "minute", 6))
		return n * 60;
	if (!strncmp(unit, "hour", 4))
		return n * 3600;
	if (!strncmp(unit, "day", 3))
		return n * 86400;
	assert_memory_equal(unit, "second", 6);
	return n;
}

/* stats: uptime.since flips by one second from call to call as charon's
 * does (and never by more), uptime.running only grows; --steady-since
 * keeps since still. */
static void test_stats_since(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;
	time_t first = 0, lo = 0, hi = 0;
	long running = -1, running0 = -1;
	unsigned changes = 0;
	char prev[64] = "";

	sim_start(&s, false, NULL);
	cli_open(&c, &s);
	for (int i = 0; i < 20; i++) {
		cli_cmd(&c, "stats", NULL, &r);
		const char *since = reply_find(&r, "uptime.since");
		assert_non_null(since);
		time_t t = parse_since(since);
		long run = parse_running(reply_find(&r, "uptime.running"));

		if (i == 0) {
			first = lo = hi = t;
			running0 = run;
		}
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
		if (prev[0] && strcmp(prev, since) != 0)
			changes++;
		snprintf(prev, sizeof(prev), "%s", since);
		assert_true(run >= running);
		running = run;
		result_free(&r);
		sleep_ms(125);
	}
	assert_true(hi - lo <= 1);
	assert_true(changes >= 1);
	assert_true(running >= running0 + 2); /* 2.5 s went by */
	/* the start, not the time of the call */
	assert_true(labs((long)(first - time(NULL))) <= 5);
	cli_close(&c);
	sim_stop(&s);

	sim_start(&s, false, "--steady-since", NULL);
	cli_open(&c, &s);
	prev[0] = '\0';
	for (int i = 0; i < 12; i++) {
		cli_cmd(&c, "stats", NULL, &r);
		const char *since = reply_find(&r, "uptime.since");
		if (prev[0])
			assert_string_equal(since, prev);
		snprintf(prev, sizeof(prev), "%s", since);
		result_free(&r);
		sleep_ms(100);
	}
	cli_close(&c);
	sim_stop(&s);
}

/* SAs that come back up and rekeyed SAs get unique ids above the initial 50
 * (charon creates new IKE_SA objects); rekey events carry old and new. */
static void check_churn_event(const struct vici_packet *pkt)
{
	char name[256], path[300];
	const char *v;

	first_section(pkt, name, sizeof(name));
	if (strcmp(pkt->name, "ike-updown") == 0 && find(pkt->msg, pkt->msg_len, "up")) {
		snprintf(path, sizeof(path), "%s.uniqueid", name);
		v = find(pkt->msg, pkt->msg_len, path);
		assert_non_null(v);
		assert_true(atoi(v) > 50);
		snprintf(path, sizeof(path), "%s.state", name);
		assert_string_equal(find(pkt->msg, pkt->msg_len, path), "ESTABLISHED");
	} else if (strcmp(pkt->name, "ike-updown") == 0) {
		snprintf(path, sizeof(path), "%s.state", name);
		assert_string_equal(find(pkt->msg, pkt->msg_len, path), "DELETING");
	} else if (strcmp(pkt->name, "ike-rekey") == 0) {
		int o, n;

		snprintf(path, sizeof(path), "%s.old.uniqueid", name);
		o = atoi(find(pkt->msg, pkt->msg_len, path));
		snprintf(path, sizeof(path), "%s.new.uniqueid", name);
		n = atoi(find(pkt->msg, pkt->msg_len, path));
		assert_true(n > o && n > 50);
	} else if (strcmp(pkt->name, "child-rekey") == 0) {
		snprintf(path, sizeof(path), "%s.child-sas.net0.new.state", name);
		v = find(pkt->msg, pkt->msg_len, path);
		if (!v) {
			snprintf(path, sizeof(path), "%s.child-sas.net1.new.state", name);
			v = find(pkt->msg, pkt->msg_len, path);
		}
		assert_non_null(v);
		assert_string_equal(v, "INSTALLED");
	}
}

static void test_churn_and_log_flood(void **state)
{
	struct sim s;
	struct cli c;
	unsigned counts[5] = {0}, total = 0, flood = 0;
	const char *names[5] = {"ike-updown", "child-updown", "ike-rekey", "child-rekey", "log"};
	int64_t end;

	sim_start(&s, false, "--ike", "50", "--churn", "40", "--log-rate", "200", NULL);
	cli_open(&c, &s);
	for (int i = 0; i < 5; i++)
		cli_register(&c, names[i], VICI_EVENT_CONFIRM);
	end = now_ms() + 1500;
	while (now_ms() < end) {
		uint8_t *p;
		size_t n;
		struct vici_packet pkt;

		if (cli_recv(&c, (int)(end - now_ms()), &p, &n) != 1)
			break;
		assert_int_equal(vici_packet_parse(p, n, &pkt), 0);
		assert_int_equal(pkt.type, VICI_EVENT);
		assert_int_equal(vici_message_validate(pkt.msg, pkt.msg_len), 0);
		for (int i = 0; i < 5; i++)
			if (strcmp(pkt.name, names[i]) == 0)
				counts[i]++;
		total++;
		check_churn_event(&pkt);
		/* the flood's lines, not the ones churn logs about its SAs */
		if (strcmp(pkt.name, "log") == 0 &&
		    !strstr(find(pkt.msg, pkt.msg_len, "msg"), "_SA"))
			flood++;
		free(p);
	}
	for (int i = 0; i < 5; i++)
		assert_true(counts[i] > 0);
	/* about 300 flood lines in 1.5 s at 200/s */
	assert_true(flood >= 200 && flood <= 400);
	assert_true(total > 300);
	cli_close(&c);
	sim_stop(&s);
}

static void test_delay(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;
	int64_t t0;

	sim_start(&s, false, "--delay", "300", NULL);
	cli_open(&c, &s);
	t0 = now_ms();
	cli_cmd(&c, "version", NULL, &r);
	assert_true(now_ms() - t0 >= 290);
	result_free(&r);
	cli_close(&c);
	sim_stop(&s);
}

/* Under fault, packet (type, name) and the command behind it are never
 * answered on their connection, while another connection is still served. */
static void check_stalls(const char *fault, enum vici_packet_type type, const char *name,
                         const char *behind)
{
	struct sim s;
	struct cli c, d;
	struct result r;

	sim_start(&s, false, "--fault", fault, NULL);
	cli_open(&c, &s);
	cli_send(&c, type, name, NULL);
	cli_send(&c, VICI_CMD_REQUEST, behind, NULL);
	assert_int_equal(cli_wait(&c, 500, &r), 0);
	cli_open(&d, &s);
	cli_cmd(&d, "stats", NULL, &r);
	assert_int_equal(r.type, VICI_CMD_RESPONSE);
	result_free(&r);
	cli_close(&c);
	cli_close(&d);
	sim_stop(&s);
}

static void test_fault_hang(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;

	check_stalls("hang=version", VICI_CMD_REQUEST, "version", "stats");
	check_stalls("hang=register", VICI_EVENT_REGISTER, "log", "version");

	sim_start(&s, false, "--fault", "hang", NULL);
	cli_open(&c, &s);
	cli_send(&c, VICI_EVENT_REGISTER, "log", NULL);
	assert_int_equal(cli_wait(&c, 400, &r), 0);
	cli_close(&c);
	sim_stop(&s);

	/* hang=register:EVENT: only that event's registration hangs */
	sim_start(&s, false, "--fault", "hang=register:ike-updown", NULL);
	cli_open(&c, &s);
	cli_register(&c, "log", VICI_EVENT_CONFIRM);
	cli_send(&c, VICI_EVENT_REGISTER, "ike-updown", NULL);
	assert_int_equal(cli_wait(&c, 400, &r), 0);
	cli_close(&c);
	sim_stop(&s);
}

static void test_fault_close_after(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;
	struct vici_builder b;

	sim_start(&s, false, "--ike", "100", "--fault", "close-after=5", NULL);
	cli_open(&c, &s);
	cli_register(&c, "list-sa", VICI_EVENT_CONFIRM);
	vici_builder_init(&b);
	vici_builder_add_str(&b, "noblock", "yes");
	cli_send(&c, VICI_CMD_REQUEST, "list-sas", &b);
	assert_int_equal(cli_wait(&c, 5000, &r), -EPIPE);
	assert_int_equal(r.events, 5);
	result_free(&r);
	cli_close(&c);
	sim_stop(&s);
}

static void test_fault_oversized_malformed(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;
	uint8_t *p;
	size_t n;

	sim_start(&s, false, "--fault", "oversized=stats,malformed=version", NULL);
	cli_open(&c, &s);
	cli_cmd(&c, "version", NULL, &r);
	assert_int_equal(r.type, VICI_CMD_RESPONSE);
	assert_int_equal(vici_message_validate(r.pkt.msg, r.pkt.msg_len), -EBADMSG);
	result_free(&r);
	cli_send(&c, VICI_CMD_REQUEST, "stats", NULL);
	assert_int_equal(cli_recv(&c, 5000, &p, &n), -EMSGSIZE);
	cli_close(&c);
	sim_stop(&s);
}

static bool has_control(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0x1b || p[i] == 0x9b || p[i] == 0xff)
			return true;
	return false;
}

static void test_fault_hostile(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;
	unsigned hostile = 0;
	int64_t end;

	sim_start(&s, false, "--ike", "12", "--fault", "hostile", "--log-rate", "100", NULL);
	cli_open(&c, &s);
	cli_register(&c, "list-sa", VICI_EVENT_CONFIRM);
	list_sas(&c, &r, NULL, NULL);
	assert_int_equal(r.events, 12);
	for (unsigned i = 0; i < r.events; i++) {
		struct vici_packet pkt;

		event_msg(&r, i, &pkt);
		assert_int_equal(vici_message_validate(pkt.msg, pkt.msg_len), 0);
		hostile += has_control(pkt.msg, pkt.msg_len);
	}
	assert_true(hostile >= 6);
	result_free(&r);

	hostile = 0;
	cli_register(&c, "log", VICI_EVENT_CONFIRM);
	end = now_ms() + 1000;
	while (now_ms() < end) {
		uint8_t *p;
		size_t n;

		if (cli_recv(&c, (int)(end - now_ms()), &p, &n) != 1)
			break;
		hostile += has_control(p, n);
		free(p);
	}
	assert_true(hostile > 0);
	cli_close(&c);
	sim_stop(&s);
}

static void test_fault_stuck_noblock(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;

	sim_start(&s, false, "--ike", "10", "--fault", "stuck", NULL);
	cli_open(&c, &s);
	cli_register(&c, "list-sa", VICI_EVENT_CONFIRM);
	list_sas(&c, &r, NULL, NULL);
	assert_int_equal(r.events, 9);
	result_free(&r);
	cli_send(&c, VICI_CMD_REQUEST, "list-sas", NULL);
	assert_int_equal(cli_wait(&c, 500, &r), 0);
	cli_close(&c);
	sim_stop(&s);
}

static void test_tcp(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;

	sim_start(&s, true, NULL);
	assert_memory_equal(s.uri, "tcp://127.0.0.1:", 16);
	cli_open(&c, &s);
	cli_cmd(&c, "version", NULL, &r);
	assert_string_equal(reply_find(&r, "version"), "5.9.8");
	result_free(&r);
	cli_close(&c);
	sim_stop(&s);
}

static void test_oversized_request_closes(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;
	const uint8_t hdr[4] = {0, 8, 0, 1}; /* 524289 */

	sim_start(&s, false, NULL);
	cli_open(&c, &s);
	cli_send_raw(&c, hdr, 4);
	assert_int_equal(cli_wait(&c, 5000, &r), -EPIPE);
	cli_close(&c);
	sim_stop(&s);
}

static void test_sa_cost_does_not_block_others(void **state)
{
	struct sim s;
	struct cli a, b;
	struct result r;
	struct vici_builder bl;
	int64_t t0, t1;

	/* 20 SAs at 25 ms each: list-sas takes about half a second */
	sim_start(&s, false, "--ike", "20", "--sa-cost", "25000", NULL);
	cli_open(&a, &s);
	cli_open(&b, &s);
	cli_register(&a, "list-sa", VICI_EVENT_CONFIRM);
	t0 = now_ms();
	vici_builder_init(&bl);
	vici_builder_add_str(&bl, "noblock", "yes");
	cli_send(&a, VICI_CMD_REQUEST, "list-sas", &bl);
	cli_cmd(&b, "version", NULL, &r);
	t1 = now_ms();
	assert_true(t1 - t0 < 250);
	result_free(&r);
	assert_int_equal(cli_wait(&a, 5000, &r), 1);
	assert_int_equal(r.events, 20);
	assert_true(now_ms() - t0 >= 450);
	result_free(&r);
	cli_close(&a);
	cli_close(&b);
	sim_stop(&s);
}

static int run_status(const char *args)
{
	char cmd[4400];
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", vicisim_path(), args);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_command_line(void **state)
{
	char cmd[4200], buf[256] = "";
	struct sim s;
	int status;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s --help", vicisim_path());
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	while (fgetc(f) != EOF) {
	}
	assert_int_equal(pclose(f), 0);
	assert_memory_equal(buf, "usage: vicisim", 14);

	assert_int_equal(run_status("--socket /nonexistent/x --ike many"), 2);
	assert_int_equal(run_status("--socket /nonexistent/x --fault nosuch"), 2);
	assert_int_equal(run_status("--socket /nonexistent/x --fault close-after=0"), 2);
	assert_int_equal(run_status("--socket /nonexistent/x --fault hang=register:"), 2);
	assert_int_equal(run_status(""), 2);
	assert_int_equal(run_status("--socket /x --tcp 127.0.0.1:0"), 2);
	assert_int_equal(run_status("--socket /nonexistent/x"), 1);

	/* SIGINT stops it as cleanly as SIGTERM */
	sim_start(&s, false, NULL);
	for (int i = 0; i < 4; i++)
		if (live[i] == &s)
			live[i] = NULL;
	kill(s.pid, SIGINT);
	assert_int_equal(waitpid(s.pid, &status, 0), s.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(access(s.path, F_OK), -1);
	rmdir(s.dir);
}

/* swanctl --uri against vicisim: the real client lists what vicisim serves. */
static char *run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *run(const char *fmt, ...)
{
	char cmd[1024], *out = NULL;
	size_t len = 0, cap = 0;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			out = xrealloc(out, cap);
		}
		size_t n = fread(out + len, 1, cap - len - 1, f);
		if (n == 0)
			break;
		len += n;
	}
	out[len] = '\0';
	assert_int_equal(pclose(f), 0);
	return out;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_swanctl(void **state)
{
	struct sim s;
	struct cli c;
	struct result r;
	struct vici_packet pkt;
	char *out, spi[16], line[128];
	unsigned long long b0, b1, shown;
	const char *p;

	if (access("/usr/sbin/swanctl", X_OK) != 0 && system("command -v swanctl >/dev/null") != 0)
		skip();
	sim_start(&s, false, "--ike", "40", "--children", "2", "--conns", "4", NULL);
	cli_open(&c, &s);
	cli_register(&c, "list-sa", VICI_EVENT_CONFIRM);

	list_sas(&c, &r, "ike-id", "2");
	event_msg(&r, 0, &pkt);
	b0 = strtoull(find(pkt.msg, pkt.msg_len, "conn1.child-sas.net0-3.bytes-in"), NULL, 10);
	snprintf(spi, sizeof(spi), "%s",
	         find(pkt.msg, pkt.msg_len, "conn1.child-sas.net0-3.spi-in"));
	result_free(&r);

	out = run("swanctl --list-sas --uri %s 2>/dev/null", s.uri);
	assert_int_equal(count(out, ", ESTABLISHED, IKEv"), 40);
	assert_int_equal(count(out, "\nconn1: #"), 10);
	assert_int_equal(count(out, "conn3: #"), 10);
	assert_int_equal(count(out, ", INSTALLED, TUNNEL"), 80);
	/* the counter swanctl shows lies between what we saw before and after */
	snprintf(line, sizeof(line), "in  %s, ", spi);
	p = strstr(out, line);
	assert_non_null(p);
	shown = strtoull(p + strlen(line), NULL, 10);
	list_sas(&c, &r, "ike-id", "2");
	event_msg(&r, 0, &pkt);
	b1 = strtoull(find(pkt.msg, pkt.msg_len, "conn1.child-sas.net0-3.bytes-in"), NULL, 10);
	result_free(&r);
	assert_true(b0 > 0 && b0 <= shown && shown <= b1);
	free(out);

	out = run("swanctl --list-sas --raw --uri %s 2>/dev/null", s.uri);
	assert_int_equal(count(out, "list-sa event {"), 40);
	free(out);

	out = run("swanctl --list-conns --uri %s 2>/dev/null", s.uri);
	assert_int_equal(count(out, ": IKEv2, no reauthentication, rekeying every 14400s"), 4);
	assert_non_null(strstr(out, "conn2: IKEv2"));
	assert_int_equal(count(out, "  net1: TUNNEL, rekeying every 3600s"), 4);
	free(out);

	out = run("swanctl --list-pols --uri %s 2>/dev/null", s.uri);
	assert_non_null(strstr(out, "conn0/net0, TUNNEL"));
	assert_non_null(strstr(out, "bypass-lan, PASS"));
	free(out);

	out = run("swanctl --stats --uri %s 2>/dev/null", s.uri);
	assert_non_null(strstr(out, "IKE_SAs: 40 total, 0 half-open"));
	assert_non_null(strstr(out, "worker threads: 16 total"));
	free(out);

	out = run("swanctl --version --daemon --uri %s 2>/dev/null", s.uri);
	assert_non_null(strstr(out, "strongSwan 5.9.8 charon ("));
	free(out);

	/* swanctl --terminate streams control-log and takes the SA down */
	out = run("swanctl --terminate --ike-id 7 --uri %s 2>&1", s.uri);
	assert_non_null(strstr(out, "terminate completed successfully"));
	assert_non_null(strstr(out, "[IKE] deleting IKE_SA conn2[7]"));
	free(out);
	out = run("swanctl --list-sas --uri %s 2>/dev/null", s.uri);
	assert_int_equal(count(out, ", ESTABLISHED, IKEv"), 39);
	free(out);

	cli_close(&c);
	sim_stop(&s);
}

/* Every test kills the simulators an assertion left behind. */
#define TEST(f) cmocka_unit_test_teardown(f, teardown_kill)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        TEST(test_protocol_rules),
	        TEST(test_pipelining_and_clients),
	        TEST(test_content_and_filters),
	        TEST(test_terminate_initiate),
	        TEST(test_terminate_like_charon),
	        TEST(test_terminate_ikev1),
	        TEST(test_stats_since),
	        TEST(test_churn_and_log_flood),
	        TEST(test_delay),
	        TEST(test_fault_hang),
	        TEST(test_fault_close_after),
	        TEST(test_fault_oversized_malformed),
	        TEST(test_fault_hostile),
	        TEST(test_fault_stuck_noblock),
	        TEST(test_tcp),
	        TEST(test_oversized_request_closes),
	        TEST(test_sa_cost_does_not_block_others),
	        TEST(test_command_line),
	        TEST(test_swanctl),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
