/*
 * The monitor's insight (src/app/insight.c): the diagnosis engine fed as
 * the loop feeds it (recordings of real charons replayed into a model,
 * one message per loop turn) agrees with `swantop why` on the same input;
 * actions' outcomes reach it; and the history store is read for the panes
 * (ui/hist.h): flap counts, rate series, a connection's timeline and the
 * events pane's scroll-back, page by page, from a store the tests write
 * through the store's API (tests/histfix.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/insight.h"
#include "histfix.h"
#include "main/why.h"
#include "ui/theme.h"

/* 2026-12-04 12:00:00 UTC */
#define NOW 1796385600000LL

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_insight.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *fixture(const char *name)
{
	static char path[400];
	char err[300];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (access(path, F_OK) != 0 && histfix_make(path, NOW, err, sizeof(err)) < 0)
		fail_msg("histfix_make: %s", err);
	return path;
}

/* ---- the engine ------------------------------------------------------------ */

/* Replays a recording line by line into a model, with a loop turn after
 * each line (the order the monitor sees things in), then one more turn a
 * while later. The why also judges the same input itself. */
static void replay(struct why *w, struct insight *in, const char *file)
{
	const char *src = getenv("SWANTOP_SOURCE_DIR");
	char path[1024], err[300];
	snprintf(path, sizeof(path), "%s/tests/data/diag/%s", src ? src : ".", file);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	/* the connections first, as a monitor has them before anything fails,
	 * then everything in order (as why_replay() does) */
	for (int pass = 0; pass < 2; pass++) {
		rewind(f);
		while ((len = getline(&line, &cap, f)) >= 0) {
			if (pass == 0 && !strstr(line, "\"event\":\"list-conn\""))
				continue;
			if (why_feed_json_line(w, line, (size_t)len, err, sizeof(err)) < 0)
				fail_msg("%s: %s", file, err);
			struct model *m = why_model(w);
			insight_turn(in, m, model_take_changes(m), why_now(w), why_now(w));
		}
		why_flush(w);
	}
	free(line);
	fclose(f);
	struct model *m = why_model(w);
	insight_turn(in, m, model_take_changes(m), why_now(w) + 10000, why_now(w) + 10000);
}

/* before: a recording played first (NULL: none) */
static void agree(const char *before, const char *scenario, const char *side, const char *conn,
                  enum diag_code code)
{
	char file[200];
	snprintf(file, sizeof(file), "%s.%s.jsonl", scenario, side);
	struct why *w = why_new(false);
	struct insight *in = insight_new(NULL, 0);
	if (before)
		replay(w, in, before);
	replay(w, in, file);
	const struct diag_verdict *mine = diag_conn_verdict(insight_diag(in), conn);
	const struct diag_verdict *theirs = diag_conn_verdict(why_diag(w), conn);
	if (!mine)
		fail_msg("%s: the monitor has no verdict for %s", file, conn);
	if (!theirs)
		fail_msg("%s: swantop why has no verdict for %s", file, conn);
	assert_string_equal(diag_code_name(mine->code), diag_code_name(code));
	assert_string_equal(diag_code_name(mine->code), diag_code_name(theirs->code));
	assert_int_equal(mine->side, theirs->side);
	assert_int_equal(mine->layer, theirs->layer);
	assert_true(mine->n_lines > 0 || mine->from_state);
	insight_free(in);
	why_free(w);
}

/* A verdict the engine holds back while an SA is in its grace comes when
 * the grace ends, with nothing new from charon: the loop's deadline wakes
 * it. The tables of the child-missing recording, with childfail's IKE SA
 * established a second before (its second CHILD SA may be on its way). */
static void test_grace_wakes(void **state)
{
	(void)state;
	const char *src = getenv("SWANTOP_SOURCE_DIR");
	char path[1024], err[300], *line = NULL;
	size_t cap = 0;
	snprintf(path, sizeof(path), "%s/tests/data/diag/child-missing.gw.jsonl", src ? src : ".");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	struct why *w = why_new(false);
	struct insight *in = insight_new(NULL, 0);
	struct model *m = why_model(w);
	const char *old = "\"established\":\"7\"";
	while (getline(&line, &cap, f) >= 0) {
		if (!strstr(line, "\"event\":\"list-"))
			continue;
		char buf[4096], *e = strstr(line, old);
		if (strstr(line, "\"childfail\":{") && e)
			snprintf(buf, sizeof(buf), "%.*s\"established\":\"1\"%s", (int)(e - line),
			         line, e + strlen(old));
		else
			snprintf(buf, sizeof(buf), "%s", line);
		if (why_feed_json_line(w, buf, strlen(buf), err, sizeof(err)) < 0)
			fail_msg("%s", err);
		insight_turn(in, m, model_take_changes(m), why_now(w), why_now(w));
	}
	why_flush(w);
	free(line);
	fclose(f);
	int64_t now = why_now(w);
	insight_turn(in, m, model_take_changes(m), now, now);
	assert_null(diag_conn_verdict(insight_diag(in), "childfail"));
	int64_t due = insight_deadline(in);
	assert_true(due > now && due <= now + 5000);
	insight_turn(in, m, model_take_changes(m), due, due);
	const struct diag_verdict *v = diag_conn_verdict(insight_diag(in), "childfail");
	assert_non_null(v);
	assert_string_equal(diag_code_name(v->code), "child-missing");
	insight_free(in);
	why_free(w);
}

