/*
 * The interactive monitor: `swantop [--uri URI] [--interval SECONDS]
 * [--budget MS] [--theme NAME] [--readonly] [--db PATH]`. monitor_main() owns the terminal (curses)
 * and the single poll() loop over the terminal, the VICI connections, a
 * signal self-pipe and the nearest timer; see app/app.h for the state and
 * ui/pane.h for the panes.
 */
#ifndef SWANTOP_MONITOR_H
#define SWANTOP_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes: 0 after q, 1 for runtime failures (no terminal), 2 for usage
 * errors (bad option, unknown theme). */
#define MONITOR_EXIT_OK 0
#define MONITOR_EXIT_FAIL 1
#define MONITOR_EXIT_USAGE 2

struct monitor_options {
	const char *uri;   /* NULL: charon's default socket */
	int interval_ms;   /* 100..3600000; default 1500 */
	const char *theme; /* NULL: "default" */
	double budget;     /* ms of charon CPU per second for polling; default 5 */
	bool readonly;
	const char *db; /* the history store; NULL: the default one if it exists */
	bool help;
};

/* Parses the monitor's command line (argv[0] is the program name; argv
 * strings are borrowed by o). Returns 0, or -EINVAL with a one-line message
 * in err. Pure: no terminal, no output. */
int monitor_parse_args(int argc, char **argv, struct monitor_options *o, char *err, size_t errsize);

/* The monitor's usage text (options and keys to start with). */
extern const char monitor_usage_text[];

/* Runs the monitor until the operator quits or a SIGTERM/SIGINT/SIGHUP
 * arrives; the terminal is restored on every way out, including fatal
 * signals. Returns a MONITOR_EXIT_* code. */
int monitor_main(int argc, char **argv);

#endif
