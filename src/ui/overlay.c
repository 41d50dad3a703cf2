/*
 * Overlays drawn over the panes: the help screen, generated from the key
 * table and the command table, and the detail view, which walks the raw VICI
 * elements charon sent for the selected item and shows every field with
 * nested sections indented. Also the small helpers every pane shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "ui/cmdline.h"
#include "ui/draw.h"
#include "ui/keys.h"
#include "model/model.h"
#include "ui/panes.h"
#include "ui/rows.h"
#include "util/sanitize.h"
#include "ui/theme.h"
#include "vici/wire.h"
#include "vici/xmalloc.h"

struct text_state {
	char title[160];
	char **lines;
	size_t n, cap;
	/* A live SA detail view: rebuilt on every draw from the model, so
	 * counters and countdowns move while it is open. */
	bool live;
	uint32_t ike_id, child_id;
};

void *pane_ring_state_new(void);

void pane_init(struct pane *p, const struct pane_ops *ops, struct app *app)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	if (ops == &pane_sas_ops)
		p->priv = model_view_new(app->model);
	else if (ops == &pane_events_ops || ops == &pane_log_ops) {
		p->priv = pane_ring_state_new();
		p->lv.follow = true;
	} else if (ops == &pane_text_ops)
		p->priv = xcalloc(1, sizeof(struct text_state));
}

void pane_filter_changed(struct pane *p, struct app *app)
{
	(void)app;
	if (p->ops == &pane_sas_ops)
		model_view_set_filter(p->priv, p->filter, strlen(p->filter));
	else
		p->lv.sel = p->lv.top = 0;
}

size_t pane_body_rows(const struct pane *p, bool heading)
{
	int h = p->r.h - 1 - (heading ? 1 : 0);
	return h > 0 ? (size_t)h : 0;
}

void pane_table_heading(const struct pane *p, const struct column *c, size_t n, unsigned *w,
                        bool utf8)
{
	struct row row;
	columns_fit(c, n, (size_t)p->r.w, w);
	row_init(&row, utf8 ? 0 : SANITIZE_ASCII);
	rows_header(&row, c, n, w);
	draw_row(p->r.y + 1, p->r.x, p->r.w, &row, -1);
}

int pane_sel_role(const struct app *app, const struct pane *p)
{
	bool focused = app->overlay == OVERLAY_NONE && &app->panes[app->focus] == p;
	return focused ? THEME_SELECTED : THEME_SELECTED_INACTIVE;
}

static void text_clear(struct text_state *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		free(ts->lines[i]);
	ts->n = 0;
}

void overlay_text_add(struct pane *p, const char *line)
{
	struct text_state *ts = p->priv;
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 64;
		ts->lines = xreallocarray(ts->lines, ts->cap, sizeof(*ts->lines));
	}
	ts->lines[ts->n++] = xstrdup(line);
}

void overlay_text_set(struct pane *p, const char *title, const char *const *lines, size_t n)
{
	struct text_state *ts = p->priv;
	text_clear(ts);
	snprintf(ts->title, sizeof(ts->title), "%s", title);
	ts->live = false;
	for (size_t i = 0; i < n; i++)
		overlay_text_add(p, lines[i]);
	p->lv.sel = p->lv.top = 0;
}

static bool detail_sa_build(struct app *app, struct pane *o, uint32_t ike_id, uint32_t child_id,
                            bool ascii);

