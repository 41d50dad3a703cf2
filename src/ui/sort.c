/*
 * Sorting the panes (see sort.h): the generic part of s, S and :sort, and
 * the sort of a pane's computed keys.
 */
#include "ui/sort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/keys.h"
#include "ui/pane.h"

const struct sort_column *pane_sort_column(const struct pane *p)
{
	if (!p->ops || !p->ops->sorts || !p->ops->nsorts)
		return NULL;
	size_t i = p->sort >= 0 && (size_t)p->sort < p->ops->nsorts ? (size_t)p->sort : 0;
	return &p->ops->sorts[i];
}

int pane_sort_find(const struct pane *p, const char *name)
{
	for (size_t i = 0; p->ops->sorts && i < p->ops->nsorts; i++)
		if (!strcasecmp(p->ops->sorts[i].name, name))
			return (int)i;
	return -1;
}

const char *pane_sort_names(const struct pane *p, char *buf, size_t size)
{
	size_t l = 0;
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; p->ops->sorts && i < p->ops->nsorts && l < size; i++) {
		int k = snprintf(buf + l, size - l, "%s%s", i ? ", " : "", p->ops->sorts[i].name);
		if (k < 0)
			break;
		l += (size_t)k;
	}
	return buf;
}

int pane_sort_set(struct pane *p, const struct pane_ctx *c, int idx, bool desc)
{
	if (!p->ops->sorts || idx < 0 || (size_t)idx >= p->ops->nsorts)
		return -EINVAL;
	if (p->ops->sort_set) {
		p->ops->sort_set(p, c, idx, desc);
	} else {
		p->sort = idx;
		p->sort_desc = desc;
	}
	return 0;
}

unsigned pane_sort_key(struct pane *p, const struct pane_ctx *c, int action)
{
	const struct sort_column *cur = pane_sort_column(p);
	if (!cur || (action != KA_SORT && action != KA_SORT_REVERSE))
		return PANE_IGNORED;
	if (action == KA_SORT_REVERSE) {
		pane_sort_set(p, c, p->sort, !p->sort_desc);
		return PANE_REDRAW;
	}
	size_t n = p->ops->nsorts, i = (size_t)(cur - p->ops->sorts);
	if (n == 1)
		return PANE_HANDLED; /* one order: S turns it around */
	for (size_t step = 1; step <= n; step++) {
		const struct sort_column *s = &p->ops->sorts[(i + step) % n];
		if (s->cycle || step == n) {
			pane_sort_set(p, c, (int)((i + step) % n), s->desc_first);
			break;
		}
	}
	return PANE_REDRAW;
}

const char *sort_mark(bool desc, bool utf8)
{
	return utf8 ? (desc ? "\u25bc" : "\u25b2") : (desc ? "v" : "^");
}

const char *pane_sort_note(const struct pane *p, bool utf8, char *buf, size_t size)
{
	const struct sort_column *s = pane_sort_column(p);
	if (!s)
		snprintf(buf, size, "%s", "");
	else
		snprintf(buf, size, "sort: %s %s", s->name, sort_mark(p->sort_desc, utf8));
	return buf;
}

/* ---- computed keys -------------------------------------------------------- */

static int item_cmp(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	size_t l = a->s.len < b->s.len ? a->s.len : b->s.len;
	int r = l ? memcmp(a->s.s, b->s.s, l) : 0;
	if (r)
		return r < 0 ? -1 : 1;
	if (a->s.len != b->s.len)
		return a->s.len < b->s.len ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static bool same_key(const struct sort_item *a, const struct sort_item *b)
{
	return a->n == b->n && a->s.len == b->s.len &&
	       (!a->s.len || !memcmp(a->s.s, b->s.s, a->s.len));
}

static void reverse(struct sort_item *v, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		struct sort_item t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

void sort_items(struct sort_item *v, size_t n, bool desc)
{
	if (n < 2)
		return;
	qsort(v, n, sizeof(*v), item_cmp);
	if (!desc)
		return;
	reverse(v, n);
	/* equal keys back in charon's order */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && same_key(&v[i], &v[j]))
			j++;
		reverse(v + i, j - i);
		i = j;
	}
}

void sort_items_free(struct sort_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].own);
		v[i].own = NULL;
	}
}
