/*
 * What `swantop call`, `swantop listen` and `swantop history` share: argument
 * parsing, the help text and sanitised messages on stderr.
 *
 * Arguments are parsed by hand rather than with getopt_long(): options may
 * come before or after the command and its KEY=VALUE pairs (as operators
 * type them), `--` ends the options, and the parsers are pure functions so
 * the unit tests can feed them argv arrays.
 */
#include "main/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/feed.h"
#include "app/record.h"
#include "util/time.h"
#include "app/monitor.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

#include "config.h"

void cli_usage(FILE *f)
{
	fprintf(f,
	        "swantop %s: terminal monitor and control console for strongSwan's charon\n"
	        "\n"
	        "usage:\n"
	        "  swantop [--uri URI] [MONITOR OPTIONS]\n"
	        "      the interactive monitor\n"
	        "  swantop -b [-n COUNT] [-d SECONDS] [--pane sas|conns|pols|events]\n"
	        "             [--filter EXPR] [--json] [--uri URI]\n"
	        "      batch mode, like top -b: COUNT snapshots of a pane as text or JSON\n"
	        "      lines, for cron and tickets (no terminal needed)\n"
	        "  swantop call COMMAND [KEY=VALUE ...] [--json JSON|-|@FILE] [--uri URI]\n"
	        "               [--timeout SECONDS] [--pretty]\n"
	        "      send one VICI command, print the reply as JSON; streamed events\n"
	        "      (list-sas, list-conns, ..., control-log of initiate/terminate)\n"
	        "      come first, one JSON line each\n"
	        "  swantop listen EVENT... [--uri URI] [--timeout SECONDS] [--no-reconnect]\n"
	        "      print events as JSON lines until SIGINT/SIGTERM, e.g.\n"
	        "      swantop listen ike-updown child-updown log\n"
	        "  swantop history [CONN] [--since T] [--until T] [--limit N] [--json]\n"
	        "                  [--db PATH]\n"
	        "      the timeline kept by swantop record: SA events, verdicts, restarts,\n"
	        "      gaps; the newest N (default 1000) of the window, oldest first\n"
	        "  swantop why [CONN...] [--uri URI] [--json] [--wait SECONDS] [--all]\n"
	        "              [--replay FILE]... [--db PATH]\n"
	        "      why each connection that is not up is down: a verdict with\n"
	        "      charon's own lines, what to check next and the swanctl command\n"
	        "      to retry\n"
	        "  swantop record [--uri URI] [--db PATH] [--budget MS] [--interval SECONDS]\n"
	        "                 [--max-size MIB]\n"
	        "      keep the history (SA events, verdicts, restarts, gaps, traffic) in\n"
	        "      the store until SIGTERM/SIGINT (contrib/swantop-record.service)\n"
	        "  swantop --help | --version\n"
	        "\n"
	        "common options:\n"
	        "  -u, --uri URI        VICI socket (default %s;\n"
	        "                       tcp://HOST:PORT too)\n"
	        "monitor options:\n",
	        SWANTOP_VERSION, VICI_DEFAULT_URI);
	monitor_options_usage(f, false);
	fprintf(f,
	        "  -b, --batch          batch mode: print snapshots, no terminal (below)\n"
	        "  -n, --count N        batch: snapshots to print, then exit 0 (default 1)\n"
	        "  -d, --delay S        batch: seconds between snapshots (default 3)\n"
	        "  -p, --pane PANE      batch: sas (default), conns, pols or events (the\n"
	        "                       events since the snapshot before)\n"
	        "  -f, --filter EXPR    batch: only rows matching EXPR (the / filter's language)\n"
	        "  -j, --json           batch: one JSON object per snapshot and line\n"
	        "                       (batch exit codes: 0 done, 2 usage, 3 charon cannot\n"
	        "                       be reached or went away, 4 no answer within 30 s)\n"
	        "call options:\n"
	        "  -j, --json ARG       nested arguments as a JSON object: the text itself,\n"
	        "                       - for stdin, @FILE for a file; KEY=VALUE adds\n"
	        "                       top-level strings (a key given twice is an error)\n"
	        "  -t, --timeout S      deadline in seconds (default %d; 0: none, only for\n"
	        "                       initiate/terminate); their timeout=MS argument\n"
	        "                       extends it to MS + 5 s\n"
	        "  -p, --pretty         indent the final reply\n"
	        "history options:\n"
	        "  --since/--until T    the window: 2026-12-04 03:00, 03:00 (today),\n"
	        "                       2026-12-04T03:00Z, @SECONDS, now, or an age:\n"
	        "                       90s, 30m, 1h, 2d, 1w, 1h30m (that long ago)\n"
	        "  --limit N            the newest N records (default 1000; 0: all)\n"
	        "  --json               one JSON object per line\n"
	        "  --db PATH            the store (default /var/lib/swantop/history.db for\n"
	        "                       root, else $XDG_STATE_HOME/swantop/history.db)\n"
	        "listen options:\n"
	        "  -t, --timeout S      how long charon may take to confirm each registration\n"
	        "                       (default %d; exit code 4 if it does not)\n"
	        "  --no-reconnect       exit (code 3) when the daemon goes away instead of\n"
	        "                       reconnecting\n"
	        "why options:\n"
	        "  -j, --json           one JSON array, an object per connection\n"
	        "  -w, --wait S         listen to charon's log and SA events for S seconds\n"
	        "                       (until SIGINT) before judging: retry the connection\n"
	        "                       meanwhile, here or on the peer\n"
	        "  -a, --all            also list the connections that are up\n"
	        "  --replay FILE        judge recorded `swantop listen` / `swantop call`\n"
	        "                       JSON lines instead of a daemon (- for stdin)\n"
	        "  --db PATH            the history store: a connection that is down with\n"
	        "                       nothing live to explain it shows the verdict\n"
	        "                       recorded for it (default: the default store, if\n"
	        "                       it exists; not read with --replay unless given)\n"
	        "record options:\n"
	        "  --db PATH            the store (default as for history); created if\n"
	        "                       missing; one recorder per store\n"
	        "  -b, --budget MS      charon CPU the polling may use, ms per second\n"
	        "                       (default 5)\n"
	        "  -i, --interval S     CHILD SA counters sampled at most every S seconds,\n"
	        "                       1-3600 (default 60)\n"
	        "  --max-size MIB       the store's size cap (default 256)\n"
	        "\n"
	        "JSON: sections are objects, lists arrays, values strings; a value that is\n"
	        "not UTF-8 text is printed as {\"base64\": \"...\"}.\n"
	        "\n"
	        "exit codes of call, listen, why and history (history: 0, 1 no store or\n"
	        "not readable, 2; record: 0 stopped by a signal, everything written,\n"
	        "1 the store cannot be opened, locked or written, 2):\n"
	        "  0 success   1 command failed (success=no)   2 usage error\n"
	        "  3 connection failure   4 timeout   5 protocol violation\n"
	        "  6 unknown command, or none of the events supported\n",
	        CLI_TIMEOUT_DEFAULT_MS / 1000, CLI_TIMEOUT_DEFAULT_MS / 1000);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = NULL;
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	raw = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(raw, (size_t)n + 1, fmt, ap);
	va_end(ap);
	char *safe = json_sanitize(raw, (size_t)n);
	fprintf(stderr, "swantop: %s\n", safe);
	free(safe);
	free(raw);
}

