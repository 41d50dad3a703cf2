/*
 * The filter language (see filter.h).
 *
 * Every pattern term (free text, F~R) is compiled with regcomp(), so what
 * matches is always what POSIX says a case-insensitive extended regular
 * expression matches. regexec() is the slow part, so two shortcuts answer
 * for it where they give the same answer:
 *
 *  - a pattern made of literal characters, '.' wildcards and escaped
 *    punctuation is, on an ASCII value, exactly a case-insensitive substring
 *    search with "any byte" at the wildcards (no regexec at all);
 *  - for any other pattern, re_literal() finds a run of literal characters
 *    that every match must contain; an ASCII value without that run cannot
 *    match, and only the rest go to regexec().
 *
 * Values with bytes >= 0x80 always go to regexec(): the locale's case
 * folding and multibyte characters are its business. A value ends at its
 * first NUL for every kind of term, as it does for regexec().
 */
#include "model/filter.h"

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/sanitize.h"
#include "util/text.h"
#include "vici/xmalloc.h"

enum how {
	HOW_EQ,  /* whole value, ASCII case-insensitive */
	HOW_LIT, /* substring with '.' wildcards; regexec for non-ASCII values */
	HOW_RE,  /* regexec, after the required literal */
};

struct term {
	enum how how;
	bool negate;
	int field;     /* index into the table, -1 for free text */
	char *pat;     /* EQ, LIT: lower-cased literal; RE: the required literal */
	size_t len;    /* of pat */
	uint8_t *wild; /* LIT: 1 where pat has a wildcard; NULL if none */
	size_t first;  /* LIT: index of the first non-wildcard, len if none */
	bool has_re;   /* LIT, RE: re is compiled */
	regex_t re;
	int cost;
};

struct filter {
	const struct filter_field *fields;
	size_t nfields;
	struct term *terms;
	size_t n;
};

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The length of s[0..len) up to its first NUL, and whether those bytes
 * are all ASCII: one pass, as every value of every row goes through it. */
static size_t value_scan(const char *s, size_t len, bool *ascii)
{
	unsigned char any = 0;
	size_t i = 0;
	for (; i < len && s[i]; i++)
		any |= (unsigned char)s[i];
	*ascii = any < 0x80;
	return i;
}

/* ---- matching a value ---------------------------------------------------- */

