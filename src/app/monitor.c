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
#include "app/monitor.h"

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
#include "ui/cmdline.h"
#include "ui/bars.h"
#include "ui/draw.h"
#include "ui/keys.h"
#include "ui/layout.h"
#include "ui/lineedit.h"
#include "model/model.h"
#include "ui/panes.h"
#include "ui/rows.h"
#include "util/sanitize.h"
#include "ui/theme.h"
#include "ui/theme_curses.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

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
	app_theme_apply(app);
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

static void draw_screen(struct app *app)
{
	erase();
	if (app->layout.too_small) {
		draw_text(0, 0, app->cols, THEME_WARNING, "terminal too small");
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	bars_draw_header(app);
	if (app->overlay != OVERLAY_NONE) {
		app->overlay_pane.ops->draw(&app->overlay_pane, app);
	} else {
		for (int i = 0; i < PANE_COUNT; i++) {
			struct pane *p = &app->panes[i];
			if (p->r.h > 0)
				p->ops->draw(p, app);
		}
	}
	bars_draw_hint(app);
	bars_draw_status(app);
	if (app->input == INPUT_CMDLINE)
		bars_draw_input(app, app->layout.slot[LS_STATUS].y, app->cols, ":");
	else if (app->input == INPUT_FILTER)
		bars_draw_input(app, app->layout.slot[LS_STATUS].y, app->cols, "/");
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

/* Tab walks all five panes in the order of their number keys: SAs,
 * connections, policies (each shown in the main slot), events, log. */
static unsigned cycle_focus(struct app *app, int dir)
{
	int next = ((int)app->focus + PANE_COUNT + dir) % PANE_COUNT;
	return focus_pane(app, (enum pane_id)next);
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
			app_command_run(app, line);
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
			app_complete(app);
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

/* Leaves the command line, filter or confirmation being typed. */
static void input_cancel(struct app *app)
{
	struct pane *fp = &app->panes[app->focus];
	if (app->input == INPUT_CONFIRM) {
		app_confirm_cancel(app);
	} else {
		if (app->input == INPUT_FILTER) {
			fp->filter[0] = '\0';
			pane_filter_changed(fp, app);
		}
		app->input = INPUT_NONE;
		lineedit_clear(app->le);
	}
	app->redraw_all = true;
}

static void read_signals(struct app *app)
{
	unsigned char sigs[32];
	ssize_t n;
	while ((n = read(sig_pipe[0], sigs, sizeof(sigs))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (sigs[i] == SIGWINCH) {
				on_resize(app);
			} else if (sigs[i] == SIGINT && app->input != INPUT_NONE) {
				/* Ctrl-C while typing cancels the typing, as in a
				 * shell; otherwise it quits. */
				input_cancel(app);
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
