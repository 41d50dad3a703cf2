/*
 * The application without a terminal: keys and command lines reach the
 * same verbs; a destructive verb asks first, naming its target and the
 * swanctl equivalent; an open question follows its SA across a rekey and is
 * withdrawn when the SA is gone, never redirected; read-only refuses; the
 * command table dispatches without re-dispatching verbs.
 *
 * What runs is read from the model's event ring ("...: started" notices the
 * app adds for every request it gives the runner); the runner points at a
 * socket that does not exist, so nothing reaches any charon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "app/app.h"
#include "msgs.h"
#include "ui/keys.h"
#include "ui/lineedit.h"
#include "ui/termkeys.h"

#define IKE(n, u)                                                                                  \
	{                                                                                          \
		.name = n, .uid = u, .established = 100, .rekey = 3000                             \
	}
#define CHILD(n, u, r)                                                                             \
	{                                                                                          \
		.name = n, .uid = u, .reqid = r, .install = 10, .rekey = 900, .life = 1000         \
	}

static struct app *setup(bool readonly)
{
	struct app_config cfg = {"unix:///nonexistent.swantop/charon.vici",
	                         1000,
	                         "default",
	                         readonly,
	                         0,
	                         NULL,
	                         true};
	struct app *app = app_create(&cfg);
	app->rows = 40;
	app->cols = 120;
	app_relayout(app);
	app_act_start(app);
	const char *site1[] = {"site1-lan", "site1-voip"};
	struct msg conns[] = {msg_list_conn("site1", site1, NULL, 2)};
	msg_sweep_conns(app->model, conns, 1, 1000);
	struct ike_spec ike = IKE("site1", 3);
	struct child_spec lan[] = {CHILD("site1-lan", 5, 7)};
	const struct child_spec *ch[] = {lan};
	size_t nch[] = {1};
	msg_sweep_sas(app->model, &ike, ch, nch, 1, 1000);
	return app;
}

static void teardown(struct app *app)
{
	app_act_stop(app);
	app_destroy(app);
}

/* Is there an event whose text contains s? */
static bool event_has(struct app *app, const char *s)
{
	for (size_t i = 0; i < model_events_count(app->model); i++) {
		const struct model_event *e = model_event_at(app->model, i);
		char buf[600];
		snprintf(buf, sizeof(buf), "%.*s", (int)e->text.len, e->text.s);
		if (strstr(buf, s))
			return true;
	}
	return false;
}

static size_t started(struct app *app)
{
	size_t n = 0;
	for (size_t i = 0; i < model_events_count(app->model); i++) {
		const struct model_event *e = model_event_at(app->model, i);
		char buf[600];
		snprintf(buf, sizeof(buf), "%.*s", (int)e->text.len, e->text.s);
		n += strstr(buf, ": started") != NULL;
	}
	return n;
}

static void press(struct app *app, const char *keys)
{
	for (const char *k = keys; *k; k++) {
		struct key_event ev = {.kind = TK_EV_CHAR, .codepoint = (unsigned char)*k};
		app_key(app, &ev);
	}
}

/* A bracketed paste of these bytes, as termkeys delivers it. */
static void paste(struct app *app, const char *bytes, size_t len)
{
	struct key_event ev = {.kind = TK_EV_PASTE, .paste = bytes, .paste_len = len};
	app_key(app, &ev);
}

/* Bytes as the terminal sends them, through the decoder (ESC deadline
 * passed). */
static void type_bytes(struct app *app, const char *bytes)
{
	struct termkeys *tk = termkeys_new(NULL);
	struct key_event ev;
	termkeys_feed(tk, bytes, strlen(bytes), 0);
	while (termkeys_next(tk, 1000, &ev))
		app_key(app, &ev);
	termkeys_free(tk);
}

