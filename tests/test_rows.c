/*
 * Unit tests of the monitor's pure parts: row formatting (from real model
 * objects fed with VICI messages), column fitting, value formatting, the key
 * table with its generated hints and help, the layout arithmetic and the
 * monitor's option parsing.
 */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ui/keys.h"
#include "ui/termkeys.h"
#include "ui/layout.h"
#include "model/model.h"
#include "app/monitor.h"
#include "ui/pane.h"
#include "ui/rows.h"
#include "util/sanitize.h"
#include "ui/theme.h"
#include "vici/wire.h"

#define NOW 1000000 /* monotonic ms of the message */

/* A list-sa message for one IKE SA with one CHILD SA. name may hold any
 * bytes (hostile-string tests). */
static void build_sa(struct vici_builder *b, const char *name, size_t name_len, const char *state)
{
	vici_builder_init(b);
	vici_builder_section_startn(b, name, name_len);
	vici_builder_add_str(b, "uniqueid", "7");
	vici_builder_add_str(b, "version", "2");
	vici_builder_add_str(b, "state", state);
	vici_builder_add_str(b, "local-host", "192.0.2.1");
	vici_builder_add_str(b, "local-port", "4500");
	vici_builder_add_str(b, "local-id", "gw@example.org");
	vici_builder_add_str(b, "remote-host", "192.0.2.2");
	vici_builder_add_str(b, "remote-port", "4500");
	vici_builder_add_str(b, "remote-id", "peer@example.org");
	vici_builder_add_str(b, "initiator-spi", "0123456789abcdef");
	vici_builder_add_str(b, "responder-spi", "fedcba9876543210");
	vici_builder_add_str(b, "encr-alg", "AES_CBC");
	vici_builder_add_str(b, "encr-keysize", "256");
	vici_builder_add_str(b, "integ-alg", "HMAC_SHA2_256_128");
	vici_builder_add_str(b, "prf-alg", "PRF_HMAC_SHA2_256");
	vici_builder_add_str(b, "dh-group", "CURVE_25519");
	vici_builder_add_str(b, "established", "125");
	vici_builder_add_str(b, "rekey-time", "3000");
	vici_builder_section_start(b, "child-sas");
	vici_builder_section_start(b, "net-3");
	vici_builder_add_str(b, "name", "net");
	vici_builder_add_str(b, "uniqueid", "3");
	vici_builder_add_str(b, "reqid", "1");
	vici_builder_add_str(b, "state", "INSTALLED");
	vici_builder_add_str(b, "mode", "TUNNEL");
	vici_builder_add_str(b, "protocol", "ESP");
	vici_builder_add_str(b, "encap", "yes");
	vici_builder_add_str(b, "spi-in", "c1a2b3c4");
	vici_builder_add_str(b, "spi-out", "d5e6f7a8");
	vici_builder_add_str(b, "encr-alg", "AES_GCM_16");
	vici_builder_add_str(b, "encr-keysize", "256");
	vici_builder_add_str(b, "bytes-in", "1536000");
	vici_builder_add_str(b, "packets-in", "1200");
	vici_builder_add_str(b, "bytes-out", "42");
	vici_builder_add_str(b, "packets-out", "1");
	vici_builder_add_str(b, "rekey-time", "59");
	vici_builder_add_str(b, "life-time", "400");
	vici_builder_add_str(b, "install-time", "10");
	vici_builder_list_start(b, "local-ts");
	vici_builder_list_item_str(b, "10.0.1.0/24");
	vici_builder_list_end(b);
	vici_builder_list_start(b, "remote-ts");
	vici_builder_list_item_str(b, "10.0.2.0/24");
	vici_builder_list_end(b);
	vici_builder_section_end(b);
	vici_builder_section_end(b);
	vici_builder_section_end(b);
}

static struct model *model_with_sa(const char *name, size_t name_len, const char *state)
{
	struct model *m = model_new(NULL);
	struct vici_builder b;
	uint8_t *msg;
	size_t len;
	build_sa(&b, name, name_len, state);
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	model_sweep_begin(m, MODEL_TABLE_SAS, 0, NOW);
	assert_true(model_ingest_list_sa(m, msg, len, NOW) >= 0);
	model_sweep_end(m, MODEL_TABLE_SAS, NOW);
	free(msg);
	return m;
}

static const struct model_row *row_of(struct model_view *v, enum model_row_kind kind)
{
	model_view_refresh(v);
	for (size_t i = 0; i < model_view_count(v); i++)
		if (model_view_row(v, i)->kind == kind)
			return model_view_row(v, i);
	fail_msg("no row of kind %d", kind);
	return NULL;
}

static size_t sum_widths(const unsigned *w, size_t n)
{
	size_t s = 0, shown = 0;
	for (size_t i = 0; i < n; i++)
		if (w[i])
			s += w[i], shown++;
	return s + (shown ? shown - 1 : 0);
}

static void test_columns_fit(void **state)
{
	(void)state;
	unsigned w[SAC_COUNT];
	/* Wide: everything shown, exactly filling or below the width. */
	size_t n = columns_fit(sa_columns, SAC_COUNT, 400, w);
	assert_int_equal(n, SAC_COUNT);
	assert_true(sum_widths(w, SAC_COUNT) <= 400);
	/* 80 columns: the essential columns stay, details go, and it fits. */
	n = columns_fit(sa_columns, SAC_COUNT, 80, w);
	assert_true(n < SAC_COUNT);
	assert_true(w[SAC_NAME] && w[SAC_ID] && w[SAC_STATE] && w[SAC_REMOTE]);
	assert_int_equal(w[SAC_ALGS], 0);
	assert_int_equal(w[SAC_SPIS], 0);
	assert_true(sum_widths(w, SAC_COUNT) <= 80);
	/* Spare width is handed out: the row fills the 80 columns. */
	assert_true(sum_widths(w, SAC_COUNT) >= 75);
	/* Every width: never wider than the screen. */
	for (size_t width = 0; width < 300; width++) {
		columns_fit(sa_columns, SAC_COUNT, width, w);
		assert_true(sum_widths(w, SAC_COUNT) <= width);
		for (size_t i = 0; i < SAC_COUNT; i++)
			if (w[i])
				assert_true(w[i] >= sa_columns[i].min && w[i] <= sa_columns[i].max);
	}
	/* A lower priority column never shows while a higher one is dropped. */
	columns_fit(sa_columns, SAC_COUNT, 100, w);
	for (size_t i = 0; i < SAC_COUNT; i++)
		for (size_t j = 0; j < SAC_COUNT; j++)
			if (w[i] && !w[j] && sa_columns[j].prio < sa_columns[i].prio)
				assert_true(sa_columns[j].min > sa_columns[i].min);
}

