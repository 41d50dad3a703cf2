/*
 * The command line's language: commands, their arguments, completion and
 * persistent history. No terminal here; lineedit.h edits the text, the
 * monitor acts on what cmdline_parse() returns.
 *
 * A line is split into words by libedit's tokenizer(3), so 'single' and
 * "double" quotes and backslashes work as in a shell. The first word names
 * a command from a static, sorted table (exact name, alias such as "q", or
 * an unambiguous prefix such as "init"); the others are checked against
 * the command's argument kinds. Every error is one line meant for the
 * status bar: "unknown command 'initate' (did you mean 'initiate'?)",
 * "terminate: missing argument <ike|child|#id>", "unbalanced \" quote".
 *
 * Commands:
 *   initiate NAME           start a CHILD (or IKE) connection
 *   terminate SA            terminate an IKE or CHILD SA
 *   rekey SA                rekey an IKE or CHILD SA
 *   redirect SA GATEWAY     redirect an IKE SA to another gateway
 *   install CHILD [IKE]     install a trap policy
 *   uninstall CHILD         uninstall a trap policy
 *   filter [TEXT...]        filter the panes (no text: clear the filter)
 *   theme [NAME]            switch theme (no name: show current)
 *   sort COLUMN [asc|desc]  sort the focused pane by a column (its heading)
 *   set [NAME [VALUE]]      change a setting (no value: show it; nothing: all)
 *   bind KEY COMMAND...     run COMMAND when KEY is pressed
 *   unbind KEY              remove KEY's own binding
 *   help [COMMAND]          show help
 *   quit                    leave swantop (aliases q, exit)
 * where SA is an IKE name, a CHILD name, "#N" (IKE SA with unique id N) or
 * "#cN" (CHILD SA with unique id N).
 *
 * Parsing is cmdline.c, completion complete.c, history history.c.
 *
 * History is libedit's history(3), saved in
 * $XDG_STATE_HOME/swantop/history (default ~/.local/state/swantop/history),
 * mode 0600, after every accepted line.
 */
#ifndef SWANTOP_UI_CMDLINE_H
#define SWANTOP_UI_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/action.h"

/* The longest command line accepted, in bytes. */
#define CMDLINE_MAX 4096
/* The most arguments any command takes. */
#define CMDLINE_MAX_ARGS 4

enum cmdline_cmd {
	CMDLINE_NONE = 0, /* empty line: nothing to do */
	CMDLINE_VERB,     /* an action: the row's verb (action/action.h) */
	CMDLINE_FILTER,
	CMDLINE_HELP,
	CMDLINE_QUIT,
	CMDLINE_THEME,
	CMDLINE_PROBLEMS, /* the problems view, on or off */
	CMDLINE_SORT,
	CMDLINE_SET,
	CMDLINE_BIND,
	CMDLINE_UNBIND,
	CMDLINE_UNMARK,
	CMDLINE_COUNT
};

enum cmdline_arg_kind {
	CMDLINE_ARG_NONE = 0,
	CMDLINE_ARG_IKE,     /* an IKE connection (or SA) name */
	CMDLINE_ARG_CHILD,   /* a CHILD config (or SA) name */
	CMDLINE_ARG_NAME,    /* an IKE or a CHILD name */
	CMDLINE_ARG_SA,      /* IKE name, CHILD name, #N or #cN */
	CMDLINE_ARG_SA_ID,   /* only used for completion: "#N" / "#cN" candidates */
	CMDLINE_ARG_THEME,   /* a theme name (theme_name_valid()) */
	CMDLINE_ARG_COMMAND, /* a command name (for help) */
	CMDLINE_ARG_TEXT,    /* one free word (a gateway address...) */
	CMDLINE_ARG_REST,    /* all remaining words, joined by one space */
	CMDLINE_ARG_COLUMN,  /* a sort column of the focused pane (checked by the caller) */
	CMDLINE_ARG_ORDER,   /* "asc" or "desc" (any case; stored in lower case) */
	CMDLINE_ARG_SETTING, /* a setting's name (candidates from the application) */
	CMDLINE_ARG_KEY,     /* a key name (termkeys_parse()) */
	CMDLINE_ARG_LINE,    /* the rest is a command line (like REST; completes commands) */
	CMDLINE_ARG_VALUE,   /* the rest is a setting's value (like REST; no completion) */
};

/* One entry of the command table. */
struct cmdline_command {
	const char *name; /* "initiate" */
	enum cmdline_cmd cmd;
	enum verb verb; /* CMDLINE_VERB: the action (its verb_def says whether it asks first) */
	unsigned min_args, max_args;
	enum cmdline_arg_kind arg[CMDLINE_MAX_ARGS]; /* kind of each argument */
	const char *usage;                           /* "initiate NAME" */
	const char *help;                            /* one line */
};