/* The monitor's engine, fed turn by turn, judges as swantop why does. */
static void test_agrees_with_why(void **state)
{
	(void)state;
	agree(NULL, "badpsk", "gw", "badpsk", DIAG_AUTH_FAILED);
	agree(NULL, "badpsk", "peer", "badpsk", DIAG_AUTH_FAILED);
	agree(NULL, "esp-proposal", "gw", "espprop", DIAG_NO_PROPOSAL);
	agree(NULL, "ts-mismatch", "peer", "tsmis", DIAG_TS_UNACCEPTABLE);
	agree(NULL, "dead", "gw", "dead", DIAG_PEER_UNREACHABLE);
	agree(NULL, "peer-delete", "gw", "peerdel", DIAG_PEER_DELETED);
	agree(NULL, "dpd", "gw", "dpd", DIAG_DPD_DEAD);
	agree(NULL, "child-missing", "gw", "childfail", DIAG_NO_PROPOSAL);
	/* the trap policy was there, then it went */
	agree("healthy.gw.jsonl", "untrap", "gw", "trap", DIAG_SHOULD_BE_UP);
}

/* Tables are judged after a change, at most once a second: the deadline
 * says when, and a turn then judges them. */
static void test_judged_when_due(void **state)
{
	(void)state;
	struct why *w = why_new(false);
	struct insight *in = insight_new(NULL, 0);
	struct model *m = why_model(w);
	char err[200];
	const char *conns = "{\"event\":\"list-conn\",\"time\":100,\"data\":{\"gw\":{\"children\":"
	                    "{\"gw-lan\":{\"start_action\":\"start\"}}}}}";
	const char *sas = "{\"event\":\"list-sa\",\"time\":100,\"data\":{}}";
	assert_int_equal(why_feed_json_line(w, conns, strlen(conns), err, sizeof(err)), 0);
	why_flush(w);
	why_tables_begin(w, 1u << MODEL_TABLE_SAS, 100000);
	(void)sas;
	why_tables_end(w, 100000);
	/* the first turn judges at once: start_action = start and no IKE SA */
	assert_true(insight_turn(in, m, model_take_changes(m), 100000, 0));
	const struct diag_verdict *v = diag_conn_verdict(insight_diag(in), "gw");
	assert_non_null(v);
	assert_int_equal(v->code, DIAG_SHOULD_BE_UP);
	/* an operator's terminate: down on purpose, no verdict */
	struct run_result r = {
	        .verb = VERB_TERMINATE, .ike = "gw", .child = "", .ok = true, .outcome = "done"};
	insight_action(in, 100100, &r);
	assert_null(diag_conn_verdict(insight_diag(in), "gw"));
	/* a failed initiate nothing explains: its errmsg */
	r = (struct run_result){.verb = VERB_INITIATE,
	                        .ike = "gw",
	                        .child = "gw-lan",
	                        .ok = false,
	                        .outcome = "establishing CHILD_SA 'gw-lan' failed"};
	insight_action(in, 100200, &r);
	v = diag_conn_verdict(insight_diag(in), "gw");
	assert_non_null(v);
	assert_int_equal(v->code, DIAG_UNKNOWN);
	assert_non_null(strstr(v->detail, "establishing CHILD_SA 'gw-lan' failed"));
	/* an SA event: judged no sooner than a second after the last
	 * judgement, and the deadline says so */
	const char *up = "{\"event\":\"ike-updown\",\"time\":100.3,\"data\":{\"up\":\"yes\","
	                 "\"gw\":{\"uniqueid\":\"1\",\"state\":\"ESTABLISHED\"}}}";
	assert_int_equal(why_feed_json_line(w, up, strlen(up), err, sizeof(err)), 0);
	unsigned ch = model_take_changes(m);
	assert_true(ch & MODEL_CHANGED_SA_SET);
	insight_turn(in, m, ch, 100300, 0);
	int64_t due = insight_deadline(in);
	assert_int_equal(due, 102000);
	insight_turn(in, m, ch, 101999, 0);
	assert_int_equal(insight_deadline(in), 102000);
	insight_turn(in, m, 0, due, 0);
	/* judged; nothing CONNECTING: a look every 5 s whether something is */
	assert_int_equal(insight_deadline(in), due + 5000);
	insight_free(in);
	why_free(w);
}

