/*
 * The monitor's entry point, terminal handling and main loop.
 *
 * One poll() per loop turn over: the terminal, a self-pipe that the signal
 * handlers write to (SIGWINCH, SIGTERM, SIGINT, SIGHUP), every VICI fd, and
 * as timeout the nearest deadline (VICI requests and retries, refresh
 * timers, the next whole second for the countdowns, a status message that
 * expires). Nothing blocks anywhere else. A turn is: wait, read signals,
 * read every pending key (handlers only change state and return flags),
 * let the VICI sessions do their I/O (callbacks feed the model), run the
 * timers, reap what finished, and redraw once with one doupdate() if
 * anything changed.
 *
 * The terminal is restored on every way out: normal quit, SIGTERM/SIGINT
 * (through the loop), fatal signals (handler calls endwin() and re-raises)
 * and exit() from anywhere (atexit).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include "monitor.h"

#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "cmdline.h"
#include "draw.h"
#include "keys.h"
#include "layout.h"
#include "lineedit.h"
#include "model.h"
#include "panes.h"
#include "rows.h"
#include "sanitize.h"
#include "theme.h"
#include "theme_curses.h"
#include "vici.h"
#include "xmalloc.h"

#define MAX_FDS 72
/* At most one data-driven redraw per this many ms. */
#define FRAME_MS 100

/* ---- options ---- */

static const char usage_text[] =
        "usage: swantop [--uri URI] [--interval SECONDS] [--theme NAME] [--readonly]\n"
        "       swantop call COMMAND [KEY=VALUE...] | swantop listen EVENT...\n"
        "\n"
        "  --uri URI           charon's VICI socket (default unix:///var/run/charon.vici)\n"
        "  --interval SECONDS  counter refresh interval, 0.1-3600 (default 1.5)\n"
        "  --theme NAME        colour theme (default, mono, or a themes/NAME.theme file)\n"
        "  --readonly          refuse every action (initiate, terminate, rekey, ...)\n"
        "\n"
        "Keys: ? for help, q to quit.\n";

int monitor_parse_args(int argc, char **argv, struct monitor_options *o, char *err, size_t errsize)
{
	static const struct option opts[] = {
	        {"uri", required_argument, NULL, 'u'},
	        {"interval", required_argument, NULL, 'i'},
	        {"theme", required_argument, NULL, 't'},
	        {"readonly", no_argument, NULL, 'r'},
	        {"read-only", no_argument, NULL, 'r'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->interval_ms = 1500;
	err[0] = '\0';
	optind = 0; /* full reset (GNU): the parser may run more than once */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":u:i:t:rh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o->uri = optarg;
			break;
		case 'i': {
			char *end;
			errno = 0;
			double s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(s >= 0.1 && s <= 3600)) {
				char *safe = sanitize_strdup(optarg, 0);
				snprintf(err, errsize,
				         "--interval: '%s' is not a number of seconds between 0.1 "
				         "and 3600",
				         safe);
				free(safe);
				return -EINVAL;
			}
			o->interval_ms = (int)(s * 1000 + 0.5);
			break;
		}
		case 't':
			o->theme = optarg;
			break;
		case 'r':
			o->readonly = true;
			break;
		case 'h':
			o->help = true;
			break;
		case ':':
			snprintf(err, errsize, "option %s needs a value", argv[optind - 1]);
			return -EINVAL;
		default: {
			char *safe = sanitize_strdup(argv[optind - 1], 0);
			snprintf(err, errsize, "unknown option '%s'", safe);
			free(safe);
			return -EINVAL;
		}
		}
	}
	if (optind < argc) {
		char *safe = sanitize_strdup(argv[optind], 0);
		snprintf(err, errsize, "unexpected argument '%s' (modes are 'call' and 'listen')",
		         safe);
		free(safe);
		return -EINVAL;
	}
	if (o->uri) {
		struct vici_uri u;
		if (vici_uri_parse(o->uri, &u) < 0) {
			char *safe = sanitize_strdup(o->uri, 0);
			snprintf(err, errsize,
			         "--uri: '%s' is not a VICI URI (unix:///path or tcp://host:port)",
			         safe);
			free(safe);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- terminal and signals ---- */

static volatile sig_atomic_t curses_active;
static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* pipe full: a wakeup is pending anyway */
	}
	errno = saved;
}

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = 0;
		curs_set(1);
		endwin();
	}
}

