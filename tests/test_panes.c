/*
 * The panes' intents: a pane never acts, it returns a verb and a target
 * (or a message saying why it cannot). Checked for every pane that has
 * verbs, from a model fed with charon's messages, without a terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "msgs.h"
#include "ui/keys.h"
#include "ui/pane.h"

#define IKE(n, u)                                                                                  \
	{                                                                                          \
		.name = n, .uid = u, .established = 100, .rekey = 3000                             \
	}
#define CHILD(n, u, r)                                                                             \
	{                                                                                          \
		.name = n, .uid = u, .reqid = r, .install = 10, .rekey = 900, .life = 1000         \
	}

struct fx {
	struct model *m;
	struct model_view *v;
	struct pane p;
	struct pane_ctx c;
};

static void fx_init(struct fx *f, const struct pane_ops *ops, bool with_sas)
{
	memset(f, 0, sizeof(*f));
	f->m = model_new(NULL);
	if (with_sas) {
		const char *site1[] = {"site1-lan"};
		struct msg conns[] = {msg_list_conn("site1", site1, NULL, 1)};
		msg_sweep_conns(f->m, conns, 1, 1000);
		struct ike_spec ike = IKE("site1", 3);
		struct child_spec lan[] = {CHILD("site1-lan", 5, 7)};
		const struct child_spec *ch[] = {lan};
		size_t nch[] = {1};
		msg_sweep_sas(f->m, &ike, ch, nch, 1, 1000);
	}
	f->v = model_view_new(f->m);
	struct pane_init in = {f->m, f->v, NULL};
	pane_init(&f->p, ops, &in);
	pane_resize(&f->p, (struct rect){0, 0, 20, 100});
	f->c.model = f->m;
	f->c.utf8 = true;
	f->c.focused = true;
	f->c.connected = true;
}

static void fx_free(struct fx *f)
{
	pane_destroy(&f->p);
	model_view_free(f->v);
	model_free(f->m);
}

static unsigned key(struct fx *f, int action, enum verb verb, struct intent *out)
{
	struct key_input k = {action, verb, 0};
	memset(out, 0, sizeof(*out));
	return f->p.ops->key(&f->p, &f->c, &k, out);
}

static void test_sas(void **state)
{
	(void)state;
	struct fx f;
	struct intent in;
	fx_init(&f, &pane_sas_ops, true);
	/* the IKE row */
	key(&f, KA_VERB, VERB_TERMINATE, &in);
	assert_int_equal(in.verb, VERB_TERMINATE);
	assert_int_equal(in.target.kind, TARGET_IKE_SA);
	assert_int_equal(in.target.ike_id, 3);
	assert_string_equal(in.target.ike.s, "site1");
	assert_string_equal(in.message, "");
	/* the CHILD row under it */
	key(&f, KA_DOWN, VERB_NONE, &in);
	assert_int_equal(in.verb, VERB_NONE);
	key(&f, KA_VERB, VERB_REKEY, &in);
	assert_int_equal(in.verb, VERB_REKEY);
	assert_int_equal(in.target.kind, TARGET_CHILD_SA);
	assert_int_equal(in.target.child_id, 5);
	assert_int_equal(in.target.ike_id, 3);
	assert_int_equal(in.target.reqid, 7);
	assert_string_equal(in.target.child.s, "site1-lan");
	/* the detail view names the same SA */
	struct detail_subject s;
	assert_true(pane_detail(&f.p, &f.c, &s));
	assert_int_equal(s.kind, DETAIL_SA);
	assert_int_equal(s.target.child_id, 5);
	fx_free(&f);
	/* nothing to select: a message, no verb */
	fx_init(&f, &pane_sas_ops, false);
	key(&f, KA_VERB, VERB_TERMINATE, &in);
	assert_int_equal(in.verb, VERB_NONE);
	assert_string_equal(in.message, "no SA selected");
	assert_false(pane_detail(&f.p, &f.c, &s));
	fx_free(&f);
}

static void test_conns(void **state)
{
	(void)state;
	struct fx f;
	struct intent in;
	fx_init(&f, &pane_conns_ops, true);
	key(&f, KA_VERB, VERB_INITIATE, &in);
	assert_int_equal(in.verb, VERB_INITIATE);
	assert_int_equal(in.target.kind, TARGET_CONN);
	assert_string_equal(in.target.ike.s, "site1");
	key(&f, KA_DOWN, VERB_NONE, &in);
	key(&f, KA_VERB, VERB_INITIATE, &in);
	assert_int_equal(in.target.kind, TARGET_CHILD_CONF);
	assert_string_equal(in.target.child.s, "site1-lan");
	assert_string_equal(in.target.ike.s, "site1");
	/* a filter that hides everything: nothing selected */
	snprintf(f.p.filter, sizeof(f.p.filter), "no-such-thing");
	pane_filter_changed(&f.p);
	key(&f, KA_VERB, VERB_INITIATE, &in);
	assert_int_equal(in.verb, VERB_NONE);
	assert_string_equal(in.message, "no connection selected");
	fx_free(&f);
}

static void test_events_have_no_verbs(void **state)
{
	(void)state;
	struct fx f;
	struct intent in;
	fx_init(&f, &pane_events_ops, true);
	unsigned fl = key(&f, KA_VERB, VERB_TERMINATE, &in);
	assert_int_equal(fl, PANE_IGNORED);
	assert_int_equal(in.verb, VERB_NONE);
	assert_string_equal(in.message, "");
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sas),
	        cmocka_unit_test(test_conns),
	        cmocka_unit_test(test_events_have_no_verbs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
