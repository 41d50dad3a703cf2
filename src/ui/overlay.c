/*
 * The text pane of the overlays: the help screen and the live detail view.
 *
 * The detail view is rebuilt from the model on every draw. An SA is
 * followed across its rekeys (the title says which SA it was opened on);
 * when what it shows is gone from the model, its last text stays on screen
 * under a line that says so, and it comes back by itself if the item
 * reappears.
 */
#include "ui/overlay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/cmdline.h"
#include "ui/detail.h"
#include "ui/draw.h"
#include "ui/keys.h"
#include "ui/lines.h"
#include "vici/xmalloc.h"

struct text_state {
	char title[256];
	struct lines lines;
	bool is_detail;
	struct detail_subject subject;
	uint32_t opened_ike, opened_child; /* the SA the detail view was opened on */
	bool gone, followed;
};

static void text_init(struct pane *p, const struct pane_init *in)
{
	(void)in;
	p->priv = xcalloc(1, sizeof(struct text_state));
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
	if (detail_build(c->model, &ts->subject, !c->utf8, title, sizeof(title), &ts->lines)) {
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

static void text_draw(struct pane *p, const struct pane_ctx *c)
{
	struct text_state *ts = p->priv;
	if (ts->is_detail)
		detail_refresh(ts, c);
	draw_title(p->r, ts->title, "q/Esc close  Up/Down/PgUp/PgDn scroll", true, c->utf8);
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
	(void)c, (void)out;
	struct text_state *ts = p->priv;
	size_t vis = pane_body_rows(p, false);
	p->lv.count = ts->lines.n > vis ? ts->lines.n - vis + 1 : 1;
	unsigned f = listview_nav(&p->lv, k->action, vis);
	if (f)
		return f;
	if (k->action == KA_BACK || k->action == KA_DETAIL)
		return PANE_CLOSE | PANE_REDRAW_ALL;
	return PANE_IGNORED;
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

void overlay_help_open(struct pane *o, const struct theme *t, bool utf8, bool readonly)
{
	struct text_state *ts = o->priv;
	struct lines *l = &ts->lines;
	text_reset(o, "help");
	lines_add(l, "swantop: a monitor and control console for strongSwan's charon");
	lines_add(l, "");
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
	lines_add(l, "States read without colour: glyphs and names are always shown.");
	help_legend(l, t, utf8);
	lines_add(l,
	          "  A \"?\" after a state: the last sweep did not list the SA (not confirmed).");
	if (readonly)
		lines_add(l, "Read-only mode (--readonly): every action is refused.");
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

bool overlay_detail_ike(const struct pane *o, uint32_t *ike_id)
{
	const struct text_state *ts = o->priv;
	if (!ts || !ts->is_detail || ts->subject.kind != DETAIL_SA || ts->gone)
		return false;
	*ike_id = ts->subject.target.ike_id;
	return true;
}
