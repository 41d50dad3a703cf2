/*
 * The key table and what is generated from it. Keys are termkeys key ids;
 * nothing here touches the terminal.
 */
#include "ui/keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/termkeys.h"
#include "util/sanitize.h"
#include "vici/xmalloc.h"

#define CH(c) TK_ID_CHAR(c)
#define KEY(code) TK_ID_KEY(code)

/* Order matters twice: lookup takes the first match, and help and hints
 * list bindings in table order. */
const struct key_binding key_table[] = {
        {CH('1'), KA_PANE_SAS, VERB_NONE, KC_ALL, "SAs",
         "show the SA tree (IKE SAs with their CHILD SAs)"},
        {CH('2'), KA_PANE_CONNS, VERB_NONE, KC_ALL, "conns", "show the loaded connections"},
        {CH('3'), KA_PANE_POLS, VERB_NONE, KC_ALL, "pols", "show the installed policies"},
        {CH('4'), KA_FOCUS_EVENTS, VERB_NONE, KC_ALL, "events", "focus the event pane"},
        {CH('5'), KA_FOCUS_LOG, VERB_NONE, KC_ALL, "log", "focus the log pane"},
        {KEY(TK_TAB), KA_NEXT_PANE, VERB_NONE, KC_LISTS, NULL, "next pane, in the order of 1-5"},
        {KEY(TK_TAB) | TK_ID_MODS(TK_MOD_SHIFT), KA_PREV_PANE, VERB_NONE, KC_LISTS, NULL,
         "previous pane"},
        {CH('z'), KA_MAXIMISE, VERB_NONE, KC_LISTS, "zoom",
         "maximise the focused pane (again: restore)"},
        {KEY(TK_UP), KA_UP, VERB_NONE, KC_ALL, NULL, "select the previous row"},
        {CH('k'), KA_UP, VERB_NONE, KC_ALL, NULL, "select the previous row"},
        {KEY(TK_DOWN), KA_DOWN, VERB_NONE, KC_ALL, NULL, "select the next row"},
        {CH('j'), KA_DOWN, VERB_NONE, KC_ALL, NULL, "select the next row"},
        {KEY(TK_PGUP), KA_PGUP, VERB_NONE, KC_ALL, NULL, "one page up"},
        {KEY(TK_PGDN), KA_PGDN, VERB_NONE, KC_ALL, NULL, "one page down"},
        {KEY(TK_HOME), KA_HOME, VERB_NONE, KC_ALL, NULL, "first row"},
        {CH('g'), KA_HOME, VERB_NONE, KC_ALL, NULL, "first row"},
        {KEY(TK_END), KA_END, VERB_NONE, KC_ALL, NULL, "last row"},
        {CH('G'), KA_END, VERB_NONE, KC_ALL, NULL, "last row"},
        {KEY(TK_LEFT), KA_FOLD, VERB_NONE, KC_SAS, NULL,
         "fold the IKE SA (on a CHILD SA: go to its IKE SA)"},
        {CH('-'), KA_FOLD, VERB_NONE, KC_SAS, NULL, "fold the IKE SA"},
        {KEY(TK_RIGHT), KA_UNFOLD, VERB_NONE, KC_SAS, NULL, "unfold the IKE SA"},
        {CH('+'), KA_UNFOLD, VERB_NONE, KC_SAS, NULL, "unfold the IKE SA"},
        {CH(' '), KA_TOGGLE, VERB_NONE, KC_SAS, "fold", "fold or unfold the IKE SA"},
        {CH('s'), KA_SORT, VERB_NONE, KC_SAS, "sort",
         "sort by the next column: name, state, id, remote, bytes, rate, rekey, expire "
         "(:sort COLUMN for any column)"},
        {CH('s'), KA_SORT, VERB_NONE, KC_CONNS | KC_POLS, "sort",
         "sort by the next column: charon's order, name, status/type, remote "
         "(:sort COLUMN for any column)"},
        {CH('S'), KA_SORT_REVERSE, VERB_NONE, KC_LISTS, NULL,
         "reverse the sort order (events and log: newest first)"},
        {CH('['), KA_FOLD_ALL, VERB_NONE, KC_SAS, NULL, "fold every IKE SA"},
        {CH(']'), KA_UNFOLD_ALL, VERB_NONE, KC_SAS, NULL, "unfold every IKE SA"},
        {KEY(TK_ENTER), KA_DETAIL, VERB_NONE, KC_LISTS, "detail",
         "every field charon sent for the item"},
        {CH('i'), KA_VERB, VERB_INITIATE, KC_SAS | KC_CONNS | KC_POLS, "initiate",
         "initiate the selected connection/child unless it is up (runs in the background)"},
        {CH('t'), KA_VERB, VERB_TERMINATE, KC_SAS, "terminate",
         "terminate the selected SA (confirm with y)"},
        {CH('r'), KA_VERB, VERB_REKEY, KC_SAS, "rekey", "rekey the selected SA"},
        {CH('m'), KA_MARK, VERB_NONE, KC_SAS | KC_CONNS, "mark",
         "mark or unmark the selected row and go to the next; with rows marked, "
         "i t r act on all of them"},
        {CH('M'), KA_UNMARK, VERB_NONE, KC_SAS | KC_CONNS, NULL,
         "clear the marks of the pane (also :unmark)"},
        {CH('y'), KA_COPY, VERB_NONE, KC_LISTS | KC_DETAIL, "copy",
         "copy the selected row (detail: the top line's value) to the clipboard (OSC 52)"},
        {CH('y'), KA_YES, VERB_NONE, KC_CONFIRM, NULL,
         "a question open: y answers yes (and never copies), any other key no"},
        {CH('Y'), KA_YES, VERB_NONE, KC_CONFIRM, NULL,
         "a question open: y answers yes (and never copies), any other key no"},
        {CH('f'), KA_FOLLOW, VERB_NONE, KC_EVENTS | KC_LOG, "follow",
         "follow the tail / pause scrolling"},
        {CH('l'), KA_LOG_LEVEL, VERB_NONE, KC_LOG, "level",
         "cycle the minimum log level shown (0, 1, all)"},
        {CH('o'), KA_LOG_GROUP, VERB_NONE, KC_LOG, "group",
         "filter the log by group (cycles groups seen)"},
        {CH('c'), KA_CLEAR, VERB_NONE, KC_EVENTS | KC_LOG, "clear", "clear the pane"},
        {CH('/'), KA_FILTER, VERB_NONE, KC_LISTS, "filter",
         "filter the pane (live as you type; Esc clears)"},
        {CH('!'), KA_PROBLEMS, VERB_NONE, KC_LISTS, "problems",
         "only what needs attention: SAs not up, stuck rekeys, verdicts (again: all)"},
        {CH(':'), KA_CMDLINE, VERB_NONE, KC_LISTS | KC_DETAIL, "cmd",
         "command line (Tab completes; try :help)"},
        {TK_ID_CTRL('l'), KA_REFRESH, VERB_NONE, KC_ALL, NULL,
         "redraw the screen and refresh everything now"},
        {KEY(TK_TAB), KA_TIMELINE, VERB_NONE, KC_DETAIL, "timeline",
         "detail of a connection or SA: its timeline from the history store, and back"},
        {TK_ID_CTRL('z'), KA_SUSPEND, VERB_NONE, KC_ALL, NULL,
         "suspend to the shell (its fg brings the monitor back)"},
        {KEY(TK_ESCAPE), KA_BACK, VERB_NONE, KC_ALL, NULL, "close the overlay / clear the filter"},
        {KEY(TK_BACKSPACE), KA_BACK, VERB_NONE, KC_DETAIL | KC_HELP, NULL, "close the overlay"},
        {CH('?'), KA_HELP, VERB_NONE, KC_ALL, "help", "this help"},
        {KEY(TK_F(1)), KA_HELP, VERB_NONE, KC_ALL, NULL, "this help"},
        {CH('q'), KA_QUIT, VERB_NONE, KC_LISTS, "quit", "quit (the terminal is restored)"},
        {TK_ID_CTRL('c'), KA_QUIT, VERB_NONE, KC_ALL, NULL,
         "quit (while typing: cancel what is typed)"},
        {CH('q'), KA_BACK, VERB_NONE, KC_DETAIL | KC_HELP, "back", "close the overlay"},
        {0, KA_NONE, VERB_NONE, 0, NULL, NULL},
};