static void text_draw(struct pane *p, struct app *app)
{
	struct text_state *ts = p->priv;
	if (ts->live) {
		size_t keep = p->lv.sel;
		char title[160];
		memcpy(title, ts->title, sizeof(title));
		if (!detail_sa_build(app, p, ts->ike_id, ts->child_id, !app->utf8)) {
			/* Gone (terminated, rekeyed): keep the last text, say so. */
			overlay_text_set(p, title, NULL, 0);
			overlay_text_add(p, title);
			overlay_text_add(p, "  (this SA is gone; the last data is not kept)");
			ts->live = false;
		}
		p->lv.sel = keep;
	}
	draw_title(p->r, ts->title, "q/Esc close  Up/Down/PgUp/PgDn scroll", true, app->utf8);
	size_t vis = pane_body_rows(p, false);
	/* sel is the first line shown. */
	size_t max_top = ts->n > vis ? ts->n - vis : 0;
	if (p->lv.sel > max_top)
		p->lv.sel = max_top;
	for (size_t i = 0; i < vis; i++) {
		int y = p->r.y + 1 + (int)i;
		draw_fill(y, p->r.x, p->r.w, THEME_DEFAULT);
		size_t k = p->lv.sel + i;
		if (k < ts->n) {
			const char *l = ts->lines[k];
			int role = (l[0] && l[0] != ' ') ? THEME_TITLE : THEME_DEFAULT;
			draw_text(y, p->r.x + 1, p->r.w - 1, role, l);
		}
	}
}

static unsigned text_key(struct pane *p, struct app *app, int action, int ch)
{
	struct text_state *ts = p->priv;
	size_t vis = pane_body_rows(p, false);
	p->lv.count = ts->n > vis ? ts->n - vis + 1 : 1;
	unsigned f = listview_nav(&p->lv, action, vis);
	if (f)
		return f;
	if (action == KA_BACK || action == KA_DETAIL) {
		app->overlay = OVERLAY_NONE;
		return PANE_REDRAW_ALL;
	}
	return PANE_IGNORED;
}

static void text_resize(struct pane *p, struct rect r)
{
	p->r = r;
}

static void text_destroy(struct pane *p)
{
	struct text_state *ts = p->priv;
	if (!ts)
		return;
	text_clear(ts);
	free(ts->lines);
	free(ts);
	p->priv = NULL;
}

const struct pane_ops pane_text_ops = {
        .name = "text",
        .draw = text_draw,
        .key = text_key,
        .resize = text_resize,
        .destroy = text_destroy,
};

static void help_emit(const char *line, void *arg)
{
	overlay_text_add(arg, line);
}

void overlay_help_open(struct app *app)
{
	struct pane *p = &app->overlay_pane;
	overlay_text_set(p, "help", NULL, 0);
	overlay_text_add(p, "swantop: a monitor and control console for strongSwan's charon");
	overlay_text_add(p, "");
	keys_help(help_emit, p);
	overlay_text_add(p, "");
	overlay_text_add(p, "Command line (: then Tab completes commands, names and #ids)");
	size_t n;
	const struct cmdline_command *c = cmdline_commands(&n);
	char line[256];
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "  %-26s %s%s", c[i].usage, c[i].help,
		         c[i].destructive ? " (asks first; refused with --readonly)" : "");
		overlay_text_add(p, line);
	}
	overlay_text_add(p, "");
	overlay_text_add(p, "States read without colour: glyphs and names are always shown.");
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
	char leg[512];
	size_t l = (size_t)snprintf(leg, sizeof(leg), "  ");
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]) && l < sizeof(leg); i++) {
		l += (size_t)snprintf(leg + l, sizeof(leg) - l, "%s %s   ",
		                      theme_glyph(&app->theme, legend[i].role, app->utf8),
		                      legend[i].meaning);
		if (i == 3 || i + 1 == sizeof(legend) / sizeof(legend[0])) {
			overlay_text_add(p, leg);
			l = (size_t)snprintf(leg, sizeof(leg), "  ");
		}
	}
	overlay_text_add(
	        p, "  A \"?\" after a state: the last sweep did not list the SA (not confirmed).");
	if (app->cfg.readonly)
		overlay_text_add(p, "Read-only mode (--readonly): every action is refused.");
	app->overlay = OVERLAY_HELP;
}

