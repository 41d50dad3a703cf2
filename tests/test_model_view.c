/*
 * Unit tests for the model's SA views (src/model/view.c): the
 * flattened IKE/CHILD tree, sorting, filtering (the SA pane's filter), folding and a selection that
 * follows the selected SA by identity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/model.h"
#include "ui/pane.h"
#include "vici/wire.h"

/* The SA pane's filter (the view's matcher), as the pane sets it: the
 * language of model/filter.h over the pane's fields. One view at a time;
 * "" clears it (and frees it). */
static struct pane filter_pane;

static void set_filter(struct model_view *v, const char *text)
{
	if (filter_pane.ops)
		pane_destroy(&filter_pane);
	struct pane_init in = {NULL, v, NULL};
	pane_init(&filter_pane, &pane_sas_ops, &in);
	snprintf(filter_pane.filter, sizeof(filter_pane.filter), "%s", text);
	assert_int_equal(pane_filter_changed(&filter_pane), 0);
}

struct child {
	const char *name;
	uint32_t uid;
	uint64_t bytes;
	const char *rts;
	int install;
	uint32_t reqid;  /* default uid */
	int rekey, life; /* rekey-time, life-time in s; 0: not sent */
};

struct sa {
	const char *name;
	uint32_t uid;
	const char *state, *remote;
	struct child c[3];
	int rekey; /* the IKE SA's rekey-time in s; 0: not sent */
};

/* A list-sa event in charon 5.9.8's layout (the keys the view looks at and
 * enough of the rest). */
static void feed_sa(struct model *m, const struct sa *s, int64_t now)
{
	struct vici_builder b;
	uint8_t *msg;
	size_t len;
	vici_builder_init(&b);
	vici_builder_section_start(&b, s->name);
	vici_builder_add_fmt(&b, "uniqueid", "%u", s->uid);
	vici_builder_add_str(&b, "version", "2");
	vici_builder_add_str(&b, "state", s->state ? s->state : "ESTABLISHED");
	vici_builder_add_str(&b, "local-host", "192.0.2.1");
	vici_builder_add_str(&b, "local-port", "500");
	vici_builder_add_str(&b, "local-id", "gw.example.org");
	vici_builder_add_str(&b, "remote-host", s->remote ? s->remote : "198.51.100.1");
	vici_builder_add_str(&b, "remote-port", "500");
	vici_builder_add_fmt(&b, "remote-id", "%s.peer.example.org", s->name);
	vici_builder_add_str(&b, "initiator-spi", "0123456789abcdef");
	vici_builder_add_str(&b, "responder-spi", "fedcba9876543210");
	if (s->rekey)
		vici_builder_add_fmt(&b, "rekey-time", "%d", s->rekey);
	vici_builder_section_start(&b, "child-sas");
	for (int i = 0; i < 3 && s->c[i].name; i++) {
		const struct child *c = &s->c[i];
		char key[64];
		snprintf(key, sizeof(key), "%s-%u", c->name, c->uid);
		vici_builder_section_start(&b, key);
		vici_builder_add_str(&b, "name", c->name);
		vici_builder_add_fmt(&b, "uniqueid", "%u", c->uid);
		vici_builder_add_fmt(&b, "reqid", "%u", c->reqid ? c->reqid : c->uid);
		vici_builder_add_str(&b, "state", "INSTALLED");
		vici_builder_add_str(&b, "mode", "TUNNEL");
		vici_builder_add_str(&b, "protocol", "ESP");
		vici_builder_add_fmt(&b, "spi-in", "%08x", c->uid * 16);
		vici_builder_add_fmt(&b, "spi-out", "%08x", c->uid * 16 + 1);
		vici_builder_add_fmt(&b, "bytes-in", "%llu", (unsigned long long)c->bytes);
		vici_builder_add_str(&b, "packets-in", "0");
		vici_builder_add_str(&b, "bytes-out", "0");
		vici_builder_add_str(&b, "packets-out", "0");
		vici_builder_add_fmt(&b, "install-time", "%d", c->install ? c->install : 100);
		if (c->rekey)
			vici_builder_add_fmt(&b, "rekey-time", "%d", c->rekey);
		if (c->life)
			vici_builder_add_fmt(&b, "life-time", "%d", c->life);
		vici_builder_list_start(&b, "local-ts");
		vici_builder_list_item_str(&b, "10.0.0.0/8");
		vici_builder_list_end(&b);
		vici_builder_list_start(&b, "remote-ts");
		vici_builder_list_item_str(&b, c->rts ? c->rts : "172.16.0.0/12");
		vici_builder_list_end(&b);
		vici_builder_section_end(&b);
	}
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	assert_true(model_ingest_list_sa(m, msg, len, now) >= 0);
	free(msg);
}