static void test_paste_is_text_only(void **state)
{
	(void)state;
	struct app *app = setup(false);
	/* no text input open: nothing happens but a line that says why */
	paste(app, "ty", 2);
	assert_int_equal(app->input, INPUT_NONE);
	assert_int_equal(started(app), 0);
	assert_string_equal(app->status.text,
	                    "paste ignored: no text input here (press / or : first)");
	paste(app, "2", 1);
	assert_int_equal(app->focus, PANE_SAS);
	/* into the filter: the text without its control characters, no
	 * key among them (ESC 2 would have been Alt-2, 2 the connections) */
	press(app, "/");
	assert_int_equal(app->input, INPUT_FILTER);
	paste(app, "abc\0332\r\n\t\x9b", 9);
	assert_int_equal(app->input, INPUT_FILTER);
	assert_int_equal(app->focus, PANE_SAS);
	assert_string_equal(app->panes[PANE_SAS].filter, "abc2");
	/* the operator still presses Enter */
	type_bytes(app, "\r");
	assert_int_equal(app->input, INPUT_NONE);
	assert_string_equal(app->panes[PANE_SAS].filter, "abc2");
	/* into the command line: inserted at the cursor, not run */
	press(app, ":");
	paste(app, "terminate #3\r", 13);
	assert_int_equal(app->input, INPUT_CMDLINE);
	assert_int_equal(started(app), 0);
	assert_string_equal(lineedit_text(app->le), "terminate #3");
	type_bytes(app, "\033");
	assert_int_equal(app->input, INPUT_NONE);
	type_bytes(app, "\033"); /* Esc again clears the filter */
	assert_string_equal(app->panes[PANE_SAS].filter, "");
	/* a question is never answered by a paste: it is cancelled */
	press(app, "t");
	assert_int_equal(app->input, INPUT_CONFIRM);
	paste(app, "y", 1);
	assert_int_equal(app->input, INPUT_NONE);
	assert_int_equal(started(app), 0);
	assert_non_null(strstr(app->status.text, "cancelled: a paste is never an answer"));
	teardown(app);
}

static void test_control_keys(void **state)
{
	(void)state;
	struct app *app = setup(false);
	/* C-c cancels what is typed, then quits */
	press(app, ":");
	type_bytes(app, "abc\003");
	assert_int_equal(app->input, INPUT_NONE);
	assert_false(app->quit);
	/* C-\, C-s, C-q: nothing at all */
	type_bytes(app, "\034\023\021");
	assert_false(app->quit);
	assert_false(app->suspend);
	assert_int_equal(app->focus, PANE_SAS);
	/* Home as xterm's vt220 form moves, and its 1 is not the SA tree key
	 * pressed in the connections pane */
	press(app, "2");
	assert_int_equal(app->focus, PANE_CONNS);
	type_bytes(app, "\033[1~\033[4~\033[99~");
	assert_int_equal(app->focus, PANE_CONNS);
	/* C-z asks the loop to suspend, even while typing, which stays */
	press(app, "/x");
	type_bytes(app, "\032");
	assert_true(app->suspend);
	assert_int_equal(app->input, INPUT_FILTER);
	assert_string_equal(lineedit_text(app->le), "x");
	/* Alt-b / C-Left move by words */
	type_bytes(app, " yz\033b");
	assert_string_equal(lineedit_text(app->le), "x yz");
	assert_int_equal(lineedit_cursor(app->le), 2);
	type_bytes(app, "\033[1;5D\033[C");
	assert_int_equal(lineedit_cursor(app->le), 1);
	/* an Alt chord the editor has no use for is Esc and the key: the
	 * filter is cancelled, ':' opens the command line */
	type_bytes(app, "\033:");
	assert_int_equal(app->input, INPUT_CMDLINE);
	assert_string_equal(app->panes[app->focus].filter, "");
	type_bytes(app, "\003");
	assert_int_equal(app->input, INPUT_NONE);
	/* Esc and a key in one write are one Alt chord: where it means
	 * nothing, it is the two keys */
	press(app, "1");
	type_bytes(app, "\r");
	assert_int_equal(app->overlay, OVERLAY_DETAIL);
	type_bytes(app, "\033?");
	assert_int_equal(app->overlay, OVERLAY_HELP);
	type_bytes(app, "\033\033"); /* Esc twice, fast: M-Esc */
	assert_int_equal(app->overlay, OVERLAY_NONE);
	type_bytes(app, "\003");
	assert_true(app->quit);
	teardown(app);
}

