/*
 * The terminal: curses on and off, and the signals that concern it. The
 * terminal is restored on every way out: normal quit, SIGTERM/SIGINT/SIGHUP
 * (written to a self-pipe the loop reads), fatal signals (the handler
 * restores, then dies the way it would have) and exit() from anywhere
 * (atexit).
 */
#ifndef SWANTOP_APP_TERMINAL_H
#define SWANTOP_APP_TERMINAL_H

#include <stdbool.h>

/* Installs the signal handlers and the self-pipe. Returns 0 or -errno. */
int terminal_signals_setup(void);
void terminal_signals_teardown(void);
/* The read end of the self-pipe: one byte per signal (its number). */
int terminal_signal_fd(void);

/* Starts curses on the controlling terminal (stdin/stdout). Returns 0 or
 * -ENOTTY when the terminal type cannot be used. */
int terminal_start(void);
/* Gives the terminal back (idempotent; also async-signal-safe enough for
 * the fatal-signal path, as curses allows). */
void terminal_restore(void);
/* After SIGWINCH: takes the new size; *rows and *cols get it. */
void terminal_resize(int *rows, int *cols);

#endif
