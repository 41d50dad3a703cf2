/*
 * `swantop why [CONN...]`: why is it down?
 *
 * Live: one look at list-conns, list-sas and list-policies (the engine
 * judges what the tables alone prove), or with --wait a while of listening
 * to charon's log and SA events first, so a retry started meanwhile (here
 * or on the peer) is explained by charon's own lines; the tables are read
 * again at the end. Replay: the same from recorded `swantop listen` /
 * `swantop call` output (--replay FILE), which is also how the tests feed
 * recordings from real daemons.
 *
 * Everything goes through why_feed(): the model decodes, the engine
 * (model/diag.h) gets the model's log lines and events. Output is a table
 * with a section of evidence per verdict (sanitised for the terminal), or
 * one JSON array (README: swantop why --json).
 */
#include "main/why.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/insight.h"
#include "main/cli.h"
#include "model/store.h"
#include "util/json.h"
#include "ui/rows.h"
#include "ui/verdict.h"
#include "util/sanitize.h"
#include "vici/vici.h"
#include "vici/xmalloc.h"

#define ALL_TABLES DIAG_TABLES_ALL

struct why {
	struct model *m;
	struct diag *d;
	unsigned open; /* tables being listed */
	int64_t last;  /* latest time fed */
	struct why_hist *hist;
};

struct why *why_new(bool snapshot)
{
	struct why *w = xcalloc(1, sizeof(*w));
	w->m = model_new(NULL);
	struct diag_config cfg = {.connecting_grace_ms = snapshot ? -1 : 0};
	w->d = diag_new(&cfg);
	return w;
}

void why_free(struct why *w)
{
	if (!w)
		return;
	diag_free(w->d);
	model_free(w->m);
	why_hist_free(w->hist);
	free(w);
}

void why_set_hist(struct why *w, struct why_hist *h)
{
	why_hist_free(w->hist);
	w->hist = h;
}

struct model *why_model(struct why *w)
{
	return w->m;
}

struct diag *why_diag(struct why *w)
{
	return w->d;
}

int64_t why_now(const struct why *w)
{
	return w->last;
}

int why_feed(struct why *w, const char *name, const void *msg, size_t len, int64_t now)
{
	int r = model_ingest_event(w->m, name, strlen(name), msg, len, now);
	diag_feed_model(w->d, w->m);
	if (now > w->last)
		w->last = now;
	return r;
}

void why_tables_begin(struct why *w, unsigned tables, int64_t now)
{
	for (unsigned t = MODEL_TABLE_SAS; t <= MODEL_TABLE_POLS; t++)
		if (tables & (1u << t) && !(w->open & (1u << t)))
			model_sweep_begin(w->m, (enum model_table)t, 0, now);
	w->open |= tables;
}

void why_tables_end(struct why *w, int64_t now)
{
	for (unsigned t = MODEL_TABLE_SAS; t <= MODEL_TABLE_POLS; t++)
		if (w->open & (1u << t))
			model_sweep_end(w->m, (enum model_table)t, now);
	diag_update(w->d, w->m, w->open, now);
	w->open = 0;
}

void why_flush(struct why *w)
{
	if (w->open)
		why_tables_end(w, w->last);
}

/* ---- recorded JSON lines -------------------------------------------------- */

static const char *ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Past one JSON value starting at p (strings, objects and arrays nested),
 * or NULL if it is cut short. */
static const char *skip_value(const char *p, const char *e)
{
	int depth = 0;
	do {
		p = ws(p, e);
		if (p >= e)
			return NULL;
		if (*p == '"') {
			for (p++; p < e && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= e)
				return NULL;
			p++;
		} else if (*p == '{' || *p == '[') {
			depth++, p++;
		} else if (*p == '}' || *p == ']') {
			depth--, p++;
		} else {
			while (p < e && !strchr(",:}] \t\r\n", *p))
				p++;
		}
		p = ws(p, e);
		if (depth > 0 && p < e && (*p == ',' || *p == ':'))
			p++;
	} while (depth > 0);
	return depth == 0 ? p : NULL;
}

