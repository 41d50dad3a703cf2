/*
 * Sorting in every pane (ui/sort.h): s cycles the columns, S reverses,
 * :sort COLUMN [asc|desc] names one by its heading (any case, a wrong name
 * lists the valid ones), the sorted heading is marked, and the selection
 * stays on its item (an SA, a connection, a policy) when the order
 * changes. The panes are drawn into a curses screen that writes to
 * /dev/null and read back; the command through the app without a terminal.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "app/app.h"
#include "cscreen.h"
#include "msgs.h"
#include "ui/keys.h"
#include "ui/pane.h"
#include "ui/sort.h"

#define ROWS 24
#define COLS 200

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

static int find(const char *s)
{
	return cscreen_find(s);
}

struct fx {
	struct model *m;
	struct model_view *v;
	struct pane p;
	struct pane_ctx c;
};

static void fx_init(struct fx *f, const struct pane_ops *ops)
{
	memset(f, 0, sizeof(*f));
	f->m = model_new(NULL);
	f->v = model_view_new(f->m);
	struct pane_init in = {f->m, f->v, NULL};
	pane_init(&f->p, ops, &in);
	pane_resize(&f->p, (struct rect){0, 0, ROWS, COLS});
	f->c.model = f->m;
	f->c.utf8 = true;
	f->c.focused = true;
	f->c.connected = true;
	f->c.now = 1000;
}

static void fx_free(struct fx *f)
{
	pane_destroy(&f->p);
	model_view_free(f->v);
	model_free(f->m);
}

static unsigned key(struct fx *f, int action)
{
	struct key_input k = {action, VERB_NONE, 0};
	struct intent out;
	memset(&out, 0, sizeof(out));
	return f->p.ops->key(&f->p, &f->c, &k, &out);
}

static void draw(struct fx *f)
{
	erase();
	f->p.ops->draw(&f->p, &f->c);
}

/* The names of the rows' first column, top to bottom, as "a b c" (lines
 * below the heading, first word). */
static const char *order(struct fx *f, int first_row)
{
	static char buf[512];
	size_t l = 0;
	buf[0] = '\0';
	draw(f);
	for (int y = first_row; y < ROWS; y++) {
		const char *s = line(y);
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		char w[64];
		if (sscanf(s, "%63s", w) == 1)
			l += (size_t)snprintf(buf + l, sizeof(buf) - l, "%s%s", l ? " " : "", w);
	}
	return buf;
}

/* ---- the SA tree --------------------------------------------------------- */

static void sas_fill(struct model *m)
{
	struct ike_spec ikes[] = {
	        {.name = "a-none", .uid = 1, .established = 50, .rekey = -1},
	        {.name = "b-soon", .uid = 2, .established = 500, .rekey = 4000},
	        {.name = "c-later", .uid = 3, .established = 100, .rekey = 5000},
	};
	struct child_spec a[] = {{.name = "a1", .uid = 11, .install = 10, .rekey = -1, .life = -1}};
	struct child_spec b[] = {
	        {.name = "b1", .uid = 21, .install = 10, .rekey = 200, .life = 900}};
	struct child_spec c[] = {
	        {.name = "c1", .uid = 31, .install = 10, .rekey = 700, .life = 800}};
	const struct child_spec *ch[] = {a, b, c};
	/* a-none without CHILD SAs: nothing to rekey or expire */
	size_t nch[] = {0, 1, 1};
	msg_sweep_sas(m, ikes, ch, nch, 3, 1000);
}