static void test_fmt(void **state)
{
	(void)state;
	char b[32];
	fmt_duration(b, sizeof(b), 0);
	assert_string_equal(b, "0s");
	fmt_duration(b, sizeof(b), 59);
	assert_string_equal(b, "59s");
	fmt_duration(b, sizeof(b), 723);
	assert_string_equal(b, "12m03s");
	fmt_duration(b, sizeof(b), 3 * 3600 + 5 * 60 + 9);
	assert_string_equal(b, "3h05m");
	fmt_duration(b, sizeof(b), 2 * 86400 + 4 * 3600);
	assert_string_equal(b, "2d04h");
	fmt_duration(b, sizeof(b), -5);
	assert_string_equal(b, "-5s");
	fmt_bytes(b, sizeof(b), 9999);
	assert_string_equal(b, "9999");
	fmt_bytes(b, sizeof(b), 1536000);
	assert_string_equal(b, "1.5M");
	fmt_bytes(b, sizeof(b), 20480);
	assert_string_equal(b, "20K");
	fmt_count(b, sizeof(b), 1200000);
	assert_string_equal(b, "1.2M");
	fmt_rate(b, sizeof(b), -1);
	assert_string_equal(b, "-");
	fmt_rate(b, sizeof(b), 999);
	assert_string_equal(b, "999/s");
	fmt_rate(b, sizeof(b), 2048);
	assert_string_equal(b, "2.0K/s");
}

static void test_ike_row(void **state)
{
	(void)state;
	struct model *m = model_with_sa("gw", 2, "ESTABLISHED");
	struct model_view *v = model_view_new(m);
	unsigned w[SAC_COUNT];
	columns_fit(sa_columns, SAC_COUNT, 300, w);
	struct rows_style st = {true, NOW, 0};
	struct row r;
	row_init(&r, 0);
	rows_sa(&r, row_of(v, MODEL_ROW_IKE), NULL, w, &st);
	const char *t = row_text(&r);
	assert_non_null(strstr(t, "gw"));
	assert_non_null(strstr(t, "#7"));
	assert_non_null(strstr(t, "ESTABLISHED"));
	assert_non_null(strstr(t, "192.0.2.2"));
	assert_non_null(strstr(t, "gw@example.org"));
	assert_non_null(strstr(t, "AES_CBC-256"));
	assert_non_null(strstr(t, "2m05s"));  /* established 125 s ago */
	assert_non_null(strstr(t, "50m00s")); /* rekey in 3000 s */
	/* The row is exactly as wide as its columns. */
	assert_int_equal(r.cols, sum_widths(w, SAC_COUNT));
	/* The state is readable without colour: glyph plus name, and its span
	 * carries the state role. */
	bool found = false;
	for (size_t i = 0; i < r.n; i++)
		if (r.span[i].role == THEME_STATE_UP)
			found = true;
	assert_true(found);
	/* Countdowns move with time, without new data. */
	st.now = NOW + 61000;
	row_init(&r, 0);
	rows_sa(&r, row_of(v, MODEL_ROW_IKE), NULL, w, &st);
	assert_non_null(strstr(row_text(&r), "48m59s"));
	assert_non_null(strstr(row_text(&r), "3m06s"));
	model_view_free(v);
	model_free(m);
}

static void test_child_row(void **state)
{
	(void)state;
	struct model *m = model_with_sa("gw", 2, "ESTABLISHED");
	struct model_view *v = model_view_new(m);
	unsigned w[SAC_COUNT];
	columns_fit(sa_columns, SAC_COUNT, 300, w);
	struct rows_style st = {true, NOW, 0};
	struct row r;
	row_init(&r, 0);
	rows_sa(&r, row_of(v, MODEL_ROW_CHILD), NULL, w, &st);
	const char *t = row_text(&r);
	assert_non_null(strstr(t, "net"));
	assert_non_null(strstr(t, "c3"));
	assert_non_null(strstr(t, "INSTALLED"));
	assert_non_null(strstr(t, "TUNNEL ESP/UDP"));
	assert_non_null(strstr(t, "10.0.1.0/24"));
	assert_non_null(strstr(t, "10.0.2.0/24"));
	assert_non_null(strstr(t, "1.5M"));
	assert_non_null(strstr(t, "c1a2b3c4/d5e6f7a8"));
	assert_non_null(strstr(t, "59s"));          /* rekey */
	assert_non_null(strstr(t, "6m40s"));        /* expiry */
	assert_non_null(strstr(t, "\u2514\u2500")); /* tree branch, last child */
	/* ASCII locale: only ASCII bytes, tree and glyphs included. */
	row_init(&r, SANITIZE_ASCII);
	st.utf8 = false;
	rows_sa(&r, row_of(v, MODEL_ROW_CHILD), NULL, w, &st);
	for (const char *p = row_text(&r); *p; p++)
		assert_true((unsigned char)*p < 0x80);
	assert_non_null(strstr(row_text(&r), "`-net"));
	model_view_free(v);
	model_free(m);
}

static void test_hostile_names(void **state)
{
	(void)state;
	static const char evil[] = "evil\x1b]0;pwned\x07\x1b[2J\xc2\x9b"
	                           "31m\xe2\x80\xaeok";
	struct model *m = model_with_sa(evil, sizeof(evil) - 1, "CONNECTING");
	struct model_view *v = model_view_new(m);
	unsigned w[SAC_COUNT];
	columns_fit(sa_columns, SAC_COUNT, 400, w);
	struct rows_style st = {true, NOW, 0};
	struct row r;
	row_init(&r, 0);
	rows_sa(&r, row_of(v, MODEL_ROW_IKE), NULL, w, &st);
	const char *t = row_text(&r);
	for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
		assert_true(*p >= 0x20 && *p != 0x7f);
		if (p[0] == 0xc2)
			assert_false(p[1] >= 0x80 && p[1] <= 0x9f); /* no C1 */
	}
	assert_null(strstr(t, "\xe2\x80\xae")); /* no bidi override */
	assert_non_null(strstr(t, "evil"));
	assert_non_null(strstr(t, "CONNECTING"));
	model_view_free(v);
	model_free(m);
}

