/*
 * The panes' intents: a pane never acts, it returns a verb and a target
 * (or a message saying why it cannot). Checked for every pane that has
 * verbs, from a model fed with charon's messages, without a terminal.
 *
 * And what the panes show of verdicts and history, drawn into a curses
 * screen that writes to /dev/null and read back cell by cell: the
 * connections pane's WHY column, the SA tree's, the detail view with
 * charon's evidence, a connection's timeline and the events pane's
 * scroll-back, from recordings of real charons (tests/data/diag) and a
 * history store written through its API (tests/histfix.c).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include <curses.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <cmocka.h>

#include "app/insight.h"
#include "histfix.h"
#include "main/why.h"
#include "cscreen.h"
#include "msgs.h"
#include "ui/hist.h"
#include "ui/keys.h"
#include "ui/overlay.h"
#include "ui/pane.h"

#define IKE(n, u)                                                                                  \
	{                                                                                          \
		.name = n, .uid = u, .established = 100, .rekey = 3000                             \
	}
#define CHILD(n, u, r)                                                                             \
	{                                                                                          \
		.name = n, .uid = u, .reqid = r, .install = 10, .rekey = 900, .life = 1000         \
	}

struct fx {
	struct model *m;
	struct model_view *v;
	struct pane p;
	struct pane_ctx c;
};

static void fx_init(struct fx *f, const struct pane_ops *ops, bool with_sas)
{
	memset(f, 0, sizeof(*f));
	f->m = model_new(NULL);
	if (with_sas) {
		const char *site1[] = {"site1-lan"};
		struct msg conns[] = {msg_list_conn("site1", site1, NULL, 1)};
		msg_sweep_conns(f->m, conns, 1, 1000);
		struct ike_spec ike = IKE("site1", 3);
		struct child_spec lan[] = {CHILD("site1-lan", 5, 7)};
		const struct child_spec *ch[] = {lan};
		size_t nch[] = {1};
		msg_sweep_sas(f->m, &ike, ch, nch, 1, 1000);
	}
	f->v = model_view_new(f->m);
	struct pane_init in = {f->m, f->v, NULL};
	pane_init(&f->p, ops, &in);
	pane_resize(&f->p, (struct rect){0, 0, 20, 100});
	f->c.model = f->m;
	f->c.utf8 = true;
	f->c.focused = true;
	f->c.connected = true;
}

static void fx_free(struct fx *f)
{
	pane_destroy(&f->p);
	model_view_free(f->v);
	model_free(f->m);
}

static unsigned key(struct fx *f, int action, enum verb verb, struct intent *out)
{
	struct key_input k = {action, verb, 0};
	memset(out, 0, sizeof(*out));
	return f->p.ops->key(&f->p, &f->c, &k, out);
}

static void test_sas(void **state)
{
	(void)state;
	struct fx f;
	struct intent in;
	fx_init(&f, &pane_sas_ops, true);
	/* the IKE row */
	key(&f, KA_VERB, VERB_TERMINATE, &in);
	assert_int_equal(in.verb, VERB_TERMINATE);
	assert_int_equal(in.target.kind, TARGET_IKE_SA);
	assert_int_equal(in.target.ike_id, 3);
	assert_string_equal(in.target.ike.s, "site1");
	assert_string_equal(in.message, "");
	/* the CHILD row under it */
	key(&f, KA_DOWN, VERB_NONE, &in);
	assert_int_equal(in.verb, VERB_NONE);
	key(&f, KA_VERB, VERB_REKEY, &in);
	assert_int_equal(in.verb, VERB_REKEY);
	assert_int_equal(in.target.kind, TARGET_CHILD_SA);
	assert_int_equal(in.target.child_id, 5);
	assert_int_equal(in.target.ike_id, 3);
	assert_int_equal(in.target.reqid, 7);
	assert_string_equal(in.target.child.s, "site1-lan");
	/* the detail view names the same SA */
	struct detail_subject s;
	assert_true(pane_detail(&f.p, &f.c, &s));
	assert_int_equal(s.kind, DETAIL_SA);
	assert_int_equal(s.target.child_id, 5);
	fx_free(&f);
	/* nothing to select: a message, no verb */
	fx_init(&f, &pane_sas_ops, false);
	key(&f, KA_VERB, VERB_TERMINATE, &in);
	assert_int_equal(in.verb, VERB_NONE);
	assert_string_equal(in.message, "no SA selected");
	assert_false(pane_detail(&f.p, &f.c, &s));
	fx_free(&f);
}