static void test_sas_sort(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_sas_ops);
	sas_fill(f.m);
	f.c.have_data = true;
	draw(&f);
	assert_true(find("a-none") < find("b-soon") && find("b-soon") < find("c-later"));
	assert_true(find("NAME\u25b2") == 1);
	/* s: name, state, id, remote, bytes, rate, rekey, expire, then name */
	static const char *const cycle[] = {"state", "id",    "remote", "bytes",
	                                    "rate",  "rekey", "expire", "name"};
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(key(&f, KA_SORT), PANE_REDRAW);
		assert_string_equal(pane_sort_column(&f.p)->name, cycle[i]);
	}
	/* the selection is an SA: on c-later's IKE row */
	model_view_refresh(f.v);
	struct model_sel sel = {3, 0};
	assert_true(model_view_select_id(f.v, sel));
	int rk = pane_sort_find(&f.p, "REKEY");
	assert_true(rk >= 0);
	assert_int_equal(pane_sort_set(&f.p, &f.c, rk, false), 0);
	draw(&f);
	/* soonest first (b-soon's CHILD SA in 200 s), none last */
	assert_true(find("REKEY\u25b2") == 1);
	assert_true(find("b-soon") < find("c-later"));
	assert_true(find("c-later") < find("a-none"));
	model_view_refresh(f.v);
	assert_int_equal(model_view_selection(f.v).ike_id, 3);
	assert_int_equal(model_view_selected(f.v), 2);
	/* S: the latest first, still none last */
	assert_int_equal(key(&f, KA_SORT_REVERSE), PANE_REDRAW);
	draw(&f);
	assert_true(find("REKEY\u25bc") == 1);
	assert_true(find("c-later") < find("b-soon"));
	assert_true(find("b-soon") < find("a-none"));
	model_view_refresh(f.v);
	assert_int_equal(model_view_selection(f.v).ike_id, 3);
	assert_int_equal(model_view_selected(f.v), 0);
	/* EXPIRE, in ASCII */
	assert_int_equal(pane_sort_set(&f.p, &f.c, pane_sort_find(&f.p, "expire"), false), 0);
	f.c.utf8 = false;
	draw(&f);
	assert_true(find("EXPIRE^") == 1);
	assert_true(find("c-later") < find("b-soon"));
	assert_true(find("b-soon") < find("a-none"));
	assert_true(find("sort: expire ^") == 0);
	/* bytes marks both columns */
	assert_int_equal(pane_sort_set(&f.p, &f.c, pane_sort_find(&f.p, "bytes"), true), 0);
	draw(&f);
	assert_true(find("INv") == 1 && find("OUTv") == 1);
	/* names */
	char names[256];
	pane_sort_names(&f.p, names, sizeof(names));
	assert_non_null(strstr(names, "name, state, id, remote, bytes, rate, rekey, expire"));
	assert_int_equal(pane_sort_find(&f.p, "nosuch"), -1);
	assert_int_equal(pane_sort_set(&f.p, &f.c, 99, false), -EINVAL);
	fx_free(&f);
}

/* ---- connections and policies -------------------------------------------- */

static void test_conns_sort(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_conns_ops);
	const char *ch[] = {"lan"};
	struct msg conns[] = {msg_list_conn("gw-b", ch, NULL, 1),
	                      msg_list_conn("gw-c", ch, NULL, 1),
	                      msg_list_conn("gw-a", ch, NULL, 1)};
	msg_sweep_conns(f.m, conns, 3, 1000);
	/* gw-c is up */
	struct ike_spec ike = {.name = "gw-c", .uid = 7, .established = 10, .rekey = 100};
	struct child_spec lan[] = {
	        {.name = "lan", .uid = 70, .install = 10, .rekey = 50, .life = 90}};
	const struct child_spec *chs[] = {lan};
	size_t nch[] = {1};
	msg_sweep_sas(f.m, &ike, chs, nch, 1, 1000);
	/* charon's order first, nothing marked */
	assert_string_equal(order(&f, 2), "gw-b \u2514\u2500lan gw-c \u2514\u2500lan gw-a "
	                                  "\u2514\u2500lan");
	assert_null(strstr(line(1), "\u25b2"));
	assert_null(strstr(line(1), "\u25bc"));
	/* select gw-a's child config, then sort by name: still on it */
	f.p.lv.sel = 5;
	assert_int_equal(key(&f, KA_SORT), PANE_REDRAW);
	assert_string_equal(pane_sort_column(&f.p)->name, "name");
	assert_string_equal(order(&f, 2), "gw-a \u2514\u2500lan gw-b \u2514\u2500lan gw-c "
	                                  "\u2514\u2500lan");
	assert_true(find("NAME\u25b2") == 1);
	assert_int_equal(f.p.lv.sel, 1);
	/* status: the worst first, up last; reversed: up first */
	assert_int_equal(key(&f, KA_SORT), PANE_REDRAW);
	assert_string_equal(pane_sort_column(&f.p)->name, "status");
	assert_string_equal(order(&f, 2), "gw-a \u2514\u2500lan gw-b \u2514\u2500lan gw-c "
	                                  "\u2514\u2500lan");
	assert_int_equal(key(&f, KA_SORT_REVERSE), PANE_REDRAW);
	assert_string_equal(order(&f, 2), "gw-c \u2514\u2500lan gw-b \u2514\u2500lan gw-a "
	                                  "\u2514\u2500lan");
	assert_true(find("STATUS\u25bc") == 1);
	assert_int_equal(f.p.lv.sel, 5);
	/* back to charon's order after remote */
	key(&f, KA_SORT);
	key(&f, KA_SORT);
	assert_string_equal(pane_sort_column(&f.p)->name, "listed");
	fx_free(&f);
}

