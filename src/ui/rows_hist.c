/*
 * Rows of history (see rows.h): the records of the history store as the
 * timeline view, the events pane's scroll-back and `swantop history` show
 * them, and the sparklines of the last hour's traffic. Pure: records and
 * numbers in, sanitised text and roles out.
 */
#include "ui/rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/theme.h"
#include "util/json.h"
#include "util/sanitize.h"

void fmt_wall(char *buf, size_t size, int64_t wall_ms, bool date)
{
	time_t t = (time_t)(wall_ms >= 0 ? wall_ms / 1000 : (wall_ms - 999) / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm)) {
		snprintf(buf, size, date ? "----------- --:--:--" : "--:--:--");
		return;
	}
	strftime(buf, size, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
}

/* ---- records ------------------------------------------------------------- */

void rows_store_sa(char *buf, size_t size, const struct store_event *ev)
{
	char name[SANITIZE_FIT_BUFSIZE(12)] = "";
	uint32_t id = ev->child_id ? ev->child_id : ev->ike_id;
	if (ev->child.len || ev->child_id)
		sanitize_fit(name, sizeof(name), ev->child.s, ev->child.len, 12, 0);
	else if (ev->ike_id)
		snprintf(name, sizeof(name), "IKE");
	if (!id && !*name) {
		if (size)
			buf[0] = '\0';
		return;
	}
	int n = snprintf(buf, size, "%s%s", name, *name ? " " : "");
	if (id && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, "#%u", id);
	if (ev->new_id && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, ">#%u", ev->new_id);
}

static void put_detail(struct json_buf *d, const char *label, struct model_str v, unsigned flags)
{
	if (!v.len)
		return;
	char *safe = sanitize_dup(v.s, v.len, flags);
	json_buf_printf(d, "%s%s%s", d->len ? "  " : "", label, safe);
	free(safe);
}

char *rows_store_details(const struct store_event *ev, unsigned flags)
{
	struct json_buf d;
	json_buf_init(&d);
	put_detail(&d, "", ev->state, flags);
	put_detail(&d, "remote ", ev->remote, flags);
	if (ev->kind == STORE_EV_GAP && ev->end > ev->time) {
		char until[32];
		fmt_wall(until, sizeof(until), ev->end, true);
		json_buf_printf(&d, "%snot recording until %s (%llds)", d.len ? "  " : "", until,
		                (long long)((ev->end - ev->time) / 1000));
	}
	put_detail(&d, "", ev->detail, flags);
	put_detail(&d, "side ", ev->side, flags);
	put_detail(&d, "evidence: ", ev->evidence, flags);
	json_buf_putc(&d, '\0');
	return d.p;
}

int rows_store_role(enum store_kind k)
{
	switch (k) {
	case STORE_EV_VERDICT:
	case STORE_EV_CHARON_RESTART:
		return THEME_WARNING;
	case STORE_EV_GAP:
		return THEME_STALE;
	case STORE_EV_IKE_UP:
		return rows_event_role(MODEL_EV_IKE_UP);
	case STORE_EV_IKE_DOWN:
		return rows_event_role(MODEL_EV_IKE_DOWN);
	case STORE_EV_CHILD_UP:
		return rows_event_role(MODEL_EV_CHILD_UP);
	case STORE_EV_CHILD_DOWN:
		return rows_event_role(MODEL_EV_CHILD_DOWN);
	case STORE_EV_IKE_REKEY:
		return rows_event_role(MODEL_EV_IKE_REKEY);
	case STORE_EV_CHILD_REKEY:
		return rows_event_role(MODEL_EV_CHILD_REKEY);
	case STORE_EV_IKE_UPDATE:
		return rows_event_role(MODEL_EV_IKE_UPDATE);
	case STORE_EV_CONTROL_LOG:
		return rows_event_role(MODEL_EV_CONTROL_LOG);
	case STORE_EV_ACTION_OK:
		return rows_event_role(MODEL_EV_ACTION_OK);
	case STORE_EV_ACTION_FAIL:
		return rows_event_role(MODEL_EV_ACTION_FAIL);
	default:
		return THEME_INFO;
	}
}

const struct column hist_columns[HC_COUNT] = {
        [HC_TIME] = {"TIME", 19, 19, 0, ROW_LEFT},
        [HC_SA] = {"SA", 10, 20, 1, ROW_LEFT},
        [HC_EVENT] = {"EVENT", 16, 16, 0, ROW_LEFT},
        [HC_VERDICT] = {"VERDICT", 16, 16, 0, ROW_LEFT},
        [HC_DETAIL] = {"DETAILS", 10, 255, 0, ROW_LEFT},
};

/* "▼ ike-down": the kind's glyph and word. */
static void kind_text(char *buf, size_t size, const struct store_event *ev, bool utf8)
{
	const char *g = theme_glyph(NULL, (enum theme_role)rows_store_role(ev->kind), utf8);
	snprintf(buf, size, "%s%s%.*s", g, *g ? " " : "", (int)ev->kind_word.len, ev->kind_word.s);
}

void rows_hist(struct row *r, const struct store_event *ev, const char *verdict, const unsigned *w,
               const struct rows_style *st)
{
	char when[32], sa[96], kind[96];
	unsigned fl = st->utf8 ? 0 : SANITIZE_ASCII;
	fmt_wall(when, sizeof(when), ev->time, true);
	rows_store_sa(sa, sizeof(sa), ev);
	kind_text(kind, sizeof(kind), ev, st->utf8);
	struct model_str code =
	        ev->code.len ? ev->code : (struct model_str){verdict, (uint32_t)strlen(verdict)};
	char *details = rows_store_details(ev, fl);
	const struct row_cell cells[HC_COUNT] = {
	        [HC_TIME] = {THEME_DIM, when, strlen(when)},
	        [HC_SA] = {THEME_DEFAULT, sa, strlen(sa)},
	        [HC_EVENT] = {rows_store_role(ev->kind), kind, strlen(kind)},
	        [HC_VERDICT] = {rows_verdict_role(diag_code_parse(code.s, code.len)), code.s,
	                        code.len},
	        [HC_DETAIL] = {THEME_DEFAULT, details, strlen(details)},
	};
	rows_cells(r, cells, hist_columns, HC_COUNT, w);
	free(details);
}

void rows_hist_event(struct row *r, const struct store_event *ev, size_t width,
                     const struct rows_style *st)
{
	char when[32], kind[96], sa[160];
	unsigned fl = st->utf8 ? 0 : SANITIZE_ASCII;
	/* the date marks it as history: the live events show the time alone */
	fmt_wall(when, sizeof(when), ev->time, true);
	size_t used = row_adds(r, THEME_STALE, when + 5, 14, ROW_LEFT);
	used += row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	kind_text(kind, sizeof(kind), ev, st->utf8);
	used += row_adds(r, rows_store_role(ev->kind), kind, 13, ROW_LEFT);
	used += row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	if (ev->conn.len || ev->ike_id) {
		fmt_sa_ref(sa, sizeof(sa), ev->conn, ev->ike_id, ev->child);
		used += row_adds(r, THEME_DIM, sa, 0, ROW_LEFT);
		used += row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	}
	if (ev->code.len && used < width) {
		used += row_add(r, rows_verdict_role(diag_code_parse(ev->code.s, ev->code.len)),
		                ev->code.s, ev->code.len, 0, ROW_LEFT);
		used += row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	}
	if (used < width) {
		char *details = rows_store_details(ev, fl);
		row_adds(r, THEME_DIM, details, width - used, ROW_LEFT);
		free(details);
	}
}