static void test_key_asks_first(void **state)
{
	(void)state;
	struct app *app = setup(false);
	press(app, "t");
	assert_int_equal(app->input, INPUT_CONFIRM);
	assert_string_equal(app->confirm.question,
	                    "terminate IKE SA site1 #3? (y/n)  [swanctl --terminate --ike-id 3]");
	assert_int_equal(started(app), 0);
	press(app, "n");
	assert_int_equal(app->input, INPUT_NONE);
	assert_string_equal(app->status.text, "terminate IKE SA site1 #3: cancelled");
	assert_int_equal(started(app), 0);
	/* y runs it */
	press(app, "ty");
	assert_int_equal(started(app), 1);
	assert_true(event_has(app, "terminate IKE SA site1 #3: started"));
	teardown(app);
}

static void test_question_follows_rekey(void **state)
{
	(void)state;
	struct app *app = setup(false);
	press(app, "t");
	assert_int_equal(app->input, INPUT_CONFIRM);
	/* charon rekeys the IKE SA while the question is open */
	struct ike_spec s3 = IKE("site1", 3), s8 = IKE("site1", 8);
	msg_feed(app->model, "ike-rekey", msg_ike_rekey(&s3, &s8), 2000);
	app_confirm_check(app);
	assert_int_equal(app->input, INPUT_CONFIRM);
	assert_non_null(strstr(app->confirm.question, "terminate IKE SA site1 #8?"));
	press(app, "y");
	assert_true(event_has(app, "terminate IKE SA site1 #8: started"));
	assert_false(event_has(app, "#3: started"));
	teardown(app);
}

static void test_question_withdrawn_when_gone(void **state)
{
	(void)state;
	struct app *app = setup(false);
	press(app, "j"); /* the CHILD SA */
	press(app, "t");
	assert_non_null(strstr(app->confirm.question, "terminate CHILD SA site1-lan c5?"));
	/* the whole IKE SA goes away; another one of another name comes */
	struct ike_spec s3 = IKE("site1", 3), s20 = IKE("site2", 20);
	msg_feed(app->model, "ike-updown", msg_ike_updown(false, &s3), 2000);
	const struct child_spec *none[] = {NULL};
	size_t zero[] = {0};
	msg_sweep_sas(app->model, &s20, none, zero, 1, 2100);
	msg_sweep_sas(app->model, &s20, none, zero, 1, 2200);
	app_confirm_check(app);
	assert_int_equal(app->input, INPUT_NONE);
	assert_non_null(strstr(app->status.text, "cancelled"));
	press(app, "y"); /* too late: nothing is asked any more */
	assert_int_equal(started(app), 0);
	teardown(app);
}

/* The selection never moves to another SA by itself: with many SAs under
 * churn, the selected one goes and the row below slides into its place; a
 * verb key pressed then acts on nothing and says so. A rekey is followed;
 * the next navigation key continues from where the row was. */