/* Appends the sanitised elements of a raw VICI message, indented by depth. */
static void walk_raw(struct pane *p, const uint8_t *msg, size_t len, int indent, bool ascii)
{
	struct vici_parser ps;
	struct vici_element e;
	int depth = indent, rc;
	unsigned fl = ascii ? SANITIZE_ASCII : 0;
	vici_parser_init(&ps, msg, len);
	char line[1024];
	while ((rc = vici_parser_next(&ps, &e)) > 0) {
		char *name = e.name ? sanitize_dup(e.name, e.name_len, fl) : NULL;
		char *val = e.value ? sanitize_dup(e.value, e.value_len, fl) : NULL;
		switch (e.type) {
		case VICI_SECTION_START:
			snprintf(line, sizeof(line), "%*s%s {", depth * 2, "", name);
			overlay_text_add(p, line);
			depth++;
			break;
		case VICI_SECTION_END:
			depth = depth > indent ? depth - 1 : indent;
			snprintf(line, sizeof(line), "%*s}", depth * 2, "");
			overlay_text_add(p, line);
			break;
		case VICI_KEY_VALUE:
			snprintf(line, sizeof(line), "%*s%s = %s", depth * 2, "", name, val);
			overlay_text_add(p, line);
			break;
		case VICI_LIST_START:
			snprintf(line, sizeof(line), "%*s%s = [", depth * 2, "", name);
			overlay_text_add(p, line);
			break;
		case VICI_LIST_ITEM:
			snprintf(line, sizeof(line), "%*s  %s", depth * 2, "", val);
			overlay_text_add(p, line);
			break;
		case VICI_LIST_END:
			snprintf(line, sizeof(line), "%*s]", depth * 2, "");
			overlay_text_add(p, line);
			break;
		}
		free(name);
		free(val);
	}
	if (rc < 0)
		overlay_text_add(p, "  (malformed data: the rest is not shown)");
}

static void add_kv(struct pane *p, const char *k, struct model_str v, bool ascii)
{
	char *s = sanitize_dup(v.s, v.len, ascii ? SANITIZE_ASCII : 0);
	char line[1024];
	snprintf(line, sizeof(line), "  %s = %s", k, s);
	overlay_text_add(p, line);
	free(s);
}

/* (Re)builds the detail text of an IKE SA (child_id 0) or CHILD SA. */
static bool detail_sa_build(struct app *app, struct pane *o, uint32_t ike_id, uint32_t child_id,
                            bool ascii)
{
	const struct model_ike *ike = NULL;
	const struct model_child *ch = NULL;
	char title[160], *name;
	unsigned fl = ascii ? SANITIZE_ASCII : 0;
	if (child_id)
		ch = model_child_find(app->model, child_id, &ike);
	else
		ike = model_ike_find(app->model, ike_id);
	if (!ike || (child_id && !ch))
		return false;
	if (!ch) {
		name = sanitize_dup(ike->name.s, ike->name.len, fl);
		snprintf(title, sizeof(title), "IKE SA %s #%u", name, ike->uniqueid);
		overlay_text_set(o, title, NULL, 0);
		overlay_text_add(o, title);
		walk_raw(o, ike->raw.msg, ike->raw.len, 1, ascii);
		for (size_t i = 0; i < ike->n_children; i++) {
			const struct model_child *c = &ike->children[i];
			char *cn = sanitize_dup(c->key.s, c->key.len, fl);
			char line[300];
			snprintf(line, sizeof(line), "  child-sas.%s {", cn);
			overlay_text_add(o, line);
			walk_raw(o, c->raw.msg, c->raw.len, 2, ascii);
			overlay_text_add(o, "  }");
			free(cn);
		}
	} else {
		name = sanitize_dup(ch->name.s, ch->name.len, fl);
		snprintf(title, sizeof(title), "CHILD SA %s c%u (IKE SA #%u)", name, ch->uniqueid,
		         ike->uniqueid);
		overlay_text_set(o, title, NULL, 0);
		overlay_text_add(o, title);
		walk_raw(o, ch->raw.msg, ch->raw.len, 1, ascii);
	}
	free(name);
	struct text_state *ts = o->priv;
	ts->live = true;
	ts->ike_id = ike_id;
	ts->child_id = child_id;
	return true;
}

