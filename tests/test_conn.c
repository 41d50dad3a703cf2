/*
 * Tests of the conn layer: URI parsing, error texts, connect errors for real
 * (missing socket, refused), and byte transport against the fake server
 * (unix, tcp on 127.0.0.1 and [::1], host names, tiny pieces, big frames,
 * oversized frames, EOF), and reading in steps: one step per handle(), the
 * rest by the pulls (edge-triggered hosts), frames of unpulled steps kept,
 * the write held back until the socket is read dry, EOF and oversized frames
 * found by a pull.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "fakevici.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

static void test_uri_parse(void **state)
{
	struct vici_uri u;
	assert_int_equal(vici_uri_parse("unix:///var/run/charon.vici", &u), 0);
	assert_int_equal(u.kind, VICI_URI_UNIX);
	assert_string_equal(u.path, "/var/run/charon.vici");

	assert_int_equal(vici_uri_parse("tcp://127.0.0.1:4502", &u), 0);
	assert_int_equal(u.kind, VICI_URI_TCP);
	assert_string_equal(u.host, "127.0.0.1");
	assert_string_equal(u.port, "4502");
	assert_true(u.numeric);

	assert_int_equal(vici_uri_parse("tcp://[::1]:4502", &u), 0);
	assert_string_equal(u.host, "::1");
	assert_true(u.numeric);

	assert_int_equal(vici_uri_parse("tcp://vpn.example.org:65535", &u), 0);
	assert_string_equal(u.host, "vpn.example.org");
	assert_false(u.numeric);

	static const char *const bad[] = {
	        "",
	        "unix://relative/path",
	        "unix://",
	        "http://x:1",
	        "tcp://host",
	        "tcp://host:",
	        "tcp://host:0",
	        "tcp://host:65536",
	        "tcp://host:12a",
	        "tcp://:4502",
	        "tcp://::1:4502",
	        "tcp://[::1:4502",
	        "tcp://[::1]4502",
	        "tcp://[nothex]:4502",
	        "tcp://a b:1",
	        "/var/run/charon.vici",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (vici_uri_parse(bad[i], &u) != -EINVAL)
			fail_msg("accepted bad URI '%s'", bad[i]);
	}
	char longpath[200];
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "unix:///", 8);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(vici_uri_parse(longpath, &u), -EINVAL);
	assert_string_equal(vici_default_uri, "unix:///var/run/charon.vici");
}

static void assert_text(int err, const char *uri, const char *expect)
{
	char *s = vici_strerror_uri(err, uri);
	if (strcmp(s, expect) != 0)
		fail_msg("err %d: got '%s', want '%s'", err, s, expect);
	free(s);
}

static void test_error_texts(void **state)
{
	assert_text(-ENOENT, "unix:///x",
	            "cannot connect to unix:///x: no such socket (is charon running? is the vici "
	            "plugin loaded?)");
	assert_text(-EACCES, "unix:///var/run/charon.vici",
	            "cannot connect to unix:///var/run/charon.vici: permission denied (run as root "
	            "or as a member of the group that owns /var/run/charon.vici)");
	assert_text(-ECONNREFUSED, "unix:///x",
	            "cannot connect to unix:///x: connection refused (a stale socket: is charon "
	            "running?)");
	assert_text(-ECONNREFUSED, "tcp://127.0.0.1:4502",
	            "cannot connect to tcp://127.0.0.1:4502: connection refused (is charon's vici "
	            "plugin listening there?)");
	assert_text(-ETIMEDOUT, "tcp://10.1.2.3:4502",
	            "cannot connect to tcp://10.1.2.3:4502: timed out");
	assert_text(-ECONNRESET, "unix:///x", "connection to unix:///x reset by charon");
	assert_text(-EPIPE, "unix:///x", "connection to unix:///x closed by charon");
	assert_text(-EINVAL, "foo://bar",
	            "invalid VICI URI 'foo://bar' (expected unix:///path or tcp://host:port)");
	/* An escape sequence in a URI must not reach the terminal. */
	assert_text(-EINVAL, "\x1b[31mred",
	            "invalid VICI URI '?[31mred' (expected unix:///path or tcp://host:port)");
}

/* ---- real connects ---- */

