/*
 * Tests for src/ui/cmdline: tokenising and quoting errors, every command's
 * argument validation, suggestions, completion, and history persistence in
 * a temporary XDG_STATE_HOME.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
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

#include "ui/cmdline.h"

static char tmpdir[512];

/* What a line is expected to be: a command, or a verb (V(TERMINATE)). */
#define V(v) (CMDLINE_COUNT + VERB_##v)

/* Parses line and expects success with the given command (or verb) and
 * arguments (NULL-terminated list of expected texts). */
static void ok(const char *line, int cmd, ...)
{
	struct cmdline_result r;
	char err[256];
	va_list ap;

	if (cmdline_parse(line, &r, err, sizeof(err)) != 0)
		fail_msg("'%s' failed: %s", line, err);
	if (cmd >= CMDLINE_COUNT) {
		assert_int_equal(r.cmd, CMDLINE_VERB);
		assert_int_equal(r.def->verb, cmd - CMDLINE_COUNT);
	} else {
		assert_int_equal(r.cmd, cmd);
	}
	size_t n = 0;
	va_start(ap, cmd);
	for (const char *want; (want = va_arg(ap, const char *)); n++) {
		assert_true(n < r.argc);
		assert_string_equal(r.argv[n].text, want);
	}
	va_end(ap);
	assert_int_equal(r.argc, n);
	if (cmd != CMDLINE_NONE)
		assert_non_null(r.def);
	cmdline_result_free(&r);
}

static void bad(const char *line, const char *want)
{
	struct cmdline_result r;
	char err[256];

	assert_int_equal(cmdline_parse(line, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(r.argc, 0);
	assert_int_equal(r.cmd, CMDLINE_NONE);
	for (const char *p = err; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	cmdline_result_free(&r);
}

static void test_table(void **state)
{
	size_t n;
	const struct cmdline_command *t = cmdline_commands(&n);
	static const char *const need[] = {"bind",     "filter",   "help",  "initiate",
	                                   "install",  "problems", "quit",  "redirect",
	                                   "rekey",    "set",      "sort",  "terminate",
	                                   "theme",    "unbind",   "uninstall", "unmark"};
	assert_int_equal(n, sizeof(need) / sizeof(need[0]));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(t[i].name, need[i]);
		if (i > 0)
			assert_true(strcmp(t[i - 1].name, t[i].name) < 0);
		assert_true(t[i].min_args <= t[i].max_args);
		assert_true(t[i].max_args <= CMDLINE_MAX_ARGS);
		assert_non_null(t[i].help);
		assert_memory_equal(t[i].usage, t[i].name, strlen(t[i].name));
		assert_ptr_equal(cmdline_command_find(t[i].name), &t[i]);
	}
	assert_string_equal(cmdline_command_find("q")->name, "quit");
	assert_string_equal(cmdline_command_find("exit")->name, "quit");
	assert_string_equal(cmdline_command_find("?")->name, "help");
	assert_null(cmdline_command_find("init"));
	assert_int_equal(cmdline_command_find("terminate")->verb, VERB_TERMINATE);
	assert_int_equal(cmdline_command_find("initiate")->verb, VERB_INITIATE);
	assert_true(verb_get(cmdline_command_find("terminate")->verb)->destructive);
	assert_false(verb_get(cmdline_command_find("initiate")->verb)->destructive);
	/* rows with a verb are the actions, named after their verb; the ones
	 * that ask before they act */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t[i].cmd == CMDLINE_VERB, t[i].verb != VERB_NONE);
		const struct verb_def *d = verb_get(t[i].verb);
		if (!d)
			continue;
		assert_string_equal(d->name, t[i].name);
		assert_int_equal(d->destructive, t[i].verb == VERB_TERMINATE ||
		                                         t[i].verb == VERB_REDIRECT ||
		                                         t[i].verb == VERB_UNINSTALL);
	}
}

