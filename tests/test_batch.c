/*
 * Batch mode's snapshots and options (app/batch.h): rows and JSON from a
 * model fed with charon's messages (tests/msgs.h), the filter language over
 * the rows, the events since the snapshot before, hostile strings escaped,
 * and every option with its error message. No terminal, no socket; only
 * the comparison with what the panes draw reads a curses screen
 * (tests/cscreen.h).
 */
#include <curses.h>
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
#include "cscreen.h"
#include "model/filter.h"
#include "msgs.h"
#include "ui/pane.h"
#include "ui/rows.h"

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

/* ---- the same rows as the panes --------------------------------------------- */

/* Wide enough for every column of the connections pane, WHY too. */
#define SCREEN_ROWS 40
#define SCREEN_COLS 200
#define NOW 3000

/* fed() with every pane's rows: connections up, partial (gw-a's dmz is not
 * up), trap and down; policies of each type; events. */
static struct model *fed_all(void)
{
	struct model *m = fed();
	const char *bl[] = {"lan", "voip"}, *al[] = {"lan", "dmz"}, *net[] = {"net"};
	struct msg conns[] = {
	        msg_list_conn("gw-b", bl, NULL, 2), msg_list_conn("gw-a", al, NULL, 2),
	        msg_list_conn("trapped", net, NULL, 1), msg_list_conn("idle", net, NULL, 1)};
	msg_sweep_conns(m, conns, 4, NOW);
	struct msg pols[] = {msg_list_pol("trapped/net", "TUNNEL", "10.1.0.0/16", "10.7.0.0/16"),
	                     msg_list_pol("gw-b/voip", "TRANSPORT", "10.1.0.0/16", "10.2.0.0/16"),
	                     msg_list_pol("block", "DROP", "10.1.0.0/16", "10.66.0.0/16"),
	                     msg_list_pol("bypass", "PASS", "10.1.0.0/16", "10.1.0.0/16")};
	msg_sweep(m, MODEL_TABLE_POLS, "list-policy", pols, 4, NOW);
	struct ike_spec c = {.name = "gw-c", .uid = 3, .remote = "198.51.100.3"};
	struct child_spec lan = {.name = "lan", .uid = 30};
	msg_feed(m, "ike-updown", msg_ike_updown(true, &c), NOW);
	msg_feed(m, "child-updown", msg_child_updown(true, &c, &lan), NOW);
	msg_feed(m, "ike-updown", msg_ike_updown(false, &c), NOW);
	model_event_addf(m, MODEL_EV_NOTICE, NOW, "reconnected to charon");
	return m;
}

/* Line minus the display columns [from, from + n) (a code point a column),
 * trailing blanks cut. */
static const char *cut_columns(const char *line, size_t from, size_t n)
{
	static char buf[4096];
	size_t col = 0, k = 0;
	for (const char *s = line; *s; col++) {
		size_t len = 1;
		while ((s[len] & 0xc0) == 0x80)
			len++;
		if ((col < from || col >= from + n) && k + len < sizeof(buf)) {
			memcpy(buf + k, s, len);
			k += len;
		}
		s += len;
	}
	while (k && buf[k - 1] == ' ')
		k--;
	buf[k] = '\0';
	return buf;
}

/* What the pane draws below its title, as batch mode would write it: the
 * SA tree's sort mark blanked, the connections' WHY column cut out (batch
 * mode has no diagnosis engine); the text of an empty pane left out. */
static const char *pane_lines(struct model *m, enum batch_pane bp, const char *filter)
{
	static char buf[16384];
	struct model_view *v = model_view_new(m);
	struct pane_init in = {m, v, NULL};
	struct pane p;
	pane_init(&p, batch_pane_ops(bp), &in);
	pane_resize(&p, (struct rect){0, 0, SCREEN_ROWS, SCREEN_COLS});
	snprintf(p.filter, sizeof(p.filter), "%s", filter);
	if (pane_filter_changed(&p))
		fail_msg("%s /%s: %s", p.ops->name, filter, p.filter_err);
	struct pane_ctx c = {
	        .model = m, .utf8 = true, .connected = true, .have_data = true, .now = NOW};
	erase();
	p.ops->draw(&p, &c);
	unsigned w[CC_COUNT];
	struct column cols[CC_COUNT];
	memcpy(cols, conn_columns, sizeof(cols));
	cols[CC_FLAPS].max = 0;
	columns_fit(cols, CC_COUNT, SCREEN_COLS, w);
	size_t why_at = w[CC_NAME] + 1 + w[CC_UP] + 1, n = 0;
	buf[0] = '\0';
	for (int y = 1; y < SCREEN_ROWS; y++) {
		const char *l = cscreen_line(y);
		if (!*l || strstr(l, "matches the filter"))
			break;
		if (bp == BATCH_CONNS)
			l = cut_columns(l, why_at, w[CC_WHY] + 1);
		const char *mark = y == 1 && bp == BATCH_SAS ? strstr(l, "\u25b2") : NULL;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%.*s%s%s\n",
		                      mark ? (int)(mark - l) : (int)strlen(l), l, mark ? " " : "",
		                      mark ? mark + strlen("\u25b2") : "");
	}
	pane_destroy(&p);
	model_view_free(v);
	return buf;
}