static void sweep(struct model *m, const struct sa *sas, size_t n, int64_t now)
{
	model_sweep_begin(m, MODEL_TABLE_SAS, 0, now);
	for (size_t i = 0; i < n; i++)
		feed_sa(m, &sas[i], now);
	model_sweep_end(m, MODEL_TABLE_SAS, now);
}

static struct model *new_model(void)
{
	struct model_config c;
	model_config_defaults(&c);
	c.sweep_miss_limit = 1;
	return model_new(&c);
}

/* The rows as a string: IKE rows as "name#id", CHILD rows as " child#id". */
static const char *rows(struct model_view *v)
{
	static char buf[1024];
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < model_view_count(v); i++) {
		const struct model_row *r = model_view_row(v, i);
		if (r->kind == MODEL_ROW_IKE)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%.*s#%u", i ? " " : "",
			              (int)r->ike->name.len, r->ike->name.s, r->ike->uniqueid);
		else
			n += snprintf(buf + n, sizeof(buf) - n, " .%.*s#%u%s",
			              (int)r->child->name.len, r->child->name.s, r->child->uniqueid,
			              r->last_child ? "$" : "");
	}
	return buf;
}

#define C(n, u, b)                                                                                 \
	{                                                                                          \
		.name = n, .uid = u, .bytes = b                                                    \
	}
static const struct sa three[] = {
        {.name = "beta",
         .uid = 2,
         .state = "ESTABLISHED",
         .remote = "198.51.100.30",
         .c = {C("b1", 21, 500), C("a2", 22, 100)}},
        {.name = "alpha",
         .uid = 5,
         .state = "CONNECTING",
         .remote = "198.51.100.10",
         .c = {{.name = "x", .uid = 51, .bytes = 9000, .rts = "192.168.7.0/24"}}},
        {.name = "gamma",
         .uid = 3,
         .state = "ESTABLISHED",
         .remote = "198.51.100.20",
         .c = {C("g", 31, 10)}},
};

static void test_tree_and_sort(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	assert_true(model_view_refresh(v));
	assert_false(model_view_refresh(v)); /* nothing changed */
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 .a2#22 .b1#21$ gamma#3 .g#31$");
	assert_int_equal(model_view_count(v), 7);
	assert_null(model_view_row(v, 7));

	model_view_set_sort(v, MODEL_SORT_UNIQUEID, false);
	model_view_refresh(v);
	assert_string_equal(rows(v), "beta#2 .a2#22 .b1#21$ gamma#3 .g#31$ alpha#5 .x#51$");
	model_view_set_sort(v, MODEL_SORT_NAME, true);
	model_view_refresh(v);
	assert_string_equal(rows(v), "gamma#3 .g#31$ beta#2 .a2#22 .b1#21$ alpha#5 .x#51$");
	model_view_set_sort(v, MODEL_SORT_STATE, false);
	model_view_refresh(v);
	/* CONNECTING < ESTABLISHED, then by name */
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 .a2#22 .b1#21$ gamma#3 .g#31$");
	model_view_set_sort(v, MODEL_SORT_REMOTE, false);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$ gamma#3 .g#31$ beta#2 .a2#22 .b1#21$");
	model_view_set_sort(v, MODEL_SORT_BYTES, true);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 .a2#22 .b1#21$ gamma#3 .g#31$");

	/* rates: a second sweep 2 s later with different traffic */
	struct sa later[3];
	memcpy(later, three, sizeof(later));
	later[0].c[0].bytes += 2000; /* beta 1000 B/s */
	later[2].c[0].bytes += 8000; /* gamma 4000 B/s */
	sweep(m, later, 3, 3000);
	model_view_set_sort(v, MODEL_SORT_RATE, true);
	model_view_refresh(v);
	assert_string_equal(rows(v), "gamma#3 .g#31$ beta#2 .a2#22 .b1#21$ alpha#5 .x#51$");
	model_view_free(v);
	model_free(m);
}

