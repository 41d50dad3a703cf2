/*
 * Tests of the session layer against the scripted fake server: pipelining,
 * streamed commands and their (un)registration order, refcounted listeners,
 * events interleaved with commands, CMD_UNKNOWN, EVENT_UNKNOWN, deadlines
 * (late reply dropped, held-back writes, recycle after the grace period),
 * protocol errors, reconnect with re-registration, callbacks that cancel,
 * free, reconnect or call vici_session_handle() again, a stream of many read
 * steps, the synchronous wrapper, the command table, deadlines of
 * (un)registrations (never confirmed, confirmed late), answered() and a
 * clock driven by the test.
 *
 * Callbacks append to one trace string ("a:ev list-sa;a:final 0 v=1;"), so
 * each test states the exact order of what its client saw.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fakevici.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

/* ---- helpers ---- */

static char trace[65536];

static void tr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void tr(const char *fmt, ...)
{
	size_t n = strlen(trace);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(trace + n, sizeof(trace) - n, fmt, ap);
	va_end(ap);
}

/* A message with one key "v". Caller frees. */
static uint8_t *msg_v(const char *v, size_t *len)
{
	struct vici_builder b;
	uint8_t *m;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "v", v);
	assert_int_equal(vici_builder_finish(&b, &m, len), 0);
	return m;
}

static void fake_reply_v(struct fakevici *f, const char *v)
{
	size_t len;
	uint8_t *m = msg_v(v, &len);
	fakevici_reply(f, m, len);
	free(m);
}

static void fake_event_v(struct fakevici *f, const char *name, const char *v)
{
	size_t len;
	uint8_t *m = msg_v(v, &len);
	fakevici_event(f, name, m, len);
	free(m);
}

static void trace_msg(const char *tag, int err, const struct vici_msg *m)
{
	const uint8_t *v;
	size_t vl;
	if (err < 0) {
		tr("%s:%s %d;", tag, m->final ? "final" : "ev", err);
		return;
	}
	if (!m->final || !strcmp(tag, "L")) {
		tr("%s:ev %s", tag, m->name);
	} else {
		tr("%s:final 0", tag);
	}
	if (m->data && vici_message_find(m->data, m->len, "v", &v, &vl) == 0)
		tr(" v=%.*s", (int)vl, (const char *)v);
	tr(";");
}

static void req_cb(void *ctx, int err, const struct vici_msg *m)
{
	trace_msg(ctx, err, m);
}

static void lis_cb(void *ctx, int err, const struct vici_msg *m)
{
	trace_msg(ctx, err, m);
}

static int ups, reconnects, downs;
static char last_down[512];

static void on_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	if (st == VICI_SESSION_DOWN) {
		downs++;
		snprintf(last_down, sizeof(last_down), "%s", msg);
	}
}

static void on_up(void *ctx, bool reconnected)
{
	ups++;
	if (reconnected)
		reconnects++;
}

static struct vici_session *session_for(struct fakevici *f)
{
	struct vici_session_config cfg = {
	        .uri = fakevici_uri(f),
	        .request_timeout_ms = 3000,
	        .backoff_min_ms = 50,
	        .backoff_max_ms = 200,
	        .on_state = on_state,
	        .on_up = on_up,
	};
	return vici_session_new(&cfg);
}

static void step(struct vici_session *s, int max_ms)
{
	int64_t now = vici_now_ms();
	int t = vici_session_poll_timeout(s, now, max_ms);
	struct pollfd p = {.fd = vici_session_fd(s), .events = vici_session_events(s)};
	int n = poll(&p, p.fd >= 0 ? 1 : 0, t);
	vici_session_handle(s, n > 0 ? p.revents : 0);
}

/* Runs the session until the trace contains needle, or fails after ms. */
static void run_until(struct vici_session *s, const char *needle, int ms)
{
	int64_t end = vici_now_ms() + ms;
	while (!strstr(trace, needle)) {
		if (vici_now_ms() >= end)
			fail_msg("waited %d ms for '%s'; trace: %s", ms, needle, trace);
		step(s, 20);
	}
}

static void run_for(struct vici_session *s, int ms)
{
	int64_t end = vici_now_ms() + ms;
	while (vici_now_ms() < end)
		step(s, (int)(end - vici_now_ms()));
}

static void wait_reconnect(struct vici_session *s)
{
	int64_t end = vici_now_ms() + 3000;
	while (reconnects == 0) {
		if (vici_now_ms() >= end)
			fail_msg("no reconnect; state %s: %s",
			         vici_session_state_name(vici_session_state(s)),
			         vici_session_error(s));
		step(s, 50);
	}
}

static void finish(struct fakevici *f, const char *log)
{
	if (fakevici_wait(f) != 0)
		fail_msg("fake server: %s; log:\n%s", fakevici_error(f), fakevici_log(f));
	if (log)
		assert_string_equal(fakevici_log(f), log);
}

static int setup(void **state)
{
	trace[0] = '\0';
	ups = reconnects = downs = 0;
	last_down[0] = '\0';
	return 0;
}

/* ---- tests ---- */

static void test_version(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_reply_v(f, "5.9.8");
	fakevici_expect_eof(f);
	fakevici_start(f);

	struct vici_session *s = session_for(f);
	assert_int_equal(vici_session_state(s), VICI_SESSION_UP); /* unix connects at once */
	struct vici_request *req = NULL;
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "a", &req), 0);
	assert_non_null(req);
	assert_int_equal(vici_session_pending(s), 1);
	run_until(s, "a:final", 2000);
	assert_string_equal(trace, "a:final 0 v=5.9.8;");
	assert_int_equal(ups, 1);
	assert_int_equal(reconnects, 0);
	assert_int_equal(vici_session_pending(s), 0);
	vici_session_free(s);
	finish(f, "accept\nCMD_REQUEST version\neof\n");
	fakevici_free(f);
}

static void test_pipelining(void **state)
{
	enum { N = 200 };
	struct fakevici *f = fakevici_new();
	/* The fake reads all N before answering any: they must all be in flight. */
	for (int i = 0; i < N; i++)
		fakevici_expect(f, VICI_CMD_REQUEST, i % 2 ? "stats" : "version");
	char v[16];
	for (int i = 0; i < N; i++) {
		snprintf(v, sizeof(v), "%d", i);
		fake_reply_v(f, v);
	}
	fakevici_expect_eof(f);
	fakevici_start(f);

	struct vici_session *s = session_for(f);
	static char tags[N][8];
	for (int i = 0; i < N; i++) {
		snprintf(tags[i], sizeof(tags[i]), "r%d", i);
		assert_int_equal(vici_session_call(s, i % 2 ? "stats" : "version", NULL, 0, NULL,
		                                   req_cb, tags[i], NULL),
		                 0);
	}
	run_until(s, "r199:final", 5000);
	char *expect = xcalloc(1, 65536);
	for (int i = 0; i < N; i++)
		sprintf(expect + strlen(expect), "r%d:final 0 v=%d;", i, i);
	assert_string_equal(trace, expect);
	free(expect);
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);
}

