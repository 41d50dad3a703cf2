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
#include "ui/cmdline_priv.h"

#include <ctype.h>
#include <errno.h>
#include <histedit.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/sanitize.h"
#include "ui/termkeys.h"
#include "ui/theme.h"
#include "util/text.h"
#include "vici/xmalloc.h"

#define A(k) CMDLINE_ARG_##k

/* One command per entry reads better than one field per line. Rows with a
 * verb are actions: the application runs them through action/action.h like
 * the key bound to the same verb. */
/* clang-format off */
static const struct cmdline_command commands[] = {
	{"bind", CMDLINE_BIND, VERB_NONE, 2, 2, {A(KEY), A(LINE)}, "bind KEY COMMAND...",
	 "run COMMAND when KEY is pressed, as if typed (KEY: a, C-x, M-x, F5, ...)"},
	{"filter", CMDLINE_FILTER, VERB_NONE, 0, 1, {A(REST)}, "filter [TEXT...]",
	 "show only rows matching TEXT; no TEXT clears the filter"},
	{"help", CMDLINE_HELP, VERB_NONE, 0, 1, {A(COMMAND)}, "help [COMMAND]",
	 "list the commands, or explain one (help filter: the filter language)"},
	{"initiate", CMDLINE_VERB, VERB_INITIATE, 0, 1, {A(NAME)}, "initiate [NAME]",
	 "start a CHILD (or IKE) connection; no NAME: the marked rows, else the selected one"},
	{"install", CMDLINE_VERB, VERB_INSTALL, 1, 2, {A(CHILD), A(IKE)}, "install CHILD [IKE]",
	 "install the trap policy of a CHILD config"},
	{"problems", CMDLINE_PROBLEMS, VERB_NONE, 0, 0, {A(NONE)}, "problems",
	 "show only what needs attention (SAs, connections); again: everything"},
	{"quit", CMDLINE_QUIT, VERB_NONE, 0, 0, {A(NONE)}, "quit", "leave swantop"},
	{"redirect", CMDLINE_VERB, VERB_REDIRECT, 2, 2, {A(SA), A(TEXT)}, "redirect SA GATEWAY",
	 "redirect an IKE SA to another gateway"},
	{"rekey", CMDLINE_VERB, VERB_REKEY, 0, 1, {A(SA)}, "rekey [SA]",
	 "rekey an IKE or CHILD SA; no SA: the marked rows, else the selected one"},
	{"set", CMDLINE_SET, VERB_NONE, 0, 2, {A(SETTING), A(VALUE)}, "set [NAME [VALUE]]",
	 "change a setting; without VALUE show it, without NAME show them all"},
	{"sort", CMDLINE_SORT, VERB_NONE, 1, 2, {A(COLUMN), A(ORDER)}, "sort COLUMN [asc|desc]",
	 "sort the focused pane by COLUMN (its heading; Tab lists them)"},
	{"terminate", CMDLINE_VERB, VERB_TERMINATE, 0, 1, {A(SA)}, "terminate [SA]",
	 "terminate an IKE or CHILD SA (SA: name, #N or #cN); no SA: the marked rows, else the selected one"},
	{"theme", CMDLINE_THEME, VERB_NONE, 0, 1, {A(THEME)}, "theme [NAME]",
	 "switch to theme NAME, or show the current one"},
	{"unbind", CMDLINE_UNBIND, VERB_NONE, 1, 1, {A(KEY)}, "unbind KEY",
	 "remove KEY's own binding (the built-in one, if any, is back)"},
	{"uninstall", CMDLINE_VERB, VERB_UNINSTALL, 1, 1, {A(CHILD)}, "uninstall CHILD",
	 "uninstall the trap policy of a CHILD config"},
	{"unmark", CMDLINE_UNMARK, VERB_NONE, 0, 0, {A(NONE)}, "unmark",
	 "clear every mark (m marks a row)"},
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

bool cmdline_is_ifs(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* s as one shell word: bare if nothing in it is special, else quoted; with
 * close false the closing quote is left out (a partial completion). */
char *cmdline_quote_word(const char *s, bool close)
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

/* Walks line[0..len) with the tokenizer's quoting rules: single quotes are
 * literal, double quotes allow \" and \\, a backslash outside quotes takes
 * the next character literally. */
void cmdline_scan(const char *line, size_t len, struct cmdline_scan *s)
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
		} else if (cmdline_is_ifs(c)) {
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
	struct cmdline_scan *s = xmalloc(sizeof(*s));
	size_t len = strlen(line);

	cmdline_scan(line, len, s);
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
const struct cmdline_command *cmdline_resolve(const char *word, char *err, size_t errsize)
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
		if (strncmp(commands[i].name, word, n) == 0) {
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
	case CMDLINE_ARG_COLUMN:
		return "COLUMN";
	case CMDLINE_ARG_ORDER:
		return "asc|desc";
	case CMDLINE_ARG_VALUE:
		return "VALUE";
	case CMDLINE_ARG_SETTING:
		return "NAME";
	case CMDLINE_ARG_KEY:
		return "KEY";
	case CMDLINE_ARG_LINE:
		return "COMMAND";
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

	if (a->kind == CMDLINE_ARG_REST || a->kind == CMDLINE_ARG_NONE ||
	    a->kind == CMDLINE_ARG_VALUE)
		return 0;
	if (a->kind == CMDLINE_ARG_LINE)
		return has_control(t) ? err_set(err, errsize,
		                                "%s: control character in the command", c->name)
		                      : 0;
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
		const struct cmdline_command *h = cmdline_resolve(t, e2, sizeof(e2));
		if (!h)
			return err_set(err, errsize, "help: %s", e2);
		free(a->text);
		a->text = xstrdup(h->name);
		return 0;
	}
	case CMDLINE_ARG_KEY: {
		uint32_t key;
		if (termkeys_parse(t, &key) < 0)
			return err_set(err, errsize,
			               "%s: unknown key '%s' (keys are named like a, A, C-x, M-x, "
			               "F5, PgUp, S-Tab, Space)",
			               c->name, q(buf, sizeof(buf), t));
		return 0;
	}
	case CMDLINE_ARG_ORDER:
		if (strcasecmp(t, "asc") && strcasecmp(t, "desc"))
			return err_set(err, errsize, "%s: '%s' is not asc or desc", c->name,
			               q(buf, sizeof(buf), t));
		for (char *w = a->text; *w; w++)
			*w = (char)tolower((unsigned char)*w);
		return 0;
	case CMDLINE_ARG_COLUMN:
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

/* Joins words [from, n) with single spaces; quoted, so that the result
 * splits back into the same words. */
static char *join(char **w, size_t from, size_t n, bool quoted)
{
	size_t len = 1;
	for (size_t i = from; i < n; i++) {
		if (quoted) {
			char *q = cmdline_quote_word(w[i], true);
			free(w[i]);
			w[i] = q;
		}
		len += strlen(w[i]) + 1;
	}
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
	enum cmdline_arg_kind last = c->max_args > 0 ? c->arg[c->max_args - 1] : CMDLINE_ARG_NONE;
	bool rest =
	        last == CMDLINE_ARG_REST || last == CMDLINE_ARG_LINE || last == CMDLINE_ARG_VALUE;

	if (nargs < c->min_args)
		return err_set(err, errsize, "%s: missing %s (usage: %s)", c->name,
		               kind_label(c->arg[nargs]), c->usage);
	if (nargs > c->max_args && !rest)
		return err_set(err, errsize, "%s: too many arguments (usage: %s)", c->name,
		               c->usage);
	for (size_t i = 0; i < c->max_args && i < nargs; i++) {
		struct cmdline_arg *a = &res->argv[res->argc++];
		a->kind = c->arg[i];
		bool joined = a->kind == CMDLINE_ARG_REST || a->kind == CMDLINE_ARG_LINE ||
		              a->kind == CMDLINE_ARG_VALUE;
		a->text =
		        joined ? join(w, 1 + i, n, a->kind == CMDLINE_ARG_LINE) : xstrdup(w[1 + i]);
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
	const struct cmdline_command *c = cmdline_resolve(w[0], err, errsize);
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
