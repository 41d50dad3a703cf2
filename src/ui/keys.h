/*
 * The key table: one static table of every key binding of the monitor, from
 * which key lookup, the "?" help screen and the context hint bar are all
 * generated, so the three can never disagree (tmux's cmd_table /
 * options-table approach).
 *
 * A binding maps a key (a termkeys key id, see ui/termkeys.h: a character
 * or a named key with its modifiers, in canonical form) in a set of contexts
 * (the focused pane, or the detail/help overlays) to an action. The names
 * shown in help and hints are termkeys_name()'s, so they are the names a
 * key binding would be written with. Pure code: no curses calls, testable
 * on its own.
 */
#ifndef SWANTOP_UI_KEYS_H
#define SWANTOP_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/action.h"

/* Contexts a binding applies in (bit set). */
enum {
	KC_SAS = 1u << 0,
	KC_CONNS = 1u << 1,
	KC_POLS = 1u << 2,
	KC_EVENTS = 1u << 3,
	KC_LOG = 1u << 4,
	KC_DETAIL = 1u << 5,
	KC_HELP = 1u << 6,
	/* a question waits for y (confirmation): every key answers it, none
	 * of the others apply (not part of KC_ALL) */
	KC_CONFIRM = 1u << 7,
	KC_LISTS = KC_SAS | KC_CONNS | KC_POLS | KC_EVENTS | KC_LOG,
	KC_ALL = KC_LISTS | KC_DETAIL | KC_HELP,
};

enum key_action {
	KA_NONE = 0,
	KA_QUIT,
	KA_HELP,
	KA_PANE_SAS,
	KA_PANE_CONNS,
	KA_PANE_POLS,
	KA_FOCUS_EVENTS,
	KA_FOCUS_LOG,
	KA_NEXT_PANE,
	KA_PREV_PANE,
	KA_MAXIMISE,
	KA_UP,
	KA_DOWN,
	KA_PGUP,
	KA_PGDN,
	KA_HOME,
	KA_END,
	KA_FOLD,
	KA_UNFOLD,
	KA_TOGGLE,
	KA_FOLD_ALL,
	KA_UNFOLD_ALL,
	KA_DETAIL,
	KA_BACK,
	KA_FILTER,
	KA_CMDLINE,
	KA_VERB, /* act on the selection: the binding names the verb */
	KA_FOLLOW,
	KA_LOG_LEVEL,
	KA_LOG_GROUP,
	KA_REFRESH,
	KA_CLEAR,
	KA_SORT,
	KA_SORT_REVERSE,
	KA_SUSPEND,  /* give the terminal back to the shell until fg */
	KA_TIMELINE, /* detail view: its connection's timeline and back */
	KA_PROBLEMS, /* the problems view on or off (is:problem, :problems) */
	KA_MARK,     /* mark or unmark the selected row */
	KA_UNMARK,   /* clear the marks */
	KA_COPY,     /* copy the selection to the clipboard (OSC 52) */
	KA_YES,      /* the answer to a question */
	KA_COUNT
};

struct key_binding {
	uint32_t key; /* termkeys key id: TK_ID_CHAR('q'), TK_ID_KEY(TK_HOME), ... */
	enum key_action action;
	enum verb verb;    /* KA_VERB: the verb (the command line's verbs too) */
	unsigned contexts; /* KC_* */
	const char *hint;  /* short word for the hint bar, or NULL */
	const char *help;  /* one line for the help screen */
};

/* The table itself (terminated by an entry with key 0 and action
 * KA_NONE). */
extern const struct key_binding key_table[];

/* Finds the action bound to key (a key id as termkeys_event_id() gives it)
 * in context ctx (one KC_* bit); KA_NONE if none. */
enum key_action keys_lookup(unsigned ctx, uint32_t key);
/* The binding itself (action and verb), or NULL. */
const struct key_binding *keys_find(unsigned ctx, uint32_t key);
/* The name of a binding's key as help and hints show it (termkeys_name()),
 * NUL-terminated in buf; returns buf. */
const char *keys_name(const struct key_binding *b, char *buf, size_t size);

/* Writes the hint bar for ctx into buf (NUL-terminated, at most size bytes),
 * "key word" pairs separated by two spaces, stopping before it would exceed
 * width columns. readonly leaves out the verbs. Returns the number
 * of hints written. */
size_t keys_hint(unsigned ctx, bool readonly, char *buf, size_t size, size_t width);

/* Help lines: calls emit(line, arg) for every line of the generated help
 * text (section titles, then "  keys    description" lines). Keys sharing an
 * action and context are joined ("Up/k"). Returns the number of lines. */
size_t keys_help(void (*emit)(const char *line, void *arg), void *arg);

/* A readable name for a context bit ("SAs", "log", …). */
const char *keys_context_name(unsigned ctx);

/* --- the operator's own bindings ---
 *
 * A keymap binds keys (key ids) to command lines (ui/cmdline.h), from the
 * configuration file's `bind KEY COMMAND` and from :bind. A user binding
 * is looked up before the key table, in the list panes and the detail
 * view; the application runs its command as if it had been typed. */

struct keymap;

struct keymap *keymap_new(void);
void keymap_free(struct keymap *km);
/* Binds key (canonical id) to command (copied), replacing what it was
 * bound to. Returns 0, or -EPERM for a key that cannot be rebound (':' and
 * C-c, so that the command line and the way out stay). */
int keymap_bind(struct keymap *km, uint32_t key, const char *command);
/* Removes key's user binding: 0, or -ENOENT if it had none. */
int keymap_unbind(struct keymap *km, uint32_t key);
/* The command bound to key, or NULL (km may be NULL). Borrowed. */
const char *keymap_find(const struct keymap *km, uint32_t key);
/* The bindings in the order they were made: the number, and entry i. */
size_t keymap_count(const struct keymap *km);
const char *keymap_at(const struct keymap *km, size_t i, uint32_t *key);
/* Help lines for the user bindings (a section title, "  key  :command"
 * lines and a blank line; nothing when there are none), through emit as
 * keys_help(), to go before it. Returns the number of lines. */
size_t keymap_help(const struct keymap *km, void (*emit)(const char *line, void *arg), void *arg);

#endif
