/*
 * Keys, as the terminal key decoder (ui/termkeys.h) delivers them. A key
 * goes to what is being typed (filter, command line, the answer to a
 * question) if anything is; else it is looked up in the key table for the
 * context (the focused pane or an overlay), handed to that pane, which may
 * return an intent to act, and, if the pane does not want it, handled here
 * (switching panes, overlays, quitting). A key the operator bound
 * (ui/keys.h keymap) runs its command line first, as if typed there. A
 * paste is text for the filter or the command line, never keys.
 *
 * The mouse becomes the same key actions: a click in a list pane focuses
 * it and moves its selection to the row (as many Up/Down as it takes, so
 * every pane keeps its own idea of what a selection is), a second click on
 * that row soon after opens the detail view (Enter), and the wheel is
 * three rows Up or Down in the pane under the pointer or the overlay.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/config.h"
#include "ui/cmdline.h"
#include "ui/keys.h"
#include "ui/lineedit.h"
#include "ui/overlay.h"
#include "ui/termkeys.h"
#include "vici/xmalloc.h"

static void start_input(struct app *app, enum input_mode mode)
{
	app->input = mode;
	app->completions[0] = '\0';
	lineedit_clear(app->le);
	if (mode == INPUT_FILTER)
		lineedit_set_text(app->le, app->panes[app->focus].filter);
}

void app_input_cancel(struct app *app)
{
	if (app->input == INPUT_CONFIRM) {
		app_confirm_cancel(app);
	} else {
		if (app->input == INPUT_FILTER)
			app_set_filter(app, "");
		app->input = INPUT_NONE;
		lineedit_clear(app->le);
	}
	app->redraw_all = true;
}

static unsigned global_key(struct app *app, enum key_action act)
{
	struct pane *fp = &app->panes[app->focus];
	switch (act) {
	case KA_QUIT:
		app->quit = true;
		return PANE_QUIT;
	case KA_HELP:
		app_help_open(app);
		return PANE_REDRAW_ALL;
	case KA_PANE_SAS:
	case KA_PANE_CONNS:
	case KA_PANE_POLS:
	case KA_FOCUS_EVENTS:
	case KA_FOCUS_LOG:
		app_focus_pane(app, (enum pane_id)(PANE_SAS + (act - KA_PANE_SAS)));
		return PANE_REDRAW_ALL;
	case KA_NEXT_PANE:
	case KA_PREV_PANE: {
		/* Tab walks all five panes in the order of their number keys. */
		int dir = act == KA_NEXT_PANE ? 1 : -1;
		app_focus_pane(app,
		               (enum pane_id)(((int)app->focus + PANE_COUNT + dir) % PANE_COUNT));
		return PANE_REDRAW_ALL;
	}
	case KA_MAXIMISE:
		app->zoom = app->zoom >= 0 ? -1 : (int)app_slot_of(app->focus);
		app_relayout(app);
		return PANE_REDRAW_ALL;
	case KA_DETAIL:
		app_detail_open(app);
		return PANE_REDRAW_ALL;
	case KA_BACK:
		if (app->overlay != OVERLAY_NONE)
			app->overlay = OVERLAY_NONE;
		else if (fp->filter[0])
			app_set_filter(app, "");
		return PANE_REDRAW_ALL;
	case KA_FILTER:
		start_input(app, INPUT_FILTER);
		return PANE_REDRAW_ALL;
	case KA_CMDLINE:
		start_input(app, INPUT_CMDLINE);
		return PANE_REDRAW_ALL;
	case KA_PROBLEMS:
		app_problems_toggle(app);
		return PANE_REDRAW_ALL;
	case KA_REFRESH:
		clearok(curscr, TRUE);
		app_refresh_all(app);
		return PANE_REDRAW_ALL;
	case KA_MARK:
		app_mark_toggle(app);
		return PANE_REDRAW_ALL;
	case KA_UNMARK:
		app_marks_clear(app, false);
		return PANE_REDRAW_ALL;
	case KA_COPY:
		app_copy(app);
		return PANE_REDRAW_ALL;
	case KA_VERB:
		if (app->cfg.readonly)
			app_status(app, THEME_WARNING, 4, "read-only mode: actions are refused");
		else
			app_status(app, THEME_WARNING, 4,
			           "select an SA (1) or a connection (2) first");
		return PANE_REDRAW_ALL;
	default:
		return PANE_HANDLED;
	}
}