const struct key_binding *keys_find(unsigned ctx, uint32_t key)
{
	for (const struct key_binding *b = key_table; b->key; b++) {
		if (b->key == key && (b->contexts & ctx) && b->action != KA_NONE)
			return b;
	}
	return NULL;
}

enum key_action keys_lookup(unsigned ctx, uint32_t key)
{
	const struct key_binding *b = keys_find(ctx, key);
	return b ? b->action : KA_NONE;
}

const char *keys_name(const struct key_binding *b, char *buf, size_t size)
{
	termkeys_name(b->key, buf, size);
	return buf;
}

/* The way out and the way to help are always on the bar: their room is
 * set aside first and they are written last. Before them come the keys of
 * the focused pane, then the keys that move between panes. */
static bool is_essential(enum key_action a)
{
	return a == KA_HELP || a == KA_QUIT || a == KA_BACK;
}

static bool hint_shown(const struct key_binding *b, unsigned ctx, bool readonly)
{
	return b->hint && (b->contexts & ctx) && !(readonly && b->action == KA_VERB);
}

size_t keys_hint(unsigned ctx, bool readonly, char *buf, size_t size, size_t width)
{
	size_t len = 0, n = 0, reserve = 0;
	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (width >= size)
		width = size - 1;
	char name[32];
	for (const struct key_binding *b = key_table; b->key; b++)
		if (hint_shown(b, ctx, readonly) && is_essential(b->action))
			reserve +=
			        strlen(keys_name(b, name, sizeof(name))) + 1 + strlen(b->hint) + 2;
	if (reserve > width)
		reserve = 0; /* too narrow even for those: plain order */
	/* Pass 0: what this pane can do; 1: moving between panes; 2: help
	 * and quit. */
	for (int pass = 0; pass < 3; pass++) {
		for (const struct key_binding *b = key_table; b->key; b++) {
			bool global = (b->contexts & KC_LISTS) == KC_LISTS;
			int want = is_essential(b->action) ? 2 : global ? 1 : 0;
			if (!hint_shown(b, ctx, readonly) || want != pass)
				continue;
			char item[64];
			int k = snprintf(item, sizeof(item), "%s%s %s", n ? "  " : "",
			                 keys_name(b, name, sizeof(name)), b->hint);
			size_t limit = pass < 2 ? width - reserve : width;
			if (k < 0 || (size_t)k >= sizeof(item) || len + (size_t)k > limit)
				continue;
			memcpy(buf + len, item, (size_t)k + 1);
			len += (size_t)k;
			n++;
		}
	}
	return n;
}

