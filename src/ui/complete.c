/*
 * Completion of the command line: the command name for the first word, else
 * candidates of the kind the command expects there, supplied from live data
 * by the caller, filtered by what was typed, sorted, without repeats, and
 * quoted back the way the tokenizer reads them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ui/cmdline.h"
#include "ui/cmdline_priv.h"
#include "util/sanitize.h"
#include "vici/xmalloc.h"

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
	size_t n;
	const struct cmdline_command *t = cmdline_commands(&n);
	for (size_t i = 0; i < n; i++)
		cmdline_completion_add(c, t[i].name);
}

static void gather(struct cmdline_completion *c, enum cmdline_arg_kind kind,
                   cmdline_candidates_fn fn, void *ctx)
{
	switch (kind) {
	case CMDLINE_ARG_COMMAND:
	case CMDLINE_ARG_LINE: /* its first word is a command */
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
	case CMDLINE_ARG_COLUMN:
	case CMDLINE_ARG_SETTING:
		if (fn)
			fn(ctx, kind, c);
		return;
	case CMDLINE_ARG_ORDER:
		cmdline_completion_add(c, "asc");
		cmdline_completion_add(c, "desc");
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
	struct cmdline_scan *s = xmalloc(sizeof(*s));
	cmdline_scan(line, cursor, s);
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
		struct cmdline_scan *s0 = xmalloc(sizeof(*s0));
		size_t end0 = 0;
		while (end0 < cursor && cmdline_is_ifs(line[end0]))
			end0++;
		while (end0 < cursor && !cmdline_is_ifs(line[end0]))
			end0++;
		cmdline_scan(line, end0, s0);
		const struct cmdline_command *cmd = cmdline_resolve(s0->word, NULL, 0);
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

char *cmdline_completion_text(const struct cmdline_completion *c)
{
	if (c->count == 1) {
		char *w = cmdline_quote_word(c->items[0], true);
		char *t = xasprintf("%s ", w);
		free(w);
		return t;
	}
	if (c->count > 1 && strlen(c->common) > strlen(c->word))
		return cmdline_quote_word(c->common, false);
	return NULL;
}