static void test_tokenize(void **state)
{
	ok("", CMDLINE_NONE, NULL);
	ok("   \t ", CMDLINE_NONE, NULL);
	ok("initiate 'net one'", V(INITIATE), "net one", NULL);
	ok("initiate \"net \\\"two\\\"\"", V(INITIATE), "net \"two\"", NULL);
	ok("initiate net\\ three", V(INITIATE), "net three", NULL);
	ok("  initiate   a'b'\"c\"  ", V(INITIATE), "abc", NULL);
	ok("initiate 'it\\s'", V(INITIATE), "it\\s", NULL);
	bad("initiate 'net", "unbalanced ' quote");
	bad("initiate \"net", "unbalanced \" quote");
	bad("initiate \"a\\\"", "unbalanced \" quote");
	bad("initiate net\\", "backslash at the end of the line");
	char *big = malloc(CMDLINE_MAX + 10);
	memset(big, 'a', CMDLINE_MAX + 9);
	big[CMDLINE_MAX + 9] = '\0';
	bad(big, "command line longer than 4096 bytes");
	free(big);
}

static void test_commands(void **state)
{
	ok("quit", CMDLINE_QUIT, NULL);
	ok("q", CMDLINE_QUIT, NULL);
	ok("exit", CMDLINE_QUIT, NULL);
	bad("quit now", "quit: too many arguments (usage: quit)");

	ok("initiate net", V(INITIATE), "net", NULL);
	ok("init net", V(INITIATE), "net", NULL);
	ok("initiate", V(INITIATE), NULL); /* the marked rows, or the selection */
	bad("initiate a b", "initiate: too many arguments (usage: initiate [NAME])");
	bad("initiate '#3'", "initiate: '#3' is an SA id; initiate takes a connection name");
	bad("initiate ''", "initiate: empty NAME");

	ok("terminate gw", V(TERMINATE), "gw", NULL);
	ok("terminate", V(TERMINATE), NULL);
	ok("rekey net", V(REKEY), "net", NULL);
	bad("rekey a b", "rekey: too many arguments (usage: rekey [SA])");

	ok("redirect gw 192.0.2.1", V(REDIRECT), "gw", "192.0.2.1", NULL);
	ok("redirect #4 gw2.example.org", V(REDIRECT), "#4", "gw2.example.org", NULL);
	bad("redirect gw", "redirect: missing GATEWAY (usage: redirect SA GATEWAY)");
	bad("redirect gw 'a b'", "redirect: bad GATEWAY 'a b'");

	ok("install net", V(INSTALL), "net", NULL);
	ok("install net gw", V(INSTALL), "net", "gw", NULL);
	bad("install", "install: missing CHILD (usage: install CHILD [IKE])");
	bad("install a b c", "install: too many arguments (usage: install CHILD [IKE])");
	bad("install #c3", "install: '#c3' is an SA id; install takes a CHILD name");
	ok("uninstall net", V(UNINSTALL), "net", NULL);

	ok("sort rekey", CMDLINE_SORT, "rekey", NULL);
	ok("sort REKEY DESC", CMDLINE_SORT, "REKEY", "desc", NULL);
	ok("sort name asc", CMDLINE_SORT, "name", "asc", NULL);
	bad("sort", "sort: missing COLUMN (usage: sort COLUMN [asc|desc])");
	bad("sort name up", "sort: 'up' is not asc or desc");
	bad("sort name asc x", "sort: too many arguments (usage: sort COLUMN [asc|desc])");
	bad("uninstall", "uninstall: missing CHILD (usage: uninstall CHILD)");

	ok("filter", CMDLINE_FILTER, NULL);
	ok("filter moon", CMDLINE_FILTER, "moon", NULL);
	ok("filter  moon   sun 'a  b'", CMDLINE_FILTER, "moon sun a  b", NULL);

	ok("theme", CMDLINE_THEME, NULL);
	ok("theme light", CMDLINE_THEME, "light", NULL);
	bad("theme ../../etc/x",
	    "theme: bad theme name '../../etc/x' (letters, digits, '.', '_', '-')");
	bad("theme a b", "theme: too many arguments (usage: theme [NAME])");

	ok("help", CMDLINE_HELP, NULL);
	ok("help terminate", CMDLINE_HELP, "terminate", NULL);
	ok("help term", CMDLINE_HELP, "terminate", NULL);
	ok("? q", CMDLINE_HELP, "quit", NULL);
	bad("help frob", "help: unknown command 'frob' (try 'help')");
	bad("help teminate", "help: unknown command 'teminate' (did you mean 'terminate'?)");
}

