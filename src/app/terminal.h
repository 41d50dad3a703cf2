/*
 * The terminal: curses for output, raw bytes for input, the modes the
 * monitor sets, and the signals that concern them.
 *
 * Modes while the monitor runs: raw (no echo, no line editing, ISIG and
 * IXON/IXOFF off, so C-c, C-\, C-z, C-s and C-q arrive as keys and neither
 * kill nor freeze it), the alternate screen, the cursor hidden,
 * bracketed paste on (ESC [ ? 2004 h), so that a paste reaches the monitor
 * as one paste event, never as keys, and, unless the operator turned the
 * mouse off, mouse reports (ESC [ ? 1000 h, 1002 h, 1006 h: SGR form). Keys are not read through
 * curses (keypad() is off): terminal_read() hands the terminal's bytes to the key decoder
 * (ui/termkeys.h), which terminal_keys_add() primes with the terminal's terminfo key strings.
 *
 * The terminal is given back exactly as it was at start (normal screen,
 * cursor, echo and line editing, bracketed paste and mouse reports off) on
 * every way out:
 * normal quit, SIGTERM/SIGINT/SIGHUP (written to a self-pipe the loop
 * reads), fatal signals and SIGQUIT (the handler writes a prepared restore
 * string and the saved terminal modes, async-signal-safely, then dies the
 * way it would have), exit() from anywhere (atexit), and while suspended
 * (C-z or SIGTSTP, see terminal_suspend()).
 */
#ifndef SWANTOP_APP_TERMINAL_H
#define SWANTOP_APP_TERMINAL_H

#include <stdbool.h>
#include <stdint.h>

struct termkeys;

/* Installs the signal handlers and the self-pipe. Returns 0 or -errno. */
int terminal_signals_setup(void);
void terminal_signals_teardown(void);
/* The read end of the self-pipe: one byte per signal (its number):
 * SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGTSTP and SIGCONT. */
int terminal_signal_fd(void);

/* Starts curses on the controlling terminal (stdin/stdout) and sets the
 * modes above. Returns 0 or -ENOTTY when the terminal type cannot be used. */
int terminal_start(void);
/* Adds the terminal's terminfo key strings to the decoder (after
 * terminal_start()), so keys this terminal sends in its own way are known. */
void terminal_keys_add(struct termkeys *tk);
/* Reads what the terminal sent (call when poll() says it is readable) and
 * feeds it to tk at time now. Returns the number of bytes, -EAGAIN when
 * there was nothing after all, or 0 / another negative errno when the
 * terminal is gone (EOF, hangup). */
int terminal_read(struct termkeys *tk, int64_t now);
/* Turns mouse reports on or off: at once if the terminal is ours, and on
 * every later start, resume and continue. Off by default. */
void terminal_mouse(bool on);
/* Gives the terminal back (idempotent): modes off, normal screen, cursor,
 * the shell's terminal modes. */
void terminal_restore(void);
/* Gives the terminal back as terminal_restore() does and stops the process
 * with SIGTSTP until SIGCONT (the shell's fg), then takes the terminal again
 * (modes re-enabled, the screen to be redrawn in full). Returns false when
 * the process was not stopped (no job control: an orphaned process group
 * ignores SIGTSTP). */
bool terminal_suspend(void);
/* After SIGCONT when the process was stopped from outside (SIGSTOP): the
 * shell may have set its own terminal modes meanwhile, so ours are set
 * again and the screen is to be redrawn in full. */
void terminal_continue(void);
/* After SIGWINCH (or SIGCONT): takes the new size and asks for a full
 * redraw; *rows and *cols get it. */
void terminal_resize(int *rows, int *cols);

#endif