/* Fatal signals: give the terminal back, then die the way we would have. */
static void on_fatal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int signals_setup(void)
{
	if (pipe(sig_pipe) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	/* Installed before initscr(): curses then leaves SIGWINCH to us. */
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	atexit(restore_terminal);
	return 0;
}

static void signals_teardown(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
}

/* Colour pairs (or, on a monochrome terminal or with a mono theme, only the
 * attributes, which carry every state) for the current theme. */
static void apply_theme(struct app *app)
{
	app->has_color = theme_curses_apply(&app->theme) == 0 && !app->theme.mono;
}

/* newterm() rather than initscr(): initscr() exits the process on an
 * unusable TERM, newterm() lets us say why and clean up. */
static int curses_setup(struct app *app)
{
	if (!newterm(NULL, stdout, stdin))
		return -ENOTTY;
	curses_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	apply_theme(app);
	app->rows = LINES;
	app->cols = COLS;
	return 0;
}

/* ---- status line ---- */

void app_status(struct app *app, int role, int seconds, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(app->status, sizeof(app->status), fmt, ap);
	va_end(ap);
	app->status_role = role;
	app->status_until = vici_now_ms() + seconds * 1000;
	app->redraw_all = true;
}

/* ---- layout ---- */

static enum layout_slot slot_of(const struct app *app, enum pane_id id)
{
	if (id == PANE_EVENTS)
		return LS_EVENTS;
	if (id == PANE_LOG)
		return LS_LOG;
	return LS_MAIN;
}

static void relayout(struct app *app)
{
	layout_compute(&app->layout, app->rows, app->cols, app->zoom);
	for (int i = 0; i < PANE_COUNT; i++) {
		struct rect r = app->layout.slot[slot_of(app, (enum pane_id)i)];
		if (i <= PANE_POLS && (enum pane_id)i != app->main_pane)
			r.h = 0;
		app->panes[i].ops->resize(&app->panes[i], r);
	}
	/* Overlays cover the whole body. */
	struct rect body = app->layout.slot[LS_MAIN];
	int bottom = app->layout.slot[LS_STATUS].y;
	body.h = bottom - body.y;
	body.w = app->cols;
	body.x = 0;
	app->overlay_pane.ops->resize(&app->overlay_pane, body);
	app->redraw_all = true;
}

static void on_resize(struct app *app)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	app->rows = LINES;
	app->cols = COLS;
	relayout(app);
	clearok(curscr, TRUE);
}

/* ---- drawing ---- */