struct line {
	char name[VICI_NAME_MAX + 1];
	bool has_time;
	double time;
	const char *data, *data_end;
};

/* The top-level members event, time and data of one line. Returns 0, 1 if
 * it is not an event line, -EINVAL if it is not JSON of that shape. */
static int parse_line(const char *s, size_t len, struct line *l)
{
	const char *p = ws(s, s + len), *e = s + len;
	memset(l, 0, sizeof(*l));
	if (p == e)
		return 1;
	if (*p++ != '{')
		return -EINVAL;
	for (;;) {
		p = ws(p, e);
		if (p < e && *p == '}')
			break;
		const char *k = p, *ke = skip_value(p, e);
		if (!ke || *k != '"' || (p = ws(ke, e)) >= e || *p++ != ':')
			return -EINVAL;
		p = ws(p, e);
		const char *v = p, *ve = skip_value(p, e);
		if (!ve)
			return -EINVAL;
		size_t kl = (size_t)(ws(ke, e) - k);
		if (kl >= 7 && !strncmp(k, "\"event\"", 7) && *v == '"') {
			const char *q = memchr(v + 1, '"', (size_t)(ve - v - 1));
			size_t n = q ? (size_t)(q - v - 1) : 0;
			if (!q || !n || n > VICI_NAME_MAX || memchr(v + 1, '\\', n))
				return -EINVAL;
			memcpy(l->name, v + 1, n);
			l->name[n] = '\0';
		} else if (kl >= 6 && !strncmp(k, "\"time\"", 6)) {
			char num[40];
			size_t n =
			        (size_t)(ve - v) < sizeof(num) ? (size_t)(ve - v) : sizeof(num) - 1;
			memcpy(num, v, n);
			num[n] = '\0';
			char *end;
			l->time = strtod(num, &end);
			l->has_time = end != num;
		} else if (kl >= 6 && !strncmp(k, "\"data\"", 6) && *v == '{') {
			l->data = v;
			l->data_end = ve;
		}
		p = ws(ve, e);
		if (p < e && *p == ',')
			p++;
		else if (p < e && *p == '}')
			break;
		else
			return -EINVAL;
	}
	return l->name[0] && l->data ? 0 : 1;
}

static unsigned table_of(const char *name)
{
	if (!strcmp(name, "list-sa"))
		return 1u << MODEL_TABLE_SAS;
	if (!strcmp(name, "list-conn"))
		return 1u << MODEL_TABLE_CONNS;
	if (!strcmp(name, "list-policy"))
		return 1u << MODEL_TABLE_POLS;
	return 0;
}

int why_feed_json_line(struct why *w, const char *s, size_t len, char *err, size_t errlen)
{
	struct line l;
	int r = parse_line(s, len, &l);
	if (r < 0)
		snprintf(err, errlen, "not a line of swantop listen/call output");
	if (r)
		return r;
	struct vici_builder b;
	vici_builder_init(&b);
	if (json_to_vici(l.data, (size_t)(l.data_end - l.data), NULL, 0, &b, err, errlen)) {
		vici_builder_reset(&b);
		return -EINVAL;
	}
	uint8_t *msg;
	size_t mlen;
	if (vici_builder_finish(&b, &msg, &mlen)) {
		snprintf(err, errlen, "the data is not a valid VICI message");
		return -EINVAL;
	}
	int64_t now = l.has_time ? (int64_t)(l.time * 1000.0) : (w->last ? w->last : 1);
	unsigned t = table_of(l.name);
	/* a dump that lists the connections lists the policies too (none
	 * gives no line) */
	if (t == 1u << MODEL_TABLE_CONNS)
		t |= 1u << MODEL_TABLE_POLS;
	if (t)
		why_tables_begin(w, t, now);
	else if (w->open)
		why_tables_end(w, w->last);
	r = why_feed(w, l.name, msg, mlen, now);
	free(msg);
	if (r == -EBADMSG) {
		snprintf(err, errlen, "malformed '%s' data", l.name);
		return -EINVAL;
	}
	return r < 0 ? 1 : 0;
}

