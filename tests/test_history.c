/*
 * Tests of `swantop history` (src/main/history.c): the time syntax of
 * --since/--until, argument errors, and the mode run on a real store, its
 * text and JSON output (sanitised, limited, filtered) and its exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "main/cli.h"
#include "util/time.h"
#include "model/store.h"

/* 2026-12-04 12:00:00 UTC */
#define NOW 1796385600000LL

static char tmpdir[256];

static int setup(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_history.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int64_t t_of(const char *s)
{
	int64_t t = -1;
	if (time_parse(s, NOW, &t))
		fail_msg("'%s' refused", s);
	return t;
}

static void test_times(void **state)
{
	setup(state);
	assert_int_equal(t_of("now"), NOW);
	assert_int_equal(t_of("1h"), NOW - 3600000);
	assert_int_equal(t_of("30m"), NOW - 1800000);
	assert_int_equal(t_of("2d"), NOW - 2 * 86400000LL);
	assert_int_equal(t_of("1w"), NOW - 7 * 86400000LL);
	assert_int_equal(t_of("1h30m"), NOW - 5400000);
	assert_int_equal(t_of("90s"), NOW - 90000);
	assert_int_equal(t_of("@1796385600"), NOW);
	/* TZ=UTC here: local times are UTC */
	assert_int_equal(t_of("2026-12-04 03:00"), NOW - 9 * 3600000LL);
	assert_int_equal(t_of("2026-12-04T03:00:30"), NOW - 9 * 3600000LL + 30000);
	assert_int_equal(t_of("2026-12-04"), NOW - 12 * 3600000LL);
	assert_int_equal(t_of("03:00"), NOW - 9 * 3600000LL);
	assert_int_equal(t_of("2026-12-04T03:00Z"), NOW - 9 * 3600000LL);
	assert_int_equal(t_of("2026-12-04T05:00+02:00"), NOW - 9 * 3600000LL);
	assert_int_equal(t_of("2026-12-03T22:00-0500"), NOW - 9 * 3600000LL);
	/* another zone: the same wall time is another instant */
	setenv("TZ", "CET-1", 1);
	tzset();
	assert_int_equal(t_of("2026-12-04 03:00"), NOW - 10 * 3600000LL);
	setenv("TZ", "UTC", 1);
	tzset();
	const char *bad[] = {"",           "yesterday",
	                     "1x",         "h",
	                     "-1h",        "25:00",
	                     "2026-13-01", "2026-12-04 3:00",
	                     "03:00Zx",    "2026-12-04T03:00+2",
	                     "@",          "1h 30m"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t;
		if (!time_parse(bad[i], NOW, &t))
			fail_msg("'%s' accepted", bad[i]);
	}
	teardown(state);
}

static int parse(const char *line, struct cli_history_args *a, char *err)
{
	static char buf[256]; /* the parsed strings point into it */
	char *argv[16];
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 15; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return cli_history_parse(argc, argv, NOW, a, err, 256);
}

static void test_args(void **state)
{
	struct cli_history_args a;
	char err[256];
	assert_int_equal(parse("history", &a, err), 0);
	assert_null(a.conn);
	assert_int_equal(a.limit, 1000);
	assert_int_equal(
	        parse("history gw --since=2h --until 1h --limit 5 --json --db /x", &a, err), 0);
	assert_string_equal(a.conn, "gw");
	assert_int_equal(a.since, NOW - 7200000);
	assert_int_equal(a.until, NOW - 3600000);
	assert_int_equal(a.limit, 5);
	assert_true(a.json);
	assert_string_equal(a.db, "/x");
	assert_int_equal(parse("history -- --odd-name", &a, err), 0);
	assert_string_equal(a.conn, "--odd-name");
	assert_int_equal(parse("history a b", &a, err), -EINVAL);
	assert_int_equal(parse("history --since", &a, err), -EINVAL);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse("history --since soon", &a, err), -EINVAL);
	assert_non_null(strstr(err, "not a time"));
	assert_int_equal(parse("history --since 1h --until 2h", &a, err), -EINVAL);
	assert_int_equal(parse("history --limit -3", &a, err), -EINVAL);
	assert_int_equal(parse("history --frobnicate", &a, err), -EINVAL);
}

/* Runs the mode with stdout and stderr captured into files. */
static int run(const char *line, char *out, size_t outsize, char *errout, size_t errsize)
{
	char buf[512], path_o[300], path_e[300];
	char *argv[16];
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 15; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	snprintf(path_o, sizeof(path_o), "%s/out", tmpdir);
	snprintf(path_e, sizeof(path_e), "%s/err", tmpdir);
	fflush(stdout);
	fflush(stderr);
	int so = dup(1), se = dup(2);
	int fo = open(path_o, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int fe = open(path_e, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fo, 1);
	dup2(fe, 2);
	int rc = cli_history_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so), close(se), close(fo), close(fe);
	FILE *f = fopen(path_o, "r");
	size_t n = fread(out, 1, outsize - 1, f);
	out[n] = '\0';
	fclose(f);
	f = fopen(path_e, "r");
	n = fread(errout, 1, errsize - 1, f);
	errout[n] = '\0';
	fclose(f);
	return rc;
}

static struct model_str S(const char *s) {
	return (struct model_str){s, (uint32_t)strlen(s)};
}