static void detail_sa(struct app *app, struct pane *o, struct pane *from, bool ascii)
{
	struct model_view *v = from->priv;
	size_t sel = model_view_selected(v);
	const struct model_row *r = sel == MODEL_VIEW_NONE ? NULL : model_view_row(v, sel);
	if (!r)
		return;
	detail_sa_build(app, o, r->ike->uniqueid, r->child ? r->child->uniqueid : 0, ascii);
}

bool overlay_detail_sa(const struct app *app, uint32_t *ike_id)
{
	const struct text_state *ts = app->overlay_pane.priv;
	if (app->overlay != OVERLAY_DETAIL || !ts || !ts->live)
		return false;
	*ike_id = ts->ike_id;
	if (ts->child_id) {
		const struct model_ike *ike = NULL;
		if (model_child_find(app->model, ts->child_id, &ike) && ike)
			*ike_id = ike->uniqueid;
	}
	return true;
}

bool overlay_detail_open(struct app *app, struct pane *from)
{
	struct pane *o = &app->overlay_pane;
	bool ascii = !app->utf8;
	overlay_text_set(o, "detail", NULL, 0);
	if (from->ops == &pane_sas_ops) {
		detail_sa(app, o, from, ascii);
	} else if (from->ops == &pane_conns_ops) {
		const struct model_conn *c;
		const struct model_conn_child *ch;
		if (pane_conns_selected(app, from, &c, &ch)) {
			overlay_text_set(o, "connection", NULL, 0);
			overlay_text_add(o, "connection (as listed by list-conns)");
			walk_raw(o, c->raw.msg, c->raw.len, 1, ascii);
		}
	} else if (from->ops == &pane_pols_ops) {
		const struct model_pol *pl = pane_pols_selected(app, from);
		if (pl) {
			overlay_text_set(o, "policy", NULL, 0);
			overlay_text_add(o, "policy (as listed by list-policies)");
			walk_raw(o, pl->raw.msg, pl->raw.len, 1, ascii);
		}
	} else if (from->ops == &pane_events_ops) {
		const struct model_event *e = pane_events_selected(app, from);
		if (e) {
			char line[256];
			overlay_text_set(o, "event", NULL, 0);
			snprintf(line, sizeof(line), "event #%llu: %s", (unsigned long long)e->seq,
			         model_event_kind_name(e->kind));
			overlay_text_add(o, line);
			add_kv(o, "ike", e->ike_name, ascii);
			snprintf(line, sizeof(line), "  ike-id = %u, child-id = %u, new-id = %u",
			         e->ike_id, e->child_id, e->new_id);
			overlay_text_add(o, line);
			add_kv(o, "child", e->child_name, ascii);
			add_kv(o, "remote-host", e->remote_host, ascii);
			add_kv(o, "group", e->group, ascii);
			add_kv(o, "text", e->text, ascii);
		}
	} else if (from->ops == &pane_log_ops) {
		const struct model_log_line *l = pane_log_selected(app, from);
		if (l) {
			char line[256];
			overlay_text_set(o, "log line", NULL, 0);
			snprintf(line, sizeof(line),
			         "log line #%llu: level %d, thread %d, ike-id %u",
			         (unsigned long long)l->seq, l->level, l->thread, l->ike_id);
			overlay_text_add(o, line);
			add_kv(o, "group", l->group, ascii);
			add_kv(o, "ikesa-name", l->ike_name, ascii);
			add_kv(o, "msg", l->msg, ascii);
		}
	}
	struct text_state *ts = o->priv;
	if (ts->n == 0) {
		app_status(app, THEME_WARNING, 3, "nothing selected");
		return false;
	}
	app->overlay = OVERLAY_DETAIL;
	return true;
}