static void test_stream_with_interleaved_events(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "ike-updown");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_EVENT_REGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "list-sas");
	fake_event_v(f, "list-sa", "sa1");
	fake_event_v(f, "ike-updown", "up1"); /* an unrelated event mid-stream */
	fake_event_v(f, "list-sa", "sa2");
	fakevici_reply(f, NULL, 0);
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_event_v(f, "ike-updown", "up2"); /* while a command is pending */
	fake_reply_v(f, "v");
	fakevici_expect_eof(f);
	fakevici_start(f);

	struct vici_session *s = session_for(f);
	struct vici_listener *l = vici_session_listen(s, "ike-updown", lis_cb, "L");
	assert_non_null(l);
	assert_int_equal(vici_listener_state(l), VICI_LISTENER_PENDING);
	assert_int_equal(vici_session_call(s, "list-sas", NULL, 0, NULL, req_cb, "a", NULL), 0);
	run_until(s, "a:final", 2000);
	assert_int_equal(vici_listener_state(l), VICI_LISTENER_ACTIVE);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	assert_string_equal(trace, "a:ev list-sa v=sa1;L:ev ike-updown v=up1;a:ev list-sa v=sa2;"
	                           "a:final 0;L:ev ike-updown v=up2;b:final 0 v=v;");
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER ike-updown\nEVENT_REGISTER list-sa\nCMD_REQUEST "
	          "list-sas\nEVENT_UNREGISTER list-sa\nCMD_REQUEST version\neof\n");
	fakevici_free(f);
}

static void test_refcounted_registration(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "control-log");
	fakevici_confirm(f);
	/* initiate streams control-log: a listener already holds it, so no
	 * second REGISTER and no UNREGISTER after the reply. */
	fakevici_expect(f, VICI_CMD_REQUEST, "initiate");
	fake_event_v(f, "control-log", "line1");
	fake_reply_v(f, "yes");
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_event_v(f, "control-log", "outside");
	fake_reply_v(f, "v");
	/* The last of two listeners leaving: one UNREGISTER. */
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "control-log");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "stats");
	fake_reply_v(f, "s");
	fakevici_expect_eof(f);
	fakevici_start(f);

	struct vici_session *s = session_for(f);
	struct vici_listener *l1 = vici_session_listen(s, "control-log", lis_cb, "L");
	struct vici_listener *l2 = vici_session_listen(s, "control-log", lis_cb, "M");
	struct vici_call_opts o = {.timeout_ms = VICI_TIMEOUT_NONE};
	assert_int_equal(vici_session_call(s, "initiate", NULL, 0, &o, req_cb, "a", NULL), 0);
	run_until(s, "a:final", 2000);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	vici_listener_remove(l1);
	vici_listener_remove(l2);
	assert_int_equal(vici_session_call(s, "stats", NULL, 0, NULL, req_cb, "c", NULL), 0);
	run_until(s, "c:final", 2000);
	/* Stream events go to the request only; others to both listeners. */
	assert_string_equal(trace, "a:ev control-log v=line1;a:final 0 v=yes;"
	                           "L:ev control-log v=outside;M:ev control-log v=outside;"
	                           "b:final 0 v=v;c:final 0 v=s;");
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER control-log\nCMD_REQUEST initiate\nCMD_REQUEST "
	          "version\nEVENT_UNREGISTER control-log\nCMD_REQUEST stats\neof\n");
	fakevici_free(f);
}

static void test_two_streams_share_registration(void **state)
{
	/* Two list-sas pipelined: one REGISTER, one UNREGISTER after the last. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "list-sa");
	fakevici_expect(f, VICI_CMD_REQUEST, "list-sas");
	fakevici_expect(f, VICI_CMD_REQUEST, "list-sas");
	fakevici_confirm(f);
	fake_event_v(f, "list-sa", "1");
	fakevici_reply(f, NULL, 0);
	fake_event_v(f, "list-sa", "2");
	fakevici_reply(f, NULL, 0);
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect_eof(f);
	fakevici_start(f);

	struct vici_session *s = session_for(f);
	assert_int_equal(vici_session_call(s, "list-sas", NULL, 0, NULL, req_cb, "a", NULL), 0);
	assert_int_equal(vici_session_call(s, "list-sas", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	run_for(s, 100);
	assert_string_equal(trace, "a:ev list-sa v=1;a:final 0;b:ev list-sa v=2;b:final 0;");
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);
}

static void test_cmd_unknown(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_CMD_REQUEST, "no-such-command");
	fakevici_cmd_unknown(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_reply_v(f, "ok");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	assert_int_equal(vici_session_call(s, "no-such-command", NULL, 0, NULL, req_cb, "a", NULL),
	                 0);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	char expect[128];
	snprintf(expect, sizeof(expect), "a:final %d;b:final 0 v=ok;", -ENOSYS);
	assert_string_equal(trace, expect);
	assert_int_equal(vici_session_state(s), VICI_SESSION_UP);
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);
}

static const char *last_error_text;
static char error_text[512];

static void err_cb(void *ctx, int err, const struct vici_msg *m)
{
	trace_msg(ctx, err, m);
	if (err < 0) {
		snprintf(error_text, sizeof(error_text), "%s", m->error);
		last_error_text = error_text;
	}
}

static void test_event_unknown_not_fatal(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "alert");
	fakevici_event_unknown(f);
	fakevici_expect(f, VICI_EVENT_REGISTER, "ike-updown");
	fakevici_confirm(f);
	fake_event_v(f, "ike-updown", "x");
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_reply_v(f, "ok");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	struct vici_listener *la = vici_session_listen(s, "alert", err_cb, "A");
	struct vici_listener *lb = vici_session_listen(s, "ike-updown", lis_cb, "L");
	run_until(s, "L:ev", 2000);
	assert_int_equal(vici_listener_state(la), VICI_LISTENER_UNSUPPORTED);
	assert_int_equal(vici_listener_state(lb), VICI_LISTENER_ACTIVE);
	assert_string_equal(last_error_text, "event 'alert' is not supported by this daemon");
	/* A second listener for the same name hears it too, without a new REGISTER. */
	struct vici_listener *la2 = vici_session_listen(s, "alert", err_cb, "B");
	assert_int_equal(vici_listener_state(la2), VICI_LISTENER_UNSUPPORTED);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "c", NULL), 0);
	run_until(s, "c:final", 2000);
	char expect[256];
	snprintf(expect, sizeof(expect),
	         "A:final %d;L:ev ike-updown v=x;B:final %d;c:final 0 v=ok;", -ENOENT, -ENOENT);
	assert_string_equal(trace, expect);
	/* Removing listeners of an unsupported event sends no UNREGISTER. */
	vici_listener_remove(la);
	vici_listener_remove(la2);
	run_for(s, 50);
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER alert\nEVENT_REGISTER ike-updown\nCMD_REQUEST "
	          "version\neof\n");
	fakevici_free(f);
}

static void test_late_reply_dropped(void **state)
{
	/* a times out; its late reply must go nowhere, and b (sent before the
	 * timeout) and c (queued after it, held back until a's reply came) get
	 * their own replies. No reconnect. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_CMD_REQUEST, "stats");
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fakevici_delay(f, 400);
	fake_reply_v(f, "late-a");
	fake_reply_v(f, "b");
	fakevici_expect(f, VICI_CMD_REQUEST, "get-conns");
	fake_reply_v(f, "c");
	fakevici_expect_eof(f);
	fakevici_start(f);

	struct vici_session *s = session_for(f);
	struct vici_call_opts shortt = {.timeout_ms = 150};
	assert_int_equal(vici_session_call(s, "stats", NULL, 0, &shortt, err_cb, "a", NULL), 0);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "a:final", 1000);
	assert_non_null(strstr(last_error_text, "'stats' timed out after 150 ms"));
	assert_int_equal(vici_session_call(s, "get-conns", NULL, 0, NULL, req_cb, "c", NULL), 0);
	run_until(s, "c:final", 2000);
	char expect[256];
	snprintf(expect, sizeof(expect), "a:final %d;b:final 0 v=b;c:final 0 v=c;", -ETIMEDOUT);
	assert_string_equal(trace, expect);
	assert_int_equal(ups, 1);
	assert_int_equal(downs, 0);
	vici_session_free(s);
	/* get-conns went out only after the late reply: never into a stream
	 * that might be shifted. */
	finish(f, "accept\nCMD_REQUEST stats\nCMD_REQUEST version\nCMD_REQUEST get-conns\neof\n");
	fakevici_free(f);
}