int why_replay(struct why *w, FILE *f, const char *name, char *err, size_t errlen)
{
	char **lines = NULL, *line = NULL;
	size_t n = 0, cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lines = xreallocarray(lines, n + 1, sizeof(*lines));
		lines[n++] = line;
		line = NULL, cap = 0;
	}
	free(line);
	int rc = 0;
	char e[200];
	/* pass 1: the connections, so the events play against them */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		for (size_t i = 0; i < n && !rc; i++) {
			if (pass == 0 && !strstr(lines[i], "\"event\":\"list-conn\""))
				continue;
			if (why_feed_json_line(w, lines[i], strlen(lines[i]), e, sizeof(e)) < 0) {
				snprintf(err, errlen, "%s:%zu: %s", name, i + 1, e);
				rc = -EINVAL;
			}
		}
		why_flush(w);
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return rc;
}

/* ---- output ------------------------------------------------------------------ */

struct why_row {
	const char *conn; /* NULL for a peer no connection matched */
	const char *status;
	size_t ikes;
	const struct diag_verdict *v;    /* current */
	const struct diag_verdict *last; /* history, when nothing is current */
	const char *reason;              /* when there is no verdict */
	const struct why_recorded *rec;  /* the store's, when nothing is current */
};

static bool ike_up(enum model_ike_state s)
{
	return s == MODEL_IKE_ESTABLISHED || s == MODEL_IKE_REKEYING;
}

/* up, partial (a CHILD SA missing), connecting, trap (policies, no SA) or down */
static const char *conn_status(const struct model *m, const struct model_conn *c, size_t *ikes)
{
	bool up = false, connecting = false, all = true, trap = false;
	*ikes = 0;
	for (size_t i = 0; i < model_ike_count(m); i++) {
		const struct model_ike *ike = model_ike_at(m, i);
		if (ike->stale || ike->name.len != c->name.len ||
		    memcmp(ike->name.s, c->name.s, c->name.len))
			continue;
		(*ikes)++;
		up = up || ike_up(ike->state);
		connecting = connecting || ike->state == MODEL_IKE_CONNECTING;
	}
	for (size_t j = 0; j < c->n_children; j++) {
		bool have = false;
		for (size_t p = 0; p < model_pol_count(m) && !have; p++) {
			const struct model_pol *pol = model_pol_at(m, p);
			have = pol->type == MODEL_POL_TRAP &&
			       pol->child.len == c->children[j].name.len &&
			       !memcmp(pol->child.s, c->children[j].name.s, pol->child.len);
		}
		trap = trap || have;
		for (size_t i = 0; i < model_ike_count(m) && !have; i++) {
			const struct model_ike *ike = model_ike_at(m, i);
			if (ike->stale || !ike_up(ike->state) || ike->name.len != c->name.len ||
			    memcmp(ike->name.s, c->name.s, c->name.len))
				continue;
			for (size_t k = 0; k < ike->n_children && !have; k++)
				have = ike->children[k].state == MODEL_CHILD_INSTALLED &&
				       ike->children[k].name.len == c->children[j].name.len &&
				       !memcmp(ike->children[k].name.s, c->children[j].name.s,
				               ike->children[k].name.len);
		}
		all = all && have;
	}
	if (up)
		return all ? "up" : "partial";
	if (connecting)
		return "connecting";
	return trap ? "trap" : "down";
}

static bool wanted(const char *name, const char *const *conns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(conns[i], name))
			return true;
	return false;
}

struct rows {
	struct why_row *r;
	size_t n;
	char **names; /* the connections' names, NUL-terminated copies */
	size_t nnames;
};

