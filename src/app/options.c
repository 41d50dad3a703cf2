/*
 * The monitor's options (see monitor.h): one table from which the
 * command-line parser (getopt_long's table is built from it), the settings
 * of the configuration file and of :set, the usage text and the shell
 * completion are all made. Every error is worded for the operator.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/monitor.h"
#include "app/refresh.h"
#include "util/sanitize.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

#define OFF(field) offsetof(struct monitor_options, field)

/* Usage lists the rows in this order. */
static const struct monitor_option table[] = {
        {"uri", 'u', NULL, MOPT_URI, MOPT_TEXT, OFF(uri), 0, 0, "URI",
         "charon's VICI socket (default unix:///var/run/charon.vici)", false},
        {"interval", 'i', NULL, MOPT_INTERVAL, MOPT_SECONDS, OFF(interval_ms), 0.1, 3600, "SECONDS",
         "counters of the selected SA, 0.1-3600 (default 1.5)", true},
        {"budget", 0, NULL, MOPT_BUDGET, MOPT_NUMBER, OFF(budget), 0, 1000, "MS",
         "charon CPU the polling may use, ms per second, 0-1000\n"
         "(default 5, i.e. 0.5% of one core)",
         true},
        {"theme", 't', NULL, MOPT_THEME, MOPT_TEXT, OFF(theme), 0, 0, "NAME",
         "colour theme (default, mono, or a themes/NAME.theme file)", true},
        {"readonly", 'r', "read-only", MOPT_READONLY, MOPT_SWITCH, OFF(readonly), 0, 0, NULL,
         "refuse every action (initiate, terminate, rekey, ...)", true},
        {"db", 0, NULL, MOPT_DB, MOPT_TEXT, OFF(db), 0, 0, "PATH",
         "the history store (read-only; default: the recorder's\n"
         "store, when there is one)",
         false},
        {"mouse", 0, NULL, MOPT_MOUSE, MOPT_SWITCH, OFF(mouse), 0, 0, NULL,
         "click selects, double-click opens, the wheel scrolls\n"
         "(default on; --no-mouse leaves the mouse to the terminal)",
         true},
        {"config", 0, NULL, MOPT_CONFIG, MOPT_CLI, OFF(config), 0, 0, "PATH",
         "the configuration file (default ~/.config/swantop/config)", false},
        {"no-config", 0, NULL, MOPT_NO_CONFIG, MOPT_CLI, OFF(no_config), 0, 0, NULL,
         "read no configuration file", false},
        {"help", 'h', NULL, MOPT_HELP, MOPT_CLI, OFF(help), 0, 0, NULL, "this text", false},
};
#define NOPTS (sizeof(table) / sizeof(table[0]))

/* One string set from a file or :set, kept until the options are freed. */
struct monitor_string {
	struct monitor_string *next;
	char s[];
};

const struct monitor_option *monitor_options_table(size_t *count)
{
	*count = NOPTS;
	return table;
}

const struct monitor_option *monitor_option_find(const char *name)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (!strcmp(table[i].name, name) ||
		    (table[i].alias && !strcmp(table[i].alias, name)))
			return &table[i];
	return NULL;
}

void monitor_options_init(struct monitor_options *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_ms = 1500;
	o->budget = REFRESH_BUDGET_DEFAULT;
	o->mouse = true;
}

void monitor_options_free(struct monitor_options *o)
{
	while (o->pool) {
		struct monitor_string *n = o->pool->next;
		free(o->pool);
		o->pool = n;
	}
}

static const char *pool_add(struct monitor_options *o, const char *s)
{
	size_t n = strlen(s) + 1;
	struct monitor_string *m = xmalloc(sizeof(*m) + n);
	memcpy(m->s, s, n);
	m->next = o->pool;
	o->pool = m;
	return m->s;
}

static int bad_value(char *err, size_t errsize, const char *value, const char *what)
{
	char *safe = sanitize_strdup(value, 0);
	snprintf(err, errsize, "'%s' is not %s", safe, what);
	free(safe);
	return -EINVAL;
}

static int parse_switch(const char *v, bool *out)
{
	static const char *const on[] = {"on", "yes", "true", "1"}, *const off[] = {"off", "no",
	                                                                            "false", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(v, on[i]))
			return *out = true, 0;
		if (!strcmp(v, off[i]))
			return *out = false, 0;
	}
	return -EINVAL;
}