static void
make_store(const char *path)
{
	struct store *s;
	char err[256];
	assert_int_equal(store_open(&s, path, STORE_READ_WRITE, err, sizeof(err)), 0);
	struct store_event evs[] = {
	        {.time = NOW - 3 * 3600000LL,
	         .kind = STORE_EV_IKE_UP,
	         .conn = S("gw-a"),
	         .ike_id = 3,
	         .state = S("ESTABLISHED"),
	         .remote = S("192.0.2.9")},
	        {.time = NOW - 2 * 3600000LL,
	         .kind = STORE_EV_CHILD_REKEY,
	         .conn = S("gw-a"),
	         .child = S("net"),
	         .ike_id = 3,
	         .child_id = 5,
	         .new_id = 6},
	        {.time = NOW - 2 * 3600000LL + 1,
	         .kind = STORE_EV_GAP,
	         .end = NOW - 2 * 3600000LL + 600001},
	        {.time = NOW - 3600000LL,
	         .kind = STORE_EV_VERDICT,
	         .conn = S("gw-b"),
	         .code = S("peer-unreachable"),
	         .side = S("remote"),
	         .detail = S("no answer to DPD"),
	         .evidence = S("3 retransmits")},
	        {.time = NOW - 60000,
	         .kind = STORE_EV_IKE_DOWN,
	         .conn = S("gw-a"),
	         .ike_id = 3,
	         .detail = {"evil\033]0;title\007\0x", 16}},
	};
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		store_add_event(s, &evs[i]);
	assert_int_equal(store_flush(s), 0);
	store_close(s);
}

static void test_mode(void **state)
{
	char db[300], line[600], out[8192], err[1024];
	snprintf(db, sizeof(db), "%s/h.db", tmpdir);

	snprintf(line, sizeof(line), "history --db %s", db);
	assert_int_equal(run(line, out, sizeof(out), err, sizeof(err)), CLI_EXIT_FAILED);
	assert_non_null(strstr(err, "no history store at"));
	assert_non_null(strstr(err, "swantop record"));
	assert_string_equal(out, "");
	assert_int_equal(access(db, F_OK), -1); /* not created */

	make_store(db);
	assert_int_equal(run(line, out, sizeof(out), err, sizeof(err)), CLI_EXIT_OK);
	assert_string_equal(err, "");
	/* a heading and five lines, oldest first, nothing raw from charon */
	assert_int_equal(strncmp(out, "TIME                 CONNECTION       SA", 40), 0);
	int lines = 0;
	for (char *p = out; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 6);
	assert_non_null(strstr(out, "2026-12-04 09:00:00  gw-a"));
	assert_non_null(strstr(out, "net #5>#6"));
	assert_non_null(strstr(out, "peer-unreachable"));
	assert_non_null(strstr(out, "evidence: 3 retransmits"));
	assert_non_null(strstr(out, "not recording until 2026-12-04 10:10:00 (600s)"));
	assert_non_null(strstr(out, "evil\\x1b]0;title\\x07\\x00x"));
	assert_null(strchr(out, '\033'));
	assert_true(strstr(out, "ike-up") < strstr(out, "ike-down"));

	/* one connection (and the daemon-wide gap), a window, a limit */
	snprintf(line, sizeof(line), "history gw-b --db %s", db);
	assert_int_equal(run(line, out, sizeof(out), err, sizeof(err)), CLI_EXIT_OK);
	assert_non_null(strstr(out, "gap"));
	assert_non_null(strstr(out, "gw-b"));
	assert_null(strstr(out, "gw-a"));
	snprintf(line, sizeof(line),
	         "history --db %s --since 2026-12-04T10:30Z --until 2026-12-04T11:30Z", db);
	assert_int_equal(run(line, out, sizeof(out), err, sizeof(err)), CLI_EXIT_OK);
	assert_non_null(strstr(out, "verdict"));
	assert_null(strstr(out, "ike-"));
	snprintf(line, sizeof(line), "history --db %s --limit 2", db);
	assert_int_equal(run(line, out, sizeof(out), err, sizeof(err)), CLI_EXIT_OK);
	assert_non_null(strstr(err, "3 earlier records not shown"));
	assert_non_null(strstr(out, "verdict"));
	assert_null(strstr(out, "ike-up"));

	/* JSON lines */
	snprintf(line, sizeof(line), "history --db %s --json --since 2026-12-04T10:00Z", db);
	assert_int_equal(run(line, out, sizeof(out), err, sizeof(err)), CLI_EXIT_OK);
	assert_non_null(strstr(out, "{\"id\":2,\"time\":\"2026-12-04T10:00:00.000+00:00\","
	                            "\"time_ms\":1796378400000,\"kind\":\"child-rekey\","
	                            "\"conn\":\"gw-a\",\"child\":\"net\",\"ike_id\":3,"
	                            "\"child_id\":5,\"new_id\":6,"));
	assert_non_null(strstr(out, "\"end_ms\":1796379000001"));
	assert_non_null(strstr(out, "\"code\":\"peer-unreachable\",\"side\":\"remote\""));
	assert_non_null(strstr(out, "\"detail\":{\"base64\":"));
	assert_null(strchr(out, '\033'));

	/* usage errors: 2; not a store: 1 */
	assert_int_equal(run("history --since never", out, sizeof(out), err, sizeof(err)),
	                 CLI_EXIT_USAGE);
	snprintf(line, sizeof(line), "history --db %s/out", tmpdir);
	assert_int_equal(run(line, out, sizeof(out), err, sizeof(err)), CLI_EXIT_FAILED);
	assert_non_null(strstr(err, "not a swantop store"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_times),
	        cmocka_unit_test(test_args),
	        cmocka_unit_test_setup_teardown(test_mode, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
