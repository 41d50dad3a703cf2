/*
 * `swantop history [CONN] [--since T] [--until T] [--db PATH] [--json]
 * [--limit N]`: the timeline the recorder kept, from the history store
 * (model/store.h), opened read-only.
 *
 * Text output is a heading and one line per record, every string from
 * charon sanitised for the terminal; --json prints one JSON object per line (JSON Lines),
 * with strings that are not UTF-8 text as {"base64": ...} like call and
 * listen. By default the newest 1000 records of the window are shown, oldest
 * first, and a note on stderr says how many earlier ones were left out.
 *
 * Times are read by util/time.h (absolute, relative or "now").
 */
#include "main/cli.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/insight.h"
#include "model/store.h"
#include "ui/rows.h"
#include "util/sanitize.h"
#include "vici/xmalloc.h"

/* ---- output ------------------------------------------------------------- */

struct history_out {
	const struct cli_history_args *a;
	unsigned flags; /* sanitize flags */
	struct json_buf b;
	bool heading; /* the text heading was printed */
	bool write_error;
};

/* "2026-12-04 03:00:12" (text) or "2026-12-04T03:00:12.345+01:00" (JSON),
 * local time. */
static void format_time(int64_t ms, bool iso, char *buf, size_t size)
{
	if (!iso) {
		fmt_wall(buf, size, ms, true);
		return;
	}
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	char date[32], zone[8];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf, size, "%s.%03d%.3s:%.2s", date, (int)(ms - (int64_t)t * 1000), zone,
	         zone + 3);
}

static int print_text(void *ctx, const struct store_event *ev)
{
	struct history_out *o = ctx;
	char when[32], conn[SANITIZE_FIT_BUFSIZE(16)], sa[64], sa_fit[SANITIZE_FIT_BUFSIZE(18)];
	char code[SANITIZE_FIT_BUFSIZE(16)], kind[SANITIZE_FIT_BUFSIZE(14)];
	format_time(ev->time, false, when, sizeof(when));
	sanitize_fit(conn, sizeof(conn), ev->conn.s, ev->conn.len, 16, o->flags | SANITIZE_PAD);
	rows_store_sa(sa, sizeof(sa), ev);
	sanitize_fit(sa_fit, sizeof(sa_fit), sa, strlen(sa), 18, o->flags | SANITIZE_PAD);
	sanitize_fit(kind, sizeof(kind), ev->kind_word.s, ev->kind_word.len, 14,
	             o->flags | SANITIZE_PAD);
	sanitize_fit(code, sizeof(code), ev->code.s, ev->code.len, 16, o->flags | SANITIZE_PAD);
	char *details = rows_store_details(ev, o->flags);
	if (!o->heading && printf("%-19s  %-16s %-18s %-14s %-16s %s\n", "TIME", "CONNECTION", "SA",
	                          "EVENT", "VERDICT", "DETAILS") < 0)
		o->write_error = true;
	o->heading = true;
	if (printf("%s  %s %s %s %s %s\n", when, conn, sa_fit, kind, code, details) < 0)
		o->write_error = true;
	free(details);
	return o->write_error;
}

static void json_str(struct json_buf *b, const char *key, struct model_str v)
{
	json_buf_printf(b, ",\"%s\":", key);
	json_put_value(b, v.s, v.len);
}

static int print_json(void *ctx, const struct store_event *ev)
{
	struct history_out *o = ctx;
	struct json_buf *b = &o->b;
	char when[48];
	b->len = 0;
	format_time(ev->time, true, when, sizeof(when));
	json_buf_printf(b, "{\"id\":%lld,\"time\":\"%s\",\"time_ms\":%lld", (long long)ev->id, when,
	                (long long)ev->time);
	if (ev->kind == STORE_EV_GAP) {
		format_time(ev->end, true, when, sizeof(when));
		json_buf_printf(b, ",\"end\":\"%s\",\"end_ms\":%lld", when, (long long)ev->end);
	}
	json_str(b, "kind", ev->kind_word);
	json_str(b, "conn", ev->conn);
	json_str(b, "child", ev->child);
	json_buf_printf(b, ",\"ike_id\":%u,\"child_id\":%u,\"new_id\":%u", ev->ike_id, ev->child_id,
	                ev->new_id);
	json_str(b, "state", ev->state);
	json_str(b, "remote", ev->remote);
	json_str(b, "detail", ev->detail);
	json_str(b, "code", ev->code);
	json_str(b, "side", ev->side);
	json_str(b, "evidence", ev->evidence);
	json_buf_puts(b, "}\n");
	if (fwrite(b->p, 1, b->len, stdout) != b->len)
		o->write_error = true;
	return o->write_error;
}

int cli_history_main(int argc, char **argv)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	setlocale(LC_ALL, "");
	struct cli_history_args a;
	char err[640];
	if (cli_history_parse(argc, argv, now, &a, err, sizeof(err))) {
		cli_warn("%s", err);
		fprintf(stderr, "Try 'swantop --help'.\n");
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout);
		return CLI_EXIT_OK;
	}
	char path[4096];
	if (!a.db) {
		if (insight_store_path(path, sizeof(path))) {
			cli_warn("no default history store path (HOME is not set): use --db PATH");
			return CLI_EXIT_USAGE;
		}
		a.db = path;
	}
	struct store *s;
	int e = store_open(&s, a.db, STORE_READ_ONLY, err, sizeof(err));
	if (e) {
		if (e == -ENOENT)
			cli_warn("%s: run swantop record (or the swantop-record service) to keep "
			         "one",
			         err);
		else
			cli_warn("%s", err);
		return CLI_EXIT_FAILED;
	}
	struct store_filter f = {
	        .conn = a.conn, .since = a.since, .until = a.until, .limit = a.limit};
	struct history_out o = {.a = &a, .flags = sanitize_locale_is_utf8() ? 0 : SANITIZE_ASCII};
	json_buf_init(&o.b);
	long n = store_timeline(s, &f, a.json ? print_json : print_text, &o);
	long total = n >= 0 && a.limit && (size_t)n == a.limit ? store_count(s, &f) : n;
	json_buf_free(&o.b);
	int rc = CLI_EXIT_OK;
	if (n < 0 || total < 0) {
		cli_warn("%s", store_errmsg(s));
		rc = CLI_EXIT_FAILED;
	} else if (o.write_error || fflush(stdout)) {
		rc = CLI_EXIT_FAILED;
	} else if (total > n) {
		cli_warn("%ld earlier records not shown (--limit %zu; --limit 0 shows all)",
		         total - n, a.limit);
	}
	store_close(s);
	return rc;
}