static void test_late_stream_dropped(void **state)
{
	/* A streamed request times out: its stream events and reply are
	 * dropped, and the UNREGISTER still follows the late reply. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "list-conn");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "list-conns");
	fakevici_delay(f, 300);
	fake_event_v(f, "list-conn", "late");
	fakevici_reply(f, NULL, 0);
	/* version was queued (held back) before the late reply released the
	 * stream, so it goes out before the UNREGISTER. */
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "list-conn");
	fake_reply_v(f, "ok");
	fakevici_confirm(f);
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	struct vici_call_opts shortt = {.timeout_ms = 100};
	assert_int_equal(vici_session_call(s, "list-conns", NULL, 0, &shortt, req_cb, "a", NULL),
	                 0);
	run_until(s, "a:final", 1000);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	char expect[128];
	snprintf(expect, sizeof(expect), "a:final %d;b:final 0 v=ok;", -ETIMEDOUT);
	assert_string_equal(trace, expect);
	run_for(s, 50);
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);
}

static void test_stream_progress_extends_deadline(void **state)
{
	/* Six stream events 60 ms apart: the whole stream takes longer than
	 * the 150 ms deadline, but no gap does, so the request completes. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "list-sas");
	for (int i = 0; i < 6; i++) {
		fakevici_delay(f, 60);
		fake_event_v(f, "list-sa", "sa");
	}
	fakevici_delay(f, 60);
	fakevici_reply(f, NULL, 0);
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "list-sa");
	fakevici_confirm(f);
	/* Then a gap longer than the deadline: that one times out. */
	fakevici_expect(f, VICI_EVENT_REGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "list-sas");
	fake_event_v(f, "list-sa", "sa");
	fakevici_delay(f, 400);
	fakevici_reply(f, NULL, 0);
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	struct vici_call_opts shortt = {.timeout_ms = 150};
	assert_int_equal(vici_session_call(s, "list-sas", NULL, 0, &shortt, req_cb, "a", NULL), 0);
	run_until(s, "a:final", 2000);
	assert_string_equal(trace, "a:ev list-sa v=sa;a:ev list-sa v=sa;a:ev list-sa v=sa;"
	                           "a:ev list-sa v=sa;a:ev list-sa v=sa;a:ev list-sa v=sa;"
	                           "a:final 0;");
	trace[0] = '\0';
	assert_int_equal(vici_session_call(s, "list-sas", NULL, 0, &shortt, req_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	char expect[128];
	snprintf(expect, sizeof(expect), "b:ev list-sa v=sa;b:final %d;", -ETIMEDOUT);
	assert_string_equal(trace, expect);
	run_for(s, 500);
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);
}

static void test_held_back_request_times_out_unsent(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_CMD_REQUEST, "stats");
	fakevici_delay(f, 500);
	fake_reply_v(f, "late");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	struct vici_call_opts o = {.timeout_ms = 100};
	assert_int_equal(vici_session_call(s, "stats", NULL, 0, &o, req_cb, "a", NULL), 0);
	run_until(s, "a:final", 1000);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, &o, err_cb, "b", NULL), 0);
	run_until(s, "b:final", 1000);
	assert_non_null(strstr(last_error_text, "not sent: waiting for an earlier reply"));
	run_for(s, 600); /* the late reply comes and is dropped */
	assert_int_equal(vici_session_state(s), VICI_SESSION_UP);
	vici_session_free(s);
	finish(f, "accept\nCMD_REQUEST stats\neof\n");
	fakevici_free(f);
}

static void test_never_answers_recycles(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "log");
	fakevici_confirm(f);
	fakevici_hang(f); /* reads stats + version, answers nothing, until close */
	fakevici_accept(f);
	fakevici_expect(f, VICI_EVENT_REGISTER, "log"); /* re-registered */
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "get-pools");
	fake_reply_v(f, "ok");
	fakevici_expect_eof(f);
	fakevici_start(f);

	struct vici_session_config cfg = {
	        .uri = fakevici_uri(f),
	        .request_timeout_ms = 3000,
	        .grace_ms = 200,
	        .backoff_min_ms = 50,
	        .on_state = on_state,
	        .on_up = on_up,
	};
	struct vici_session *s = vici_session_new(&cfg);
	vici_session_listen(s, "log", lis_cb, "L");
	struct vici_call_opts o = {.timeout_ms = 150};
	assert_int_equal(vici_session_call(s, "stats", NULL, 0, &o, req_cb, "a", NULL), 0);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, err_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	assert_non_null(strstr(last_error_text, "recycled"));
	assert_non_null(strstr(last_down, "the reply to 'stats' did not come within 200 ms"));
	wait_reconnect(s);
	assert_int_equal(vici_session_call(s, "get-pools", NULL, 0, NULL, req_cb, "c", NULL), 0);
	run_until(s, "c:final", 2000);
	char expect[128];
	snprintf(expect, sizeof(expect), "a:final %d;b:final %d;c:final 0 v=ok;", -ETIMEDOUT,
	         -ECONNRESET);
	assert_string_equal(trace, expect);
	assert_int_equal(downs, 1);
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER log\nCMD_REQUEST stats\nCMD_REQUEST version\neof\n"
	          "accept\nEVENT_REGISTER log\nCMD_REQUEST get-pools\neof\n");
	fakevici_free(f);
}

static void test_close_mid_stream_and_reregister(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "ike-updown");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_EVENT_REGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "list-sas");
	fake_event_v(f, "list-sa", "1");
	fakevici_close(f);
	fakevici_accept(f);
	/* Only the listener's registration comes back, not the stream's. */
	fakevici_expect(f, VICI_EVENT_REGISTER, "ike-updown");
	fakevici_confirm(f);
	fake_event_v(f, "ike-updown", "after");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	struct vici_listener *l = vici_session_listen(s, "ike-updown", lis_cb, "L");
	assert_int_equal(vici_session_call(s, "list-sas", NULL, 0, NULL, err_cb, "a", NULL), 0);
	run_until(s, "a:final", 2000);
	assert_non_null(strstr(last_error_text, "closed by charon"));
	assert_int_equal(vici_session_state(s), VICI_SESSION_DOWN);
	int64_t retry = vici_session_retry_at(s);
	assert_true(retry > 0 && retry <= vici_now_ms() + 50);
	assert_non_null(strstr(vici_session_error(s), "closed by charon"));
	run_until(s, "L:ev ike-updown v=after", 2000);
	assert_int_equal(reconnects, 1);
	assert_int_equal(vici_listener_state(l), VICI_LISTENER_ACTIVE);
	char expect[128];
	snprintf(expect, sizeof(expect), "a:ev list-sa v=1;a:final %d;L:ev ike-updown v=after;",
	         -ECONNRESET);
	assert_string_equal(trace, expect);
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER ike-updown\nEVENT_REGISTER list-sa\nCMD_REQUEST "
	          "list-sas\naccept\nEVENT_REGISTER ike-updown\neof\n");
	fakevici_free(f);
}

