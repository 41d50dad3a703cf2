/*
 * Row formatting (see rows.h). Every byte that enters a row goes through
 * sanitize_fit(), including our own text: one path, no exceptions.
 */
#include "ui/rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/sanitize.h"
#include "ui/theme.h"

void row_init(struct row *r, unsigned flags)
{
	r->used = 0;
	r->n = 0;
	r->cols = 0;
	r->flags = flags;
	r->buf[0] = '\0';
}

size_t row_add(struct row *r, int role, const void *s, size_t len, size_t width,
               enum row_align align)
{
	if (r->n >= ROW_MAX_SPANS)
		return 0;
	if (!s)
		s = "", len = 0;
	size_t room = sizeof(r->buf) - r->used;
	if (room < 16)
		return 0;
	char *dst = r->buf + r->used;
	size_t cols;
	if (width == 0) {
		size_t need = sanitize_buf(dst, room, s, len, r->flags & SANITIZE_ASCII);
		if (need >= room)
			need = strlen(dst);
		cols = sanitize_width(dst, need, r->flags & SANITIZE_ASCII);
		r->used += need;
	} else if (align == ROW_RIGHT) {
		size_t w = sanitize_width(s, len, r->flags & SANITIZE_ASCII);
		size_t pad = w < width ? width - w : 0;
		if (pad + 1 >= room)
			return 0;
		memset(dst, ' ', pad);
		cols = pad + sanitize_fit(dst + pad, room - pad, s, len, width - pad,
		                          (r->flags & SANITIZE_ASCII) | SANITIZE_PAD);
		r->used += strlen(dst);
	} else {
		cols = sanitize_fit(dst, room, s, len, width,
		                    (r->flags & SANITIZE_ASCII) | SANITIZE_PAD);
		r->used += strlen(dst);
	}
	struct row_span *sp = &r->span[r->n++];
	sp->off = (uint16_t)(dst - r->buf);
	sp->len = (uint16_t)(r->buf + r->used - dst);
	sp->role = (uint8_t)role;
	r->cols += cols;
	return cols;
}

size_t row_adds(struct row *r, int role, const char *s, size_t width, enum row_align align)
{
	return row_add(r, role, s ? s : "", s ? strlen(s) : 0, width, align);
}

size_t row_addf(struct row *r, int role, size_t width, enum row_align align, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (k < 0)
		return 0;
	return row_adds(r, role, tmp, width, align);
}

const char *row_text(struct row *r)
{
	r->buf[r->used < sizeof(r->buf) ? r->used : sizeof(r->buf) - 1] = '\0';
	return r->buf;
}

size_t columns_fit(const struct column *c, size_t n, size_t width, unsigned *w)
{
	size_t used = 0, shown = 0;
	for (size_t i = 0; i < n; i++)
		w[i] = 0;
	/* Admit by priority; within one priority, left to right. */
	for (unsigned prio = 0; prio < 256; prio++) {
		bool any = false;
		for (size_t i = 0; i < n; i++) {
			if (c[i].prio != prio || !c[i].max)
				continue;
			any = true;
			size_t need = c[i].min + (shown ? 1 : 0);
			if (used + need > width)
				continue;
			w[i] = c[i].min;
			used += need;
			shown++;
		}
		(void)any;
	}
	/* Spread the rest one cell at a time over the columns that can grow,
	 * so that one wide column does not starve the others. */
	size_t spare = width > used ? width - used : 0;
	bool grew = true;
	while (spare && grew) {
		grew = false;
		for (size_t i = 0; i < n && spare; i++) {
			if (!w[i] || c[i].max <= w[i])
				continue;
			w[i]++;
			spare--;
			grew = true;
		}
	}
	return shown;
}