static void test_conns(void **state)
{
	(void)state;
	struct fx f;
	struct intent in;
	fx_init(&f, &pane_conns_ops, true);
	key(&f, KA_VERB, VERB_INITIATE, &in);
	assert_int_equal(in.verb, VERB_INITIATE);
	assert_int_equal(in.target.kind, TARGET_CONN);
	assert_string_equal(in.target.ike.s, "site1");
	key(&f, KA_DOWN, VERB_NONE, &in);
	key(&f, KA_VERB, VERB_INITIATE, &in);
	assert_int_equal(in.target.kind, TARGET_CHILD_CONF);
	assert_string_equal(in.target.child.s, "site1-lan");
	assert_string_equal(in.target.ike.s, "site1");
	/* a filter that hides everything: nothing selected */
	snprintf(f.p.filter, sizeof(f.p.filter), "no-such-thing");
	pane_filter_changed(&f.p);
	key(&f, KA_VERB, VERB_INITIATE, &in);
	assert_int_equal(in.verb, VERB_NONE);
	assert_string_equal(in.message, "no connection selected");
	fx_free(&f);
}

static void test_events_have_no_verbs(void **state)
{
	(void)state;
	struct fx f;
	struct intent in;
	fx_init(&f, &pane_events_ops, true);
	unsigned fl = key(&f, KA_VERB, VERB_TERMINATE, &in);
	assert_int_equal(fl, PANE_IGNORED);
	assert_int_equal(in.verb, VERB_NONE);
	assert_string_equal(in.message, "");
	fx_free(&f);
}

/* ---- what the panes show ------------------------------------------------- */

#define ROWS 30
#define COLS 160

static int screen_up(void **state)
{
	(void)state;
	return cscreen_up(ROWS, COLS);
}

static int screen_down(void **state)
{
	(void)state;
	return cscreen_down();
}

static const char *line(int y)
{
	return cscreen_line(y);
}

static void dump(void)
{
	for (int y = 0; y < ROWS; y++)
		fprintf(stderr, "|%s\n", line(y));
}

static int find(const char *s)
{
	return cscreen_find(s);
}

static int has_at(const char *s, int *y)
{
	*y = find(s);
	if (*y < 0) {
		dump();
		fail_msg("'%s' is not on the screen", s);
	}
	return *y;
}

/* The line holding both a and b, or a failure with the screen. */
static const char *line_with(const char *a, const char *b)
{
	for (int y = 0; y < ROWS; y++)
		if (strstr(line(y), a) && strstr(line(y), b))
			return line(y);
	dump();
	fail_msg("no line with '%s' and '%s'", a, b);
	return NULL;
}

static void draw(struct pane *p, const struct pane_ctx *c)
{
	erase();
	p->ops->draw(p, c);
}

/* A model and an engine that saw a recording (e.g. "badpsk", "gw"). */
static struct why *recorded(const char *scenario, const char *side)
{
	const char *src = getenv("SWANTOP_SOURCE_DIR");
	char path[1024], err[300];
	snprintf(path, sizeof(path), "%s/tests/data/diag/%s.%s.jsonl", src ? src : ".", scenario,
	         side);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	struct why *w = why_new(true);
	if (why_replay(w, f, path, err, sizeof(err)))
		fail_msg("%s", err);
	fclose(f);
	return w;
}

static void ctx_of(struct pane_ctx *c, struct why *w, const struct hist *h)
{
	memset(c, 0, sizeof(*c));
	c->model = why_model(w);
	c->diag = why_diag(w);
	c->hist = h;
	c->utf8 = true;
	c->focused = true;
	c->connected = true;
	c->now = why_now(w);
}

