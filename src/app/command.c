/*
 * The command line's side in the application: completion candidates from
 * the live data, and running a parsed command. Parsing, quoting and the
 * command table are ui/cmdline.h's. A row of the table that names a verb is
 * an action: its arguments become a target and it runs through act.c like
 * the key bound to the same verb. The other commands have a handler each.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/config.h"
#include "app/feed.h"
#include "app/terminal.h"
#include "model/model.h"
#include "ui/cmdline.h"
#include "ui/fields.h"
#include "ui/keys.h"
#include "ui/termkeys.h"
#include "ui/lineedit.h"
#include "ui/sort.h"
#include "ui/theme.h"
#include "ui/theme_curses.h"
#include "util/sanitize.h"

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
	case CMDLINE_ARG_COLUMN: {
		const struct pane *p = &app->panes[app->focus];
		for (size_t i = 0; p->ops->sorts && i < p->ops->nsorts; i++)
			cmdline_completion_add(c, p->ops->sorts[i].name);
		break;
	}
	case CMDLINE_ARG_SETTING: {
		size_t n;
		const struct monitor_option *t = monitor_options_table(&n);
		for (size_t i = 0; i < n; i++)
			if (t[i].kind != MOPT_CLI)
				cmdline_completion_add(c, t[i].name);
		break;
	}
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

/* The target a verb's arguments name: "#N" / "#cN" (an SA by id), else a
 * name; the second argument is the gateway of redirect or the IKE name of
 * install/uninstall. */
static void target_of(struct app *app, const struct cmdline_result *res, struct target *t)
{
	const struct cmdline_arg *a = &res->argv[0];
	memset(t, 0, sizeof(*t));
	if (a->is_id) {
		t->kind = a->is_child_id ? TARGET_CHILD_SA : TARGET_IKE_SA;
		const struct model_ike *ike = NULL;
		if (a->is_child_id) {
			t->child_id = a->id;
			const struct model_child *c = model_child_find(app->model, a->id, &ike);
			if (c)
				target_child_sa(t, ike, c);
		} else {
			t->ike_id = a->id;
			ike = model_ike_find(app->model, a->id);
			if (ike)
				target_ike_sa(t, ike);
		}
	} else {
		t->kind = TARGET_NAME;
		target_name_set(&t->ike, a->text, strlen(a->text));
	}
	if (res->argc > 1)
		target_name_set(&t->arg, res->argv[1].text, strlen(res->argv[1].text));
}

/* No argument: the marked rows, else the focused pane's selection. */
static void run_verb_here(struct app *app, const struct cmdline_result *res, struct intent *in)
{
	if (app_act_marked(app, in->verb, true))
		return;
	struct pane *p = &app->panes[app->focus];
	struct pane_ctx c;
	struct detail_subject s;
	app_pane_ctx(app, p, &c);
	if (app->overlay != OVERLAY_NONE || !pane_detail(p, &c, &s) ||
	    (s.kind != DETAIL_SA && s.kind != DETAIL_CONN)) {
		app_status(app, THEME_ERROR, 8, "%s: name one (usage: %s), or mark rows with m",
		           res->def->name, res->def->usage);
		return;
	}
	in->target = s.target;
	app_act(app, in);
}

static void run_verb(struct app *app, const struct cmdline_result *res)
{
	struct intent in;
	memset(&in, 0, sizeof(in));
	in.verb = res->def->verb;
	in.force = true; /* typed: do it even if it looks done already */
	if (res->argc == 0) {
		run_verb_here(app, res, &in);
		return;
	}
	target_of(app, res, &in.target);
	app_act(app, &in);
}

static void run_unmark(struct app *app, const struct cmdline_result *res)
{
	(void)res;
	app_marks_clear(app, true);
}

static void run_quit(struct app *app, const struct cmdline_result *res)
{
	(void)res;
	app->quit = true;
}

static void run_help(struct app *app, const struct cmdline_result *res)
{
	if (res->argc == 0) {
		app_help_open(app);
		return;
	}
	if (!strcmp(res->argv[0].text, "filter")) {
		app_filter_help_open(app);
		return;
	}
	const struct cmdline_command *c = cmdline_command_find(res->argv[0].text);
	if (c)
		app_status(app, THEME_INFO, 10, "%s: %s", c->usage, c->help);
	else
		app_status(app, THEME_ERROR, 5, "no such command");
}

static void run_filter(struct app *app, const struct cmdline_result *res)
{
	app_set_filter(app, res->argc ? res->argv[0].text : "");
}