/* A key or character as the line editor takes it: the editor knows the
 * emacs control characters itself, the rest is mapped here. */
static enum lineedit_key le_key(const struct key_event *ev, uint32_t *ch)
{
	*ch = 0;
	bool word = ev->mods & (TK_MOD_CTRL | TK_MOD_ALT);
	if (ev->kind == TK_EV_CHAR) {
		uint32_t c = ev->codepoint;
		if (ev->mods == TK_MOD_ALT && (c == 'b' || c == 'f'))
			return c == 'b' ? LINEEDIT_KEY_WORD_LEFT : LINEEDIT_KEY_WORD_RIGHT;
		if (ev->mods == TK_MOD_CTRL && c >= 0x40 && c < 0x80) {
			*ch = c & 0x1f; /* C-a is 0x01: the editor's emacs keys */
			return LINEEDIT_KEY_CHAR;
		}
		if (ev->mods & ~(unsigned)TK_MOD_SHIFT)
			return LINEEDIT_KEY_NONE; /* other Alt and Ctrl chords type nothing */
		*ch = c;
		return LINEEDIT_KEY_CHAR;
	}
	switch (ev->code) {
	case TK_LEFT:
		return word ? LINEEDIT_KEY_WORD_LEFT : LINEEDIT_KEY_LEFT;
	case TK_RIGHT:
		return word ? LINEEDIT_KEY_WORD_RIGHT : LINEEDIT_KEY_RIGHT;
	case TK_HOME:
		return LINEEDIT_KEY_HOME;
	case TK_END:
		return LINEEDIT_KEY_END;
	case TK_UP:
		return LINEEDIT_KEY_UP;
	case TK_DOWN:
		return LINEEDIT_KEY_DOWN;
	case TK_BACKSPACE:
		return word ? LINEEDIT_KEY_KILL_WORD : LINEEDIT_KEY_BACKSPACE;
	case TK_DELETE:
		return LINEEDIT_KEY_DELETE;
	case TK_ENTER:
		return LINEEDIT_KEY_ENTER;
	case TK_ESCAPE:
		return LINEEDIT_KEY_CANCEL;
	case TK_TAB:
		return ev->mods ? LINEEDIT_KEY_NONE : LINEEDIT_KEY_TAB;
	default:
		return LINEEDIT_KEY_NONE;
	}
}

static void accept_line(struct app *app)
{
	enum input_mode m = app->input;
	char *line = xstrdup(lineedit_text(app->le));
	app->input = INPUT_NONE;
	lineedit_clear(app->le);
	if (m == INPUT_CMDLINE) {
		if (app->history) {
			char *err = NULL;
			cmdline_history_add(app->history, line, &err);
			free(err);
		}
		lineedit_history_add(app->le, line);
		app_command_run(app, line);
	}
	free(line);
}

static unsigned input_key(struct app *app, const struct key_event *ev, uint32_t id)
{
	if (app->input == INPUT_CONFIRM) {
		/* the question's own context: y is yes here, never copy */
		if (keys_lookup(KC_CONFIRM, id) == KA_YES)
			app_confirm_accept(app);
		else
			app_confirm_cancel(app);
		return PANE_REDRAW_ALL;
	}
	uint32_t ch;
	enum lineedit_key k = le_key(ev, &ch);
	if (k == LINEEDIT_KEY_NONE)
		return PANE_HANDLED;
	switch (lineedit_key(app->le, k, ch)) {
	case LINEEDIT_CHANGED:
		app->completions[0] = '\0';
		if (app->input == INPUT_FILTER)
			app_set_filter(app, lineedit_text(app->le));
		break;
	case LINEEDIT_ACCEPT:
		accept_line(app);
		break;
	case LINEEDIT_CANCEL:
		app_input_cancel(app);
		break;
	case LINEEDIT_COMPLETE:
		if (app->input == INPUT_CMDLINE)
			app_complete(app);
		break;
	default:
		break;
	}
	return PANE_REDRAW_ALL;
}