static void test_gone_selection_acts_on_nothing(void **state)
{
	(void)state;
	struct app *app = setup(false);
	enum { N = 1000 };
	static struct ike_spec ikes[N];
	static char names[N][16];
	const struct child_spec *none[N] = {NULL};
	static size_t zero[N];
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "s%05zu", i + 1);
		/* s00002 got a late id, as after churn */
		ikes[i] = (struct ike_spec)IKE(names[i], i == 1 ? 1001 : (uint32_t)i + 1);
	}
	msg_sweep_sas(app->model, ikes, none, zero, N, 2000);
	msg_sweep_sas(app->model, ikes, none, zero, N, 2100); /* site1 goes */
	struct model_sel sel = {1001, 0};
	model_view_refresh(app->sa_view);
	assert_true(model_view_select_id(app->sa_view, sel));
	/* s00002 #1001 goes; s00003 #3 is now where it was */
	struct ike_spec gone = ikes[1];
	msg_feed(app->model, "ike-updown", msg_ike_updown(false, &gone), 3000);
	press(app, "t");
	assert_int_equal(app->input, INPUT_NONE);
	assert_string_equal(app->status.text, "the selected SA is gone");
	assert_int_equal(started(app), 0);
	/* the detail view does not open on another SA either */
	assert_false(app_detail_open(app));
	assert_string_equal(app->status.text, "the selected SA is gone");
	/* the next key selects from where it was */
	press(app, "j");
	assert_int_equal(model_view_selection(app->sa_view).ike_id, 3);
	press(app, "t");
	assert_int_equal(app->input, INPUT_CONFIRM);
	assert_non_null(strstr(app->confirm.question, "terminate IKE SA s00003 #3?"));
	app_confirm_cancel(app);
	/* an IKE rekey is followed: t asks about the successor */
	struct ike_spec s3 = ikes[2], s3n = ikes[2];
	s3n.uid = 2000;
	msg_feed(app->model, "ike-rekey", msg_ike_rekey(&s3, &s3n), 4000);
	msg_feed(app->model, "ike-updown", msg_ike_updown(false, &s3), 4001);
	press(app, "t");
	assert_non_null(strstr(app->confirm.question, "terminate IKE SA s00003 #2000?"));
	app_confirm_cancel(app);
	assert_int_equal(started(app), 0);
	teardown(app);
}

static void test_readonly(void **state)
{
	(void)state;
	struct app *app = setup(true);
	press(app, "t");
	assert_int_equal(app->input, INPUT_NONE);
	assert_string_equal(app->status.text, "read-only mode: terminate IKE SA site1 #3 refused");
	app_command_run(app, "rekey #3");
	assert_string_equal(app->status.text, "read-only mode: rekey IKE SA site1 #3 refused");
	assert_int_equal(started(app), 0);
	teardown(app);
}

static void test_commands(void **state)
{
	(void)state;
	struct app *app = setup(false);
	/* the same verb as the key, the same question */
	app_command_run(app, "terminate #3");
	assert_int_equal(app->input, INPUT_CONFIRM);
	assert_string_equal(app->confirm.question,
	                    "terminate IKE SA site1 #3? (y/n)  [swanctl --terminate --ike-id 3]");
	app_confirm_cancel(app);
	/* not destructive: runs at once */
	app_command_run(app, "rekey site1-lan");
	assert_true(event_has(app, "rekey site1-lan: started"));
	/* typed: insists even on what is up */
	app_command_run(app, "initiate site1");
	assert_true(event_has(app, "initiate site1-lan: started"));
	assert_true(event_has(app, "initiate site1-voip: started"));
	/* a key press does not */
	app_focus_pane(app, PANE_CONNS);
	size_t before = started(app);
	press(app, "i");
	assert_int_equal(started(app), before + 1);
	/* not verbs */
	app_command_run(app, "filter site");
	assert_string_equal(app->panes[PANE_CONNS].filter, "site");
	app_command_run(app, "filter");
	assert_string_equal(app->panes[PANE_CONNS].filter, "");
	app_command_run(app, "help terminate");
	assert_non_null(strstr(app->status.text, "terminate [SA]:"));
	app_command_run(app, "initate x");
	assert_string_equal(app->status.text,
	                    "unknown command 'initate' (did you mean 'initiate'?)");
	assert_false(app->quit);
	app_command_run(app, "q");
	assert_true(app->quit);
	teardown(app);
}

/* A key the operator bound runs its command as if typed: destructive verbs
 * still ask, read-only still refuses; unbinding brings the key back. */