static const struct {
	unsigned ctx;
	const char *title;
} help_sections[] = {
        {KC_ALL, "Everywhere"},
        {KC_SAS, "SA tree"},
        {KC_CONNS | KC_POLS, "Connections and policies"},
        {KC_EVENTS | KC_LOG, "Events and log"},
        {KC_DETAIL | KC_HELP, "Detail view and help"},
        {KC_CONFIRM, "A question (y/n)"},
};

const char *keys_context_name(unsigned ctx)
{
	switch (ctx) {
	case KC_SAS:
		return "SAs";
	case KC_CONNS:
		return "connections";
	case KC_POLS:
		return "policies";
	case KC_EVENTS:
		return "events";
	case KC_LOG:
		return "log";
	case KC_DETAIL:
		return "detail";
	case KC_HELP:
		return "help";
	case KC_CONFIRM:
		return "question";
	}
	return "?";
}

/* Which section a binding is listed in: "Everywhere" for bindings of every
 * list pane, else the first specific section it belongs to. */
static size_t section_of(const struct key_binding *b)
{
	size_t n = sizeof(help_sections) / sizeof(help_sections[0]);
	if ((b->contexts & KC_LISTS) == KC_LISTS)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (b->contexts & help_sections[i].ctx)
			return i;
	return 0;
}