int cli_parse_seconds(const char *s, int *ms)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 100000.0)
		return -EINVAL;
	*ms = (int)(v * 1000.0 + 0.5);
	if (v > 0 && *ms == 0)
		*ms = 1;
	return 0;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Matches "--long VALUE", "--long=VALUE" or "-s VALUE" at argv[*i]. Returns 1
 * and sets *val (advancing *i past a separate value), 0 if argv[*i] is not
 * this option, or -EINVAL if the value is missing. */
static int opt_value(int argc, char **argv, int *i, const char *lng, const char *shrt,
                     const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);
	if (!strncmp(a, lng, n) && a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (strcmp(a, lng) && !(shrt && !strcmp(a, shrt)))
		return 0;
	if (*i + 1 >= argc)
		return -EINVAL;
	*val = argv[++*i];
	return 1;
}

#define URI_FORMS "unix:///path or tcp://host:port"

static bool is_flag(const char *a, const char *lng, const char *shrt)
{
	return !strcmp(a, lng) || (shrt && !strcmp(a, shrt));
}

/* The options both modes know. Returns 1 if argv[*i] was one, 0 if not,
 * -EINVAL on a missing value or an invalid URI (*bad_uri set). */
static int common_opt(int argc, char **argv, int *i, const char **uri, bool *help,
                      const char **bad_uri)
{
	const char *v;
	int r = opt_value(argc, argv, i, "--uri", "-u", &v);
	if (r > 0) {
		struct vici_uri u;
		*uri = v;
		if (vici_uri_parse(v, &u)) {
			*bad_uri = v;
			return -EINVAL;
		}
	}
	if (r)
		return r;
	if (is_flag(argv[*i], "--help", "-h")) {
		*help = true;
		return 1;
	}
	return 0;
}