/* An IKE SA CONNECTING: judged every few seconds, so that it becomes a
 * verdict once past the engine's grace with nothing else changing. */
static void test_connecting_judged(void **state)
{
	(void)state;
	struct why *w = why_new(false);
	struct insight *in = insight_new(NULL, 0);
	replay(w, in, "dead.gw.jsonl");
	int64_t t = why_now(w) + 10000;
	assert_int_equal(insight_deadline(in), t + 5000);
	struct model *m = why_model(w);
	uint64_t gen = diag_generation(insight_diag(in));
	insight_turn(in, m, 0, t + 4999, 0);
	assert_int_equal(diag_generation(insight_diag(in)), gen);
	insight_turn(in, m, 0, t + 5000, 0);
	assert_int_equal(insight_deadline(in), t + 10000);
	insight_free(in);
	why_free(w);
}

/* ---- the store ---------------------------------------------------------------- */

static void test_no_store(void **state)
{
	(void)state;
	struct insight *in = insight_new(NULL, 0);
	int role = -1;
	assert_false(insight_hist(in)->enabled);
	assert_null(insight_message(in, &role));
	insight_free(in);
	/* a path with nothing there: said once, retried a minute later */
	char dir[400], path[500], err[300];
	snprintf(dir, sizeof(dir), "%s/later", tmpdir);
	snprintf(path, sizeof(path), "%s/history.db", dir);
	in = insight_new(path, 0);
	assert_false(insight_hist(in)->enabled);
	const char *msg = insight_message(in, &role);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "history: "));
	assert_non_null(strstr(msg, "later/history.db"));
	assert_int_equal(role, THEME_WARNING);
	assert_null(insight_message(in, &role));
	assert_int_equal(insight_deadline(in), 5000); /* the look at the tables comes first */
	struct model *m = model_new(NULL);
	insight_turn(in, m, 0, 60000, NOW);
	assert_false(insight_hist(in)->enabled);
	assert_null(insight_message(in, &role)); /* quietly */
	/* a recorder made it meanwhile: opened at the next retry and read */
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(histfix_make(path, NOW, err, sizeof(err)), 0);
	insight_turn(in, m, 0, 90000, NOW);
	assert_false(insight_hist(in)->enabled);
	assert_true(insight_turn(in, m, 0, 120000, NOW));
	assert_true(insight_hist(in)->enabled);
	assert_non_null(hist_flaps_find(insight_hist(in), (struct model_str){"site1", 5}));
	insight_free(in);
	model_free(m);
}

static void test_flaps_and_rates(void **state)
{
	(void)state;
	struct insight *in = insight_new(fixture("h.db"), 0);
	struct model *m = model_new(NULL);
	struct hist *h = insight_hist(in);
	assert_true(h->enabled);
	assert_true(insight_turn(in, m, 0, 1000, NOW));
	const struct hist_flap *fl = hist_flaps_find(h, (struct model_str){"site1", 5});
	assert_non_null(fl);
	assert_int_equal(fl->ike_down, 3);
	assert_int_equal(fl->child_down, 5);
	fl = hist_flaps_find(h, (struct model_str){"dead", 4});
	assert_non_null(fl);
	assert_int_equal(fl->ike_down, 1);
	assert_int_equal(fl->child_down, 0);
	assert_null(hist_flaps_find(h, (struct model_str){"site2", 5}));
	/* one series for the CHILD, the two reqids added up */
	assert_int_equal(h->n_rates, 1);
	const struct hist_rate *r = hist_rates_find(h, (struct model_str){"site1", 5},
	                                            (struct model_str){"site1-lan", 9});
	assert_non_null(r);
	for (int i = 0; i < HIST_RATE_BUCKETS; i++) {
		if (i >= 17 && i <= 19) {
			assert_false(r->has[i]);
			continue;
		}
		if (!r->has[i])
			fail_msg("bucket %d: nothing recorded", i);
		double want = (i + 1) * 6000.0 / 60.0;
		if (r->in[i] < want * 0.99 || r->in[i] > want * 1.01)
			fail_msg("bucket %d: %.1f B/s in, want %.1f", i, r->in[i], want);
		assert_true(r->out[i] > want / 2 * 0.99 && r->out[i] < want / 2 * 1.01);
	}
	/* read again a minute later, not before */
	assert_true(insight_deadline(in) <= 61000);
	uint64_t gen = h->gen;
	insight_turn(in, m, 0, 30000, NOW + 30000);
	assert_int_equal(h->gen, gen);
	insight_turn(in, m, 0, 61000, NOW + 61000);
	assert_true(h->gen > gen);
	model_free(m);
	insight_free(in);
}

