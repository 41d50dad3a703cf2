/*
 * The monitor's entry point and main loop.
 *
 * One poll() per loop turn over: the terminal, the signal self-pipe
 * (SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGTSTP, SIGCONT), every VICI fd (the
 * monitor and listener sessions, the runner's control connections), and as
 * timeout the nearest deadline (VICI requests and retries, refresh timers,
 * the next whole second for the countdowns, a status message that expires,
 * the key decoder's wait for the rest of an escape sequence). Nothing
 * blocks anywhere else. A turn is: wait, read signals, read the terminal's
 * bytes into the key decoder and take every event it has (handlers only
 * change state and return flags), suspend if asked, let the VICI sessions
 * do their I/O (callbacks feed the model), run the timers, reap what
 * finished, and redraw once with one doupdate() if anything changed.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/config.h"
#include "app/insight.h"
#include "app/monitor.h"
#include "app/terminal.h"
#include "ui/cmdline.h"
#include "ui/draw.h"
#include "ui/keys.h"
#include "ui/lineedit.h"
#include "ui/overlay.h"
#include "ui/termkeys.h"
#include "util/sanitize.h"
#include "vici/vici.h"

#define MAX_FDS 72
/* At most one data-driven redraw per this many ms. */
#define FRAME_MS 100

/* ---- drawing ---- */

static void draw_bars(struct app *app)
{
	struct bars_info b = {
	        .model = app->model,
	        .theme = &app->theme,
	        .layout = &app->layout,
	        .utf8 = app->utf8,
	        .readonly = app->cfg.readonly,
	        .now = app->now,
	        .input = app->input,
	        .question = app->confirm.question,
	        .completions = app->completions,
	        .le = app->le,
	        .hint_ctx = app->overlay == OVERLAY_HELP     ? KC_HELP
	                    : app->overlay == OVERLAY_DETAIL ? KC_DETAIL
	                                                     : 1u << app->focus,
	        .status = &app->status,
	};
	app_sessions_bars(app, &b);
	b.running =
	        runner_running(app->runner, &b.running_verb, &b.running_label, &b.running_started);
	bars_draw(&b);
}