static void collect(struct why *w, struct rows *out, const char *const *conns, size_t nconns,
                    bool all)
{
	size_t n = 0, nc = model_conn_count(w->m);
	struct why_row *rows = xcalloc(nc + diag_count(w->d) + nconns + 1, sizeof(*rows));
	char **names = xcalloc(nc + 1, sizeof(*names));
	for (size_t i = 0; i < nc; i++) {
		const struct model_conn *c = model_conn_at(w->m, i);
		names[i] = xstrndup(c->name.s, c->name.len);
		struct why_row r = {.conn = names[i]};
		r.status = conn_status(w->m, c, &r.ikes);
		r.v = diag_conn_verdict(w->d, names[i]);
		r.last = r.v ? NULL : diag_conn_last(w->d, names[i]);
		bool up = !strcmp(r.status, "up") || !strcmp(r.status, "trap");
		if (nconns ? !wanted(names[i], conns, nconns) : !(all || !up || r.v))
			continue;
		if (!r.v && !up)
			r.reason = !strcmp(r.status, "connecting")
			                   ? "reason unknown: an IKE SA is on its way (CONNECTING)"
			                   : "reason unknown: no IKE SA, nothing seen explains it";
		if (!r.v && !up)
			r.rec = why_hist_find(w->hist, names[i]);
		if (r.rec && !r.rec->up_since)
			r.reason = NULL;
		rows[n++] = r;
	}
	for (size_t i = 0; i < nconns; i++) {
		bool found = false;
		for (size_t k = 0; k < n && !found; k++)
			found = rows[k].conn && !strcmp(rows[k].conn, conns[i]);
		if (!found)
			rows[n++] = (struct why_row){.conn = conns[i],
			                             .status = "unknown",
			                             .v = diag_conn_verdict(w->d, conns[i]),
			                             .reason = "no such connection is loaded",
			                             .rec = why_hist_find(w->hist, conns[i])};
	}
	for (size_t i = 0; i < diag_count(w->d) && !nconns; i++) {
		const struct diag_verdict *v = diag_at(w->d, i);
		if (!*v->conn && v->current)
			rows[n++] = (struct why_row){.status = "unmatched", .v = v};
	}
	*out = (struct rows){rows, n, names, nc};
}

static void free_rows(struct rows *rs)
{
	for (size_t i = 0; i < rs->nnames; i++)
		free(rs->names[i]);
	free(rs->names);
	free(rs->r);
}

static void age(char *buf, size_t size, int64_t at, int64_t now)
{
	fmt_delta(buf, size, at > now ? now : at, now, false);
}

/* A string from charon, made safe for the terminal. */
static void put(FILE *out, const char *s, size_t len, unsigned fl)
{
	char *safe = sanitize_dup(s, len, fl);
	fputs(safe, out);
	free(safe);
}

static void put_padded(FILE *out, const char *s, size_t width, unsigned fl)
{
	char buf[SANITIZE_FIT_BUFSIZE(40)];
	sanitize_fit(buf, sizeof(buf), s, strlen(s), width, fl | SANITIZE_PAD);
	fputs(buf, out);
}

static void render_details(FILE *out, const struct why_row *r, int64_t now, unsigned fl)
{
	const struct diag_verdict *v = r->v ? r->v : r->last;
	char summary[256];
	fputc('\n', out);
	if (r->conn)
		put(out, r->conn, strlen(r->conn), fl);
	else
		put(out, v->peer, strlen(v->peer), fl), fputs(" (no connection matched)", out);
	verdict_summary(summary, sizeof(summary), v, now);
	fprintf(out, ": %s\n", summary);
	struct lines l = {0};
	verdict_lines(&l, v, now, fl);
	for (size_t i = 0; i < l.n; i++)
		fprintf(out, "%s\n", l.v[i]);
	lines_free(&l);
}

/* The recorded verdict explains the row (nothing live does). */
static bool explains(const struct why_row *r)
{
	return !r->v && r->rec && !r->rec->up_since;
}