static void test_event_and_log_rows(void **state)
{
	(void)state;
	struct model *m = model_new(NULL);
	model_event_addf(m, MODEL_EV_ACTION_FAIL, NOW, "initiate x: failed: %s", "\x1b[31mboom");
	struct vici_builder b;
	uint8_t *msg;
	size_t len;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "group", "IKE");
	vici_builder_add_str(&b, "level", "1");
	vici_builder_add_str(&b, "thread", "7");
	vici_builder_add_str(&b, "ikesa-name", "gw");
	vici_builder_add_str(&b, "ikesa-uniqueid", "7");
	vici_builder_add_str(&b, "msg", "sending DPD request\r\n\x1b[1m");
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	assert_true(model_ingest_log(m, msg, len, NOW) >= 0);
	free(msg);
	struct rows_style st = {true, NOW, 0};
	struct row r;
	row_init(&r, 0);
	rows_event(&r, model_event_at(m, model_events_count(m) - 1), 100, &st);
	assert_null(strchr(row_text(&r), '\x1b'));
	assert_non_null(strstr(row_text(&r), "boom"));
	assert_true(r.cols <= 100);
	row_init(&r, 0);
	rows_log(&r, model_log_at(m, 0), 60, &st);
	const char *t = row_text(&r);
	assert_null(strchr(t, '\x1b'));
	assert_null(strchr(t, '\r'));
	assert_non_null(strstr(t, "IKE"));
	assert_non_null(strstr(t, "<gw|7>"));
	assert_non_null(strstr(t, "sending DPD"));
	assert_true(r.cols <= 60);
	/* An ike-rekey event is about the SA named by the outer section. */
	vici_builder_init(&b);
	vici_builder_section_start(&b, "site1");
	vici_builder_section_start(&b, "old");
	vici_builder_add_str(&b, "uniqueid", "3");
	vici_builder_add_str(&b, "state", "REKEYED");
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "new");
	vici_builder_add_str(&b, "uniqueid", "9");
	vici_builder_add_str(&b, "state", "ESTABLISHED");
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	assert_true(model_ingest_ike_rekey(m, msg, len, NOW) >= 0);
	free(msg);
	row_init(&r, 0);
	rows_event(&r, model_event_at(m, model_events_count(m) - 1), 100, &st);
	assert_non_null(strstr(row_text(&r), "ike-rekey"));
	assert_non_null(strstr(row_text(&r), "site1[3]"));
	assert_true(model_str_eq(model_ike_find(m, 9)->name, "site1"));
	model_free(m);
}

static void test_conn_rows(void **state)
{
	(void)state;
	struct model *m = model_new(NULL);
	struct vici_builder b;
	uint8_t *msg;
	size_t len;
	vici_builder_init(&b);
	vici_builder_section_start(&b, "site1");
	vici_builder_list_start(&b, "local_addrs");
	vici_builder_list_item_str(&b, "192.0.2.1");
	vici_builder_list_end(&b);
	vici_builder_list_start(&b, "remote_addrs");
	vici_builder_list_item_str(&b, "192.0.2.2");
	vici_builder_list_end(&b);
	vici_builder_add_str(&b, "version", "IKEv2");
	vici_builder_add_str(&b, "rekey_time", "14400");
	vici_builder_section_start(&b, "local-1");
	vici_builder_add_str(&b, "class", "pre-shared key");
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "remote-1");
	vici_builder_add_str(&b, "class", "public key");
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "children");
	vici_builder_section_start(&b, "lan");
	vici_builder_add_str(&b, "mode", "TUNNEL");
	vici_builder_add_str(&b, "close_action", "trap");
	vici_builder_list_start(&b, "local-ts");
	vici_builder_list_item_str(&b, "10.1.1.0/24");
	vici_builder_list_end(&b);
	vici_builder_list_start(&b, "remote-ts");
	vici_builder_list_item_str(&b, "10.2.1.0/24");
	vici_builder_list_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	model_sweep_begin(m, MODEL_TABLE_CONNS, 0, NOW);
	assert_true(model_ingest_list_conn(m, msg, len, NOW) >= 0);
	model_sweep_end(m, MODEL_TABLE_CONNS, NOW);
	free(msg);
	assert_int_equal(model_conn_count(m), 1);
	const struct model_conn *c = model_conn_at(m, 0);
	unsigned w[CC_COUNT];
	columns_fit(conn_columns, CC_COUNT, 160, w);
	struct rows_style st = {true, NOW, 0};
	struct model_conn_status cs = {0, 0, 0, 0};
	struct rows_conn_info ci = {0};
	struct row r;
	row_init(&r, 0);
	rows_conn(&r, c, &cs, &ci, w, &st);
	const char *t = row_text(&r);
	assert_non_null(strstr(t, "site1"));
	assert_non_null(strstr(t, "down"));
	assert_non_null(strstr(t, "L1:psk R1:pubkey"));
	assert_non_null(strstr(t, "1 child,"));
	row_init(&r, 0);
	ci.trapped = true;
	rows_conn(&r, c, &cs, &ci, w, &st);
	assert_non_null(strstr(row_text(&r), "trap"));
	cs.ikes = cs.ikes_up = 1;
	cs.children_up = 1;
	cs.configs_up = 1;
	row_init(&r, 0);
	rows_conn(&r, c, &cs, &ci, w, &st);
	assert_non_null(strstr(row_text(&r), "up 1\u00b71"));
	row_init(&r, 0);
	rows_conn_child(&r, &c->children[0], true, NULL, w, &st);
	t = row_text(&r);
	assert_non_null(strstr(t, "lan"));
	assert_non_null(strstr(t, "TUNNEL"));
	assert_non_null(strstr(t, "10.2.1.0/24"));
	assert_non_null(strstr(t, "close=trap"));
	assert_null(strstr(t, "start=")); /* not sent, not invented */
	model_free(m);
}

/* The role of the span whose text contains s (-1 if none). */
static int role_of(struct row *r, const char *s)
{
	const char *t = row_text(r);
	for (size_t i = 0; i < r->n; i++) {
		char span[512];
		snprintf(span, sizeof(span), "%.*s", (int)r->span[i].len, t + r->span[i].off);
		if (strstr(span, s))
			return r->span[i].role;
	}
	return -1;
}

/* STATUS tells IKE from CHILD counts and never shows a connection missing a
 * CHILD SA in the colour of up; WHY and FLAPS say why and how often. */
