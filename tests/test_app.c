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
	struct app_config cfg = {"unix:///nonexistent.swantop/charon.vici", 1000, "default",
	                         readonly};
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
	for (const char *k = keys; *k; k++)
		app_key(app, (unsigned char)*k, false);
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
	assert_non_null(strstr(app->status.text, "terminate SA:"));
	app_command_run(app, "initate x");
	assert_string_equal(app->status.text,
	                    "unknown command 'initate' (did you mean 'initiate'?)");
	assert_false(app->quit);
	app_command_run(app, "q");
	assert_true(app->quit);
	teardown(app);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_key_asks_first),
	        cmocka_unit_test(test_question_follows_rekey),
	        cmocka_unit_test(test_question_withdrawn_when_gone),
	        cmocka_unit_test(test_readonly),
	        cmocka_unit_test(test_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