/* What every mode's parser does first with an argument that starts with
 * '-': "--" ends the options, --uri and --help are taken. Returns 1 if
 * argv[*i] was one of them, 0 if not (*r: 0, or -EINVAL when --uri lacks
 * its value), or -EINVAL with a message for an invalid URI. */
static int shared_opt(int argc, char **argv, int *i, bool *opts_done, const char **uri, bool *help,
                      int *r, char *err, size_t errlen)
{
	if (!strcmp(argv[*i], "--")) {
		*opts_done = true;
		return 1;
	}
	const char *bad_uri = NULL;
	*r = common_opt(argc, argv, i, uri, help, &bad_uri);
	if (*r > 0)
		return 1;
	if (bad_uri)
		return fail(err, errlen, "invalid URI '%s' (expected %s)", bad_uri, URI_FORMS);
	return 0;
}

void cli_call_args_free(struct cli_call_args *a)
{
	for (size_t i = 0; i < a->nkv; i++)
		free(a->kv_store[i]);
	free(a->kv_store);
	free(a->kv);
	memset(a, 0, sizeof(*a));
}

static int add_pair(struct cli_call_args *a, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	if (!eq)
		return fail(err, errlen, "expected KEY=VALUE, got '%s' (nested arguments: --json)",
		            arg);
	if (eq == arg)
		return fail(err, errlen, "empty key in '%s'", arg);
	a->kv = xreallocarray(a->kv, a->nkv + 1, sizeof(*a->kv));
	a->kv_store = xreallocarray(a->kv_store, a->nkv + 1, sizeof(*a->kv_store));
	char *copy = xstrdup(arg);
	copy[eq - arg] = '\0';
	a->kv_store[a->nkv] = copy;
	a->kv[a->nkv] = (struct json_kv){copy, copy + (eq - arg) + 1};
	a->nkv++;
	return 0;
}

int cli_call_parse(int argc, char **argv, struct cli_call_args *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->timeout_ms = -1;
	bool opts_done = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		int r = 0;
		if (!opts_done && arg[0] == '-' && arg[1]) {
			int taken = shared_opt(argc, argv, &i, &opts_done, &a->uri, &a->help, &r,
			                       err, errlen);
			if (taken < 0)
				return taken;
			if (taken)
				continue;
			if (!r && (r = opt_value(argc, argv, &i, "--json", "-j", &v)) > 0) {
				if (a->json)
					return fail(err, errlen, "--json given twice");
				a->json = v;
				continue;
			}
			if (!r && (r = opt_value(argc, argv, &i, "--timeout", "-t", &v)) > 0) {
				if (cli_parse_seconds(v, &a->timeout_ms))
					return fail(err, errlen,
					            "--timeout: '%s' is not a number of seconds",
					            v);
				continue;
			}
			if (!r && is_flag(arg, "--pretty", "-p")) {
				a->pretty = true;
				continue;
			}
			if (r < 0)
				return fail(err, errlen, "option %s needs a value", arg);
			return fail(err, errlen, "unknown option '%s'", arg);
		}
		if (!a->command) {
			a->command = arg;
			continue;
		}
		if ((r = add_pair(a, arg, err, errlen)))
			return r;
	}
	if (a->help)
		return 0;
	if (!a->command)
		return fail(err, errlen, "call: missing COMMAND (e.g. swantop call version)");
	size_t n = strlen(a->command);
	if (n == 0 || n > VICI_NAME_MAX)
		return fail(err, errlen, "call: command names are 1..%d bytes", VICI_NAME_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a->command[i];
		if (c <= 0x20 || c >= 0x7f)
			return fail(err, errlen, "call: command names are printable ASCII");
	}
	return 0;
}