static void test_sa_ids(void **state)
{
	struct cmdline_result r;
	char err[256];

	assert_int_equal(cmdline_parse("terminate #12", &r, err, sizeof(err)), 0);
	assert_true(r.argv[0].is_id);
	assert_false(r.argv[0].is_child_id);
	assert_int_equal(r.argv[0].id, 12);
	assert_int_equal(r.argv[0].kind, CMDLINE_ARG_SA);
	cmdline_result_free(&r);
	assert_int_equal(cmdline_parse("rekey #c4294967295", &r, err, sizeof(err)), 0);
	assert_true(r.argv[0].is_id);
	assert_true(r.argv[0].is_child_id);
	assert_int_equal(r.argv[0].id, 4294967295u);
	cmdline_result_free(&r);
	assert_int_equal(cmdline_parse("terminate net", &r, err, sizeof(err)), 0);
	assert_false(r.argv[0].is_id);
	cmdline_result_free(&r);

	static const char *const bads[] = {
	        "#",   "#0",  "#c",  "#c0",         "#x1",
	        "#-1", "#1x", "#+1", "#4294967296", "#99999999999999999999"};
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char line[64], want[160];
		snprintf(line, sizeof(line), "terminate %s", bads[i]);
		snprintf(want, sizeof(want),
		         "terminate: bad SA id '%s' (#N for IKE SA N, #cN for CHILD SA N)",
		         bads[i]);
		bad(line, want);
	}
}

static void test_unknown(void **state)
{
	bad("initate net", "unknown command 'initate' (did you mean 'initiate'?)");
	bad("rekye x", "unknown command 'rekye' (did you mean 'rekey'?)");
	bad("qiut", "unknown command 'qiut' (did you mean 'quit'?)");
	bad("xyzzy", "unknown command 'xyzzy' (try 'help')");
	bad("'' x", "empty command name (try 'help')");
	/* unique prefixes work, ambiguous ones say which commands they match */
	ok("term x", V(TERMINATE), "x", NULL);
	ok("uni x", V(UNINSTALL), "x", NULL);
	bad("u x", "ambiguous command 'u' (unbind, uninstall, unmark)");
	ok("unm", CMDLINE_UNMARK, NULL);
	bad("t x", "ambiguous command 't' (terminate, theme)");
	/* settings and bindings: a bound command keeps its words apart */
	ok("set", CMDLINE_SET, NULL);
	ok("set interval 2", CMDLINE_SET, "interval", "2", NULL);
	ok("bind F filter 'state=CONNECTING x'", CMDLINE_BIND, "F", "filter 'state=CONNECTING x'",
	   NULL);
	ok("bind C-t terminate", CMDLINE_BIND, "C-t", "terminate", NULL);
	ok("unbind F5", CMDLINE_UNBIND, "F5", NULL);
	bad("bind Ctl-x quit", "bind: unknown key 'Ctl-x' (keys are named like a, A, C-x, M-x, F5, "
	                       "PgUp, S-Tab, Space)");
	bad("bind F", "bind: missing COMMAND (usage: bind KEY COMMAND...)");
	bad("unbind", "unbind: missing KEY (usage: unbind KEY)");
	bad("re x", "ambiguous command 're' (redirect, rekey)");
	bad("in x", "ambiguous command 'in' (initiate, install)");
	/* hostile input is escaped in the message */
	bad("\x1b]0;x\x07 y", "unknown command '\\x1b]0;x\\x07' (try 'help')");
	bad("initiate \"a\x1b[2Jb\"", "initiate: control character in 'a\\x1b[2Jb'");
}

