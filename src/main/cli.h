/*
 * The non-interactive modes of swantop: `swantop call` sends one VICI command
 * and prints the reply as JSON, `swantop listen` prints events as JSON lines,
 * `swantop why` says why connections are not up (why.c). They are thin
 * hosts of the VICI session (vici.h) with a blocking loop of their own;
 * the interactive monitor is elsewhere.
 *
 * Exit codes are part of the interface (documented in README, man page and
 * --help), so scripts can branch on them: CLI_EXIT_*.
 */
#ifndef SWANTOP_CLI_H
#define SWANTOP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/json.h"

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1,   /* the command ran and answered success = no */
	CLI_EXIT_USAGE = 2,    /* bad arguments or JSON */
	CLI_EXIT_CONNECT = 3,  /* cannot connect, or the connection was lost */
	CLI_EXIT_TIMEOUT = 4,  /* no reply before the deadline */
	CLI_EXIT_PROTOCOL = 5, /* malformed or oversized data from the daemon */
	CLI_EXIT_UNKNOWN = 6,  /* unknown command, or no requested event supported */
};

/* Default client deadline of `call`, in milliseconds. */
#define CLI_TIMEOUT_DEFAULT_MS 30000
/* Extra time given on top of a charon-side `timeout` of initiate/terminate. */
#define CLI_TIMEOUT_MARGIN_MS 5000
/* Largest --json input accepted (VICI messages are at most 512 KiB). */
#define CLI_JSON_INPUT_MAX (4u * 1024u * 1024u)

/* Parsed `swantop call` arguments. Strings are borrowed from argv, except
 * kv (an array allocated here, its strings point into argv): free with
 * cli_call_args_free(). */
struct cli_call_args {
	const char *command;
	struct json_kv *kv; /* KEY=VALUE pairs, split in place copies */
	char **kv_store;    /* owned copies the kv strings point into */
	size_t nkv;
	const char *json; /* --json argument: text, "-" (stdin) or "@FILE" */
	const char *uri;  /* NULL: the library default */
	int timeout_ms;   /* -1: not given; 0: no client deadline */
	bool pretty;
	bool help;
};

/* Parsed `swantop listen` arguments. events is allocated (duplicates
 * removed, strings borrowed from argv): free with cli_listen_args_free(). */
struct cli_listen_args {
	const char **events;
	size_t nevents;
	const char *uri;
	int timeout_ms; /* -1: not given (CLI_TIMEOUT_DEFAULT_MS); else > 0 */
	bool no_reconnect;
	bool help;
};

/* Parsed `swantop why` arguments. conns and replay are allocated arrays of
 * strings borrowed from argv: free with cli_why_args_free(). */
struct cli_why_args {
	const char **conns; /* CONN...: only these connections */
	size_t nconns;
	const char **replay; /* --replay FILE (repeatable; "-" for stdin) */
	size_t nreplay;
	const char *uri;
	int wait_ms; /* --wait SECONDS: listen that long before judging; 0: no */
	const char *db; /* --db PATH: the history store (default: the default
	                   path when it exists; with --replay only when given) */
	bool json;
	bool all; /* also the connections that are up */
	bool help;
};

/* Parse argv (argv[0] is "call" / "listen"). Return 0, or -EINVAL with a
 * one-line message in err. On success with help set, nothing else is
 * required to be present. */
int cli_call_parse(int argc, char **argv, struct cli_call_args *a, char *err, size_t errlen);
void cli_call_args_free(struct cli_call_args *a);
int cli_listen_parse(int argc, char **argv, struct cli_listen_args *a, char *err, size_t errlen);
void cli_listen_args_free(struct cli_listen_args *a);
/* The same for `swantop why` (argv[0] is "why"). */
int cli_why_parse(int argc, char **argv, struct cli_why_args *a, char *err, size_t errlen);
void cli_why_args_free(struct cli_why_args *a);

/* Parses a duration in seconds ("30", "0.5", "0") into milliseconds.
 * Returns 0, or -EINVAL for anything else (negative, not a number, > 1 day
 * and a bit). */
int cli_parse_seconds(const char *s, int *ms);

/* Records `swantop history` shows unless --limit says otherwise. */
#define CLI_HISTORY_LIMIT_DEFAULT 1000

/* Parsed `swantop history` arguments; strings borrowed from argv. Times are
 * wall-clock ms (0: not given). */
struct cli_history_args {
	const char *conn; /* NULL: every connection */
	int64_t since, until;
	const char *db; /* NULL: the default path (store_default_path()) */
	size_t limit;   /* the newest N records; 0: all */
	bool json;
	bool help;
};

/* Parses argv (argv[0] is "history"); relative times count back from now
 * (wall-clock ms). Returns 0, or -EINVAL with a one-line message in err. */
int cli_history_parse(int argc, char **argv, int64_t now, struct cli_history_args *a, char *err,
                      size_t errlen);

/* Parsed `swantop record` arguments; strings borrowed from argv. */
struct cli_record_args {
	const char *uri;
	const char *db;     /* NULL: the default path (store_default_path()) */
	double budget;      /* ms of charon CPU per second, 0..1000 */
	int interval_ms;    /* counter samples at most this often, 1 s..1 h */
	uint64_t max_bytes; /* --max-size; 0: the store's default */
	bool help;
};

/* Parses argv (argv[0] is "record"). Returns 0, or -EINVAL with a one-line
 * message in err. */
int cli_record_parse(int argc, char **argv, struct cli_record_args *a, char *err, size_t errlen);

/* The whole help text (all modes, options and exit codes) to f. */
void cli_usage(FILE *f);

/* Prints "swantop: " and the formatted message to stderr with every byte
 * that could control a terminal escaped (for text that came from charon),
 * then a newline. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The modes: argv[0] is the mode name. Return an exit code (enum cli_exit). */
int cli_call_main(int argc, char **argv);
int cli_listen_main(int argc, char **argv);
int cli_history_main(int argc, char **argv);
int cli_why_main(int argc, char **argv);
int cli_record_main(int argc, char **argv);

/* `swantop __complete WHAT [--uri URI]`: candidates for the shell
 * completions (main/complete.c); always exits 0. */
int cli_complete_main(int argc, char **argv);

#endif