static void test_conn_status_why_flaps(void **state)
{
	(void)state;
	struct model *m = model_new(NULL);
	struct vici_builder b;
	uint8_t *msg;
	size_t len;
	vici_builder_init(&b);
	vici_builder_section_start(&b, "a");
	vici_builder_section_start(&b, "children");
	vici_builder_section_start(&b, "a-lan");
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "a-voip");
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	assert_true(model_ingest_list_conn(m, msg, len, NOW) >= 0);
	free(msg);
	const struct model_conn *c = model_conn_at(m, 0);
	assert_int_equal(c->n_children, 2);
	unsigned w[CC_COUNT];
	columns_fit(conn_columns, CC_COUNT, 160, w);
	struct rows_style st = {true, NOW, 0}, ascii = {false, NOW, 0};
	struct model_conn_status cs = {.ikes = 1, .ikes_up = 1, .children_up = 2, .configs_up = 2};
	struct rows_conn_info ci = {0};
	struct row r;

	/* all up: "up IKE·CHILD" in the up role, WHY a dot */
	row_init(&r, 0);
	rows_conn(&r, c, &cs, &ci, w, &st);
	assert_non_null(strstr(row_text(&r), "\u25b2 up 1\u00b72"));
	assert_int_equal(role_of(&r, "up 1"), THEME_STATE_UP);
	assert_int_equal(role_of(&r, "\u00b7 "), THEME_DIM);
	row_init(&r, SANITIZE_ASCII);
	rows_conn(&r, c, &cs, &ci, w, &ascii);
	assert_non_null(strstr(row_text(&r), "U up 1:2"));

	/* the IKE SA up, one CHILD config missing: partial, a warning, with
	 * the verdict in WHY in its severity */
	cs.children_up = 1;
	cs.configs_up = 1;
	ci.missing = 1;
	struct diag_verdict v = {
	        .code = DIAG_NO_PROPOSAL, .layer = DIAG_LAYER_CHILD, .current = true};
	ci.why = &v;
	row_init(&r, 0);
	rows_conn(&r, c, &cs, &ci, w, &st);
	const char *t = row_text(&r);
	assert_non_null(strstr(t, "! partial 1\u00b71"));
	assert_null(strstr(t, " up 1"));
	assert_int_equal(role_of(&r, "partial"), THEME_WARNING);
	assert_non_null(strstr(t, "no-proposal"));
	assert_int_equal(role_of(&r, "no-proposal"), THEME_ERROR);
	/* the same from the tables alone */
	v.code = DIAG_CHILD_MISSING;
	row_init(&r, 0);
	rows_conn(&r, c, &cs, &ci, w, &st);
	assert_int_equal(role_of(&r, "child-missing"), THEME_WARNING);

	/* down with a verdict; a peer that is gone is drawn as down */
	memset(&cs, 0, sizeof(cs));
	ci.missing = 0;
	v.code = DIAG_PEER_UNREACHABLE;
	row_init(&r, 0);
	rows_conn(&r, c, &cs, &ci, w, &st);
	assert_non_null(strstr(row_text(&r), "peer-unreachable"));
	assert_int_equal(role_of(&r, "peer-unreachable"), THEME_STATE_DOWN);
	/* down, never used: nothing in WHY */
	ci.why = NULL;
	row_init(&r, 0);
	rows_conn(&r, c, &cs, &ci, w, &st);
	assert_null(strstr(row_text(&r), "\u00b7"));

	/* FLAPS only with a store: hidden columns take no room */
	struct column cols[CC_COUNT];
	memcpy(cols, conn_columns, sizeof(cols));
	cols[CC_FLAPS].max = 0;
	unsigned w2[CC_COUNT];
	columns_fit(cols, CC_COUNT, 160, w2);
	assert_int_equal(w2[CC_FLAPS], 0);
	assert_true(w[CC_FLAPS] > 0);
	row_init(&r, 0);
	rows_header(&r, cols, CC_COUNT, w2);
	assert_null(strstr(row_text(&r), "FLAPS"));
	assert_non_null(strstr(row_text(&r), "WHY"));
	ci.flaps = true;
	ci.ike_down = 3;
	ci.child_down = 5;
	row_init(&r, 0);
	rows_conn(&r, c, &cs, &ci, w, &st);
	assert_non_null(strstr(row_text(&r), "3\u00b75"));
	assert_int_equal(role_of(&r, "3\u00b75"), THEME_WARNING);
	ci.ike_down = ci.child_down = 0;
	row_init(&r, 0);
	rows_conn(&r, c, &cs, &ci, w, &st);
	assert_int_equal(role_of(&r, "0"), THEME_DIM);

	/* a CHILD config row shows its own verdict */
	v.code = DIAG_TS_UNACCEPTABLE;
	row_init(&r, 0);
	rows_conn_child(&r, &c->children[1], true, &v, w, &st);
	assert_non_null(strstr(row_text(&r), "ts-unacceptable"));
	/* at 80 columns the connection, its status, the remote end and WHY stay */
	columns_fit(conn_columns, CC_COUNT, 80, w);
	assert_true(w[CC_NAME] && w[CC_UP] && w[CC_WHY] && w[CC_REMOTE]);
	model_free(m);
}

/* Sparklines: scaled to the largest, a space where nothing was recorded,
 * exactly as wide as asked, ASCII where there is no UTF-8. */
static void test_spark(void **state)
{
	(void)state;
	float v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	bool has[8] = {true, true, true, false, true, true, true, true};
	char buf[SAC_SPARK_MAX * 3 + 1];
	fmt_spark(buf, sizeof(buf), v, has, 8, 8, true);
	assert_string_equal(buf, "\u2581\u2582\u2583 \u2585\u2586\u2587\u2588");
	fmt_spark(buf, sizeof(buf), v, has, 8, 8, false);
	assert_string_equal(buf, "_.: =+*#");
	/* 8 values into 4 cells: sums of two (1 5 9 13 of 13, in eighths) */
	fmt_spark(buf, sizeof(buf), v, NULL, 8, 4, false);
	assert_string_equal(buf, ".-+#");
	/* all zero: the lowest block, not nothing */
	float z[3] = {0, 0, 0};
	fmt_spark(buf, sizeof(buf), z, NULL, 3, 3, false);
	assert_string_equal(buf, "___");
	/* more cells than values */
	fmt_spark(buf, sizeof(buf), v, NULL, 2, 4, false);
	assert_int_equal(strlen(buf), 4);
	/* a buffer too small is cut, never overrun */
	char small[5];
	fmt_spark(small, sizeof(small), v, NULL, 8, 8, true);
	assert_true(strlen(small) < sizeof(small));
}

/* History rows: the timeline's columns and the events pane's dated rows,
 * every string from the store sanitised. */
