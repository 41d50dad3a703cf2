/*
 * The monitor application: the state shared by the main loop, the panes, the
 * three kinds of VICI connections and the actions.
 *
 * Data flows one way: VICI sessions (app/vici.c) feed the model; panes read
 * the model and draw; keys become actions (app/actions.c) that go back to
 * charon on control connections of their own. Panes never talk VICI and the
 * model knows nothing of either.
 *
 * Everything runs in one thread from one poll() (monitor.c). Objects that may
 * finish inside their own callbacks (actions and their sessions) are only
 * marked dead there and reaped by app_reap() at the end of the loop turn.
 */
#ifndef SWANTOP_APP_H
#define SWANTOP_APP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/layout.h"
#include "model/model.h"
#include "ui/pane.h"
#include "app/refresh.h"
#include "ui/theme.h"

struct vici_session;
struct vici_listener;
struct vici_request;
struct model;
struct model_ike;
struct model_child;
struct model_conn;
struct model_conn_child;
struct lineedit;
struct cmdline_history;

/* The panes; PANE_SAS..PANE_POLS share the main slot. */
enum pane_id { PANE_SAS, PANE_CONNS, PANE_POLS, PANE_EVENTS, PANE_LOG, PANE_COUNT };

enum overlay {
	OVERLAY_NONE,
	OVERLAY_DETAIL,
	OVERLAY_HELP,
};

/* What the bottom line is editing, if anything. */
enum input_mode {
	INPUT_NONE,
	INPUT_FILTER,  /* "/" live filter of the focused pane */
	INPUT_CMDLINE, /* ":" command line */
	INPUT_CONFIRM, /* y/n question for a destructive action */
};

enum action_kind {
	ACTION_INITIATE,
	ACTION_TERMINATE,
	ACTION_REKEY,
	ACTION_REDIRECT,
	ACTION_INSTALL,
	ACTION_UNINSTALL,
};

/* One request to charon started by the operator. Owned by app->actions. */
struct action {
	struct app *app;
	enum action_kind kind;
	char *label;               /* "initiate net" (sanitised, for the status line) */
	struct vici_session *sess; /* its own control connection */
	struct vici_request *req;
	uint8_t *msg; /* the request body, sent when the session is up */
	size_t msg_len;
	int64_t started; /* monotonic ms */
	bool sent, done, dead;
	struct action *next;
};

/* One of the monitor's own VICI connections. */
struct app_link {
	const char *role; /* "monitor", "listener" */
	struct vici_session *sess;
	int state;       /* enum vici_session_state */
	char error[256]; /* sanitised last error */
	int64_t since;   /* when the state last changed */
};

struct app_config {
	const char *uri;
	int interval_ms;
	const char *theme;
	bool readonly;
};

struct app {
	struct app_config cfg;
	struct model *model;
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
	/* The action waiting for "y" in INPUT_CONFIRM. */
	enum action_kind confirm_kind;
	char confirm_question[256];
	uint8_t *confirm_msg;
	size_t confirm_len;
	char confirm_label[160];

	/* The status line: a message that expires, errors stay longer. */
	char status[512];
	int status_role; /* enum theme_role */
	int64_t status_until;

	/* VICI */
	struct app_link mon, lis;
	struct vici_listener *listeners[8];
	char alert_state[48]; /* "alert: not supported" etc. */
	struct action *actions;
	/* refresh policy: at most one request in flight per kind */
	struct vici_request *rq_sas, *rq_sas_targeted, *rq_conns, *rq_pols, *rq_stats, *rq_version;
	int64_t next_counters, next_sweep, next_conns, next_stats;
	int64_t last_round; /* monotonic ms the last counters round started */
	int64_t last_data;  /* monotonic ms of the last list-sa data */
	/* Targeted refreshes of this round: IKE SAs still to ask for, one
	 * request at a time. */
	uint32_t targets[REFRESH_TARGETS_MAX];
	size_t n_targets;
	char daemon_since[64]; /* charon's start time, to notice restarts */
	bool list_failing[3];  /* by enum model_table: the last refresh failed */
	bool resync;           /* full reload wanted (after reconnect) */
	unsigned sweeps;       /* completed full sweeps, for tests and the header */