static void draw_header(struct app *app)
{
	struct rect r = app->layout.slot[LS_HEADER];
	const struct model_version *v = model_version_get(app->model);
	const struct model_stats *s = model_stats_get(app->model);
	char buf[1024], tmp[256];
	draw_fill(r.y, 0, r.w, THEME_HEADER);
	int x = 0;
	x += draw_text(r.y, x, r.w - x, THEME_HEADER, " swantop ");
	if (v->valid) {
		char *d = sanitize_dup(v->daemon.s, v->daemon.len, app->utf8 ? 0 : SANITIZE_ASCII);
		char *ver =
		        sanitize_dup(v->version.s, v->version.len, app->utf8 ? 0 : SANITIZE_ASCII);
		char *host =
		        sanitize_dup(v->sysname.s, v->sysname.len, app->utf8 ? 0 : SANITIZE_ASCII);
		snprintf(buf, sizeof(buf), "%s %s (%s)", d, ver, host);
		free(d), free(ver), free(host);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER_VALUE, buf);
	} else {
		x += draw_text(r.y, x, r.w - x, THEME_HEADER, "charon ?");
	}
	if (s->valid) {
		char *up =
		        sanitize_dup(s->running.s, s->running.len, app->utf8 ? 0 : SANITIZE_ASCII);
		snprintf(buf, sizeof(buf), "  up %s", up);
		free(up);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER, buf);
		snprintf(buf, sizeof(buf), "  IKE %lld", (long long)s->ikesas_total);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER_VALUE, buf);
		struct model_counts mc;
		model_counts_get(app->model, &mc);
		snprintf(buf, sizeof(buf), " (%zu up, %lld half-open)",
		         mc.ike_states[MODEL_IKE_ESTABLISHED], (long long)s->ikesas_half_open);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER, buf);
		long long active = 0, queued = 0;
		for (int i = 0; i < MODEL_PRIO_COUNT; i++)
			active += s->workers_active[i], queued += s->queues[i];
		snprintf(buf, sizeof(buf), "  workers %lld/%lld busy  queued %lld  sched %lld",
		         active, (long long)s->workers_total, queued, (long long)s->scheduled);
		x += draw_text(r.y, x, r.w - x, THEME_HEADER, buf);
	}
	if (r.h < 2)
		return;
	/* Line 2: connections to charon, data age, mode. */
	int y = r.y + 1;
	draw_fill(y, 0, r.w, THEME_HEADER);
	x = 1;
	const struct app_link *links[] = {&app->mon, &app->lis};
	for (int i = 0; i < 2; i++) {
		const struct app_link *l = links[i];
		int role = l->state == VICI_SESSION_UP           ? THEME_STATUS_OK
		           : l->state == VICI_SESSION_CONNECTING ? THEME_STATUS_WARN
		                                                 : THEME_STATUS_ERROR;
		enum theme_role g = l->state == VICI_SESSION_UP           ? THEME_STATE_UP
		                    : l->state == VICI_SESSION_CONNECTING ? THEME_CONNECTING
		                                                          : THEME_STATE_DOWN;
		snprintf(buf, sizeof(buf), "%s %s %s  ", l->role,
		         theme_glyph(&app->theme, g, app->utf8),
		         vici_session_state_name((enum vici_session_state)l->state));
		x += draw_text(y, x, r.w - x, role, buf);
	}
	if (app->alert_state[0])
		x += draw_text(y, x, r.w - x, THEME_HEADER, app->alert_state);
	if (app->mon.state != VICI_SESSION_UP) {
		/* Most important first: the line is cut on narrow terminals. */
		if (app->last_data)
			x += draw_text(y, x, r.w - x, THEME_STALE, "STALE  ");
		int64_t at = vici_session_retry_at(app->mon.sess);
		if (at >= 0) {
			snprintf(tmp, sizeof(tmp), "retry in %lld s  ",
			         (long long)((at - app->now + 999) / 1000));
			x += draw_text(y, x, r.w - x, THEME_STATUS_WARN, tmp);
		}
		x += draw_text(y, x, r.w - x, THEME_STATUS_ERROR,
		               app->mon.error[0] ? app->mon.error : "connecting");
	} else if (app->last_data) {
		snprintf(buf, sizeof(buf), "  data %.1f s old",
		         (double)(app->now - app->last_data) / 1000.0);
		x += draw_text(y, x, r.w - x,
		               app->now - app->last_data > 3 * app->cfg.interval_ms + 2000
		                       ? THEME_STALE
		                       : THEME_HEADER,
		               buf);
	} else {
		x += draw_text(y, x, r.w - x, THEME_STATUS_WARN,
		               "  waiting for the first list-sas");
	}
	if (app->cfg.readonly)
		x += draw_text(y, x, r.w - x, THEME_WARNING, "  READ-ONLY");
	(void)x;
}

static void draw_input(struct app *app, int y, int w, const char *prompt)
{
	draw_fill(y, 0, w, THEME_CMDLINE); /* the status message goes away */
	int x = draw_text(y, 0, w, THEME_PROMPT, prompt);
	struct lineedit_view lv;
	lineedit_view(app->le, (size_t)(w - x > 1 ? w - x - 1 : 1), &lv);
	char buf[CMDLINE_MAX + 8];
	size_t n = lv.len < sizeof(buf) - 1 ? lv.len : sizeof(buf) - 1;
	memcpy(buf, lv.text, n);
	buf[n] = '\0';
	draw_text(y, x, w - x, THEME_CMDLINE, buf);
	curs_set(1);
	move(y, x + (int)lv.cursor_col);
}