static void test_filter(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	set_filter(v, "BETA"); /* the IKE name, any case: all children */
	model_view_refresh(v);
	assert_string_equal(rows(v), "beta#2 .a2#22 .b1#21$");
	set_filter(v, "192.168.7"); /* a CHILD SA's remote TS */
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$");
	set_filter(v, "a2"); /* only the matching child of beta */
	model_view_refresh(v);
	assert_string_equal(rows(v), "beta#2 .a2#22$");
	set_filter(v, "198.51.100.20"); /* remote host */
	model_view_refresh(v);
	assert_string_equal(rows(v), "gamma#3 .g#31$");
	set_filter(v, "gamma.peer"); /* remote id */
	model_view_refresh(v);
	assert_string_equal(rows(v), "gamma#3 .g#31$");
	set_filter(v, "nothing-like-this");
	model_view_refresh(v);
	assert_int_equal(model_view_count(v), 0);
	assert_int_equal(model_view_selected(v), MODEL_VIEW_NONE);
	set_filter(v, "");
	model_view_refresh(v);
	assert_int_equal(model_view_count(v), 7);
	set_filter(v, "");
	model_view_free(v);
	model_free(m);
}

static void test_fold(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	model_view_set_fold(v, 2, true);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 gamma#3 .g#31$");
	/* the fold state survives refreshes */
	sweep(m, three, 3, 2000);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 gamma#3 .g#31$");
	model_view_fold_all(v, true);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 beta#2 gamma#3");
	/* new SAs take the default */
	struct sa d = {.name = "delta", .uid = 9, .c = {C("d", 91, 0)}};
	feed_sa(m, &d, 2500);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 beta#2 delta#9 gamma#3");
	model_view_fold_all(v, false);
	model_view_refresh(v);
	assert_int_equal(model_view_count(v), 9);
	model_view_free(v);
	model_free(m);
}

static void test_selection_stability(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	model_view_refresh(v);
	assert_int_equal(model_view_selected(v), 0);
	/* select beta's b1 */
	struct model_sel sel = {2, 21};
	assert_true(model_view_select_id(v, sel));
	assert_int_equal(model_view_selected(v), 4);

	/* an SA sorting before it appears: still b1, one row lower... */
	struct sa more[4] = {
	        three[0], three[1], three[2], {.name = "aardvark", .uid = 8, .c = {C("z", 81, 0)}}};
	sweep(m, more, 4, 2000);
	model_view_refresh(v);
	assert_int_equal(model_view_selected(v), 6);
	assert_int_equal(model_view_selection(v).child_id, 21);
	/* ...and back after it goes */
	sweep(m, three, 3, 3000);
	model_view_refresh(v);
	assert_int_equal(model_view_selected(v), 4);

	/* b1 rekeyed (seen by list-sa only): same name and reqid under the same
	 * IKE SA */
	struct sa rk[3];
	memcpy(rk, three, sizeof(rk));
	rk[0].c[0].uid = 24;
	rk[0].c[0].reqid = 21;
	rk[0].c[0].install = 1;
	sweep(m, rk, 3, 4000);
	model_view_refresh(v);
	struct model_sel now = model_view_selection(v);
	assert_int_equal(now.ike_id, 2);
	assert_int_equal(now.child_id, 24);
	assert_false(model_view_gone(v, NULL, NULL));

	/* the IKE SA goes: nothing is selected, never the row that slid into
	 * its place; the view says where it was */
	assert_int_equal(model_view_selected(v), 4);
	sweep(m, &rk[1], 2, 5000);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$ gamma#3 .g#31$");
	assert_int_equal(model_view_selected(v), MODEL_VIEW_NONE);
	assert_int_equal(model_view_selection(v).ike_id, 0);
	size_t where = 99;
	bool hidden = true;
	assert_true(model_view_gone(v, &where, &hidden));
	assert_int_equal(where, 2); /* gamma#3 is where beta's rows were */
	assert_false(hidden);
	/* it stays gone while more changes come */
	sweep(m, &rk[1], 2, 5500);
	model_view_refresh(v);
	assert_int_equal(model_view_selected(v), MODEL_VIEW_NONE);
	/* the next key continues from there: down lands on the row now in
	 * its place */
	model_view_move(v, 1);
	assert_false(model_view_gone(v, NULL, NULL));
	assert_int_equal(model_view_selected(v), 2);
	assert_int_equal(model_view_selection(v).ike_id, 3);
	assert_int_equal(model_view_selection(v).child_id, 0);

	/* folding the selected child's IKE SA selects the IKE row */
	model_view_select(v, 3);
	assert_int_equal(model_view_selection(v).child_id, 31);
	model_view_set_fold(v, 3, true);
	model_view_refresh(v);
	assert_int_equal(model_view_selection(v).ike_id, 3);
	assert_int_equal(model_view_selection(v).child_id, 0);
	assert_int_equal(model_view_selected(v), 2);

	/* everything gone: gone, then other SAs come: still nothing selected */
	sweep(m, NULL, 0, 6000);
	model_view_refresh(v);
	assert_int_equal(model_view_selected(v), MODEL_VIEW_NONE);
	assert_true(model_view_gone(v, &where, NULL));
	assert_int_equal(where, 0);
	sweep(m, &three[1], 1, 7000);
	model_view_refresh(v);
	assert_int_equal(model_view_selected(v), MODEL_VIEW_NONE);
	/* gamma was below alpha's x: up from there is x */
	assert_true(model_view_gone(v, &where, NULL));
	assert_int_equal(where, 2);
	model_view_move(v, -1);
	assert_int_equal(model_view_selected(v), 1);
	assert_int_equal(model_view_selection(v).child_id, 51);
	model_view_free(v);
	model_free(m);
}

