/*
 * Batch mode's snapshots (see batch.h): the panes' rows as ui/rows.c
 * formats them, chosen by the filter as the panes choose theirs (their
 * field tables and ui/pane.h's pane_*_match()), written as plain lines or
 * as JSON. A JSON row has the table's headings in lower case as keys and
 * the cells as the screen shows them at the widest (the columns' largest
 * widths), without padding and without the tree's glyphs.
 */
#include "app/batch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/filter.h"
#include "ui/pane.h"
#include "ui/rows.h"
#include "util/json.h"
#include "util/sanitize.h"

const char *batch_pane_name(enum batch_pane pane)
{
	static const char *const names[] = {"sas", "conns", "pols", "events"};
	return (unsigned)pane < 4 ? names[pane] : "?";
}

const struct pane_ops *batch_pane_ops(enum batch_pane pane)
{
	static const struct pane_ops *const ops[] = {
	        [BATCH_SAS] = &pane_sas_ops,
	        [BATCH_CONNS] = &pane_conns_ops,
	        [BATCH_POLS] = &pane_pols_ops,
	        [BATCH_EVENTS] = &pane_events_ops,
	};
	return ops[(unsigned)pane <= BATCH_EVENTS ? pane : BATCH_SAS];
}

const struct filter_field *batch_fields(enum batch_pane pane, size_t *n)
{
	const struct pane_ops *ops = batch_pane_ops(pane);
	*n = ops->nfields;
	return ops->fields;
}

/* A table being written: its columns, the widths, and the output. */
struct table {
	FILE *out;
	const struct batch_snapshot *s;
	const struct column *cols;
	size_t n;
	unsigned w[ROW_MAX_SPANS];
	struct json_buf *j; /* JSON: the rows array being built */
	size_t rows;
};

static void table_init(struct table *t, FILE *out, const struct batch_snapshot *s,
                       const struct column *cols, size_t n, struct json_buf *j)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->s = s;
	t->cols = cols;
	t->n = n;
	t->j = j;
	if (s->json) {
		/* every column at its widest */
		for (size_t i = 0; i < n; i++)
			t->w[i] = cols[i].max;
		return;
	}
	columns_fit(cols, n, s->width, t->w);
	struct row r;
	row_init(&r, s->utf8 ? 0 : SANITIZE_ASCII);
	rows_header(&r, cols, n, t->w);
	const char *h = row_text(&r);
	size_t hl = strlen(h);
	while (hl && h[hl - 1] == ' ')
		hl--;
	fprintf(out, "%.*s\n", (int)hl, h);
}

/* The text of a cell without its padding and the tree's glyphs. */
static void cell_trim(const char **s, size_t *len)
{
	static const char *const deco[] = {"\u25be ",      "\u25b8 ", "\u251c\u2500",
	                                   "\u2514\u2500", "|-",      "`-"};
	while (*len && **s == ' ')
		(*s)++, (*len)--;
	while (*len && (*s)[*len - 1] == ' ')
		(*len)--;
	for (size_t i = 0; i < sizeof(deco) / sizeof(deco[0]); i++) {
		size_t dl = strlen(deco[i]);
		if (*len > dl && !memcmp(*s, deco[i], dl)) {
			*s += dl, *len -= dl;
			break;
		}
	}
}

/* Writes a row the table formatted (kind: the JSON "kind", or NULL). */
static void table_row(struct table *t, struct row *r, const char *kind, bool ike_row)
{
	if (!t->s->json) {
		const char *txt = row_text(r);
		size_t l = strlen(txt);
		while (l && txt[l - 1] == ' ')
			l--;
		fprintf(t->out, "%.*s\n", (int)l, txt);
		return;
	}
	struct json_buf *j = t->j;
	json_buf_puts(j, t->rows++ ? ",{" : "{");
	bool first = true;
	if (kind) {
		json_buf_printf(j, "\"kind\":\"%s\"", kind);
		first = false;
	}
	/* cells are spans 0, 2, 4, ... (a space between) */
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (!t->w[i])
			continue;
		size_t sp = 2 * k++;
		if (sp >= r->n)
			break;
		const char *s = r->buf + r->span[sp].off;
		size_t len = r->span[sp].len;
		cell_trim(&s, &len);
		if (i == 0 && ike_row && len > 2 && (s[0] == '-' || s[0] == '+') && s[1] == ' ')
			s += 2, len -= 2; /* the ASCII fold glyph */
		const char *sp1 = memchr(s, ' ', len);
		if (sp1 &&
		    (!strcmp(t->cols[i].title, "STATE") || !strcmp(t->cols[i].title, "STATUS")))
			len -= (size_t)(sp1 + 1 - s), s = sp1 + 1; /* the state's glyph */
		char key[64];
		size_t kl = 0;
		for (const char *c = t->cols[i].title; *c && kl + 1 < sizeof(key); c++)
			key[kl++] =
			        *c == ' ' ? '-' : (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
		key[kl] = '\0';
		json_buf_puts(j, first ? "" : ",");
		first = false;
		json_put_name(j, key, kl);
		json_buf_putc(j, ':');
		json_put_name(j, s, len);
	}
	json_buf_putc(j, '}');
}

