/*
 * The text pane of the overlays: the help screen and the live detail view.
 *
 * The detail view is rebuilt from the model on every draw. An SA is
 * followed across its rekeys (the title says which SA it was opened on);
 * when what it shows is gone from the model, its last text stays on screen
 * under a line that says so, and it comes back by itself if the item
 * reappears.
 *
 * Tab turns the detail view of a connection or an SA into the timeline of
 * its connection: the records of the history store, newest first, in a
 * table; a down event shows the verdict recorded for its IKE SA. The pane
 * asks for the records (hist_want_timeline()), more as the operator
 * scrolls towards the end, and the application reads them from the store.
 */
#include "ui/overlay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/diag.h"
#include "ui/cmdline.h"
#include "ui/detail.h"
#include "ui/draw.h"
#include "ui/fields.h"
#include "ui/hist.h"
#include "ui/keys.h"
#include "ui/lines.h"
#include "ui/rows.h"
#include "util/sanitize.h"
#include "vici/xmalloc.h"

/* Records asked for at a time, and how close to the end of what is loaded
 * scrolling asks for more. */
#define TIMELINE_PAGE 200

struct text_state {
	char title[256];
	struct lines lines;
	bool is_detail;
	struct detail_subject subject;
	uint32_t opened_ike, opened_child; /* the SA the detail view was opened on */
	bool gone, followed;
	struct hist *hist;              /* where to ask for a timeline (may be NULL) */
	bool timeline;                  /* the timeline instead of the fields */
	char conn[TARGET_NAME_MAX + 1]; /* the timeline's connection */
	size_t tl_want;                 /* records asked for */
	bool to_end;                    /* End asked for more: go to the last once it is there */
	size_t fields_top;              /* the fields' scroll position, kept across Tab */
};

static void text_init(struct pane *p, const struct pane_init *in)
{
	struct text_state *ts = xcalloc(1, sizeof(struct text_state));
	ts->hist = in->hist;
	p->priv = ts;
}

static void text_destroy(struct pane *p)
{
	struct text_state *ts = p->priv;
	if (!ts)
		return;
	lines_free(&ts->lines);
	free(ts);
	p->priv = NULL;
}

static void detail_refresh(struct text_state *ts, const struct pane_ctx *c)
{
	char title[160];
	struct detail_src src = {c->model, c->diag, c->hist, c->now, !c->utf8};
	if (detail_build(&src, &ts->subject, title, sizeof(title), &ts->lines)) {
		ts->gone = false;
		if (ts->subject.kind == DETAIL_SA &&
		    (ts->subject.target.ike_id != ts->opened_ike ||
		     ts->subject.target.child_id != ts->opened_child))
			ts->followed = true;
		if (ts->followed && ts->subject.target.kind == TARGET_CHILD_SA)
			snprintf(ts->title, sizeof(ts->title), "%s, rekeyed (opened on c%u)", title,
			         ts->opened_child);
		else if (ts->followed)
			snprintf(ts->title, sizeof(ts->title), "%s, rekeyed (opened on #%u)", title,
			         ts->opened_ike);
		else
			snprintf(ts->title, sizeof(ts->title), "%s", title);
	} else {
		ts->gone = true;
	}
}

/* ---- the timeline ---------------------------------------------------------- */

struct tl_draw {
	const struct hist_list *recs;
	struct rows_style st;
};

/* The verdict recorded for a down event's IKE SA among the loaded records,
 * or "". */
static const char *verdict_of(const struct hist_list *l, const struct store_event *ev, char *buf,
                              size_t size)
{
	buf[0] = '\0';
	if ((ev->kind != STORE_EV_IKE_DOWN && ev->kind != STORE_EV_CHILD_DOWN) || !ev->ike_id)
		return buf;
	for (size_t i = 0; i < l->n; i++) {
		const struct store_event *v = &l->v[i].ev;
		if (v->kind == STORE_EV_VERDICT && v->ike_id == ev->ike_id && v->code.len) {
			snprintf(buf, size, "%.*s", (int)v->code.len, v->code.s);
			break;
		}
	}
	return buf;
}

static void tl_row(void *arg, size_t i, const unsigned *w, struct row *r)
{
	struct tl_draw *d = arg;
	const struct store_event *ev = &d->recs->v[i].ev;
	char verdict[64];
	rows_hist(r, ev, verdict_of(d->recs, ev, verdict, sizeof(verdict)), w, &d->st);
}

/* The records loaded for this timeline, or NULL while there are none. */
static const struct hist_list *tl_recs(const struct text_state *ts, const struct hist *h)
{
	return h && h->tl.conn && !strcmp(h->tl.conn, ts->conn) ? &h->tl.recs : NULL;
}