static void test_history_rows(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	const int64_t t = 1796385600000LL; /* 2026-12-04 12:00:00 UTC */
	char when[32];
	fmt_wall(when, sizeof(when), t, true);
	assert_string_equal(when, "2026-12-04 12:00:00");
	fmt_wall(when, sizeof(when), t + 61000, false);
	assert_string_equal(when, "12:01:01");
	struct store_event ev = {
	        .time = t,
	        .kind = STORE_EV_IKE_DOWN,
	        .kind_word = {"ike-down", 8},
	        .conn = {"gw\x1b[31m", 8},
	        .ike_id = 12,
	        .state = {"ESTABLISHED", 11},
	        .remote = {"192.0.2.2", 9},
	};
	char sa[64];
	rows_store_sa(sa, sizeof(sa), &ev);
	assert_string_equal(sa, "IKE #12");
	unsigned w[HC_COUNT];
	columns_fit(hist_columns, HC_COUNT, 250, w);
	struct rows_style st = {true, NOW, 0};
	struct row r;
	row_init(&r, 0);
	rows_hist(&r, &ev, "dpd-dead", w, &st);
	const char *txt = row_text(&r);
	assert_non_null(strstr(txt, "2026-12-04 12:00:00 IKE #12"));
	assert_non_null(strstr(txt, "\u25bc ike-down"));
	assert_non_null(strstr(txt, "dpd-dead"));
	assert_non_null(strstr(txt, "ESTABLISHED  remote 192.0.2.2"));
	assert_int_equal(role_of(&r, "dpd-dead"), THEME_STATE_DOWN);
	/* a verdict record shows its own code; hostile evidence escaped */
	ev.kind = STORE_EV_VERDICT;
	ev.kind_word = (struct model_str){"verdict", 7};
	ev.code = (struct model_str){"auth-failed", 11};
	const char *evid = "MAC \x1b]0;x\x07 mismatched";
	ev.evidence = (struct model_str){evid, (uint32_t)strlen(evid)};
	ev.child = (struct model_str){"net", 3};
	ev.child_id = 34;
	ev.new_id = 35;
	rows_store_sa(sa, sizeof(sa), &ev);
	assert_string_equal(sa, "net #34>#35");
	row_init(&r, 0);
	rows_hist(&r, &ev, "", w, &st);
	txt = row_text(&r);
	assert_non_null(strstr(txt, "auth-failed"));
	assert_int_equal(role_of(&r, "auth-failed"), THEME_ERROR);
	assert_non_null(strstr(txt, "evidence: MAC \\x1b]0;x\\x07 mismatched"));
	assert_null(strchr(txt, '\x1b'));
	/* the events pane: dated, the connection's name escaped */
	row_init(&r, 0);
	rows_hist_event(&r, &ev, 150, &st);
	txt = row_text(&r);
	assert_true(!strncmp(txt, "12-04 12:00:00 ", 15));
	assert_int_equal(role_of(&r, "12-04"), THEME_STALE);
	assert_non_null(strstr(txt, "gw\\x1b[31m[12]/net"));
	assert_null(strchr(txt, '\x1b'));
	/* a gap says until when */
	struct store_event gap = {.time = t, .end = t + 90000, .kind = STORE_EV_GAP};
	char *d = rows_store_details(&gap, 0);
	assert_string_equal(d, "not recording until 2026-12-04 12:01:30 (90s)");
	free(d);
}

/* The SA tree's WHY and LAST HOUR cells. */
static void test_sa_insight_cells(void **state)
{
	(void)state;
	struct model *m = model_new(NULL);
	struct vici_builder b;
	uint8_t *msg;
	size_t len;
	build_sa(&b, "gw", 2, "CONNECTING");
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	assert_true(model_ingest_list_sa(m, msg, len, NOW) >= 0);
	free(msg);
	struct model_view *v = model_view_new(m);
	model_view_refresh(v);
	unsigned w[SAC_COUNT];
	columns_fit(sa_columns, SAC_COUNT, 200, w);
	assert_true(w[SAC_WHY] && w[SAC_HOUR]);
	struct rows_style st = {true, NOW, 0};
	struct diag_verdict verdict = {.code = DIAG_HALF_OPEN, .current = true};
	float spark[60];
	bool has[60];
	for (int i = 0; i < 60; i++)
		spark[i] = (float)i, has[i] = true;
	struct rows_sa_info info = {&verdict, spark, has, 60, 0};
	struct row r;
	row_init(&r, 0);
	rows_sa(&r, row_of(v, MODEL_ROW_IKE), &info, w, &st);
	assert_non_null(strstr(row_text(&r), "half-open"));
	assert_int_equal(role_of(&r, "half-open"), THEME_WARNING);
	row_init(&r, 0);
	rows_sa(&r, row_of(v, MODEL_ROW_CHILD), &info, w, &st);
	assert_non_null(strstr(row_text(&r), "\u2588"));
	/* 80 columns keep name, id, state, the remote end and the rates (the
	 * connections pane has WHY there); a few more (after the DATA column
	 * that qualifies the rates) show whole code words */
	columns_fit(sa_columns, SAC_COUNT, 80, w);
	assert_true(w[SAC_NAME] && w[SAC_ID] && w[SAC_STATE] && w[SAC_REMOTE]);
	assert_true(w[SAC_RATE_IN] && w[SAC_RATE_OUT]);
	assert_int_equal(w[SAC_WHY], 0);
	unsigned cols = 81;
	for (; cols <= 120; cols++) {
		columns_fit(sa_columns, SAC_COUNT, cols, w);
		if (w[SAC_WHY])
			break;
	}
	assert_true(cols <= 88);
	assert_int_equal(w[SAC_WHY], 16);
	assert_true(w[SAC_DATA] > 0);
	model_view_free(v);
	model_free(m);
}

