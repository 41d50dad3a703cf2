/*
 * What the panes' filter tables share (see fields.h): value helpers, the
 * problems view, compiling a pane's filter and the generated help.
 */
#include "ui/fields.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/diag.h"
#include "ui/pane.h"

bool fields_str(struct model_str s, filter_visit_fn visit, void *ctx)
{
	return visit(ctx, s.s, s.len);
}

bool fields_cstr(const char *s, filter_visit_fn visit, void *ctx)
{
	return s && visit(ctx, s, strlen(s));
}

bool fields_list(const struct model_list *l, filter_visit_fn visit, void *ctx)
{
	struct model_list_iter it;
	struct model_str s;
	model_list_iter_init(&it, l);
	while (model_list_next(&it, &s))
		if (visit(ctx, s.s, s.len))
			return true;
	return false;
}

bool fields_u64(uint64_t v, filter_visit_fn visit, void *ctx)
{
	char buf[24];
	size_t n = sizeof(buf);
	do
		buf[--n] = (char)('0' + v % 10);
	while (v /= 10);
	return visit(ctx, buf + n, sizeof(buf) - n);
}

/* ---- the problems view ---------------------------------------------------- */

const char *fields_verdict_problem(const struct diag_verdict *v)
{
	return v && v->current ? diag_code_name(v->code) : NULL;
}

static bool stuck(int64_t rekey_at, int64_t now)
{
	return rekey_at != MODEL_TIME_NONE && now - rekey_at >= FIELDS_REKEY_STUCK_MS;
}

const char *fields_sa_problem(const struct model_ike *ike, const struct model_child *child,
                              const struct diag *d, int64_t now)
{
	const char *why = d ? fields_verdict_problem(diag_sa_verdict(d, ike->uniqueid,
	                                                             child ? child->uniqueid : 0))
	                    : NULL;
	if (why)
		return why;
	if (child) {
		switch (child->state) {
		case MODEL_CHILD_INSTALLED:
		case MODEL_CHILD_ROUTED:
			return NULL;
		case MODEL_CHILD_REKEYING:
		case MODEL_CHILD_REKEYED:
			return stuck(child->rekey_at, now) ? "rekey-stuck" : NULL;
		default:
			return model_child_state_name(child->state);
		}
	}
	switch (ike->state) {
	case MODEL_IKE_ESTABLISHED:
		return NULL;
	case MODEL_IKE_REKEYING:
	case MODEL_IKE_REKEYED:
		return stuck(ike->rekey_at, now) ? "rekey-stuck" : NULL;
	default:
		return model_ike_state_name(ike->state);
	}
}

/* ---- compiling a pane's filter ------------------------------------------- */

static bool has_field(const struct pane_ops *ops, const char *name)
{
	for (size_t i = 0; i < ops->nfields; i++)
		if (!strcmp(ops->fields[i].name, name))
			return true;
	return false;
}

bool fields_has_problems(const struct pane *p)
{
	return has_field(p->ops, "problem");
}

int fields_compile(struct pane *p)
{
	char text[sizeof(p->filter) + sizeof(FIELDS_PROBLEM_TERM) + 1];
	bool problems = p->problems && fields_has_problems(p);
	snprintf(text, sizeof(text), "%s%s%s", problems ? FIELDS_PROBLEM_TERM : "",
	         problems ? " " : "", p->filter);
	struct filter *f;
	if (filter_compile(text, p->ops->fields, p->ops->nfields, &f, p->filter_err,
	                   sizeof(p->filter_err)) < 0)
		return -EINVAL;
	filter_free(p->match);
	p->match = f;
	p->filter_err[0] = '\0';
	return 0;
}

/* ---- help ------------------------------------------------------------------ */

void fields_help(void (*emit)(const char *line, void *arg), void *arg)
{
	static const char *const syntax[] = {
	        "Filter language (/ in every pane; Esc clears; the pane's title shows it)",
	        "  WORD       a case-insensitive regular expression (POSIX extended) matched",
	        "             against every visible field of a row: a plain word is a substring",
	        "  !TERM      rows that do not match TERM",
	        "  F=VALUE    field F is VALUE (the whole value, any case); F= : F is empty",
	        "  F!=VALUE   field F is not VALUE",
	        "  F~REGEX    field F matches REGEX;  F!~REGEX: it does not",
	        "  is:F       field F has a value (is:problem: what :problems and ! show)",
	        "  \"...\"      quotes keep spaces in a word: name=\"my conn\"",
	        "  A row is shown when it matches every term. A bad term (unknown field, bad",
	        "  regular expression) is named on the status line; the pane keeps the rows",
	        "  of the last filter that was valid until the text is fixed.",
	        "  Examples: /CONNECTING  /conn1[23]$  /!conn1  /state=CONNECTING",
	        "            /remote~^10\\.1\\.  /is:problem !why=peer-unreachable",
	        "",
	        "Fields of each pane (* : searched by free text; the rest only by name)",
	};
	for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++)
		emit(syntax[i], arg);
	static const struct pane_ops *const panes[] = {
	        &pane_sas_ops, &pane_conns_ops, &pane_pols_ops, &pane_events_ops, &pane_log_ops,
	};
	for (size_t k = 0; k < sizeof(panes) / sizeof(panes[0]); k++) {
		const struct pane_ops *ops = panes[k];
		char line[512];
		size_t n = (size_t)snprintf(line, sizeof(line), "  %-12s", ops->name);
		for (int vis = 1; vis >= 0; vis--)
			for (size_t i = 0; i < ops->nfields && n < sizeof(line); i++)
				if (ops->fields[i].visible == (bool)vis)
					n += (size_t)snprintf(line + n, sizeof(line) - n, " %s%s",
					                      ops->fields[i].name, vis ? "*" : "");
		emit(line, arg);
	}
}