static void test_pols_sort(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_pols_ops);
	struct msg pols[] = {msg_list_pol("gw/zeta", "TUNNEL", "10.3.0.0/16", "10.9.0.0/16"),
	                     msg_list_pol("gw/alpha", "DROP", "10.1.0.0/16", "10.9.0.0/16"),
	                     msg_list_pol("gw/mid", "PASS", "10.2.0.0/16", "10.9.0.0/16")};
	msg_sweep(f.m, MODEL_TABLE_POLS, "list-policy", pols, 3, 1000);
	assert_int_equal(model_pol_count(f.m), 3);
	assert_string_equal(order(&f, 2), "trap drop pass");
	f.p.lv.sel = 0; /* the trap policy */
	assert_int_equal(pane_sort_set(&f.p, &f.c, pane_sort_find(&f.p, "Local-TS"), true), 0);
	draw(&f);
	assert_true(find("LOCAL-TS\u25bc") == 1);
	assert_true(find("gw/zeta") < find("gw/mid") && find("gw/mid") < find("gw/alpha"));
	assert_int_equal(f.p.lv.sel, 0);
	assert_int_equal(pane_sort_set(&f.p, &f.c, pane_sort_find(&f.p, "name"), false), 0);
	assert_string_equal(order(&f, 2), "drop pass trap");
	assert_int_equal(f.p.lv.sel, 2);
	fx_free(&f);
}

/* ---- events: time order and newest first ---------------------------------- */

static void test_events_newest_first(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, &pane_events_ops);
	for (int i = 1; i <= 5; i++)
		model_event_addf(f.m, MODEL_EV_NOTICE, 1000 * i, "notice-%d", i);
	draw(&f);
	assert_true(find("notice-1") < find("notice-5"));
	assert_int_equal(key(&f, KA_SORT_REVERSE), PANE_REDRAW);
	draw(&f);
	assert_true(find("notice-5") == 1 && find("notice-1") == 5);
	assert_true(find("newest first") == 0);
	/* following: a new event comes in at the top */
	model_event_addf(f.m, MODEL_EV_NOTICE, 6000, "notice-6");
	draw(&f);
	assert_true(find("notice-6") == 1);
	/* Down moves to older entries, End to the oldest */
	key(&f, KA_DOWN);
	key(&f, KA_DOWN);
	struct detail_subject d;
	assert_true(pane_detail(&f.p, &f.c, &d));
	assert_int_equal(d.seq, model_event_at(f.m, 3)->seq); /* notice-4 */
	key(&f, KA_END);
	assert_true(pane_detail(&f.p, &f.c, &d));
	assert_int_equal(d.seq, model_event_at(f.m, 0)->seq);
	/* Home goes back to the newest and follows again */
	key(&f, KA_HOME);
	assert_true(f.p.lv.follow);
	/* one column: s keeps the order, :sort time asc turns it back */
	assert_int_equal(key(&f, KA_SORT), PANE_HANDLED);
	assert_true(f.p.sort_desc);
	assert_int_equal(pane_sort_set(&f.p, &f.c, pane_sort_find(&f.p, "TIME"), false), 0);
	draw(&f);
	assert_true(find("notice-1") < find("notice-6"));
	fx_free(&f);
}

/* ---- :sort through the app ------------------------------------------------ */

static void test_sort_command(void **state)
{
	(void)state;
	struct app_config cfg = {
	        "unix:///nonexistent.swantop/charon.vici", 1000, "default", false, 0, NULL, false};
	struct app *app = app_create(&cfg);
	app->rows = 40;
	app->cols = 160;
	app_relayout(app);
	sas_fill(app->model);
	app_focus_pane(app, PANE_SAS);
	app_command_run(app, "sort REKEY");
	assert_string_equal(app->status.text, "SAs: sorted by rekey, ascending");
	assert_string_equal(pane_sort_column(&app->panes[PANE_SAS])->name, "rekey");
	app_command_run(app, "sort rate");
	assert_true(app->panes[PANE_SAS].sort_desc); /* biggest first, as s does */
	app_command_run(app, "sort expire desc");
	assert_true(app->panes[PANE_SAS].sort_desc);
	app_command_run(app, "sort rekey asc");
	assert_false(app->panes[PANE_SAS].sort_desc);
	app_command_run(app, "sort frob");
	assert_non_null(strstr(app->status.text, "sort: no column 'frob' in the SAs pane; "
	                                         "columns: name, state, id, remote, bytes, rate, "
	                                         "rekey, expire"));
	assert_string_equal(pane_sort_column(&app->panes[PANE_SAS])->name, "rekey");
	app_focus_pane(app, PANE_CONNS);
	app_command_run(app, "sort rekey");
	assert_non_null(strstr(app->status.text, "no column 'rekey' in the connections pane; "
	                                         "columns: listed, name, status"));
	app_command_run(app, "sort Remote desc");
	assert_string_equal(app->status.text, "connections: sorted by remote, descending");
	app_focus_pane(app, PANE_EVENTS);
	app_command_run(app, "sort time desc");
	assert_true(app->panes[PANE_EVENTS].sort_desc);
	app_destroy(app);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sas_sort),     cmocka_unit_test(test_conns_sort),
	        cmocka_unit_test(test_pols_sort),    cmocka_unit_test(test_events_newest_first),
	        cmocka_unit_test(test_sort_command),
	};
	return cmocka_run_group_tests(tests, screen_up, screen_down);
}