static void draw_status(struct app *app)
{
	struct rect r = app->layout.slot[LS_STATUS];
	draw_fill(r.y, 0, r.w, THEME_DEFAULT);
	curs_set(0);
	if (app->input == INPUT_CONFIRM) {
		draw_text(r.y, 0, r.w, THEME_PROMPT, app->confirm_question);
		return;
	}
	size_t running;
	const struct action *a = app_action_running(app, &running);
	char buf[768];
	int x = 0;
	if (a) {
		const char *verb = a->kind == ACTION_INITIATE    ? "initiating"
		                   : a->kind == ACTION_TERMINATE ? "terminating"
		                                                 : "running";
		const char *name = strchr(a->label, ' ');
		snprintf(buf, sizeof(buf), "%s %s%s %lld s%s ", verb,
		         name && a->kind <= ACTION_TERMINATE ? name + 1 : a->label,
		         app->utf8 ? "\u2026" : "...", (long long)((app->now - a->started) / 1000),
		         running > 1 ? " (+more)" : "");
		x += draw_text(r.y, x, r.w, THEME_EVENT_CONTROL, buf);
	}
	if (app->status[0] && app->now < app->status_until)
		draw_text(r.y, x, r.w - x, app->status_role, app->status);
	else if (!a && app->mon.state == VICI_SESSION_DOWN && app->mon.error[0])
		draw_text(r.y, x, r.w - x, THEME_STATUS_ERROR, app->mon.error);
}