static void render_text(FILE *out, const struct why_row *rows, size_t n, int64_t now, int64_t wall,
                        unsigned fl)
{
	size_t wc = 4;
	for (size_t i = 0; i < n; i++) {
		const char *name = rows[i].conn ? rows[i].conn : rows[i].v->peer;
		size_t wn = sanitize_width(name, strlen(name), fl) + (rows[i].conn ? 0 : 5);
		if (wn > wc)
			wc = wn < 30 ? wn : 30;
	}
	if (!n) {
		fputs("every connection is up\n", out);
		return;
	}
	put_padded(out, "CONN", wc, fl);
	/* SINCE fits fmt_duration()'s longest usual form ("23h59m", "99d23h") */
	fprintf(out, "  %-16s  %7s  DETAIL\n", "VERDICT", "SINCE");
	for (size_t i = 0; i < n; i++) {
		const struct why_row *r = &rows[i];
		const struct diag_verdict *v = r->v;
		char name[300], since[16] = "-";
		snprintf(name, sizeof(name), "%s%s", r->conn ? "" : "peer ",
		         r->conn ? r->conn : v->peer);
		put_padded(out, name, wc, fl);
		if (v)
			age(since, sizeof(since), v->first_at, now);
		else if (explains(r))
			age(since, sizeof(since), r->rec->time, wall);
		fputs("  ", out);
		put_padded(out,
		           v             ? diag_code_name(v->code)
		           : explains(r) ? r->rec->code
		                         : r->status,
		           16, fl);
		fprintf(out, "  %7s  ", since);
		if (v) {
			put(out, v->detail, strlen(v->detail), fl);
			if (v->count > 1)
				fprintf(out, " (%ux)", v->count);
		} else if (explains(r)) {
			char rec[64];
			why_recorded_summary(rec, sizeof(rec), r->rec);
			put(out, r->rec->detail, strlen(r->rec->detail), fl);
			fprintf(out, " (%s)", rec);
		} else if (r->reason) {
			fputs(r->reason, out);
		} else if (r->last) {
			age(since, sizeof(since), r->last->last_at, now);
			fprintf(out, "last failure %s ago: %s", since,
			        diag_code_name(r->last->code));
		} else if (r->rec) {
			char rec[64];
			why_recorded_summary(rec, sizeof(rec), r->rec);
			fprintf(out, "%s: ", rec);
			put(out, r->rec->code, strlen(r->rec->code), fl);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < n; i++) {
		if (rows[i].v || rows[i].last)
			render_details(out, &rows[i], now, fl);
		else if (rows[i].rec && rows[i].conn)
			why_recorded_text(out, rows[i].conn, rows[i].rec, wall, fl);
	}
}

static void render_json(FILE *out, const struct why_row *rows, size_t n, int64_t now, int64_t wall)
{
	struct json_buf b;
	json_buf_init(&b);
	json_buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		const struct why_row *r = &rows[i];
		json_buf_puts(&b, i ? ",\n{\"conn\":" : "\n{\"conn\":");
		if (r->conn)
			json_put_value(&b, r->conn, strlen(r->conn));
		else
			json_buf_puts(&b, "null");
		json_buf_puts(&b, ",\"peer\":");
		if (r->conn || !r->v)
			json_buf_puts(&b, "null");
		else
			json_put_value(&b, r->v->peer, strlen(r->v->peer));
		json_buf_printf(&b, ",\"status\":\"%s\",\"ike_sas\":%zu,\"verdict\":", r->status,
		                r->ikes);
		if (r->v)
			diag_verdict_json(&b, r->v, now);
		else
			json_buf_puts(&b, "null");
		json_buf_puts(&b, ",\"last\":");
		if (r->last)
			diag_verdict_json(&b, r->last, now);
		else
			json_buf_puts(&b, "null");
		json_buf_puts(&b, ",\"recorded\":");
		if (r->rec)
			why_recorded_json(&b, r->rec, wall);
		else
			json_buf_puts(&b, "null");
		json_buf_puts(&b, ",\"reason\":");
		if (r->reason)
			json_put_value(&b, r->reason, strlen(r->reason));
		else
			json_buf_puts(&b, "null");
		json_buf_putc(&b, '}');
	}
	json_buf_puts(&b, "\n]\n");
	fwrite(b.p, 1, b.len, out);
	json_buf_free(&b);
}

