/*
 * Bulk actions (see bulk.h): plans end to end, the question, the tally.
 * Every text here is cut to fit rather than grown: a hundred marked SAs are
 * named by the first few and counted.
 */
#include "action/bulk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sanitize.h"
#include "vici/xmalloc.h"

/* The names and commands a question or result spells out before "...". */
#define BULK_NAMES_COLS 120
#define BULK_COMMANDS 3

const char *verb_past(enum verb v)
{
	static const char *const past[VERB_COUNT] = {
	        [VERB_INITIATE] = "initiated", [VERB_TERMINATE] = "terminated",
	        [VERB_REKEY] = "rekeyed",      [VERB_REDIRECT] = "redirected",
	        [VERB_INSTALL] = "installed",  [VERB_UNINSTALL] = "uninstalled",
	};
	return v > VERB_NONE && v < VERB_COUNT ? past[v] : "done";
}

const char *target_short(const struct target *t, char *buf, size_t size)
{
	char a[TARGET_NAME_MAX * 4 + 1], b[TARGET_NAME_MAX * 4 + 1];
	switch (t->kind) {
	case TARGET_IKE_SA:
		plan_fmt(buf, size, "%s #%u", plan_safe(a, sizeof(a), &t->ike), t->ike_id);
		break;
	case TARGET_CHILD_SA:
		plan_fmt(buf, size, "%s #c%u", plan_safe(a, sizeof(a), &t->child), t->child_id);
		break;
	case TARGET_CHILD_CONF:
		plan_fmt(buf, size, "%s/%s", plan_safe(a, sizeof(a), &t->ike),
		         plan_safe(b, sizeof(b), &t->child));
		break;
	default:
		plan_fmt(buf, size, "%s", plan_safe(a, sizeof(a), &t->ike));
		break;
	}
	return buf;
}