static int parse_number(const struct monitor_option *d, const char *v, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (errno || end == v || *end || !(x >= d->min && x <= d->max))
		return -EINVAL;
	*out = x;
	return 0;
}

/* Checks a string value; the strings are kept as given. */
static int check_text(const struct monitor_option *d, const char *v, char *err, size_t errsize)
{
	if (d->id == MOPT_URI) {
		struct vici_uri u;
		if (vici_uri_parse(v, &u) < 0)
			return bad_value(err, errsize, v,
			                 "a VICI URI (unix:///path or tcp://host:port)");
	} else if (!*v) {
		snprintf(err, errsize, "the %s is empty", d->id == MOPT_DB ? "path" : "name");
		return -EINVAL;
	}
	return 0;
}

/* Stores value into o for row d; borrow says whether a string may be kept
 * as it is (argv) or is copied into the pool. */
static int option_store(struct monitor_options *o, const struct monitor_option *d,
                        const char *value, bool borrow, char *err, size_t errsize)
{
	char *field = (char *)o + d->offset;
	char what[96];
	double x;
	bool b;
	switch (d->kind) {
	case MOPT_TEXT:
		if (check_text(d, value, err, errsize) < 0)
			return -EINVAL;
		*(const char **)field = borrow ? value : pool_add(o, value);
		return 0;
	case MOPT_SECONDS:
		snprintf(what, sizeof(what), "a number of seconds between %g and %g", d->min,
		         d->max);
		if (parse_number(d, value, &x) < 0)
			return bad_value(err, errsize, value, what);
		*(int *)field = (int)(x * 1000 + 0.5);
		return 0;
	case MOPT_NUMBER:
		snprintf(what, sizeof(what), "a number between %g and %g", d->min, d->max);
		if (parse_number(d, value, &x) < 0)
			return bad_value(err, errsize, value, what);
		*(double *)field = x;
		return 0;
	case MOPT_SWITCH:
		if (parse_switch(value, &b) < 0)
			return bad_value(err, errsize, value, "on or off");
		*(bool *)field = b;
		return 0;
	case MOPT_CLI:
	default:
		snprintf(err, errsize, "a command-line option, not a setting");
		return -EINVAL;
	}
}

int monitor_option_set(struct monitor_options *o, const struct monitor_option *d, const char *value,
                       char *err, size_t errsize)
{
	return option_store(o, d, value, false, err, errsize);
}

void monitor_option_show(const struct monitor_options *o, const struct monitor_option *d, char *buf,
                         size_t size)
{
	const char *field = (const char *)o + d->offset;
	switch (d->kind) {
	case MOPT_TEXT: {
		const char *s = *(const char *const *)field;
		char *safe = sanitize_strdup(s ? s : "", 0);
		snprintf(buf, size, "%s", safe);
		free(safe);
		break;
	}
	case MOPT_SECONDS:
		snprintf(buf, size, "%g", *(const int *)field / 1000.0);
		break;
	case MOPT_NUMBER:
		snprintf(buf, size, "%g", *(const double *)field);
		break;
	case MOPT_SWITCH:
	case MOPT_CLI:
		snprintf(buf, size, "%s", *(const bool *)field ? "on" : "off");
		break;
	}
}

/* getopt_long's codes: 256 + row, 512 + row for --no-NAME. */
#define CODE_ON 256
#define CODE_OFF 512

static void getopt_table(struct option *opts, char *shorts)
{
	size_t n = 0, s = 0;
	shorts[s++] = ':';
	for (size_t i = 0; i < NOPTS; i++) {
		const struct monitor_option *d = &table[i];
		int has = d->arg ? required_argument : no_argument;
		opts[n++] = (struct option){d->name, has, NULL, CODE_ON + (int)i};
		if (d->alias)
			opts[n++] = (struct option){d->alias, has, NULL, CODE_ON + (int)i};
		if (d->kind == MOPT_SWITCH) {
			static char neg[NOPTS][40];
			snprintf(neg[i], sizeof(neg[i]), "no-%s", d->name);
			opts[n++] = (struct option){neg[i], no_argument, NULL, CODE_OFF + (int)i};
		}
		if (d->short_name) {
			shorts[s++] = d->short_name;
			if (d->arg)
				shorts[s++] = ':';
		}
	}
	opts[n] = (struct option){NULL, 0, NULL, 0};
	shorts[s] = '\0';
}

