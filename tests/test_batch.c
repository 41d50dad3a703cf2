/*
 * Batch mode's snapshots and options (app/batch.h): rows and JSON from a
 * model fed with charon's messages (tests/msgs.h), the filter language over
 * the rows, the events since the snapshot before, hostile strings escaped,
 * and every option with its error message. No terminal, no socket.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/batch.h"
#include "model/filter.h"
#include "msgs.h"

static struct model *fed(void)
{
	struct model *m = model_new(NULL);
	const char *lan[] = {"lan", "voip"};
	struct msg conns[] = {msg_list_conn("gw-b", lan, NULL, 2),
	                      msg_list_conn("gw-a", lan, NULL, 1)};
	msg_sweep_conns(m, conns, 2, 1000);
	struct ike_spec ikes[] = {
	        {.name = "gw-b",
	         .uid = 2,
	         .remote = "198.51.100.2",
	         .established = 100,
	         .rekey = 3000},
	        {.name = "gw-a",
	         .uid = 1,
	         .remote = "198.51.100.1",
	         .established = 100,
	         .rekey = 3000,
	         .responder_spi = "\x1b[2Jevil"},
	};
	struct child_spec b[] = {
	        {.name = "lan",
	         .uid = 20,
	         .install = 10,
	         .rekey = 900,
	         .life = 1000,
	         .bytes_in = 1000},
	        {.name = "voip", .uid = 21, .install = 10, .rekey = 300, .life = 400}};
	struct child_spec a[] = {{.name = "lan",
	                          .uid = 10,
	                          .install = 10,
	                          .rekey = 60,
	                          .life = 90,
	                          .rts = "10.9.\x1b]0;x\x07.0/24"}};
	const struct child_spec *ch[] = {b, a};
	size_t nch[] = {2, 1};
	msg_sweep_sas(m, ikes, ch, nch, 2, 1000);
	/* two seconds later, more traffic: rates */
	b[0].bytes_in = 5000;
	msg_sweep_sas(m, ikes, ch, nch, 2, 3000);
	return m;
}

/* One snapshot into a string (malloc'd). */
static char *snap(struct batch_snapshot *s, uint64_t *last)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	uint64_t l = batch_write(f, s);
	if (last)
		*last = l;
	long n = ftell(f);
	assert_true(n >= 0);
	char *out = malloc((size_t)n + 1);
	assert_non_null(out);
	rewind(f);
	assert_int_equal(fread(out, 1, (size_t)n, f), (size_t)n);
	out[n] = '\0';
	fclose(f);
	return out;
}

static struct filter *compile(enum batch_pane pane, const char *text)
{
	size_t n;
	const struct filter_field *t = batch_fields(pane, &n);
	struct filter *f = NULL;
	char err[256];
	assert_int_equal(filter_compile(text, t, n, &f, err, sizeof(err)), 0);
	return f;
}

static void test_text_rows(void **state)
{
	(void)state;
	struct model *m = fed();
	struct batch_snapshot s = {.m = m, .pane = BATCH_SAS, .width = 200, .now = 3000};
	char *out = snap(&s, NULL);
	if (getenv("BATCH_DUMP"))
		fputs(out, stderr);
	/* title, heading, 2 IKE + 3 CHILD rows, an empty line */
	assert_non_null(strstr(out, "swantop 19"));
	assert_non_null(strstr(out, "2 IKE, 3 CHILD  2 connections, 2 up"));
	assert_non_null(strstr(out, "\nNAME "));
	assert_non_null(strstr(out, "REKEY  EXPIRE"));
	/* name order, ASCII tree, the rate of lan (4000 B in 2 s) */
	char *a = strstr(out, "- gw-a"), *bb = strstr(out, "- gw-b");
	assert_true(a && bb && a < bb);
	assert_non_null(strstr(out, "|-lan"));
	assert_non_null(strstr(out, "`-voip"));
	assert_non_null(strstr(out, "2.0K/s"));
	/* no escape sequence, no trailing blanks, no line over the width */
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_null(strstr(out, " \n"));
	for (char *l = out; *l;) {
		char *e = strchr(l, '\n');
		assert_non_null(e);
		assert_true(e - l <= 200);
		l = e + 1;
	}
	assert_int_equal(out[strlen(out) - 2], '\n'); /* an empty line ends it */
	free(out);

	/* narrow: fewer columns, still the names */
	s.width = 60;
	out = snap(&s, NULL);
	assert_non_null(strstr(out, "gw-a"));
	assert_null(strstr(out, "EXPIRE"));
	free(out);

	/* the filter language: one IKE SA, and under gw-b only voip */
	s.width = 200;
	s.filter = compile(BATCH_SAS, "remote=198.51.100.1");
	out = snap(&s, NULL);
	assert_non_null(strstr(out, "gw-a"));
	assert_null(strstr(out, "gw-b"));
	free(out);
	filter_free((struct filter *)s.filter);
	s.filter = compile(BATCH_SAS, "child=voip");
	out = snap(&s, NULL);
	assert_non_null(strstr(out, "gw-b"));
	assert_non_null(strstr(out, "voip"));
	assert_null(strstr(out, "|-lan"));
	assert_null(strstr(out, "gw-a"));
	free(out);
	filter_free((struct filter *)s.filter);
	model_free(m);
}