static void test_bindings(void **state)
{
	(void)state;
	struct app *app = setup(false);
	app_command_run(app, "bind F filter site1");
	assert_string_equal(app->status.text, "F: filter site1");
	press(app, "F");
	assert_string_equal(app->panes[PANE_SAS].filter, "site1");
	app_command_run(app, "filter");
	/* a verb alone acts on the selection, as its key does */
	app_command_run(app, "bind C-t terminate");
	type_bytes(app, "\x14");
	assert_int_equal(app->input, INPUT_CONFIRM);
	assert_string_equal(app->confirm.question,
	                    "terminate IKE SA site1 #3? (y/n)  [swanctl --terminate --ike-id 3]");
	app_confirm_cancel(app);
	/* a bound key beats the built-in one; Alt chords are keys too */
	app_command_run(app, "bind r terminate #3");
	press(app, "r");
	assert_int_equal(app->input, INPUT_CONFIRM);
	app_confirm_cancel(app);
	app_command_run(app, "bind M-t help terminate");
	type_bytes(app, "\x1bt");
	assert_non_null(strstr(app->status.text, "terminate [SA]:"));
	assert_int_equal(started(app), 0);
	/* what :bind refuses */
	app_command_run(app, "bind : quit");
	assert_string_equal(app->status.text,
	                    "bind: : cannot be rebound (it opens the command line or quits)");
	app_command_run(app, "bind x terminate a b");
	assert_string_equal(app->status.text,
	                    "bind: terminate: too many arguments (usage: terminate [SA])");
	/* unbinding: the built-in r (rekey) is back */
	app_command_run(app, "unbind r");
	assert_string_equal(app->status.text, "r: unbound (its own key is back)");
	press(app, "r");
	assert_true(event_has(app, "rekey IKE SA site1 #3: started"));
	app_command_run(app, "unbind r");
	assert_string_equal(app->status.text, "unbind: r has no binding of yours");
	/* the help lists them */
	size_t n = keymap_count(app->keymap);
	assert_int_equal(n, 3);
	teardown(app);

	app = setup(true);
	app_command_run(app, "bind C-t terminate");
	type_bytes(app, "\x14");
	assert_int_equal(app->input, INPUT_NONE);
	assert_string_equal(app->status.text, "read-only mode: terminate IKE SA site1 #3 refused");
	teardown(app);
}

static void test_settings(void **state)
{
	(void)state;
	struct app *app = setup(false);
	app_command_run(app, "set interval 2.5");
	assert_string_equal(app->status.text, "interval 2.5");
	assert_int_equal(app->cfg.interval_ms, 2500);
	app_command_run(app, "set interval");
	assert_string_equal(app->status.text, "interval 2.5");
	app_command_run(app, "set interval 0");
	assert_string_equal(app->status.text,
	                    "set interval: '0' is not a number of seconds between 0.1 and 3600");
	assert_int_equal(app->cfg.interval_ms, 2500);
	app_command_run(app, "set intervall 3");
	assert_string_equal(app->status.text,
	                    "set: unknown setting \"intervall\" (did you mean \"interval\"?)");
	app_command_run(app, "set uri unix:///x");
	assert_string_equal(app->status.text, "uri: takes effect at start only (--uri, or set uri "
	                                      "in the configuration file)");
	app_command_run(app, "set mouse off");
	assert_false(app->cfg.mouse);
	app_command_run(app, "set");
	assert_non_null(strstr(app->status.text, "interval=2.5"));
	assert_non_null(strstr(app->status.text, "mouse=off"));
	assert_non_null(strstr(app->status.text, "uri=(default)"));
	/* read-only can be promised, not taken back */
	app_command_run(app, "set readonly on");
	assert_true(app->cfg.readonly);
	app_command_run(app, "set readonly off");
	assert_true(app->cfg.readonly);
	assert_string_equal(app->status.text, "readonly: cannot be turned off while running "
	                                      "(start without --readonly)");
	app_command_run(app, "set readonly");
	assert_string_equal(app->status.text, "readonly on");
	press(app, "t");
	assert_int_equal(app->input, INPUT_NONE);
	teardown(app);
}

