/*
 * The command line's side in the application: completion candidates from
 * the live data, and running a parsed command (actions, filter, theme,
 * help, quit). Parsing, quoting and the command table are cmdline.h's.
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
#include "ui/lineedit.h"
#include "model/model.h"
#include "ui/panes.h"
#include "util/sanitize.h"
#include "ui/theme.h"
#include "ui/theme_curses.h"

/* Colour pairs (or, on a monochrome terminal or with a mono theme, only the
 * attributes, which carry every state) for the current theme. */
void app_theme_apply(struct app *app)
{
	app->has_color = theme_curses_apply(&app->theme) == 0 && !app->theme.mono;
}

static void complete_cb(void *ctx, enum cmdline_arg_kind kind, struct cmdline_completion *c)
{
	struct app *app = ctx;
	char buf[300];
	switch (kind) {
	case CMDLINE_ARG_IKE:
		for (size_t i = 0; i < model_conn_count(app->model); i++) {
			const struct model_conn *cn = model_conn_at(app->model, i);
			snprintf(buf, sizeof(buf), "%.*s", (int)cn->name.len, cn->name.s);
			cmdline_completion_add(c, buf);
		}
		for (size_t i = 0; i < model_ike_count(app->model); i++) {
			const struct model_ike *ike = model_ike_at(app->model, i);
			snprintf(buf, sizeof(buf), "%.*s", (int)ike->name.len, ike->name.s);
			cmdline_completion_add(c, buf);
		}
		break;
	case CMDLINE_ARG_CHILD:
		for (size_t i = 0; i < model_conn_count(app->model); i++) {
			const struct model_conn *cn = model_conn_at(app->model, i);
			for (size_t j = 0; j < cn->n_children; j++) {
				snprintf(buf, sizeof(buf), "%.*s", (int)cn->children[j].name.len,
				         cn->children[j].name.s);
				cmdline_completion_add(c, buf);
			}
		}
		for (size_t i = 0; i < model_ike_count(app->model); i++) {
			const struct model_ike *ike = model_ike_at(app->model, i);
			for (size_t j = 0; j < ike->n_children; j++) {
				snprintf(buf, sizeof(buf), "%.*s", (int)ike->children[j].name.len,
				         ike->children[j].name.s);
				cmdline_completion_add(c, buf);
			}
		}
		break;
	case CMDLINE_ARG_SA_ID:
		for (size_t i = 0; i < model_ike_count(app->model); i++) {
			const struct model_ike *ike = model_ike_at(app->model, i);
			snprintf(buf, sizeof(buf), "#%u", ike->uniqueid);
			cmdline_completion_add(c, buf);
			for (size_t j = 0; j < ike->n_children; j++) {
				snprintf(buf, sizeof(buf), "#c%u", ike->children[j].uniqueid);
				cmdline_completion_add(c, buf);
			}
		}
		break;
	case CMDLINE_ARG_THEME: {
		size_t n;
		char **names = theme_list(&n);
		for (size_t i = 0; i < n; i++)
			cmdline_completion_add(c, names[i]);
		theme_strv_free(names);
		break;
	}
	default:
		break;
	}
}

void app_complete(struct app *app)
{
	struct cmdline_completion c;
	const char *text = lineedit_text(app->le);
	app->completions[0] = '\0';
	if (cmdline_complete(text, lineedit_cursor_byte(app->le), complete_cb, app, &c) == 0) {
		char *rep = cmdline_completion_text(&c);
		if (rep) {
			lineedit_replace(app->le, c.start, c.end, rep);
			free(rep);
		} else if (c.count > 1) {
			size_t l = 0;
			for (size_t i = 0; i < c.count && l + 2 < sizeof(app->completions); i++) {
				char *s =
				        sanitize_strdup(c.items[i], app->utf8 ? 0 : SANITIZE_ASCII);
				int k = snprintf(app->completions + l, sizeof(app->completions) - l,
				                 " %s", s);
				free(s);
				if (k < 0)
					break;
				l += (size_t)k;
			}
		} else if (c.count == 0) {
			snprintf(app->completions, sizeof(app->completions), " (no completions)");
		}
	}
	cmdline_completion_free(&c);
}

void app_command_run(struct app *app, const char *line)
{
	struct cmdline_result res;
	char err[256];
	if (cmdline_parse(line, &res, err, sizeof(err)) < 0) {
		app_status(app, THEME_ERROR, 8, "%s", err);
		cmdline_result_free(&res);
		return;
	}
	struct cmdline_arg *a = res.argv;
	const char *a2 = res.argc > 1 ? a[1].text : NULL;
	struct pane *fp = &app->panes[app->focus];
	switch (res.cmd) {
	case CMDLINE_NONE:
		break;
	case CMDLINE_QUIT:
		app->quit = true;
		break;
	case CMDLINE_HELP:
		if (res.argc > 0) {
			const struct cmdline_command *c = cmdline_command_find(a[0].text);
			if (c)
				app_status(app, THEME_INFO, 10, "%s: %s", c->usage, c->help);
			else
				app_status(app, THEME_ERROR, 5, "no such command");
		} else {
			overlay_help_open(app);
		}
		break;
	case CMDLINE_FILTER:
		snprintf(fp->filter, sizeof(fp->filter), "%s", res.argc ? a[0].text : "");
		pane_filter_changed(fp, app);
		break;
	case CMDLINE_THEME:
		if (res.argc == 0) {
			app_status(app, THEME_INFO, 5, "theme: %s%s", app->theme.name,
			           theme_no_color() ? " (NO_COLOR is set: no colours)" : "");
		} else {
			struct theme t;
			char terr[256];
			if (theme_load(&t, a[0].text, terr, sizeof(terr)) < 0) {
				app_status(app, THEME_ERROR, 8, "%s", terr);
			} else {
				app->theme = t;
				app_theme_apply(app);
				clearok(curscr, TRUE);
				app_status(app, THEME_INFO, 4, "theme: %s", t.name);
			}
		}
		break;
	case CMDLINE_INITIATE:
		app_cmd_action(app, ACTION_INITIATE, a[0].text, false, false, 0, a2);
		break;
	case CMDLINE_TERMINATE:
		app_cmd_action(app, ACTION_TERMINATE, a[0].text, a[0].is_id, a[0].is_child_id,
		               a[0].id, a2);
		break;
	case CMDLINE_REKEY:
		app_cmd_action(app, ACTION_REKEY, a[0].text, a[0].is_id, a[0].is_child_id, a[0].id,
		               a2);
		break;
	case CMDLINE_REDIRECT:
		app_cmd_action(app, ACTION_REDIRECT, a[0].text, a[0].is_id, a[0].is_child_id,
		               a[0].id, a2);
		break;
	case CMDLINE_INSTALL:
		app_cmd_action(app, ACTION_INSTALL, a[0].text, false, false, 0, a2);
		break;
	case CMDLINE_UNINSTALL:
		app_cmd_action(app, ACTION_UNINSTALL, a[0].text, false, false, 0, a2);
		break;
	}
	cmdline_result_free(&res);
	app->redraw_all = true;
}
