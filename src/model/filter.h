/*
 * The filter language of the panes' "/" filter: a filter text is compiled
 * once against the pane's table of fields, then matched against each row.
 * Pure code: no terminal, no model types; a pane describes its rows by a
 * table of named fields with getters, and matching calls only the getters
 * the terms need.
 *
 * Grammar (what the README and the man page describe):
 *
 *   filter   terms separated by spaces; a row is shown when it matches every
 *            term (an empty filter shows every row)
 *   WORD     a case-insensitive POSIX extended regular expression matched
 *            against every visible field of the row; a plain word is thus
 *            a substring ("moon", "10.1.", "^gw-[0-9]+$")
 *   !TERM    the row must not match TERM
 *   F=VALUE  field F equals VALUE (whole value, case-insensitive)
 *   F!=VALUE field F does not equal VALUE (same as !F=VALUE)
 *   F~REGEX  field F matches REGEX (case-insensitive, anywhere in it)
 *   F!~REGEX field F does not match REGEX
 *   is:F     field F has a value (F!= in short: "is:problem", "!is:vip")
 *   "..."    quotes make spaces part of a word or value ("my conn",
 *            name="my conn"); \" is a quote, any other \x is kept for the
 *            regular expression (in a VALUE, \x is x)
 *
 * Field names are the pane's (letters, digits, '-' and '_'; any case). The
 * SA pane's, as src/ui/pane_sas.c defines them over the SA tree's rows:
 *   name  child  state  local  remote  id (local, remote, EAP and XAuth
 *   identities)  vip  proposal (also: alg)  spi  ts (local and remote
 *   traffic selectors)  mode  why (the verdict's code)  and, not searched
 *   by free text, version  reqid  uniqueid  problem (ui/fields.h); the
 *   other panes' are in their files, all listed by :help filter.
 * A field may hold several values (a list of traffic selectors): F=V and
 * F~R hold if any value does, F!=V and F!~R if none does. F= (empty value)
 * holds when the field is empty or absent. A quoted word is never a field
 * term: "a=b" searches for the text a=b.
 *
 * Errors (an unknown field, a bad regular expression, an unterminated
 * quote, a lone "!") are reported as one printable line naming the term,
 * and for an unknown field the valid names, e.g.
 *   unknown field "stat" in "stat=up" (did you mean "state"?); fields: state, name, ...
 *
 * Regular expressions are POSIX extended ones without back-references
 * (\1) or adjacent repetitions ("a+*", undefined in POSIX), with counts
 * ({n}, {m,n}) up to 255 and at most about 2000 characters once
 * repetitions are expanded ("(x{50}){50}" is too large), so that neither
 * compiling nor matching can hold up the UI.
 *
 * Speed: terms are compiled once per filter text. A pattern without regular
 * expression syntax (only '.' wildcards and escaped punctuation) is matched
 * by a case-insensitive substring search instead of regexec(), and a real
 * regular expression is only run on values that contain the literal text
 * every match of it must contain. Terms are tried cheapest first: equality,
 * then substrings, then regular expressions; field terms before free text.
 * Case-insensitivity is ASCII in the substring search; non-ASCII patterns
 * go to regexec(), which folds case as the locale does.
 */
#ifndef SWANTOP_MODEL_FILTER_H
#define SWANTOP_MODEL_FILTER_H

#include <stdbool.h>
#include <stddef.h>

/* Called by a getter once per value: s[0..len) (any bytes; a regular
 * expression sees them up to the first NUL). Returns true to stop: the
 * value matched. */
typedef bool (*filter_visit_fn)(void *ctx, const char *s, size_t len);

/* One named field of a pane's rows. */
struct filter_field {
	const char *name; /* lower case, unique in the table: "state", "remote" */
	bool visible;     /* free-text terms search it (a column the pane shows) */
	/* Calls visit(ctx, ...) for each value of the field in row (not at all
	 * when the field is absent, once per item of a list), until visit
	 * returns true; returns true iff it did. May format into a buffer of its
	 * own on the stack; the value only needs to live during the call. */
	bool (*get)(const void *row, filter_visit_fn visit, void *ctx);
};

struct filter;

/* Compiles text (NUL-terminated) against the n fields (borrowed: the table
 * must outlive the filter). On success returns 0 and a filter in *out (NULL
 * for an empty text, which filter_match() treats as matching every row). On
 * error returns -EINVAL, *out = NULL, and writes a one-line printable
 * message into err (errsize bytes, always NUL-terminated if errsize > 0). */
int filter_compile(const char *text, const struct filter_field *fields, size_t n,
                   struct filter **out, char *err, size_t errsize);

/* Whether row matches every term of f; true for f == NULL. Calls only the
 * getters the terms need, and stops at the first term that fails. */
bool filter_match(const struct filter *f, const void *row);

/* The number of terms (0 for NULL). */
size_t filter_terms(const struct filter *f);

/* Whether a term of f reads the field named field (by name, or a free
 * text term when the field is visible): a pane re-matches its rows when
 * such a field's values change without the rows changing. */
bool filter_uses(const struct filter *f, const char *field);

void filter_free(struct filter *f);

#endif