/* The SA pane as a draw leaves it: the rows counted, the first on top. */
static void drawn(struct app *app)
{
	struct pane *p = &app->panes[PANE_SAS];
	model_view_refresh(app->sa_view);
	p->lv.count = model_view_count(app->sa_view);
	p->lv.top = 0;
	p->lv.sel = model_view_selected(app->sa_view);
}

/* SGR mouse bytes (1-based cells) through the decoder. */
static void mouse_at(struct app *app, int button, int x, int y, char final)
{
	char b[32];
	snprintf(b, sizeof(b), "\x1b[<%d;%d;%d%c", button, x + 1, y + 1, final);
	type_bytes(app, b);
}

static void test_mouse(void **state)
{
	(void)state;
	struct app *app = setup(false);
	app->now = 10000;
	press(app, "]"); /* the CHILD SA's row too */
	drawn(app);
	struct pane *p = &app->panes[PANE_SAS];
	assert_true(p->lv.count >= 2);
	assert_int_equal(model_view_selected(app->sa_view), 0);
	int x = p->r.x + 3, row1 = p->r.y + 2 + 1;
	/* a click selects the row under it; its release does nothing more */
	mouse_at(app, 0, x, row1, 'M');
	mouse_at(app, 0, x, row1, 'm');
	assert_int_equal(model_view_selected(app->sa_view), 1);
	assert_int_equal(app->overlay, OVERLAY_NONE);
	/* the column heading and rows past the end select nothing */
	drawn(app);
	mouse_at(app, 0, x, p->r.y + 1, 'M');
	mouse_at(app, 0, x, p->r.y + 2 + (int)p->lv.count + 1, 'M');
	assert_int_equal(model_view_selected(app->sa_view), 1);
	/* a double-click opens the detail view, as Enter */
	app->now += 1000;
	mouse_at(app, 0, x, p->r.y + 2, 'M');
	assert_int_equal(model_view_selected(app->sa_view), 0);
	assert_int_equal(app->overlay, OVERLAY_NONE);
	drawn(app);
	app->now += 200;
	mouse_at(app, 0, x, p->r.y + 2, 'M');
	assert_int_equal(app->overlay, OVERLAY_DETAIL);
	app->overlay = OVERLAY_NONE;
	/* two clicks too far apart are two clicks */
	app->now += 2000;
	mouse_at(app, 0, x, p->r.y + 2, 'M');
	app->now += 1000;
	mouse_at(app, 0, x, p->r.y + 2, 'M');
	assert_int_equal(app->overlay, OVERLAY_NONE);
	/* the wheel scrolls the pane under it */
	mouse_at(app, 65, x, row1, 'M');
	assert_int_equal(model_view_selected(app->sa_view), p->lv.count - 1);
	drawn(app);
	mouse_at(app, 64, x, row1, 'M');
	assert_int_equal(model_view_selected(app->sa_view), 0);
	/* a click in another pane focuses it */
	struct pane *ev = &app->panes[PANE_EVENTS];
	assert_true(ev->r.h > 0);
	mouse_at(app, 0, ev->r.x + 1, ev->r.y, 'M');
	assert_int_equal(app->focus, PANE_EVENTS);
	/* off: clicks are not seen */
	app_command_run(app, "set mouse off");
	drawn(app);
	mouse_at(app, 0, x, row1, 'M');
	assert_int_equal(app->focus, PANE_EVENTS);
	/* while typing, the mouse does nothing */
	app_command_run(app, "set mouse on");
	press(app, "/");
	mouse_at(app, 0, x, row1, 'M');
	assert_int_equal(app->focus, PANE_EVENTS);
	assert_int_equal(app->input, INPUT_FILTER);
	teardown(app);
}