/* A CHILD SA that goes while its IKE SA stays: gone, not the IKE row (a
 * verb on the IKE SA would act on all its tunnels); a rekey nobody
 * reported that does not keep the reqid is another SA: gone too. */
static void test_selection_child_gone(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	model_view_refresh(v);
	struct model_sel b1 = {2, 21};
	assert_true(model_view_select_id(v, b1));
	assert_int_equal(model_view_selected(v), 4);
	struct sa less[3];
	memcpy(less, three, sizeof(less));
	less[0].c[0] = less[0].c[1]; /* beta keeps only a2 */
	memset(&less[0].c[1], 0, sizeof(less[0].c[1]));
	sweep(m, less, 3, 2000);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 .a2#22$ gamma#3 .g#31$");
	size_t where;
	assert_true(model_view_gone(v, &where, NULL));
	assert_int_equal(model_view_selected(v), MODEL_VIEW_NONE);
	assert_int_equal(where, 4); /* below a2, where b1 was */
	model_view_move(v, -1);
	assert_int_equal(model_view_selection(v).child_id, 22);

	/* a2 replaced by a2#23 with another reqid and no event: not it */
	struct sa other[3];
	memcpy(other, less, sizeof(other));
	other[0].c[0].uid = 23;
	other[0].c[0].reqid = 99;
	sweep(m, other, 3, 3000);
	model_view_refresh(v);
	assert_true(model_view_gone(v, NULL, NULL));
	/* a2#25 with a2's reqid (22), e.g. initiated again: the same tunnel */
	other[0].c[0].uid = 25;
	other[0].c[0].reqid = 22;
	sweep(m, other, 3, 4000);
	model_view_refresh(v);
	assert_false(model_view_gone(v, NULL, NULL));
	assert_int_equal(model_view_selection(v).child_id, 25);
	model_view_free(v);
	model_free(m);
}

/* The language over the SA tree (every row on its own, a CHILD SA's row
 * holding its IKE SA's name, hosts and state too): fields, negation,
 * regular expressions, and an IKE SA shown above its matching CHILD SAs. */
static void test_filter_language(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	static const struct {
		const char *text, *rows;
	} w[] = {
	        {"CONNECTING", "alpha#5 .x#51$"},
	        {"state=connecting", "alpha#5 .x#51$"},
	        {"state=CONNECTING", "alpha#5 .x#51$"},
	        {"state=INSTALLED", "alpha#5 .x#51$ beta#2 .a2#22 .b1#21$ gamma#3 .g#31$"},
	        {"!ESTABLISHED", "alpha#5 .x#51$"},
	        {"state!=ESTABLISHED", "alpha#5 .x#51$"},
	        {"!beta", "alpha#5 .x#51$ gamma#3 .g#31$"},
	        {"^(alpha|gamma)$", "alpha#5 .x#51$ gamma#3 .g#31$"},
	        {"child=a2", "beta#2 .a2#22$"},
	        {"child~^[ab][12]$ !a2", "beta#2 .b1#21$"},
	        {"remote~0\\.[23]0$", "beta#2 .a2#22 .b1#21$ gamma#3 .g#31$"},
	        {"ts~^192\\.168\\.", "alpha#5 .x#51$"},
	        {"uniqueid=3", "gamma#3"}, /* the IKE SA's row only: the CHILD SA is 31 */
	        {"is:child", "alpha#5 .x#51$ beta#2 .a2#22 .b1#21$ gamma#3 .g#31$"},
	        {"!is:child", "alpha#5 beta#2 gamma#3"},
	};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		set_filter(v, w[i].text);
		model_view_refresh(v);
		if (strcmp(rows(v), w[i].rows))
			fail_msg("/%s: \"%s\", want \"%s\"", w[i].text, rows(v), w[i].rows);
	}
	/* folded: an IKE SA whose CHILD SA matches still shows */
	set_filter(v, "child=x");
	model_view_set_fold(v, 5, true);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5");
	set_filter(v, "");
	model_view_free(v);
	model_free(m);
}