static void test_missing_socket(void **state)
{
	char dir[] = "/tmp/test-conn.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *uri = xasprintf("unix://%s/nothere.vici", dir);
	struct vici_conn *c = vici_conn_new(uri);
	assert_int_equal(vici_conn_connect(c), -ENOENT);
	assert_int_equal(vici_conn_state(c), VICI_CONN_CLOSED);
	assert_int_equal(vici_conn_fd(c), -1);
	assert_int_equal(vici_conn_events(c), 0);
	assert_non_null(strstr(vici_conn_error(c), "no such socket (is charon running?"));
	assert_non_null(strstr(vici_conn_error(c), uri));
	assert_int_equal(vici_conn_send(c, VICI_CMD_REQUEST, "version", NULL, 0), -ENOTCONN);
	assert_int_equal(vici_conn_handle(c, POLLIN), -ENOTCONN);
	vici_conn_free(c);
	free(uri);
	rmdir(dir);
}

static void test_refused(void **state)
{
	/* A socket file nobody listens on: what a crashed charon leaves. */
	char dir[] = "/tmp/test-conn.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/stale.vici", dir);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	char *uri = xasprintf("unix://%s", path);
	struct vici_conn *c = vici_conn_new(uri);
	assert_int_equal(vici_conn_connect(c), -ECONNREFUSED);
	assert_non_null(strstr(vici_conn_error(c), "connection refused"));
	vici_conn_free(c);
	unlink(path);
	rmdir(dir);
	free(path);
	free(uri);
}

static void test_invalid_uri(void **state)
{
	struct vici_conn *c = vici_conn_new("tcp://nowhere");
	assert_int_equal(vici_conn_connect(c), -EINVAL);
	assert_non_null(strstr(vici_conn_error(c), "invalid VICI URI 'tcp://nowhere'"));
	vici_conn_free(c);
}

static void test_unresolvable(void **state)
{
	struct vici_conn *c = vici_conn_new("tcp://no-such-host.invalid:4502");
	assert_int_equal(vici_conn_connect(c), -ENXIO);
	assert_non_null(strstr(vici_conn_error(c), "cannot resolve 'no-such-host.invalid'"));
	vici_conn_free(c);
}

static void test_backlog_full(void **state)
{
	/* A unix listener that never accepts: once its queue is full, a
	 * non-blocking connect fails with EAGAIN, which gets its own words. */
	char dir[] = "/tmp/test-conn.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/busy.vici", dir);
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	char *uri = xasprintf("unix://%s", path);
	struct vici_conn *conns[64];
	int n = 0, r = 0;
	for (; n < 64; n++) {
		conns[n] = vici_conn_new(uri);
		r = vici_conn_connect(conns[n]);
		if (r < 0)
			break;
	}
	if (n == 64) {
		n--;
		r = 0;
	}
	assert_int_equal(r, -EAGAIN);
	assert_non_null(strstr(vici_conn_error(conns[n]), "not accepting connections"));
	for (int i = 0; i <= n; i++)
		vici_conn_free(conns[i]);
	close(lfd);
	unlink(path);
	rmdir(dir);
	free(path);
	free(uri);
}

/* ---- transport against the fake server ---- */

/* Drives c until a payload arrives, the conn fails or 3 s pass. Returns 0
 * with the payload, or the error. */
static int pump_recv(struct vici_conn *c, uint8_t **payload, size_t *len)
{
	for (int i = 0; i < 300; i++) {
		if (vici_conn_recv(c, payload, len) == 0)
			return 0;
		struct pollfd p = {.fd = vici_conn_fd(c), .events = vici_conn_events(c)};
		int n = poll(&p, 1, 10);
		int r = vici_conn_handle(c, n > 0 ? p.revents : 0);
		if (vici_conn_recv(c, payload, len) == 0)
			return 0;
		if (r < 0)
			return r;
	}
	return -ETIMEDOUT;
}

static void flush(struct vici_conn *c)
{
	for (int i = 0;
	     i < 300 && (vici_conn_pending_out(c) || vici_conn_state(c) == VICI_CONN_CONNECTING);
	     i++) {
		struct pollfd p = {.fd = vici_conn_fd(c), .events = vici_conn_events(c)};
		int n = poll(&p, 1, 10);
		assert_int_equal(vici_conn_handle(c, n > 0 ? p.revents : 0), 0);
	}
	assert_int_equal(vici_conn_pending_out(c), 0);
}