static void test_json_rows(void **state)
{
	(void)state;
	struct model *m = fed();
	struct batch_snapshot s = {.m = m, .pane = BATCH_SAS, .json = true, .now = 3000};
	char *out = snap(&s, NULL);
	/* one line */
	assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
	assert_true(!strncmp(out, "{\"time\":\"", 9));
	assert_non_null(strstr(out, "\"pane\":\"sas\",\"ikes\":2,\"children\":3"));
	assert_non_null(strstr(out, "\"rows\":[{\"kind\":\"ike\",\"name\":\"gw-a\",\"id\":\"#1\","
	                            "\"state\":\"ESTABLISHED\""));
	assert_non_null(strstr(out, "{\"kind\":\"child\",\"name\":\"lan\",\"id\":\"c20\","
	                            "\"state\":\"INSTALLED\""));
	assert_non_null(strstr(out, "\"rate-in\":\"2.0K/s\""));
	assert_non_null(strstr(out, "\"rekey\":\"1m00s\""));
	/* the hostile traffic selector: no control character, JSON escaped */
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_non_null(strstr(out, "\"remote\":\"10.9."));
	free(out);

	s.pane = BATCH_CONNS;
	out = snap(&s, NULL);
	if (getenv("BATCH_DUMP"))
		fputs(out, stderr);
	assert_non_null(strstr(out, "{\"kind\":\"conn\",\"name\":\"gw-b\",\"status\":\"up 1:2\""));
	assert_non_null(strstr(out, "{\"kind\":\"child\",\"name\":\"voip\""));
	free(out);
	model_free(m);
}

static void test_events_since(void **state)
{
	(void)state;
	struct model *m = model_new(NULL);
	model_event_addf(m, MODEL_EV_NOTICE, 1000, "first \x1b[31mred");
	model_event_addf(m, MODEL_EV_NOTICE, 1500, "second");
	struct batch_snapshot s = {.m = m, .pane = BATCH_EVENTS, .width = 120, .now = 2000};
	uint64_t last;
	char *out = snap(&s, &last);
	assert_non_null(strstr(out, "first"));
	assert_non_null(strstr(out, "second"));
	assert_null(strchr(out, '\x1b'));
	free(out);
	/* the next snapshot: only what came since */
	model_event_addf(m, MODEL_EV_NOTICE, 2500, "third");
	s.events_after = last;
	s.json = true;
	out = snap(&s, &last);
	assert_null(strstr(out, "first"));
	assert_non_null(strstr(out, "\"kind\":\"notice\""));
	assert_non_null(strstr(out, "\"text\":\"third\""));
	assert_int_equal(last, model_event_at(m, 2)->seq);
	free(out);
	/* kind= filters */
	s.events_after = 0;
	s.json = false;
	s.filter = compile(BATCH_EVENTS, "text~^sec");
	out = snap(&s, NULL);
	assert_null(strstr(out, "first"));
	assert_non_null(strstr(out, "second"));
	free(out);
	filter_free((struct filter *)s.filter);
	model_free(m);
}

static int parse(const char *line, struct batch_options *o, char *err)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return batch_parse_args(argc, argv, o, err, 256);
}

static void test_options(void **state)
{
	(void)state;
	struct batch_options o;
	char err[256];
	assert_int_equal(parse("swantop -b", &o, err), 0);
	assert_int_equal(o.count, 1);
	assert_int_equal(o.delay_ms, 3000);
	assert_int_equal(o.pane, BATCH_SAS);
	assert_false(o.json);
	assert_int_equal(parse("swantop -b -n 5 -d 0.5 --pane events --json --filter x "
	                       "--uri unix:///tmp/s",
	                       &o, err),
	                 0);
	assert_int_equal(o.count, 5);
	assert_int_equal(o.delay_ms, 500);
	assert_int_equal(o.pane, BATCH_EVENTS);
	assert_true(o.json);
	assert_string_equal(o.filter, "x");
	assert_string_equal(o.uri, "unix:///tmp/s");
	assert_int_equal(parse("swantop --batch --pane=pols", &o, err), 0);
	assert_int_equal(o.pane, BATCH_POLS);
	assert_int_equal(parse("swantop -b -n 0", &o, err), -EINVAL);
	assert_string_equal(err, "-n: '0' is not a count of snapshots (1 or more)");
	assert_int_equal(parse("swantop -b -d 0", &o, err), -EINVAL);
	assert_string_equal(err, "-d: '0' is not a number of seconds between 0.1 and 3600");
	assert_int_equal(parse("swantop -b --pane log", &o, err), -EINVAL);
	assert_string_equal(err, "--pane: 'log' is not a pane (sas, conns, pols or events)");
	assert_int_equal(parse("swantop -b --uri nope", &o, err), -EINVAL);
	assert_int_equal(parse("swantop -b --theme x", &o, err), -EINVAL);
	assert_string_equal(err, "unknown option '--theme' in batch mode");
	assert_int_equal(parse("swantop -b -n", &o, err), -EINVAL);
	assert_string_equal(err, "option -n needs a value");
	/* -b anywhere asks for batch mode, not after "--" */
	char a0[] = "swantop", a1[] = "-n", a2[] = "2", a3[] = "-b", a4[] = "--";
	char *v1[] = {a0, a1, a2, a3, NULL};
	assert_true(batch_wanted(4, v1));
	char *v2[] = {a0, a4, a3, NULL};
	assert_false(batch_wanted(3, v2));
	char *v3[] = {a0, NULL};
	assert_false(batch_wanted(1, v3));
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_text_rows),
	        cmocka_unit_test(test_json_rows),
	        cmocka_unit_test(test_events_since),
	        cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