static void test_grace_waits_behind_blocking_command(void **state)
{
	/* stats times out behind an initiate without deadline: the grace period
	 * must not run while the initiate is still the oldest, so no recycle. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "control-log");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "initiate");
	fakevici_expect(f, VICI_CMD_REQUEST, "stats");
	fakevici_delay(f, 700);
	fake_reply_v(f, "init");
	fake_reply_v(f, "late-stats");
	/* The UNREGISTER waited behind the abandoned stats (held back). */
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "control-log");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_reply_v(f, "ok");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session_config cfg = {
	        .uri = fakevici_uri(f),
	        .grace_ms = 200,
	        .on_state = on_state,
	        .on_up = on_up,
	};
	struct vici_session *s = vici_session_new(&cfg);
	struct vici_call_opts none = {.timeout_ms = VICI_TIMEOUT_NONE};
	struct vici_call_opts shortt = {.timeout_ms = 100};
	assert_int_equal(vici_session_call(s, "initiate", NULL, 0, &none, req_cb, "a", NULL), 0);
	assert_int_equal(vici_session_call(s, "stats", NULL, 0, &shortt, req_cb, "b", NULL), 0);
	run_until(s, "a:final", 2000);
	for (int i = 0; i < 100 && vici_session_pending(s) > 0; i++)
		step(s, 20);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "c", NULL), 0);
	run_until(s, "c:final", 2000);
	char expect[128];
	snprintf(expect, sizeof(expect), "b:final %d;a:final 0 v=init;c:final 0 v=ok;", -ETIMEDOUT);
	assert_string_equal(trace, expect);
	assert_int_equal(downs, 0);
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);
}

static void test_explicit_reconnect(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "ike-rekey");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "get-algorithms");
	fakevici_expect_eof(f);
	fakevici_accept(f);
	fakevici_expect(f, VICI_EVENT_REGISTER, "ike-rekey");
	fakevici_confirm(f);
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	vici_session_listen(s, "ike-rekey", lis_cb, "L");
	assert_int_equal(vici_session_call(s, "get-algorithms", NULL, 0, NULL, err_cb, "a", NULL),
	                 0);
	run_for(s, 100);
	assert_int_equal(vici_session_reconnect(s), 0);
	run_until(s, "a:final", 1000);
	assert_non_null(strstr(last_error_text, "reconnect requested"));
	wait_reconnect(s);
	run_for(s, 100);
	assert_int_equal(vici_session_state(s), VICI_SESSION_UP);
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER ike-rekey\nCMD_REQUEST get-algorithms\neof\naccept\n"
	          "EVENT_REGISTER ike-rekey\neof\n");
	fakevici_free(f);
}

/* Protocol errors: each closes the connection with "protocol error: ..."
 * and the session reconnects and works again. */
static void protocol_error_case(void (*script)(struct fakevici *), const char *what,
                                bool with_request)
{
	setup(NULL);
	struct fakevici *f = fakevici_new();
	if (with_request)
		fakevici_expect(f, VICI_CMD_REQUEST, "stats");
	script(f);
	fakevici_expect_eof(f);
	fakevici_accept(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_reply_v(f, "ok");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	if (with_request) {
		assert_int_equal(vici_session_call(s, "stats", NULL, 0, NULL, err_cb, "a", NULL),
		                 0);
		run_until(s, "a:final", 2000);
		assert_non_null(strstr(last_error_text, "protocol error"));
	}
	wait_reconnect(s);
	if (!strstr(last_down, "protocol error") || !strstr(last_down, what))
		fail_msg("down message '%s' lacks '%s'", last_down, what);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "b:final 0 v=ok", 2000);
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);
}

static void script_oversized(struct fakevici *f)
{
	fakevici_oversized(f);
}

static void script_bad_element(struct fakevici *f)
{
	static const uint8_t bad[] = {9, 1, 'x'};
	fakevici_reply(f, bad, sizeof(bad));
}

static void script_unclosed_section(struct fakevici *f)
{
	static const uint8_t bad[] = {1, 1, 's', 3, 1, 'k', 0, 0};
	fakevici_reply(f, bad, sizeof(bad));
}

static void script_unsolicited(struct fakevici *f)
{
	fakevici_reply(f, NULL, 0);
}

static void script_wrong_kind(struct fakevici *f)
{
	fakevici_confirm(f);
}

static void script_server_request(struct fakevici *f)
{
	fakevici_send(f, VICI_CMD_REQUEST, "version", NULL, 0);
}

static void script_bad_type(struct fakevici *f)
{
	static const uint8_t bad[] = {0, 0, 0, 1, 42};
	fakevici_raw(f, bad, sizeof(bad));
}

static void script_empty_frame(struct fakevici *f)
{
	static const uint8_t bad[] = {0, 0, 0, 0};
	fakevici_raw(f, bad, sizeof(bad));
}

static void script_bad_event_name(struct fakevici *f)
{
	static const uint8_t bad[] = {0, 0, 0, 4, VICI_EVENT, 2, 'a', 0x1b};
	fakevici_raw(f, bad, sizeof(bad));
}

static void test_protocol_errors(void **state)
{
	protocol_error_case(script_oversized, "524289", true);
	protocol_error_case(script_bad_element, "malformed message in the reply to 'stats'", true);
	protocol_error_case(script_unclosed_section, "malformed message", true);
	protocol_error_case(script_unsolicited, "CMD_RESPONSE with no request pending", false);
	protocol_error_case(script_wrong_kind,
	                    "EVENT_CONFIRM while waiting for the reply to 'stats'", true);
	protocol_error_case(script_server_request, "unexpected CMD_REQUEST packet", true);
	protocol_error_case(script_bad_type, "malformed packet", true);
	protocol_error_case(script_empty_frame, "malformed packet (0 bytes)", true);
	protocol_error_case(script_bad_event_name, "malformed packet", false);
}

static void test_tiny_pieces(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	size_t len;
	uint8_t *m = msg_v("pieces", &len);
	fakevici_send_split(f, VICI_CMD_RESPONSE, NULL, m, len, 1);
	free(m);
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "a", NULL), 0);
	run_until(s, "a:final", 2000);
	assert_string_equal(trace, "a:final 0 v=pieces;");
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);
}

static struct vici_request *to_cancel;

static void cancel_after_first(void *ctx, int err, const struct vici_msg *m)
{
	trace_msg(ctx, err, m);
	vici_request_cancel(to_cancel); /* its own handle, from inside */
}

static void test_cancel_stream_drains(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "list-sas");
	for (int i = 0; i < 5; i++)
		fake_event_v(f, "list-sa", "x");
	fakevici_reply(f, NULL, 0);
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_reply_v(f, "ok");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	assert_int_equal(vici_session_call(s, "list-sas", NULL, 0, NULL, cancel_after_first, "a",
	                                   &to_cancel),
	                 0);
	run_until(s, "a:ev", 2000);
	/* The cancelled stream still drains: pending until its reply came. */
	for (int i = 0; i < 100 && vici_session_pending(s) > 0; i++)
		step(s, 20);
	assert_int_equal(vici_session_pending(s), 0);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	assert_string_equal(trace, "a:ev list-sa v=x;b:final 0 v=ok;");
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);
}