/* What batch mode writes below its title line, without the empty line that
 * ends the snapshot (malloc'd). */
static char *batch_lines(struct model *m, enum batch_pane bp, const char *filter)
{
	struct batch_snapshot s = {
	        .m = m, .pane = bp, .width = SCREEN_COLS, .utf8 = true, .now = NOW};
	s.filter = compile(bp, filter);
	char *out = snap(&s, NULL);
	filter_free((struct filter *)s.filter);
	char *body = strchr(out, '\n') + 1;
	memmove(out, body, strlen(body) + 1);
	out[strlen(out) - 1] = '\0';
	return out;
}

/* Values of fed_all()'s rows, for the filters tried. */
static const char *const words[] = {
        "gw-a",         "voip",    "lan",   "net",       "ESTABLISHED", "INSTALLED",
        "up",           "partial", "trap",  "down",      "drop",        "pass",
        "198.51.100.1", "10.9",    "IKEv2", "TRANSPORT", "shared",      "ike-up",
        "reconnected",  "1",       "20",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* The n-th filter tried over field f, into buf: is:F, !is:F, then F=WORD
 * and F~WORD for each word; over free text (f NULL): WORD and !WORD. False
 * past the last. */
static bool filter_nth(char *buf, size_t size, const char *f, size_t n)
{
	if (f && n < 2) {
		snprintf(buf, size, "%sis:%s", n ? "!" : "", f);
		return true;
	}
	n -= f ? 2 : 0;
	if (n >= 2 * NWORDS)
		return false;
	if (f)
		snprintf(buf, size, "%s%s%s", f, n % 2 ? "~" : "=", words[n / 2]);
	else
		snprintf(buf, size, "%s%s", n % 2 ? "!" : "", words[n / 2]);
	return true;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Batch mode takes each pane's own field table, and for every field of it
 * (is:F, !is:F, F=WORD, F~WORD) and free text shows what the pane shows:
 * the same heading and the same rows, line for line. */
static void test_same_as_panes(void **state)
{
	(void)state;
	static const enum batch_pane panes[] = {BATCH_SAS, BATCH_CONNS, BATCH_POLS, BATCH_EVENTS};
	assert_int_equal(cscreen_up(SCREEN_ROWS, SCREEN_COLS), 0);
	struct model *m = fed_all();
	for (size_t k = 0; k < sizeof(panes) / sizeof(panes[0]); k++) {
		const struct pane_ops *ops = batch_pane_ops(panes[k]);
		size_t nf;
		assert_ptr_equal(batch_fields(panes[k], &nf), ops->fields);
		assert_int_equal(nf, ops->nfields);
		char *all = batch_lines(m, panes[k], "");
		size_t rows_all = count_lines(all), fewer = 0, some = 0, tries = 0;
		char filter[128];
		for (size_t i = 0; i <= nf; i++) {
			const char *f = i < nf ? ops->fields[i].name : NULL;
			for (size_t n = 0; filter_nth(filter, sizeof(filter), f, n); n++) {
				char *got = batch_lines(m, panes[k], filter);
				const char *want = pane_lines(m, panes[k], filter);
				if (strcmp(got, want)) {
					fprintf(stderr, "batch:\n%s\npane:\n%s", got, want);
					fail_msg("%s /%s: batch and pane differ", ops->name,
					         filter);
				}
				/* the heading and a row, or the heading alone */
				size_t rows = count_lines(got);
				fewer += rows < rows_all;
				some += rows > (panes[k] != BATCH_EVENTS);
				tries++;
				free(got);
			}
		}
		/* the filters both kept rows and dropped some */
		assert_true(fewer > tries / 2);
		assert_true(some > 40);
		free(all);
	}
	model_free(m);
	assert_int_equal(cscreen_down(), 0);
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
	        cmocka_unit_test(test_text_rows),    cmocka_unit_test(test_json_rows),
	        cmocka_unit_test(test_events_since), cmocka_unit_test(test_same_as_panes),
	        cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