	bool quit;
	bool redraw_all;
	bool data_dirty;     /* the model changed since the last redraw */
	int64_t last_draw;   /* monotonic ms of the last redraw */
	int64_t now;         /* monotonic ms at the start of the loop turn */
	int64_t wall_offset; /* realtime ms - monotonic ms */
};

/* --- app/vici.c: the monitor's own connections and refresh policy --- */

/* Creates the monitor and listener sessions for app->cfg.uri and registers
 * the listener's events. Nothing is sent before the loop runs. */
void app_vici_start(struct app *app);
void app_vici_stop(struct app *app);
/* Fills pollfds for every VICI session (monitor, listener, actions);
 * returns the number written (at most max). tags[i] identifies the owner. */
size_t app_vici_pollfds(struct app *app, struct pollfd *fds, void **tags, size_t max);
/* Calls back the session tagged tag with revents. */
void app_vici_handle(struct app *app, void *tag, short revents);
/* Timers: refresh requests due at app->now, session ticks. */
void app_vici_tick(struct app *app);
/* The nearest deadline of every session and refresh timer (monotonic ms),
 * or -1. */
int64_t app_vici_deadline(const struct app *app);
/* Asks for everything again now (C-l, after an action). */
void app_vici_refresh_all(struct app *app);
/* Asks for the SAs again soon (after an action touched them). */
void app_vici_refresh_sas(struct app *app);

/* --- app/actions.c --- */

/* Starts an action with the given body (borrowed, copied) on a fresh
 * control connection. Refused with a status message when read-only.
 * Returns 0 or a negative errno. */
int app_action_start(struct app *app, enum action_kind kind, const char *label, const uint8_t *msg,
                     size_t len);
/* Frees actions marked dead (end of the loop turn). */
void app_actions_reap(struct app *app);
/* Frees every action (at exit). */
void app_actions_free(struct app *app);
/* The oldest running action, or NULL (for the status line). */
const struct action *app_action_running(const struct app *app, size_t *count);
/* The VICI command name of kind. */
const char *action_command(enum action_kind kind);
/* Key actions (KA_INITIATE, KA_TERMINATE, KA_REKEY) on a selected SA
 * (child NULL: the IKE SA) or connection (child NULL: the whole
 * connection). Terminate asks for confirmation first. */
void app_act_sa(struct app *app, int action, const struct model_ike *ike,
                const struct model_child *child);
void app_act_conn(struct app *app, int action, const struct model_conn *conn,
                  const struct model_conn_child *child);
/* Initiates a connection's child (child.len 0: the IKE SA alone). */
void app_initiate(struct app *app, struct model_str ike, struct model_str child);
/* An action from the command line: arg is a name or an id (#N / #cN as
 * parsed by cmdline.h), arg2 the second argument (gateway, IKE name) or
 * NULL. Destructive ones ask first. Returns 0. */
int app_cmd_action(struct app *app, enum action_kind kind, const char *arg, bool is_id,
                   bool is_child, uint32_t id, const char *arg2);
/* Runs a destructive request after the operator confirmed it ("y"). */
void app_confirm_accept(struct app *app);
void app_confirm_cancel(struct app *app);

/* --- app/command.c --- */

/* Completes the word under the command line's cursor from the live data
 * (or lists the candidates on the hint bar). */
void app_complete(struct app *app);
/* Parses and runs one command line; errors go to the status line. */
void app_command_run(struct app *app, const char *line);
/* Applies app->theme to curses (colour pairs, or attributes only). */
void app_theme_apply(struct app *app);

/* --- monitor.c --- */

/* Sets the status line to a printf message (sanitise hostile parts before
 * passing them) with a theme role, shown for seconds. */
void app_status(struct app *app, int role, int seconds, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

#endif