static void test_cancel_before_send(void **state)
{
	/* Cancelled while still queued (held back behind an abandoned reply):
	 * never sent, and its stream registration, queued with it, is withdrawn
	 * before it reaches the wire. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_CMD_REQUEST, "stats");
	fakevici_delay(f, 300);
	fake_reply_v(f, "late");
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_reply_v(f, "ok");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	struct vici_call_opts o = {.timeout_ms = 100};
	assert_int_equal(vici_session_call(s, "stats", NULL, 0, &o, req_cb, "a", NULL), 0);
	run_until(s, "a:final", 1000);
	struct vici_request *r = NULL;
	assert_int_equal(vici_session_call(s, "list-sas", NULL, 0, NULL, req_cb, "x", &r), 0);
	assert_int_equal(vici_session_pending(s), 2);
	vici_request_cancel(r);
	assert_int_equal(vici_session_pending(s), 1);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	char expect[128];
	snprintf(expect, sizeof(expect), "a:final %d;b:final 0 v=ok;", -ETIMEDOUT);
	assert_string_equal(trace, expect);
	vici_session_free(s);
	finish(f, "accept\nCMD_REQUEST stats\nCMD_REQUEST version\neof\n");
	fakevici_free(f);
}

static struct vici_session *victim;

static void free_session_cb(void *ctx, int err, const struct vici_msg *m)
{
	trace_msg(ctx, err, m);
	vici_session_free(victim);
}

static void test_free_inside_callback(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "log");
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fakevici_expect(f, VICI_CMD_REQUEST, "stats");
	fakevici_confirm(f);
	fake_event_v(f, "log", "1");
	fake_reply_v(f, "v");
	fake_reply_v(f, "s");
	fakevici_expect_eof(f);
	fakevici_start(f);
	victim = session_for(f);
	vici_session_listen(victim, "log", lis_cb, "L");
	vici_session_call(victim, "version", NULL, 0, NULL, free_session_cb, "a", NULL);
	vici_session_call(victim, "stats", NULL, 0, NULL, req_cb, "b", NULL);
	for (int i = 0; i < 200 && !strstr(trace, "a:final"); i++)
		step(victim, 20);
	/* victim is gone now: no more callbacks, no use after free (ASan). */
	assert_string_equal(trace, "L:ev log v=1;a:final 0 v=v;");
	finish(f, NULL);
	fakevici_free(f);
}

/* The message a callback gets stays valid when a callback before it
 * reconnects (ASan would see a read of freed memory). */
static struct vici_session *subject;

static void reconnect_cb(void *ctx, int err, const struct vici_msg *m)
{
	trace_msg(ctx, err, m);
	if (err == 0)
		assert_int_equal(vici_session_reconnect(subject), 0);
}

static void test_reconnect_inside_callback(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "log");
	fakevici_confirm(f);
	fake_event_v(f, "log", "1");
	fakevici_expect_eof(f);
	fakevici_accept(f);
	fakevici_expect(f, VICI_EVENT_REGISTER, "log");
	fakevici_confirm(f);
	fakevici_expect_eof(f);
	fakevici_start(f);
	subject = session_for(f);
	vici_session_listen(subject, "log", reconnect_cb, "A");
	vici_session_listen(subject, "log", lis_cb, "B");
	run_until(subject, "B:ev", 2000);
	assert_string_equal(trace, "A:ev log v=1;B:ev log v=1;");
	wait_reconnect(subject);
	run_for(subject, 100);
	vici_session_free(subject);
	finish(f, "accept\nEVENT_REGISTER log\neof\naccept\nEVENT_REGISTER log\neof\n");
	fakevici_free(f);
}

/* vici_session_handle() from a callback does no I/O: the messages after the
 * one being dispatched come after it, to every listener, in order. */
static void handle_again_cb(void *ctx, int err, const struct vici_msg *m)
{
	trace_msg(ctx, err, m);
	vici_session_handle(subject, POLLIN);
}

static void test_handle_inside_callback(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "log");
	fakevici_confirm(f);
	/* both events in one write: they arrive in one read */
	size_t l1, l2, n1, n2;
	uint8_t *m1 = msg_v("1", &l1), *m2 = msg_v("2", &l2);
	uint8_t *f1, *f2;
	assert_int_equal(vici_packet_encode(VICI_EVENT, "log", m1, l1, &f1, &n1), 0);
	assert_int_equal(vici_packet_encode(VICI_EVENT, "log", m2, l2, &f2, &n2), 0);
	uint8_t *both = xmalloc(n1 + n2);
	memcpy(both, f1, n1);
	memcpy(both + n1, f2, n2);
	fakevici_raw(f, both, n1 + n2);
	free(m1), free(m2), free(f1), free(f2), free(both);
	fakevici_expect_eof(f);
	fakevici_start(f);
	subject = session_for(f);
	vici_session_listen(subject, "log", handle_again_cb, "A");
	vici_session_listen(subject, "log", lis_cb, "B");
	run_until(subject, "B:ev log v=2", 2000);
	assert_string_equal(trace, "A:ev log v=1;B:ev log v=1;A:ev log v=2;B:ev log v=2;");
	vici_session_free(subject);
	finish(f, NULL);
	fakevici_free(f);
}

/* A stream of many read steps (64 KiB each) arrives whole, every event in
 * order. */
static unsigned big_events, big_bad;

static void big_cb(void *ctx, int err, const struct vici_msg *m)
{
	if (m->final) {
		tr("final %d;", err);
		return;
	}
	const uint8_t *v;
	size_t vl;
	char want[16];
	snprintf(want, sizeof(want), "%u", big_events++);
	if (vici_message_find(m->data, m->len, "n", &v, &vl) != 0 || vl != strlen(want) ||
	    memcmp(v, want, vl) != 0)
		big_bad++;
}

static void test_stream_of_many_steps(void **state)
{
	enum { EVENTS = 600 };
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "list-sas");
	uint8_t *pad = xcalloc(1, 1500);
	for (unsigned i = 0; i < EVENTS; i++) {
		struct vici_builder b;
		char n[16];
		snprintf(n, sizeof(n), "%u", i);
		vici_builder_init(&b);
		vici_builder_add_str(&b, "n", n);
		vici_builder_add(&b, "pad", pad, 1500 - (i % 700));
		uint8_t *m;
		size_t len;
		assert_int_equal(vici_builder_finish(&b, &m, &len), 0);
		fakevici_event(f, "list-sa", m, len);
		free(m);
	}
	free(pad);
	fake_reply_v(f, "done");
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "list-sa");
	fakevici_confirm(f);
	fakevici_expect_eof(f);
	fakevici_start(f);
	subject = session_for(f);
	big_events = big_bad = 0;
	assert_int_equal(vici_session_call(subject, "list-sas", NULL, 0, NULL, big_cb, NULL, NULL),
	                 0);
	run_until(subject, "final", 5000);
	assert_string_equal(trace, "final 0;");
	assert_int_equal(big_events, EVENTS);
	assert_int_equal(big_bad, 0);
	run_for(subject, 50);
	vici_session_free(subject);
	finish(f, NULL);
	fakevici_free(f);
}