/* The connections pane: WHY in the row of the connection that failed,
 * STATUS never "up" for a connection missing a CHILD SA; its detail view
 * with charon's own lines, what to check and how to retry. */
static void test_why_on_screen(void **state)
{
	(void)state;
	struct why *w = recorded("badpsk", "gw");
	struct pane p;
	struct pane_ctx c;
	struct pane_init in = {why_model(w), NULL, NULL};
	ctx_of(&c, w, NULL);
	pane_init(&p, &pane_conns_ops, &in);
	pane_resize(&p, (struct rect){0, 0, ROWS, COLS});
	draw(&p, &c);
	int y;
	assert_non_null(strstr(line(has_at("badpsk ", &y)), "auth-failed"));
	assert_non_null(strstr(line_with("site1 ", "up 1\u00b72"), "\u00b7"));
	assert_int_equal(find("FLAPS"), -1); /* no store, no FLAPS */
	/* Enter on it: the verdict above the fields */
	while (!strstr(line(p.r.y + 2 + (int)p.lv.sel), "badpsk "))
		p.lv.sel++;
	struct detail_subject s;
	assert_true(pane_detail(&p, &c, &s));
	struct pane o;
	struct pane_init oin = {why_model(w), NULL, NULL};
	pane_init(&o, &pane_text_ops, &oin);
	pane_resize(&o, (struct rect){0, 0, ROWS, COLS});
	overlay_detail_open(&o, &s);
	draw(&o, &c);
	has_at("why: auth-failed (IKE, by the peer)", &y);
	assert_int_equal(y, 1);
	has_at("charon said:", &y);
	has_at("AUTHENTICATION_FAILED", &y);
	has_at("retry: swanctl --initiate --child badpsk-lan", &y);
	has_at("next: ", &y);
	has_at("connection (as listed by list-conns)", &y);
	pane_destroy(&o);
	pane_destroy(&p);
	why_free(w);

	/* a CHILD SA missing: "partial" in the connection's row, the verdict in
	 * the CHILD config's row */
	w = recorded("child-missing", "gw");
	in.model = why_model(w);
	ctx_of(&c, w, NULL);
	pane_init(&p, &pane_conns_ops, &in);
	pane_resize(&p, (struct rect){0, 0, ROWS, COLS});
	snprintf(p.filter, sizeof(p.filter), "childfail");
	pane_filter_changed(&p);
	draw(&p, &c);
	const char *l = line_with("childfail ", "partial 1\u00b71");
	assert_non_null(strstr(l, "no-proposal"));
	assert_null(strstr(l, " up "));
	assert_non_null(strstr(line_with("childfail-b", "TUNNEL"), "no-proposal"));
	assert_null(strstr(line_with("childfail-a", "TUNNEL"), "no-proposal"));
	pane_destroy(&p);
	why_free(w);
}

/* A peer no connection matched: a row of its own under the connections,
 * and its verdict in the detail view; nothing to initiate on it. */
static void test_unmatched_peer(void **state)
{
	(void)state;
	struct why *w = recorded("ike-proposal", "peer");
	struct pane p, o;
	struct pane_ctx c;
	struct pane_init in = {why_model(w), NULL, NULL};
	ctx_of(&c, w, NULL);
	pane_init(&p, &pane_conns_ops, &in);
	pane_resize(&p, (struct rect){0, 0, ROWS, COLS});
	snprintf(p.filter, sizeof(p.filter), "peer");
	pane_filter_changed(&p);
	draw(&p, &c);
	const char *l = line_with("peer 192.0.2.1", "unmatched");
	assert_non_null(strstr(l, "no-proposal"));
	struct detail_subject s;
	assert_true(pane_detail(&p, &c, &s));
	assert_int_equal(s.kind, DETAIL_PEER);
	struct key_input k = {KA_VERB, VERB_INITIATE, 'i'};
	struct intent out;
	memset(&out, 0, sizeof(out));
	p.ops->key(&p, &c, &k, &out);
	assert_int_equal(out.verb, VERB_NONE);
	assert_non_null(strstr(out.message, "no connection matched"));
	pane_init(&o, &pane_text_ops, &in);
	pane_resize(&o, (struct rect){0, 0, ROWS, COLS});
	overlay_detail_open(&o, &s);
	draw(&o, &c);
	int y;
	has_at("peer 192.0.2.1 (no connection matched)", &y);
	has_at("why: no-proposal (IKE, refused here)", &y);
	has_at("their proposals: IKE:", &y);
	pane_destroy(&o);
	pane_destroy(&p);
	why_free(w);
}

