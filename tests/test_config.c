/*
 * The configuration file and the option table: every statement, every
 * error with its file and line, and the order of precedence (defaults, the
 * file, the command line). Files are written to a private directory under
 * $TMPDIR.
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

#include "app/config.h"
#include "app/monitor.h"
#include "ui/keys.h"
#include "ui/termkeys.h"

#define NAME "~/.config/swantop/config"

static char dir[256];

static int group_setup(void **state)
{
	(void)state;
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/swantop-config-XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs text as a file and expects the error want (exactly). */
static void bad(const char *text, const char *want)
{
	struct monitor_options o;
	struct keymap *km = keymap_new();
	char err[512] = "";
	monitor_options_init(&o);
	assert_int_equal(config_parse(text, strlen(text), NAME, &o, km, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	for (const char *p = err; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	monitor_options_free(&o);
	keymap_free(km);
}

static void test_errors(void **state)
{
	(void)state;
	bad("# swantop\n\nset interval 2\nset intervall 3\n",
	    NAME ":4: unknown setting \"intervall\" (did you mean \"interval\"?)");
	bad("set colour red", NAME ":1: unknown setting \"colour\" (settings: uri, interval, "
	                           "budget, ...)");
	bad("set config /x", NAME ":1: \"config\" is a command-line option, not a setting");
	bad("set help on", NAME ":1: \"help\" is a command-line option, not a setting");
	bad("set", NAME ":1: set: which setting? (set NAME VALUE)");
	bad("set interval", NAME ":1: set interval: no value (set interval SECONDS)");
	bad("set mouse", NAME ":1: set mouse: no value (set mouse on|off)");
	bad("set interval 0", NAME ":1: set interval: '0' is not a number of seconds between 0.1 "
	                           "and 3600");
	bad("set budget lots", NAME ":1: set budget: 'lots' is not a number between 0 and 1000");
	bad("set mouse maybe", NAME ":1: set mouse: 'maybe' is not on or off");
	bad("set uri http://x", NAME ":1: set uri: 'http://x' is not a VICI URI (unix:///path or "
	                             "tcp://host:port)");
	bad("set db ''", NAME ":1: set db: the path is empty");
	bad("\n\nsett interval 2", NAME ":3: unknown statement \"sett\" (did you mean \"set\"?)");
	bad("colour = red", NAME ":1: unknown statement \"colour\" (set, bind or unbind)");
	bad("bind Ctl-x quit", NAME ":1: bind: unknown key \"Ctl-x\" (keys are named like a, A, "
	                            "C-x, M-x, F5, PgUp, S-Tab, Space)");
	bad("bind", NAME ":1: bind: which key?");
	bad("bind F", NAME ":1: bind: no command (bind KEY COMMAND)");
	bad("bind F filtre x", NAME ":1: bind: unknown command 'filtre' (did you mean 'filter'?)");
	bad("bind F redirect gw", NAME ":1: bind: redirect: missing GATEWAY (usage: redirect SA "
	                               "GATEWAY)");
	bad("bind : quit",
	    NAME ":1: bind: : cannot be rebound (it opens the command line or quits)");
	bad("bind C-c help", NAME ":1: bind: C-c cannot be rebound (it opens the command line or "
	                          "quits)");
	bad("unbind F F", NAME ":1: unbind: one key only (unbind KEY)");
	bad("set theme a\x1b[2Jb", NAME ":1: a control character (byte 0x1b) in the line");
	char nul[] = "set interval 2\nset\0theme x\n";
	struct monitor_options o;
	struct keymap *km = keymap_new();
	char err[512];
	monitor_options_init(&o);
	assert_int_equal(config_parse(nul, sizeof(nul) - 1, NAME, &o, km, err, sizeof(err)),
	                 -EINVAL);
	assert_string_equal(err, NAME ":2: a NUL byte in the line");
	/* what came before the error stays set (the caller stops anyway) */
	assert_int_equal(o.interval_ms, 2000);
	char *big = malloc(5000);
	memset(big, 'x', 4999);
	big[4999] = '\0';
	memcpy(big, "set theme ", 10);
	assert_int_equal(config_parse(big, strlen(big), NAME, &o, km, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, NAME ":1: line longer than 4096 bytes");
	free(big);
	monitor_options_free(&o);
	keymap_free(km);
}

static void test_statements(void **state)
{
	(void)state;
	const char *text = "# a comment\n"
	                   "   # an indented comment\n"
	                   "\n"
	                   "set interval 0.5\r\n"
	                   "set budget 2.5\n"
	                   "\tset theme \"mono\"\n"
	                   "set readonly yes\n"
	                   "set read-only on\n"
	                   "set mouse off\n"
	                   "set db /var/lib/swantop/history.db\n"
	                   "set uri unix:///tmp/x.vici\n"
	                   "bind F filter state=CONNECTING\n"
	                   "bind C-t terminate\n"
	                   "bind M-t terminate #3\n"
	                   "bind F5 set mouse on\n"
	                   "bind x quit\n"
	                   "unbind x\n"
	                   "unbind y\n"
	                   "bind C-t rekey\n";
	struct monitor_options o;
	struct keymap *km = keymap_new();
	char err[512] = "";
	monitor_options_init(&o);
	assert_int_equal(config_parse(text, strlen(text), NAME, &o, km, err, sizeof(err)), 0);
	assert_int_equal(o.interval_ms, 500);
	assert_true(o.budget == 2.5);
	assert_string_equal(o.theme, "mono");
	assert_true(o.readonly);
	assert_false(o.mouse);
	assert_string_equal(o.db, "/var/lib/swantop/history.db");
	assert_string_equal(o.uri, "unix:///tmp/x.vici");
	uint32_t k;
	assert_int_equal(termkeys_parse("F", &k), 0);
	assert_string_equal(keymap_find(km, k), "filter state=CONNECTING");
	/* the later binding of a key replaces the earlier one */
	assert_int_equal(termkeys_parse("C-t", &k), 0);
	assert_string_equal(keymap_find(km, k), "rekey");
	assert_int_equal(termkeys_parse("M-t", &k), 0);
	assert_string_equal(keymap_find(km, k), "terminate #3");
	assert_null(keymap_find(km, TK_ID_CHAR('x')));
	assert_int_equal(keymap_count(km), 4);
	/* shown as set takes them back */
	char v[64];
	monitor_option_show(&o, monitor_option_find("interval"), v, sizeof(v));
	assert_string_equal(v, "0.5");
	monitor_option_show(&o, monitor_option_find("mouse"), v, sizeof(v));
	assert_string_equal(v, "off");
	monitor_option_show(&o, monitor_option_find("budget"), v, sizeof(v));
	assert_string_equal(v, "2.5");
	monitor_options_free(&o);
	keymap_free(km);
}

static void test_bind_check(void **state)
{
	(void)state;
	enum verb verb;
	char err[256];
	assert_int_equal(config_bind_check("terminate", &verb, err, sizeof(err)), 0);
	assert_int_equal(verb, VERB_TERMINATE);
	assert_int_equal(config_bind_check("  init ", &verb, err, sizeof(err)), 0);
	assert_int_equal(verb, VERB_INITIATE);
	assert_int_equal(config_bind_check("terminate #3", &verb, err, sizeof(err)), 0);
	assert_int_equal(verb, VERB_NONE);
	assert_int_equal(config_bind_check("filter", &verb, err, sizeof(err)), 0);
	assert_int_equal(verb, VERB_NONE);
	assert_int_equal(config_bind_check("", &verb, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no command to bind");
	assert_int_equal(config_bind_check("terminate a b", &verb, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "terminate: too many arguments (usage: terminate [SA])");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* config_options over argv (NULL-terminated). */
static int load(struct monitor_options *o, struct keymap *km, char *err, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;
	va_start(ap, err);
	argv[argc++] = "swantop";
	for (char *a; argc < 15 && (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return config_options(argc, argv, o, km, err, 512);
}

static void test_precedence(void **state)
{
	(void)state;
	char path[400], xdg[300], sub[320], err[512];
	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	snprintf(sub, sizeof(sub), "%s/swantop", xdg);
	mkdir(xdg, 0700);
	mkdir(sub, 0700);
	snprintf(path, sizeof(path), "%s/config", sub);
	write_file(path, "set interval 7\nset theme mono\nset mouse off\nbind F quit\n");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	struct monitor_options o;
	struct keymap *km = keymap_new();

	/* the default file over the defaults */
	assert_int_equal(load(&o, km, err, NULL), 0);
	assert_int_equal(o.interval_ms, 7000);
	assert_string_equal(o.theme, "mono");
	assert_false(o.mouse);
	assert_true(o.budget == 5.0);
	assert_non_null(keymap_find(km, TK_ID_CHAR('F')));
	monitor_options_free(&o);
	keymap_free(km);

	/* the command line over the file */
	km = keymap_new();
	assert_int_equal(
	        load(&o, km, err, "--interval", "2", "--mouse", "--theme", "default", NULL), 0);
	assert_int_equal(o.interval_ms, 2000);
	assert_string_equal(o.theme, "default");
	assert_true(o.mouse);
	monitor_options_free(&o);
	keymap_free(km);

	/* no file at all: the defaults */
	const char *none[][2] = {{"--no-config", NULL}, {"--config", "/dev/null"}};
	for (size_t i = 0; i < 2; i++) {
		km = keymap_new();
		assert_int_equal(load(&o, km, err, none[i][0], none[i][1], NULL), 0);
		assert_int_equal(o.interval_ms, 1500);
		assert_null(o.theme);
		assert_true(o.mouse);
		assert_int_equal(keymap_count(km), 0);
		monitor_options_free(&o);
		keymap_free(km);
	}

	/* --config names another file; a missing one named so is an error */
	char other[320];
	snprintf(other, sizeof(other), "%s/other", dir);
	write_file(other, "set budget 1\n\nset interval 0.01\n");
	km = keymap_new();
	assert_int_equal(load(&o, km, err, "--config", other, NULL), -EINVAL);
	char want[512];
	snprintf(want, sizeof(want),
	         "%s:3: set interval: '0.01' is not a number of seconds between 0.1 and 3600",
	         other);
	assert_string_equal(err, want);
	snprintf(other, sizeof(other), "%s/missing", dir);
	assert_int_equal(load(&o, km, err, "--config", other, NULL), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", other);
	assert_string_equal(err, want);
	assert_int_equal(load(&o, km, err, "--config", dir, NULL), -EISDIR);
	keymap_free(km);

	/* the default file under $HOME is named as the operator knows it */
	unsetenv("XDG_CONFIG_HOME");
	char home[300], cfgdir[340];
	snprintf(home, sizeof(home), "%s/home", dir);
	mkdir(home, 0700);
	snprintf(cfgdir, sizeof(cfgdir), "%s/.config", home);
	mkdir(cfgdir, 0700);
	snprintf(cfgdir, sizeof(cfgdir), "%s/.config/swantop", home);
	mkdir(cfgdir, 0700);
	snprintf(path, sizeof(path), "%s/config", cfgdir);
	write_file(path, "set interval 2\nset intervall 3\n");
	setenv("HOME", home, 1);
	km = keymap_new();
	assert_int_equal(load(&o, km, err, NULL), -EINVAL);
	assert_string_equal(err, "~/.config/swantop/config:2: unknown setting \"intervall\" "
	                         "(did you mean \"interval\"?)");
	/* without the file the monitor starts as before */
	unlink(path);
	assert_int_equal(load(&o, km, err, NULL), 0);
	monitor_options_free(&o);
	keymap_free(km);
}

/* The command line's options and the settings come from one table. */
static void test_table(void **state)
{
	(void)state;
	size_t n;
	const struct monitor_option *t = monitor_options_table(&n);
	struct monitor_options o;
	char err[256];
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(monitor_option_find(t[i].name), &t[i]);
		if (t[i].kind == MOPT_SWITCH) {
			char on[48], off[48];
			snprintf(on, sizeof(on), "--%s", t[i].name);
			snprintf(off, sizeof(off), "--no-%s", t[i].name);
			char *a[] = {"swantop", on, off, NULL}, *b[] = {"swantop", off, on, NULL};
			assert_int_equal(monitor_parse_args(3, a, &o, err, sizeof(err)), 0);
			assert_false(*(bool *)((char *)&o + t[i].offset));
			assert_int_equal(monitor_parse_args(3, b, &o, err, sizeof(err)), 0);
			assert_true(*(bool *)((char *)&o + t[i].offset));
		}
	}
	char *a[] = {"swantop", "--no-mouse", "--read-only", "-h", NULL};
	assert_int_equal(monitor_parse_args(4, a, &o, err, sizeof(err)), 0);
	assert_false(o.mouse);
	assert_true(o.readonly);
	assert_true(o.help);
	char *b[] = {"swantop", "--config", "", NULL};
	assert_int_equal(monitor_parse_args(3, b, &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--config: the path is empty");
	/* the usage names every option */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	monitor_usage(f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		assert_non_null(strstr(buf, t[i].name));
	assert_non_null(strstr(buf, "--no-mouse"));
	assert_non_null(strstr(buf, "--interval SECONDS"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_errors),     cmocka_unit_test(test_statements),
	        cmocka_unit_test(test_bind_check), cmocka_unit_test(test_precedence),
	        cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
