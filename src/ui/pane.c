/*
 * What every pane shares: the generic operations, scrolling and selection
 * arithmetic, and the draw loop of a list pane (title, column heading,
 * rows, an empty message), so that each pane only says how one of its rows
 * looks.
 */
#include "ui/pane.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/diag.h"
#include "model/filter.h"
#include "ui/draw.h"
#include "ui/fields.h"
#include "ui/keys.h"
#include "ui/rows.h"
#include "ui/sort.h"
#include "util/sanitize.h"
#include "vici/xmalloc.h"

void pane_init(struct pane *p, const struct pane_ops *ops, const struct pane_init *in)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	if (ops->init)
		ops->init(p, in);
}

void pane_destroy(struct pane *p)
{
	if (p->ops && p->ops->destroy)
		p->ops->destroy(p);
	filter_free(p->match);
	p->match = NULL;
	p->priv = NULL;
	free(p->copy);
	p->copy = NULL;
}

void pane_resize(struct pane *p, struct rect r)
{
	p->r = r;
}

int pane_filter_changed(struct pane *p)
{
	/* a text that does not compile changes nothing shown */
	if (fields_compile(p) < 0)
		return -EINVAL;
	if (p->ops->filter_changed)
		p->ops->filter_changed(p);
	else
		p->lv.sel = p->lv.top = 0;
	return 0;
}

bool pane_env_update(struct pane *p, const struct pane_ctx *c)
{
	uint64_t gen = c->diag ? diag_generation(c->diag) : 0;
	bool moved = false;
	p->env = *c;
	if (!p->match)
		return false;
	if (gen != p->env_diag &&
	    (filter_uses(p->match, "why") || filter_uses(p->match, "problem")))
		moved = true;
	if (filter_uses(p->match, "problem") &&
	    (c->now - p->env_at >= FIELDS_PROBLEM_REMATCH_MS || c->now < p->env_at))
		moved = true;
	p->env_diag = gen;
	if (moved)
		p->env_at = c->now;
	return moved;
}

bool pane_match(const struct pane *p, const void *item)
{
	return filter_match(p->match, item);
}

const char *pane_filter_note(const struct pane *p, char *buf, size_t size)
{
	bool problems = p->problems && fields_has_problems(p);
	snprintf(buf, size, "%s%s%s%s", problems ? "  problems" : "",
	         p->filter[0] ? "  filter: " : "", p->filter, p->filter_err[0] ? " (invalid)" : "");
	return buf;
}

bool pane_detail(struct pane *p, const struct pane_ctx *c, struct detail_subject *out)
{
	memset(out, 0, sizeof(*out));
	return p->ops->detail && p->ops->detail(p, c, out);
}

void listview_clamp(struct listview *lv, size_t count, size_t visible)
{
	lv->count = count;
	if (count == 0) {
		lv->sel = lv->top = 0;
		return;
	}
	if (lv->follow || lv->sel >= count)
		lv->sel = count - 1;
	if (visible == 0)
		visible = 1;
	if (lv->sel < lv->top)
		lv->top = lv->sel;
	if (lv->sel >= lv->top + visible)
		lv->top = lv->sel - visible + 1;
	if (lv->top + visible > count)
		lv->top = count > visible ? count - visible : 0;
}

unsigned listview_nav(struct listview *lv, int action, size_t visible)
{
	size_t old = lv->sel, page = visible > 1 ? visible - 1 : 1;
	bool was_follow = lv->follow;
	switch (action) {
	case KA_UP:
		lv->follow = false;
		if (lv->sel > 0)
			lv->sel--;
		break;
	case KA_DOWN:
		if (lv->sel + 1 < lv->count)
			lv->sel++;
		break;
	case KA_PGUP:
		lv->follow = false;
		lv->sel = lv->sel > page ? lv->sel - page : 0;
		break;
	case KA_PGDN:
		lv->sel += page;
		if (lv->count && lv->sel >= lv->count)
			lv->sel = lv->count - 1;
		break;
	case KA_HOME:
		lv->follow = false;
		lv->sel = 0;
		break;
	case KA_END:
		lv->sel = lv->count ? lv->count - 1 : 0;
		break;
	default:
		return 0;
	}
	return lv->sel != old || lv->follow != was_follow ? PANE_REDRAW : PANE_HANDLED;
}

size_t pane_body_rows(const struct pane *p, bool heading)
{
	int h = p->r.h - 1 - (heading ? 1 : 0);
	return h > 0 ? (size_t)h : 0;
}

const char *pane_mark_glyph(bool utf8)
{
	return utf8 ? "\u25cf" : "*";
}