static void fmt_scaled(char *buf, size_t size, uint64_t v, unsigned base, const char *units)
{
	double d = (double)v;
	size_t u = 0;
	while (d >= 1000.0 && units[u + 1]) {
		d /= base;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu", (unsigned long long)v);
	else if (d < 9.95)
		snprintf(buf, size, "%.1f%c", d, units[u]);
	else
		snprintf(buf, size, "%.0f%c", d, units[u]);
}

void fmt_bytes(char *buf, size_t size, uint64_t v)
{
	if (v < 10000) {
		snprintf(buf, size, "%llu", (unsigned long long)v);
		return;
	}
	fmt_scaled(buf, size, v, 1024, " KMGTPE");
}

void fmt_count(char *buf, size_t size, uint64_t v)
{
	if (v < 10000) {
		snprintf(buf, size, "%llu", (unsigned long long)v);
		return;
	}
	fmt_scaled(buf, size, v, 1000, " KMGTPE");
}

void fmt_duration(char *buf, size_t size, int64_t secs)
{
	const char *sign = "";
	uint64_t s;
	if (secs < 0) {
		sign = "-";
		s = (uint64_t)(-(secs + 1)) + 1;
	} else {
		s = (uint64_t)secs;
	}
	if (s < 60)
		snprintf(buf, size, "%s%llus", sign, (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%s%llum%02llus", sign, (unsigned long long)(s / 60),
		         (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, size, "%s%lluh%02llum", sign, (unsigned long long)(s / 3600),
		         (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, size, "%s%llud%02lluh", sign, (unsigned long long)(s / 86400),
		         (unsigned long long)(s % 86400 / 3600));
}

void fmt_data_age(char *buf, size_t size, int64_t at, int64_t now, int64_t fresh_ms)
{
	int64_t secs;
	buf[0] = '\0';
	if (fresh_ms <= 0 || at == MODEL_TIME_NONE || now - at <= fresh_ms ||
	    !model_secs_ago(at, now, &secs))
		return;
	fmt_duration(buf, size, secs);
}

void fmt_rate(char *buf, size_t size, double bps)
{
	if (bps < 0) {
		snprintf(buf, size, "-");
		return;
	}
	char tmp[32];
	if (bps < 1000)
		snprintf(tmp, sizeof(tmp), "%.0f", bps);
	else
		fmt_scaled(tmp, sizeof(tmp), (uint64_t)(bps + 0.5), 1024, " KMGTPE");
	snprintf(buf, size, "%s/s", tmp);
}

/* ---- the panes' rows ---- */

int rows_ike_state_role(enum model_ike_state s)
{
	switch (s) {
	case MODEL_IKE_ESTABLISHED:
		return THEME_STATE_UP;
	case MODEL_IKE_CREATED:
	case MODEL_IKE_CONNECTING:
		return THEME_CONNECTING;
	case MODEL_IKE_REKEYING:
	case MODEL_IKE_REKEYED:
		return THEME_REKEYING;
	case MODEL_IKE_DELETING:
	case MODEL_IKE_DESTROYING:
		return THEME_DELETING;
	case MODEL_IKE_PASSIVE:
		return THEME_DIM;
	default:
		return THEME_WARNING;
	}
}

int rows_child_state_role(enum model_child_state s)
{
	switch (s) {
	case MODEL_CHILD_INSTALLED:
		return THEME_STATE_UP;
	case MODEL_CHILD_ROUTED:
		return THEME_INFO;
	case MODEL_CHILD_CREATED:
	case MODEL_CHILD_INSTALLING:
	case MODEL_CHILD_UPDATING:
		return THEME_CONNECTING;
	case MODEL_CHILD_REKEYING:
	case MODEL_CHILD_REKEYED:
		return THEME_REKEYING;
	case MODEL_CHILD_DELETING:
	case MODEL_CHILD_DELETED:
	case MODEL_CHILD_DESTROYING:
		return THEME_DELETING;
	case MODEL_CHILD_RETRYING:
		return THEME_WARNING;
	default:
		return THEME_WARNING;
	}
}

/* Priorities: what an operator needs to tell tunnels apart and see them
 * work stays; details go first on narrow terminals. */
const struct column sa_columns[SAC_COUNT] = {
        [SAC_NAME] = {"NAME", 12, 24, 0, ROW_LEFT},
        [SAC_ID] = {"ID", 5, 6, 0, ROW_RIGHT},
        [SAC_STATE] = {"STATE", 13, 13, 0, ROW_LEFT},
        [SAC_WHY] = {"WHY", 16, 16, 2, ROW_LEFT},
        [SAC_MODE] = {"MODE", 8, 14, 4, ROW_LEFT},
        [SAC_LOCAL] = {"LOCAL", 13, 28, 3, ROW_LEFT},
        [SAC_REMOTE] = {"REMOTE", 13, 28, 0, ROW_LEFT},
        [SAC_RATE_IN] = {"RATE-IN", 8, 8, 1, ROW_RIGHT},
        [SAC_RATE_OUT] = {"RATE-OUT", 8, 8, 1, ROW_RIGHT},
        [SAC_HOUR] = {"LAST HOUR", 12, 30, 4, ROW_LEFT},
        [SAC_BYTES_IN] = {"IN", 6, 6, 3, ROW_RIGHT},
        [SAC_BYTES_OUT] = {"OUT", 6, 6, 3, ROW_RIGHT},
        [SAC_PKTS_IN] = {"PKT-IN", 6, 6, 6, ROW_RIGHT},
        [SAC_PKTS_OUT] = {"PKT-OUT", 7, 7, 6, ROW_RIGHT},
        [SAC_DATA] = {"DATA", 6, 6, 1, ROW_RIGHT},
        [SAC_AGE] = {"AGE", 7, 7, 4, ROW_RIGHT},
        [SAC_REKEY] = {"REKEY", 7, 7, 2, ROW_RIGHT},
        [SAC_LIFE] = {"EXPIRE", 7, 7, 5, ROW_RIGHT},
        [SAC_SPIS] = {"SPI-IN/OUT", 17, 17, 7, ROW_LEFT},
        [SAC_IDS] = {"IDENTITIES", 16, 48, 5, ROW_LEFT},
        [SAC_ALGS] = {"ALGORITHMS", 16, 48, 7, ROW_LEFT},
};

void rows_header(struct row *r, const struct column *c, size_t n, const unsigned *w)
{
	rows_header_sorted(r, c, n, w, -1, -1, NULL);
}

void rows_header_sorted(struct row *r, const struct column *c, size_t n, const unsigned *w,
                        int mark, int mark2, const char *glyph)
{
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (!w[i])
			continue;
		if (!first)
			row_adds(r, THEME_TABLE_HEADER, " ", 1, ROW_LEFT);
		char title[64];
		bool marked = glyph && ((int)i == mark || (int)i == mark2);
		snprintf(title, sizeof(title), "%s%s", c[i].title, marked ? glyph : "");
		row_adds(r, THEME_TABLE_HEADER, title, w[i], c[i].align);
		first = false;
	}
}

void rows_cells(struct row *r, const struct row_cell *cells, const struct column *c, size_t n,
                const unsigned *w)
{
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (!w[i])
			continue;
		if (!first)
			row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
		first = false;
		const char *s = cells[i].s ? cells[i].s : "";
		size_t len = cells[i].s ? cells[i].len : 0;
		row_add(r, cells[i].s ? cells[i].role : THEME_DEFAULT, s, len, w[i], c[i].align);
	}
}

static struct row_cell cell_str(int role, struct model_str s)
{
	struct row_cell c = {role, s.s, s.len};
	return c;
}

static struct row_cell cell_txt(int role, const char *s)
{
	struct row_cell c = {role, s, strlen(s)};
	return c;
}

void fmt_delta(char *buf, size_t size, int64_t at, int64_t now, bool until)
{
	int64_t secs;
	if (!(until ? model_secs_until(at, now, &secs) : model_secs_ago(at, now, &secs))) {
		snprintf(buf, size, "-");
		return;
	}
	fmt_duration(buf, size, secs);
}

/* A countdown that is about to run out stands out; one that is overdue
 * (charon did not rekey when it should have) is an error. */
int rows_countdown_role(int64_t at, int64_t now)
{
	int64_t secs;
	if (!model_secs_until(at, now, &secs))
		return THEME_DEFAULT;
	if (secs < 0)
		return THEME_ERROR;
	if (secs < ROWS_COUNTDOWN_SOON)
		return THEME_WARNING;
	return THEME_DEFAULT;
}

static void fmt_algs(char *buf, size_t size, struct model_str encr, uint32_t ks,
                     struct model_str integ, struct model_str prf, struct model_str dh)
{
	size_t l = 0;
	buf[0] = '\0';
	if (encr.len)
		l += (size_t)snprintf(buf + l, size - l, "%.*s", (int)encr.len, encr.s);
	if (ks && l < size)
		l += (size_t)snprintf(buf + l, size - l, "-%u", ks);
	const struct model_str *parts[] = {&integ, &prf, &dh};
	for (size_t i = 0; i < 3 && l < size; i++)
		if (parts[i]->len)
			l += (size_t)snprintf(buf + l, size - l, "%s%.*s", l ? "/" : "",
			                      (int)parts[i]->len, parts[i]->s);
}

static void ike_cells(struct row_cell *c, const struct model_row *mr, const struct rows_style *st,
                      int64_t fresh_ms, char (*tmp)[128])
{
	const struct model_ike *ike = mr->ike;
	int srole = ike->stale ? THEME_STALE : rows_ike_state_role(ike->state);
	snprintf(tmp[0], 128, "%s %.*s",
	         st->utf8 ? (ike->folded ? "\u25b8" : "\u25be") : (ike->folded ? "+" : "-"),
	         (int)ike->name.len, ike->name.s);
	c[SAC_NAME] = cell_txt(THEME_DEFAULT, tmp[0]);
	snprintf(tmp[1], 128, "#%u", ike->uniqueid);
	c[SAC_ID] = cell_txt(THEME_DIM, tmp[1]);
	snprintf(tmp[2], 128, "%s %.*s%s", theme_glyph(NULL, (enum theme_role)srole, st->utf8),
	         (int)ike->state_name.len, ike->state_name.s, ike->stale ? "?" : "");
	c[SAC_STATE] = cell_txt(srole, tmp[2]);
	snprintf(tmp[3], 128, "IKEv%u", ike->version);
	c[SAC_MODE] = cell_txt(THEME_DIM, tmp[3]);
	c[SAC_LOCAL] = cell_str(THEME_DEFAULT, ike->local_host);
	c[SAC_REMOTE] = cell_str(THEME_DEFAULT, ike->remote_host);
	if (ike->rate.valid) {
		fmt_rate(tmp[4], 128, ike->rate.bytes_in);
		fmt_rate(tmp[5], 128, ike->rate.bytes_out);
		c[SAC_RATE_IN] = cell_txt(THEME_DEFAULT, tmp[4]);
		c[SAC_RATE_OUT] = cell_txt(THEME_DEFAULT, tmp[5]);
	}
	fmt_bytes(tmp[6], 128, ike->bytes_in);
	fmt_bytes(tmp[7], 128, ike->bytes_out);
	c[SAC_BYTES_IN] = cell_txt(THEME_DIM, tmp[6]);
	c[SAC_BYTES_OUT] = cell_txt(THEME_DIM, tmp[7]);
	fmt_count(tmp[8], 128, ike->packets_in);
	fmt_count(tmp[9], 128, ike->packets_out);
	c[SAC_PKTS_IN] = cell_txt(THEME_DIM, tmp[8]);
	c[SAC_PKTS_OUT] = cell_txt(THEME_DIM, tmp[9]);
	fmt_data_age(tmp[17], 128,
	             ike->listed_at != MODEL_TIME_NONE ? ike->listed_at : ike->updated_at, st->now,
	             fresh_ms);
	c[SAC_DATA] = cell_txt(THEME_DIM, tmp[17]);
	fmt_delta(tmp[10], 128, ike->established_at, st->now, false);
	c[SAC_AGE] = cell_txt(THEME_DEFAULT, tmp[10]);
	/* The sooner of rekey and reauth is what will happen next. */
	int64_t next = ike->rekey_at;
	if (next == MODEL_TIME_NONE || (ike->reauth_at != MODEL_TIME_NONE && ike->reauth_at < next))
		next = ike->reauth_at;
	fmt_delta(tmp[11], 128, next, st->now, true);
	c[SAC_REKEY] = cell_txt(rows_countdown_role(next, st->now), tmp[11]);
	snprintf(tmp[12], 128, "%.*s %s %.*s", (int)ike->local_id.len, ike->local_id.s,
	         st->utf8 ? "\u2192" : "->", (int)ike->remote_id.len, ike->remote_id.s);
	c[SAC_IDS] = cell_txt(THEME_DEFAULT, tmp[12]);
	fmt_algs(tmp[13], 128, ike->encr_alg, ike->encr_keysize, ike->integ_alg, ike->prf_alg,
	         ike->dh_group);
	c[SAC_ALGS] = cell_txt(THEME_DIM, tmp[13]);
}

static void child_cells(struct row_cell *c, const struct model_row *mr, const struct rows_style *st,
                        int64_t fresh_ms, char (*tmp)[128])
{
	const struct model_child *ch = mr->child;
	int srole = rows_child_state_role(ch->state);
	const char *branch = st->utf8 ? (mr->last_child ? "\u2514\u2500" : "\u251c\u2500")
	                              : (mr->last_child ? "`-" : "|-");
	snprintf(tmp[0], 128, "  %s%.*s", branch, (int)ch->name.len, ch->name.s);
	c[SAC_NAME] = cell_txt(THEME_DEFAULT, tmp[0]);
	snprintf(tmp[1], 128, "c%u", ch->uniqueid);
	c[SAC_ID] = cell_txt(THEME_DIM, tmp[1]);
	snprintf(tmp[2], 128, "%s %.*s", theme_glyph(NULL, (enum theme_role)srole, st->utf8),
	         (int)ch->state_name.len, ch->state_name.s);
	c[SAC_STATE] = cell_txt(srole, tmp[2]);
	snprintf(tmp[3], 128, "%.*s%s%.*s%s", (int)ch->mode.len, ch->mode.s,
	         ch->protocol.len ? " " : "", (int)ch->protocol.len, ch->protocol.s,
	         ch->encap ? "/UDP" : "");
	c[SAC_MODE] = cell_txt(THEME_DIM, tmp[3]);
	model_list_join(&ch->local_ts, ",", tmp[14], 128);
	c[SAC_LOCAL] = cell_txt(THEME_DEFAULT, tmp[14]);
	model_list_join(&ch->remote_ts, ",", tmp[15], 128);
	c[SAC_REMOTE] = cell_txt(THEME_DEFAULT, tmp[15]);
	if (ch->rate.valid) {
		fmt_rate(tmp[4], 128, ch->rate.bytes_in);
		fmt_rate(tmp[5], 128, ch->rate.bytes_out);
		c[SAC_RATE_IN] = cell_txt(THEME_DEFAULT, tmp[4]);
		c[SAC_RATE_OUT] = cell_txt(THEME_DEFAULT, tmp[5]);
	}
	if (ch->has_counters) {
		fmt_bytes(tmp[6], 128, ch->bytes_in);
		fmt_bytes(tmp[7], 128, ch->bytes_out);
		c[SAC_BYTES_IN] = cell_txt(THEME_DEFAULT, tmp[6]);
		c[SAC_BYTES_OUT] = cell_txt(THEME_DEFAULT, tmp[7]);
		fmt_count(tmp[8], 128, ch->packets_in);
		fmt_count(tmp[9], 128, ch->packets_out);
		c[SAC_PKTS_IN] = cell_txt(THEME_DEFAULT, tmp[8]);
		c[SAC_PKTS_OUT] = cell_txt(THEME_DEFAULT, tmp[9]);
	}
	if (ch->has_counters) {
		fmt_data_age(tmp[17], 128, ch->updated_at, st->now, fresh_ms);
		c[SAC_DATA] = cell_txt(THEME_DIM, tmp[17]);
	}
	fmt_delta(tmp[10], 128, ch->installed_at, st->now, false);
	c[SAC_AGE] = cell_txt(THEME_DEFAULT, tmp[10]);
	fmt_delta(tmp[11], 128, ch->rekey_at, st->now, true);
	c[SAC_REKEY] = cell_txt(rows_countdown_role(ch->rekey_at, st->now), tmp[11]);
	fmt_delta(tmp[12], 128, ch->life_at, st->now, true);
	c[SAC_LIFE] = cell_txt(rows_countdown_role(ch->life_at, st->now), tmp[12]);
	if (ch->spi_in.len || ch->spi_out.len) {
		snprintf(tmp[13], 128, "%.*s/%.*s", (int)ch->spi_in.len, ch->spi_in.s,
		         (int)ch->spi_out.len, ch->spi_out.s);
		c[SAC_SPIS] = cell_txt(THEME_DIM, tmp[13]);
	}
	fmt_algs(tmp[16], 128, ch->encr_alg, ch->encr_keysize, ch->integ_alg,
	         (struct model_str){"", 0}, ch->dh_group);
	c[SAC_ALGS] = cell_txt(THEME_DIM, tmp[16]);
}

int rows_verdict_role(enum diag_code c)
{
	switch (c) {
	case DIAG_NO_PROPOSAL:
	case DIAG_TS_UNACCEPTABLE:
	case DIAG_AUTH_FAILED:
	case DIAG_INSTALL_FAILED:
	case DIAG_REFUSED:
		return THEME_ERROR;
	case DIAG_PEER_UNREACHABLE:
	case DIAG_DPD_DEAD:
	case DIAG_PEER_DELETED:
		return THEME_STATE_DOWN;
	default:
		return THEME_WARNING;
	}
}

static struct row_cell cell_why(const struct diag_verdict *v)
{
	return cell_txt(rows_verdict_role(v->code), diag_code_name(v->code));
}

void rows_sa(struct row *r, const struct model_row *mr, const struct rows_sa_info *info,
             const unsigned *w, const struct rows_style *st)
{
	struct row_cell c[SAC_COUNT];
	char tmp[18][128], spark[SAC_SPARK_MAX * 3 + 1];
	memset(c, 0, sizeof(c));
	if (mr->kind == MODEL_ROW_IKE)
		ike_cells(c, mr, st, info ? info->fresh_ms : 0, tmp);
	else
		child_cells(c, mr, st, info ? info->fresh_ms : 0, tmp);
	if (info && info->why)
		c[SAC_WHY] = cell_why(info->why);
	if (info && info->spark && w[SAC_HOUR]) {
		size_t width = w[SAC_HOUR] < SAC_SPARK_MAX ? w[SAC_HOUR] : SAC_SPARK_MAX;
		fmt_spark(spark, sizeof(spark), info->spark, info->spark_has, info->n_spark, width,
		          st->utf8);
		c[SAC_HOUR] = cell_txt(THEME_INFO, spark);
	}
	rows_cells(r, c, sa_columns, SAC_COUNT, w);
}

const struct column conn_columns[CC_COUNT] = {
        [CC_NAME] = {"NAME", 14, 28, 0, ROW_LEFT},
        [CC_UP] = {"STATUS", 11, 14, 0, ROW_LEFT},
        [CC_WHY] = {"WHY", 16, 16, 0, ROW_LEFT},
        [CC_VERSION] = {"IKE", 7, 7, 2, ROW_LEFT},
        [CC_LOCAL] = {"LOCAL", 12, 22, 1, ROW_LEFT},
        [CC_REMOTE] = {"REMOTE", 12, 22, 0, ROW_LEFT},
        [CC_AUTH] = {"AUTH", 12, 24, 3, ROW_LEFT},
        [CC_FLAPS] = {"FLAPS", 5, 7, 1, ROW_RIGHT},
        [CC_DETAIL] = {"DETAIL", 10, 60, 1, ROW_LEFT},
};

/* Short names for the authentication classes, so both rounds fit. */
static const char *auth_short(struct model_str cls)
{
	static const struct {
		const char *name, *brief;
	} map[] = {{"pre-shared key", "psk"},
	           {"public key", "pubkey"},
	           {"EAP", "eap"},
	           {"XAuth", "xauth"},
	           {"any", "any"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (model_str_eq(cls, map[i].name))
			return map[i].brief;
	return NULL;
}

static void fmt_auths(char *buf, size_t size, const struct model_conn *c)
{
	size_t l = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < c->n_auths && l < size; i++) {
		const struct model_auth *a = &c->auths[i];
		const char *brief = auth_short(a->auth_class);
		l += (size_t)snprintf(buf + l, size - l, "%s%c%u:%.*s", i ? " " : "",
		                      a->local ? 'L' : 'R', a->round,
		                      brief ? (int)strlen(brief) : (int)a->auth_class.len,
		                      brief ? brief : a->auth_class.s);
	}
}

/* "1·2": IKE SAs and CHILD SAs (or down events); "1:2" in ASCII, where a
 * dot would read as a decimal point. */
static void fmt_pair(char *buf, size_t size, size_t a, size_t b, bool utf8)
{
	snprintf(buf, size, "%zu%s%zu", a, utf8 ? "\u00b7" : ":", b);
}

enum rows_conn_state rows_conn_state(const struct model_conn_status *cs,
                                     const struct rows_conn_info *ci)
{
	if (cs->ikes_up)
		return ci->missing ? ROWS_CONN_PARTIAL : ROWS_CONN_UP;
	if (cs->ikes)
		return ROWS_CONN_CONNECTING;
	return ci->trapped ? ROWS_CONN_TRAP : ROWS_CONN_DOWN;
}

const char *rows_conn_state_name(enum rows_conn_state s)
{
	static const char *const names[] = {[ROWS_CONN_DOWN] = "down",
	                                    [ROWS_CONN_CONNECTING] = "connecting",
	                                    [ROWS_CONN_PARTIAL] = "partial",
	                                    [ROWS_CONN_TRAP] = "trap",
	                                    [ROWS_CONN_UP] = "up"};
	return (unsigned)s <= ROWS_CONN_UP ? names[s] : names[ROWS_CONN_DOWN];
}

static void conn_status_cell(struct row_cell *cell, char *up, size_t size,
                             const struct model_conn_status *cs, const struct rows_conn_info *ci,
                             const struct rows_style *st)
{
	/* the role, and the glyph's role where it differs (down is dim) */
	static const int roles[][2] = {
	        [ROWS_CONN_DOWN] = {THEME_DIM, THEME_STATE_DOWN},
	        [ROWS_CONN_CONNECTING] = {THEME_CONNECTING, THEME_CONNECTING},
	        [ROWS_CONN_PARTIAL] = {THEME_WARNING, THEME_WARNING},
	        [ROWS_CONN_TRAP] = {THEME_INFO, THEME_INFO},
	        [ROWS_CONN_UP] = {THEME_STATE_UP, THEME_STATE_UP}};
	enum rows_conn_state s = rows_conn_state(cs, ci);
	char n[48] = "";
	if (s == ROWS_CONN_PARTIAL || s == ROWS_CONN_UP) {
		n[0] = ' ';
		fmt_pair(n + 1, sizeof(n) - 1, cs->ikes_up, cs->children_up, st->utf8);
	}
	snprintf(up, size, "%s %s%s", theme_glyph(NULL, roles[s][1], st->utf8),
	         rows_conn_state_name(s), n);
	*cell = cell_txt(roles[s][0], up);
}

void rows_conn(struct row *r, const struct model_conn *c, const struct model_conn_status *cs,
               const struct rows_conn_info *ci, const unsigned *w, const struct rows_style *st)
{
	struct row_cell cells[CC_COUNT];
	char up[64], local[128], remote[128], auth[256], detail[256], flaps[32];
	memset(cells, 0, sizeof(cells));
	cells[CC_NAME] = cell_str(THEME_DEFAULT, c->name);
	conn_status_cell(&cells[CC_UP], up, sizeof(up), cs, ci, st);
	if (ci->why)
		cells[CC_WHY] = cell_why(ci->why);
	else if (cs->ikes_up && !ci->missing)
		cells[CC_WHY] = cell_txt(THEME_DIM, st->utf8 ? "\u00b7" : ".");
	if (ci->flaps && (ci->ike_down || ci->child_down)) {
		fmt_pair(flaps, sizeof(flaps), ci->ike_down, ci->child_down, st->utf8);
		cells[CC_FLAPS] = cell_txt(ci->ike_down ? THEME_WARNING : THEME_DEFAULT, flaps);
	} else if (ci->flaps) {
		cells[CC_FLAPS] = cell_txt(THEME_DIM, "0");
	}
	cells[CC_VERSION] = cell_str(THEME_DIM, c->version);
	model_list_join(&c->local_addrs, ",", local, sizeof(local));
	model_list_join(&c->remote_addrs, ",", remote, sizeof(remote));
	cells[CC_LOCAL] = cell_txt(THEME_DEFAULT, local[0] ? local : "%any");
	cells[CC_REMOTE] = cell_txt(THEME_DEFAULT, remote[0] ? remote : "%any");
	fmt_auths(auth, sizeof(auth), c);
	cells[CC_AUTH] = cell_txt(THEME_DIM, auth);
	snprintf(detail, sizeof(detail), "%zu child%s, rekey %us%s%.*s", c->n_children,
	         c->n_children == 1 ? "" : "ren", c->rekey_time, c->unique.len ? ", " : "",
	         (int)c->unique.len, c->unique.s);
	cells[CC_DETAIL] = cell_txt(THEME_DIM, detail);
	rows_cells(r, cells, conn_columns, CC_COUNT, w);
}

void rows_conn_peer(struct row *r, const struct diag_verdict *v, const unsigned *w,
                    const struct rows_style *st)
{
	struct row_cell cells[CC_COUNT];
	char name[300], status[48];
	memset(cells, 0, sizeof(cells));
	snprintf(name, sizeof(name), "peer %s", v->peer);
	cells[CC_NAME] = cell_txt(THEME_DEFAULT, name);
	snprintf(status, sizeof(status), "%s unmatched",
	         theme_glyph(NULL, THEME_WARNING, st->utf8));
	cells[CC_UP] = cell_txt(THEME_WARNING, status);
	cells[CC_WHY] = cell_why(v);
	cells[CC_REMOTE] = cell_txt(THEME_DEFAULT, v->peer);
	cells[CC_DETAIL] = cell_txt(THEME_DIM, *v->peer_id ? v->peer_id : "no connection matched");
	rows_cells(r, cells, conn_columns, CC_COUNT, w);
}

void rows_conn_child(struct row *r, const struct model_conn_child *ch, bool last,
                     const struct diag_verdict *why, const unsigned *w, const struct rows_style *st)
{
	struct row_cell cells[CC_COUNT];
	char name[128], local[128], remote[128], detail[256];
	memset(cells, 0, sizeof(cells));
	const char *branch =
	        st->utf8 ? (last ? "\u2514\u2500" : "\u251c\u2500") : (last ? "`-" : "|-");
	snprintf(name, sizeof(name), "  %s%.*s", branch, (int)ch->name.len, ch->name.s);
	cells[CC_NAME] = cell_txt(THEME_DEFAULT, name);
	if (why)
		cells[CC_WHY] = cell_why(why);
	cells[CC_VERSION] = cell_str(THEME_DIM, ch->mode);
	model_list_join(&ch->local_ts, ",", local, sizeof(local));
	model_list_join(&ch->remote_ts, ",", remote, sizeof(remote));
	cells[CC_LOCAL] = cell_txt(THEME_DEFAULT, local);
	cells[CC_REMOTE] = cell_txt(THEME_DEFAULT, remote);
	/* start_action is only sent by newer daemons: show what was sent. */
	size_t l = 0;
	detail[0] = '\0';
	const struct {
		const char *k;
		struct model_str v;
	} acts[] = {
	        {"start", ch->start_action}, {"close", ch->close_action}, {"dpd", ch->dpd_action}};
	for (size_t i = 0; i < 3 && l < sizeof(detail); i++)
		if (acts[i].v.len)
			l += (size_t)snprintf(detail + l, sizeof(detail) - l, "%s%s=%.*s",
			                      l ? " " : "", acts[i].k, (int)acts[i].v.len,
			                      acts[i].v.s);
	if (ch->rekey_time && l < sizeof(detail))
		snprintf(detail + l, sizeof(detail) - l, "%srekey=%llus", l ? " " : "",
		         (unsigned long long)ch->rekey_time);
	cells[CC_DETAIL] = cell_txt(THEME_DIM, detail);
	/* The auth column is empty on child rows: let the detail text use it. */
	rows_cells(r, cells, conn_columns, CC_COUNT, w);
}

const struct column pol_columns[PC_COUNT] = {
        [PC_TYPE] = {"TYPE", 6, 6, 0, ROW_LEFT},
        [PC_NAME] = {"NAME", 14, 32, 0, ROW_LEFT},
        [PC_MODE] = {"MODE", 9, 9, 1, ROW_LEFT},
        [PC_LOCAL] = {"LOCAL-TS", 14, 60, 0, ROW_LEFT},
        [PC_REMOTE] = {"REMOTE-TS", 14, 60, 0, ROW_LEFT},
};

void rows_pol(struct row *r, const struct model_pol *p, const unsigned *w,
              const struct rows_style *st)
{
	struct row_cell cells[PC_COUNT];
	char local[256], remote[256];
	(void)st;
	memset(cells, 0, sizeof(cells));
	static const int roles[] = {THEME_INFO, THEME_STATE_DOWN, THEME_STATE_UP};
	unsigned t = p->type <= MODEL_POL_PASS ? p->type : 0;
	cells[PC_TYPE] = cell_txt(roles[t], model_pol_type_name(p->type));
	cells[PC_NAME] = cell_str(THEME_DEFAULT, p->key);
	cells[PC_MODE] = cell_str(THEME_DIM, p->mode);
	model_list_join(&p->local_ts, ",", local, sizeof(local));
	model_list_join(&p->remote_ts, ",", remote, sizeof(remote));
	cells[PC_LOCAL] = cell_txt(THEME_DEFAULT, local);
	cells[PC_REMOTE] = cell_txt(THEME_DEFAULT, remote);
	rows_cells(r, cells, pol_columns, PC_COUNT, w);
}

void fmt_clock(char *buf, size_t size, int64_t mono_ms, int64_t wall_offset)
{
	time_t t = (time_t)((mono_ms + wall_offset) / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm)) {
		snprintf(buf, size, "--:--:--");
		return;
	}
	snprintf(buf, size, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int rows_event_role(enum model_event_kind k)
{
	switch (k) {
	case MODEL_EV_IKE_UP:
	case MODEL_EV_CHILD_UP:
		return THEME_EVENT_UP;
	case MODEL_EV_IKE_DOWN:
	case MODEL_EV_CHILD_DOWN:
		return THEME_EVENT_DOWN;
	case MODEL_EV_IKE_REKEY:
	case MODEL_EV_CHILD_REKEY:
		return THEME_EVENT_REKEY;
	case MODEL_EV_IKE_UPDATE:
		return THEME_EVENT_UPDATE;
	case MODEL_EV_CONTROL_LOG:
		return THEME_EVENT_CONTROL;
	case MODEL_EV_ACTION_OK:
		return THEME_STATUS_OK;
	case MODEL_EV_ACTION_FAIL:
		return THEME_ERROR;
	default:
		return THEME_INFO;
	}
}

/* Glyphs of the kinds, so that events read without colour. */
static const char *event_glyph(enum model_event_kind k, bool utf8)
{
	return theme_glyph(NULL, (enum theme_role)rows_event_role(k), utf8);
}

void fmt_sa_ref(char *buf, size_t size, struct model_str conn, uint32_t ike_id,
                struct model_str child)
{
	int k = snprintf(buf, size, "%.*s", (int)conn.len, conn.s);
	if (ike_id && k >= 0 && (size_t)k < size)
		k += snprintf(buf + k, size - (size_t)k, "[%u]", ike_id);
	if (child.len && k >= 0 && (size_t)k < size)
		snprintf(buf + k, size - (size_t)k, "/%.*s", (int)child.len, child.s);
}

void rows_event(struct row *r, const struct model_event *e, size_t width,
                const struct rows_style *st)
{
	char clock[16], kind[48], sa[128];
	fmt_clock(clock, sizeof(clock), e->time, st->wall_offset);
	row_adds(r, THEME_DIM, clock, 8, ROW_LEFT);
	row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	int role = rows_event_role(e->kind);
	const char *g = event_glyph(e->kind, st->utf8);
	snprintf(kind, sizeof(kind), "%s%s%s", g, *g ? " " : "", model_event_kind_name(e->kind));
	row_adds(r, role, kind, 13, ROW_LEFT);
	row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	size_t used = 23;
	if (e->ike_name.len || e->ike_id) {
		fmt_sa_ref(sa, sizeof(sa), e->ike_name, e->ike_id, e->child_name);
		used += row_adds(r, THEME_DEFAULT, sa, 0, ROW_LEFT);
		used += row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	}
	if (e->remote_host.len && used < width) {
		used += row_adds(r, THEME_DIM, st->utf8 ? "\u2194 " : "<> ", 0, ROW_LEFT);
		used += row_add(r, THEME_DIM, e->remote_host.s, e->remote_host.len, 0, ROW_LEFT);
		used += row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	}
	if (used < width)
		row_add(r, e->kind == MODEL_EV_CONTROL_LOG ? THEME_DEFAULT : role, e->text.s,
		        e->text.len, width - used, ROW_LEFT);
	if (e->redundant && r->cols < width)
		row_adds(r, THEME_DIM, " (redundant)", 0, ROW_LEFT);
}

void rows_log(struct row *r, const struct model_log_line *l, size_t width,
              const struct rows_style *st)
{
	char clock[16], ike[96], th[16];
	fmt_clock(clock, sizeof(clock), l->time, st->wall_offset);
	size_t used = row_adds(r, THEME_DIM, clock, 8, ROW_LEFT);
	used += row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	int lrole = THEME_LOG_0 + (l->level < 0 ? 0 : l->level > 4 ? 4 : l->level);
	used += row_add(r, lrole, l->group.s, l->group.len, 3, ROW_LEFT);
	used += row_addf(r, lrole, 2, ROW_RIGHT, "%d", l->level);
	if (l->thread >= 0)
		snprintf(th, sizeof(th), "%02d", l->thread);
	else
		snprintf(th, sizeof(th), "--");
	used += row_adds(r, THEME_DIM, " ", 1, ROW_LEFT);
	used += row_adds(r, THEME_DIM, th, 2, ROW_RIGHT);
	used += row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	if (l->ike_name.len || l->ike_id) {
		snprintf(ike, sizeof(ike), "<%.*s|%u>", (int)l->ike_name.len, l->ike_name.s,
		         l->ike_id);
		used += row_adds(r, THEME_DIM, ike, 0, ROW_LEFT);
		used += row_adds(r, THEME_DEFAULT, " ", 1, ROW_LEFT);
	}
	if (used < width)
		row_add(r, lrole == THEME_LOG_0 ? THEME_DEFAULT : lrole, l->msg.s, l->msg.len,
		        width - used, ROW_LEFT);
}

void fmt_spark(char *buf, size_t size, const float *v, const bool *has, size_t n, size_t width,
               bool utf8)
{
	static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
	                                      "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = "_.:-=+*#";
	double cell[SAC_SPARK_MAX], top = 0;
	bool any[SAC_SPARK_MAX];
	if (width > SAC_SPARK_MAX)
		width = SAC_SPARK_MAX;
	for (size_t c = 0; c < width; c++) {
		/* cell c covers values [c*n/width, (c+1)*n/width) */
		size_t a = c * n / width, b = (c + 1) * n / width;
		if (b == a && a < n)
			b = a + 1;
		cell[c] = 0;
		any[c] = false;
		for (size_t i = a; i < b && i < n; i++) {
			cell[c] += v[i];
			any[c] = any[c] || !has || has[i];
		}
		if (any[c] && cell[c] > top)
			top = cell[c];
	}
	size_t at = 0;
	for (size_t c = 0; c < width; c++) {
		int level = top > 0 ? (int)(cell[c] / top * 7.0 + 0.5) : 0;
		const char *g = !any[c] ? " " : utf8 ? blocks[level] : (char[]){ascii[level], 0};
		size_t gl = strlen(g);
		if (at + gl + 1 > size)
			break;
		memcpy(buf + at, g, gl);
		at += gl;
	}
	if (size)
		buf[at < size ? at : size - 1] = '\0';
}
