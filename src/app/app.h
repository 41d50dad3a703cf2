/*
 * The monitor application: the one place where ui and action meet. It owns
 * the model, the panes, the two long-lived VICI sessions and the runner of
 * the operator's actions, and the loop that drives them.
 *
 * Data flows one way: the sessions (sessions.c) feed the model; panes read
 * the model and draw; keys and command lines become intents (a verb and a
 * target) that act.c turns into plans, confirmation questions and requests
 * for the runner (action/runner.h), whose control connections are separate
 * from the monitor's own. Panes never talk VICI and the model knows nothing
 * of either.
 *
 * Everything runs in one thread from one poll() (loop.c). The files, each
 * calling only those above it:
 *   app.c       the shared state: status line, pane contexts, layout,
 *               overlays, filters, theme
 *   refresh.c   the refresh decision under a load budget (pure)
 *   feed.c      the monitor and listener sessions, the refresh policy,
 *               restart detection: a part of its own (feed.h)
 *   sessions.c  the feed wired to the app (what is on screen, the header)
 *   insight.c   the diagnosis engine and the history store
 *   act.c       intents to plans, confirmation, the runner's results
 *   command.c   the command line: running commands, completion
 *   input.c     keys and pastes: input modes, global keys, pane keys to
 *               intents
 *   terminal.c  curses, terminal modes, signals, suspending, restoring the
 *               terminal on every way out
 *   options.c   the option table: command line, settings, usage
 *   config.c    the configuration file (config.h)
 *   loop.c      monitor_main(), the loop, drawing
 */
#ifndef SWANTOP_APP_APP_H
#define SWANTOP_APP_APP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/action.h"
#include "action/bulk.h"
#include "action/marks.h"
#include "action/runner.h"
#include "app/monitor.h"
#include "app/refresh.h"
#include "model/model.h"
#include "ui/bars.h"
#include "ui/layout.h"
#include "ui/pane.h"
#include "ui/theme.h"

struct feed;
struct lineedit;
struct cmdline_history;
struct termkeys;
struct key_event;
struct insight;

/* The panes; PANE_SAS..PANE_POLS share the main slot. */
enum pane_id { PANE_SAS, PANE_CONNS, PANE_POLS, PANE_EVENTS, PANE_LOG, PANE_COUNT };

enum overlay {
	OVERLAY_NONE,
	OVERLAY_DETAIL,
	OVERLAY_HELP,
};

struct app_config {
	const char *uri;
	int interval_ms;
	const char *theme;
	bool readonly;
	double budget;  /* ms of charon CPU per second for polling (app/feed.h) */
	const char *db; /* the history store, or NULL: no history */
	bool mouse;     /* mouse reports on (terminal.h) */
};

/* A destructive verb waiting for "y". The target is followed across rekeys
 * while the question is open, and the plan is made again from the model
 * when the operator answers: what runs is what the question named, never
 * another SA. */
struct confirm {
	enum verb verb;
	struct target target;
	bool force;
	char label[256]; /* what it does, for "cancelled" */
	char question[640];
	/* A bulk question (the marked rows): its targets, followed and planned
	 * again like target; n_targets 0 for a question about one target. */
	struct target *targets; /* owned */
	size_t n_targets;
};

struct app {
	struct app_config cfg;
	struct model *model;
	struct model_view *sa_view; /* the SA pane's view; the refresh reads its window */
	struct theme theme;
	bool utf8;      /* the locale can show UTF-8 glyphs */
	bool has_color; /* terminal and theme allow colour */

	struct pane panes[PANE_COUNT];
	enum pane_id main_pane; /* which of SAS/CONNS/POLS fills LS_MAIN */
	enum pane_id focus;
	int zoom; /* LS_* slot maximised, or -1 */
	enum overlay overlay;
	struct pane overlay_pane; /* detail or help */
	struct layout layout;
	int rows, cols;

	enum input_mode input;
	struct lineedit *le;
	struct cmdline_history *history;
	char completions[256]; /* shown above the command line, sanitised */
	struct confirm confirm;
	struct status status;
	struct marks marks;   /* the marked rows (mark.c) */
	struct bulk *batch;   /* the bulk action running, or NULL (act.c) */
	uint64_t batch_serial; /* tags its requests: serial << 32 | index */

	/* VICI */
	struct feed *feed; /* the monitor and listener sessions (sessions.c) */
	struct runner *runner;
	struct insight *insight; /* verdicts and history (insight.h) */

	struct monitor_options opts; /* the settings as :set shows them (monitor.h) */
	struct keymap *keymap;       /* the operator's bindings (ui/keys.h), owned */
	struct {
		int64_t at; /* monotonic ms of the last left click, for double-clicks */
		int pane;   /* where it was: enum pane_id, or -1 */
		size_t row;
	} click;

	struct termkeys *tk; /* the terminal's key decoder (loop.c) */
	bool quit;
	bool suspend; /* C-z or SIGTSTP: give the terminal back until SIGCONT */
	bool redraw_all;
	bool data_dirty;     /* the model changed since the last redraw */
	int64_t last_draw;   /* monotonic ms of the last redraw */
	int64_t now;         /* monotonic ms at the start of the loop turn */
	int64_t wall_offset; /* realtime ms - monotonic ms */
};

/* --- app.c --- */

