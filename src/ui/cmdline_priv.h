/*
 * What the command line's parser (cmdline.c) lends its completion
 * (complete.c): the quoting scanner and command name resolution.
 */
#ifndef SWANTOP_UI_CMDLINE_PRIV_H
#define SWANTOP_UI_CMDLINE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/cmdline.h"

/* Where a quoting scan of line[0..len) ends. */
struct cmdline_scan {
	char quote;                 /* open quote at the end: '\'', '"' or 0 */
	bool escape;                /* a backslash waits for its character */
	bool in_word;               /* the end is inside a word */
	size_t word_start;          /* byte where the last word starts */
	size_t words;               /* complete words before the last one */
	char word[CMDLINE_MAX + 1]; /* the last word, unquoted */
	size_t word_len;
};

/* A word separator of the tokenizer. */
bool cmdline_is_ifs(char c);
/* Walks line[0..len) with the tokenizer's quoting rules: single quotes are
 * literal, double quotes allow \" and \\, a backslash outside quotes takes
 * the next character literally. */
void cmdline_scan(const char *line, size_t len, struct cmdline_scan *s);
/* s as one word the tokenizer reads back as s: bare if nothing in it is
 * special, else quoted; with close false the closing quote is left out (a
 * partial completion). Newly allocated. */
char *cmdline_quote_word(const char *s, bool close);

#endif