size_t keys_help(void (*emit)(const char *line, void *arg), void *arg)
{
	size_t lines = 0, nsec = sizeof(help_sections) / sizeof(help_sections[0]);
	for (size_t s = 0; s < nsec; s++) {
		bool titled = false;
		for (const struct key_binding *b = key_table; b->key; b++) {
			if (b->action == KA_NONE || section_of(b) != s)
				continue;
			/* Joined with the earlier binding of the same action? */
			bool seen = false;
			for (const struct key_binding *e = key_table; e < b; e++)
				if (e->action == b->action && e->verb == b->verb &&
				    e->contexts == b->contexts && section_of(e) == s)
					seen = true;
			if (seen)
				continue;
			char keys[64] = "", name[32];
			size_t kl = 0;
			for (const struct key_binding *e = b; e->key; e++) {
				if (e->action != b->action || e->verb != b->verb ||
				    e->contexts != b->contexts)
					continue;
				int k = snprintf(keys + kl, sizeof(keys) - kl, "%s%s",
				                 kl ? "/" : "", keys_name(e, name, sizeof(name)));
				if (k < 0 || (size_t)k >= sizeof(keys) - kl)
					break;
				kl += (size_t)k;
			}
			if (!titled) {
				if (lines)
					emit("", arg), lines++;
				emit(help_sections[s].title, arg);
				lines++;
				titled = true;
			}
			char line[256];
			snprintf(line, sizeof(line), "  %-16s %s", keys, b->help);
			emit(line, arg);
			lines++;
		}
	}
	return lines;
}

/* ---- user bindings ---- */

struct keymap_entry {
	uint32_t key;
	char *command;
};

struct keymap {
	struct keymap_entry *e;
	size_t n;
};

struct keymap *keymap_new(void)
{
	return xcalloc(1, sizeof(struct keymap));
}

void keymap_free(struct keymap *km)
{
	if (!km)
		return;
	for (size_t i = 0; i < km->n; i++)
		free(km->e[i].command);
	free(km->e);
	free(km);
}

static struct keymap_entry *entry_of(const struct keymap *km, uint32_t key)
{
	for (size_t i = 0; km && i < km->n; i++)
		if (km->e[i].key == key)
			return &km->e[i];
	return NULL;
}

int keymap_bind(struct keymap *km, uint32_t key, const char *command)
{
	if (key == CH(':') || key == TK_ID_CTRL('c'))
		return -EPERM;
	struct keymap_entry *e = entry_of(km, key);
	if (!e) {
		km->e = xreallocarray(km->e, km->n + 1, sizeof(*km->e));
		e = &km->e[km->n++];
		e->key = key;
		e->command = NULL;
	}
	free(e->command);
	e->command = xstrdup(command);
	return 0;
}

int keymap_unbind(struct keymap *km, uint32_t key)
{
	struct keymap_entry *e = entry_of(km, key);
	if (!e)
		return -ENOENT;
	free(e->command);
	size_t i = (size_t)(e - km->e);
	memmove(e, e + 1, (km->n - i - 1) * sizeof(*e));
	km->n--;
	return 0;
}

const char *keymap_find(const struct keymap *km, uint32_t key)
{
	const struct keymap_entry *e = entry_of(km, key);
	return e ? e->command : NULL;
}

size_t keymap_count(const struct keymap *km)
{
	return km ? km->n : 0;
}

const char *keymap_at(const struct keymap *km, size_t i, uint32_t *key)
{
	*key = km->e[i].key;
	return km->e[i].command;
}

size_t keymap_help(const struct keymap *km, void (*emit)(const char *line, void *arg), void *arg)
{
	if (!keymap_count(km))
		return 0;
	emit("Your bindings (configuration file and :bind; they come first)", arg);
	for (size_t i = 0; i < km->n; i++) {
		char name[32], line[320];
		termkeys_name(km->e[i].key, name, sizeof(name));
		char *safe = sanitize_strdup(km->e[i].command, 0);
		snprintf(line, sizeof(line), "  %-16s :%s", name, safe);
		free(safe);
		emit(line, arg);
	}
	emit("", arg);
	return km->n + 2;
}