static void draw_hint(struct app *app)
{
	struct rect r = app->layout.slot[LS_HINT];
	if (r.h == 0)
		return;
	draw_fill(r.y, 0, r.w, THEME_HINT_TEXT);
	if (app->input == INPUT_CMDLINE && app->completions[0]) {
		draw_text(r.y, 0, r.w, THEME_HINT_TEXT, app->completions);
		return;
	}
	if (app->input == INPUT_CMDLINE || app->input == INPUT_FILTER) {
		draw_text(r.y, 0, r.w, THEME_HINT_TEXT,
		          app->input == INPUT_CMDLINE
		                  ? " Enter run  Tab complete  Up/Down history  Esc cancel"
		                  : " type to filter (live)  Enter keep  Esc clear");
		return;
	}
	unsigned ctx = app->overlay == OVERLAY_HELP     ? KC_HELP
	               : app->overlay == OVERLAY_DETAIL ? KC_DETAIL
	                                                : 1u << app->focus;
	char hint[512];
	keys_hint(ctx, app->cfg.readonly, hint, sizeof(hint), (size_t)r.w);
	/* "key word  key word": keys in their own role. */
	int x = 0;
	char *save, *item = strtok_r(hint, " ", &save);
	bool key = true;
	while (item && x < r.w) {
		x += draw_text(r.y, x, r.w - x, key ? THEME_HINT_KEY : THEME_HINT_TEXT, item);
		/* Separators are blanks: cut at the edge, never an ellipsis. */
		int sep = key ? 1 : 2;
		if (sep > r.w - x)
			sep = r.w - x;
		draw_fill(r.y, x, sep, THEME_HINT_TEXT);
		x += sep;
		key = !key;
		item = strtok_r(NULL, " ", &save);
	}
	if (app->cfg.readonly && x + 10 < r.w)
		draw_text(r.y, r.w - 10, 10, THEME_WARNING, "read-only");
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
	draw_header(app);
	if (app->overlay != OVERLAY_NONE) {
		app->overlay_pane.ops->draw(&app->overlay_pane, app);
	} else {
		for (int i = 0; i < PANE_COUNT; i++) {
			struct pane *p = &app->panes[i];
			if (p->r.h > 0)
				p->ops->draw(p, app);
		}
	}
	draw_hint(app);
	draw_status(app);
	if (app->input == INPUT_CMDLINE)
		draw_input(app, app->layout.slot[LS_STATUS].y, app->cols, ":");
	else if (app->input == INPUT_FILTER)
		draw_input(app, app->layout.slot[LS_STATUS].y, app->cols, "/");
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- keys ---- */

static unsigned focus_pane(struct app *app, enum pane_id id)
{
	app->overlay = OVERLAY_NONE;
	if (id <= PANE_POLS)
		app->main_pane = id;
	app->focus = id;
	if (app->zoom >= 0)
		app->zoom = slot_of(app, id);
	relayout(app);
	/* Not visible (short terminal): show it maximised. */
	if (app->panes[id].r.h == 0) {
		app->zoom = slot_of(app, id);
		relayout(app);
	}
	return PANE_REDRAW_ALL;
}

static unsigned cycle_focus(struct app *app, int dir)
{
	enum pane_id order[3] = {app->main_pane, PANE_EVENTS, PANE_LOG};
	int cur = 0;
	for (int i = 0; i < 3; i++)
		if (order[i] == app->focus)
			cur = i;
	for (int step = 1; step <= 3; step++) {
		enum pane_id next = order[(cur + 3 + dir * step) % 3];
		if (app->zoom >= 0 || app->panes[next].r.h > 0)
			return focus_pane(app, next);
	}
	return PANE_HANDLED;
}

static void start_input(struct app *app, enum input_mode mode)
{
	app->input = mode;
	app->completions[0] = '\0';
	lineedit_clear(app->le);
	if (mode == INPUT_FILTER)
		lineedit_set_text(app->le, app->panes[app->focus].filter);
}

static unsigned global_key(struct app *app, enum key_action act)
{
	struct pane *fp = &app->panes[app->focus];
	switch (act) {
	case KA_QUIT:
		app->quit = true;
		return PANE_QUIT;
	case KA_HELP:
		overlay_help_open(app);
		return PANE_REDRAW_ALL;
	case KA_PANE_SAS:
		return focus_pane(app, PANE_SAS);
	case KA_PANE_CONNS:
		return focus_pane(app, PANE_CONNS);
	case KA_PANE_POLS:
		return focus_pane(app, PANE_POLS);
	case KA_FOCUS_EVENTS:
		return focus_pane(app, PANE_EVENTS);
	case KA_FOCUS_LOG:
		return focus_pane(app, PANE_LOG);
	case KA_NEXT_PANE:
		return cycle_focus(app, 1);
	case KA_PREV_PANE:
		return cycle_focus(app, -1);
	case KA_MAXIMISE:
		app->zoom = app->zoom >= 0 ? -1 : (int)slot_of(app, app->focus);
		relayout(app);
		return PANE_REDRAW_ALL;
	case KA_DETAIL:
		overlay_detail_open(app, fp);
		return PANE_REDRAW_ALL;
	case KA_BACK:
		if (app->overlay != OVERLAY_NONE) {
			app->overlay = OVERLAY_NONE;
		} else if (fp->filter[0]) {
			fp->filter[0] = '\0';
			pane_filter_changed(fp, app);
		}
		return PANE_REDRAW_ALL;
	case KA_FILTER:
		start_input(app, INPUT_FILTER);
		return PANE_REDRAW_ALL;
	case KA_CMDLINE:
		start_input(app, INPUT_CMDLINE);
		return PANE_REDRAW_ALL;
	case KA_REFRESH:
		clearok(curscr, TRUE);
		app_vici_refresh_all(app);
		return PANE_REDRAW_ALL;
	case KA_INITIATE:
	case KA_TERMINATE:
	case KA_REKEY:
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

static void monitor_run_command(struct app *app, const char *line);

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

static void do_complete(struct app *app)
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
	struct pane *fp = &app->panes[app->focus];
	enum lineedit_result r = lineedit_key(app->le, k, (uint32_t)ch);
	switch (r) {
	case LINEEDIT_CHANGED:
		app->completions[0] = '\0';
		if (app->input == INPUT_FILTER) {
			snprintf(fp->filter, sizeof(fp->filter), "%s", lineedit_text(app->le));
			pane_filter_changed(fp, app);
		}
		break;
	case LINEEDIT_ACCEPT: {
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
			monitor_run_command(app, line);
		}
		free(line);
		break;
	}
	case LINEEDIT_CANCEL:
		if (app->input == INPUT_FILTER) {
			fp->filter[0] = '\0';
			pane_filter_changed(fp, app);
		}
		app->input = INPUT_NONE;
		lineedit_clear(app->le);
		break;
	case LINEEDIT_COMPLETE:
		if (app->input == INPUT_CMDLINE)
			do_complete(app);
		break;
	default:
		break;
	}
	return PANE_REDRAW_ALL;
}

static unsigned on_key(struct app *app, int ch, bool is_key)
{
	if (ch == KEY_RESIZE && is_key)
		return PANE_HANDLED; /* handled through SIGWINCH */
	if (app->input != INPUT_NONE)
		return input_key(app, ch, is_key);
	unsigned ctx = app->overlay == OVERLAY_HELP     ? KC_HELP
	               : app->overlay == OVERLAY_DETAIL ? KC_DETAIL
	                                                : 1u << app->focus;
	enum key_action act = keys_lookup(ctx, ch);
	if (act == KA_NONE)
		return PANE_HANDLED;
	struct pane *p =
	        app->overlay != OVERLAY_NONE ? &app->overlay_pane : &app->panes[app->focus];
	unsigned f = p->ops->key(p, app, act, ch);
	if (f != PANE_IGNORED)
		return f;
	return global_key(app, act);
}

/* ---- the command line ---- */

static void monitor_run_command(struct app *app, const char *line)
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
				apply_theme(app);
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

/* ---- the loop ---- */

static int64_t wall_offset_now(int64_t mono)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - mono;
}