static void test_connect_errors_and_backoff(void **state)
{
	char dir[] = "/tmp/test-session.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *uri = xasprintf("unix://%s/charon.vici", dir);
	struct vici_session_config cfg = {
	        .uri = uri, .backoff_min_ms = 40, .backoff_max_ms = 100, .on_state = on_state};
	struct vici_session *s = vici_session_new(&cfg);
	assert_int_equal(vici_session_state(s), VICI_SESSION_DOWN);
	assert_non_null(strstr(vici_session_error(s), "no such socket (is charon running?"));
	assert_int_equal(vici_session_fd(s), -1);
	int64_t now = vici_now_ms();
	int64_t r1 = vici_session_retry_at(s);
	assert_true(r1 > now && r1 <= now + 40);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "a", NULL),
	                 -ENOTCONN);
	/* Retries back off: 40, 80, 100 (capped), 100 ms. */
	int64_t prev = vici_now_ms();
	int gaps[4];
	for (int i = 0; i < 4; i++) {
		int64_t at = vici_session_retry_at(s);
		while (vici_now_ms() < at)
			step(s, 100);
		step(s, 0);
		int64_t next = vici_session_retry_at(s);
		gaps[i] = (int)(next - vici_now_ms());
		prev = next;
	}
	(void)prev;
	assert_true(gaps[0] > 40 && gaps[0] <= 80);
	assert_true(gaps[1] > 80 && gaps[1] <= 100);
	assert_true(gaps[2] > 80 && gaps[2] <= 100);
	assert_true(downs >= 4);
	vici_session_free(s);

	/* no_reconnect: DOWN for good, but vici_session_reconnect() tries. */
	cfg.no_reconnect = true;
	s = vici_session_new(&cfg);
	assert_int_equal(vici_session_retry_at(s), -1);
	assert_int_equal(vici_session_next_deadline(s), 0); /* the DOWN note waits */
	step(s, 0);
	assert_int_equal(vici_session_next_deadline(s), -1);
	assert_int_equal(vici_session_reconnect(s), -ENOTCONN);
	vici_session_free(s);

	/* An invalid URI is never retried. */
	cfg.no_reconnect = false;
	cfg.uri = "unix://relative";
	s = vici_session_new(&cfg);
	assert_int_equal(vici_session_retry_at(s), -1);
	assert_non_null(strstr(vici_session_error(s), "invalid VICI URI"));
	vici_session_free(s);
	free(uri);
	rmdir(dir);
}

static void test_connect_timeout(void **state)
{
	/* A TCP listener with a full backlog never completes new connects, which
	 * is how a wedged daemon or a firewall looks. */
	struct fakevici *f = fakevici_new_tcp("127.0.0.1");
	if (!f)
		skip();
	int fds[16];
	int nfds = 0;
	for (; nfds < 16; nfds++) {
		struct vici_conn *c = vici_conn_new(fakevici_uri(f));
		if (vici_conn_connect(c) < 0) {
			vici_conn_free(c);
			break;
		}
		fds[nfds] = dup(vici_conn_fd(c));
		vici_conn_free(c);
	}
	struct vici_session_config cfg = {.uri = fakevici_uri(f),
	                                  .connect_timeout_ms = 300,
	                                  .on_state = on_state,
	                                  .no_reconnect = true};
	struct vici_session *s = vici_session_new(&cfg);
	int64_t start = vici_now_ms();
	/* Queued while connecting; fails as never sent when the connect does. */
	if (vici_session_state(s) == VICI_SESSION_CONNECTING)
		assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, err_cb, "a", NULL),
		                 0);
	while (vici_session_state(s) != VICI_SESSION_DOWN && vici_now_ms() - start < 3000)
		step(s, 50);
	if (vici_session_state(s) != VICI_SESSION_DOWN || !strstr(last_down, "timed out")) {
		/* The kernel accepted it anyway (syncookies etc.): nothing to test. */
		vici_session_free(s);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		fakevici_free(f);
		skip();
	}
	assert_true(vici_now_ms() - start >= 290);
	assert_non_null(strstr(last_down, "cannot connect to tcp://127.0.0.1:"));
	char expect[64];
	snprintf(expect, sizeof(expect), "a:final %d;", -ENOTCONN);
	assert_string_equal(trace, expect);
	assert_non_null(strstr(last_error_text, "timed out"));
	vici_session_free(s);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	fakevici_free(f);
}

static void test_call_sync(void **state)
{
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "list-cert");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "list-certs");
	fake_event_v(f, "list-cert", "c1");
	fakevici_reply(f, NULL, 0);
	fakevici_expect(f, VICI_EVENT_UNREGISTER, "list-cert");
	fakevici_confirm(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fakevici_hang(f);
	fakevici_start(f);
	struct vici_session_config cfg = {.uri = fakevici_uri(f), .no_reconnect = true};
	struct vici_session *s = vici_session_new(&cfg);
	assert_int_equal(vici_session_call_sync(s, "list-certs", NULL, 0, NULL, req_cb, "a"), 0);
	assert_string_equal(trace, "a:ev list-cert v=c1;a:final 0;");
	struct vici_call_opts o = {.timeout_ms = 100};
	int64_t t0 = vici_now_ms();
	assert_int_equal(vici_session_call_sync(s, "version", NULL, 0, &o, NULL, NULL), -ETIMEDOUT);
	assert_true(vici_now_ms() - t0 < 1000);
	vici_session_free(s);
	finish(f, NULL);
	fakevici_free(f);

	/* Against nothing: an immediate, explained failure. */
	cfg.uri = "unix:///nonexistent/charon.vici";
	s = vici_session_new(&cfg);
	assert_int_equal(vici_session_call_sync(s, "version", NULL, 0, NULL, NULL, NULL),
	                 -ENOTCONN);
	assert_non_null(strstr(vici_session_error(s), "no such socket"));
	vici_session_free(s);
}