static bool eq_match(const struct term *t, const char *s, size_t len)
{
	if (len != t->len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (lower((unsigned char)s[i]) != (unsigned char)t->pat[i])
			return false;
	return true;
}

/* Case-insensitive search of pat (lower case, wildcards where wild[j]) in
 * the ASCII string s. */
static bool lit_find(const char *s, size_t len, const char *pat, size_t plen, const uint8_t *wild,
                     size_t first)
{
	const unsigned char *h = (const unsigned char *)s, *p = (const unsigned char *)pat;
	if (plen > len)
		return false;
	for (size_t i = 0; i + plen <= len; i++) {
		if (first < plen && lower(h[i + first]) != p[first])
			continue;
		size_t j = 0;
		while (j < plen && ((wild && wild[j]) || lower(h[i + j]) == p[j]))
			j++;
		if (j == plen)
			return true;
	}
	return false;
}

static bool re_exec(const struct term *t, const char *s, size_t len)
{
	char small[256];
	char *buf = len < sizeof(small) ? small : xmalloc(len + 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	bool hit = regexec(&t->re, buf, 0, NULL, 0) == 0;
	if (buf != small)
		free(buf);
	return hit;
}

static bool value_match(const struct term *t, const char *s, size_t len)
{
	bool ascii;
	len = value_scan(s, len, &ascii);
	switch (t->how) {
	case HOW_EQ:
		return eq_match(t, s, len);
	case HOW_LIT:
		if (ascii)
			return lit_find(s, len, t->pat, t->len, t->wild, t->first);
		return re_exec(t, s, len);
	case HOW_RE:
	default:
		if (t->len && ascii && !lit_find(s, len, t->pat, t->len, NULL, 0))
			return false;
		return re_exec(t, s, len);
	}
}

struct visit {
	const struct term *t;
	size_t values;
};

static bool visit_value(void *ctx, const char *s, size_t len)
{
	struct visit *v = ctx;
	v->values++;
	return value_match(v->t, s, len);
}

static bool term_match(const struct filter *f, const struct term *t, const void *row)
{
	struct visit v = {.t = t};
	bool hit = false;
	if (t->field >= 0) {
		hit = f->fields[t->field].get(row, visit_value, &v);
		/* "F=" also holds for an absent field */
		if (!hit && t->how == HOW_EQ && t->len == 0 && v.values == 0)
			hit = true;
	} else {
		for (size_t i = 0; i < f->nfields && !hit; i++)
			if (f->fields[i].visible)
				hit = f->fields[i].get(row, visit_value, &v);
	}
	return hit != t->negate;
}

bool filter_match(const struct filter *f, const void *row)
{
	if (!f)
		return true;
	for (size_t i = 0; i < f->n; i++)
		if (!term_match(f, &f->terms[i], row))
			return false;
	return true;
}

size_t filter_terms(const struct filter *f)
{
	return f ? f->n : 0;
}

bool filter_uses(const struct filter *f, const char *field)
{
	for (size_t i = 0; f && i < f->n; i++) {
		const struct term *t = &f->terms[i];
		if (t->field >= 0 ? !strcmp(f->fields[t->field].name, field) : false)
			return true;
		for (size_t k = 0; t->field < 0 && k < f->nfields; k++)
			if (f->fields[k].visible && !strcmp(f->fields[k].name, field))
				return true;
	}
	return false;
}

/* ---- compiling a pattern -------------------------------------------------- */

/* GNU escapes that are operators, not the punctuation they escape. */
static bool special_escape(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '<' || c == '>' || c == '`' || c == '\'';
}

/* If pattern p is literal characters, '.' and escaped punctuation only,
 * makes t a HOW_LIT term and returns true. */
static bool lit_compile(struct term *t, const char *p)
{
	size_t n = 0, plen = strlen(p);
	char *pat = xmalloc(plen + 1);
	uint8_t *wild = xcalloc(plen + 1, 1);
	bool any_wild = false;
	for (size_t i = 0; p[i]; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x80 || strchr("^$[]()*+?{}|", c))
			goto no;
		if (c == '\\') {
			c = (unsigned char)p[++i];
			if (!c || c >= 0x80 || special_escape(c))
				goto no;
		} else if (c == '.') {
			wild[n] = 1;
			any_wild = true;
		}
		pat[n++] = (char)lower(c);
	}
	pat[n] = '\0';
	t->how = HOW_LIT;
	t->pat = pat;
	t->len = n;
	t->first = 0;
	while (t->first < n && wild[t->first])
		t->first++;
	if (any_wild) {
		t->wild = wild;
	} else {
		free(wild);
		t->first = 0;
	}
	return true;
no:
	free(pat);
	free(wild);
	return false;
}

/* Index just past the bracket expression that starts at p[i] == '['. */
static size_t skip_bracket(const char *p, size_t i)
{
	size_t j = i + 1;
	if (p[j] == '^')
		j++;
	if (p[j] == ']')
		j++;
	for (; p[j] && p[j] != ']'; j++) {
		if (p[j] == '[' && p[j + 1] && strchr(":.=", p[j + 1])) {
			const char *end = strchr(p + j + 2, p[j + 1]);
			while (end && end[1] != ']')
				end = strchr(end + 1, p[j + 1]);
			if (!end)
				return strlen(p);
			j = (size_t)(end - p) + 1;
		}
	}
	return p[j] ? j + 1 : j;
}

/* Index just past the group that starts at p[i] == '('. */
static size_t skip_group(const char *p, size_t i)
{
	size_t j = i + 1;
	for (int depth = 1; p[j] && depth;) {
		if (p[j] == '\\' && p[j + 1])
			j += 2;
		else if (p[j] == '[')
			j = skip_bracket(p, j);
		else
			depth += p[j] == '(' ? 1 : p[j] == ')' ? -1 : 0, j++;
	}
	return j;
}

/* The longest run of literal characters (lower-cased into best, which has
 * room for strlen(p) + 1) that every match of the ERE p contains; 0 when
 * none is known. Conservative: anything unclear ends a run, a quantified
 * character leaves it, and an alternation outside a group gives up. */
static size_t re_literal(const char *p, char *best)
{
	size_t plen = strlen(p), rn = 0, bn = 0, i = 0;
	char *run = xmalloc(plen + 1);
	bool last_lit = false; /* the previous atom is the last character of run */
	while (p[i]) {
		unsigned char c = (unsigned char)p[i];
		bool lit = false;
		if (c == '|') { /* an alternative may hold none of it */
			free(run);
			best[0] = '\0';
			return 0;
		} else if (c >= 0x80) {
			i++;
		} else if (c == '\\') {
			c = (unsigned char)p[i + 1];
			lit = c && c < 0x80 && !special_escape(c);
			i += c ? 2 : 1;
		} else if (c == '[') {
			i = skip_bracket(p, i);
		} else if (c == '(') {
			i = skip_group(p, i);
		} else if (c == '*' || c == '?' || c == '{' || c == '+') {
			/* stacked quantifiers act together: "a+*" may have no a */
			bool only_plus = true;
			while (p[i] && strchr("*?{+", p[i])) {
				only_plus = only_plus && p[i] == '+';
				if (p[i] == '{')
					while (p[i] && p[i] != '}')
						i++;
				i += p[i] ? 1 : 0;
			}
			if (last_lit && !only_plus)
				rn--; /* the character may be absent */
		} else {
			lit = !strchr(".^$)", c);
			i++;
		}
		if (lit) {
			run[rn++] = (char)lower(c);
		} else {
			if (rn > bn)
				memcpy(best, run, bn = rn);
			rn = 0;
		}
		last_lit = lit;
	}
	if (rn > bn)
		memcpy(best, run, bn = rn);
	free(run);
	best[bn] = '\0';
	return bn;
}

/* What this filter refuses in a regular expression that regcomp() takes:
 * back-references (regexec() may take exponential time on them), adjacent
 * repetitions ("a+*": undefined in POSIX, and glibc builds them at a cost
 * that multiplies), counts
 * above 255 (POSIX's RE_DUP_MAX) and patterns whose size once repetitions
 * are expanded passes RE_COST_MAX: regcomp() copies a repeated part as often
 * as its count says ("x+" is "xx*"), nested counts multiply, and memory and
 * time grow with the copies. Returns NULL if p is fine. */
#define RE_COST_MAX 2000
#define RE_DEPTH 32
static const char *re_refused(const char *p)
{
	unsigned long sum[RE_DEPTH], last[RE_DEPTH]; /* per group level: size, last atom */
	int d = 0;
	bool repeat = false; /* the previous token was a repetition */
	sum[0] = last[0] = 0;
	for (size_t i = 0; p[i];) {
		unsigned long atom = 1, count = 0;
		if (repeat && strchr("+*?{", p[i]))
			return "a repetition right after another (\"a+*\") is undefined";
		if (p[i] == '\\' && p[i + 1] >= '1' && p[i + 1] <= '9')
			return "back-references are not supported";
		if (p[i] == '(') {
			if (++d == RE_DEPTH)
				return "groups nested too deeply";
			sum[d] = last[d] = 0;
			i++;
			continue;
		}
		if (p[i] == ')' && d > 0) {
			atom = sum[d--] + 1;
			i++;
		} else if (p[i] == '+' || p[i] == '*' || p[i] == '?') {
			count = p[i++] == '+' ? 2 : 1;
		} else if (p[i] == '{') {
			for (i++; (p[i] >= '0' && p[i] <= '9') || p[i] == ','; i++) {
				unsigned long n = 0;
				for (; p[i] >= '0' && p[i] <= '9'; i++)
					n = n < 1000 ? n * 10 + (unsigned long)(p[i] - '0') : n;
				if (n > 255)
					return "repetition count above 255";
				count = n > count ? n : count;
				if (p[i] != ',')
					break;
			}
			count = count ? count : 1;
			i += p[i] == '}';
		} else {
			i = p[i] == '\\'  ? i + (p[i + 1] ? 2 : 1)
			    : p[i] == '[' ? skip_bracket(p, i)
			                  : i + 1;
		}
		repeat = count != 0;
		if (count) { /* the last atom, count times */
			sum[d] += last[d] * (count - 1);
			last[d] *= count;
		} else {
			sum[d] += atom;
			last[d] = atom;
		}
		if (sum[d] > RE_COST_MAX || last[d] > RE_COST_MAX)
			return "repetitions too large";
	}
	return NULL;
}

/* ---- parsing -------------------------------------------------------------- */

struct parser {
	const struct filter_field *fields;
	size_t nfields;
	char *err;
	size_t errsize;
};

/* The term text s[0..len) fitted for a message. */
static const char *shown(char *buf, size_t size, const char *s, size_t len)
{
	sanitize_fit(buf, size, s, len, 40, 0);
	return buf;
}

static void field_list(const struct parser *p, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < p->nfields && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", p->fields[i].name);
}

static int fail_unknown_field(struct parser *p, const char *name, size_t nlen, const char *term,
                              size_t tlen)
{
	char fname[64], tbuf[SANITIZE_FIT_BUFSIZE(40)], sbuf[SANITIZE_FIT_BUFSIZE(40)], hint[160];
	char list[1024];
	const char *cands[64];
	size_t nc = p->nfields < 64 ? p->nfields : 64;
	for (size_t i = 0; i < nc; i++)
		cands[i] = p->fields[i].name;
	snprintf(fname, sizeof(fname), "%.*s", (int)(nlen < 63 ? nlen : 63), name);
	for (char *c = fname; *c; c++)
		*c = (char)lower((unsigned char)*c);
	const char *sug = text_suggest(fname, cands, nc);
	hint[0] = '\0';
	if (sug)
		snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)", sug);
	field_list(p, list, sizeof(list));
	snprintf(p->err, p->errsize, "unknown field \"%s\" in \"%s\"%s; fields: %s",
	         shown(sbuf, sizeof(sbuf), name, nlen), shown(tbuf, sizeof(tbuf), term, tlen), hint,
	         p->nfields ? list : "none");
	return -EINVAL;
}