static void test_keys(void **state)
{
	(void)state;
	assert_int_equal(keys_lookup(KC_SAS, 'q'), KA_QUIT);
	assert_int_equal(keys_lookup(KC_HELP, 'q'), KA_BACK);
	assert_int_equal(keys_lookup(KC_SAS, ' '), KA_TOGGLE);
	assert_int_equal(keys_lookup(KC_LOG, ' '), KA_NONE);
	assert_int_equal(keys_lookup(KC_LOG, 'l'), KA_LOG_LEVEL);
	/* 't' and ":terminate" reach the same verb */
	assert_int_equal(keys_lookup(KC_SAS, 't'), KA_VERB);
	assert_int_equal(keys_find(KC_SAS, 't')->verb, VERB_TERMINATE);
	assert_int_equal(keys_find(KC_SAS, 'i')->verb, VERB_INITIATE);
	assert_int_equal(keys_find(KC_SAS, 'r')->verb, VERB_REKEY);
	assert_int_equal(keys_find(KC_SAS, 'q')->verb, VERB_NONE);
	assert_int_equal(keys_lookup(KC_EVENTS, 't'), KA_NONE);
	assert_int_equal(keys_lookup(KC_CONNS, '1'), KA_PANE_SAS);
	/* Every binding is reachable: nothing is shadowed by an earlier one
	 * with the same key in all of its contexts. Its key is a canonical
	 * key id, and its name reads back as that key. */
	for (const struct key_binding *b = key_table; b->key; b++) {
		char name[32];
		uint32_t back = 0;
		assert_int_equal(termkeys_id_canon(b->key), b->key);
		assert_int_equal(termkeys_parse(keys_name(b, name, sizeof(name)), &back), 0);
		assert_int_equal(back, b->key);
		if (b->action == KA_NONE)
			continue;
		bool reachable = false;
		for (unsigned c = 1; c <= KC_CONFIRM; c <<= 1)
			if ((b->contexts & c) && keys_find(c, b->key) == b)
				reachable = true;
		assert_true(reachable);
	}
	/* The hint bar: within the width, destructive keys hidden read-only. */
	char hint[512];
	size_t n = keys_hint(KC_SAS, false, hint, sizeof(hint), 200);
	assert_true(n > 5);
	assert_non_null(strstr(hint, "t terminate"));
	assert_non_null(strstr(hint, "q quit"));
	keys_hint(KC_SAS, true, hint, sizeof(hint), 200);
	assert_null(strstr(hint, "terminate"));
	assert_null(strstr(hint, "initiate"));
	keys_hint(KC_SAS, false, hint, sizeof(hint), 40);
	assert_true(strlen(hint) <= 40);
	/* However narrow, help and quit stay on the bar, at its end. */
	for (size_t w = 20; w < 200; w++) {
		keys_hint(KC_SAS, false, hint, sizeof(hint), w);
		assert_true(strlen(hint) <= w);
		assert_non_null(strstr(hint, "? help"));
		assert_non_null(strstr(hint, "q quit"));
	}
	keys_hint(KC_HELP, false, hint, sizeof(hint), 30);
	assert_non_null(strstr(hint, "q back"));
}

/* The action the bytes a terminal sends for a key come to, as the monitor
 * sees them: decoded by termkeys (with the ESC deadline passed), then
 * looked up in context ctx. KA_COUNT when the bytes were not one event. */
static enum key_action key_bytes(unsigned ctx, const char *bytes)
{
	struct termkeys *tk = termkeys_new(NULL);
	struct key_event ev;
	termkeys_feed(tk, bytes, strlen(bytes), 0);
	enum key_action a = KA_COUNT;
	if (termkeys_next(tk, 1000, &ev))
		a = keys_lookup(ctx, termkeys_event_id(&ev));
	if (termkeys_next(tk, 1000, &ev))
		a = KA_COUNT; /* more than one event: the bytes ran as keys */
	termkeys_free(tk);
	return a;
}

static void test_keys_decoded(void **state)
{
	(void)state;
	/* Home and End in every form terminals send them in: xterm, vt220,
	 * rxvt, the Linux console, SS3 */
	const char *home[] = {"\033[H", "\033OH", "\033[1~", "\033[7~"};
	const char *end[] = {"\033[F", "\033OF", "\033[4~", "\033[8~"};
	for (size_t i = 0; i < 4; i++) {
		for (unsigned c = 1; c <= KC_HELP; c <<= 1) {
			assert_int_equal(key_bytes(c, home[i]), KA_HOME);
			assert_int_equal(key_bytes(c, end[i]), KA_END);
		}
	}
	assert_int_equal(key_bytes(KC_SAS, "\033[A"), KA_UP);
	assert_int_equal(key_bytes(KC_SAS, "\033OA"), KA_UP);
	assert_int_equal(key_bytes(KC_SAS, "\033[B"), KA_DOWN);
	assert_int_equal(key_bytes(KC_SAS, "\033[D"), KA_FOLD);
	assert_int_equal(key_bytes(KC_SAS, "\033OC"), KA_UNFOLD);
	assert_int_equal(key_bytes(KC_LOG, "\033[5~"), KA_PGUP);
	assert_int_equal(key_bytes(KC_LOG, "\033[6~"), KA_PGDN);
	assert_int_equal(key_bytes(KC_SAS, "\r"), KA_DETAIL);
	assert_int_equal(key_bytes(KC_SAS, "\n"), KA_DETAIL);
	assert_int_equal(key_bytes(KC_SAS, "\033OM"), KA_DETAIL); /* keypad Enter */
	assert_int_equal(key_bytes(KC_SAS, "\t"), KA_NEXT_PANE);
	assert_int_equal(key_bytes(KC_SAS, "\033[Z"), KA_PREV_PANE);
	assert_int_equal(key_bytes(KC_SAS, "\033"), KA_BACK); /* after the deadline */
	assert_int_equal(key_bytes(KC_DETAIL, "\177"), KA_BACK);
	assert_int_equal(key_bytes(KC_HELP, "\010"), KA_BACK);
	assert_int_equal(key_bytes(KC_SAS, "\033OP"), KA_HELP);
	assert_int_equal(key_bytes(KC_SAS, "\033[11~"), KA_HELP);
	assert_int_equal(key_bytes(KC_SAS, "\014"), KA_REFRESH);
	assert_int_equal(key_bytes(KC_SAS, "\032"), KA_SUSPEND);
	assert_int_equal(key_bytes(KC_HELP, "\032"), KA_SUSPEND);
	assert_int_equal(key_bytes(KC_SAS, "\003"), KA_QUIT);
	assert_int_equal(key_bytes(KC_DETAIL, "\003"), KA_QUIT);
	/* C-\, C-s and C-q are keys now (no SIGQUIT, no flow control), bound
	 * to nothing */
	for (unsigned c = 1; c <= KC_CONFIRM; c <<= 1) {
		assert_int_equal(key_bytes(c, "\034"), KA_NONE);
		assert_int_equal(key_bytes(c, "\023"), KA_NONE);
		assert_int_equal(key_bytes(c, "\021"), KA_NONE);
	}
	/* An unknown or modified sequence is one unit bound to nothing: its
	 * digits never switch the view. */
	assert_int_equal(key_bytes(KC_SAS, "\033[1;5H"), KA_NONE);
	assert_int_equal(key_bytes(KC_SAS, "\033[2;3~"), KA_NONE);
	assert_int_equal(key_bytes(KC_SAS, "\033[99~"), KA_NONE);
	assert_int_equal(key_bytes(KC_SAS, "\033[1"), KA_NONE); /* cut short */
	/* Alt-1 is not 1 */
	assert_int_equal(key_bytes(KC_SAS, "\0331"), KA_NONE);
	assert_int_equal(key_bytes(KC_SAS, "1"), KA_PANE_SAS);
}