/* --- completion --- */

static void candidates(void *ctx, enum cmdline_arg_kind kind, struct cmdline_completion *c)
{
	int *calls = ctx;
	static const char *const ike[] = {"gw-moon", "gw-sun", "net net", "it's"};
	static const char *const child[] = {
	        "net-a",      "net-b",      "gw-moon", "\xc3\xa9t\xc3\xa9",
	        "\xc3\xa8re", "bad\x1b[2J", "bad\xff"};
	static const char *const ids[] = {"#1", "#12", "#c3"};
	static const char *const themes[] = {"default", "light", "mono", "colorblind"};
	static const char *const columns[] = {"name", "rekey", "remote", "expire"};
	const char *const *v = NULL;
	size_t n = 0;
	switch (kind) {
	case CMDLINE_ARG_IKE:
		v = ike, n = 4;
		break;
	case CMDLINE_ARG_CHILD:
		v = child, n = 7;
		break;
	case CMDLINE_ARG_SA_ID:
		v = ids, n = 3;
		break;
	case CMDLINE_ARG_THEME:
		v = themes, n = 4;
		break;
	case CMDLINE_ARG_COLUMN:
		v = columns, n = 4;
		break;
	default:
		fail_msg("unexpected kind %d", kind);
	}
	(*calls)++;
	for (size_t i = 0; i < n; i++)
		cmdline_completion_add(c, v[i]);
}

/* Completes line at the cursor '|' and checks the items (space-separated in
 * want) and the replacement text (NULL: none). */
static void complete(const char *line_with_cursor, int want_r, const char *want_items,
                     const char *want_text)
{
	char line[256];
	const char *bar = strchr(line_with_cursor, '|');
	assert_non_null(bar);
	snprintf(line, sizeof(line), "%.*s%s", (int)(bar - line_with_cursor), line_with_cursor,
	         bar + 1);
	size_t cursor = (size_t)(bar - line_with_cursor);
	struct cmdline_completion c;
	int calls = 0;
	assert_int_equal(cmdline_complete(line, cursor, candidates, &calls, &c), want_r);
	char items[512] = "";
	for (size_t i = 0; i < c.count; i++) {
		size_t l = strlen(items);
		snprintf(items + l, sizeof(items) - l, "%s%s", i ? "|" : "", c.items[i]);
	}
	assert_string_equal(items, want_items);
	char *t = cmdline_completion_text(&c);
	if (want_text) {
		assert_non_null(t);
		assert_string_equal(t, want_text);
	} else if (t) {
		fail_msg("unexpected completion text '%s'", t);
	}
	assert_true(c.start <= c.end && c.end == cursor);
	free(t);
	cmdline_completion_free(&c);
}