static int fail(struct parser *p, const char *what, const char *term, size_t tlen,
                const char *detail)
{
	char tbuf[SANITIZE_FIT_BUFSIZE(40)];
	snprintf(p->err, p->errsize, "%s in \"%s\"%s%s", what,
	         shown(tbuf, sizeof(tbuf), term, tlen), detail ? ": " : "", detail ? detail : "");
	return -EINVAL;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Reads a word from s at *i up to an unquoted blank: quotes removed, \" as
 * a quote, other backslash pairs kept. Returns NULL on an unterminated
 * quote (*i at the end). */
static char *read_word(const char *s, size_t *i)
{
	size_t k = *i, n = 0;
	char *w = xmalloc(strlen(s + k) + 1);
	bool quoted = false;
	for (; s[k] && (quoted || (s[k] != ' ' && s[k] != '\t')); k++) {
		if (s[k] == '"') {
			quoted = !quoted;
		} else if (s[k] == '\\' && s[k + 1]) {
			if (s[k + 1] != '"')
				w[n++] = '\\';
			w[n++] = s[++k];
		} else {
			w[n++] = s[k];
		}
	}
	w[n] = '\0';
	*i = k;
	if (quoted) {
		free(w);
		return NULL;
	}
	return w;
}

/* In an equality value, \x is x. Lower-cases in place; returns the length. */
static size_t eq_value(char *w)
{
	size_t n = 0;
	for (size_t i = 0; w[i]; i++) {
		if (w[i] == '\\' && w[i + 1])
			i++;
		w[n++] = (char)lower((unsigned char)w[i]);
	}
	w[n] = '\0';
	return n;
}

static void term_clear(struct term *t)
{
	free(t->pat);
	free(t->wild);
	if (t->has_re)
		regfree(&t->re);
	memset(t, 0, sizeof(*t));
}

/* Compiles a pattern (free text or F~R) into t; the word is consumed. */
static int pattern_compile(struct parser *p, struct term *t, char *word, const char *term,
                           size_t tlen)
{
	const char *why = re_refused(word);
	if (why) {
		free(word);
		return fail(p, "bad regular expression", term, tlen, why);
	}
	int rc = regcomp(&t->re, word, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc) {
		char msg[128];
		regerror(rc, &t->re, msg, sizeof(msg));
		free(word);
		return fail(p, "bad regular expression", term, tlen, msg);
	}
	t->has_re = true;
	if (!lit_compile(t, word)) {
		t->how = HOW_RE;
		t->pat = xmalloc(strlen(word) + 1);
		t->len = re_literal(word, t->pat);
	}
	free(word);
	return 0;
}

/* Parses the term at s[*i] (not blank) into t. Returns 0, 1 for a term that
 * matches everything (t unused), or -EINVAL. */
static int term_parse(struct parser *p, const char *s, size_t *i, struct term *t)
{
	size_t start = *i, k = *i, name = 0, nlen = 0;
	bool eq = false;
	memset(t, 0, sizeof(*t));
	t->field = -1;
	if (s[k] == '!') {
		t->negate = true;
		k++;
		if (!s[k] || s[k] == ' ' || s[k] == '\t') {
			*i = k;
			return fail(p, "\"!\" needs a term after it", s + start, k - start, NULL);
		}
	}
	size_t j = k;
	while (ident_char(s[j]))
		j++;
	/* "is:F": F has a value (F!= in short) */
	if (j == k + 2 && !strncasecmp(s + k, "is", 2) && s[j] == ':' && ident_char(s[j + 1])) {
		name = j + 1;
		for (j = name; ident_char(s[j]);)
			j++;
		nlen = j - name;
		if (s[j] && s[j] != ' ' && s[j] != '\t') {
			while (s[j] && s[j] != ' ' && s[j] != '\t')
				j++;
			*i = j;
			return fail(p, "\"is:\" takes a field name only", s + start, j - start,
			            NULL);
		}
		*i = j;
		for (size_t f = 0; f < p->nfields; f++)
			if (strlen(p->fields[f].name) == nlen &&
			    !strncasecmp(p->fields[f].name, s + name, nlen))
				t->field = (int)f;
		if (t->field < 0)
			return fail_unknown_field(p, s + name, nlen, s + start, j - start);
		t->negate = !t->negate;
		t->how = HOW_EQ;
		t->pat = xcalloc(1, 1);
		return 0;
	}
	if (j > k &&
	    (s[j] == '=' || s[j] == '~' || (s[j] == '!' && (s[j + 1] == '=' || s[j + 1] == '~')))) {
		name = k, nlen = j - k;
		if (s[j] == '!')
			t->negate = !t->negate, j++;
		eq = s[j] == '=';
		k = j + 1;
	}
	char *word = read_word(s, &k);
	*i = k;
	if (!word)
		return fail(p, "unterminated quote", s + start, k - start, NULL);
	if (nlen) {
		for (size_t f = 0; f < p->nfields; f++)
			if (strlen(p->fields[f].name) == nlen &&
			    !strncasecmp(p->fields[f].name, s + name, nlen))
				t->field = (int)f;
		if (t->field < 0) {
			free(word);
			return fail_unknown_field(p, s + name, nlen, s + start, k - start);
		}
	}
	if (eq) {
		t->how = HOW_EQ;
		t->len = eq_value(word);
		t->pat = word;
		t->cost = 0;
		return 0;
	}
	if (!word[0]) { /* "" or F~: no constraint */
		free(word);
		return 1;
	}
	int rc = pattern_compile(p, t, word, s + start, k - start);
	if (rc)
		return rc;
	t->cost = (t->how == HOW_LIT ? 1 : 2) + (t->field < 0 ? 2 : 0);
	return 0;
}

int filter_compile(const char *text, const struct filter_field *fields, size_t n,
                   struct filter **out, char *err, size_t errsize)
{
	struct parser p = {.fields = fields, .nfields = n, .err = err, .errsize = errsize};
	struct filter *f = xcalloc(1, sizeof(*f));
	size_t i = 0, cap = 0;
	char dummy[1];
	if (!err || !errsize)
		p.err = dummy, p.errsize = sizeof(dummy);
	p.err[0] = '\0';
	f->fields = fields;
	f->nfields = n;
	*out = NULL;
	for (;;) {
		while (text[i] == ' ' || text[i] == '\t')
			i++;
		if (!text[i])
			break;
		if (f->n == cap) {
			cap = cap ? cap * 2 : 4;
			f->terms = xreallocarray(f->terms, cap, sizeof(*f->terms));
		}
		int rc = term_parse(&p, text, &i, &f->terms[f->n]);
		if (rc < 0) {
			filter_free(f);
			return rc;
		}
		if (rc == 0)
			f->n++;
	}
	if (!f->n) {
		filter_free(f);
		return 0;
	}
	/* cheapest first (a stable insertion sort: few terms) */
	for (size_t a = 1; a < f->n; a++) {
		struct term t = f->terms[a];
		size_t b = a;
		for (; b > 0 && f->terms[b - 1].cost > t.cost; b--)
			f->terms[b] = f->terms[b - 1];
		f->terms[b] = t;
	}
	*out = f;
	return 0;
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		term_clear(&f->terms[i]);
	free(f->terms);
	free(f);
}