static void timeline_draw(struct pane *p, const struct pane_ctx *c)
{
	struct text_state *ts = p->priv;
	const struct hist *h = c->hist;
	const struct hist_list *recs = tl_recs(ts, h);
	char title[400], empty[400],
	        *safe = sanitize_dup(ts->conn, strlen(ts->conn), c->utf8 ? 0 : SANITIZE_ASCII);
	snprintf(title, sizeof(title), "timeline of %s (history, newest first)", safe);
	free(safe);
	if (!h || !h->enabled)
		snprintf(empty, sizeof(empty),
		         "no history: %s (swantop record keeps a store; "
		         "--db PATH names one)",
		         h ? h->where : "no history store");
	else if (!recs)
		snprintf(empty, sizeof(empty), "reading the history store ...");
	else
		snprintf(empty, sizeof(empty), "nothing recorded for this connection in %s",
		         h->where);
	char right[64];
	snprintf(right, sizeof(right), "%zu%s  Tab fields  q close", recs ? recs->n : 0,
	         recs && !h->tl.complete ? "+" : "");
	if (ts->to_end && recs && (recs->n >= ts->tl_want || h->tl.complete)) {
		p->lv.sel = recs->n ? recs->n - 1 : 0;
		ts->to_end = false;
	}
	struct tl_draw d = {recs, {c->utf8, c->now, c->wall_offset}};
	struct pane_list l = {
	        .title = title,
	        .right = right,
	        .columns = hist_columns,
	        .ncolumns = HC_COUNT,
	        .count = recs ? recs->n : 0,
	        .selected = p->lv.sel,
	        .empty = empty,
	        .row_fn = tl_row,
	        .arg = &d,
	};
	pane_list_draw(p, c, &l);
}

/* Asks for the timeline of the subject's connection, or for no timeline. */
static void timeline_want(struct text_state *ts, bool on)
{
	ts->timeline = on;
	if (on)
		ts->tl_want = TIMELINE_PAGE;
	if (ts->hist)
		hist_want_timeline(ts->hist, on ? ts->conn : NULL, ts->tl_want);
}

/* Tab: between the fields and the timeline of a connection or an SA's
 * connection. */
static unsigned timeline_toggle(struct pane *p)
{
	struct text_state *ts = p->priv;
	const struct target *t = &ts->subject.target;
	if (!ts->is_detail || (ts->subject.kind != DETAIL_CONN && ts->subject.kind != DETAIL_SA) ||
	    !t->ike.len)
		return PANE_HANDLED;
	if (ts->timeline) {
		timeline_want(ts, false);
		p->lv.sel = ts->fields_top;
		return PANE_REDRAW_ALL;
	}
	snprintf(ts->conn, sizeof(ts->conn), "%.*s", (int)t->ike.len, t->ike.s);
	ts->fields_top = p->lv.sel;
	p->lv.sel = p->lv.top = 0;
	timeline_want(ts, true);
	return PANE_REDRAW_ALL;
}

static unsigned timeline_key(struct pane *p, const struct pane_ctx *c, const struct key_input *k)
{
	struct text_state *ts = p->priv;
	const struct hist_list *recs = tl_recs(ts, c->hist);
	size_t vis = pane_body_rows(p, true);
	p->lv.count = recs ? recs->n : 0;
	unsigned f = listview_nav(&p->lv, k->action, vis);
	/* near the end of what is loaded: ask for the next page */
	if (f && recs && !c->hist->tl.complete && p->lv.sel + vis >= recs->n &&
	    ts->tl_want <= recs->n) {
		ts->tl_want = recs->n + TIMELINE_PAGE;
		hist_want_timeline(ts->hist, ts->conn, ts->tl_want);
	}
	ts->to_end = f && k->action == KA_END && recs && !c->hist->tl.complete;
	return f;
}

/* ---- the text pane ----------------------------------------------------------- */