static void test_timeline(void **state)
{
	(void)state;
	struct insight *in = insight_new(fixture("h.db"), 0);
	struct model *m = model_new(NULL);
	struct hist *h = insight_hist(in);
	hist_want_timeline(h, "site1", 10);
	insight_turn(in, m, 0, 1000, NOW);
	assert_string_equal(h->tl.conn, "site1");
	assert_int_equal(h->tl.recs.n, 10);
	assert_false(h->tl.complete);
	/* newest first: the rekey 30 minutes ago */
	const struct store_event *e = &h->tl.recs.v[0].ev;
	assert_int_equal(e->kind, STORE_EV_CHILD_REKEY);
	assert_int_equal(e->new_id, 14);
	for (size_t i = 1; i < h->tl.recs.n; i++)
		assert_true(h->tl.recs.v[i].ev.time <= h->tl.recs.v[i - 1].ev.time);
	/* the view scrolls: more, up to everything (the daemon's records too) */
	hist_want_timeline(h, "site1", 1000);
	insight_turn(in, m, 0, 1100, NOW);
	assert_int_equal(h->tl.recs.n, HISTFIX_SITE1 + HISTFIX_OLD);
	assert_true(h->tl.complete);
	/* another connection replaces it; none stops reading */
	hist_want_timeline(h, "dead", 200);
	insight_turn(in, m, 0, 1200, NOW);
	assert_string_equal(h->tl.conn, "dead");
	/* at the same time: the later record first */
	assert_int_equal(h->tl.recs.v[0].ev.kind, STORE_EV_IKE_DOWN);
	assert_int_equal(h->tl.recs.v[1].ev.kind, STORE_EV_VERDICT);
	assert_true(model_str_eq(h->tl.recs.v[1].ev.code, "peer-unreachable"));
	hist_want_timeline(h, NULL, 0);
	insight_turn(in, m, 0, 1300, NOW);
	assert_null(h->tl.conn);
	assert_int_equal(h->tl.recs.n, 0);
	model_free(m);
	insight_free(in);
}

/* The events pane's scroll-back: pages of records before its ring, each
 * older than the last, none twice, to the end. */
static void test_scroll_back(void **state)
{
	(void)state;
	struct insight *in = insight_new(fixture("h.db"), 0);
	struct model *m = model_new(NULL);
	struct hist *h = insight_hist(in);
	int64_t anchor = NOW - 100 * 60000;
	hist_want_back(h, anchor, 100);
	insight_turn(in, m, 0, 1000, NOW);
	assert_int_equal(h->back.recs.n, 100);
	assert_false(h->back.complete);
	assert_true(model_str_eq(h->back.recs.v[0].ev.detail, "old notice 0"));
	size_t total = 0;
	for (size_t want = 200; !h->back.complete && want < 2000; want += 100) {
		hist_want_back(h, anchor, want);
		insight_turn(in, m, 0, 1000 + (int64_t)want, NOW);
	}
	assert_true(h->back.complete);
	total = h->back.recs.n;
	/* everything before the anchor: the daemon's notices, site1's 13
	 * older records, none of dead's or the later ones */
	assert_int_equal(total, HISTFIX_OLD + 9);
	for (size_t i = 0; i < total; i++) {
		const struct store_event *e = &h->back.recs.v[i].ev;
		assert_true(e->time < anchor);
		if (i) {
			const struct store_event *p = &h->back.recs.v[i - 1].ev;
			assert_true(e->time < p->time || (e->time == p->time && e->id < p->id));
		}
	}
	/* forgotten when the pane lets go */
	hist_want_back(h, anchor, 0);
	assert_int_equal(h->back.recs.n, 0);
	model_free(m);
	insight_free(in);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_agrees_with_why), cmocka_unit_test(test_grace_wakes),
	        cmocka_unit_test(test_judged_when_due), cmocka_unit_test(test_connecting_judged),
	        cmocka_unit_test(test_no_store),        cmocka_unit_test(test_flaps_and_rates),
	        cmocka_unit_test(test_timeline),        cmocka_unit_test(test_scroll_back),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