/* The filter: one the operator types that hides the selection selects the
 * first match; a change of the data that makes the selected SA stop
 * matching leaves nothing selected ("filtered out"), and the SA is
 * selected again when it matches again. */
static void test_selection_filter(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	model_view_refresh(v);
	struct model_sel a = {5, 0};
	assert_true(model_view_select_id(v, a));
	set_filter(v, "198.51.100");
	model_view_refresh(v);
	assert_int_equal(model_view_selection(v).ike_id, 5); /* still shown */
	set_filter(v, "gamma");
	model_view_refresh(v);
	assert_int_equal(model_view_selected(v), 0);
	assert_int_equal(model_view_selection(v).ike_id, 3);
	assert_false(model_view_gone(v, NULL, NULL));
	/* remote host filter; gamma moves to another address */
	set_filter(v, "198.51.100.20");
	model_view_refresh(v);
	assert_int_equal(model_view_selection(v).ike_id, 3);
	struct sa moved[3];
	memcpy(moved, three, sizeof(moved));
	moved[2].remote = "203.0.113.9";
	sweep(m, moved, 3, 2000);
	model_view_refresh(v);
	assert_int_equal(model_view_count(v), 0);
	bool hidden = false;
	assert_true(model_view_gone(v, NULL, &hidden));
	assert_true(hidden);
	sweep(m, three, 3, 3000); /* back at the old address */
	model_view_refresh(v);
	assert_false(model_view_gone(v, NULL, NULL));
	assert_int_equal(model_view_selection(v).ike_id, 3);
	set_filter(v, "");
	model_view_free(v);
	model_free(m);
}

/* charon restarted: it counts unique ids from 1 again, so after
 * model_clear() an SA with the selected id is another SA. */
static void test_selection_restart(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	model_view_refresh(v);
	struct model_sel g = {3, 31};
	assert_true(model_view_select_id(v, g));
	uint64_t e = model_sa_epoch(m);
	model_clear(m, MODEL_TABLE_SAS);
	assert_int_equal(model_sa_epoch(m), e + 1);
	/* the new daemon's SAs, loaded before the view was drawn again, with
	 * the same ids */
	sweep(m, three, 3, 2000);
	model_view_refresh(v);
	assert_true(model_view_gone(v, NULL, NULL));
	assert_int_equal(model_view_selected(v), MODEL_VIEW_NONE);
	model_view_move(v, 1);
	assert_int_equal(model_view_selection(v).ike_id, 3);
	model_view_free(v);
	model_free(m);
}

/* child-rekey moves the selection to the new CHILD SA, ike-rekey to the new
 * IKE SA. */
