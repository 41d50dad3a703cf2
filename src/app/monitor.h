/*
 * The interactive monitor: `swantop [OPTIONS]`. monitor_main() owns the
 * terminal (curses) and the single poll() loop over the terminal, the VICI
 * connections, a signal self-pipe and the nearest timer; see app/app.h for
 * the state and ui/pane.h for the panes.
 *
 * Its options come from one table (monitor_options_table()): every row is
 * a command-line option (--NAME VALUE, or --NAME / --no-NAME for a switch)
 * and, unless it is marked for the command line only, a setting of the
 * configuration file (`set NAME VALUE`, app/config.h) and of `:set` while
 * the monitor runs. Usage text, shell completion and the `set` names are
 * all generated from it.
 */
#ifndef SWANTOP_MONITOR_H
#define SWANTOP_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes: 0 after q, 1 for runtime failures (no terminal), 2 for usage
 * errors (bad option, unknown theme, an error in the configuration file). */
#define MONITOR_EXIT_OK 0
#define MONITOR_EXIT_FAIL 1
#define MONITOR_EXIT_USAGE 2

struct monitor_string;

struct monitor_options {
	const char *uri;   /* NULL: charon's default socket */
	int interval_ms;   /* 100..3600000; default 1500 */
	const char *theme; /* NULL: "default" */
	double budget;     /* ms of charon CPU per second for polling; default 5 */
	bool readonly;
	const char *db; /* the history store; NULL: the default one if it exists */
	bool mouse;     /* mouse reports: click, double-click, wheel; default on */
	/* the command line only */
	const char *config; /* --config PATH; NULL: the default file */
	bool no_config;     /* --no-config */
	bool help;
	/* strings set from a file or :set (the others are borrowed from argv) */
	struct monitor_string *pool;
};

/* What a row of the option table holds. */
enum monitor_opt_kind {
	MOPT_TEXT,    /* a string (const char *) */
	MOPT_SECONDS, /* a number of seconds, kept as int ms */
	MOPT_NUMBER,  /* a number (double) */
	MOPT_SWITCH,  /* on/off (bool): --NAME and --no-NAME */
	MOPT_CLI,     /* the command line only: not a setting */
};

/* Which option a row is (for what applies a setting while running). */
enum monitor_opt_id {
	MOPT_URI,
	MOPT_INTERVAL,
	MOPT_BUDGET,
	MOPT_THEME,
	MOPT_READONLY,
	MOPT_DB,
	MOPT_MOUSE,
	MOPT_CONFIG,
	MOPT_NO_CONFIG,
	MOPT_HELP,
};

struct monitor_option {
	const char *name;  /* --NAME, `set NAME` */
	char short_name;   /* -x, or 0 */
	const char *alias; /* another long name, or NULL */
	enum monitor_opt_id id;
	enum monitor_opt_kind kind;
	size_t offset;    /* of the value in struct monitor_options */
	double min, max;  /* MOPT_SECONDS, MOPT_NUMBER */
	const char *arg;  /* how the usage names the value ("SECONDS"); NULL: none */
	const char *help; /* for the usage text (lines after the first indented) */
	bool live;        /* :set changes it while the monitor runs */
};

/* The option table and its length. Static. */
const struct monitor_option *monitor_options_table(size_t *count);
/* The row called name (a setting or a command-line option), or NULL. */
const struct monitor_option *monitor_option_find(const char *name);

/* The defaults (no strings allocated). */
void monitor_options_init(struct monitor_options *o);
/* Frees the strings set from a file or :set. */
void monitor_options_free(struct monitor_options *o);

/* Sets option d to value as a setting would (text for every kind: a switch
 * takes on/off, yes/no, true/false or 1/0). Strings are copied into o's
 * pool. Returns 0, or -EINVAL with a message about the value (its name not
 * included: the caller says where it came from) in err; o is unchanged then.
 * A MOPT_CLI row is refused. */
int monitor_option_set(struct monitor_options *o, const struct monitor_option *d, const char *value,
                       char *err, size_t errsize);
/* The value of d in o as `set` would take it back ("1.5", "on", "" for a
 * default string). */
void monitor_option_show(const struct monitor_options *o, const struct monitor_option *d, char *buf,
                         size_t size);

/* Parses the monitor's command line (argv[0] is the program name; argv
 * strings are borrowed by o) over the defaults. Returns 0, or -EINVAL with
 * a one-line message in err. Pure: no terminal, no output, no file read. */
int monitor_parse_args(int argc, char **argv, struct monitor_options *o, char *err, size_t errsize);
/* The same over what o holds already (the configuration file's values):
 * what the command line gives wins. */
int monitor_parse_args_over(int argc, char **argv, struct monitor_options *o, char *err,
                            size_t errsize);

/* Writes the usage text (generated from the option table) to f. */
void monitor_usage(FILE *f);
/* Writes the options' lines of the usage (all but --help; --uri only if
 * with_uri), for swantop --help. */
void monitor_options_usage(FILE *f, bool with_uri);

/* Runs the monitor until the operator quits or a SIGTERM/SIGINT/SIGHUP
 * arrives; the terminal is restored on every way out, including fatal
 * signals. Returns a MONITOR_EXIT_* code. */
int monitor_main(int argc, char **argv);

#endif