/* m marks rows by identity, t asks once about all of them naming the
 * swanctl commands, the question drops an SA that goes (and says so), y
 * answers it (never copies while it is open), the result line counts. */
static void test_marks_bulk(void **state)
{
	(void)state;
	struct app *app = setup(false);
	app_focus_pane(app, PANE_SAS);
	press(app, "mm"); /* the IKE row, then the CHILD row under it */
	assert_int_equal(marks_count(&app->marks, MARKS_SAS), 2);
	assert_string_equal(app->status.text, "marked site1-lan #c5 (2 marked; M clears)");
	press(app, "t");
	assert_int_equal(app->input, INPUT_CONFIRM);
	assert_string_equal(app->confirm.question,
	                    "terminate 2 SAs: site1 #3, site1-lan #c5? (y/n)  [swanctl --terminate "
	                    "--ike-id 3; swanctl --terminate --child-id 5]");
	/* the CHILD SA goes while the question is open */
	struct ike_spec ike = IKE("site1", 3);
	const struct child_spec *none[] = {NULL};
	size_t zero[] = {0};
	for (int i = 0; i < 3; i++)
		msg_sweep_sas(app->model, &ike, none, zero, 1, 2000 + i * 100);
	app_confirm_check(app);
	assert_int_equal(app->input, INPUT_CONFIRM);
	assert_string_equal(app->confirm.question,
	                    "(site1-lan #c5 gone: dropped) terminate 1 SA: site1 #3? (y/n)  "
	                    "[swanctl --terminate --ike-id 3]");
	assert_int_equal(marks_count(&app->marks, MARKS_SAS), 1);
	press(app, "y");
	assert_int_equal(app->input, INPUT_NONE);
	/* the runner's socket does not exist: it fails at once, and says why */
	assert_true(event_has(app, "terminate IKE SA site1 #3: failed"));
	assert_memory_equal(app->status.text, "0 of 1 terminated; 1 failed: site1 #3: ", 38);
	assert_null(app->batch);
	/* y outside a question copies (nothing drawn here: nothing to copy) */
	press(app, "y");
	assert_string_equal(app->status.text, "nothing to copy: no row selected");
	press(app, "M");
	assert_int_equal(marks_count(&app->marks, MARKS_SAS), 0);
	/* no marks: :terminate acts on the selection, never on the row that
	 * took the place of a gone one */
	app_command_run(app, "terminate");
	assert_int_equal(app->input, INPUT_NONE);
	assert_string_equal(app->status.text,
	                    "terminate: name one (usage: terminate [SA]), or mark rows with m");
	press(app, "g");
	app_command_run(app, "terminate");
	assert_int_equal(app->input, INPUT_CONFIRM);
	assert_string_equal(app->confirm.question,
	                    "terminate IKE SA site1 #3? (y/n)  [swanctl --terminate --ike-id 3]");
	assert_null(app->confirm.targets);
	app_confirm_cancel(app);
	/* marks on connections are the connections pane's */
	app_focus_pane(app, PANE_CONNS);
	press(app, "m");
	assert_int_equal(marks_count(&app->marks, MARKS_CONNS), 1);
	app_command_run(app, "unmark");
	assert_int_equal(app->marks.n, 0);
	teardown(app);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_key_asks_first),
	        cmocka_unit_test(test_paste_is_text_only),
	        cmocka_unit_test(test_control_keys),
	        cmocka_unit_test(test_question_follows_rekey),
	        cmocka_unit_test(test_question_withdrawn_when_gone),
	        cmocka_unit_test(test_gone_selection_acts_on_nothing),
	        cmocka_unit_test(test_readonly),
	        cmocka_unit_test(test_commands),
	        cmocka_unit_test(test_bindings),
	        cmocka_unit_test(test_settings),
	        cmocka_unit_test(test_mouse),
	        cmocka_unit_test(test_marks_bulk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