static void test_selection_follows_rekey(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	model_view_refresh(v);
	struct model_sel sel = {3, 31};
	assert_true(model_view_select_id(v, sel));

	/* child-rekey g#31 -> g#32, then the old one is gone */
	struct vici_builder b;
	uint8_t *msg;
	size_t len;
	vici_builder_init(&b);
	vici_builder_section_start(&b, "gamma");
	vici_builder_add_str(&b, "uniqueid", "3");
	vici_builder_add_str(&b, "state", "ESTABLISHED");
	vici_builder_section_start(&b, "child-sas");
	vici_builder_section_start(&b, "g");
	vici_builder_section_start(&b, "old");
	vici_builder_add_str(&b, "name", "g");
	vici_builder_add_str(&b, "uniqueid", "31");
	vici_builder_add_str(&b, "state", "REKEYED");
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "new");
	vici_builder_add_str(&b, "name", "g");
	vici_builder_add_str(&b, "uniqueid", "32");
	vici_builder_add_str(&b, "state", "INSTALLED");
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	assert_true(model_ingest_event(m, "child-rekey", 11, msg, len, 2000) > 0);
	free(msg);
	vici_builder_init(&b);
	vici_builder_section_start(&b, "gamma");
	vici_builder_add_str(&b, "uniqueid", "3");
	vici_builder_add_str(&b, "state", "ESTABLISHED");
	vici_builder_section_start(&b, "child-sas");
	vici_builder_section_start(&b, "g-31");
	vici_builder_add_str(&b, "name", "g");
	vici_builder_add_str(&b, "uniqueid", "31");
	vici_builder_add_str(&b, "state", "DELETED");
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	assert_true(model_ingest_event(m, "child-updown", 12, msg, len, 2100) > 0);
	free(msg);
	model_view_refresh(v);
	assert_int_equal(model_view_selection(v).child_id, 32);

	/* ike-rekey gamma#3 -> gamma#4, old one down: selection on the IKE row moves */
	sel.child_id = 0;
	assert_true(model_view_select_id(v, sel));
	vici_builder_init(&b);
	vici_builder_section_start(&b, "gamma");
	vici_builder_section_start(&b, "old");
	vici_builder_add_str(&b, "uniqueid", "3");
	vici_builder_add_str(&b, "state", "REKEYED");
	vici_builder_section_end(&b);
	vici_builder_section_start(&b, "new");
	vici_builder_add_str(&b, "uniqueid", "4");
	vici_builder_add_str(&b, "state", "ESTABLISHED");
	vici_builder_section_end(&b);
	vici_builder_section_end(&b);
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	assert_true(model_ingest_event(m, "ike-rekey", 9, msg, len, 3000) > 0);
	free(msg);
	vici_builder_init(&b);
	vici_builder_section_start(&b, "gamma");
	vici_builder_add_str(&b, "uniqueid", "3");
	vici_builder_add_str(&b, "state", "DELETING");
	vici_builder_section_end(&b);
	assert_int_equal(vici_builder_finish(&b, &msg, &len), 0);
	assert_true(model_ingest_event(m, "ike-updown", 10, msg, len, 3100) > 0);
	free(msg);
	model_view_refresh(v);
	assert_int_equal(model_view_selection(v).ike_id, 4);
	assert_int_equal(model_view_selection(v).child_id, 0);
	const struct model_row *r = model_view_row(v, model_view_selected(v));
	assert_int_equal(r->kind, MODEL_ROW_IKE);
	/* its CHILD SA came along */
	r = model_view_row(v, model_view_selected(v) + 1);
	assert_non_null(r);
	assert_int_equal(r->kind, MODEL_ROW_CHILD);
	assert_int_equal(r->child->uniqueid, 32);
	model_view_free(v);
	model_free(m);
}

static void test_move(void **state)
{
	struct model *m = new_model();
	struct model_view *v = model_view_new(m);
	model_view_refresh(v);
	model_view_move(v, 1); /* no rows: nothing happens */
	assert_int_equal(model_view_selected(v), MODEL_VIEW_NONE);
	sweep(m, three, 3, 1000);
	model_view_refresh(v);
	model_view_move(v, 3);
	assert_int_equal(model_view_selected(v), 3);
	model_view_move(v, 100);
	assert_int_equal(model_view_selected(v), 6);
	model_view_move(v, -2);
	assert_int_equal(model_view_selected(v), 4);
	model_view_move(v, -100);
	assert_int_equal(model_view_selected(v), 0);
	model_view_select(v, 99);
	assert_int_equal(model_view_selected(v), 6);
	assert_int_equal(model_view_selection(v).child_id, 31);
	struct model_sel none = {77, 0};
	assert_false(model_view_select_id(v, none));
	assert_int_equal(model_view_selected(v), 6);
	model_view_free(v);
	model_free(m);
}

/* A list-sa that only moves counters keeps the rows, their order and the
 * counts; a state change rebuilds them. */