/* The SA tree: a WHY column while an SA has a verdict, on that SA's row. */
static void test_sa_why_column(void **state)
{
	(void)state;
	struct why *w = recorded("dead", "gw");
	struct model_view *v = model_view_new(why_model(w));
	struct pane p;
	struct pane_ctx c;
	struct pane_init in = {why_model(w), v, NULL};
	ctx_of(&c, w, NULL);
	pane_init(&p, &pane_sas_ops, &in);
	pane_resize(&p, (struct rect){0, 0, ROWS, COLS});
	draw(&p, &c);
	int y;
	has_at("WHY", &y);
	assert_non_null(strstr(line_with("dead ", "CONNECTING"), "peer-unreachable"));
	assert_null(strstr(line_with("site1 ", "ESTABLISHED"), "peer-unreachable"));
	/* without verdicts the column is not there */
	c.diag = NULL;
	draw(&p, &c);
	assert_int_equal(find("WHY"), -1);
	pane_destroy(&p);
	model_view_free(v);
	why_free(w);
}

/* Hostile strings in a verdict reach the screen escaped. */
static void test_detail_hostile(void **state)
{
	(void)state;
	struct why *w = why_new(true);
	char err[200];
	const char *lines[] = {
	        "{\"event\":\"list-conn\",\"data\":{\"evil\":{\"children\":{\"evil-lan\":{}}}}}",
	        "{\"event\":\"log\",\"time\":10,\"data\":{\"group\":\"IKE\",\"level\":\"1\","
	        "\"ikesa-name\":\"evil\",\"ikesa-uniqueid\":\"7\",\"msg\":\"initiating IKE_SA "
	        "evil[7] "
	        "to 192.0.2.2\"}}",
	        "{\"event\":\"log\",\"time\":10,\"data\":{\"group\":\"IKE\",\"level\":\"1\","
	        "\"ikesa-name\":\"evil\",\"ikesa-uniqueid\":\"7\",\"msg\":\"looking for peer "
	        "configs matching 192.0.2.1[me]...192.0.2.2[evil\\u001b]0;owned\\u0007]\"}}",
	        "{\"event\":\"log\",\"time\":10,\"data\":{\"group\":\"IKE\",\"level\":\"1\","
	        "\"ikesa-name\":\"evil\",\"ikesa-uniqueid\":\"7\",\"msg\":\"received "
	        "AUTHENTICATION_FAILED notify error\"}}",
	};
	for (size_t i = 0; i < 4; i++)
		if (why_feed_json_line(w, lines[i], strlen(lines[i]), err, sizeof(err)) < 0)
			fail_msg("%s", err);
	why_flush(w);
	struct pane o;
	struct pane_ctx c;
	struct pane_init in = {why_model(w), NULL, NULL};
	ctx_of(&c, w, NULL);
	pane_init(&o, &pane_text_ops, &in);
	pane_resize(&o, (struct rect){0, 0, ROWS, COLS});
	struct detail_subject s = {.kind = DETAIL_CONN};
	target_conn(&s.target, model_conn_at(why_model(w), 0), NULL);
	overlay_detail_open(&o, &s);
	draw(&o, &c);
	int y;
	has_at("why: auth-failed", &y);
	has_at("peer: 192.0.2.2 (evil\\x1b]0;owned\\x07)", &y);
	has_at("[evil\\x1b]0;owned\\x07]", &y); /* in charon's line too */
	pane_destroy(&o);
	why_free(w);
}

static char tmpdir[256];