static void test_call_validation(void **state)
{
	struct vici_session_config cfg = {.uri = "unix:///nonexistent/x", .no_reconnect = true};
	struct vici_session *s = vici_session_new(&cfg);
	struct vici_call_opts none = {.timeout_ms = VICI_TIMEOUT_NONE};
	assert_int_equal(vici_session_call(s, "version", NULL, 0, &none, NULL, NULL, NULL),
	                 -EINVAL);
	assert_int_equal(vici_session_call(s, "", NULL, 0, NULL, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(vici_session_call(s, "bad\x1bname", NULL, 0, NULL, NULL, NULL, NULL),
	                 -EINVAL);
	static const uint8_t bad[] = {2};
	assert_int_equal(vici_session_call(s, "version", bad, 1, NULL, NULL, NULL, NULL), -EBADMSG);
	/* Valid but DOWN. */
	assert_int_equal(vici_session_call(s, "initiate", NULL, 0, &none, NULL, NULL, NULL),
	                 -ENOTCONN);
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_section_start(&b, "open");
	assert_int_equal(vici_session_call_builder(s, "load-conn", &b, NULL, NULL, NULL, NULL),
	                 -EBADMSG);
	assert_null(vici_session_listen(s, "", lis_cb, NULL));
	vici_session_free(s);
}

static void test_command_table(void **state)
{
	size_t n;
	const struct vici_command_info *c = vici_commands(&n);
	assert_int_equal(n, 36);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(c[i - 1].name, c[i].name) < 0);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(vici_command_lookup(c[i].name), &c[i]);
	assert_string_equal(vici_command_stream_event("list-sas"), "list-sa");
	assert_string_equal(vici_command_stream_event("list-policies"), "list-policy");
	assert_string_equal(vici_command_stream_event("list-conns"), "list-conn");
	assert_string_equal(vici_command_stream_event("list-certs"), "list-cert");
	assert_string_equal(vici_command_stream_event("list-authorities"), "list-authority");
	assert_string_equal(vici_command_stream_event("initiate"), "control-log");
	assert_string_equal(vici_command_stream_event("terminate"), "control-log");
	assert_null(vici_command_stream_event("rekey"));
	assert_null(vici_command_stream_event("redirect"));
	assert_null(vici_command_stream_event("version"));
	assert_null(vici_command_stream_event("nope"));
	assert_null(vici_command_lookup(NULL));
	assert_true(vici_command_lookup("initiate")->flags & VICI_CMD_SELF_TIMED);
	assert_false(vici_command_lookup("list-sas")->flags & VICI_CMD_SELF_TIMED);
	size_t ne;
	const struct vici_event_info *e = vici_events(&ne);
	assert_int_equal(ne, 13);
	for (size_t i = 1; i < ne; i++)
		assert_true(strcmp(e[i - 1].name, e[i].name) < 0);
	/* Every streamed command's event is a known stream event. */
	for (size_t i = 0; i < n; i++) {
		if (!c[i].stream_event)
			continue;
		bool found = false;
		for (size_t k = 0; k < ne; k++)
			found |= !strcmp(e[k].name, c[i].stream_event) &&
			         (e[k].flags & VICI_EVENT_STREAM);
		assert_true(found);
	}
	assert_string_equal(vici_session_state_name(VICI_SESSION_UP), "up");
}

static void test_fake_serve_mode(void **state)
{
	/* The fake's serve mode doubles stream events per registration, like
	 * charon: with refcounting there must be exactly one copy each. */
	struct fakevici *f = fakevici_new();
	size_t len;
	uint8_t *ev = msg_v("sa", &len);
	size_t rlen;
	uint8_t *rep = msg_v("5.9.8", &rlen);
	struct fakevici_canned canned[] = {
	        {.command = "list-sas",
	         .stream_event = "list-sa",
	         .stream_count = 3,
	         .event_msg = ev,
	         .event_len = len},
	        {.command = "version", .reply = rep, .reply_len = rlen},
	};
	fakevici_serve(f, canned, 2, "alert");
	free(ev);
	free(rep);
	fakevici_start(f);
	struct vici_session *s = session_for(f);
	vici_session_listen(s, "list-sa", lis_cb, "L"); /* holds list-sa too */
	vici_session_listen(s, "alert", lis_cb, "A");
	assert_int_equal(vici_session_call(s, "list-sas", NULL, 0, NULL, req_cb, "a", NULL), 0);
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "b", NULL), 0);
	assert_int_equal(vici_session_call(s, "bogus", NULL, 0, NULL, req_cb, "c", NULL), 0);
	run_until(s, "c:final", 2000);
	char expect[256];
	snprintf(expect, sizeof(expect),
	         "A:final %d;a:ev list-sa v=sa;a:ev list-sa v=sa;a:ev list-sa v=sa;a:final 0;"
	         "b:final 0 v=5.9.8;c:final %d;",
	         -ENOENT, -ENOSYS);
	assert_string_equal(trace, expect);
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER list-sa\nEVENT_REGISTER alert\nCMD_REQUEST list-sas\n"
	          "CMD_REQUEST version\nCMD_REQUEST bogus\neof\n");
	fakevici_free(f);
}

/* ---- registration deadlines ---- */

static struct vici_session *session_timed(struct fakevici *f, int timeout_ms, int grace_ms)
{
	struct vici_session_config cfg = {
	        .uri = fakevici_uri(f),
	        .request_timeout_ms = timeout_ms,
	        .grace_ms = grace_ms,
	        .backoff_min_ms = 50,
	        .backoff_max_ms = 200,
	        .on_state = on_state,
	        .on_up = on_up,
	};
	return vici_session_new(&cfg);
}

static void test_register_never_confirmed(void **state)
{
	/* The daemon reads the REGISTER and never answers: the listener hears
	 * -ETIMEDOUT after the request timeout, the connection is recycled
	 * after the grace period, and the registration is tried again. */
	struct fakevici *f = fakevici_new();
	fakevici_hang(f);
	fakevici_accept(f);
	fakevici_expect(f, VICI_EVENT_REGISTER, "log");
	fakevici_confirm(f);
	fake_event_v(f, "log", "after");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_timed(f, 150, 200);
	struct vici_listener *l = vici_session_listen(s, "log", err_cb, "L");
	assert_int_equal(vici_session_state(s), VICI_SESSION_UP);
	assert_false(vici_session_answered(s)); /* connected, but nobody spoke */
	int64_t t0 = vici_now_ms();
	run_until(s, "L:final", 2000);
	int64_t took = vici_now_ms() - t0;
	assert_true(took >= 140 && took < 1000);
	assert_string_equal(last_error_text,
	                    "charon did not confirm the registration of event 'log' within 150 ms");
	assert_int_equal(vici_listener_state(l), VICI_LISTENER_PENDING);
	assert_false(vici_session_answered(s));
	assert_int_equal(downs, 0); /* not yet: the grace period runs */
	run_until(s, "L:ev log v=after", 3000);
	assert_non_null(strstr(last_down, "the confirmation of registering 'log' did not come "
	                                  "within 200 ms after its deadline"));
	assert_int_equal(downs, 1);
	assert_int_equal(reconnects, 1);
	assert_int_equal(vici_listener_state(l), VICI_LISTENER_ACTIVE);
	assert_true(vici_session_answered(s));
	char expect[128];
	snprintf(expect, sizeof(expect), "L:final %d;L:ev log v=after;", -ETIMEDOUT);
	assert_string_equal(trace, expect);
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER log\neof\naccept\nEVENT_REGISTER log\neof\n");
	fakevici_free(f);
}

static void test_register_confirmed_after_deadline(void **state)
{
	/* The confirmation comes after the deadline but within the grace
	 * period: the listener heard -ETIMEDOUT, the late EVENT_CONFIRM is
	 * matched by position (no protocol error, no recycle) and activates the
	 * registration. A request queued meanwhile is held back, never
	 * written into a connection that might be shifted. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "ike-updown");
	fakevici_delay(f, 400);
	fakevici_confirm(f);
	fake_event_v(f, "ike-updown", "late-but-there");
	fakevici_expect(f, VICI_CMD_REQUEST, "stats");
	fake_reply_v(f, "s");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_timed(f, 150, 2000);
	struct vici_listener *l = vici_session_listen(s, "ike-updown", err_cb, "L");
	run_until(s, "L:final", 2000);
	struct vici_call_opts shortt = {.timeout_ms = 100};
	assert_int_equal(vici_session_call(s, "version", NULL, 0, &shortt, err_cb, "a", NULL), 0);
	run_until(s, "a:final", 1000);
	assert_non_null(strstr(last_error_text, "not sent: waiting for an earlier reply"));
	run_until(s, "L:ev ike-updown", 2000);
	assert_int_equal(vici_listener_state(l), VICI_LISTENER_ACTIVE);
	assert_true(vici_session_answered(s));
	assert_int_equal(vici_session_call(s, "stats", NULL, 0, NULL, req_cb, "b", NULL), 0);
	run_until(s, "b:final", 2000);
	char expect[160];
	snprintf(expect, sizeof(expect),
	         "L:final %d;a:final %d;L:ev ike-updown v=late-but-there;b:final 0 v=s;",
	         -ETIMEDOUT, -ETIMEDOUT);
	assert_string_equal(trace, expect);
	assert_int_equal(downs, 0);
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER ike-updown\nCMD_REQUEST stats\neof\n");
	fakevici_free(f);
}

static void test_register_confirmed_late_in_time(void **state)
{
	/* Slow but within the deadline: no error at all, and answered()
	 * flips only with the confirmation. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "child-updown");
	fakevici_delay(f, 150);
	fakevici_confirm(f);
	fake_event_v(f, "child-updown", "x");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_timed(f, 600, 200);
	struct vici_listener *l = vici_session_listen(s, "child-updown", err_cb, "L");
	run_for(s, 80);
	assert_false(vici_session_answered(s));
	assert_int_equal(vici_listener_state(l), VICI_LISTENER_PENDING);
	run_until(s, "L:ev child-updown", 2000);
	assert_true(vici_session_answered(s));
	assert_int_equal(vici_listener_state(l), VICI_LISTENER_ACTIVE);
	run_for(s, 700); /* past the deadline: nothing may fire */
	assert_string_equal(trace, "L:ev child-updown v=x;");
	assert_int_equal(downs, 0);
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER child-updown\neof\n");
	fakevici_free(f);
}