void cli_listen_args_free(struct cli_listen_args *a)
{
	free(a->events);
	memset(a, 0, sizeof(*a));
}

int cli_listen_parse(int argc, char **argv, struct cli_listen_args *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->timeout_ms = -1;
	bool opts_done = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		if (!opts_done && arg[0] == '-' && arg[1]) {
			int r, taken = shared_opt(argc, argv, &i, &opts_done, &a->uri, &a->help, &r,
			                          err, errlen);
			if (taken < 0)
				return taken;
			if (taken)
				continue;
			if (!r && is_flag(arg, "--no-reconnect", NULL)) {
				a->no_reconnect = true;
				continue;
			}
			if (!r && (r = opt_value(argc, argv, &i, "--timeout", "-t", &v)) > 0) {
				if (cli_parse_seconds(v, &a->timeout_ms) || a->timeout_ms == 0)
					return fail(err, errlen,
					            "--timeout: '%s' is not a number of seconds "
					            "above 0",
					            v);
				continue;
			}
			if (r < 0)
				return fail(err, errlen, "option %s needs a value", arg);
			return fail(err, errlen, "unknown option '%s'", arg);
		}
		size_t n = strlen(arg);
		bool ok = n > 0 && n <= VICI_NAME_MAX;
		for (size_t j = 0; ok && j < n; j++)
			ok = arg[j] > 0x20 && arg[j] < 0x7f;
		if (!ok)
			return fail(err, errlen,
			            "listen: event names are 1..%d printable ASCII characters",
			            VICI_NAME_MAX);
		bool dup = false;
		for (size_t j = 0; j < a->nevents; j++)
			dup = dup || !strcmp(a->events[j], arg);
		if (dup)
			continue;
		a->events = xreallocarray(a->events, a->nevents + 1, sizeof(*a->events));
		a->events[a->nevents++] = arg;
	}
	if (!a->help && a->nevents == 0)
		return fail(err, errlen,
		            "listen: name at least one EVENT (e.g. swantop listen ike-updown log)");
	return 0;
}

int cli_history_parse(int argc, char **argv, int64_t now, struct cli_history_args *a, char *err,
                      size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->limit = CLI_HISTORY_LIMIT_DEFAULT;
	bool opts_done = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v = NULL;
		if (opts_done || arg[0] != '-' || !arg[1]) {
			if (a->conn)
				return fail(err, errlen, "history: one CONN at most ('%s', '%s')",
				            a->conn, arg);
			a->conn = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			opts_done = true;
			continue;
		}
		if (is_flag(arg, "--help", "-h")) {
			a->help = true;
			continue;
		}
		if (is_flag(arg, "--json", NULL)) {
			a->json = true;
			continue;
		}
		int r = opt_value(argc, argv, &i, "--since", NULL, &v);
		bool since = r > 0;
		if (!r)
			r = opt_value(argc, argv, &i, "--until", NULL, &v);
		if (r > 0 && v) {
			if (time_parse(v, now, since ? &a->since : &a->until))
				return fail(err, errlen,
				            "%s: '%s' is not a time (2026-12-04 03:00, 03:00, 1h, "
				            "30m, 2d, @SECONDS, now)",
				            since ? "--since" : "--until", v);
			continue;
		}
		if (!r && (r = opt_value(argc, argv, &i, "--db", NULL, &v)) > 0) {
			a->db = v;
			continue;
		}
		if (!r && (r = opt_value(argc, argv, &i, "--limit", NULL, &v)) > 0) {
			char *end;
			errno = 0;
			long long n = strtoll(v, &end, 10);
			if (errno || *end || !*v || n < 0)
				return fail(err, errlen,
				            "--limit: '%s' is not a count (0: no limit)", v);
			a->limit = (size_t)n;
			continue;
		}
		if (r < 0)
			return fail(err, errlen, "option %s needs a value", arg);
		return fail(err, errlen, "unknown option '%s'", arg);
	}
	if (a->since && a->until && a->since >= a->until)
		return fail(err, errlen, "history: --since must be before --until");
	return 0;
}

void cli_why_args_free(struct cli_why_args *a)
{
	free(a->conns);
	free(a->replay);
	memset(a, 0, sizeof(*a));
}

