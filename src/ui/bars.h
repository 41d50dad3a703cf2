/*
 * The bars around the panes: the two header lines (daemon, SA totals,
 * workers, the state of the monitor's VICI connections, the age of the
 * data), the status line (running actions, messages, the command line or
 * filter being typed, confirmation questions) and the hint bar generated
 * from the key table. The status line's message is ui state of its own
 * (struct status); everything else the bars show is handed to them in a
 * struct bars_info on each draw.
 */
#ifndef SWANTOP_UI_BARS_H
#define SWANTOP_UI_BARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action/action.h"
#include "model/model.h"
#include "ui/layout.h"
#include "ui/theme.h"

struct lineedit;

/* A message on the status line that goes away after a while. */
struct status {
	char text[512]; /* already safe */
	int role;       /* enum theme_role */
	int64_t until;  /* monotonic ms; shown while now < until */
};

/* Sets the message (printf; sanitise hostile parts before passing them),
 * shown for seconds from now. */
void status_set(struct status *s, int64_t now, int role, int seconds, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
/* The message is still to be shown at now. */
bool status_shown(const struct status *s, int64_t now);

/* What the bottom line is editing, if anything. */
enum input_mode {
	INPUT_NONE,
	INPUT_FILTER,  /* "/" live filter of the focused pane */
	INPUT_CMDLINE, /* ":" command line */
	INPUT_CONFIRM, /* y/n question for a destructive action */
};

/* One of the monitor's own connections to charon. */
struct bars_link {
	const char *role;  /* "monitor", "listener" */
	int state;         /* enum vici_session_state */
	bool answered;     /* charon answered on it since it came up */
	const char *error; /* sanitised; "" if none */
};

struct bars_info {
	const struct model *model;
	const struct theme *theme;
	const struct layout *layout;
	bool utf8, readonly;
	int64_t now;
	struct bars_link links[2]; /* monitor, listener */
	int64_t retry_at;          /* the monitor link's next attempt, or -1 */
	int64_t last_data;         /* monotonic ms of the last list-sa data, 0: none */
	int64_t stale_after_ms;    /* data older than this is drawn as stale */
	const char *alert_state;   /* "alerts: not supported" or "" */
	/* the counter periods (ms; 0: not shown) and the load they add up to
	 * on charon (ms of CPU per second) */
	int64_t period_visible, period_sweep;
	double load;
	/* running actions: how many, and the oldest */
	size_t running;
	enum verb running_verb;
	const char *running_label;
	int64_t running_started;
	/* the bottom line */
	enum input_mode input;
	const char *question;    /* INPUT_CONFIRM */
	const char *completions; /* candidates above the command line, or "" */
	struct lineedit *le;     /* INPUT_FILTER / INPUT_CMDLINE */
	unsigned hint_ctx;       /* KC_* of what has the keys */
	const struct status *status;
};

/* A counter period for the header: "1.5s" under 10 s, else "34s", "2m05s". */
void bars_period(char *buf, size_t size, int64_t ms);

/* Draws the header, the hint bar and the status line (or the line being
 * typed, with the cursor placed in it). */
void bars_draw(const struct bars_info *b);

#endif