static void read_keys(struct app *app)
{
	wint_t wch;
	int r;
	while ((r = get_wch(&wch)) != ERR) {
		unsigned f = on_key(app, (int)wch, r == KEY_CODE_YES);
		if (f & (PANE_REDRAW | PANE_REDRAW_ALL))
			app->redraw_all = true;
		if (app->quit)
			return;
	}
}

static void read_signals(struct app *app)
{
	unsigned char sigs[32];
	ssize_t n;
	while ((n = read(sig_pipe[0], sigs, sizeof(sigs))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (sigs[i] == SIGWINCH)
				on_resize(app);
			else
				app->quit = true;
		}
	}
}

static int poll_timeout(struct app *app)
{
	/* The next whole second keeps countdowns ticking. */
	int64_t next = (app->now / 1000 + 1) * 1000;
	int64_t d = app_vici_deadline(app);
	if (d >= 0 && d < next)
		next = d;
	if (app->status[0] && app->status_until > app->now && app->status_until < next)
		next = app->status_until;
	if (app->data_dirty && app->last_draw + FRAME_MS < next)
		next = app->last_draw + FRAME_MS;
	int64_t t = next - vici_now_ms();
	return t < 0 ? 0 : t > 1000 ? 1000 : (int)t;
}

static void loop(struct app *app)
{
	struct pollfd fds[MAX_FDS];
	void *tags[MAX_FDS];
	int64_t last_second = -1;
	while (!app->quit) {
		app->now = vici_now_ms();
		app->wall_offset = wall_offset_now(app->now);
		/* Data-driven redraws are capped at FRAME_MS apart (a log flood
		 * would otherwise redraw per line); keys redraw at once. */
		if (model_take_changes(app->model))
			app->data_dirty = true;
		if (app->data_dirty && app->now - app->last_draw >= FRAME_MS) {
			app->data_dirty = false;
			app->redraw_all = true;
		}
		if (app->now / 1000 != last_second) {
			last_second = app->now / 1000;
			app->redraw_all = true;
		}
		if (app->status[0] && app->now >= app->status_until) {
			app->status[0] = '\0';
			app->redraw_all = true;
		}
		if (app->redraw_all) {
			app->redraw_all = false;
			app->data_dirty = false;
			app->last_draw = app->now;
			draw_screen(app);
		}
		fds[0] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
		fds[1] = (struct pollfd){sig_pipe[0], POLLIN, 0};
		size_t n = 2 + app_vici_pollfds(app, fds + 2, tags + 2, MAX_FDS - 2);
		int rc = poll(fds, n, poll_timeout(app));
		app->now = vici_now_ms();
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && fds[1].revents)
			read_signals(app);
		if (rc > 0 && fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			app->quit = true; /* the terminal went away (SSH dropped) */
		if (rc > 0 && fds[0].revents & POLLIN)
			read_keys(app);
		for (size_t i = 2; rc > 0 && i < n; i++)
			if (fds[i].revents)
				app_vici_handle(app, tags[i], fds[i].revents);
		app->now = vici_now_ms();
		app_vici_tick(app);
		app_actions_reap(app);
	}
}