/* A monitor with its model, panes and command line (no terminal, no VICI
 * yet: see app_sessions_start(), app_act_start()). */
struct app *app_create(const struct app_config *cfg);
/* Frees what app_create() made (stop the sessions and the runner first). */
void app_destroy(struct app *app);

/* Sets the status line (printf; sanitise hostile parts first), shown for
 * seconds, and asks for a redraw. */
void app_status(struct app *app, int role, int seconds, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* The read-only context a pane sees. */
void app_pane_ctx(const struct app *app, const struct pane *p, struct pane_ctx *c);

/* Makes pane id visible and focused (maximised if the terminal is too
 * short to show it). */
void app_focus_pane(struct app *app, enum pane_id id);
/* Layout after a size or zoom change. */
void app_relayout(struct app *app);
/* The layout slot a pane is shown in. */
enum layout_slot app_slot_of(enum pane_id id);
/* Opens the help overlay, or the detail view of the focused pane's
 * selection (false with a status message when nothing is selected). */
void app_help_open(struct app *app);
/* Opens the help on the filter language (:help filter). */
void app_filter_help_open(struct app *app);
/* The problems view of the focused pane (the SA tree's when the focused
 * pane has none) on or off: is:problem in front of its filter. */
void app_problems_toggle(struct app *app);
bool app_detail_open(struct app *app);
/* Applies a new filter text to the focused pane. */
void app_set_filter(struct app *app, const char *text);
/* Applies app->theme to curses (colour pairs, or attributes only). */
void app_theme_apply(struct app *app);

/* --- input.c --- */

/* One event from the terminal key decoder: a key, a character, a paste or
 * a mouse report (anything else is ignored). Returns PANE_* flags. */
unsigned app_key(struct app *app, const struct key_event *ev);
/* Leaves the command line, filter or confirmation being typed. */
void app_input_cancel(struct app *app);

/* --- sessions.c: the monitor's own connections (the feed, feed.h) --- */

/* Creates the feed (monitor and listener sessions, budgeted refresh) for
 * app->cfg.uri. Nothing is sent before the loop runs. */
void app_sessions_start(struct app *app);
void app_sessions_stop(struct app *app);
/* Fills pollfds for the monitor and listener sessions; returns the number
 * written (at most max). tags[i] identifies the session. */
size_t app_sessions_pollfds(struct app *app, struct pollfd *fds, void **tags, size_t max);
/* Calls back the session tagged tag (false: not one of these). */
bool app_sessions_handle(struct app *app, void *tag, short revents);
/* Timers: refresh requests due at app->now, session ticks. */
void app_sessions_tick(struct app *app);
/* The nearest deadline of the sessions and refresh timers (monotonic ms),
 * or -1. */
int64_t app_sessions_deadline(const struct app *app);
/* Asks for everything again now (C-l). */
void app_refresh_all(struct app *app);
/* Asks for the SAs again soon (after an action touched them). */
void app_refresh_sas(struct app *app);
/* Fills what the header shows of the connections: links, data age, alert
 * state, the counter periods and their load on charon. */
void app_sessions_bars(const struct app *app, struct bars_info *b);

/* --- act.c --- */

/* Creates and frees the runner of the operator's actions. */
void app_act_start(struct app *app);
void app_act_stop(struct app *app);
/* Carries out an intent: plans the verb on the target and starts it, or
 * asks first when the verb is destructive; says on the status line when
 * there is nothing to do or it is refused. */
void app_act(struct app *app, const struct intent *in);
/* The operator answered the confirmation question. */
void app_confirm_accept(struct app *app);
void app_confirm_cancel(struct app *app);
/* Keeps an open question about its target: follows it across rekeys and
 * cancels the question when the target is gone (a bulk question drops the
 * targets that are gone and says so). Once per loop turn; also follows the
 * marks (app_marks_check()) and starts the waiting requests of a bulk
 * action as the runner has room. */
void app_confirm_check(struct app *app);
/* Verb v on every marked row of the focused pane's kind, if any is marked:
 * asks, naming them and the swanctl commands. Returns false (nothing done)
 * when no row of that kind is marked. */
bool app_act_marked(struct app *app, enum verb v, bool force);

/* --- mark.c: marks and copying --- */

/* m: marks or unmarks the focused pane's selected row and selects the next
 * one. */
void app_mark_toggle(struct app *app);
/* M and :unmark: clears the marks of the focused pane's kind (all: every
 * mark). */
void app_marks_clear(struct app *app, bool all);
/* Follows the marks across rekeys, drops those whose SA is gone. */
void app_marks_check(struct app *app);
/* y: copies the selected row (detail view: the top line's value) to the
 * clipboard through the terminal (OSC 52). */
void app_copy(struct app *app);
/* The marks the focused pane acts on (MARKS_SAS or MARKS_CONNS), 0 for a
 * pane without marks. */
unsigned app_marks_kind(const struct app *app);

/* --- command.c --- */

/* Completes the word under the command line's cursor from the live data
 * (or lists the candidates on the hint bar). */
void app_complete(struct app *app);
/* Parses and runs one command line; errors go to the status line. */
void app_command_run(struct app *app, const char *line);
/* Applies setting d, already set in app->opts, to the running monitor;
 * false with a message on the status line if it cannot change now. */
bool app_setting_apply(struct app *app, const struct monitor_option *d);

#endif