static void roundtrip(struct fakevici *f, const char *uri)
{
	static const uint8_t body[] = {3, 1, 'v', 0, 2, 'o', 'k'}; /* v=ok */
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fakevici_reply(f, body, sizeof(body));
	fakevici_expect_eof(f);
	fakevici_start(f);

	struct vici_conn *c = vici_conn_new(uri);
	assert_int_equal(vici_conn_connect(c), 0);
	assert_int_equal(vici_conn_send(c, VICI_CMD_REQUEST, "version", NULL, 0), 0);
	assert_true(vici_conn_events(c) & POLLOUT);
	uint8_t *p;
	size_t len;
	assert_int_equal(pump_recv(c, &p, &len), 0);
	assert_int_equal(len, 1 + sizeof(body));
	assert_int_equal(p[0], VICI_CMD_RESPONSE);
	assert_memory_equal(p + 1, body, sizeof(body));
	free(p);
	assert_int_equal(vici_conn_state(c), VICI_CONN_UP);
	assert_int_equal(vici_conn_events(c), POLLIN);
	vici_conn_free(c);
	if (fakevici_wait(f) != 0)
		fail_msg("%s", fakevici_error(f));
	assert_string_equal(fakevici_log(f), "accept\nCMD_REQUEST version\neof\n");
}

static void test_unix_roundtrip(void **state)
{
	struct fakevici *f = fakevici_new();
	roundtrip(f, fakevici_uri(f));
	fakevici_free(f);
}

static void test_tcp_ipv4(void **state)
{
	struct fakevici *f = fakevici_new_tcp("127.0.0.1");
	if (!f)
		skip();
	roundtrip(f, fakevici_uri(f));
	fakevici_free(f);
}

static void test_tcp_ipv6(void **state)
{
	struct fakevici *f = fakevici_new_tcp("::1");
	if (!f)
		skip(); /* no IPv6 loopback on this machine */
	assert_non_null(strstr(fakevici_uri(f), "tcp://[::1]:"));
	roundtrip(f, fakevici_uri(f));
	fakevici_free(f);
}

static void test_tcp_hostname(void **state)
{
	/* "localhost" may resolve to ::1 first: the conn must fall back to the
	 * next address when one is refused. */
	struct fakevici *f = fakevici_new_tcp("127.0.0.1");
	if (!f)
		skip();
	const char *port = strrchr(fakevici_uri(f), ':') + 1;
	char *uri = xasprintf("tcp://localhost:%s", port);
	roundtrip(f, uri);
	free(uri);
	fakevici_free(f);
}

static void test_tiny_pieces_and_batches(void **state)
{
	struct fakevici *f = fakevici_new();
	static const uint8_t body[] = {1, 3, 's', 'e', 'c', 3, 1, 'k', 0, 1, 'v', 2};
	fakevici_expect(f, VICI_CMD_REQUEST, "stats");
	fakevici_send_split(f, VICI_CMD_RESPONSE, NULL, body, sizeof(body), 1);
	/* Several frames in one write: the reader must split them. */
	uint8_t three[3 * 5];
	for (int i = 0; i < 3; i++) {
		uint8_t fr[5] = {0, 0, 0, 1, VICI_EVENT_CONFIRM};
		memcpy(three + 5 * i, fr, 5);
	}
	fakevici_raw(f, three, sizeof(three));
	fakevici_start(f);

	struct vici_conn *c = vici_conn_new(fakevici_uri(f));
	assert_int_equal(vici_conn_connect(c), 0);
	assert_int_equal(vici_conn_send(c, VICI_CMD_REQUEST, "stats", NULL, 0), 0);
	uint8_t *p;
	size_t len;
	assert_int_equal(pump_recv(c, &p, &len), 0);
	assert_int_equal(len, 1 + sizeof(body));
	assert_memory_equal(p + 1, body, sizeof(body));
	free(p);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pump_recv(c, &p, &len), 0);
		assert_int_equal(len, 1);
		assert_int_equal(p[0], VICI_EVENT_CONFIRM);
		free(p);
	}
	vici_conn_free(c);
	assert_int_equal(fakevici_wait(f), 0);
	fakevici_free(f);
}