/* A paste is text for the line being typed and nothing else: it never
 * answers a question and never runs a key, whatever bytes it holds. */
static unsigned paste(struct app *app, const struct key_event *ev)
{
	switch (app->input) {
	case INPUT_FILTER:
	case INPUT_CMDLINE: {
		size_t cut = 0, n = lineedit_paste(app->le, ev->paste, ev->paste_len, &cut);
		if (n) {
			app->completions[0] = '\0';
			if (app->input == INPUT_FILTER)
				app_set_filter(app, lineedit_text(app->le));
		}
		if (cut || ev->paste_cut)
			app_status(app, THEME_WARNING, 5,
			           "paste cut: the line holds at most %d characters", LINEEDIT_MAX);
		return PANE_REDRAW_ALL;
	}
	case INPUT_CONFIRM:
		app_confirm_cancel(app);
		app_status(app, THEME_WARNING, 5, "%s: cancelled: a paste is never an answer",
		           app->confirm.label);
		return PANE_REDRAW_ALL;
	default:
		app_status(app, THEME_WARNING, 5,
		           "paste ignored: no text input here (press / or : first)");
		return PANE_REDRAW_ALL;
	}
}

/* The operator's binding of id where one applies (not while help is
 * shown: its keys only close it), or NULL. */
static const char *user_binding(const struct app *app, uint32_t id)
{
	return app->overlay == OVERLAY_HELP ? NULL : keymap_find(app->keymap, id);
}

static bool is_suspend(uint32_t id)
{
	const struct key_binding *b = keys_find(KC_ALL, id);
	return b && b->action == KA_SUSPEND;
}

static unsigned key_context(const struct app *app)
{
	return app->overlay == OVERLAY_HELP     ? KC_HELP
	       : app->overlay == OVERLAY_DETAIL ? KC_DETAIL
	                                        : 1u << app->focus;
}

/* Esc and a key typed fast, or sent in one write (tmux, a slow link),
 * arrive as one Alt chord. One that means nothing where it is typed is
 * taken as the two keys, as the operator meant. */
static bool alt_means_nothing(const struct app *app, const struct key_event *ev, uint32_t id)
{
	if (ev->mods != TK_MOD_ALT)
		return false;
	if (app->input == INPUT_CONFIRM)
		return true;
	if (app->input != INPUT_NONE) {
		uint32_t ch;
		return le_key(ev, &ch) == LINEEDIT_KEY_NONE;
	}
	return !keys_find(key_context(app), id) && !user_binding(app, id);
}

/* Hands the key action to the focused pane or the overlay (which may ask to
 * act), then, if it does not want it, to the global handler. */
static unsigned pane_action(struct app *app, int action, enum verb verb, uint32_t id)
{
	struct key_input k = {action, verb, (int)id};
	struct pane *p =
	        app->overlay != OVERLAY_NONE ? &app->overlay_pane : &app->panes[app->focus];
	struct pane_ctx c;
	app_pane_ctx(app, p, &c);
	struct intent in;
	memset(&in, 0, sizeof(in));
	unsigned f = p->ops->key(p, &c, &k, &in);
	if (f & PANE_CLOSE)
		app->overlay = OVERLAY_NONE;
	if (in.verb != VERB_NONE || in.message[0])
		app_act(app, &in);
	if (f != PANE_IGNORED)
		return f;
	return global_key(app, (enum key_action)action);
}

/* A bound key: its command as if typed, or, for a verb alone, the verb on
 * the selection as the verb's own key. */
static unsigned run_binding(struct app *app, const char *command, uint32_t id)
{
	enum verb verb;
	char err[256];
	if (config_bind_check(command, &verb, err, sizeof(err)) == 0 && verb != VERB_NONE)
		return pane_action(app, KA_VERB, verb, id) | PANE_REDRAW_ALL;
	app_command_run(app, command);
	return PANE_REDRAW_ALL;
}

/* ---- the mouse ---- */

/* Two clicks on one row at most this far apart are a double-click. */
#define DOUBLE_CLICK_MS 400
#define WHEEL_ROWS 3