struct help_acc {
	char text[16384];
	size_t lines;
};

static void help_emit(const char *line, void *arg)
{
	struct help_acc *h = arg;
	strncat(h->text, line, sizeof(h->text) - strlen(h->text) - 2);
	strcat(h->text, "\n");
	h->lines++;
}

static void test_help(void **state)
{
	(void)state;
	struct help_acc *h = calloc(1, sizeof(*h));
	size_t n = keys_help(help_emit, h);
	assert_int_equal(n, h->lines);
	/* Generated from the table: every help text appears, joined keys too. */
	for (const struct key_binding *b = key_table; b->key; b++)
		if (b->help)
			assert_non_null(strstr(h->text, b->help));
	assert_non_null(strstr(h->text, "Up/k"));
	assert_non_null(strstr(h->text, "SA tree"));
	/* Key names are termkeys' names. */
	assert_non_null(strstr(h->text, "  S-Tab "));
	assert_non_null(strstr(h->text, "  C-l "));
	assert_non_null(strstr(h->text, "  C-z "));
	assert_non_null(strstr(h->text, "  Space "));
	assert_non_null(strstr(h->text, "  Enter "));
	assert_non_null(strstr(h->text, "  Esc "));
	assert_non_null(strstr(h->text, "  BS/q "));
	assert_non_null(strstr(h->text, "?/F1 "));
	assert_non_null(strstr(h->text, "PgUp"));
	/* Pane-specific keys are listed under their pane, not "Everywhere". */
	char *sa = strstr(h->text, "SA tree"), *fold = strstr(h->text, "fold every IKE SA");
	char *log = strstr(h->text, "Events and log"), *lvl = strstr(h->text, "cycle the minimum");
	assert_true(sa && fold && fold > sa);
	assert_true(log && lvl && lvl > log);
	free(h);
}

static bool overlap(struct rect a, struct rect b)
{
	if (!a.h || !b.h)
		return false;
	return a.y < b.y + b.h && b.y < a.y + a.h && a.x < b.x + b.w && b.x < a.x + a.w;
}

static void test_layout(void **state)
{
	(void)state;
	struct layout l;
	for (int rows = 0; rows < 80; rows++) {
		for (int cols = 0; cols < 220; cols += 7) {
			for (int zoom = -1; zoom <= LS_LOG; zoom++) {
				layout_compute(&l, rows, cols, zoom);
				if (l.too_small) {
					assert_true(rows < LAYOUT_MIN_ROWS ||
					            cols < LAYOUT_MIN_COLS);
					continue;
				}
				for (int i = 0; i < LS_COUNT; i++) {
					struct rect r = l.slot[i];
					if (!r.h)
						continue;
					assert_true(r.y >= 0 && r.x >= 0 && r.y + r.h <= rows &&
					            r.x + r.w <= cols);
					for (int j = i + 1; j < LS_COUNT; j++)
						assert_false(overlap(r, l.slot[j]));
				}
				assert_true(l.slot[LS_MAIN].h > 0 || zoom == LS_EVENTS ||
				            zoom == LS_LOG);
				assert_int_equal(l.slot[LS_STATUS].h, 1);
			}
		}
	}
	/* 80x24: header, main with room for rows, events and log, bars. */
	layout_compute(&l, 24, 80, -1);
	assert_false(l.too_small);
	assert_true(l.slot[LS_MAIN].h >= 10);
	assert_true(l.slot[LS_EVENTS].h >= 3);
	assert_true(l.slot[LS_LOG].h >= 3);
	assert_int_equal(l.slot[LS_HINT].y, 23);
	/* Zoom gives one pane the whole body. */
	layout_compute(&l, 24, 80, LS_LOG);
	assert_int_equal(l.slot[LS_MAIN].h, 0);
	assert_true(l.slot[LS_LOG].h >= 19);
	/* Wide: events and log side by side. */
	layout_compute(&l, 50, 200, -1);
	assert_true(l.side_by_side);
	assert_int_equal(l.slot[LS_EVENTS].y, l.slot[LS_LOG].y);
}

static void test_listview(void **state)
{
	(void)state;
	struct listview lv = {0};
	listview_clamp(&lv, 100, 10);
	assert_int_equal(lv.sel, 0);
	assert_int_equal(listview_nav(&lv, KA_UP, 10), PANE_HANDLED); /* at the top */
	assert_int_equal(listview_nav(&lv, KA_DOWN, 10), PANE_REDRAW);
	assert_int_equal(lv.sel, 1);
	listview_nav(&lv, KA_PGDN, 10);
	assert_int_equal(lv.sel, 10);
	listview_clamp(&lv, 100, 10);
	assert_true(lv.top <= lv.sel && lv.sel < lv.top + 10); /* selection visible */
	listview_nav(&lv, KA_END, 10);
	assert_int_equal(lv.sel, 99);
	listview_clamp(&lv, 100, 10);
	assert_int_equal(lv.top, 90);
	/* The list shrinks under the selection: clamped, still visible. */
	listview_clamp(&lv, 5, 10);
	assert_int_equal(lv.sel, 4);
	assert_int_equal(lv.top, 0);
	listview_clamp(&lv, 0, 10);
	assert_int_equal(lv.sel, 0);
	/* Following: the selection sticks to the last row as rows arrive. */
	lv.follow = true;
	listview_clamp(&lv, 50, 10);
	assert_int_equal(lv.sel, 49);
	listview_clamp(&lv, 60, 10);
	assert_int_equal(lv.sel, 59);
	assert_int_equal(lv.top, 50);
	/* Moving up pauses following. */
	listview_nav(&lv, KA_UP, 10);
	assert_false(lv.follow);
	listview_clamp(&lv, 70, 10);
	assert_int_equal(lv.sel, 58);
	/* Not a navigation action. */
	assert_int_equal(listview_nav(&lv, KA_QUIT, 10), 0);
	/* Zero visible rows never divide by zero or underflow. */
	listview_clamp(&lv, 3, 0);
	assert_true(lv.sel < 3);
}