/* printf at the end of buf (length *len), cut to fit. */
static void cat(char *buf, size_t size, size_t *len, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void cat(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	if (*len + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len += (size_t)k < size - *len ? (size_t)k : size - *len - 1;
}

static void take(struct bulk *b, struct plan *p, const struct target *t)
{
	char who[96];
	target_short(t, who, sizeof(who));
	size_t n = b->plan.n + p->n;
	b->plan.req = xreallocarray(b->plan.req, n, sizeof(*b->plan.req));
	b->who = xreallocarray(b->who, n, sizeof(*b->who));
	for (size_t i = 0; i < p->n; i++) {
		b->plan.req[b->plan.n] = p->req[i];
		memcpy(b->who[b->plan.n], who, sizeof(who));
		b->plan.n++;
	}
	free(p->req); /* the bodies moved to b */
	p->req = NULL;
	p->n = 0;
	b->n_acting++;
	b->kinds |= 1u << t->kind;
}

void bulk_plan(struct bulk *b, const struct model *m, enum verb v, const struct target *ts,
               size_t n, bool force)
{
	memset(b, 0, sizeof(*b));
	b->verb = v;
	b->plan.verb = v;
	b->n_targets = n;
	size_t sl = 0;
	for (size_t i = 0; i < n; i++) {
		struct plan p;
		verb_plan(m, v, &ts[i], force, &p);
		if (p.n) {
			take(b, &p, &ts[i]);
		} else {
			cat(b->skipped, sizeof(b->skipped), &sl, "%s%s", b->n_skipped ? "; " : "",
			    p.note);
			b->n_skipped++;
		}
		plan_free(&p);
	}
	if (!b->plan.n)
		plan_note(&b->plan, true, "%s: nothing to do: %s",
		          verb_get(v) ? verb_get(v)->name : "?", b->skipped);
}

void bulk_free(struct bulk *b)
{
	plan_free(&b->plan);
	free(b->who);
	b->who = NULL;
}

static const char *noun(const struct bulk *b)
{
	bool one = b->n_acting == 1;
	if (!(b->kinds & ~MARKS_SAS))
		return one ? "SA" : "SAs";
	if (!(b->kinds & ~MARKS_CONNS))
		return one ? "connection" : "connections";
	return one ? "target" : "targets";
}

/* "site1 #4, site2 #7, ... and 5 more" */
static void names(const struct bulk *b, char *buf, size_t size, size_t *len)
{
	size_t start = *len, shown = 0;
	for (size_t i = 0; i < b->plan.n; i++) {
		if (i && !strcmp(b->who[i], b->who[i - 1]))
			continue; /* a connection's several children */
		if (shown && *len - start + strlen(b->who[i]) > BULK_NAMES_COLS) {
			size_t more = 0;
			for (size_t j = i; j < b->plan.n; j++)
				more += !j || strcmp(b->who[j], b->who[j - 1]) != 0;
			cat(buf, size, len, ", ... and %zu more", more);
			return;
		}
		cat(buf, size, len, "%s%s", shown ? ", " : "", b->who[i]);
		shown++;
	}
}

/* "[swanctl ...; swanctl ...; ... (8 commands)]" */
static void commands(const struct bulk *b, char *buf, size_t size, size_t *len)
{
	cat(buf, size, len, "  [");
	for (size_t i = 0; i < b->plan.n && i < BULK_COMMANDS; i++)
		cat(buf, size, len, "%s%s", i ? "; " : "", b->plan.req[i].swanctl);
	if (b->plan.n > BULK_COMMANDS)
		cat(buf, size, len, "; ... (%zu commands)", b->plan.n);
	cat(buf, size, len, "]");
}

static void head(const struct bulk *b, char *buf, size_t size, size_t *len)
{
	const struct verb_def *d = verb_get(b->verb);
	cat(buf, size, len, "%s %zu %s", d ? d->name : "?", b->n_acting, noun(b));
	if (b->plan.n != b->n_acting)
		cat(buf, size, len, " (%zu requests)", b->plan.n);
	cat(buf, size, len, ": ");
	names(b, buf, size, len);
}

void bulk_question(const struct bulk *b, char *buf, size_t size)
{
	size_t len = 0;
	if (size)
		buf[0] = '\0';
	head(b, buf, size, &len);
	cat(buf, size, &len, "? (y/n)");
	commands(b, buf, size, &len);
	if (b->n_skipped)
		cat(buf, size, &len, "  (%zu skipped: %s)", b->n_skipped, b->skipped);
}

void bulk_started(const struct bulk *b, char *buf, size_t size)
{
	size_t len = 0;
	if (size)
		buf[0] = '\0';
	head(b, buf, size, &len);
	cat(buf, size, &len, ": started");
}

bool bulk_result(struct bulk *b, size_t i, bool ok, const char *outcome)
{
	if (i >= b->plan.n)
		return b->n_done >= b->plan.n;
	b->n_done++;
	if (ok) {
		b->n_ok++;
	} else {
		char why[256];
		size_t len = strlen(b->failed);
		sanitize_buf(why, sizeof(why), outcome, strlen(outcome), 0);
		cat(b->failed, sizeof(b->failed), &len, "%s%s: %s", b->n_failed ? "; " : "",
		    b->who[i], why);
		b->n_failed++;
	}
	return b->n_done >= b->plan.n;
}

void bulk_summary(const struct bulk *b, char *buf, size_t size)
{
	size_t len = 0;
	const struct verb_def *d = verb_get(b->verb);
	if (size)
		buf[0] = '\0';
	cat(buf, size, &len, "%zu of %zu %s", b->n_ok, b->plan.n,
	    d && d->queued ? "queued" : verb_past(b->verb));
	if (b->n_done < b->plan.n)
		cat(buf, size, &len, " (%zu still running)", b->plan.n - b->n_done);
	if (b->n_failed)
		cat(buf, size, &len, "; %zu failed: %s", b->n_failed, b->failed);
	if (b->n_skipped)
		cat(buf, size, &len, "; %zu skipped: %s", b->n_skipped, b->skipped);
	commands(b, buf, size, &len);
}
