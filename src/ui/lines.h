/*
 * A growing list of text lines, already safe for the terminal: what the
 * help screen and the detail view show.
 */
#ifndef SWANTOP_UI_LINES_H
#define SWANTOP_UI_LINES_H

#include <stddef.h>

struct lines {
	char **v;
	size_t n, cap;
};

/* Appends a copy of line (already safe). */
void lines_add(struct lines *l, const char *line);
/* printf, then lines_add (arguments already safe). */
void lines_addf(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties l (keeps its storage). */
void lines_clear(struct lines *l);
/* Frees everything. */
void lines_free(struct lines *l);

#endif