/* ---- the panes --------------------------------------------------------------- */

/* The context the rows are matched in: batch mode has no diagnosis engine
 * and no history store (a monitor without them). */
static struct pane_ctx match_ctx(const struct batch_snapshot *s)
{
	return (struct pane_ctx){
	        .model = s->m, .utf8 = s->utf8, .now = s->now, .wall_offset = s->wall_offset};
}

struct sa_filter {
	const struct filter *f;
	struct pane_ctx c;
};

static bool sa_match(void *ctx, const struct model_ike *ike, const struct model_child *child)
{
	const struct sa_filter *sf = ctx;
	return pane_sa_match(sf->f, &sf->c, ike, child);
}

static void write_sas(struct table *t, struct model *m)
{
	const struct batch_snapshot *s = t->s;
	struct rows_style st = {s->utf8, s->now, s->wall_offset};
	struct sa_filter sf = {s->filter, match_ctx(s)};
	struct model_view *v = model_view_new(m);
	if (s->filter)
		model_view_set_match(v, sa_match, &sf);
	model_view_refresh(v);
	for (size_t i = 0; i < model_view_count(v); i++) {
		const struct model_row *mr = model_view_row(v, i);
		struct row r;
		row_init(&r, s->utf8 ? 0 : SANITIZE_ASCII);
		rows_sa(&r, mr, NULL, t->w, &st);
		table_row(t, &r, mr->child ? "child" : "ike", !mr->child);
	}
	model_view_free(v);
}

static void write_conns(struct table *t)
{
	const struct batch_snapshot *s = t->s;
	struct rows_style st = {s->utf8, s->now, s->wall_offset};
	struct pane_ctx c = match_ctx(s);
	for (size_t i = 0; i < model_conn_count(s->m); i++) {
		const struct model_conn *cn = model_conn_at(s->m, i);
		if (!pane_conn_shown(s->filter, &c, cn))
			continue;
		struct model_conn_status cs;
		struct rows_conn_info ci = {0};
		pane_conn_status(s->m, cn, &cs, &ci);
		struct row r;
		row_init(&r, s->utf8 ? 0 : SANITIZE_ASCII);
		rows_conn(&r, cn, &cs, &ci, t->w, &st);
		table_row(t, &r, "conn", false);
		for (size_t k = 0; k < cn->n_children; k++) {
			if (!pane_conn_match(s->filter, &c, cn, &cn->children[k]))
				continue;
			row_init(&r, s->utf8 ? 0 : SANITIZE_ASCII);
			rows_conn_child(&r, &cn->children[k], k + 1 == cn->n_children, NULL, t->w,
			                &st);
			table_row(t, &r, "child", false);
		}
	}
}

static void write_pols(struct table *t)
{
	const struct batch_snapshot *s = t->s;
	struct rows_style st = {s->utf8, s->now, s->wall_offset};
	for (size_t i = 0; i < model_pol_count(s->m); i++) {
		const struct model_pol *p = model_pol_at(s->m, i);
		if (!filter_match(s->filter, p))
			continue;
		struct row r;
		row_init(&r, s->utf8 ? 0 : SANITIZE_ASCII);
		rows_pol(&r, p, t->w, &st);
		table_row(t, &r, NULL, false);
	}
}