static void text_draw(struct pane *p, const struct pane_ctx *c)
{
	struct text_state *ts = p->priv;
	if (ts->is_detail)
		detail_refresh(ts, c);
	if (ts->timeline) {
		timeline_draw(p, c);
		return;
	}
	bool tab =
	        ts->is_detail && (ts->subject.kind == DETAIL_CONN || ts->subject.kind == DETAIL_SA);
	draw_title(p->r, ts->title,
	           tab ? "Tab timeline  q/Esc close  Up/Down/PgUp/PgDn scroll"
	               : "q/Esc close  Up/Down/PgUp/PgDn scroll",
	           true, c->utf8);
	size_t vis = pane_body_rows(p, false);
	int y = p->r.y + 1;
	if (ts->gone && vis > 0) {
		draw_fill(y, p->r.x, p->r.w, THEME_DEFAULT);
		draw_text(y++, p->r.x + 1, p->r.w - 1, THEME_WARNING,
		          ts->subject.kind == DETAIL_EVENT || ts->subject.kind == DETAIL_LOG
		                  ? "(this entry fell off the ring: its last text is shown)"
		                  : "(gone from charon: terminated, deleted or unloaded; its last "
		                    "data is shown)");
		vis--;
	}
	/* sel is the first line shown. */
	size_t max_top = ts->lines.n > vis ? ts->lines.n - vis : 0;
	if (p->lv.sel > max_top)
		p->lv.sel = max_top;
	for (size_t i = 0; i < vis; i++, y++) {
		draw_fill(y, p->r.x, p->r.w, THEME_DEFAULT);
		size_t k = p->lv.sel + i;
		if (k < ts->lines.n) {
			const char *l = ts->lines.v[k];
			int role = (l[0] && l[0] != ' ') ? THEME_TITLE : THEME_DEFAULT;
			draw_text(y, p->r.x + 1, p->r.w - 1, role, l);
		}
	}
}

static unsigned text_key(struct pane *p, const struct pane_ctx *c, const struct key_input *k,
                         struct intent *out)
{
	(void)out;
	struct text_state *ts = p->priv;
	if (k->action == KA_TIMELINE)
		return timeline_toggle(p);
	if (k->action == KA_BACK || k->action == KA_DETAIL) {
		if (ts->timeline)
			timeline_want(ts, false);
		return PANE_CLOSE | PANE_REDRAW_ALL;
	}
	if (ts->timeline)
		return timeline_key(p, c, k);
	size_t vis = pane_body_rows(p, false);
	p->lv.count = ts->lines.n > vis ? ts->lines.n - vis + 1 : 1;
	unsigned f = listview_nav(&p->lv, k->action, vis);
	if (f)
		return f;
	return PANE_IGNORED;
}

bool overlay_copy_text(const struct pane *o, char *buf, size_t size)
{
	const struct text_state *ts = o->priv;
	if (!ts || !ts->is_detail || !size)
		return false;
	if (ts->timeline) {
		const char *t = pane_copy_text(o);
		if (!t || !*t)
			return false;
		snprintf(buf, size, "%s", t);
		return true;
	}
	if (o->lv.sel >= ts->lines.n)
		return false;
	const char *l = ts->lines.v[o->lv.sel], *eq = strstr(l, " = ");
	if (eq && l[0] == ' ')
		l = eq + 3;
	while (*l == ' ')
		l++;
	size_t n = strlen(l);
	while (n && l[n - 1] == ' ')
		n--;
	snprintf(buf, size, "%.*s", (int)n, l);
	return n > 0;
}

const struct pane_ops pane_text_ops = {
        .name = "text",
        .init = text_init,
        .draw = text_draw,
        .key = text_key,
        .destroy = text_destroy,
};

static void text_reset(struct pane *o, const char *title)
{
	struct text_state *ts = o->priv;
	if (ts->timeline)
		timeline_want(ts, false);
	lines_clear(&ts->lines);
	snprintf(ts->title, sizeof(ts->title), "%s", title);
	ts->is_detail = ts->gone = ts->followed = false;
	o->lv.sel = o->lv.top = 0;
}

static void help_emit(const char *line, void *arg)
{
	lines_add(arg, line);
}

static void help_legend(struct lines *l, const struct theme *t, bool utf8)
{
	static const struct {
		enum theme_role role;
		const char *meaning;
	} legend[] = {
	        {THEME_STATE_UP, "up / installed"},
	        {THEME_CONNECTING, "connecting"},
	        {THEME_REKEYING, "rekeying"},
	        {THEME_DELETING, "deleting"},
	        {THEME_STATE_DOWN, "down"},
	        {THEME_INFO, "routed / trap / notice"},
	        {THEME_WARNING, "retrying / unknown"},
	};
	size_t n = sizeof(legend) / sizeof(legend[0]);
	char leg[512];
	size_t k = (size_t)snprintf(leg, sizeof(leg), "  ");
	for (size_t i = 0; i < n && k < sizeof(leg); i++) {
		k += (size_t)snprintf(leg + k, sizeof(leg) - k, "%s %s   ",
		                      theme_glyph(t, legend[i].role, utf8), legend[i].meaning);
		if (i == 3 || i + 1 == n) {
			lines_add(l, leg);
			k = (size_t)snprintf(leg, sizeof(leg), "  ");
		}
	}
}