void app_problems_toggle(struct app *app)
{
	struct pane *p = &app->panes[app->focus];
	if (!fields_has_problems(p)) {
		/* only the SA tree and the connections have them: the SA tree */
		app_focus_pane(app, PANE_SAS);
		p = &app->panes[app->focus];
		if (p->problems)
			return; /* on already: shown now */
	}
	p->problems = !p->problems;
	if (pane_filter_changed(p) < 0)
		app_status(app, THEME_ERROR, 8, "filter: %s", p->filter_err);
	else if (p->problems)
		app_status(app, THEME_INFO, 5, "problems view: only what needs attention%s%s",
		           p->filter[0] ? ", and the filter" : "", " (again: everything)");
	else
		app_status(app, THEME_INFO, 3, "problems view off");
	app->redraw_all = true;
}

static void run_problems(struct app *app, const struct cmdline_result *res)
{
	(void)res;
	app_problems_toggle(app);
}

/* Switches to theme name; false with the reason on the status line. */
static bool theme_switch(struct app *app, const char *name)
{
	struct theme t;
	char terr[256];
	if (theme_load(&t, name, terr, sizeof(terr)) < 0) {
		app_status(app, THEME_ERROR, 8, "%s", terr);
		return false;
	}
	app->theme = t;
	app_theme_apply(app);
	clearok(curscr, TRUE);
	return true;
}

static void run_theme(struct app *app, const struct cmdline_result *res)
{
	if (res->argc == 0) {
		app_status(app, THEME_INFO, 5, "theme: %s%s", app->theme.name,
		           theme_no_color() ? " (NO_COLOR is set: no colours)" : "");
		return;
	}
	if (!theme_switch(app, res->argv[0].text))
		return;
	/* :set theme shows what :theme chose */
	char err[256];
	if (monitor_option_set(&app->opts, monitor_option_find("theme"), res->argv[0].text, err,
	                       sizeof(err)) == 0)
		app->cfg.theme = app->opts.theme;
	app_status(app, THEME_INFO, 4, "theme: %s", app->theme.name);
}

bool app_setting_apply(struct app *app, const struct monitor_option *d)
{
	const struct monitor_options *o = &app->opts;
	switch (d->id) {
	case MOPT_INTERVAL:
	case MOPT_BUDGET:
		app->cfg.interval_ms = o->interval_ms;
		app->cfg.budget = o->budget;
		if (app->feed)
			feed_set_rates(app->feed, o->interval_ms, o->budget);
		return true;
	case MOPT_THEME:
		if (!theme_switch(app, o->theme))
			return false;
		app->cfg.theme = o->theme;
		return true;
	case MOPT_READONLY:
		/* Read-only is a promise made at start: it can be made while
		 * running, not broken. */
		if (!o->readonly && app->cfg.readonly) {
			app_status(app, THEME_ERROR, 8,
			           "readonly: cannot be turned off while running (start without "
			           "--readonly)");
			return false;
		}
		app->cfg.readonly = o->readonly;
		return true;
	case MOPT_MOUSE:
		app->cfg.mouse = o->mouse;
		terminal_mouse(o->mouse);
		return true;
	default:
		app_status(app, THEME_ERROR, 8,
		           "%s: takes effect at start only (--%s, or set %s in the configuration "
		           "file)",
		           d->name, d->name, d->name);
		return false;
	}
}

/* Every setting and its value, on the status line. */
static void show_settings(struct app *app)
{
	char line[512] = "", v[256];
	size_t n, l = 0;
	const struct monitor_option *t = monitor_options_table(&n);
	for (size_t i = 0; i < n; i++) {
		if (t[i].kind == MOPT_CLI)
			continue;
		monitor_option_show(&app->opts, &t[i], v, sizeof(v));
		int k = snprintf(line + l, sizeof(line) - l, "%s%s=%s", l ? "  " : "", t[i].name,
		                 v[0] ? v : "(default)");
		if (k < 0 || (size_t)k >= sizeof(line) - l)
			break;
		l += (size_t)k;
	}
	app_status(app, THEME_INFO, 15, "%s", line);
}