static const char *fixture_path(void)
{
	static char path[400];
	char err[300];
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_panes.XXXXXX");
		if (!mkdtemp(tmpdir))
			fail_msg("mkdtemp");
		snprintf(path, sizeof(path), "%s/h.db", tmpdir);
		if (histfix_make(path, 1796385600000LL, err, sizeof(err)) < 0)
			fail_msg("%s", err);
	}
	return path;
}

/* Tab in a connection's detail: its timeline from the store, newest first,
 * a down event with its verdict; more as it scrolls; Tab again: the
 * fields. */
static void test_timeline_on_screen(void **state)
{
	(void)state;
	const int64_t now = 1796385600000LL;
	struct insight *ins = insight_new(fixture_path(), 0);
	struct hist *h = insight_hist(ins);
	struct model *m = model_new(NULL);
	const char *kids[] = {"site1-lan"};
	struct msg conns[] = {msg_list_conn("site1", kids, NULL, 1)};
	msg_sweep_conns(m, conns, 1, 1000);
	insight_turn(ins, m, 0, 1000, now);
	struct pane o;
	struct pane_init in = {m, NULL, h};
	struct pane_ctx c = {.model = m, .hist = h, .utf8 = true, .focused = true, .now = 1000};
	pane_init(&o, &pane_text_ops, &in);
	pane_resize(&o, (struct rect){0, 0, ROWS, COLS});
	struct detail_subject s = {.kind = DETAIL_CONN};
	target_conn(&s.target, model_conn_at(m, 0), NULL);
	overlay_detail_open(&o, &s);
	draw(&o, &c);
	int y;
	has_at("history: 3 IKE and 5 CHILD down events in the last 24 hours", &y);
	struct key_input k = {KA_TIMELINE, VERB_NONE, '\t'};
	struct intent out;
	assert_true(o.ops->key(&o, &c, &k, &out) & PANE_REDRAW_ALL);
	assert_string_equal(h->tl.want_conn, "site1");
	draw(&o, &c);
	has_at("reading the history store", &y);
	insight_turn(ins, m, 0, 1100, now); /* the application reads it */
	draw(&o, &c);
	has_at("timeline of site1", &y);
	has_at("VERDICT", &y);
	assert_int_equal(find("child-rekey"), 2); /* newest first, under the heading */
	assert_non_null(strstr(line(2), "site1-lan #13>#14"));
	assert_non_null(strstr(line(2), "2026-12-04 11:30:00"));
	/* to the end: the rest is asked for and comes */
	k.action = KA_END;
	for (int i = 0; i < 4; i++) {
		o.ops->key(&o, &c, &k, &out);
		insight_turn(ins, m, 0, 1200 + i, now);
		draw(&o, &c);
	}
	assert_true(h->tl.complete);
	has_at("ike-down", &y);
	/* a down event shows the verdict recorded for its IKE SA */
	k.action = KA_PGUP;
	for (int i = 0; i < 12 && find("IKE #7 ") < 0; i++) {
		o.ops->key(&o, &c, &k, &out);
		draw(&o, &c);
	}
	assert_non_null(strstr(line_with("IKE #7 ", "ike-down"), "dpd-dead"));
	/* Tab: the fields again, and the timeline is no longer asked for */
	k.action = KA_TIMELINE;
	o.ops->key(&o, &c, &k, &out);
	assert_null(h->tl.want_conn);
	draw(&o, &c);
	has_at("connection (as listed by list-conns)", &y);
	pane_destroy(&o);
	model_free(m);
	insight_free(ins);
}

/* The events pane: Up on the oldest entry reads older records, which show
 * above the ring with their dates; the selection moves onto them; Enter
 * shows a record. Without a store, nothing is asked for. */