/* What the columns and views of verdicts and history mean. */
static void help_insight(struct lines *l, const struct theme *t, bool utf8, const struct hist *h)
{
	const char *dot = utf8 ? "\u00b7" : ":";
	lines_add(l, "");
	lines_add(l, "Why is it down? (connections pane, SA tree, detail view)");
	lines_addf(
	        l,
	        "  STATUS   up 1%s2: 1 IKE SA established %s 2 CHILD SAs installed; partial 1%s1: "
	        "a configured CHILD SA is missing",
	        dot, dot, dot);
	lines_add(
	        l,
	        "  WHY      the verdict on a connection or SA that is not up, as swantop why gives "
	        "it:");
	lines_addf(l,
	           "           %s no-proposal ts-unacceptable auth-failed install-failed refused "
	           "(configuration)",
	           theme_glyph(t, THEME_ERROR, utf8));
	lines_addf(l, "           %s peer-unreachable dpd-dead peer-deleted (the peer is gone)",
	           theme_glyph(t, THEME_STATE_DOWN, utf8));
	lines_addf(l, "           %s half-open child-missing should-be-up rekey-failed unknown",
	           theme_glyph(t, THEME_WARNING, utf8));
	lines_addf(l, "           %s up; empty: down, and nothing seen says why",
	           utf8 ? "\u00b7" : ".");
	lines_add(l, "  Enter    the verdict: who refused, IKE or CHILD, since when, charon's own "
	             "lines,");
	lines_add(l, "           what to check next and the swanctl command to retry");
	lines_add(l, "");
	lines_add(l,
	          "History (a store kept by the recorder, swantop record; --db PATH, read-only)");
	lines_addf(l, "  FLAPS    down events in the last 24 hours, IKE%sCHILD", dot);
	lines_add(l, "  Tab      in the detail of a connection or SA: its timeline, newest first");
	lines_add(l, "  LAST HOUR  a CHILD SA's traffic, a minute per cell (also in its detail)");
	lines_add(
	        l,
	        "  events   Up/PgUp past the oldest entry read older ones from the store (dated)");
	lines_addf(l, "  store    %s", !h ? "none" : h->where);
}

void overlay_help_open(struct pane *o, const struct theme *t, bool utf8, bool readonly,
                       const struct hist *h, const struct keymap *user)
{
	struct text_state *ts = o->priv;
	struct lines *l = &ts->lines;
	text_reset(o, "help");
	lines_add(l, "swantop: a monitor and control console for strongSwan's charon");
	lines_add(l, "");
	keymap_help(user, help_emit, l);
	keys_help(help_emit, l);
	lines_add(l, "");
	lines_add(l, "Command line (: then Tab completes commands, names and #ids)");
	size_t n;
	const struct cmdline_command *c = cmdline_commands(&n);
	for (size_t i = 0; i < n; i++) {
		const struct verb_def *d = verb_get(c[i].verb);
		lines_addf(l, "  %-26s %s%s", c[i].usage, c[i].help,
		           d && d->destructive ? " (asks first; refused with --readonly)" : "");
	}
	lines_add(l, "");
	lines_add(l, "Mouse: a click selects a row (and focuses its pane), a double-click opens");
	lines_add(l, "  its detail view, the wheel scrolls (--no-mouse or :set mouse off: none)");
	lines_add(l, "");
	lines_add(l, "States read without colour: glyphs and names are always shown.");
	help_legend(l, t, utf8);
	lines_add(l,
	          "  A \"?\" after a state: the last sweep did not list the SA (not confirmed).");
	help_insight(l, t, utf8, h);
	if (readonly)
		lines_add(l, "Read-only mode (--readonly): every action is refused.");
}

void overlay_filter_help_open(struct pane *o)
{
	struct text_state *ts = o->priv;
	text_reset(o, "help: filter");
	fields_help(help_emit, &ts->lines);
}

void overlay_detail_open(struct pane *o, const struct detail_subject *s)
{
	struct text_state *ts = o->priv;
	text_reset(o, "detail");
	ts->is_detail = true;
	ts->subject = *s;
	ts->opened_ike = s->target.ike_id;
	ts->opened_child = s->target.child_id;
}

void overlay_closed(struct pane *o)
{
	struct text_state *ts = o->priv;
	if (ts && ts->timeline)
		timeline_want(ts, false);
}

bool overlay_detail_ike(const struct pane *o, uint32_t *ike_id)
{
	const struct text_state *ts = o->priv;
	if (!ts || !ts->is_detail || ts->subject.kind != DETAIL_SA || ts->gone)
		return false;
	*ike_id = ts->subject.target.ike_id;
	return true;
}
