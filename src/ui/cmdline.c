/*
 * The command line language.
 *
 * Words are split by libedit's tokenizer(3), which implements the shell's
 * quoting; before it runs, a small scanner of our own walks the line with
 * the same rules to name the exact quoting error (the tokenizer only says
 * "needs more input") and, for completion, to find where the word under the
 * cursor starts, which the tokenizer cannot tell.
 *
 * The command table is a sorted static array, like tmux's cmd_table or
 * sway's handlers[]: one row per command with its argument kinds, so
 * parsing, validation, completion and help all read the same table.
 */
#include "ui/cmdline.h"

#include <errno.h>
#include <fcntl.h>
#include <histedit.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/sanitize.h"
#include "ui/theme.h"
#include "util/text.h"
#include "vici/xmalloc.h"

#define A(k) CMDLINE_ARG_##k

/* One command per entry reads better than one field per line. */
/* clang-format off */
static const struct cmdline_command commands[] = {
	{"filter", CMDLINE_FILTER, 0, 1, {A(REST)}, "filter [TEXT...]",
	 "show only rows matching TEXT; no TEXT clears the filter", false},
	{"help", CMDLINE_HELP, 0, 1, {A(COMMAND)}, "help [COMMAND]",
	 "list the commands, or explain one", false},
	{"initiate", CMDLINE_INITIATE, 1, 1, {A(NAME)}, "initiate NAME",
	 "start a CHILD (or IKE) connection", false},
	{"install", CMDLINE_INSTALL, 1, 2, {A(CHILD), A(IKE)}, "install CHILD [IKE]",
	 "install the trap policy of a CHILD config", false},
	{"quit", CMDLINE_QUIT, 0, 0, {A(NONE)}, "quit", "leave swantop", false},
	{"redirect", CMDLINE_REDIRECT, 2, 2, {A(SA), A(TEXT)}, "redirect SA GATEWAY",
	 "redirect an IKE SA to another gateway", true},
	{"rekey", CMDLINE_REKEY, 1, 1, {A(SA)}, "rekey SA", "rekey an IKE or CHILD SA", false},
	{"terminate", CMDLINE_TERMINATE, 1, 1, {A(SA)}, "terminate SA",
	 "terminate an IKE or CHILD SA (SA: name, #N or #cN)", true},
	{"theme", CMDLINE_THEME, 0, 1, {A(THEME)}, "theme [NAME]",
	 "switch to theme NAME, or show the current one", false},
	{"uninstall", CMDLINE_UNINSTALL, 1, 1, {A(CHILD)}, "uninstall CHILD",
	 "uninstall the trap policy of a CHILD config", true},
};
/* clang-format on */
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct {
	const char *alias, *name;
} aliases[] = {
        {"?", "help"},
        {"exit", "quit"},
        {"q", "quit"},
};
#define NALIASES (sizeof(aliases) / sizeof(aliases[0]))

const struct cmdline_command *cmdline_commands(size_t *count)
{
	if (count)
		*count = NCOMMANDS;
	return commands;
}