static void test_scroll_back_on_screen(void **state)
{
	(void)state;
	const int64_t now = 1796385600000LL;
	struct insight *ins = insight_new(fixture_path(), 0);
	struct hist *h = insight_hist(ins);
	struct model *m = model_new(NULL);
	for (int i = 0; i < 3; i++)
		model_event_addf(m, MODEL_EV_NOTICE, 1000 + i, "live %d", i);
	insight_turn(ins, m, 0, 1000, now);
	struct pane p;
	struct pane_init in = {m, NULL, h};
	/* the ring's oldest entry 100 minutes before the fixture's now */
	struct pane_ctx c = {.model = m,
	                     .hist = h,
	                     .utf8 = true,
	                     .focused = true,
	                     .now = 2000,
	                     .wall_offset = now - 100 * 60000 - 1000};
	pane_init(&p, &pane_events_ops, &in);
	pane_resize(&p, (struct rect){0, 0, 12, COLS});
	draw(&p, &c);
	struct key_input k = {KA_HOME, VERB_NONE, 0};
	struct intent out;
	p.ops->key(&p, &c, &k, &out);
	assert_int_equal(h->back.want_n, 0); /* Home alone asks for nothing */
	k.action = KA_UP;
	p.ops->key(&p, &c, &k, &out);
	assert_int_equal(h->back.want_n, 100);
	assert_int_equal(h->back.anchor, now - 100 * 60000);
	insight_turn(ins, m, 0, 1100, now);
	draw(&p, &c);
	int y;
	has_at("3 events + 100 from history", &y);
	/* the selection is on the newest record, dated, just above the ring */
	assert_int_equal(p.lv.sel, 99);
	assert_non_null(strstr(line(p.r.h - 1), "12-04 10:00:00 i notice      old notice 0"));
	struct detail_subject s;
	assert_true(pane_detail(&p, &c, &s));
	assert_int_equal(s.kind, DETAIL_HISTORY);
	assert_int_equal(s.seq, (uint64_t)h->back.recs.v[0].ev.id);
	k.action = KA_DOWN;
	p.ops->key(&p, &c, &k, &out);
	draw(&p, &c);
	has_at("live 0", &y);
	assert_non_null(strstr(line(y - 1), "old notice 0"));
	assert_null(strstr(line(y), "12-04")); /* the ring's own entries: the time alone */
	/* PgUp to the top of what is loaded, then further: the next page */
	k.action = KA_HOME;
	p.ops->key(&p, &c, &k, &out);
	k.action = KA_PGUP;
	p.ops->key(&p, &c, &k, &out);
	assert_int_equal(h->back.want_n, 200);
	insight_turn(ins, m, 0, 1200, now);
	draw(&p, &c);
	has_at("3 events + 200 from history", &y);
	/* c clears the pane and lets the records go */
	k.action = KA_CLEAR;
	p.ops->key(&p, &c, &k, &out);
	assert_int_equal(h->back.want_n, 0);
	assert_int_equal(h->back.recs.n, 0);
	pane_destroy(&p);
	insight_free(ins);

	/* no store: Up on the oldest entry is just Up */
	ins = insight_new(NULL, 0);
	h = insight_hist(ins);
	in.hist = h;
	c.hist = h;
	pane_init(&p, &pane_events_ops, &in);
	pane_resize(&p, (struct rect){0, 0, 12, COLS});
	draw(&p, &c);
	k.action = KA_HOME;
	p.ops->key(&p, &c, &k, &out);
	k.action = KA_UP;
	p.ops->key(&p, &c, &k, &out);
	assert_int_equal(h->back.want_n, 0);
	draw(&p, &c);
	assert_int_equal(find("history"), -1);
	pane_destroy(&p);
	insight_free(ins);
	model_free(m);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fail_msg("%s", cmd);
	tmpdir[0] = '\0';
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sas),
	        cmocka_unit_test(test_conns),
	        cmocka_unit_test(test_events_have_no_verbs),
	        cmocka_unit_test(test_why_on_screen),
	        cmocka_unit_test(test_unmatched_peer),
	        cmocka_unit_test(test_sa_why_column),
	        cmocka_unit_test(test_detail_hostile),
	        cmocka_unit_test(test_timeline_on_screen),
	        cmocka_unit_test(test_scroll_back_on_screen),
	};
	return cmocka_run_group_tests(tests, screen_up, screen_down);
}