static void test_complete(void **state)
{
	/* command names */
	complete("|", 0,
	         "bind|filter|help|initiate|install|problems|quit|redirect|rekey|set|sort|terminate|"
	         "theme|unbind|uninstall|unmark",
	         NULL);
	complete("te|", 0, "terminate", "terminate ");
	complete("in|", 0, "initiate|install", NULL);
	complete("re|", 0, "redirect|rekey", NULL);
	complete("u|", 0, "unbind|uninstall|unmark", "un");
	complete("uni|", 0, "uninstall", "uninstall ");
	/* a bound command's first word is a command */
	complete("bind F te|", 0, "terminate", "terminate ");
	complete("  qu|", 0, "quit", "quit ");
	complete("zz|", 0, "", NULL);
	/* arguments by kind */
	complete("initiate gw|", 0, "gw-moon|gw-sun", "gw-");
	complete("initiate gw-m|", 0, "gw-moon", "gw-moon ");
	complete("init net|", 0, "net net|net-a|net-b", NULL);
	complete("initiate net-|", 0, "net-a|net-b", NULL);
	complete("terminate #|", 0, "#1|#12|#c3", NULL);
	complete("terminate #1|", 0, "#1|#12", NULL);
	complete("terminate #c|", 0, "#c3", "#c3 ");
	complete("uninstall |", 0, "gw-moon|net-a|net-b|\xc3\xa8re|\xc3\xa9t\xc3\xa9", NULL);
	complete("theme l|", 0, "light", "light ");
	complete("help rek|", 0, "rekey", "rekey ");
	/* :sort: the focused pane's columns, then the direction */
	complete("sort |", 0, "expire|name|rekey|remote", NULL);
	complete("sort re|", 0, "rekey|remote", NULL);
	complete("sort rek|", 0, "rekey", "rekey ");
	complete("sort rekey |", 0, "asc|desc", NULL);
	complete("sort rekey d|", 0, "desc", "desc ");
	complete("sort rekey desc |", -EINVAL, "", NULL);
	complete("install net-a g|", 0, "gw-moon|gw-sun", "gw-");
	complete("filter a b gw-s|", 0, "gw-sun", "gw-sun ");
	/* quoting: names with spaces and quotes come back quoted */
	complete("initiate net\\ |", 0, "net net", "'net net' ");
	complete("initiate 'net n|", 0, "net net", "'net net' ");
	complete("initiate \"net n|", 0, "net net", "'net net' ");
	complete("initiate it|", 0, "it's", "\"it's\" ");
	/* UTF-8: the common prefix never ends inside a character */
	complete("uninstall \xc3|", 0, "\xc3\xa8re|\xc3\xa9t\xc3\xa9", NULL);
	/* nothing to complete */
	complete("quit |", -EINVAL, "", NULL);
	complete("initiate a |", -EINVAL, "", NULL);
	complete("redirect gw |", 0, "", NULL);
	complete("frob |", -EINVAL, "", NULL);
	complete("t x|", -EINVAL, "", NULL);
	/* the cursor in the middle: only the text before it counts */
	complete("te| net", 0, "terminate", "terminate ");
}

static void test_complete_no_source(void **state)
{
	struct cmdline_completion c;
	assert_int_equal(cmdline_complete("initiate x", 10, NULL, NULL, &c), 0);
	assert_int_equal(c.count, 0);
	assert_string_equal(c.word, "x");
	assert_int_equal(c.start, 9);
	cmdline_completion_free(&c);
	/* a cursor past the end is clamped */
	assert_int_equal(cmdline_complete("qu", 99, NULL, NULL, &c), 0);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.end, 2);
	cmdline_completion_free(&c);
}

/* --- history --- */

static void history_path(char *buf, size_t size, const char *sub)
{
	snprintf(buf, size, "%s/%s", tmpdir, sub);
}

static void test_history_default_path(void **state)
{
	setenv("XDG_STATE_HOME", "/x/state", 1);
	char *p = cmdline_history_default_path();
	assert_string_equal(p, "/x/state/swantop/history");
	free(p);
	setenv("XDG_STATE_HOME", "relative", 1);
	setenv("HOME", "/home/op", 1);
	p = cmdline_history_default_path();
	assert_string_equal(p, "/home/op/.local/state/swantop/history");
	free(p);
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_null(cmdline_history_default_path());
	char *err;
	struct cmdline_history *h = cmdline_history_open(NULL, 10, &err);
	assert_non_null(h);
	assert_non_null(err);
	free(err);
	assert_int_equal(cmdline_history_add(h, "quit", &err), 0);
	assert_null(err);
	assert_int_equal(cmdline_history_count(h), 1);
	cmdline_history_close(h);
}