/* The list pane shown at (x, y), or -1. */
static int pane_at(const struct app *app, unsigned x, unsigned y)
{
	for (int i = 0; i < PANE_COUNT; i++) {
		const struct rect *r = &app->panes[i].r;
		if (r->h > 0 && (int)y >= r->y && (int)y < r->y + r->h && (int)x >= r->x &&
		    (int)x < r->x + r->w)
			return i;
	}
	return -1;
}

static unsigned wheel(struct app *app, const struct key_event *ev)
{
	if (ev->mouse.button != 4 && ev->mouse.button != 5)
		return PANE_HANDLED;
	if (app->overlay == OVERLAY_NONE) {
		int i = pane_at(app, ev->mouse.x, ev->mouse.y);
		if (i < 0)
			return PANE_HANDLED;
		if (i != (int)app->focus)
			app_focus_pane(app, (enum pane_id)i);
	}
	unsigned f = PANE_REDRAW_ALL;
	for (int n = 0; n < WHEEL_ROWS; n++)
		f |= pane_action(app, ev->mouse.button == 4 ? KA_UP : KA_DOWN, VERB_NONE, 0);
	return f;
}

static unsigned click(struct app *app, const struct key_event *ev)
{
	int i = pane_at(app, ev->mouse.x, ev->mouse.y);
	if (app->overlay != OVERLAY_NONE || i < 0)
		return PANE_HANDLED;
	if (i != (int)app->focus)
		app_focus_pane(app, (enum pane_id)i);
	struct pane *p = &app->panes[i];
	/* the title line, and the column heading of the three main panes */
	int y0 = p->r.y + 1 + (i <= PANE_POLS ? 1 : 0);
	size_t row = p->lv.top + (size_t)((int)ev->mouse.y - y0);
	if ((int)ev->mouse.y < y0 || row >= p->lv.count) {
		app->click.pane = -1;
		return PANE_REDRAW_ALL;
	}
	for (size_t k = p->lv.sel; k < row; k++)
		pane_action(app, KA_DOWN, VERB_NONE, 0);
	for (size_t k = p->lv.sel; k > row; k--)
		pane_action(app, KA_UP, VERB_NONE, 0);
	if (app->click.pane == i && app->click.row == row &&
	    app->now - app->click.at <= DOUBLE_CLICK_MS) {
		app->click.pane = -1;
		app_detail_open(app);
	} else {
		app->click.pane = i;
		app->click.row = row;
		app->click.at = app->now;
	}
	return PANE_REDRAW_ALL;
}

/* Mouse reports while nothing is typed: left clicks and the wheel. */
static unsigned mouse(struct app *app, const struct key_event *ev)
{
	if (!app->cfg.mouse || app->input != INPUT_NONE)
		return PANE_HANDLED;
	if (ev->mouse.action == TK_MOUSE_WHEEL)
		return wheel(app, ev);
	if (ev->mouse.action == TK_MOUSE_PRESS && ev->mouse.button == 1 && !ev->mods)
		return click(app, ev);
	return PANE_HANDLED;
}

unsigned app_key(struct app *app, const struct key_event *ev)
{
	if (ev->kind == TK_EV_PASTE)
		return paste(app, ev);
	if (ev->kind == TK_EV_MOUSE)
		return mouse(app, ev);
	/* Unknown sequences and focus reports are not keys. */
	uint32_t id = termkeys_event_id(ev);
	if (!id)
		return PANE_HANDLED;
	/* Suspending works from anywhere; what is being typed stays. */
	if (is_suspend(id)) {
		app->suspend = true;
		return PANE_HANDLED;
	}
	if (alt_means_nothing(app, ev, id)) {
		struct key_event esc = {.kind = TK_EV_KEY, .code = TK_ESCAPE};
		struct key_event plain = *ev;
		plain.mods = 0;
		unsigned f = app_key(app, &esc);
		return f | app_key(app, &plain);
	}
	if (app->input != INPUT_NONE)
		return input_key(app, ev, id);
	const char *command = user_binding(app, id);
	if (command)
		return run_binding(app, command, id);
	const struct key_binding *b = keys_find(key_context(app), id);
	if (!b)
		return PANE_HANDLED;
	/* with rows marked, a verb acts on them (act.c) */
	if (b->action == KA_VERB && app_act_marked(app, b->verb, false))
		return PANE_REDRAW_ALL;
	return pane_action(app, b->action, b->verb, id);
}
