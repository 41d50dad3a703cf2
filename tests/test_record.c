/*
 * The recorder (app/record.h) without sockets: a model and a diagnosis
 * engine fed with charon's messages, the recorder writing into a store in a
 * temporary directory, the store read back. Also: one writer per store
 * (store_lock_writer()), `swantop record`'s arguments, and `swantop why`
 * explaining a connection that is down now from a verdict recorded earlier.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/record.h"
#include "main/cli.h"
#include "main/why.h"
#include "model/store.h"
#include "msgs.h"

/* wall-clock ms of the tests' monotonic 0 */
#define OFF 1796378400000LL

struct fx {
	char dir[64], path[128];
	struct store *s;
	struct model *m;
	struct recorder *r;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	snprintf(x->dir, sizeof(x->dir), "/tmp/swantop-test-record.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	snprintf(x->path, sizeof(x->path), "%s/history.db", x->dir);
	char err[300];
	assert_int_equal(store_open(&x->s, x->path, STORE_READ_WRITE, err, sizeof(err)), 0);
	x->m = model_new(NULL);
	x->r = recorder_new(x->s, 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	recorder_free(x->r);
	model_free(x->m);
	store_close(x->s);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", x->dir);
	assert_int_equal(system(cmd), 0);
	free(x);
	return 0;
}

/* The store's records, oldest first, as "kind conn child ike>new" lines. */
struct dump {
	char text[8192];
	size_t len;
	unsigned n;
	struct store_event last;
	char detail[256], code[64], evidence[2048];
};

static int on_rec(void *ctx, const struct store_event *ev)
{
	struct dump *d = ctx;
	int n = snprintf(d->text + d->len, sizeof(d->text) - d->len, "%.*s %.*s %.*s %u>%u\n",
	                 (int)ev->kind_word.len, ev->kind_word.s, (int)ev->conn.len, ev->conn.s,
	                 (int)ev->child.len, ev->child.s, ev->child_id ? ev->child_id : ev->ike_id,
	                 ev->new_id);
	if (n > 0 && (size_t)n < sizeof(d->text) - d->len)
		d->len += (size_t)n;
	d->n++;
	d->last = *ev;
	snprintf(d->detail, sizeof(d->detail), "%.*s", (int)ev->detail.len, ev->detail.s);
	snprintf(d->code, sizeof(d->code), "%.*s", (int)ev->code.len, ev->code.s);
	snprintf(d->evidence, sizeof(d->evidence), "%.*s", (int)ev->evidence.len, ev->evidence.s);
	return 0;
}

static void dump(struct fx *x, struct dump *d)
{
	memset(d, 0, sizeof(*d));
	assert_int_equal(store_flush(x->s), 0);
	struct store_filter f = {0};
	assert_true(store_timeline(x->s, &f, on_rec, d) >= 0);
}

static const struct ike_spec gw = {.name = "gw", .uid = 1, .remote = "192.0.2.2"};
static const struct child_spec net = {.name = "net", .uid = 2, .reqid = 1};
static const struct child_spec net2 = {.name = "net", .uid = 3, .reqid = 1};

/* SA events become records with their names, ids and times, each once. */
static void test_events(void **state)
{
	struct fx *x = *state;
	msg_feed(x->m, "ike-updown", msg_ike_updown(true, &gw), 1000);
	msg_feed(x->m, "child-updown", msg_child_updown(true, &gw, &net), 1001);
	recorder_events(x->r, x->m, OFF);
	msg_feed(x->m, "child-rekey", msg_child_rekey(&gw, &net, &net2), 2000);
	/* charon 5.9.8 may report the rekeyed CHILD SA down afterwards: no
	 * outage, not recorded */
	msg_feed(x->m, "child-updown", msg_child_updown(false, &gw, &net), 2001);
	msg_feed(x->m, "child-updown", msg_child_updown(false, &gw, &net2), 3000);
	msg_feed(x->m, "ike-updown", msg_ike_updown(false, &gw), 3001);
	model_event_addf(x->m, MODEL_EV_NOTICE, 3002, "reconnected to charon");
	recorder_events(x->r, x->m, OFF);
	recorder_events(x->r, x->m, OFF); /* nothing new: nothing twice */
	struct dump d;
	dump(x, &d);
	assert_string_equal(d.text, "ike-up gw  1>0\n"
	                            "child-up gw net 2>0\n"
	                            "child-rekey gw net 2>3\n"
	                            "child-down gw net 3>0\n"
	                            "ike-down gw  1>0\n");
	assert_int_equal(d.last.time, OFF + 3001);
	assert_int_equal(recorder_count(x->r, STORE_EV_CHILD_DOWN), 1);
	/* and the flap counts the monitor shows from them */
	assert_int_equal(store_count(x->s, &(struct store_filter){.conn = "gw"}), 5);
}

/* More events than the ring holds between two looks: the loss is said. */
static void test_events_overflow(void **state)
{
	struct fx *x = *state;
	model_free(x->m);
	x->m = model_new(&(struct model_config){.events_capacity = 4});
	msg_feed(x->m, "ike-updown", msg_ike_updown(true, &gw), 1000);
	recorder_events(x->r, x->m, OFF);
	for (int i = 0; i < 5; i++) {
		msg_feed(x->m, "ike-updown", msg_ike_updown(false, &gw), 2000 + i);
		msg_feed(x->m, "ike-updown", msg_ike_updown(true, &gw), 2000 + i);
	}
	recorder_events(x->r, x->m, OFF);
	struct dump d;
	dump(x, &d);
	assert_non_null(strstr(d.text, "notice"));
	assert_int_equal(d.n, 1 + 1 + 4);
}

/* Feeds a recording line by line (its connections first), letting the
 * recorder look after every line, as the loop does after every turn. */
static struct why *replay_looking(struct fx *x, const char *file)
{
	const char *src = getenv("SWANTOP_SOURCE_DIR");
	char path[512], err[300];
	snprintf(path, sizeof(path), "%s/tests/data/diag/%s", src ? src : ".", file);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	struct why *w = why_new(true);
	char *line = NULL;
	size_t cap = 0;
	for (int pass = 0; pass < 2; pass++) {
		rewind(f);
		while (getline(&line, &cap, f) > 0) {
			bool conn = strstr(line, "\"event\":\"list-conn\"") != NULL;
			if (pass == 0 && !conn)
				continue;
			assert_true(why_feed_json_line(w, line, strlen(line), err, sizeof(err)) >=
			            0);
			recorder_verdicts(x->r, why_diag(w), OFF);
		}
		why_flush(w);
		recorder_verdicts(x->r, why_diag(w), OFF);
	}
	free(line);
	fclose(f);
	return w;
}

/* A verdict is recorded when it appears, not again for each attempt that
 * fails the same way, again when a new failure follows. */
static void test_verdicts(void **state)
{
	struct fx *x = *state;
	struct why *w = replay_looking(x, "badpsk.gw.jsonl");
	const struct diag_verdict *v = diag_conn_verdict(why_diag(w), "badpsk");
	assert_non_null(v);
	assert_true(v->count >= 2); /* two attempts in the recording */
	struct store_filter fb = {.conn = "badpsk"};
	assert_int_equal(store_flush(x->s), 0);
	struct dump d;
	memset(&d, 0, sizeof(d));
	struct store_filter fv = {.conn = "badpsk", .order = STORE_NEWEST_FIRST, .limit = 1};
	assert_int_equal(store_timeline(x->s, &fv, on_rec, &d), 1);
	assert_int_equal(d.last.kind, STORE_EV_VERDICT);
	assert_string_equal(d.code, "auth-failed");
	assert_true(strlen(d.detail) > 0);
	assert_non_null(strstr(d.evidence, "[IKE] "));
	assert_true(d.last.time > OFF);
	long verdicts = (long)recorder_count(x->r, STORE_EV_VERDICT);
	long before = store_count(x->s, &fb);
	assert_true(before >= 1);
	recorder_verdicts(x->r, why_diag(w), OFF);
	assert_int_equal((long)recorder_count(x->r, STORE_EV_VERDICT), verdicts);

	/* the operator terminates it (its verdicts are cleared), the next
	 * initiate fails: a new streak, recorded */
	diag_feed_action(why_diag(w), why_now(w) + 10, "terminate", "badpsk", "", true, "");
	recorder_verdicts(x->r, why_diag(w), OFF);
	assert_null(diag_conn_verdict(why_diag(w), "badpsk"));
	diag_feed_action(why_diag(w), why_now(w) + 20, "initiate", "badpsk", "", false,
	                 "establishing CHILD_SA 'badpsk' failed");
	recorder_verdicts(x->r, why_diag(w), OFF);
	assert_non_null(diag_conn_verdict(why_diag(w), "badpsk"));
	assert_int_equal(store_flush(x->s), 0);
	assert_int_equal(store_count(x->s, &fb), before + 1);
	why_free(w);
}

/* The link: a gap from when charon was lost to when it answered again, a
 * reconnect, a restart; a recorder that was not running leaves a gap from
 * the store's last sign of life. */
static void test_link(void **state)
{
	struct fx *x = *state;
	recorder_free(x->r);
	x->r = recorder_new(x->s, OFF - 60000);
	recorder_link(x->r, false, "connect: No such file or directory", OFF + 1000);
	recorder_link(x->r, true, NULL, OFF + 5000);
	recorder_link(x->r, true, NULL, OFF + 6000); /* no change, no record */
	recorder_link(x->r, false, "connection closed", OFF + 10000);
	recorder_link(x->r, true, NULL, OFF + 12000);
	recorder_restart(x->r, "Dec 04 10:00:11 2026", OFF + 12500);
	struct dump d;
	dump(x, &d);
	assert_string_equal(d.text, "gap   0>0\n"
	                            "gap   0>0\n"
	                            "reconnect   0>0\n"
	                            "charon-restart   0>0\n");
	assert_string_equal(d.detail, "charon restarted, up since Dec 04 10:00:11 2026");
	struct dump g;
	memset(&g, 0, sizeof(g));
	struct store_filter f = {.until = OFF};
	assert_int_equal(store_timeline(x->s, &f, on_rec, &g), 1);
	/* the first gap: from the last sign of life to the first connection */
	assert_int_equal(g.last.time, OFF - 60000);
	assert_int_equal(g.last.end, OFF + 5000);
	assert_string_equal(g.detail, "the recorder was not running");
	memset(&g, 0, sizeof(g));
	f = (struct store_filter){.since = OFF, .until = OFF + 12000};
	assert_int_equal(store_timeline(x->s, &f, on_rec, &g), 1);
	assert_int_equal(g.last.time, OFF + 10000);
	assert_int_equal(g.last.end, OFF + 12000);
	assert_string_equal(g.detail, "connection closed");
}

/* Counters after each listing become traffic in the store, once per
 * listing, following the CHILD SA across its rekey. */
static void test_samples(void **state)
{
	struct fx *x = *state;
	struct child_spec c = net;
	c.install = 5;
	c.bytes_in = 1000;
	c.bytes_out = 500;
	c.packets_in = 10;
	c.packets_out = 5;
	const struct child_spec *cs[] = {&c};
	size_t nc[] = {1};
	msg_sweep_sas(x->m, &gw, cs, nc, 1, 10000);
	assert_int_equal(recorder_samples(x->r, x->m, OFF), 1);
	assert_int_equal(recorder_samples(x->r, x->m, OFF), 0); /* nothing listed since */
	c.bytes_in = 61000;
	c.install = 65;
	msg_sweep_sas(x->m, &gw, cs, nc, 1, 70000);
	assert_int_equal(recorder_samples(x->r, x->m, OFF), 1);
	/* rekeyed: the new CHILD SA counts from zero */
	struct child_spec c2 = net2;
	c2.install = 10;
	c2.bytes_in = 4000;
	const struct child_spec *cs2[] = {&c2};
	msg_sweep_sas(x->m, &gw, cs2, nc, 1, 130000);
	assert_int_equal(recorder_samples(x->r, x->m, OFF), 1);
	assert_int_equal(recorder_sampled(x->r), 3);
	assert_int_equal(store_flush(x->s), 0);
	struct store_bucket b[3];
	assert_int_equal(store_rates(x->s, "gw", "net", 0, OFF, 60000, 3, b), 0);
	double total = b[0].bytes_in + b[1].bytes_in + b[2].bytes_in;
	/* 1000 since install (5 s before the first listing), 60000 in the
	 * minute after, 4000 of the new CHILD SA */
	assert_true(total > 64999.0 && total < 65001.0);
}

/* One writer per store: a second one is refused and told who writes. */
static void test_one_writer(void **state)
{
	struct fx *x = *state;
	assert_int_equal(store_lock_writer(x->s, "pid 4242"), 0);
	struct store *s2;
	char err[300];
	assert_int_equal(store_open(&s2, x->path, STORE_READ_WRITE, err, sizeof(err)), 0);
	assert_int_equal(store_lock_writer(s2, "pid 1"), -EBUSY);
	assert_non_null(strstr(store_errmsg(s2), "another recorder"));
	assert_non_null(strstr(store_errmsg(s2), "pid 4242"));
	store_close(s2);
	/* readers are not writers: a read-only open still works */
	assert_int_equal(store_open(&s2, x->path, STORE_READ_ONLY, err, sizeof(err)), 0);
	assert_int_equal(store_lock_writer(s2, "pid 1"), -EROFS);
	store_close(s2);
	/* the lock goes with the store */
	store_close(x->s);
	assert_int_equal(store_open(&x->s, x->path, STORE_READ_WRITE, err, sizeof(err)), 0);
	assert_int_equal(store_lock_writer(x->s, "pid 2"), 0);
}

/* `swantop why`: a connection that is down now with nothing live to say
 * why is explained by the verdict recorded earlier, with its time; one that
 * came up since shows it only as the last failure. */
static void test_why_store(void **state)
{
	struct fx *x = *state;
	struct store_event v = {.time = OFF + 5000,
	                        .kind = STORE_EV_VERDICT,
	                        .conn = {"badpsk", 6},
	                        .code = {"auth-failed", 11},
	                        .side = {"peer", 4},
	                        .detail = {"the peer refused our authentication", 35},
	                        .evidence = {"[IKE] received AUTHENTICATION_FAILED", 37}};
	store_add_event(x->s, &v);
	v.conn = (struct model_str){"site1", 5};
	v.code = (struct model_str){"dpd-dead", 8};
	store_add_event(x->s, &v);
	struct store_event up = {.time = OFF + 9000, .kind = STORE_EV_IKE_UP, .conn = {"site1", 5}};
	store_add_event(x->s, &up);
	assert_int_equal(store_flush(x->s), 0);

	const char *src = getenv("SWANTOP_SOURCE_DIR");
	char path[512], err[300];
	snprintf(path, sizeof(path), "%s/tests/data/diag/dead.gw.jsonl", src ? src : ".");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	struct why *w = why_new(true);
	assert_int_equal(why_replay(w, f, "dead.gw", err, sizeof(err)), 0);
	fclose(f);
	struct why_hist *h;
	assert_int_equal(why_hist_open(&h, x->path, OFF + 3600000, err, sizeof(err)), 0);
	const struct why_recorded *r = why_hist_find(h, "badpsk");
	assert_non_null(r);
	assert_false(r->up_since);
	assert_string_equal(r->code, "auth-failed");
	r = why_hist_find(h, "site1");
	assert_non_null(r);
	assert_true(r->up_since);
	assert_null(why_hist_find(h, "nothing-recorded"));
	why_set_hist(w, h);

	const char *names[] = {"badpsk"};
	char *out = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);
	why_render(w, o, names, 1, false, false, why_now(w));
	fclose(o);
	assert_non_null(strstr(out, "auth-failed"));
	assert_non_null(strstr(out, "recorded by swantop record at"));
	if (!strstr(out, "(59m55s ago)"))
		fail_msg("no age in:\n%s", out);
	assert_non_null(strstr(out, "received AUTHENTICATION_FAILED"));
	free(out);
	o = open_memstream(&out, &len);
	why_render(w, o, names, 1, true, false, why_now(w));
	fclose(o);
	assert_non_null(strstr(out, "\"recorded\":{\"time_ms\":1796378405000,\"age\":3595,"
	                            "\"up_since\":false,\"code\":\"auth-failed\""));
	free(out);
	why_free(w);
}

static void test_args(void **state)
{
	(void)state;
	struct cli_record_args a;
	char err[300];
	char *ok[] = {"record",   "--db", "/x/h.db",       "-u",         "unix:///s",
	              "--budget", "2.5",  "--interval=30", "--max-size", "64"};
	assert_int_equal(cli_record_parse(10, ok, &a, err, sizeof(err)), 0);
	assert_string_equal(a.db, "/x/h.db");
	assert_string_equal(a.uri, "unix:///s");
	assert_true(a.budget == 2.5);
	assert_int_equal(a.interval_ms, 30000);
	assert_int_equal(a.max_bytes, 64u << 20);
	char *none[] = {"record"};
	assert_int_equal(cli_record_parse(1, none, &a, err, sizeof(err)), 0);
	assert_null(a.db);
	assert_int_equal(a.interval_ms, RECORD_INTERVAL_DEFAULT_MS);
	char *bad[][3] = {{"record", "--interval", "0.5"}, {"record", "--budget", "-1"},
	                  {"record", "--db", ""},          {"record", "--uri", "http://x"},
	                  {"record", "extra", "--db"},     {"record", "--max-size", "0"},
	                  {"record", "--nope", "1"}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(cli_record_parse(3, bad[i], &a, err, sizeof(err)), -EINVAL);
		assert_true(strlen(err) > 0);
	}
	char *why[] = {"why", "--db", "/x/h.db", "site1"};
	struct cli_why_args wa;
	assert_int_equal(cli_why_parse(4, why, &wa, err, sizeof(err)), 0);
	assert_string_equal(wa.db, "/x/h.db");
	cli_why_args_free(&wa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_events_overflow, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_verdicts, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_link, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_samples, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_one_writer, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_why_store, setup, teardown),
	        cmocka_unit_test(test_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
