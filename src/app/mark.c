/*
 * Marks and copying, the operator's ways of picking rows.
 *
 * m marks the selected row of the SA tree or the connections pane (the
 * mark is its identity, action/marks.h, and moves on with the SA across
 * rekeys), M clears them; with rows marked, t, r and i act on all of them
 * (act.c asks first). y copies what is selected to the clipboard through
 * the terminal (util/osc52.h), which works over SSH and, with set-clipboard
 * on, inside tmux. y is also the answer to a question: while one is open
 * every key goes to it (input.c), so y never copies then.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "ui/keys.h"
#include "ui/overlay.h"
#include "util/osc52.h"
#include "util/sanitize.h"

unsigned app_marks_kind(const struct app *app)
{
	if (app->overlay != OVERLAY_NONE)
		return 0;
	return app->focus == PANE_SAS ? MARKS_SAS : app->focus == PANE_CONNS ? MARKS_CONNS : 0;
}

void app_mark_toggle(struct app *app)
{
	unsigned kind = app_marks_kind(app);
	struct pane *p = &app->panes[app->focus];
	struct pane_ctx c;
	struct detail_subject s;
	if (!kind) {
		app_status(app, THEME_WARNING, 4,
		           "marks are for the SA tree (1) and connections (2)");
		return;
	}
	app_pane_ctx(app, p, &c);
	if (!pane_detail(p, &c, &s) || !(kind & (1u << s.target.kind))) {
		app_status(app, THEME_WARNING, 4, "nothing to mark here");
		return;
	}
	int rc = marks_toggle(&app->marks, &s.target);
	char who[96];
	target_short(&s.target, who, sizeof(who));
	if (rc < 0) {
		app_status(app, THEME_WARNING, 5, "%s: not marked: %s", who,
		           rc == -ENOSPC ? "too many marks" : "cannot be marked");
		return;
	}
	app_status(app, THEME_INFO, 4, "%s %s (%zu marked; M clears)", rc ? "marked" : "unmarked",
	           who, marks_count(&app->marks, kind));
	/* on to the next row, to mark several in a row */
	struct key_input down = {KA_DOWN, VERB_NONE, 0};
	struct intent in;
	memset(&in, 0, sizeof(in));
	p->ops->key(p, &c, &down, &in);
	app->redraw_all = true;
}

void app_marks_clear(struct app *app, bool all)
{
	unsigned kind = all ? ~0u : app_marks_kind(app);
	size_t n = marks_clear(&app->marks, kind ? kind : ~0u);
	app_status(app, THEME_INFO, 3, "%zu mark%s cleared", n, n == 1 ? "" : "s");
}

void app_marks_check(struct app *app)
{
	size_t before = app->marks.n;
	/* said nowhere: a bulk terminate's result line stays readable */
	if (marks_follow(&app->marks, app->model) || before != app->marks.n)
		app->redraw_all = true;
}

/* Writes all of s to the terminal (the sequence is not drawn: curses does
 * not know of it and the screen does not change). */
static int term_write(const char *s, size_t len)
{
	if (!isatty(STDOUT_FILENO))
		return -ENOTTY;
	while (len) {
		ssize_t k = write(STDOUT_FILENO, s, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -errno;
		s += k;
		len -= (size_t)k;
	}
	return 0;
}

void app_copy(struct app *app)
{
	char buf[OSC52_MAX + 1];
	const char *text = NULL;
	if (app->overlay == OVERLAY_DETAIL) {
		if (overlay_copy_text(&app->overlay_pane, buf, sizeof(buf)))
			text = buf;
	} else if (app->overlay == OVERLAY_NONE) {
		text = pane_copy_text(&app->panes[app->focus]);
	}
	if (!text || !*text) {
		app_status(app, THEME_WARNING, 4, "nothing to copy: no row selected");
		return;
	}
	size_t len = strlen(text), seqlen;
	char *seq = osc52_sequence(text, len, &seqlen);
	if (!seq) {
		app_status(app, THEME_WARNING, 5, "not copied: %zu bytes, at most %d", len,
		           OSC52_MAX);
		return;
	}
	int rc = term_write(seq, seqlen);
	free(seq);
	if (rc < 0) {
		app_status(app, THEME_WARNING, 5, "not copied: %s", strerror(-rc));
		return;
	}
	/* the text is already safe; tabs shown as spaces */
	char preview[64];
	size_t n = 0;
	for (const char *t = text; *t && n + 4 < sizeof(preview) && n < 40; t++)
		preview[n++] = *t == '\t' ? ' ' : *t;
	while (n && ((unsigned char)preview[n - 1] & 0xc0) == 0x80)
		n--; /* not inside a UTF-8 character */
	if (n && ((unsigned char)preview[n - 1] & 0x80))
		n--;
	preview[n] = '\0';
	app_status(app, THEME_STATUS_OK, 5, "copied %zu bytes: %s%s%s", len, preview,
	           n < len ? "..." : "",
	           getenv("TMUX") ? "  (in tmux: needs set-clipboard on)" : "");
}