const char *pane_copy_text(const struct pane *p)
{
	return p->copy;
}

/* Appends s[0..n) to the copy text without its padding. */
static void copy_cell(char *out, size_t size, size_t *len, const char *s, size_t n, bool tab)
{
	while (n && s[0] == ' ')
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	if (*len + n + 2 >= size)
		return;
	if (tab)
		out[(*len)++] = '\t';
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

/* Keeps item idx's text for copying: every shown column at its widest, so
 * that a value cut on screen is whole in the copy where it fits. */
static void copy_keep(struct pane *p, const struct pane_list *l, const unsigned *w, size_t idx,
                      unsigned flags)
{
	free(p->copy);
	p->copy = NULL;
	if (idx >= l->count)
		return;
	struct row row;
	unsigned wide[ROW_MAX_SPANS];
	row_init(&row, flags);
	if (!l->columns) {
		wide[0] = ROW_BUFSIZE / 2;
		l->row_fn(l->arg, idx, wide, &row);
		char out[ROW_BUFSIZE];
		size_t len = 0;
		out[0] = '\0';
		copy_cell(out, sizeof(out), &len, row_text(&row), strlen(row_text(&row)), false);
		p->copy = xstrdup(out);
		return;
	}
	for (size_t i = 0; i < l->ncolumns; i++)
		wide[i] = w[i] && l->columns[i].max > w[i] ? l->columns[i].max : w[i];
	l->row_fn(l->arg, idx, wide, &row);
	/* rows_cells(): cell, separator, cell, ... one span each */
	char out[ROW_BUFSIZE];
	size_t len = 0;
	out[0] = '\0';
	for (size_t k = 0; k < row.n; k += 2)
		copy_cell(out, sizeof(out), &len, row.buf + row.span[k].off, row.span[k].len,
		          k > 0);
	p->copy = xstrdup(out);
}

void pane_list_draw(struct pane *p, const struct pane_ctx *c, const struct pane_list *l)
{
	draw_title(p->r, l->title, l->right, c->focused, c->utf8);
	bool heading = l->columns != NULL;
	if (heading && (p->r.h < 2 || l->ncolumns > ROW_MAX_SPANS))
		return;
	unsigned flags = c->utf8 ? 0 : SANITIZE_ASCII;
	unsigned w[ROW_MAX_SPANS];
	/* marks take the first two columns while there are any */
	bool marks = l->marked && l->n_marked && p->r.w > 4;
	int mx = marks ? 2 : 0;
	struct row row;
	if (heading) {
		columns_fit(l->columns, l->ncolumns, (size_t)(p->r.w - mx), w);
		row_init(&row, flags);
		if (marks)
			row_adds(&row, THEME_TABLE_HEADER, "", 2, ROW_LEFT);
		const struct sort_column *sc = pane_sort_column(p);
		rows_header_sorted(&row, l->columns, l->ncolumns, w, sc ? sc->col : -1,
		                   sc ? sc->col2 : -1, sort_mark(p->sort_desc, c->utf8));
		draw_row(p->r.y + 1, p->r.x, p->r.w, &row, -1);
	} else {
		w[0] = (unsigned)(p->r.w - mx > 0 ? p->r.w - mx : 0);
	}
	size_t vis = pane_body_rows(p, heading);
	listview_clamp(&p->lv, l->count, vis);
	copy_keep(p, l, w,
	          l->selected != (size_t)-1 ? l->selected
	          : l->copy_cursor          ? p->lv.sel
	                                    : (size_t)-1,
	          flags);
	int y0 = p->r.y + 1 + (heading ? 1 : 0);
	int sel_role = c->focused ? THEME_SELECTED : THEME_SELECTED_INACTIVE;
	for (size_t i = 0; i < vis; i++) {
		int y = y0 + (int)i;
		size_t idx = p->lv.top + i;
		if (idx >= l->count) {
			draw_fill(y, p->r.x, p->r.w, THEME_DEFAULT);
			continue;
		}
		row_init(&row, flags);
		if (marks)
			row_adds(&row, THEME_WARNING,
			         l->marked(l->arg, idx) ? pane_mark_glyph(c->utf8) : "", 2,
			         ROW_LEFT);
		l->row_fn(l->arg, idx, w, &row);
		draw_row(y, p->r.x, p->r.w, &row, idx == l->selected ? sel_role : -1);
	}
	if (l->count == 0 && vis > 0 && l->empty)
		draw_text(y0, p->r.x + 2, p->r.w - 2, THEME_DIM, l->empty);
}