/* The command table, sorted by name; *count gets its length. Static. */
const struct cmdline_command *cmdline_commands(size_t *count);
/* The command called name (exact name or alias, not a prefix), or NULL. */
const struct cmdline_command *cmdline_command_find(const char *name);
/* The command a word names: exact name or alias, else a unique prefix;
 * NULL with a message in err (may be NULL) otherwise. */
const struct cmdline_command *cmdline_resolve(const char *word, char *err, size_t errsize);

/* One parsed argument. */
struct cmdline_arg {
	enum cmdline_arg_kind kind; /* the kind the command expects here */
	char *text;                 /* the word, unquoted, NUL-terminated (owned); for
	                               CMDLINE_ARG_COMMAND the command's full name */
	bool is_id;                 /* "#N" or "#cN" was given (kind SA) */
	bool is_child_id;           /* it was "#cN" */
	uint32_t id;                /* N, when is_id */
};

/* The result of cmdline_parse(). Release with cmdline_result_free(). */
struct cmdline_result {
	enum cmdline_cmd cmd;
	const struct cmdline_command *def; /* NULL for CMDLINE_NONE */
	size_t argc;
	struct cmdline_arg argv[CMDLINE_MAX_ARGS];
};

/* Parses one command line (NUL-terminated UTF-8). Returns 0 with res filled
 * (res->cmd == CMDLINE_NONE for an empty or blank line), or -EINVAL with a
 * one-line message (hostile bytes escaped) in err and res empty. Release res
 * with cmdline_result_free() in both cases. */
int cmdline_parse(const char *line, struct cmdline_result *res, char *err, size_t errsize);
void cmdline_result_free(struct cmdline_result *res);

/* --- completion --- */

struct cmdline_completion;

/* Supplies the candidates of one kind from live data: called by
 * cmdline_complete() for CMDLINE_ARG_IKE, _CHILD, _SA_ID, _THEME, _COLUMN and _SETTING (for
 * NAME and SA it is called once per underlying kind). The callback calls
 * cmdline_completion_add() for each candidate; filtering by prefix, sorting
 * and removing duplicates is done for it. */
typedef void (*cmdline_candidates_fn)(void *ctx, enum cmdline_arg_kind kind,
                                      struct cmdline_completion *c);
/* Offers one candidate (copied). */
void cmdline_completion_add(struct cmdline_completion *c, const char *candidate);

/* The result of a completion. */
struct cmdline_completion {
	size_t start, end; /* bytes of the line holding the word under the cursor */
	char *word;        /* that word, unquoted, up to the cursor (owned) */
	char **items;      /* the sorted matching candidates (owned) */
	size_t count;
	char *common; /* the longest common prefix of items (owned; "" if none) */
	/* private */
	size_t alloc;
};

/* Completes the word under the cursor (byte offset) of line: the command
 * name for the first word, else candidates of the kind the command expects
 * there, from fn (may be NULL: commands only). Returns 0 with c filled (count
 * may be 0), or -EINVAL if there is nothing to complete (unknown command,
 * too many arguments, line too long). Release c with cmdline_completion_free()
 * in both cases. */
int cmdline_complete(const char *line, size_t cursor, cmdline_candidates_fn fn, void *ctx,
                     struct cmdline_completion *c);
void cmdline_completion_free(struct cmdline_completion *c);

/* The text that should replace line[c->start, c->end): the single candidate
 * (quoted if it needs quotes) followed by a space, or else the common prefix
 * (quoted the same way) if it is longer than the word typed. Returns a newly
 * allocated string, or NULL when the completion would change nothing (show
 * c->items to the user instead). Apply with lineedit_replace(le, c->start,
 * c->end, text). */
char *cmdline_completion_text(const struct cmdline_completion *c);

/* --- history --- */

struct cmdline_history;

/* The default history file: $XDG_STATE_HOME/swantop/history, or
 * $HOME/.local/state/swantop/history; NULL when neither is set (absolute).
 * Newly allocated. */
char *cmdline_history_default_path(void);

/* Opens the history kept in path (NULL: the default path) with at most max
 * entries, loading what the file holds. Creates the directory (0700) if it
 * is missing. Never fails: if the file cannot be read or the directory not
 * created, the history still works in memory, and a one-line message is
 * returned in *err (allocated, the caller frees; NULL when all is well). */
struct cmdline_history *cmdline_history_open(const char *path, size_t max, char **err);
void cmdline_history_close(struct cmdline_history *h);

/* Adds an accepted line and saves the file (atomically, mode 0600). Returns
 * 0, or a negative errno with a one-line message in *err (allocated) when
 * saving failed; the line is in the in-memory history either way. Empty
 * lines and repeats of the newest entry are not added. */
int cmdline_history_add(struct cmdline_history *h, const char *line, char **err);

/* The number of entries and entry i (0 is the oldest); the string is owned
 * by h and valid until the next change. */
size_t cmdline_history_count(const struct cmdline_history *h);
const char *cmdline_history_get(const struct cmdline_history *h, size_t i);

#endif