static void draw_screen(struct app *app)
{
	erase();
	if (app->layout.too_small) {
		draw_text(0, 0, app->cols, THEME_WARNING, "terminal too small");
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	struct pane_ctx c;
	if (app->overlay != OVERLAY_NONE) {
		app_pane_ctx(app, &app->overlay_pane, &c);
		app->overlay_pane.ops->draw(&app->overlay_pane, &c);
	} else {
		for (int i = 0; i < PANE_COUNT; i++) {
			struct pane *p = &app->panes[i];
			if (p->r.h <= 0)
				continue;
			app_pane_ctx(app, p, &c);
			p->ops->draw(p, &c);
		}
	}
	draw_bars(app);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- the loop ---- */

static int64_t wall_offset_now(int64_t mono)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - mono;
}

/* Takes every event the decoder has at app->now (a lone ESC becomes the
 * Escape key once its deadline passed, so this runs on every turn, not
 * only when the terminal had bytes). */
static void take_keys(struct app *app)
{
	struct key_event ev;
	while (!app->quit && !app->suspend && termkeys_next(app->tk, app->now, &ev)) {
		unsigned f = app_key(app, &ev);
		if (f & (PANE_REDRAW | PANE_REDRAW_ALL))
			app->redraw_all = true;
	}
}

static void read_keys(struct app *app)
{
	int n = terminal_read(app->tk, app->now);
	if (n == 0 || (n < 0 && n != -EAGAIN))
		app->quit = true; /* the terminal went away (SSH dropped) */
}

/* C-z or SIGTSTP: the shell gets the terminal as it was until fg. */
static void suspend(struct app *app)
{
	app->suspend = false;
	bool stopped = terminal_suspend();
	/* What was typed before the stop belongs to the shell's time. */
	termkeys_reset(app->tk);
	terminal_resize(&app->rows, &app->cols);
	app_relayout(app);
	app->redraw_all = true;
	if (!stopped)
		app_status(
		        app, THEME_WARNING, 5,
		        "not suspended: no job control here (started without a shell that has it)");
}

static void read_signals(struct app *app)
{
	unsigned char sigs[32];
	ssize_t n;
	while ((n = read(terminal_signal_fd(), sigs, sizeof(sigs))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (sigs[i] == SIGWINCH || sigs[i] == SIGCONT) {
				/* SIGCONT: stopped from outside (SIGSTOP), the
				 * shell had the terminal meanwhile */
				if (sigs[i] == SIGCONT)
					terminal_continue();
				terminal_resize(&app->rows, &app->cols);
				app_relayout(app);
				app->redraw_all = true;
			} else if (sigs[i] == SIGTSTP) {
				app->suspend = true;
			} else if (sigs[i] == SIGINT && app->input != INPUT_NONE) {
				/* Ctrl-C while typing cancels the typing, as in a
				 * shell; otherwise it quits. */
				app_input_cancel(app);
			} else {
				app->quit = true;
			}
		}
	}
}

static int poll_timeout(struct app *app)
{
	/* The next whole second keeps countdowns ticking. */
	int64_t next = (app->now / 1000 + 1) * 1000;
	next = vici_deadline_min(next, app_sessions_deadline(app));
	next = vici_deadline_min(next, runner_deadline(app->runner));
	if (status_shown(&app->status, app->now))
		next = vici_deadline_min(next, app->status.until);
	if (app->data_dirty)
		next = vici_deadline_min(next, app->last_draw + FRAME_MS);
	if (termkeys_deadline(app->tk) != TERMKEYS_NO_DEADLINE)
		next = vici_deadline_min(next, termkeys_deadline(app->tk));
	next = vici_deadline_min(next, insight_deadline(app->insight));
	int64_t t = next - vici_now_ms();
	return t < 0 ? 0 : t > 1000 ? 1000 : (int)t;
}

static void turn_start(struct app *app, int64_t *last_second)
{
	app->now = vici_now_ms();
	app->wall_offset = wall_offset_now(app->now);
	/* Data-driven redraws are capped at FRAME_MS apart (a log flood would
	 * otherwise redraw per line); keys redraw at once. */
	unsigned changes = model_take_changes(app->model);
	if (insight_turn(app->insight, app->model, changes, app->now,
	                 app->now + app->wall_offset) ||
	    changes)
		app->data_dirty = true;
	int role;
	const char *said = insight_message(app->insight, &role);
	if (said)
		app_status(app, role, 10, "%s", said);
	if (app->data_dirty && app->now - app->last_draw >= FRAME_MS) {
		app->data_dirty = false;
		app->redraw_all = true;
	}
	if (app->now / 1000 != *last_second) {
		*last_second = app->now / 1000;
		app->redraw_all = true;
	}
	if (app->status.text[0] && app->now >= app->status.until) {
		app->status.text[0] = '\0';
		app->redraw_all = true;
	}
	if (app->redraw_all) {
		app->redraw_all = false;
		app->data_dirty = false;
		app->last_draw = app->now;
		draw_screen(app);
	}
}

static void loop(struct app *app)
{
	struct pollfd fds[MAX_FDS];
	void *tags[MAX_FDS];
	int64_t last_second = -1;
	while (!app->quit) {
		turn_start(app, &last_second);
		fds[0] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
		fds[1] = (struct pollfd){terminal_signal_fd(), POLLIN, 0};
		size_t n = 2;
		n += app_sessions_pollfds(app, fds + n, tags + n, MAX_FDS - n);
		n += runner_pollfds(app->runner, fds + n, tags + n, MAX_FDS - n);
		int rc = poll(fds, n, poll_timeout(app));
		app->now = vici_now_ms();
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && fds[1].revents)
			read_signals(app);
		if (rc > 0 && fds[0].revents & POLLIN)
			read_keys(app);
		else if (rc > 0 && fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			app->quit = true; /* the terminal went away (SSH dropped) */
		take_keys(app);
		if (app->suspend && !app->quit)
			suspend(app);
		for (size_t i = 2; rc > 0 && i < n; i++)
			if (fds[i].revents && !app_sessions_handle(app, tags[i], fds[i].revents))
				runner_handle(app->runner, tags[i], fds[i].revents);
		app->now = vici_now_ms();
		app_sessions_tick(app);
		runner_tick(app->runner, app->now);
		runner_reap(app->runner);
		app_confirm_check(app);
	}
}

/* ---- setting up and tearing down ---- */

int monitor_main(int argc, char **argv)
{
	struct monitor_options o;
	struct keymap *km = keymap_new();
	char err[512];
	/* Every error of the options and the configuration file is said
	 * before the terminal is touched; the command line's first. */
	if (monitor_parse_args(argc, argv, &o, err, sizeof(err)) < 0) {
		keymap_free(km);
		fprintf(stderr, "swantop: %s\n\n", err);
		monitor_usage(stderr);
		return MONITOR_EXIT_USAGE;
	}
	if (o.help) {
		keymap_free(km);
		monitor_usage(stdout);
		return MONITOR_EXIT_OK;
	}
	if (config_options(argc, argv, &o, km, err, sizeof(err)) < 0) {
		keymap_free(km);
		fprintf(stderr, "swantop: %s\n", err);
		return MONITOR_EXIT_USAGE;
	}
	setlocale(LC_ALL, "");
	struct theme theme;
	if (theme_load(&theme, o.theme ? o.theme : "default", err, sizeof(err)) < 0) {
		fprintf(stderr, "swantop: %s\n", err);
		keymap_free(km);
		monitor_options_free(&o);
		return MONITOR_EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "swantop: the monitor needs a terminal (for scripts use "
		                "'swantop call' or 'swantop listen')\n");
		keymap_free(km);
		monitor_options_free(&o);
		return MONITOR_EXIT_FAIL;
	}
	char db[4096];
	struct app_config cfg = {
	        o.uri,      o.interval_ms, o.theme ? o.theme : "default",
	        o.readonly, o.budget,      o.db ? o.db : insight_default_db(db, sizeof(db)),
	        o.mouse};
	struct app *app = app_create(&cfg);
	/* the app owns the settings and the bindings from here on */
	keymap_free(app->keymap);
	app->keymap = km;
	monitor_options_free(&app->opts);
	app->opts = o;
	app->theme = theme;
	char *herr = NULL;
	app->history = cmdline_history_open(NULL, 500, &herr);
	for (size_t i = 0; app->history && i < cmdline_history_count(app->history); i++)
		lineedit_history_add(app->le, cmdline_history_get(app->history, i));
	if (terminal_signals_setup() < 0) {
		fprintf(stderr, "swantop: cannot create the signal pipe\n");
		free(herr);
		app_destroy(app);
		return MONITOR_EXIT_FAIL;
	}
	if (terminal_start() < 0) {
		const char *term = getenv("TERM");
		char *safe = sanitize_strdup(term ? term : "(unset)", 0);
		fprintf(stderr,
		        "swantop: cannot use the terminal type '%s' (set TERM, e.g. "
		        "xterm-256color)\n",
		        safe);
		free(safe);
		free(herr);
		terminal_signals_teardown();
		app_destroy(app);
		return MONITOR_EXIT_FAIL;
	}
	app->tk = termkeys_new(NULL);
	terminal_keys_add(app->tk);
	terminal_mouse(app->cfg.mouse);
	app_theme_apply(app);
	app->rows = LINES;
	app->cols = COLS;
	app_relayout(app);
	if (herr) {
		app_status(app, THEME_WARNING, 5, "%s", herr);
		free(herr);
	}
	app->now = vici_now_ms();
	app_act_start(app);
	app_sessions_start(app);
	if (app->cfg.readonly)
		app_status(app, THEME_INFO, 4, "read-only mode: actions are refused");
	loop(app);
	terminal_restore();
	terminal_signals_teardown();
	termkeys_free(app->tk);
	app->tk = NULL;
	app_act_stop(app);
	app_sessions_stop(app);
	app_destroy(app);
	return MONITOR_EXIT_OK;
}
