/*
 * Curses, terminal modes and signals (see terminal.h).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wide-character curses */
#endif
#include "app/terminal.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "ui/termkeys.h"

#define PASTE_ON "\033[?2004h"
#define PASTE_OFF "\033[?2004l"
/* Clicks and the wheel (1000), drags (1002), reported in SGR form (1006):
 * no limit on the coordinates, and releases say which button. */
#define MOUSE_ON "\033[?1000h\033[?1002h\033[?1006h"
#define MOUSE_OFF "\033[?1006l\033[?1002l\033[?1000l"
#define SEND(s) write_all(s, sizeof(s) - 1)

/* The terminal is ours: program modes set, alternate screen, paste on. */
static volatile sig_atomic_t taken;
/* Curses was started and not ended for good. */
static bool curses_started;
static volatile sig_atomic_t cont_seen;
static int sig_pipe[2] = {-1, -1};
/* For the fatal-signal path, which may call neither curses nor malloc: the
 * terminal modes before we started, and what undoes ours on the screen. */
static struct termios shell_tio;
static bool have_shell_tio;
static char restore_seq[256];
static size_t restore_len;
/* The operator wants mouse reports (terminal_mouse()). */
static bool mouse_wanted;

/* Writes all of s, ignoring errors (async-signal-safe). */
static void write_all(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (sig == SIGCONT)
		cont_seen = 1;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* pipe full: a wakeup is pending anyway */
	}
	errno = saved;
}

/* Appends the terminfo string cap to the restore string, without padding
 * ("$<5>"), which only tputs() understands. */
static void restore_add(const char *cap)
{
	const char *s = tigetstr((char *)cap);
	if (!s || s == (char *)-1)
		return;
	for (; *s && restore_len + 1 < sizeof(restore_seq); s++) {
		if (s[0] == '$' && s[1] == '<' && strchr(s, '>')) {
			s = strchr(s, '>');
			continue;
		}
		restore_seq[restore_len++] = *s;
	}
}

static void restore_prepare(void)
{
	/* mouse off whether it is on or not: the handler cannot know */
	restore_len = 0;
	memcpy(restore_seq, PASTE_OFF MOUSE_OFF, sizeof(PASTE_OFF MOUSE_OFF) - 1);
	restore_len = sizeof(PASTE_OFF MOUSE_OFF) - 1;
	restore_add("sgr0");
	restore_add("cnorm");
	restore_add("rmcup");
}

/* The modes the monitor asks the terminal for, and their undoing. */
static void modes_on(void)
{
	SEND(PASTE_ON);
	if (mouse_wanted)
		SEND(MOUSE_ON);
}

static void modes_off(void)
{
	SEND(PASTE_OFF);
	if (mouse_wanted)
		SEND(MOUSE_OFF);
}

void terminal_mouse(bool on)
{
	if (taken && on != mouse_wanted) {
		if (on)
			SEND(MOUSE_ON);
		else
			SEND(MOUSE_OFF);
	}
	mouse_wanted = on;
}

void terminal_restore(void)
{
	if (!curses_started)
		return;
	curses_started = false;
	if (taken) {
		taken = 0;
		modes_off();
		curs_set(1);
		endwin();
	}
}

/* Fatal signals and SIGQUIT: give the terminal back with what is safe in a
 * signal handler (write, tcsetattr; curses is neither), then die the way we
 * would have. */
static void on_fatal(int sig)
{
	if (taken) {
		taken = 0;
		write_all(restore_seq, restore_len);
		if (have_shell_tio)
			tcsetattr(STDIN_FILENO, TCSANOW, &shell_tio);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT};
static const int loop_signals[] = {SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGTSTP, SIGCONT};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int terminal_signals_setup(void)
{
	static bool at_exit;
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
	/* Installed before newterm(): curses then leaves SIGWINCH and SIGTSTP
	 * to us. */
	for (size_t i = 0; i < COUNT(loop_signals); i++)
		sigaction(loop_signals[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < COUNT(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	if (!at_exit)
		atexit(terminal_restore);
	at_exit = true;
	return 0;
}

void terminal_signals_teardown(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (size_t i = 0; i < COUNT(loop_signals); i++)
		sigaction(loop_signals[i], &sa, NULL);
	for (size_t i = 0; i < COUNT(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
}

int terminal_signal_fd(void)
{
	return sig_pipe[0];
}

/* Raw input, whatever curses' raw() covers on this system: no signals from
 * keys, no flow control (C-s would freeze the screen), 8-bit clean. The
 * result becomes curses' program mode, which it restores after a suspend. */
static void modes_raw(void)
{
	struct termios t;
	if (tcgetattr(STDIN_FILENO, &t) == 0) {
		t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY | ISTRIP | INLCR | IGNCR | BRKINT);
		t.c_lflag &= ~(tcflag_t)(ISIG | ICANON | ECHO | IEXTEN);
		t.c_cflag |= CS8;
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	def_prog_mode();
}

/* newterm() rather than initscr(): initscr() exits the process on an
 * unusable TERM, newterm() lets us say why and clean up. */
int terminal_start(void)
{
	have_shell_tio = tcgetattr(STDIN_FILENO, &shell_tio) == 0;
	if (!newterm(NULL, stdout, stdin))
		return -ENOTTY;
	curses_started = true;
	raw();
	noecho();
	nonl();
	keypad(stdscr, FALSE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	modes_raw();
	restore_prepare();
	modes_on();
	taken = 1;
	return 0;
}

void terminal_keys_add(struct termkeys *tk)
{
	const char *name;
	uint32_t key;
	for (size_t i = 0; termkeys_terminfo_cap(i, &name, &key); i++) {
		const char *s = tigetstr((char *)name);
		if (s && s != (char *)-1 && *s)
			termkeys_add(tk, s, key);
	}
}

int terminal_read(struct termkeys *tk, int64_t now)
{
	unsigned char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n > 0) {
		termkeys_feed(tk, buf, (size_t)n, now);
		return (int)n;
	}
	if (n == 0)
		return 0;
	return errno == EINTR || errno == EAGAIN ? -EAGAIN : -errno;
}

bool terminal_suspend(void)
{
	if (!taken)
		return false;
	taken = 0;
	modes_off();
	endwin();
	/* Stop as the shell expects (SIGTSTP's default action); the handler
	 * goes back once SIGCONT has let us go on. */
	struct sigaction dfl, old;
	memset(&dfl, 0, sizeof(dfl));
	sigemptyset(&dfl.sa_mask);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &dfl, &old);
	sigset_t set, prev;
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &set, &prev);
	cont_seen = 0;
	raise(SIGTSTP);
	sigprocmask(SIG_SETMASK, &prev, NULL);
	sigaction(SIGTSTP, &old, NULL);
	bool stopped = cont_seen;
	/* Take the terminal back: the program modes, the alternate screen
	 * (doupdate() does it on the next draw after clearok()) and paste. */
	reset_prog_mode();
	modes_on();
	taken = 1;
	clearok(curscr, TRUE);
	return stopped;
}

void terminal_continue(void)
{
	if (!taken)
		return;
	reset_prog_mode();
	modes_on();
	clearok(curscr, TRUE);
}

void terminal_resize(int *rows, int *cols)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	*rows = LINES;
	*cols = COLS;
}
