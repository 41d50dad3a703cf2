/*
 * Sorting the panes: which columns a pane can be sorted by, what s, S and
 * :sort do with them, and the marks of the sorted column. Every list pane
 * names its sort columns in a table (pane_ops.sorts): the name :sort takes
 * (the column's heading in lower case), the heading marked, and the pane's
 * own key (for the SA tree an enum model_sort). p->sort is an index into
 * that table, p->sort_desc the direction.
 *
 * The selection is an item, not a position: a pane with a sort_set op
 * keeps it on the same SA, connection or policy when the order changes.
 * Pure code: no terminal.
 */
#ifndef SWANTOP_UI_SORT_H
#define SWANTOP_UI_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct pane;
struct pane_ctx;

/* A column a pane's rows can be sorted by. */
struct sort_column {
	const char *name; /* what :sort takes, lower case: the heading ("rekey") */
	int key;          /* the pane's own key (the SA tree: enum model_sort) */
	int col, col2;    /* the headings marked (the pane's column index), -1: none */
	bool desc_first;  /* s sorts biggest first (bytes, rates) */
	bool cycle;       /* s steps through it (the others only by :sort) */
};

/* The pane's current sort column, or NULL for a pane that does not sort. */
const struct sort_column *pane_sort_column(const struct pane *p);
/* The index of the column called name in the pane's table (any case), or
 * -1. */
int pane_sort_find(const struct pane *p, const char *name);
/* The names :sort takes for the pane, "name, state, id", into buf
 * (NUL-terminated); returns buf. */
const char *pane_sort_names(const struct pane *p, char *buf, size_t size);
/* Sorts the pane by column idx of its table in the direction asked;
 * keeps the selection on its item. Returns 0, or -EINVAL for an index out
 * of range (nothing changes). */
int pane_sort_set(struct pane *p, const struct pane_ctx *c, int idx, bool desc);
/* KA_SORT (the next column s cycles through, in its first direction) and
 * KA_SORT_REVERSE; PANE_REDRAW, or PANE_IGNORED for another action or a
 * pane that does not sort. */
unsigned pane_sort_key(struct pane *p, const struct pane_ctx *c, int action);
/* "sort: rekey ▲" for a title ("^"/"v" in ASCII); "" for a pane that does
 * not sort. Returns buf. */
const char *pane_sort_note(const struct pane *p, bool utf8, char *buf, size_t size);
/* The mark of a sorted heading: ▲ ascending, ▼ descending (^ and v in
 * ASCII). */
const char *sort_mark(bool desc, bool utf8);

/* Items of a pane being sorted by a key it computed: a number, then a
 * string (compared as bytes), then idx (the order charon listed them in,
 * kept for equal keys in both directions). own, if set, is freed by
 * sort_items_free(). */
struct sort_item {
	size_t idx;
	int64_t n;
	struct model_str s;
	char *own;
};
/* Sorts v in place, ascending or descending. */
void sort_items(struct sort_item *v, size_t n, bool desc);
/* Frees the own strings of n items (not v itself). */
void sort_items_free(struct sort_item *v, size_t n);

#endif