static void test_big_frame_partial_writes(void **state)
{
	/* ~500 KiB does not fit a socket buffer: the conn must keep the offset
	 * of the partly written frame across handle() calls. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_CMD_REQUEST, "load-cert");
	fakevici_reply(f, NULL, 0);
	fakevici_expect_eof(f);
	fakevici_start(f);

	struct vici_builder b;
	vici_builder_init(&b);
	uint8_t *blob = xcalloc(1, 60000);
	for (int i = 0; i < 8; i++)
		vici_builder_add(&b, "data", blob, 60000);
	free(blob);
	uint8_t *msg;
	size_t mlen;
	assert_int_equal(vici_builder_finish(&b, &msg, &mlen), 0);

	struct vici_conn *c = vici_conn_new(fakevici_uri(f));
	assert_int_equal(vici_conn_connect(c), 0);
	assert_int_equal(vici_conn_send(c, VICI_CMD_REQUEST, "load-cert", msg, mlen), 0);
	assert_true(vici_conn_pending_out(c) > 480000);
	uint8_t *p;
	size_t len;
	assert_int_equal(pump_recv(c, &p, &len), 0);
	assert_int_equal(p[0], VICI_CMD_RESPONSE);
	free(p);
	assert_int_equal(vici_conn_pending_out(c), 0);
	/* And one too big for the protocol is refused before it is queued. */
	uint8_t *huge = xcalloc(1, VICI_FRAME_MAX);
	assert_int_equal(vici_conn_send(c, VICI_CMD_REQUEST, "x", huge, VICI_FRAME_MAX), -EMSGSIZE);
	free(huge);
	free(msg);
	vici_conn_free(c);
	assert_int_equal(fakevici_wait(f), 0);
	fakevici_free(f);
}

static void test_oversized_frame(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_oversized(f);
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_conn *c = vici_conn_new(fakevici_uri(f));
	assert_int_equal(vici_conn_connect(c), 0);
	uint8_t *p;
	size_t len;
	assert_int_equal(pump_recv(c, &p, &len), -EMSGSIZE);
	assert_int_equal(vici_conn_state(c), VICI_CONN_CLOSED);
	assert_non_null(strstr(vici_conn_error(c), "protocol error"));
	assert_non_null(strstr(vici_conn_error(c), "524289"));
	vici_conn_free(c);
	assert_int_equal(fakevici_wait(f), 0);
	fakevici_free(f);
}

static void test_eof_keeps_frames(void **state)
{
	/* A reply followed by a close: the reply must still be delivered. */
	struct fakevici *f = fakevici_new();
	fakevici_reply(f, NULL, 0);
	fakevici_close(f);
	fakevici_start(f);
	struct vici_conn *c = vici_conn_new(fakevici_uri(f));
	assert_int_equal(vici_conn_connect(c), 0);
	flush(c);
	assert_int_equal(fakevici_wait(f), 0);
	struct pollfd pfd = {.fd = vici_conn_fd(c), .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(vici_conn_handle(c, pfd.revents), -EPIPE);
	assert_non_null(strstr(vici_conn_error(c), "closed by charon"));
	uint8_t *p;
	size_t len;
	assert_int_equal(vici_conn_recv(c, &p, &len), 0);
	assert_int_equal(p[0], VICI_CMD_RESPONSE);
	free(p);
	assert_int_equal(vici_conn_recv(c, &p, &len), -EAGAIN);
	vici_conn_free(c);
	fakevici_free(f);
}

static void test_raw_send(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "log");
	fakevici_start(f);
	struct vici_conn *c = vici_conn_new(fakevici_uri(f));
	assert_int_equal(vici_conn_connect(c), 0);
	static const uint8_t raw[] = {0, 0, 0, 5, VICI_EVENT_REGISTER, 3, 'l', 'o', 'g'};
	assert_int_equal(vici_conn_send_raw(c, raw, sizeof(raw)), 0);
	assert_int_equal(vici_conn_send(c, VICI_CMD_REQUEST, "bad\nname", NULL, 0), -EINVAL);
	flush(c);
	assert_int_equal(fakevici_wait(f), 0);
	vici_conn_free(c);
	fakevici_free(f);
}

/* ---- reading in steps ---- */

/* More than two read steps (64 KiB) of frames, some spanning steps, small
 * enough to sit in a unix socket's buffer whole. */
static const size_t step_sizes[] = {100,  70000, 3,    0,    50000, 1000, 1000, 1000, 1000,
                                    1000, 1000,  1000, 1000, 1000,  1000, 7,    1};
#define N_STEP_FRAMES (sizeof(step_sizes) / sizeof(step_sizes[0]))

static uint8_t step_byte(size_t frame, size_t i)
{
	return (uint8_t)(i * 7 + frame * 13 + 1);
}