static void test_history_persist(void **state)
{
	char path[1024], dir[1024], xdg[1024];
	char *err;
	struct stat st;

	history_path(xdg, sizeof(xdg), "state");
	setenv("XDG_STATE_HOME", xdg, 1);
	history_path(dir, sizeof(dir), "state/swantop");
	history_path(path, sizeof(path), "state/swantop/history");

	struct cmdline_history *h = cmdline_history_open(NULL, 3, &err);
	assert_null(err);
	assert_int_equal(cmdline_history_count(h), 0);
	/* the directory is created private */
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(cmdline_history_add(h, "initiate net", &err), 0);
	assert_null(err);
	/* saved at once, mode 0600 */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cmdline_history_add(h, "initiate net", &err), 0); /* repeat */
	assert_int_equal(cmdline_history_add(h, "", &err), 0);
	assert_int_equal(cmdline_history_add(h, "filter 'a b' \"c\\\"d\"", &err), 0);
	assert_int_equal(cmdline_history_add(h, "terminate #3", &err), 0);
	assert_int_equal(cmdline_history_count(h), 3);
	assert_string_equal(cmdline_history_get(h, 0), "initiate net");
	assert_string_equal(cmdline_history_get(h, 2), "terminate #3");
	assert_int_equal(cmdline_history_add(h, "quit", &err), 0); /* bounded: oldest goes */
	assert_int_equal(cmdline_history_count(h), 3);
	assert_string_equal(cmdline_history_get(h, 0), "filter 'a b' \"c\\\"d\"");
	assert_null(cmdline_history_get(h, 3));
	cmdline_history_close(h);

	/* reopened: the same entries, in order */
	h = cmdline_history_open(path, 10, &err);
	assert_null(err);
	assert_int_equal(cmdline_history_count(h), 3);
	assert_string_equal(cmdline_history_get(h, 0), "filter 'a b' \"c\\\"d\"");
	assert_string_equal(cmdline_history_get(h, 1), "terminate #3");
	assert_string_equal(cmdline_history_get(h, 2), "quit");
	cmdline_history_close(h);
	/* a smaller bound keeps the newest */
	h = cmdline_history_open(path, 2, &err);
	assert_null(err);
	assert_int_equal(cmdline_history_count(h), 2);
	assert_string_equal(cmdline_history_get(h, 0), "terminate #3");
	cmdline_history_close(h);
	/* no stray temporary files */
	char cmd[2200];
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_history_errors(void **state)
{
	char path[1024], file[1024];
	char *err;

	/* the directory cannot be created (a file is in the way): reported,
	 * history still works in memory */
	history_path(file, sizeof(file), "plainfile");
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fputs("x\n", f);
	fclose(f);
	history_path(path, sizeof(path), "plainfile/swantop/history");
	struct cmdline_history *h = cmdline_history_open(path, 10, &err);
	assert_non_null(h);
	assert_non_null(err);
	assert_non_null(strstr(err, "cannot create the directory"));
	assert_non_null(strstr(err, "Not a directory"));
	free(err);
	assert_int_equal(cmdline_history_add(h, "quit", &err), -ENOTDIR);
	assert_non_null(err);
	assert_non_null(strstr(err, "history: cannot save"));
	free(err);
	assert_int_equal(cmdline_history_count(h), 1);
	cmdline_history_close(h);

	/* a file that is not a history file */
	h = cmdline_history_open(file, 10, &err);
	assert_non_null(err);
	assert_non_null(strstr(err, "not a history file"));
	free(err);
	assert_int_equal(cmdline_history_count(h), 0);
	cmdline_history_close(h);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/swantop-test-cmdline-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	umask(022);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_table),
	        cmocka_unit_test(test_tokenize),
	        cmocka_unit_test(test_commands),
	        cmocka_unit_test(test_sa_ids),
	        cmocka_unit_test(test_unknown),
	        cmocka_unit_test(test_complete),
	        cmocka_unit_test(test_complete_no_source),
	        cmocka_unit_test(test_history_default_path),
	        cmocka_unit_test(test_history_persist),
	        cmocka_unit_test(test_history_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