static void run_set(struct app *app, const struct cmdline_result *res)
{
	char err[256], v[256];
	if (res->argc == 0) {
		show_settings(app);
		return;
	}
	const struct monitor_option *d = config_setting(res->argv[0].text, err, sizeof(err));
	if (!d) {
		app_status(app, THEME_ERROR, 8, "set: %s", err);
		return;
	}
	if (res->argc == 1) {
		monitor_option_show(&app->opts, d, v, sizeof(v));
		app_status(app, THEME_INFO, 8, "%s %s", d->name, v[0] ? v : "(default)");
		return;
	}
	if (!d->live) {
		app_setting_apply(app, d); /* says why not */
		return;
	}
	/* Strings set here join the options' pool; on failure nothing was
	 * allocated and the old values stay. */
	struct monitor_options was = app->opts;
	if (monitor_option_set(&app->opts, d, res->argv[1].text, err, sizeof(err)) < 0) {
		app_status(app, THEME_ERROR, 8, "set %s: %s", d->name, err);
		return;
	}
	if (!app_setting_apply(app, d)) {
		struct monitor_string *pool = app->opts.pool;
		app->opts = was;
		app->opts.pool = pool;
		return;
	}
	monitor_option_show(&app->opts, d, v, sizeof(v));
	app_status(app, THEME_INFO, 5, "%s %s", d->name, v);
}

static void run_bind(struct app *app, const struct cmdline_result *res)
{
	uint32_t key;
	enum verb verb;
	char err[256], name[32];
	termkeys_parse(res->argv[0].text, &key); /* checked by the parser */
	termkeys_name(key, name, sizeof(name));
	if (config_bind_check(res->argv[1].text, &verb, err, sizeof(err)) < 0) {
		app_status(app, THEME_ERROR, 8, "bind: %s", err);
		return;
	}
	if (keymap_bind(app->keymap, key, res->argv[1].text) < 0) {
		app_status(app, THEME_ERROR, 8,
		           "bind: %s cannot be rebound (it opens the command line or quits)", name);
		return;
	}
	char *safe = sanitize_strdup(res->argv[1].text, app->utf8 ? 0 : SANITIZE_ASCII);
	app_status(app, THEME_INFO, 5, "%s: %s", name, safe);
	free(safe);
}

static void run_unbind(struct app *app, const struct cmdline_result *res)
{
	uint32_t key;
	char name[32];
	termkeys_parse(res->argv[0].text, &key);
	termkeys_name(key, name, sizeof(name));
	if (keymap_unbind(app->keymap, key) < 0)
		app_status(app, THEME_ERROR, 5, "unbind: %s has no binding of yours", name);
	else
		app_status(app, THEME_INFO, 5, "%s: unbound%s", name,
		           keys_find(KC_ALL, key) ? " (its own key is back)" : "");
}

/* :sort COLUMN [asc|desc] on the focused pane; without a direction, the
 * one s would take (biggest first for bytes and rates). */
static void run_sort(struct app *app, const struct cmdline_result *res)
{
	struct pane *p = &app->panes[app->focus];
	char names[512];
	if (!p->ops->sorts) {
		app_status(app, THEME_ERROR, 8, "sort: the %s pane does not sort", p->ops->name);
		return;
	}
	int idx = pane_sort_find(p, res->argv[0].text);
	if (idx < 0) {
		char *safe = sanitize_strdup(res->argv[0].text, app->utf8 ? 0 : SANITIZE_ASCII);
		app_status(app, THEME_ERROR, 10, "sort: no column '%s' in the %s pane; columns: %s",
		           safe, p->ops->name, pane_sort_names(p, names, sizeof(names)));
		free(safe);
		return;
	}
	bool desc = res->argc > 1 ? !strcmp(res->argv[1].text, "desc")
	                          : p->ops->sorts[idx].desc_first;
	struct pane_ctx c;
	app_pane_ctx(app, p, &c);
	pane_sort_set(p, &c, idx, desc);
	app_status(app, THEME_INFO, 4, "%s: sorted by %s, %s", p->ops->name,
	           p->ops->sorts[idx].name, desc ? "descending" : "ascending");
}

static void (*const handlers[CMDLINE_COUNT])(struct app *, const struct cmdline_result *) = {
        [CMDLINE_VERB] = run_verb, [CMDLINE_FILTER] = run_filter, [CMDLINE_HELP] = run_help,
        [CMDLINE_QUIT] = run_quit, [CMDLINE_THEME] = run_theme,   [CMDLINE_PROBLEMS] = run_problems,
        [CMDLINE_SORT] = run_sort, [CMDLINE_SET] = run_set,       [CMDLINE_BIND] = run_bind,
        [CMDLINE_UNBIND] = run_unbind,
        [CMDLINE_UNMARK] = run_unmark,
};

void app_command_run(struct app *app, const char *line)
{
	struct cmdline_result res;
	char err[256];
	if (cmdline_parse(line, &res, err, sizeof(err)) < 0)
		app_status(app, THEME_ERROR, 8, "%s", err);
	else if (res.cmd > CMDLINE_NONE && res.cmd < CMDLINE_COUNT && handlers[res.cmd])
		handlers[res.cmd](app, &res);
	cmdline_result_free(&res);
	app->redraw_all = true;
}
