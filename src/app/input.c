/*
 * Keys. A key goes to what is being typed (filter, command line, the
 * answer to a question) if anything is; else it is looked up in the key
 * table for the context (the focused pane or an overlay), handed to that
 * pane, which may return an intent to act, and, if the pane does not want
 * it, handled here (switching panes, overlays, quitting).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "ui/cmdline.h"
#include "ui/keys.h"
#include "ui/lineedit.h"
#include "ui/overlay.h"
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
	case KA_REFRESH:
		clearok(curscr, TRUE);
		app_refresh_all(app);
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

static enum lineedit_key le_key(int ch, bool is_key)
{
	if (!is_key)
		return LINEEDIT_KEY_CHAR;
	switch (ch) {
	case KEY_LEFT:
		return LINEEDIT_KEY_LEFT;
	case KEY_RIGHT:
		return LINEEDIT_KEY_RIGHT;
	case KEY_HOME:
		return LINEEDIT_KEY_HOME;
	case KEY_END:
		return LINEEDIT_KEY_END;
	case KEY_UP:
		return LINEEDIT_KEY_UP;
	case KEY_DOWN:
		return LINEEDIT_KEY_DOWN;
	case KEY_BACKSPACE:
		return LINEEDIT_KEY_BACKSPACE;
	case KEY_DC:
		return LINEEDIT_KEY_DELETE;
	case KEY_ENTER:
		return LINEEDIT_KEY_ENTER;
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

static unsigned input_key(struct app *app, int ch, bool is_key)
{
	if (app->input == INPUT_CONFIRM) {
		if (!is_key && (ch == 'y' || ch == 'Y'))
			app_confirm_accept(app);
		else
			app_confirm_cancel(app);
		return PANE_REDRAW_ALL;
	}
	enum lineedit_key k = le_key(ch, is_key);
	if (k == LINEEDIT_KEY_NONE)
		return PANE_HANDLED;
	switch (lineedit_key(app->le, k, (uint32_t)ch)) {
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

unsigned app_key(struct app *app, int ch, bool is_key)
{
	if (ch == KEY_RESIZE && is_key)
		return PANE_HANDLED; /* handled through SIGWINCH */
	if (app->input != INPUT_NONE)
		return input_key(app, ch, is_key);
	unsigned ctx = app->overlay == OVERLAY_HELP     ? KC_HELP
	               : app->overlay == OVERLAY_DETAIL ? KC_DETAIL
	                                                : 1u << app->focus;
	const struct key_binding *b = keys_find(ctx, ch);
	if (!b)
		return PANE_HANDLED;
	struct key_input k = {b->action, b->verb, ch};
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
	return global_key(app, b->action);
}