static void test_args(void **state)
{
	(void)state;
	struct monitor_options o;
	char err[256];
	char *a1[] = {"swantop",    "--uri", "unix:///tmp/x.vici",
	              "--interval", "0.5",   "--readonly",
	              "--theme",    "mono",  NULL};
	assert_int_equal(monitor_parse_args(8, a1, &o, err, sizeof(err)), 0);
	assert_string_equal(o.uri, "unix:///tmp/x.vici");
	assert_int_equal(o.interval_ms, 500);
	assert_true(o.readonly);
	assert_string_equal(o.theme, "mono");
	char *a2[] = {"swantop", NULL};
	assert_int_equal(monitor_parse_args(1, a2, &o, err, sizeof(err)), 0);
	assert_int_equal(o.interval_ms, 1500);
	assert_null(o.uri);
	char *a3[] = {"swantop", "--interval", "abc", NULL};
	assert_int_equal(monitor_parse_args(3, a3, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--interval"));
	char *a4[] = {"swantop", "--interval", "0", NULL};
	assert_int_equal(monitor_parse_args(3, a4, &o, err, sizeof(err)), -EINVAL);
	char *a5[] = {"swantop", "--bogus\x1b[2J", NULL};
	assert_int_equal(monitor_parse_args(2, a5, &o, err, sizeof(err)), -EINVAL);
	assert_null(strchr(err, '\x1b'));
	char *a6[] = {"swantop", "--uri", "http://x", NULL};
	assert_int_equal(monitor_parse_args(3, a6, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--uri"));
	char *a7[] = {"swantop", "--uri", NULL};
	assert_int_equal(monitor_parse_args(2, a7, &o, err, sizeof(err)), -EINVAL);
	char *a8[] = {"swantop", "extra", NULL};
	assert_int_equal(monitor_parse_args(2, a8, &o, err, sizeof(err)), -EINVAL);
}

/* Counters older than the interval show their age in the DATA column;
 * fresh ones, and rows formatted without an interval, show nothing. */
static void test_data_age(void **state)
{
	(void)state;
	char b[32];
	fmt_data_age(b, sizeof(b), NOW, NOW + 1500, 1500);
	assert_string_equal(b, "");
	fmt_data_age(b, sizeof(b), NOW, NOW + 1501, 1500);
	assert_string_equal(b, "1s");
	fmt_data_age(b, sizeof(b), NOW, NOW + 9999, 1500);
	assert_string_equal(b, "9s");
	fmt_data_age(b, sizeof(b), NOW, NOW + 125000, 1500);
	assert_string_equal(b, "2m05s");
	fmt_data_age(b, sizeof(b), MODEL_TIME_NONE, NOW, 1500);
	assert_string_equal(b, "");
	fmt_data_age(b, sizeof(b), NOW, NOW + 60000, 0);
	assert_string_equal(b, "");

	struct model *m = model_with_sa("gw", 2, "ESTABLISHED");
	struct model_view *v = model_view_new(m);
	unsigned w[SAC_COUNT];
	columns_fit(sa_columns, SAC_COUNT, 300, w);
	assert_true(w[SAC_DATA] > 0);
	struct rows_style st = {true, NOW + 8000, 0};
	for (int kind = MODEL_ROW_IKE; kind <= MODEL_ROW_CHILD; kind++) {
		struct row aged, plain, fresh;
		row_init(&aged, 0);
		struct rows_sa_info i1500 = {.fresh_ms = 1500}, i10000 = {.fresh_ms = 10000};
		rows_sa(&aged, row_of(v, (enum model_row_kind)kind), &i1500, w, &st);
		assert_non_null(strstr(row_text(&aged), "    8s "));
		assert_int_equal(aged.cols, sum_widths(w, SAC_COUNT));
		row_init(&plain, 0);
		rows_sa(&plain, row_of(v, (enum model_row_kind)kind), NULL, w, &st);
		assert_null(strstr(row_text(&plain), "    8s "));
		row_init(&fresh, 0);
		rows_sa(&fresh, row_of(v, (enum model_row_kind)kind), &i10000, w, &st);
		assert_string_equal(row_text(&fresh), row_text(&plain));
	}
	/* narrow terminals drop it with the rates it qualifies */
	columns_fit(sa_columns, SAC_COUNT, 80, w);
	assert_int_equal(w[SAC_DATA] != 0, w[SAC_RATE_IN] != 0);
	model_view_free(v);
	model_free(m);
}

/* --budget: ms of charon CPU per second, 0..1000. */
static void test_args_budget(void **state)
{
	(void)state;
	struct monitor_options o;
	char err[256];
	char *a1[] = {"swantop", "--budget", "2.5", NULL};
	assert_int_equal(monitor_parse_args(3, a1, &o, err, sizeof(err)), 0);
	assert_true(o.budget == 2.5);
	char *a2[] = {"swantop", NULL};
	assert_int_equal(monitor_parse_args(1, a2, &o, err, sizeof(err)), 0);
	assert_true(o.budget == 5.0);
	char *a3[] = {"swantop", "--budget", "0", NULL};
	assert_int_equal(monitor_parse_args(3, a3, &o, err, sizeof(err)), 0);
	assert_true(o.budget == 0);
	const char *bad[] = {"-1", "abc", "1001", "5ms", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *a[] = {"swantop", "--budget", (char *)bad[i], NULL};
		assert_int_equal(monitor_parse_args(3, a, &o, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "--budget"));
	}
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_columns_fit),
	        cmocka_unit_test(test_fmt),
	        cmocka_unit_test(test_ike_row),
	        cmocka_unit_test(test_child_row),
	        cmocka_unit_test(test_hostile_names),
	        cmocka_unit_test(test_event_and_log_rows),
	        cmocka_unit_test(test_conn_rows),
	        cmocka_unit_test(test_keys),
	        cmocka_unit_test(test_keys_decoded),
	        cmocka_unit_test(test_help),
	        cmocka_unit_test(test_layout),
	        cmocka_unit_test(test_listview),
	        cmocka_unit_test(test_args),
	        cmocka_unit_test(test_data_age),
	        cmocka_unit_test(test_args_budget),
	        cmocka_unit_test(test_conn_status_why_flaps),
	        cmocka_unit_test(test_spark),
	        cmocka_unit_test(test_history_rows),
	        cmocka_unit_test(test_sa_insight_cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