static void test_generation_counters_only(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	assert_true(model_view_refresh(v));
	assert_false(model_view_refresh(v));
	uint64_t g = model_sa_view_generation(m), s = model_sa_generation(m);

	struct sa beta = three[0];
	beta.c[0].bytes += 5000;
	feed_sa(m, &beta, 1100);
	assert_true(model_sa_generation(m) > s);
	assert_int_equal(model_sa_view_generation(m), g);
	assert_false(model_view_refresh(v));
	/* the rows point into the model: they show the new counters */
	assert_int_equal(model_view_row(v, 0)->ike->uniqueid, 5);
	assert_int_equal(model_view_row(v, 2)->ike->bytes_in, 5600);
	struct model_counts mc;
	model_counts_get(m, &mc);
	assert_int_equal(mc.ikes, 3);
	assert_int_equal(mc.children, 4);
	assert_int_equal(mc.ike_states[MODEL_IKE_ESTABLISHED], 2);
	assert_int_equal(mc.ike_states[MODEL_IKE_CONNECTING], 1);

	/* a state change: new generation, rebuilt rows, new counts */
	struct sa gamma = three[2];
	gamma.state = "CONNECTING";
	feed_sa(m, &gamma, 1200);
	assert_true(model_sa_view_generation(m) > g);
	model_view_set_sort(v, MODEL_SORT_NAME, false);
	assert_true(model_view_refresh(v));
	model_counts_get(m, &mc);
	assert_int_equal(mc.ike_states[MODEL_IKE_ESTABLISHED], 1);
	assert_int_equal(mc.ike_states[MODEL_IKE_CONNECTING], 2);

	/* a new remote host (MOBIKE): a filter on it must see it */
	g = model_sa_view_generation(m);
	set_filter(v, "203.0.113.9");
	model_view_refresh(v);
	assert_string_equal(rows(v), "");
	gamma.remote = "203.0.113.9";
	feed_sa(m, &gamma, 1300);
	assert_true(model_sa_view_generation(m) > g);
	assert_true(model_view_refresh(v));
	assert_string_equal(rows(v), "gamma#3 .g#31$");

	/* a CHILD SA going away is a set change */
	g = model_sa_view_generation(m);
	beta.c[1].name = NULL;
	feed_sa(m, &beta, 1400);
	assert_true(model_sa_view_generation(m) > g);
	model_counts_get(m, &mc);
	assert_int_equal(mc.children, 3);

	/* folding is a view change too */
	g = model_sa_view_generation(m);
	model_view_fold_all(v, true);
	assert_true(model_sa_view_generation(m) > g);
	set_filter(v, "");
	model_view_free(v);
	model_free(m);
}

/* Sorted by bytes, new counters re-sort, at most once per sample interval
 * (rate_min_interval_ms of model time). */
static void test_generation_bytes_sort(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	model_view_set_sort(v, MODEL_SORT_BYTES, true);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 .a2#22 .b1#21$ gamma#3 .g#31$");
	uint64_t g = model_sa_view_generation(m);

	struct sa gamma = three[2];
	gamma.c[0].bytes = 100000;
	feed_sa(m, &gamma, 1100);
	assert_int_equal(model_sa_view_generation(m), g);
	/* 100 ms after the last sort: not yet */
	assert_false(model_view_refresh(v));
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 .a2#22 .b1#21$ gamma#3 .g#31$");
	/* the next round, a sample interval later: re-sorted */
	feed_sa(m, &gamma, 2000);
	assert_int_equal(model_sa_view_generation(m), g);
	assert_true(model_view_refresh(v));
	assert_string_equal(rows(v), "gamma#3 .g#31$ alpha#5 .x#51$ beta#2 .a2#22 .b1#21$");
	assert_false(model_view_refresh(v));

	/* by name, counters alone never rebuild */
	model_view_set_sort(v, MODEL_SORT_NAME, false);
	assert_true(model_view_refresh(v));
	gamma.c[0].bytes = 200000;
	feed_sa(m, &gamma, 5000);
	assert_false(model_view_refresh(v));
	model_view_free(v);
	model_free(m);
}

/* After SAs come and go, the kept order of the survivors and the new SAs
 * merge into the same rows a fresh sort gives. */
static void test_set_change_order(void **state)
{
	struct model *m = new_model();
	sweep(m, three, 3, 1000);
	struct model_view *v = model_view_new(m);
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 .a2#22 .b1#21$ gamma#3 .g#31$");
	struct sa next[4] = {three[1],
	                     three[2],
	                     {.name = "aaron", .uid = 9, .c = {C("n", 91, 1)}},
	                     {.name = "delta", .uid = 7, .c = {C("d", 71, 1)}}};
	sweep(m, next, 4, 2000); /* beta gone, aaron and delta new */
	assert_true(model_view_refresh(v));
	assert_string_equal(rows(v), "aaron#9 .n#91$ alpha#5 .x#51$ delta#7 .d#71$ gamma#3 .g#31$");
	struct model_view *fresh = model_view_new(m);
	model_view_refresh(fresh);
	char want[1024];
	snprintf(want, sizeof(want), "%s", rows(fresh));
	assert_string_equal(rows(v), want);
	model_view_free(fresh);
	model_clear(m, MODEL_TABLE_SAS);
	sweep(m, three, 3, 3000); /* all new, maybe at the old addresses */
	model_view_refresh(v);
	assert_string_equal(rows(v), "alpha#5 .x#51$ beta#2 .a2#22 .b1#21$ gamma#3 .g#31$");
	model_view_free(v);
	model_free(m);
}