/* The frames of step_sizes as one byte stream (caller frees). */
static uint8_t *step_stream(size_t *total)
{
	size_t n = 0;
	for (size_t k = 0; k < N_STEP_FRAMES; k++)
		n += 4 + step_sizes[k];
	uint8_t *b = xmalloc(n), *w = b;
	for (size_t k = 0; k < N_STEP_FRAMES; k++) {
		size_t len = step_sizes[k];
		*w++ = (uint8_t)(len >> 24);
		*w++ = (uint8_t)(len >> 16);
		*w++ = (uint8_t)(len >> 8);
		*w++ = (uint8_t)len;
		for (size_t i = 0; i < len; i++)
			*w++ = step_byte(k, i);
	}
	*total = n;
	return b;
}

/* A fake daemon that sends `n` raw bytes (then closes, if asked) and a
 * connection to it. */
static struct vici_conn *serve_raw(struct fakevici **fp, const uint8_t *bytes, size_t n, bool close)
{
	struct fakevici *f = fakevici_new();
	fakevici_raw(f, bytes, n);
	if (close)
		fakevici_close(f);
	fakevici_start(f);
	struct vici_conn *c = vici_conn_new(fakevici_uri(f));
	assert_int_equal(vici_conn_connect(c), 0);
	*fp = f;
	return c;
}

static void check_step_frame(size_t k, const uint8_t *p, size_t len)
{
	assert_true(k < N_STEP_FRAMES);
	assert_non_null(p);
	assert_int_equal(len, step_sizes[k]);
	for (size_t i = 0; i < len; i++)
		if (p[i] != step_byte(k, i))
			fail_msg("frame %zu differs at byte %zu", k, i);
}

/* Waits until the conn's socket holds want bytes (the fake has written). */
static void wait_queued(struct vici_conn *c, size_t want)
{
	for (int i = 0; i < 300; i++) {
		int n = 0;
		assert_int_equal(ioctl(vici_conn_fd(c), FIONREAD, &n), 0);
		if ((size_t)n >= want)
			return;
		poll(NULL, 0, 10);
	}
	fail_msg("the fake server's bytes did not arrive");
}

/* One handle() reads one step; the pulls read the rest and then send what
 * handle() held back: an edge-triggered host (one handle() per wakeup, then
 * pull until -EAGAIN) sees every frame and writes. */
static void test_steps_edge_triggered(void **state)
{
	size_t total;
	uint8_t *bytes = step_stream(&total);
	struct fakevici *f = fakevici_new();
	fakevici_raw(f, bytes, total);
	fakevici_expect(f, VICI_CMD_REQUEST, "x");
	fakevici_start(f);
	struct vici_conn *c = vici_conn_new(fakevici_uri(f));
	assert_int_equal(vici_conn_connect(c), 0);
	assert_int_equal(vici_conn_state(c), VICI_CONN_UP);
	wait_queued(c, total);
	assert_int_equal(vici_conn_send(c, VICI_CMD_REQUEST, "x", NULL, 0), 0);
	assert_int_equal(vici_conn_handle(c, POLLIN | POLLOUT), 0);
	/* the socket still holds frames: they are read before anything is
	 * written */
	assert_true(vici_conn_pending_out(c) > 0);
	const uint8_t *p;
	size_t len, k = 0;
	int r;
	while ((r = vici_conn_next(c, &p, &len)) == 0)
		check_step_frame(k++, p, len);
	assert_int_equal(r, -EAGAIN);
	assert_int_equal(k, N_STEP_FRAMES);
	assert_int_equal(vici_conn_pending_out(c), 0);
	assert_int_equal(vici_conn_state(c), VICI_CONN_UP);
	if (fakevici_wait(f) != 0)
		fail_msg("%s", fakevici_error(f));
	assert_string_equal(fakevici_log(f), "accept\nCMD_REQUEST x\n");
	vici_conn_free(c);
	fakevici_free(f);
	free(bytes);
}