static void json_str(struct json_buf *j, const char *key, struct model_str v)
{
	char *safe = sanitize_dup(v.s, v.len, 0);
	json_buf_printf(j, ",\"%s\":", key);
	json_put_name(j, safe, strlen(safe));
	free(safe);
}

static uint64_t write_events(FILE *out, const struct batch_snapshot *s, struct json_buf *j)
{
	struct rows_style st = {s->utf8, s->now, s->wall_offset};
	uint64_t last = s->events_after;
	size_t k = 0;
	for (size_t i = 0; i < model_events_count(s->m); i++) {
		const struct model_event *e = model_event_at(s->m, i);
		if (e->seq > last)
			last = e->seq;
		if ((s->events_after && e->seq <= s->events_after) ||
		    !pane_event_match(s->filter, e))
			continue;
		if (!s->json) {
			struct row r;
			row_init(&r, s->utf8 ? 0 : SANITIZE_ASCII);
			rows_event(&r, e, s->width, &st);
			const char *txt = row_text(&r);
			size_t l = strlen(txt);
			while (l && txt[l - 1] == ' ')
				l--;
			fprintf(out, "%.*s\n", (int)l, txt);
			continue;
		}
		char clock[16];
		fmt_clock(clock, sizeof(clock), e->time, s->wall_offset);
		json_buf_printf(j, "%s{\"seq\":%llu,\"time\":\"%s\",\"kind\":\"%s\"",
		                k++ ? "," : "", (unsigned long long)e->seq, clock,
		                model_event_kind_name(e->kind));
		if (e->ike_id)
			json_buf_printf(j, ",\"ike_id\":%u", e->ike_id);
		json_str(j, "name", e->ike_name);
		json_str(j, "child", e->child_name);
		json_str(j, "remote", e->remote_host);
		json_str(j, "text", e->text);
		json_buf_putc(j, '}');
	}
	return last;
}

uint64_t batch_write(FILE *out, const struct batch_snapshot *s)
{
	struct json_buf j;
	json_buf_init(&j);
	char when[32];
	time_t wall = (time_t)((s->now + s->wall_offset) / 1000);
	struct tm tm;
	gmtime_r(&wall, &tm);
	strftime(when, sizeof(when), s->json ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S UTC", &tm);
	struct model_counts mc;
	model_counts_get(s->m, &mc);
	if (s->json)
		json_buf_printf(&j,
		                "{\"time\":\"%s\",\"pane\":\"%s\",\"ikes\":%zu,\"children\":%zu,"
		                "\"conns\":%zu,\"conns_up\":%zu,\"policies\":%zu,\"rows\":[",
		                when, batch_pane_name(s->pane), mc.ikes, mc.children, mc.conns,
		                mc.conns_up, mc.pols);
	else
		fprintf(out,
		        "swantop %s  %zu IKE, %zu CHILD  %zu connections, %zu up  %zu policies\n",
		        when, mc.ikes, mc.children, mc.conns, mc.conns_up, mc.pols);
	struct table t;
	uint64_t last = s->events_after;
	/* WHY and LAST HOUR need the diagnosis engine and the history store,
	 * FLAPS too: batch mode has neither, as a monitor without them */
	struct column cols[ROW_MAX_SPANS];
	switch (s->pane) {
	case BATCH_SAS:
		memcpy(cols, sa_columns, sizeof(sa_columns));
		cols[SAC_WHY].max = cols[SAC_HOUR].max = 0;
		table_init(&t, out, s, cols, SAC_COUNT, &j);
		write_sas(&t, s->m);
		break;
	case BATCH_CONNS:
		memcpy(cols, conn_columns, sizeof(conn_columns));
		cols[CC_WHY].max = cols[CC_FLAPS].max = 0;
		table_init(&t, out, s, cols, CC_COUNT, &j);
		write_conns(&t);
		break;
	case BATCH_POLS:
		table_init(&t, out, s, pol_columns, PC_COUNT, &j);
		write_pols(&t);
		break;
	case BATCH_EVENTS:
		last = write_events(out, s, &j);
		break;
	}
	if (s->json) {
		json_buf_puts(&j, "]}");
		fprintf(out, "%s\n", j.p);
	} else {
		fputc('\n', out);
	}
	json_buf_free(&j);
	fflush(out);
	return last;
}