/* Frees the panes, the command line and the model (no VICI yet, or
 * already stopped). */
static void app_free_early(struct app *app)
{
	for (int i = 0; i < PANE_COUNT; i++)
		app->panes[i].ops->destroy(&app->panes[i]);
	app->overlay_pane.ops->destroy(&app->overlay_pane);
	lineedit_free(app->le);
	if (app->history)
		cmdline_history_close(app->history);
	free(app->confirm_msg);
	model_free(app->model);
	free(app);
}

int monitor_main(int argc, char **argv)
{
	struct monitor_options o;
	char err[512];
	if (monitor_parse_args(argc, argv, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "swantop: %s\n\n%s", err, usage_text);
		return MONITOR_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return MONITOR_EXIT_OK;
	}
	setlocale(LC_ALL, "");
	struct app *app = xcalloc(1, sizeof(*app));
	app->cfg.uri = o.uri;
	app->cfg.interval_ms = o.interval_ms;
	app->cfg.theme = o.theme ? o.theme : "default";
	app->cfg.readonly = o.readonly;
	if (theme_load(&app->theme, app->cfg.theme, err, sizeof(err)) < 0) {
		fprintf(stderr, "swantop: %s\n", err);
		free(app);
		return MONITOR_EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "swantop: the monitor needs a terminal (for scripts use "
		                "'swantop call' or 'swantop listen')\n");
		free(app);
		return MONITOR_EXIT_FAIL;
	}
	app->utf8 = sanitize_locale_is_utf8();
	app->model = model_new(NULL);
	app->zoom = -1;
	app->main_pane = app->focus = PANE_SAS;
	pane_init(&app->panes[PANE_SAS], &pane_sas_ops, app);
	pane_init(&app->panes[PANE_CONNS], &pane_conns_ops, app);
	pane_init(&app->panes[PANE_POLS], &pane_pols_ops, app);
	pane_init(&app->panes[PANE_EVENTS], &pane_events_ops, app);
	pane_init(&app->panes[PANE_LOG], &pane_log_ops, app);
	pane_init(&app->overlay_pane, &pane_text_ops, app);
	app->le = lineedit_new(500);
	char *herr = NULL;
	app->history = cmdline_history_open(NULL, 500, &herr);
	for (size_t i = 0; app->history && i < cmdline_history_count(app->history); i++)
		lineedit_history_add(app->le, cmdline_history_get(app->history, i));
	if (signals_setup() < 0) {
		fprintf(stderr, "swantop: cannot create the signal pipe\n");
		app_free_early(app);
		return MONITOR_EXIT_FAIL;
	}
	if (curses_setup(app) < 0) {
		const char *term = getenv("TERM");
		char *safe = sanitize_strdup(term ? term : "(unset)", 0);
		fprintf(stderr,
		        "swantop: cannot use the terminal type '%s' (set TERM, e.g. "
		        "xterm-256color)\n",
		        safe);
		free(safe);
		signals_teardown();
		app_free_early(app);
		return MONITOR_EXIT_FAIL;
	}
	relayout(app);
	if (herr) {
		app_status(app, THEME_WARNING, 5, "history: %s", herr);
		free(herr);
	}
	app->now = vici_now_ms();
	app_vici_start(app);
	if (app->cfg.readonly)
		app_status(app, THEME_INFO, 4, "read-only mode: actions are refused");
	loop(app);
	restore_terminal();
	signals_teardown();
	app_actions_free(app);
	app_vici_stop(app);
	app_free_early(app);
	return MONITOR_EXIT_OK;
}