/* "Which SAs rekey in the next 5 minutes?": REKEY puts the soonest first
 * (an IKE SA's own rekey or its CHILD SAs'), SAs without a rekey time last
 * in both directions; EXPIRE the same for the CHILD SAs' hard expiry. The
 * order follows the times as later listings move them, and the selection
 * stays on its SA. */
static void test_sort_rekey_expire(void **state)
{
	(void)state;
	struct sa sas[4] = {
	        {.name = "a-none", .uid = 1, .c = {{.name = "n", .uid = 11}}},
	        {.name = "b-child",
	         .uid = 2,
	         .c = {{.name = "late", .uid = 21, .rekey = 3000, .life = 3300},
	               {.name = "soon", .uid = 22, .rekey = 240, .life = 600}}},
	        {.name = "c-ike",
	         .uid = 3,
	         .rekey = 120,
	         .c = {{.name = "x", .uid = 31, .rekey = 900, .life = 200}}},
	        {.name = "d-later", .uid = 4, .c = {{.name = "y", .uid = 41, .rekey = 1200}}},
	};
	struct model *m = new_model();
	sweep(m, sas, 4, 1000);
	struct model_view *v = model_view_new(m);
	model_view_set_sort(v, MODEL_SORT_REKEY, false);
	model_view_refresh(v);
	assert_string_equal(rows(v), "c-ike#3 .x#31$ b-child#2 .late#21 .soon#22$ d-later#4 .y#41$ "
	                             "a-none#1 .n#11$");
	/* within 5 minutes: the first two IKE SAs */
	const struct model_row *r = model_view_row(v, 0);
	assert_true(r->ike->rekey_at - 1000 <= 300000);
	model_view_set_sort(v, MODEL_SORT_REKEY, true);
	model_view_refresh(v);
	assert_string_equal(rows(v), "d-later#4 .y#41$ b-child#2 .late#21 .soon#22$ c-ike#3 .x#31$ "
	                             "a-none#1 .n#11$");
	model_view_set_sort(v, MODEL_SORT_EXPIRE, false);
	model_view_refresh(v);
	assert_string_equal(rows(v), "c-ike#3 .x#31$ b-child#2 .late#21 .soon#22$ a-none#1 .n#11$ "
	                             "d-later#4 .y#41$");
	model_view_set_sort(v, MODEL_SORT_EXPIRE, true);
	model_view_refresh(v);
	assert_string_equal(rows(v), "b-child#2 .late#21 .soon#22$ c-ike#3 .x#31$ d-later#4 .y#41$ "
	                             "a-none#1 .n#11$");

	/* the selection is an SA: on d-later's CHILD SA, whatever the order */
	struct model_sel sel = {4, 41};
	assert_true(model_view_select_id(v, sel));
	model_view_set_sort(v, MODEL_SORT_REKEY, false);
	model_view_refresh(v);
	assert_int_equal(model_view_selection(v).child_id, 41);
	assert_int_equal(model_view_selected(v), 6);

	/* a later listing: d-later's CHILD SA was rekeyed early and is now
	 * due soonest; the order follows the times once the interval passed */
	sas[3].c[0].rekey = 30;
	sweep(m, sas, 4, 1000 + 60000);
	model_view_refresh(v);
	assert_string_equal(rows(v), "d-later#4 .y#41$ c-ike#3 .x#31$ b-child#2 .late#21 .soon#22$ "
	                             "a-none#1 .n#11$");
	assert_int_equal(model_view_selection(v).child_id, 41);
	assert_int_equal(model_view_selected(v), 1);
	model_view_free(v);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tree_and_sort),
	        cmocka_unit_test(test_filter),
	        cmocka_unit_test(test_fold),
	        cmocka_unit_test(test_selection_stability),
	        cmocka_unit_test(test_selection_child_gone),
	        cmocka_unit_test(test_selection_filter),
	        cmocka_unit_test(test_filter_language),
	        cmocka_unit_test(test_selection_restart),
	        cmocka_unit_test(test_selection_follows_rekey),
	        cmocka_unit_test(test_move),
	        cmocka_unit_test(test_generation_counters_only),
	        cmocka_unit_test(test_generation_bytes_sort),
	        cmocka_unit_test(test_set_change_order),
	        cmocka_unit_test(test_sort_rekey_expire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