static void test_unregister_never_confirmed(void **state)
{
	/* An UNREGISTER the daemon never answers holds back what follows and
	 * recycles the connection after the grace period; nobody is told
	 * (nobody listens any more), and the next request runs on the new
	 * connection, where the event is not registered again. */
	struct fakevici *f = fakevici_new();
	fakevici_expect(f, VICI_EVENT_REGISTER, "log");
	fakevici_confirm(f);
	fakevici_hang(f);
	fakevici_accept(f);
	fakevici_expect(f, VICI_CMD_REQUEST, "version");
	fake_reply_v(f, "v");
	fakevici_expect_eof(f);
	fakevici_start(f);
	struct vici_session *s = session_timed(f, 150, 150);
	struct vici_listener *l = vici_session_listen(s, "log", err_cb, "L");
	run_for(s, 100);
	assert_int_equal(vici_listener_state(l), VICI_LISTENER_ACTIVE);
	vici_listener_remove(l);
	wait_reconnect(s);
	assert_non_null(strstr(last_down, "the confirmation of unregistering 'log' did not come"));
	assert_int_equal(vici_session_call(s, "version", NULL, 0, NULL, req_cb, "a", NULL), 0);
	run_until(s, "a:final", 2000);
	assert_string_equal(trace, "a:final 0 v=v;");
	vici_session_free(s);
	finish(f, "accept\nEVENT_REGISTER log\nEVENT_UNREGISTER log\neof\naccept\n"
	          "CMD_REQUEST version\neof\n");
	fakevici_free(f);
}

/* ---- the host's clock ---- */

static int64_t fake_now;

static int64_t fake_clock(void *ctx)
{
	return fake_now;
}

static void test_injected_clock(void **state)
{
	/* Deadlines follow the host's clock, not the real one: an hour of
	 * fake time passes in no time, and nothing fires before it is due. */
	struct fakevici *f = fakevici_new();
	fakevici_hang(f);
	fakevici_start(f);
	fake_now = 1000000;
	struct vici_session_config cfg = {
	        .uri = fakevici_uri(f),
	        .request_timeout_ms = 3600 * 1000,
	        .no_reconnect = true,
	        .clock = fake_clock,
	};
	struct vici_session *s = vici_session_new(&cfg);
	vici_session_handle(s, 0); /* delivers the state changes */
	assert_int_equal(vici_session_call(s, "stats", NULL, 0, NULL, req_cb, "a", NULL), 0);
	assert_int_equal(vici_session_next_deadline(s), fake_now + 3600 * 1000);
	assert_int_equal(vici_session_poll_timeout(s, fake_now, -1), 3600 * 1000);
	for (int i = 0; i < 100 && (vici_session_events(s) & POLLOUT); i++) {
		struct pollfd p = {.fd = vici_session_fd(s), .events = POLLOUT};
		if (poll(&p, 1, 100) == 1)
			vici_session_handle(s, p.revents);
	}
	fake_now += 3600 * 1000 - 1;
	vici_session_handle(s, 0);
	assert_string_equal(trace, "");
	fake_now += 1;
	vici_session_handle(s, 0);
	char expect[64];
	snprintf(expect, sizeof(expect), "a:final %d;", -ETIMEDOUT);
	assert_string_equal(trace, expect);
	vici_session_free(s);
	finish(f, "accept\nCMD_REQUEST stats\neof\n");
	fakevici_free(f);
}

static void test_deadline_min(void **state)
{
	assert_int_equal(vici_deadline_min(-1, -1), -1);
	assert_int_equal(vici_deadline_min(-5, -1), -1);
	assert_int_equal(vici_deadline_min(-1, 7), 7);
	assert_int_equal(vici_deadline_min(7, -1), 7);
	assert_int_equal(vici_deadline_min(0, 7), 0);
	assert_int_equal(vici_deadline_min(9, 7), 7);
	assert_int_equal(vici_deadline_min(INT64_MAX, 7), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_version, setup),
	        cmocka_unit_test_setup(test_pipelining, setup),
	        cmocka_unit_test_setup(test_stream_with_interleaved_events, setup),
	        cmocka_unit_test_setup(test_refcounted_registration, setup),
	        cmocka_unit_test_setup(test_two_streams_share_registration, setup),
	        cmocka_unit_test_setup(test_cmd_unknown, setup),
	        cmocka_unit_test_setup(test_event_unknown_not_fatal, setup),
	        cmocka_unit_test_setup(test_late_reply_dropped, setup),
	        cmocka_unit_test_setup(test_late_stream_dropped, setup),
	        cmocka_unit_test_setup(test_stream_progress_extends_deadline, setup),
	        cmocka_unit_test_setup(test_held_back_request_times_out_unsent, setup),
	        cmocka_unit_test_setup(test_never_answers_recycles, setup),
	        cmocka_unit_test_setup(test_close_mid_stream_and_reregister, setup),
	        cmocka_unit_test_setup(test_grace_waits_behind_blocking_command, setup),
	        cmocka_unit_test_setup(test_explicit_reconnect, setup),
	        cmocka_unit_test_setup(test_protocol_errors, setup),
	        cmocka_unit_test_setup(test_tiny_pieces, setup),
	        cmocka_unit_test_setup(test_cancel_stream_drains, setup),
	        cmocka_unit_test_setup(test_cancel_before_send, setup),
	        cmocka_unit_test_setup(test_free_inside_callback, setup),
	        cmocka_unit_test_setup(test_reconnect_inside_callback, setup),
	        cmocka_unit_test_setup(test_handle_inside_callback, setup),
	        cmocka_unit_test_setup(test_stream_of_many_steps, setup),
	        cmocka_unit_test_setup(test_connect_errors_and_backoff, setup),
	        cmocka_unit_test_setup(test_connect_timeout, setup),
	        cmocka_unit_test_setup(test_call_sync, setup),
	        cmocka_unit_test_setup(test_call_validation, setup),
	        cmocka_unit_test_setup(test_command_table, setup),
	        cmocka_unit_test_setup(test_fake_serve_mode, setup),
	        cmocka_unit_test_setup(test_register_never_confirmed, setup),
	        cmocka_unit_test_setup(test_register_confirmed_after_deadline, setup),
	        cmocka_unit_test_setup(test_register_confirmed_late_in_time, setup),
	        cmocka_unit_test_setup(test_unregister_never_confirmed, setup),
	        cmocka_unit_test_setup(test_injected_clock, setup),
	        cmocka_unit_test_setup(test_deadline_min, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