const struct cmdline_command *cmdline_command_find(const char *name)
{
	for (size_t i = 0; i < NALIASES; i++)
		if (strcmp(aliases[i].alias, name) == 0)
			name = aliases[i].name;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* --- suggestions --- */

/* --- errors --- */

__attribute__((format(printf, 3, 4))) static int err_set(char *err, size_t errsize, const char *fmt,
                                                         ...)
{
	va_list ap;

	if (err && errsize) {
		va_start(ap, fmt);
		vsnprintf(err, errsize, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A word of user input made safe and short enough for a message. */
static const char *q(char *buf, size_t size, const char *s)
{
	sanitize_fit(buf, size, s, strlen(s), 40, 0);
	return buf;
}
#define QBUF SANITIZE_FIT_BUFSIZE(40)

/* --- scanning --- */

/* Where a quoting scan of line[0..len) ends. */
struct scan {
	char quote;                 /* open quote at the end: '\'', '"' or 0 */
	bool escape;                /* a backslash waits for its character */
	bool in_word;               /* the end is inside a word */
	size_t word_start;          /* byte where the last word starts */
	size_t words;               /* complete words before the last one */
	char word[CMDLINE_MAX + 1]; /* the last word, unquoted */
	size_t word_len;
};

static bool is_ifs(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Walks line[0..len) with the tokenizer's quoting rules: single quotes are
 * literal, double quotes allow \" and \\, a backslash outside quotes takes
 * the next character literally. */
static void scan_line(const char *line, size_t len, struct scan *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < len; i++) {
		char c = line[i];
		if (s->escape) {
			s->escape = false;
		} else if (s->quote == '\'') {
			if (c == '\'') {
				s->quote = 0;
				continue;
			}
		} else if (s->quote == '"') {
			if (c == '"') {
				s->quote = 0;
				continue;
			}
			if (c == '\\' && i + 1 < len &&
			    (line[i + 1] == '"' || line[i + 1] == '\\')) {
				s->escape = true;
				continue;
			}
		} else if (is_ifs(c)) {
			if (s->in_word)
				s->words++;
			s->in_word = false;
			continue;
		} else if (c == '\\') {
			if (!s->in_word)
				s->word_start = i, s->word_len = 0;
			s->in_word = true;
			s->escape = true;
			continue;
		} else if (c == '\'' || c == '"') {
			if (!s->in_word)
				s->word_start = i, s->word_len = 0;
			s->in_word = true;
			s->quote = c;
			continue;
		}
		if (!s->in_word)
			s->word_start = i, s->word_len = 0;
		s->in_word = true;
		if (s->word_len < CMDLINE_MAX)
			s->word[s->word_len++] = c;
	}
	s->word[s->word_len] = '\0';
	if (!s->in_word)
		s->word_start = len, s->word_len = 0, s->word[0] = '\0';
}

/* Splits line into words (argv allocated, the caller frees each and argv). */
static int tokenize(const char *line, char ***argvp, size_t *argcp, char *err, size_t errsize)
{
	struct scan *s = xmalloc(sizeof(*s));
	size_t len = strlen(line);

	scan_line(line, len, s);
	int r = 0;
	if (s->quote)
		r = err_set(err, errsize, "unbalanced %c quote", s->quote);
	else if (s->escape)
		r = err_set(err, errsize, "backslash at the end of the line");
	free(s);
	if (r < 0)
		return r;

	Tokenizer *tok = tok_init(NULL);
	int ac = 0;
	const char **av = NULL;
	r = tok_str(tok, line, &ac, &av);
	if (r != 0 || ac < 0) {
		tok_end(tok);
		return err_set(err, errsize, "cannot split the line into words");
	}
	char **argv = xcalloc((size_t)ac + 1, sizeof(*argv));
	for (int i = 0; i < ac; i++)
		argv[i] = xstrdup(av[i] ? av[i] : "");
	tok_end(tok);
	*argvp = argv;
	*argcp = (size_t)ac;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* --- parsing --- */

/* The command word resolves to: exact name or alias, else a unique prefix. */
static const struct cmdline_command *resolve(const char *word, char *err, size_t errsize)
{
	char buf[QBUF];
	const struct cmdline_command *c = cmdline_command_find(word);
	if (c)
		return c;
	if (word[0] == '\0') {
		err_set(err, errsize, "empty command name (try 'help')");
		return NULL;
	}
	size_t n = strlen(word), hits = 0;
	char list[256] = "";
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (n > 0 && strncmp(commands[i].name, word, n) == 0) {
			c = &commands[i];
			size_t l = strlen(list);
			snprintf(list + l, sizeof(list) - l, "%s%s", hits ? ", " : "",
			         commands[i].name);
			hits++;
		}
	}
	if (hits == 1)
		return c;
	if (hits > 1) {
		err_set(err, errsize, "ambiguous command '%s' (%s)", q(buf, sizeof(buf), word),
		        list);
		return NULL;
	}
	const char *names[NCOMMANDS + NALIASES];
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	for (size_t i = 0; i < NALIASES; i++)
		names[NCOMMANDS + i] = aliases[i].alias;
	const char *sug = text_suggest(word, names, NCOMMANDS + NALIASES);
	if (sug)
		err_set(err, errsize, "unknown command '%s' (did you mean '%s'?)",
		        q(buf, sizeof(buf), word), sug);
	else
		err_set(err, errsize, "unknown command '%s' (try 'help')",
		        q(buf, sizeof(buf), word));
	return NULL;
}

static const char *kind_label(enum cmdline_arg_kind k)
{
	switch (k) {
	case CMDLINE_ARG_IKE:
		return "IKE";
	case CMDLINE_ARG_CHILD:
		return "CHILD";
	case CMDLINE_ARG_NAME:
		return "NAME";
	case CMDLINE_ARG_SA:
	case CMDLINE_ARG_SA_ID:
		return "SA";
	case CMDLINE_ARG_THEME:
		return "theme NAME";
	case CMDLINE_ARG_COMMAND:
		return "COMMAND";
	case CMDLINE_ARG_TEXT:
		return "GATEWAY";
	case CMDLINE_ARG_REST:
		return "TEXT";
	default:
		return "?";
	}
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* "#N" (IKE SA) or "#cN" (CHILD SA), N in 1..2^32-1. */
static int parse_sa_id(const char *s, struct cmdline_arg *a)
{
	const char *p = s + 1;
	bool child = false;
	if (*p == 'c')
		child = true, p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	unsigned long long v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	a->is_id = true;
	a->is_child_id = child;
	a->id = (uint32_t)v;
	return 0;
}

static int check_arg(const struct cmdline_command *c, struct cmdline_arg *a, char *err,
                     size_t errsize)
{
	char buf[QBUF];
	const char *t = a->text;

	if (a->kind == CMDLINE_ARG_REST || a->kind == CMDLINE_ARG_NONE)
		return 0;
	if (t[0] == '\0')
		return err_set(err, errsize, "%s: empty %s", c->name, kind_label(a->kind));
	if (has_control(t))
		return err_set(err, errsize, "%s: control character in '%s'", c->name,
		               q(buf, sizeof(buf), t));
	if (a->kind == CMDLINE_ARG_SA && t[0] == '#') {
		if (parse_sa_id(t, a) < 0)
			return err_set(err, errsize,
			               "%s: bad SA id '%s' (#N for IKE SA N, #cN for CHILD SA N)",
			               c->name, q(buf, sizeof(buf), t));
		return 0;
	}
	switch (a->kind) {
	case CMDLINE_ARG_SA:
	case CMDLINE_ARG_IKE:
	case CMDLINE_ARG_CHILD:
	case CMDLINE_ARG_NAME:
		if (t[0] == '#')
			return err_set(err, errsize, "%s: '%s' is an SA id; %s takes a %s name",
			               c->name, q(buf, sizeof(buf), t), c->name,
			               a->kind == CMDLINE_ARG_CHILD ? "CHILD"
			               : a->kind == CMDLINE_ARG_IKE ? "IKE"
			                                            : "connection");
		if (strlen(t) > 255)
			return err_set(err, errsize, "%s: name longer than 255 bytes", c->name);
		return 0;
	case CMDLINE_ARG_THEME:
		if (!theme_name_valid(t))
			return err_set(
			        err, errsize,
			        "theme: bad theme name '%s' (letters, digits, '.', '_', '-')",
			        q(buf, sizeof(buf), t));
		return 0;
	case CMDLINE_ARG_COMMAND: {
		char e2[256];
		const struct cmdline_command *h = resolve(t, e2, sizeof(e2));
		if (!h)
			return err_set(err, errsize, "help: %s", e2);
		free(a->text);
		a->text = xstrdup(h->name);
		return 0;
	}
	case CMDLINE_ARG_TEXT:
		if (strpbrk(t, " \t"))
			return err_set(err, errsize, "%s: bad %s '%s'", c->name,
			               kind_label(a->kind), q(buf, sizeof(buf), t));
		return 0;
	default:
		return 0;
	}
}

void cmdline_result_free(struct cmdline_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->argc; i++)
		free(res->argv[i].text);
	memset(res, 0, sizeof(*res));
}

/* Joins words [from, n) with single spaces. */
static char *join(char **w, size_t from, size_t n)
{
	size_t len = 1;
	for (size_t i = from; i < n; i++)
		len += strlen(w[i]) + 1;
	char *s = xmalloc(len), *p = s;
	for (size_t i = from; i < n; i++) {
		size_t l = strlen(w[i]);
		if (i > from)
			*p++ = ' ';
		memcpy(p, w[i], l);
		p += l;
	}
	*p = '\0';
	return s;
}

static int fill_args(const struct cmdline_command *c, char **w, size_t n,
                     struct cmdline_result *res, char *err, size_t errsize)
{
	size_t nargs = n - 1;
	bool rest = c->max_args > 0 && c->arg[c->max_args - 1] == CMDLINE_ARG_REST;

	if (nargs < c->min_args)
		return err_set(err, errsize, "%s: missing %s (usage: %s)", c->name,
		               kind_label(c->arg[nargs]), c->usage);
	if (nargs > c->max_args && !rest)
		return err_set(err, errsize, "%s: too many arguments (usage: %s)", c->name,
		               c->usage);
	for (size_t i = 0; i < c->max_args && i < nargs; i++) {
		struct cmdline_arg *a = &res->argv[res->argc++];
		a->kind = c->arg[i];
		a->text = a->kind == CMDLINE_ARG_REST ? join(w, 1 + i, n) : xstrdup(w[1 + i]);
		int r = check_arg(c, a, err, errsize);
		if (r < 0)
			return r;
	}
	return 0;
}

int cmdline_parse(const char *line, struct cmdline_result *res, char *err, size_t errsize)
{
	char **w = NULL;
	size_t n = 0;

	memset(res, 0, sizeof(*res));
	if (err && errsize)
		err[0] = '\0';
	if (strlen(line) > CMDLINE_MAX)
		return err_set(err, errsize, "command line longer than %d bytes", CMDLINE_MAX);
	int r = tokenize(line, &w, &n, err, errsize);
	if (r < 0)
		return r;
	if (n == 0) {
		strv_free(w, n);
		return 0;
	}
	const struct cmdline_command *c = resolve(w[0], err, errsize);
	if (!c) {
		strv_free(w, n);
		return -EINVAL;
	}
	res->cmd = c->cmd;
	res->def = c;
	r = fill_args(c, w, n, res, err, errsize);
	strv_free(w, n);
	if (r < 0)
		cmdline_result_free(res);
	return r;
}

/* --- completion --- */

static bool valid_candidate(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > CMDLINE_MAX)
		return false;
	/* only what can be typed back: printable and valid UTF-8 */
	char *safe = sanitize_dup(s, n, 0);
	bool ok = strcmp(safe, s) == 0;
	free(safe);
	return ok;
}

void cmdline_completion_add(struct cmdline_completion *c, const char *cand)
{
	if (!cand || strncmp(cand, c->word, strlen(c->word)) != 0 || !valid_candidate(cand))
		return;
	if (c->count == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 16;
		c->items = xreallocarray(c->items, c->alloc, sizeof(*c->items));
	}
	c->items[c->count++] = xstrdup(cand);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void finish(struct cmdline_completion *c)
{
	if (c->count > 0)
		qsort(c->items, c->count, sizeof(*c->items), cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < c->count; i++) {
		if (u > 0 && strcmp(c->items[u - 1], c->items[i]) == 0)
			free(c->items[i]);
		else
			c->items[u++] = c->items[i];
	}
	c->count = u;
	if (u == 0) {
		c->common = xstrdup("");
		return;
	}
	size_t len = strlen(c->items[0]);
	for (size_t i = 1; i < u; i++) {
		size_t k = 0;
		while (k < len && c->items[i][k] == c->items[0][k])
			k++;
		len = k;
	}
	/* never end inside a UTF-8 sequence */
	while (len > 0 && len < strlen(c->items[0]) &&
	       ((unsigned char)c->items[0][len] & 0xc0) == 0x80)
		len--;
	c->common = xstrndup(c->items[0], len);
}

static void add_commands(struct cmdline_completion *c)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		cmdline_completion_add(c, commands[i].name);
}

static void gather(struct cmdline_completion *c, enum cmdline_arg_kind kind,
                   cmdline_candidates_fn fn, void *ctx)
{
	switch (kind) {
	case CMDLINE_ARG_COMMAND:
		add_commands(c);
		return;
	case CMDLINE_ARG_NAME:
	case CMDLINE_ARG_REST: /* filter: names are what one filters by */
		if (fn) {
			fn(ctx, CMDLINE_ARG_IKE, c);
			fn(ctx, CMDLINE_ARG_CHILD, c);
		}
		return;
	case CMDLINE_ARG_SA:
		if (fn) {
			fn(ctx, CMDLINE_ARG_IKE, c);
			fn(ctx, CMDLINE_ARG_CHILD, c);
			fn(ctx, CMDLINE_ARG_SA_ID, c);
		}
		return;
	case CMDLINE_ARG_IKE:
	case CMDLINE_ARG_CHILD:
	case CMDLINE_ARG_THEME:
		if (fn)
			fn(ctx, kind, c);
		return;
	default:
		return;
	}
}

int cmdline_complete(const char *line, size_t cursor, cmdline_candidates_fn fn, void *ctx,
                     struct cmdline_completion *c)
{
	memset(c, 0, sizeof(*c));
	size_t len = strlen(line);
	if (cursor > len)
		cursor = len;
	if (cursor > CMDLINE_MAX) {
		c->word = xstrdup("");
		c->common = xstrdup("");
		return -EINVAL;
	}
	struct scan *s = xmalloc(sizeof(*s));
	scan_line(line, cursor, s);
	c->start = s->word_start;
	c->end = cursor;
	c->word = xstrdup(s->word);
	size_t index = s->words;
	free(s);

	int r = 0;
	if (index == 0) {
		add_commands(c);
	} else {
		/* the command word, as far as the cursor's scan knows it */
		struct scan *s0 = xmalloc(sizeof(*s0));
		size_t end0 = 0;
		while (end0 < cursor && is_ifs(line[end0]))
			end0++;
		while (end0 < cursor && !is_ifs(line[end0]))
			end0++;
		scan_line(line, end0, s0);
		const struct cmdline_command *cmd = resolve(s0->word, NULL, 0);
		free(s0);
		size_t ai = index - 1;
		if (!cmd) {
			r = -EINVAL;
		} else if (ai < cmd->max_args) {
			gather(c, cmd->arg[ai], fn, ctx);
		} else if (cmd->max_args > 0 && cmd->arg[cmd->max_args - 1] == CMDLINE_ARG_REST) {
			gather(c, CMDLINE_ARG_REST, fn, ctx);
		} else {
			r = -EINVAL;
		}
	}
	finish(c);
	return r;
}

void cmdline_completion_free(struct cmdline_completion *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count; i++)
		free(c->items[i]);
	free(c->items);
	free(c->word);
	free(c->common);
	memset(c, 0, sizeof(*c));
}

/* s as one shell word: bare if nothing in it is special, else quoted; with
 * close false the closing quote is left out (a partial completion). */
static char *quote_word(const char *s, bool close)
{
	if (!strpbrk(s, " \t\n'\"\\") && s[0] != '\0')
		return xstrdup(s);
	size_t n = strlen(s);
	char *out = xmalloc(2 * n + 4), *p = out;
	if (!strchr(s, '\'')) {
		*p++ = '\'';
		memcpy(p, s, n);
		p += n;
		if (close)
			*p++ = '\'';
	} else {
		*p++ = '"';
		for (; *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		if (close)
			*p++ = '"';
	}
	*p = '\0';
	return out;
}

char *cmdline_completion_text(const struct cmdline_completion *c)
{
	if (c->count == 1) {
		char *w = quote_word(c->items[0], true);
		char *t = xasprintf("%s ", w);
		free(w);
		return t;
	}
	if (c->count > 1 && strlen(c->common) > strlen(c->word))
		return quote_word(c->common, false);
	return NULL;
}

/* --- history --- */

struct cmdline_history {
	History *h;
	char *path;
	size_t max;
	char **items; /* mirror of h, oldest first, for random access */
	size_t n;
};

char *cmdline_history_default_path(void)
{
	const char *x = getenv("XDG_STATE_HOME");
	if (x && x[0] == '/')
		return xasprintf("%s/swantop/history", x);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return xasprintf("%s/.local/state/swantop/history", home);
	return NULL;
}

/* mkdir -p of the directory holding path, new directories 0700. */
static int make_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int r = 0;

	if (!slash || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
				r = -errno;
				break;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(dir);
	return r;
}

static void mirror_rebuild(struct cmdline_history *h)
{
	HistEvent ev;
	for (size_t i = 0; i < h->n; i++)
		free(h->items[i]);
	h->n = 0;
	h->items = xreallocarray(h->items, h->max ? h->max : 1, sizeof(*h->items));
	for (int r = history(h->h, &ev, H_LAST); r != -1 && h->n < h->max;
	     r = history(h->h, &ev, H_PREV))
		h->items[h->n++] = xstrdup(ev.str);
}

static char *safe_path(const char *p)
{
	return sanitize_strdup(p, 0);
}

struct cmdline_history *cmdline_history_open(const char *path, size_t max, char **err)
{
	struct cmdline_history *h = xcalloc(1, sizeof(*h));
	HistEvent ev;

	*err = NULL;
	h->max = max ? max : 1;
	h->h = history_init();
	history(h->h, &ev, H_SETSIZE, (int)(h->max > INT_MAX ? INT_MAX : h->max));
	history(h->h, &ev, H_SETUNIQUE, 1);
	h->path = path ? xstrdup(path) : cmdline_history_default_path();
	if (!h->path) {
		*err = xstrdup("history: neither XDG_STATE_HOME nor HOME is set; history is not "
		               "saved");
		return h;
	}
	int r = make_parent(h->path);
	char *sp = safe_path(h->path);
	if (r < 0) {
		*err = xasprintf("history: cannot create the directory of %s: %s", sp,
		                 strerror(-r));
	} else if (access(h->path, F_OK) == 0) {
		if (history(h->h, &ev, H_LOAD, h->path) < 0)
			*err = xasprintf("history: cannot read %s%s", sp,
			                 access(h->path, R_OK) == 0 ? " (not a history file)" : "");
	}
	free(sp);
	mirror_rebuild(h);
	return h;
}

void cmdline_history_close(struct cmdline_history *h)
{
	if (!h)
		return;
	history_end(h->h);
	for (size_t i = 0; i < h->n; i++)
		free(h->items[i]);
	free(h->items);
	free(h->path);
	free(h);
}

/* Writes the history to a temporary file next to path and renames it, so a
 * crash never leaves a truncated history and the mode is always 0600. */
static int save(struct cmdline_history *h)
{
	HistEvent ev;
	char *tmp = xasprintf("%s.XXXXXX", h->path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = -errno;
		free(tmp);
		return e;
	}
	int r = 0;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
	} else {
		if (fchmod(fd, 0600) < 0 || history(h->h, &ev, H_SAVE_FP, f) < 0)
			r = errno ? -errno : -EIO;
		if (fflush(f) != 0 && r == 0)
			r = -errno;
		if (fclose(f) != 0 && r == 0)
			r = -errno;
	}
	if (r == 0 && rename(tmp, h->path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

int cmdline_history_add(struct cmdline_history *h, const char *line, char **err)
{
	HistEvent ev;

	*err = NULL;
	if (!line || !*line || (h->n > 0 && strcmp(h->items[h->n - 1], line) == 0))
		return 0;
	history(h->h, &ev, H_ENTER, line);
	mirror_rebuild(h);
	if (!h->path)
		return 0;
	errno = 0;
	int r = save(h);
	if (r < 0) {
		char *sp = safe_path(h->path);
		*err = xasprintf("history: cannot save %s: %s", sp, strerror(-r));
		free(sp);
	}
	return r;
}

size_t cmdline_history_count(const struct cmdline_history *h)
{
	return h->n;
}

const char *cmdline_history_get(const struct cmdline_history *h, size_t i)
{
	return i < h->n ? h->items[i] : NULL;
}
