/*
 * `swantop why` and the history store: a connection that is down now with
 * nothing live to explain it (the failure happened before why looked, or
 * while nobody watched) is explained by the latest verdict the recorder
 * kept for it, with the time it was recorded.
 *
 * Whether that verdict still explains the connection is read from the same
 * timeline: an ike-up (or, for a CHILD verdict, a child-up of that CHILD)
 * recorded after it means the connection came up since, and the verdict is
 * only its last failure. Lookups are per connection, newest records first,
 * at most WHY_STORE_LOOKBACK of them, and cached.
 */
#include "main/why.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/store.h"
#include "ui/rows.h"
#include "util/sanitize.h"
#include "vici/xmalloc.h"

/* Records of one connection looked through for its latest verdict. */
#define WHY_STORE_LOOKBACK 2000

struct why_hist {
	struct store *s;
	int64_t wall;
	struct why_recorded *v; /* cached lookups, found or not */
	size_t n;
};

int why_hist_open(struct why_hist **out, const char *path, int64_t wall, char *err, size_t errlen)
{
	struct store *s;
	*out = NULL;
	int e = store_open(&s, path, STORE_READ_ONLY, err, errlen);
	if (e)
		return e;
	struct why_hist *h = xcalloc(1, sizeof(*h));
	h->s = s;
	h->wall = wall;
	*out = h;
	return 0;
}

void why_hist_free(struct why_hist *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		struct why_recorded *r = &h->v[i];
		free(r->conn);
		free(r->code);
		free(r->side);
		free(r->child);
		free(r->detail);
		free(r->evidence);
	}
	free(h->v);
	store_close(h->s);
	free(h);
}

int64_t why_hist_wall(const struct why_hist *h)
{
	return h->wall;
}

static char *dup_str(struct model_str v)
{
	return xstrndup(v.len ? v.s : "", v.len);
}

struct look {
	struct why_recorded *r;
	size_t ups;      /* up records seen (newer than anything after) */
	char **up_child; /* CHILD names of the child-ups seen */
	size_t n_up_child;
	bool ike_up;
};

static int on_record(void *ctx, const struct store_event *ev)
{
	struct look *l = ctx;
	if (!ev->conn.len)
		return 0; /* daemon-wide */
	if (ev->kind == STORE_EV_IKE_UP) {
		l->ike_up = true;
	} else if (ev->kind == STORE_EV_CHILD_UP) {
		l->up_child = xreallocarray(l->up_child, l->n_up_child + 1, sizeof(*l->up_child));
		l->up_child[l->n_up_child++] = dup_str(ev->child);
	} else if (ev->kind == STORE_EV_VERDICT) {
		struct why_recorded *r = l->r;
		r->found = true;
		r->time = ev->time;
		r->code = dup_str(ev->code);
		r->side = dup_str(ev->side);
		r->child = dup_str(ev->child);
		r->detail = dup_str(ev->detail);
		r->evidence = dup_str(ev->evidence);
		r->up_since = !*r->child && l->ike_up;
		for (size_t i = 0; *r->child && i < l->n_up_child; i++)
			r->up_since = r->up_since || !strcmp(l->up_child[i], r->child);
		return 1;
	}
	return 0;
}

const struct why_recorded *why_hist_find(struct why_hist *h, const char *conn)
{
	if (!h || !conn)
		return NULL;
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].conn, conn))
			return h->v[i].found ? &h->v[i] : NULL;
	h->v = xreallocarray(h->v, h->n + 1, sizeof(*h->v));
	struct why_recorded *r = &h->v[h->n++];
	*r = (struct why_recorded){.conn = xstrdup(conn)};
	struct look l = {.r = r};
	struct store_filter f = {
	        .conn = conn, .limit = WHY_STORE_LOOKBACK, .order = STORE_NEWEST_FIRST};
	/* a store that cannot be read now explains nothing: why goes on */
	store_timeline(h->s, &f, on_record, &l);
	for (size_t i = 0; i < l.n_up_child; i++)
		free(l.up_child[i]);
	free(l.up_child);
	return r->found ? r : NULL;
}

/* ---- output ------------------------------------------------------------------- */

void why_recorded_summary(char *buf, size_t size, const struct why_recorded *r)
{
	char when[32];
	fmt_wall(when, sizeof(when), r->time, true);
	snprintf(buf, size, "%s at %s", r->up_since ? "last failure recorded" : "recorded", when);
}

void why_recorded_text(FILE *out, const char *conn, const struct why_recorded *r, int64_t wall,
                       unsigned fl)
{
	char when[32], ago[16];
	fmt_wall(when, sizeof(when), r->time, true);
	fmt_delta(ago, sizeof(ago), r->time > wall ? wall : r->time, wall, false);
	char *c = sanitize_strdup(conn, fl), *code = sanitize_strdup(r->code, fl);
	fprintf(out, "\n%s: %s, recorded by swantop record at %s (%s ago)%s\n", c, code, when, ago,
	        r->up_since ? "; the connection came up since" : "");
	free(c);
	free(code);
	char *d = sanitize_strdup(r->detail, fl);
	fprintf(out, "  %s\n", d);
	free(d);
	if (*r->side || *r->child) {
		char *side = sanitize_strdup(r->side, fl), *child = sanitize_strdup(r->child, fl);
		fprintf(out, "  side: %s%s%s\n", *side ? side : "unknown",
		        *child ? "  child: " : "", child);
		free(side);
		free(child);
	}
	if (!*r->evidence)
		return;
	fputs("  evidence (charon's lines):\n", out);
	for (const char *p = r->evidence; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = sanitize_dup(p, n, fl);
		fprintf(out, "    %s\n", line);
		free(line);
		p += n + (e ? 1 : 0);
	}
}

void why_recorded_json(struct json_buf *b, const struct why_recorded *r, int64_t wall)
{
	json_buf_printf(b, "{\"time_ms\":%lld,\"age\":%lld,\"up_since\":%s", (long long)r->time,
	                (long long)((wall - r->time) / 1000), r->up_since ? "true" : "false");
	const char *keys[] = {"code", "side", "child", "detail", "evidence"};
	const char *vals[] = {r->code, r->side, r->child, r->detail, r->evidence};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_buf_printf(b, ",\"%s\":", keys[i]);
		json_put_value(b, vals[i], strlen(vals[i]));
	}
	json_buf_putc(b, '}');
}