/* An EOF that a pull finds: the frames before it, then the error, once. */
static void test_steps_eof_found_by_pull(void **state)
{
	size_t total;
	uint8_t *bytes = step_stream(&total);
	struct fakevici *f;
	struct vici_conn *c = serve_raw(&f, bytes, total, true);
	assert_int_equal(fakevici_wait(f), 0); /* written and closed */
	assert_int_equal(vici_conn_handle(c, POLLIN), 0);
	uint8_t *p;
	size_t len, k = 0;
	int r;
	while ((r = vici_conn_recv(c, &p, &len)) == 0) {
		check_step_frame(k++, p, len);
		free(p);
	}
	assert_int_equal(k, N_STEP_FRAMES);
	assert_int_equal(r, -EPIPE);
	assert_int_equal(vici_conn_state(c), VICI_CONN_CLOSED);
	assert_non_null(strstr(vici_conn_error(c), "closed by charon"));
	assert_int_equal(vici_conn_recv(c, &p, &len), -EAGAIN);
	vici_conn_free(c);
	fakevici_free(f);
	free(bytes);
}

/* An oversized header in a later step: refused when that step is read. */
static void test_steps_oversized_found_by_pull(void **state)
{
	size_t total;
	uint8_t *bytes = step_stream(&total);
	static const uint8_t big[] = {0x00, 0x08, 0x00, 0x01, 1, 2, 3};
	bytes = xrealloc(bytes, total + sizeof(big));
	memcpy(bytes + total, big, sizeof(big));
	struct fakevici *f;
	struct vici_conn *c = serve_raw(&f, bytes, total + sizeof(big), false);
	wait_queued(c, total + sizeof(big));
	assert_int_equal(vici_conn_handle(c, POLLIN), 0);
	const uint8_t *p;
	size_t len, k = 0;
	int r;
	while ((r = vici_conn_next(c, &p, &len)) == 0)
		check_step_frame(k++, p, len);
	assert_int_equal(k, N_STEP_FRAMES);
	assert_int_equal(r, -EMSGSIZE);
	assert_int_equal(vici_conn_state(c), VICI_CONN_CLOSED);
	assert_non_null(strstr(vici_conn_error(c), "announced a frame of 524289"));
	assert_int_equal(vici_conn_next(c, &p, &len), -EAGAIN);
	vici_conn_free(c);
	assert_int_equal(fakevici_wait(f), 0);
	fakevici_free(f);
	free(bytes);
}

/* A host that calls handle() again and again without pulling loses nothing:
 * the frames of each step are kept, in order, for the pulls (next() and
 * recv() mixed). */
static void test_steps_unpulled_kept(void **state)
{
	size_t total;
	uint8_t *bytes = step_stream(&total);
	struct fakevici *f;
	struct vici_conn *c = serve_raw(&f, bytes, total, true);
	assert_int_equal(fakevici_wait(f), 0);
	int r = 0, handles = 0;
	while (r == 0 && handles < 100) {
		r = vici_conn_handle(c, POLLIN);
		handles++;
	}
	assert_int_equal(r, -EPIPE);
	assert_true(handles >= 2);
	size_t k = 0, len;
	for (;;) {
		const uint8_t *lent;
		uint8_t *own;
		if (k % 2) {
			if ((r = vici_conn_next(c, &lent, &len)) != 0)
				break;
			check_step_frame(k++, lent, len);
		} else {
			if ((r = vici_conn_recv(c, &own, &len)) != 0)
				break;
			check_step_frame(k++, own, len);
			free(own);
		}
	}
	/* the EOF was handle()'s to report */
	assert_int_equal(r, -EAGAIN);
	assert_int_equal(k, N_STEP_FRAMES);
	vici_conn_free(c);
	fakevici_free(f);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_uri_parse),
	        cmocka_unit_test(test_error_texts),
	        cmocka_unit_test(test_missing_socket),
	        cmocka_unit_test(test_refused),
	        cmocka_unit_test(test_invalid_uri),
	        cmocka_unit_test(test_unresolvable),
	        cmocka_unit_test(test_backlog_full),
	        cmocka_unit_test(test_unix_roundtrip),
	        cmocka_unit_test(test_tcp_ipv4),
	        cmocka_unit_test(test_tcp_ipv6),
	        cmocka_unit_test(test_tcp_hostname),
	        cmocka_unit_test(test_tiny_pieces_and_batches),
	        cmocka_unit_test(test_big_frame_partial_writes),
	        cmocka_unit_test(test_oversized_frame),
	        cmocka_unit_test(test_eof_keeps_frames),
	        cmocka_unit_test(test_raw_send),
	        cmocka_unit_test(test_steps_edge_triggered),
	        cmocka_unit_test(test_steps_eof_found_by_pull),
	        cmocka_unit_test(test_steps_oversized_found_by_pull),
	        cmocka_unit_test(test_steps_unpulled_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
