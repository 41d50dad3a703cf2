/*
 * A verdict as text (see verdict.h).
 */
#include "ui/verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/rows.h"
#include "util/sanitize.h"

/* An age; a time after now (a clock step) counts as now. */
static void age(char *buf, size_t size, int64_t at, int64_t now)
{
	fmt_delta(buf, size, at > now ? now : at, now, false);
}

static const char *side_words(enum diag_side s)
{
	return s == DIAG_SIDE_LOCAL ? ", refused here" : s == DIAG_SIDE_PEER ? ", by the peer" : "";
}

void verdict_summary(char *buf, size_t size, const struct diag_verdict *v, int64_t now)
{
	char first[16], last[16];
	age(first, sizeof(first), v->first_at, now);
	age(last, sizeof(last), v->last_at, now);
	snprintf(buf, size, "%s%s (%s%s), %u time%s since %s ago, last %s ago",
	         v->current ? "" : "last failure ", diag_code_name(v->code),
	         diag_layer_name(v->layer), side_words(v->side), v->count, v->count == 1 ? "" : "s",
	         first, last);
}

/* "  <label><s>" with s sanitised. */
static void add(struct lines *o, const char *label, const char *s, unsigned fl)
{
	char *safe = sanitize_dup(s, strlen(s), fl);
	lines_addf(o, "  %s%s", label, safe);
	free(safe);
}

void verdict_lines(struct lines *o, const struct diag_verdict *v, int64_t now, unsigned fl)
{
	if (*v->child)
		add(o, "child: ", v->child, fl);
	add(o, "", v->detail, fl);
	if (*v->peer || *v->peer_id) {
		char *peer = sanitize_dup(v->peer, strlen(v->peer), fl);
		char *id = sanitize_dup(v->peer_id, strlen(v->peer_id), fl);
		if (*v->peer_id)
			lines_addf(o, "  peer: %s%s%s)", peer, *v->peer ? " (" : "(", id);
		else
			lines_addf(o, "  peer: %s", peer);
		free(peer);
		free(id);
	}
	const char *what = v->code == DIAG_TS_UNACCEPTABLE ? "selectors" : "proposals";
	char label[32];
	if (!*v->ours && v->code == DIAG_NO_PROPOSAL)
		lines_addf(o, "  our proposals: not in charon's log (%s of the connection)",
		           v->layer == DIAG_LAYER_CHILD ? "esp_proposals" : "proposals");
	snprintf(label, sizeof(label), "our %s: ", what);
	if (*v->ours)
		add(o, label, v->ours, fl);
	snprintf(label, sizeof(label), "their %s: ", what);
	if (*v->theirs)
		add(o, label, v->theirs, fl);
	if (v->n_lines)
		lines_add(o, "  charon said:");
	for (size_t i = 0; i < v->n_lines; i++) {
		const struct diag_line *l = &v->lines[i];
		char a[16], group[SANITIZE_FIT_BUFSIZE(3)];
		age(a, sizeof(a), l->time, now);
		sanitize_fit(group, sizeof(group), l->group, strlen(l->group), 3,
		             fl | SANITIZE_PAD);
		char *msg = sanitize_dup(l->msg, l->len, fl);
		lines_addf(o, "    %5s %s %s", a, group, msg);
		free(msg);
	}
	if (!v->current) {
		char a[16];
		age(a, sizeof(a), v->cleared_at, now);
		lines_addf(o, "  (not current: it came up %s ago)", a);
		return;
	}
	add(o, "next: ", v->next, fl);
	if (*v->retry)
		add(o, "retry: ", v->retry, fl);
}