void why_render(struct why *w, FILE *out, const char *const *conns, size_t nconns, bool json,
                bool all, int64_t now)
{
	struct rows rs;
	collect(w, &rs, conns, nconns, all);
	int64_t wall = w->hist ? why_hist_wall(w->hist) : 0;
	if (json)
		render_json(out, rs.r, rs.n, now, wall);
	else
		render_text(out, rs.r, rs.n, now, wall,
		            sanitize_locale_is_utf8() ? 0 : SANITIZE_ASCII);
	free_rows(&rs);
}

/* ---- the mode ----------------------------------------------------------------- */

struct live {
	struct why *w;
	int down_err;
	char *down_msg;
	int sig_pipe[2];
};

static struct live *the_live; /* for the signal handler */

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	if (the_live && write(the_live->sig_pipe[1], &c, 1) < 0) {
		/* a signal is pending already */
	}
	errno = saved;
}

static void on_state(void *ctx, enum vici_session_state st, int err, const char *msg)
{
	struct live *L = ctx;
	if (st != VICI_SESSION_DOWN)
		return;
	L->down_err = err;
	free(L->down_msg);
	L->down_msg = xstrdup(msg && *msg ? msg : "connection closed");
}

/* list-* stream events and the events listened to: all into why_feed() */
static void on_msg(void *ctx, int err, const struct vici_msg *m)
{
	struct live *L = ctx;
	if (err || !m->data || (m->final && !m->name))
		return;
	if (!m->final)
		why_feed(L->w, m->name, m->data, m->len, m->received);
}

static int call(struct vici_session *s, struct live *L, const char *cmd, const char *key)
{
	struct vici_builder b;
	vici_builder_init(&b);
	if (key)
		vici_builder_add_str(&b, key, "yes");
	uint8_t *msg;
	size_t len;
	if (vici_builder_finish(&b, &msg, &len))
		return CLI_EXIT_FAILED;
	struct vici_call_opts opts = {.timeout_ms = CLI_TIMEOUT_DEFAULT_MS};
	int r = vici_session_call_sync(s, cmd, msg, len, &opts, on_msg, L);
	free(msg);
	if (!r)
		return CLI_EXIT_OK;
	cli_warn("%s: %s", cmd,
	         L->down_msg              ? L->down_msg
	         : *vici_session_error(s) ? vici_session_error(s)
	                                  : strerror(-r));
	return r == -ETIMEDOUT ? CLI_EXIT_TIMEOUT : CLI_EXIT_CONNECT;
}

/* list-conns, list-sas, list-policies (traps) as one listing */
static int load_tables(struct vici_session *s, struct live *L)
{
	why_tables_begin(L->w, ALL_TABLES, vici_now_ms());
	int rc = call(s, L, "list-conns", NULL);
	if (!rc)
		rc = call(s, L, "list-sas", "noblock");
	if (!rc)
		rc = call(s, L, "list-policies", "trap");
	if (rc) {
		for (unsigned t = MODEL_TABLE_SAS; t <= MODEL_TABLE_POLS; t++)
			model_sweep_abort(why_model(L->w), (enum model_table)t);
		return rc;
	}
	why_tables_end(L->w, vici_now_ms());
	return 0;
}