static int arg_error(char *err, size_t errsize, const char *fmt, const char *word)
{
	char *safe = sanitize_strdup(word, 0);
	snprintf(err, errsize, fmt, safe);
	free(safe);
	return -EINVAL;
}

static int apply_arg(struct monitor_options *o, int c, char *err, size_t errsize)
{
	const struct monitor_option *d = &table[(c & 255)];
	char *field = (char *)o + d->offset;
	if (d->kind == MOPT_SWITCH || (d->kind == MOPT_CLI && !d->arg)) {
		*(bool *)field = c < CODE_OFF;
		return 0;
	}
	if (d->kind == MOPT_CLI) {
		if (!*optarg)
			return snprintf(err, errsize, "--%s: the path is empty", d->name), -EINVAL;
		*(const char **)field = optarg;
		return 0;
	}
	char why[256];
	if (option_store(o, d, optarg, true, why, sizeof(why)) < 0) {
		snprintf(err, errsize, "--%s: %s", d->name, why);
		return -EINVAL;
	}
	return 0;
}

int monitor_parse_args_over(int argc, char **argv, struct monitor_options *o, char *err,
                            size_t errsize)
{
	struct option opts[3 * NOPTS + 1];
	char shorts[2 * NOPTS + 2];
	getopt_table(opts, shorts);
	err[0] = '\0';
	optind = 0; /* full reset (GNU): the parser may run more than once */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if (c == ':')
			return arg_error(err, errsize, "option %s needs a value", argv[optind - 1]);
		if (c == '?')
			return arg_error(err, errsize, "unknown option '%s'", argv[optind - 1]);
		if (c < CODE_ON) {
			for (size_t i = 0; i < NOPTS; i++)
				if (table[i].short_name == c)
					c = CODE_ON + (int)i;
		}
		if (apply_arg(o, c, err, errsize) < 0)
			return -EINVAL;
	}
	if (optind < argc)
		return arg_error(err, errsize,
		                 "unexpected argument '%s' (modes are 'call' and 'listen')",
		                 argv[optind]);
	return 0;
}

int monitor_parse_args(int argc, char **argv, struct monitor_options *o, char *err, size_t errsize)
{
	monitor_options_init(o);
	return monitor_parse_args_over(argc, argv, o, err, errsize);
}

void monitor_options_usage(FILE *f, bool with_uri)
{
	struct monitor_options def;
	monitor_options_init(&def);
	for (size_t i = 0; i < NOPTS; i++) {
		const struct monitor_option *d = &table[i];
		if ((d->id == MOPT_URI && !with_uri) || d->id == MOPT_HELP)
			continue;
		/* a switch that is on by default is shown by the way to turn it off */
		bool on = d->kind == MOPT_SWITCH && *(const bool *)((const char *)&def + d->offset);
		char head[64], shorts[8] = "";
		if (d->short_name)
			snprintf(shorts, sizeof(shorts), "-%c, ", d->short_name);
		int n = snprintf(head, sizeof(head), "%s--%s%s%s%s", shorts, on ? "no-" : "",
		                 d->name, d->arg ? " " : "", d->arg ? d->arg : "");
		if (n > 20)
			fprintf(f, "  %s\n  %-20s ", head, "");
		else
			fprintf(f, "  %-20s ", head);
		for (const char *p = d->help; *p; p++) {
			fputc(*p, f);
			if (*p == '\n')
				fprintf(f, "  %-20s ", "");
		}
		fputc('\n', f);
	}
}

void monitor_usage(FILE *f)
{
	fputs("usage: swantop [OPTIONS]\n"
	      "       swantop call COMMAND [KEY=VALUE...] | swantop listen EVENT...\n\n",
	      f);
	monitor_options_usage(f, true);
	fputs("  -h, --help           this text\n"
	      "\nSettings (all but config and no-config) can also be given in the\n"
	      "configuration file as 'set NAME VALUE', and most with :set while running.\n"
	      "Keys: ? for help, q to quit.\n",
	      f);
}