int cli_why_parse(int argc, char **argv, struct cli_why_args *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	bool opts_done = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		if (!opts_done && arg[0] == '-' && arg[1]) {
			int r, taken = shared_opt(argc, argv, &i, &opts_done, &a->uri, &a->help, &r,
			                          err, errlen);
			if (taken < 0)
				return taken;
			if (taken)
				continue;
			if (!r && is_flag(arg, "--json", "-j")) {
				a->json = true;
				continue;
			}
			if (!r && is_flag(arg, "--all", "-a")) {
				a->all = true;
				continue;
			}
			if (!r && (r = opt_value(argc, argv, &i, "--wait", "-w", &v)) > 0) {
				if (cli_parse_seconds(v, &a->wait_ms))
					return fail(err, errlen,
					            "--wait: '%s' is not a number of seconds", v);
				continue;
			}
			if (!r && (r = opt_value(argc, argv, &i, "--db", NULL, &v)) > 0) {
				if (!*v)
					return fail(err, errlen, "--db: the path is empty");
				a->db = v;
				continue;
			}
			if (!r && (r = opt_value(argc, argv, &i, "--replay", NULL, &v)) > 0) {
				a->replay = xreallocarray(a->replay, a->nreplay + 1,
				                          sizeof(*a->replay));
				a->replay[a->nreplay++] = v;
				continue;
			}
			if (r < 0)
				return fail(err, errlen, "option %s needs a value", arg);
			return fail(err, errlen, "unknown option '%s'", arg);
		}
		if (!*arg)
			return fail(err, errlen, "why: empty connection name");
		a->conns = xreallocarray(a->conns, a->nconns + 1, sizeof(*a->conns));
		a->conns[a->nconns++] = arg;
	}
	if (a->nreplay && (a->uri || a->wait_ms))
		return fail(err, errlen,
		            "why: --replay reads files; --uri and --wait need a daemon");
	return 0;
}

/* A number in [lo, hi] (strtod syntax). */
static bool number_in(const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || end == v || *end || !(d >= lo && d <= hi))
		return false;
	*out = d;
	return true;
}

int cli_record_parse(int argc, char **argv, struct cli_record_args *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->budget = FEED_BUDGET_DEFAULT;
	a->interval_ms = RECORD_INTERVAL_DEFAULT_MS;
	bool opts_done = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		double d;
		if (opts_done || arg[0] != '-' || !arg[1])
			return fail(err, errlen, "record: unexpected argument '%s'", arg);
		int r, taken = shared_opt(argc, argv, &i, &opts_done, &a->uri, &a->help, &r, err,
		                          errlen);
		if (taken < 0)
			return taken;
		if (taken)
			continue;
		if (!r && (r = opt_value(argc, argv, &i, "--db", NULL, &v)) > 0) {
			if (!*v)
				return fail(err, errlen, "--db: the path is empty");
			a->db = v;
			continue;
		}
		if (!r && (r = opt_value(argc, argv, &i, "--budget", "-b", &v)) > 0) {
			if (!number_in(v, 0, 1000, &a->budget))
				return fail(
				        err, errlen,
				        "--budget: '%s' is not a number of milliseconds (of charon "
				        "CPU per second) between 0 and 1000",
				        v);
			continue;
		}
		if (!r && (r = opt_value(argc, argv, &i, "--interval", "-i", &v)) > 0) {
			if (!number_in(v, 1, 3600, &d))
				return fail(
				        err, errlen,
				        "--interval: '%s' is not a number of seconds between 1 and "
				        "3600",
				        v);
			a->interval_ms = (int)(d * 1000 + 0.5);
			continue;
		}
		if (!r && (r = opt_value(argc, argv, &i, "--max-size", NULL, &v)) > 0) {
			if (!number_in(v, 1, 1024 * 1024, &d))
				return fail(err, errlen,
				            "--max-size: '%s' is not a number of MiB between 1 and "
				            "1048576",
				            v);
			a->max_bytes = (uint64_t)(d * 1024 * 1024);
			continue;
		}
		if (r < 0)
			return fail(err, errlen, "option %s needs a value", arg);
		return fail(err, errlen, "unknown option '%s'", arg);
	}
	return 0;
}