/* Listens until the deadline or SIGINT/SIGTERM. */
static int wait_events(struct vici_session *s, struct live *L, int ms)
{
	static const char *const events[] = {"log", "ike-updown", "child-updown", "ike-rekey",
	                                     "child-rekey"};
	if (pipe(L->sig_pipe))
		return CLI_EXIT_FAILED;
	fcntl(L->sig_pipe[1], F_SETFL, O_NONBLOCK);
	the_live = L;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		vici_session_listen(s, events[i], on_msg, L);
	int64_t end = vici_now_ms() + ms;
	int rc = load_tables(s, L);
	while (!rc && vici_now_ms() < end && vici_session_state(s) != VICI_SESSION_DOWN) {
		struct pollfd pfd[2] = {
		        {.fd = L->sig_pipe[0], .events = POLLIN},
		        {.fd = vici_session_fd(s), .events = vici_session_events(s)},
		};
		int64_t now = vici_now_ms();
		int t = vici_session_poll_timeout(s, now, (int)(end - now));
		int n = poll(pfd, 2, t);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (pfd[0].revents & POLLIN))
			break; /* SIGINT: judge now */
		vici_session_handle(s, n > 0 && pfd[1].fd >= 0 ? pfd[1].revents : 0);
	}
	if (!rc && vici_session_state(s) == VICI_SESSION_DOWN) {
		cli_warn("connection lost: %s", L->down_msg ? L->down_msg : "closed");
		rc = CLI_EXIT_CONNECT;
	}
	if (!rc)
		rc = load_tables(s, L);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	the_live = NULL;
	close(L->sig_pipe[0]);
	close(L->sig_pipe[1]);
	return rc;
}

static int run_live(const struct cli_why_args *a, struct why *w)
{
	struct live L = {.w = w};
	struct vici_session_config cfg = {
	        .uri = a->uri,
	        .no_reconnect = true,
	        .on_state = on_state,
	        .ctx = &L,
	};
	struct vici_session *s = vici_session_new(&cfg);
	int rc;
	if (vici_session_state(s) == VICI_SESSION_DOWN) {
		cli_warn("%s", vici_session_error(s));
		rc = CLI_EXIT_CONNECT;
	} else {
		rc = a->wait_ms ? wait_events(s, &L, a->wait_ms) : load_tables(s, &L);
	}
	vici_session_free(s);
	free(L.down_msg);
	return rc;
}

static int run_replay(const struct cli_why_args *a, struct why *w)
{
	for (size_t i = 0; i < a->nreplay; i++) {
		bool in = !strcmp(a->replay[i], "-");
		FILE *f = in ? stdin : fopen(a->replay[i], "r");
		if (!f) {
			cli_warn("--replay: cannot open '%s': %s", a->replay[i], strerror(errno));
			return CLI_EXIT_USAGE;
		}
		char err[300];
		int r = why_replay(w, f, in ? "stdin" : a->replay[i], err, sizeof(err));
		if (!in)
			fclose(f);
		if (r) {
			cli_warn("--replay: %s", err);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

/* The history store, when there is one: at --db (said when it cannot be
 * read), else at its default place if that exists (live only: a replay is
 * judged on its own). why works without it either way. */
static void open_hist(const struct cli_why_args *a, struct why *w)
{
	char path[4096], err[600];
	const char *db = a->db;
	if (!db && !a->nreplay)
		db = insight_default_db(path, sizeof(path));
	if (!db)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct why_hist *h;
	if (why_hist_open(&h, db, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, err,
	                  sizeof(err)) == 0)
		why_set_hist(w, h);
	else
		cli_warn("history: %s (judging without it)", err);
}

int cli_why_main(int argc, char **argv)
{
	struct cli_why_args a;
	char err[256];
	if (cli_why_parse(argc, argv, &a, err, sizeof(err))) {
		cli_warn("%s", err);
		fprintf(stderr, "Try 'swantop --help'.\n");
		cli_why_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout);
		cli_why_args_free(&a);
		return CLI_EXIT_OK;
	}
	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_IGN);
	struct why *w = why_new(true);
	int rc = a.nreplay ? run_replay(&a, w) : run_live(&a, w);
	if (!rc)
		open_hist(&a, w);
	if (!rc) {
		why_render(w, stdout, a.conns, a.nconns, a.json, a.all,
		           a.nreplay ? why_now(w) : vici_now_ms());
		if (fflush(stdout) || ferror(stdout))
			rc = CLI_EXIT_FAILED;
	}
	why_free(w);
	cli_why_args_free(&a);
	return rc;
}
