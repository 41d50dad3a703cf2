/*
 * Tests of src/action: every verb's plan (the VICI request, its label and
 * its swanctl equivalent) for every kind of target, read from a model fed
 * with charon's messages; targets followed across IKE and CHILD rekeys and
 * never moved to another SA; and the runner against a scripted fake charon
 * (control-log streamed, success, failure, read-only, the cap on running
 * requests).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "action/action.h"
#include "action/bulk.h"
#include "action/marks.h"
#include "action/runner.h"
#include "fakevici.h"
#include "msgs.h"
#include "vici/vici.h"

#define IKE(n, u)                                                                                  \
	{                                                                                          \
		.name = n, .uid = u, .established = 100, .rekey = 3000                             \
	}
#define CHILD(n, u, r)                                                                             \
	{                                                                                          \
		.name = n, .uid = u, .reqid = r, .install = 10, .rekey = 900, .life = 1000         \
	}

/* site1 (#3, site1-lan c5 up, reqid 7), conns site1 (lan, voip), solo
 * (no children), net (net-lan). */
static struct model *fixture(void)
{
	struct model *m = model_new(NULL);
	const char *site1[] = {"site1-lan", "site1-voip"}, *net[] = {"net-lan"};
	struct msg conns[] = {
	        msg_list_conn("site1", site1, NULL, 2),
	        msg_list_conn("solo", NULL, NULL, 0),
	        msg_list_conn("net", net, NULL, 1),
	};
	msg_sweep_conns(m, conns, 3, 1000);
	struct ike_spec ike = IKE("site1", 3);
	struct child_spec lan[] = {CHILD("site1-lan", 5, 7)};
	const struct child_spec *ch[] = {lan};
	size_t nch[] = {1};
	msg_sweep_sas(m, &ike, ch, nch, 1, 1000);
	return m;
}

/* The value of key in a request body, as a string ("" if absent). */
static const char *field(const struct request *r, const char *key)
{
	static char buf[512];
	const uint8_t *v;
	size_t vl;
	if (vici_message_find(r->msg, r->len, key, &v, &vl) < 0)
		return "";
	snprintf(buf, sizeof(buf), "%.*s", (int)vl, (const char *)v);
	return buf;
}

static struct target name_target(const char *name)
{
	struct target t;
	memset(&t, 0, sizeof(t));
	t.kind = TARGET_NAME;
	assert_true(target_name_set(&t.ike, name, strlen(name)));
	return t;
}

static struct target conn_target(const struct model *m, const char *conn, const char *child)
{
	struct target t;
	const struct model_conn *c = model_conn_find(m, conn, strlen(conn));
	assert_non_null(c);
	const struct model_conn_child *ch = NULL;
	for (size_t i = 0; child && i < c->n_children; i++)
		if (model_str_eq(c->children[i].name, child))
			ch = &c->children[i];
	target_conn(&t, c, ch);
	return t;
}

static void test_initiate_conn(void **state)
{
	(void)state;
	struct model *m = fixture();
	struct plan p;
	struct target t = conn_target(m, "site1", NULL);
	/* a key press starts only what is not up */
	verb_plan(m, VERB_INITIATE, &t, false, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.req[0].label, "initiate site1-voip");
	assert_string_equal(p.req[0].swanctl, "swanctl --initiate --child site1-voip --ike site1");
	assert_string_equal(field(&p.req[0], "child"), "site1-voip");
	assert_string_equal(field(&p.req[0], "ike"), "site1");
	assert_string_equal(field(&p.req[0], "timeout"), "120000");
	assert_string_equal(field(&p.req[0], "loglevel"), "1");
	plan_free(&p);
	/* an explicit command starts both */
	verb_plan(m, VERB_INITIATE, &t, true, &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(field(&p.req[0], "child"), "site1-lan");
	assert_string_equal(field(&p.req[1], "child"), "site1-voip");
	plan_free(&p);
	/* a child config that is up: nothing to do, said so */
	t = conn_target(m, "site1", "site1-lan");
	verb_plan(m, VERB_INITIATE, &t, false, &p);
	assert_int_equal(p.n, 0);
	assert_false(p.error);
	assert_non_null(strstr(p.note, "site1-lan is already up"));
	plan_free(&p);
	/* an IKE-only connection: the IKE SA alone */
	t = conn_target(m, "solo", NULL);
	verb_plan(m, VERB_INITIATE, &t, false, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.req[0].swanctl, "swanctl --initiate --ike solo");
	assert_string_equal(field(&p.req[0], "child"), "");
	plan_free(&p);
	model_free(m);
}

static void test_initiate_names(void **state)
{
	(void)state;
	struct model *m = fixture();
	struct plan p;
	/* a connection name: all its children (typed: even those up) */
	struct target t = name_target("site1");
	verb_plan(m, VERB_INITIATE, &t, true, &p);
	assert_int_equal(p.n, 2);
	plan_free(&p);
	/* a child config's name: with its connection */
	t = name_target("net-lan");
	verb_plan(m, VERB_INITIATE, &t, true, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(field(&p.req[0], "ike"), "net");
	assert_string_equal(p.req[0].label, "initiate net-lan");
	plan_free(&p);
	/* unknown here: charon decides */
	t = name_target("nowhere");
	verb_plan(m, VERB_INITIATE, &t, true, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(field(&p.req[0], "child"), "nowhere");
	assert_string_equal(field(&p.req[0], "ike"), "");
	plan_free(&p);
	/* an installed CHILD SA selected in the SA tree */
	const struct model_ike *ike = model_ike_find(m, 3);
	target_child_sa(&t, ike, &ike->children[0]);
	verb_plan(m, VERB_INITIATE, &t, false, &p);
	assert_int_equal(p.n, 0);
	plan_free(&p);
	model_free(m);
}

static void test_terminate_rekey(void **state)
{
	(void)state;
	struct model *m = fixture();
	const struct model_ike *ike = model_ike_find(m, 3);
	struct target t;
	struct plan p;
	assert_true(verb_get(VERB_TERMINATE)->destructive);
	assert_false(verb_get(VERB_REKEY)->destructive);
	assert_true(verb_get(VERB_REKEY)->queued);
	target_ike_sa(&t, ike);
	verb_plan(m, VERB_TERMINATE, &t, false, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.req[0].label, "terminate IKE SA site1 #3");
	assert_string_equal(p.req[0].swanctl, "swanctl --terminate --ike-id 3");
	assert_string_equal(field(&p.req[0], "ike-id"), "3");
	assert_string_equal(field(&p.req[0], "timeout"), "120000");
	plan_free(&p);
	target_child_sa(&t, ike, &ike->children[0]);
	verb_plan(m, VERB_REKEY, &t, false, &p);
	assert_string_equal(p.req[0].label, "rekey CHILD SA site1-lan c5");
	assert_string_equal(p.req[0].swanctl, "swanctl --rekey --child-id 5");
	assert_string_equal(field(&p.req[0], "child-id"), "5");
	assert_string_equal(field(&p.req[0], "timeout"), ""); /* charon only queues it */
	plan_free(&p);
	/* typed names: an IKE name where an SA or a connection has it */
	t = name_target("site1");
	verb_plan(m, VERB_TERMINATE, &t, true, &p);
	assert_string_equal(field(&p.req[0], "ike"), "site1");
	assert_string_equal(p.req[0].swanctl, "swanctl --terminate --ike site1");
	plan_free(&p);
	t = name_target("site1-lan");
	verb_plan(m, VERB_TERMINATE, &t, true, &p);
	assert_string_equal(field(&p.req[0], "child"), "site1-lan");
	assert_string_equal(p.req[0].swanctl, "swanctl --terminate --child site1-lan");
	plan_free(&p);
	/* nothing selected */
	memset(&t, 0, sizeof(t));
	verb_plan(m, VERB_TERMINATE, &t, false, &p);
	assert_int_equal(p.n, 0);
	assert_true(p.error);
	plan_free(&p);
	model_free(m);
}

static void test_redirect_install(void **state)
{
	(void)state;
	struct model *m = fixture();
	struct target t;
	struct plan p;
	target_ike_sa(&t, model_ike_find(m, 3));
	verb_plan(m, VERB_REDIRECT, &t, true, &p);
	assert_int_equal(p.n, 0);
	assert_true(p.error); /* no gateway */
	plan_free(&p);
	assert_true(target_name_set(&t.arg, "192.0.2.9", 9));
	verb_plan(m, VERB_REDIRECT, &t, true, &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(field(&p.req[0], "gateway"), "192.0.2.9");
	assert_string_equal(p.req[0].swanctl, "swanctl --redirect --ike-id 3 --gateway 192.0.2.9");
	assert_string_equal(p.req[0].label, "redirect IKE SA site1 #3 to 192.0.2.9");
	plan_free(&p);
	t = name_target("net-lan");
	assert_true(target_name_set(&t.arg, "net", 3));
	verb_plan(m, VERB_INSTALL, &t, true, &p);
	assert_string_equal(field(&p.req[0], "child"), "net-lan");
	assert_string_equal(field(&p.req[0], "ike"), "net");
	assert_string_equal(p.req[0].swanctl, "swanctl --install --child net-lan --ike net");
	plan_free(&p);
	assert_true(verb_get(VERB_UNINSTALL)->destructive);
	t = conn_target(m, "net", "net-lan");
	verb_plan(m, VERB_UNINSTALL, &t, false, &p);
	assert_string_equal(p.req[0].label, "uninstall net-lan");
	plan_free(&p);
	model_free(m);
}

static void test_hostile_names(void **state)
{
	(void)state;
	struct model *m = model_new(NULL);
	struct plan p;
	struct target t = name_target("it's \x1b[2Jbad");
	verb_plan(m, VERB_TERMINATE, &t, true, &p);
	assert_int_equal(p.n, 1);
	/* the request carries the bytes; what is shown is escaped */
	assert_string_equal(field(&p.req[0], "child"), "it's \x1b[2Jbad");
	assert_null(strchr(p.req[0].label, '\x1b'));
	assert_non_null(strstr(p.req[0].label, "\\x1b"));
	assert_string_equal(p.req[0].swanctl, "swanctl --terminate --child 'it'\\''s \\x1b[2Jbad'");
	plan_free(&p);
	/* a name too long for a target is refused, not cut */
	char big[TARGET_NAME_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(target_name_set(&t.ike, big, strlen(big)));
	model_free(m);
}

static void test_follow(void **state)
{
	(void)state;
	struct model *m = fixture();
	const struct model_ike *ike = model_ike_find(m, 3);
	struct target ti, tc;
	target_ike_sa(&ti, ike);
	target_child_sa(&tc, ike, &ike->children[0]);
	/* CHILD rekey with the event: c5 -> c9 */
	struct ike_spec s3 = IKE("site1", 3);
	struct child_spec c5 = CHILD("site1-lan", 5, 7), c9 = CHILD("site1-lan", 9, 7);
	msg_feed(m, "child-rekey", msg_child_rekey(&s3, &c5, &c9), 2000);
	msg_feed(m, "child-updown", msg_child_updown(false, &s3, &c5), 2001);
	assert_int_equal(target_follow(m, &tc), 0);
	assert_int_equal(tc.child_id, 9);
	/* IKE rekey with the event: #3 -> #8; its CHILD SAs move along */
	struct ike_spec s8 = IKE("site1", 8);
	msg_feed(m, "ike-rekey", msg_ike_rekey(&s3, &s8), 3000);
	struct child_spec after[] = {c9};
	const struct child_spec *ch[] = {after};
	size_t nch[] = {1};
	msg_sweep_sas(m, &s8, ch, nch, 1, 3100);
	msg_sweep_sas(m, &s8, ch, nch, 1, 3200);
	assert_null(model_ike_find(m, 3));
	assert_int_equal(target_follow(m, &ti), 0);
	assert_int_equal(ti.ike_id, 8);
	assert_int_equal(target_follow(m, &tc), 0);
	assert_int_equal(tc.child_id, 9);
	assert_int_equal(tc.ike_id, 8);
	/* a rekey nobody saw: same name and reqid under the same IKE SA */
	struct child_spec c11 = CHILD("site1-lan", 11, 7);
	struct child_spec after2[] = {c11};
	const struct child_spec *ch2[] = {after2};
	msg_sweep_sas(m, &s8, ch2, nch, 1, 4000);
	msg_sweep_sas(m, &s8, ch2, nch, 1, 4100);
	assert_int_equal(target_follow(m, &tc), 0);
	assert_int_equal(tc.child_id, 11);
	/* another CHILD SA of the same name but another reqid is not it */
	struct child_spec other = CHILD("site1-lan", 12, 99);
	struct child_spec after3[] = {other};
	const struct child_spec *ch3[] = {after3};
	msg_sweep_sas(m, &s8, ch3, nch, 1, 5000);
	msg_sweep_sas(m, &s8, ch3, nch, 1, 5100);
	struct target keep = tc;
	assert_int_equal(target_follow(m, &tc), -ENOENT);
	assert_int_equal(tc.child_id, keep.child_id); /* left as it was */
	/* the IKE SA gone: gone, never another one */
	struct ike_spec s20 = IKE("site2", 20);
	const struct child_spec *none[] = {NULL};
	size_t zero[] = {0};
	msg_sweep_sas(m, &s20, none, zero, 1, 6000);
	msg_sweep_sas(m, &s20, none, zero, 1, 6100);
	msg_sweep_sas(m, &s20, none, zero, 1, 6200);
	assert_int_equal(target_follow(m, &ti), -ENOENT);
	model_free(m);
}

/* charon restarted (the model's SA table cleared): the same ids name other
 * SAs of the new daemon, so a target from before is gone. */
static void test_follow_restart(void **state)
{
	(void)state;
	struct model *m = fixture();
	const struct model_ike *ike = model_ike_find(m, 3);
	struct target ti, tc;
	target_ike_sa(&ti, ike);
	target_child_sa(&tc, ike, &ike->children[0]);
	assert_int_equal(target_follow(m, &ti), 0);
	model_clear(m, MODEL_TABLE_SAS);
	struct ike_spec s3 = IKE("site1", 3);
	struct child_spec c5 = CHILD("site1-lan", 5, 7);
	struct child_spec after[] = {c5};
	const struct child_spec *ch[] = {after};
	size_t nch[] = {1};
	msg_sweep_sas(m, &s3, ch, nch, 1, 9000);
	assert_non_null(model_ike_find(m, 3));
	assert_int_equal(target_follow(m, &ti), -ENOENT);
	assert_int_equal(target_follow(m, &tc), -ENOENT);
	/* a target made now is followed as usual */
	target_ike_sa(&ti, model_ike_find(m, 3));
	assert_int_equal(target_follow(m, &ti), 0);
	model_free(m);
}

/* ---- marks and bulk plans ---- */

/* site1 #3 (site1-lan c5, reqid 7), site2 #7, site3 #9 */
static struct model *three(void)
{
	struct model *m = fixture();
	struct ike_spec ikes[] = {IKE("site1", 3), IKE("site2", 7), IKE("site3", 9)};
	struct child_spec lan[] = {CHILD("site1-lan", 5, 7)};
	const struct child_spec *ch[] = {lan, NULL, NULL};
	size_t nch[] = {1, 0, 0};
	msg_sweep_sas(m, ikes, ch, nch, 3, 1500);
	return m;
}

static void test_marks_follow(void **state)
{
	(void)state;
	struct model *m = three();
	struct marks mk;
	marks_init(&mk);
	struct target t;
	const struct model_ike *ike = model_ike_find(m, 3);
	target_child_sa(&t, ike, &ike->children[0]);
	assert_int_equal(marks_toggle(&mk, &t), 1);
	target_ike_sa(&t, model_ike_find(m, 7));
	assert_int_equal(marks_toggle(&mk, &t), 1);
	target_ike_sa(&t, model_ike_find(m, 9));
	assert_int_equal(marks_toggle(&mk, &t), 1);
	/* toggling again unmarks; marking again puts it back */
	assert_int_equal(marks_toggle(&mk, &t), 0);
	assert_false(marks_has_sa(&mk, 9, 0));
	assert_int_equal(marks_toggle(&mk, &t), 1);
	struct target conn = conn_target(m, "net", NULL);
	assert_int_equal(marks_toggle(&mk, &conn), 1);
	struct target name = name_target("site1");
	assert_int_equal(marks_toggle(&mk, &name), -EINVAL);
	assert_int_equal(marks_count(&mk, MARKS_SAS), 3);
	assert_int_equal(marks_count(&mk, MARKS_CONNS), 1);
	assert_true(marks_has_sa(&mk, 3, 5));
	assert_false(marks_has_sa(&mk, 3, 0)); /* the CHILD SA is marked, not its IKE SA */
	assert_true(marks_has_conn(&mk, "net", 3, NULL, 0));
	assert_false(marks_has_conn(&mk, "net", 3, "net-lan", 7));
	/* CHILD rekey (c5 -> c11) and IKE rekey (#7 -> #20): the marks move on */
	struct ike_spec s3 = IKE("site1", 3), s7 = IKE("site2", 7), s20 = IKE("site2", 20);
	struct child_spec c5 = CHILD("site1-lan", 5, 7), c11 = CHILD("site1-lan", 11, 7);
	msg_feed(m, "child-rekey", msg_child_rekey(&s3, &c5, &c11), 2000);
	msg_feed(m, "ike-rekey", msg_ike_rekey(&s7, &s20), 2000);
	struct ike_spec now[] = {IKE("site1", 3), IKE("site2", 20), IKE("site3", 9)};
	struct child_spec lan[] = {c11};
	const struct child_spec *ch[] = {lan, NULL, NULL};
	size_t nch[] = {1, 0, 0};
	for (int i = 0; i < 3; i++)
		msg_sweep_sas(m, now, ch, nch, 3, 2100 + i * 100);
	assert_null(model_ike_find(m, 7));
	assert_int_equal(marks_follow(&mk, m), 0);
	assert_int_equal(marks_count(&mk, MARKS_SAS), 3);
	assert_true(marks_has_sa(&mk, 3, 11));
	assert_false(marks_has_sa(&mk, 3, 5));
	assert_true(marks_has_sa(&mk, 20, 0));
	assert_false(marks_has_sa(&mk, 7, 0));
	/* site3 goes, and net is unloaded: their marks go with them, no other
	 * SA takes them */
	struct ike_spec later[] = {IKE("site1", 3), IKE("site2", 20), IKE("site4", 30)};
	const struct child_spec *ch2[] = {lan, NULL, NULL};
	for (int i = 0; i < 3; i++)
		msg_sweep_sas(m, later, ch2, nch, 3, 3000 + i * 100);
	const char *site1[] = {"site1-lan", "site1-voip"};
	struct msg conns[] = {msg_list_conn("site1", site1, NULL, 2)};
	msg_sweep_conns(m, conns, 1, 3500);
	assert_int_equal(marks_follow(&mk, m), 2);
	assert_int_equal(marks_count(&mk, MARKS_SAS), 2);
	assert_int_equal(marks_count(&mk, MARKS_CONNS), 0);
	assert_false(marks_has_sa(&mk, 9, 0));
	assert_false(marks_has_sa(&mk, 30, 0));
	/* and again: nothing more goes (it stays right over time) */
	assert_int_equal(marks_follow(&mk, m), 0);
	assert_int_equal(marks_clear(&mk, MARKS_CONNS), 0);
	assert_int_equal(marks_clear(&mk, MARKS_SAS), 2);
	assert_int_equal(mk.n, 0);
	marks_free(&mk);
	model_free(m);
}

static void test_bulk_plan(void **state)
{
	(void)state;
	struct model *m = three();
	struct target ts[3];
	target_ike_sa(&ts[0], model_ike_find(m, 3));
	target_ike_sa(&ts[1], model_ike_find(m, 7));
	target_ike_sa(&ts[2], model_ike_find(m, 9));
	struct bulk b;
	bulk_plan(&b, m, VERB_TERMINATE, ts, 3, false);
	assert_int_equal(b.plan.n, 3);
	assert_string_equal(field(&b.plan.req[1], "ike-id"), "7");
	char q[640];
	bulk_question(&b, q, sizeof(q));
	assert_string_equal(q, "terminate 3 SAs: site1 #3, site2 #7, site3 #9? (y/n)  "
	                       "[swanctl --terminate --ike-id 3; swanctl --terminate --ike-id 7; "
	                       "swanctl --terminate --ike-id 9]");
	/* the tally: all, then one failing with charon's (hostile) message */
	char line[512];
	assert_false(bulk_result(&b, 0, true, "done"));
	bulk_summary(&b, line, sizeof(line));
	assert_non_null(strstr(line, "1 of 3 terminated (2 still running)"));
	assert_false(bulk_result(&b, 2, false, "no IKE_SA\033[2J found"));
	assert_true(bulk_result(&b, 1, true, "done"));
	bulk_summary(&b, line, sizeof(line));
	assert_non_null(strstr(line, "2 of 3 terminated; 1 failed: site3 #9: no IKE_SA"));
	assert_null(strchr(line, '\033'));
	assert_non_null(strstr(line, "[swanctl --terminate --ike-id 3;"));
	bulk_free(&b);
	/* a CHILD SA and a connection; rekey queues */
	const struct model_ike *ike = model_ike_find(m, 3);
	target_child_sa(&ts[0], ike, &ike->children[0]);
	ts[1] = conn_target(m, "net", NULL);
	bulk_plan(&b, m, VERB_REKEY, ts, 2, false);
	bulk_question(&b, q, sizeof(q));
	assert_non_null(strstr(q, "rekey 2 targets: site1-lan #c5, net? (y/n)"));
	assert_non_null(strstr(q, "swanctl --rekey --child-id 5; swanctl --rekey --ike net]"));
	bulk_result(&b, 0, true, "queued");
	bulk_result(&b, 1, true, "queued");
	bulk_summary(&b, line, sizeof(line));
	assert_memory_equal(line, "2 of 2 queued", 13);
	bulk_free(&b);
	/* initiate skips what is up and says so */
	ts[0] = conn_target(m, "site1", "site1-lan");
	ts[1] = conn_target(m, "net", "net-lan");
	bulk_plan(&b, m, VERB_INITIATE, ts, 2, false);
	assert_int_equal(b.plan.n, 1);
	assert_int_equal(b.n_skipped, 1);
	bulk_question(&b, q, sizeof(q));
	assert_non_null(strstr(q, "initiate 1 connection: net/net-lan? (y/n)"));
	assert_non_null(strstr(q, "(1 skipped: "));
	bulk_free(&b);
	model_free(m);
}

/* Many targets: the question names the first ones and counts the rest, and
 * always fits. */
static void test_bulk_many(void **state)
{
	(void)state;
	struct model *m = model_new(NULL);
	struct ike_spec ikes[40];
	char names[40][16];
	const struct child_spec *ch[40];
	size_t nch[40];
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "peer%02d", i);
		ikes[i] = (struct ike_spec)IKE(names[i], (uint32_t)(100 + i));
		ch[i] = NULL;
		nch[i] = 0;
	}
	msg_sweep_sas(m, ikes, ch, nch, 40, 1000);
	struct target ts[40];
	for (int i = 0; i < 40; i++)
		target_ike_sa(&ts[i], model_ike_find(m, (uint32_t)(100 + i)));
	struct bulk b;
	bulk_plan(&b, m, VERB_TERMINATE, ts, 40, false);
	char q[640];
	bulk_question(&b, q, sizeof(q));
	assert_memory_equal(q, "terminate 40 SAs: peer00 #100, peer01 #101", 42);
	assert_non_null(strstr(q, "more? (y/n)  [swanctl --terminate --ike-id 100; "));
	assert_non_null(strstr(q, "; ... (40 commands)]"));
	assert_true(strlen(q) < 400);
	char small[32];
	bulk_question(&b, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	bulk_free(&b);
	model_free(m);
}

/* ---- the runner ---- */

struct runs {
	int finished, ok, logs;
	char outcome[256], label[256], ike[64], child[64];
};

static void on_log(void *ctx, const void *msg, size_t len, int64_t received)
{
	(void)msg, (void)len, (void)received;
	((struct runs *)ctx)->logs++;
}

static void on_finish(void *ctx, const struct run_result *r)
{
	struct runs *rs = ctx;
	rs->finished++;
	rs->ok += r->ok;
	snprintf(rs->outcome, sizeof(rs->outcome), "%s", r->outcome);
	snprintf(rs->label, sizeof(rs->label), "%s", r->label);
	snprintf(rs->ike, sizeof(rs->ike), "%s", r->ike);
	snprintf(rs->child, sizeof(rs->child), "%s", r->child);
}

/* Drives the runner until want requests finished (or 5 s). */
static void drive(struct runner *r, struct runs *rs, int want)
{
	int64_t end = vici_now_ms() + 5000;
	while (rs->finished < want && vici_now_ms() < end) {
		struct pollfd fds[16];
		void *tags[16];
		size_t n = runner_pollfds(r, fds, tags, 16);
		poll(fds, n, 50);
		for (size_t i = 0; i < n; i++)
			if (fds[i].revents)
				runner_handle(r, tags[i], fds[i].revents);
		runner_tick(r, vici_now_ms());
		runner_reap(r);
	}
}

static struct request request_of(enum verb v, const struct target *t, struct plan *p,
                                 struct model *m)
{
	verb_plan(m, v, t, true, p);
	assert_true(p->n >= 1);
	return p->req[0];
}

static void test_runner(void **state)
{
	(void)state;
	struct model *m = fixture();
	struct fakevici *f = fakevici_new();
	struct msg log = msg_control_log("IKE", 1, "deleting IKE_SA site1[3]");
	uint8_t *ok;
	size_t okl;
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "success", "yes");
	assert_int_equal(vici_builder_finish(&b, &ok, &okl), 0);
	struct fakevici_canned canned[] = {
	        {"terminate", "control-log", 2, log.p, log.len, ok, okl},
	};
	fakevici_serve(f, canned, 1, NULL);
	fakevici_start(f);
	struct runs rs = {0};
	struct runner_config c = {fakevici_uri(f), false, on_log, on_finish, &rs};
	struct runner *r = runner_new(&c);
	struct target t;
	target_ike_sa(&t, model_ike_find(m, 3));
	struct plan p;
	struct request rq = request_of(VERB_TERMINATE, &t, &p, m);
	char err[256];
	assert_int_equal(runner_start(r, VERB_TERMINATE, &rq, &t, vici_now_ms(), err, sizeof(err)),
	                 0);
	const char *label;
	enum verb v;
	assert_int_equal(runner_running(r, &v, &label, NULL), 1);
	assert_int_equal(v, VERB_TERMINATE);
	assert_string_equal(label, "terminate IKE SA site1 #3");
	drive(r, &rs, 1);
	assert_int_equal(rs.finished, 1);
	assert_int_equal(rs.ok, 1);
	assert_int_equal(rs.logs, 2);
	assert_string_equal(rs.outcome, "done");
	/* terminate by ike-id: the names are the target's */
	assert_string_equal(rs.ike, "site1");
	assert_string_equal(rs.child, "");
	assert_int_equal(runner_running(r, NULL, NULL, NULL), 0);
	plan_free(&p);
	runner_free(r);
	fakevici_free(f);
	free(log.p);
	free(ok);
	model_free(m);
}

static void test_runner_failure(void **state)
{
	(void)state;
	struct model *m = fixture();
	struct fakevici *f = fakevici_new();
	uint8_t *no;
	size_t nol;
	struct vici_builder b;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "success", "no");
	vici_builder_add_str(&b, "errmsg", "no matching IKE_SA found");
	assert_int_equal(vici_builder_finish(&b, &no, &nol), 0);
	uint8_t *no2;
	size_t nol2;
	vici_builder_init(&b);
	vici_builder_add_str(&b, "success", "no");
	vici_builder_add_str(&b, "errmsg", "establishing CHILD_SA 'site1-voip' failed");
	assert_int_equal(vici_builder_finish(&b, &no2, &nol2), 0);
	struct fakevici_canned canned[] = {{"rekey", NULL, 0, NULL, 0, no, nol},
	                                   {"initiate", "control-log", 0, NULL, 0, no2, nol2}};
	/* a connection per request */
	fakevici_serve(f, canned, 2, NULL);
	fakevici_accept(f);
	fakevici_serve(f, canned, 2, NULL);
	fakevici_start(f);
	struct runs rs = {0};
	struct runner_config c = {fakevici_uri(f), false, on_log, on_finish, &rs};
	struct runner *r = runner_new(&c);
	struct target t = name_target("site1");
	struct plan p;
	struct request rq = request_of(VERB_REKEY, &t, &p, m);
	char err[256];
	assert_int_equal(runner_start(r, VERB_REKEY, &rq, &t, vici_now_ms(), err, sizeof(err)), 0);
	drive(r, &rs, 1);
	assert_int_equal(rs.finished, 1);
	assert_int_equal(rs.ok, 0);
	assert_string_equal(rs.outcome, "no matching IKE_SA found");
	/* a typed name: what the request resolved it to */
	assert_string_equal(rs.ike, "site1");
	plan_free(&p);
	/* initiate of a connection: site1's voip child is not up, so that is
	 * what it starts, and the result names it */
	target_conn(&t, model_conn_find(m, "site1", 5), NULL);
	verb_plan(m, VERB_INITIATE, &t, false, &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(runner_start(r, VERB_INITIATE, &p.req[0], NULL, 0, err, sizeof(err)), 0);
	drive(r, &rs, 2);
	assert_int_equal(rs.finished, 2);
	assert_string_equal(rs.outcome, "establishing CHILD_SA 'site1-voip' failed");
	assert_string_equal(rs.ike, "site1");
	assert_string_equal(rs.child, "site1-voip");
	plan_free(&p);
	runner_free(r);
	fakevici_free(f);
	free(no);
	free(no2);
	model_free(m);
}

static void test_runner_refusals(void **state)
{
	(void)state;
	struct model *m = fixture();
	struct runs rs = {0};
	struct target t;
	target_ike_sa(&t, model_ike_find(m, 3));
	struct plan p;
	struct request rq = request_of(VERB_TERMINATE, &t, &p, m);
	char err[256];
	/* read-only: nothing is sent */
	struct runner_config ro = {"unix:///nonexistent/charon.vici", true, on_log, on_finish, &rs};
	struct runner *r = runner_new(&ro);
	assert_int_equal(runner_start(r, VERB_TERMINATE, &rq, &t, 0, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "read-only mode: terminate IKE SA site1 #3 refused"));
	assert_int_equal(runner_running(r, NULL, NULL, NULL), 0);
	runner_free(r);
	/* at most RUNNER_MAX_RUNNING at once (a charon that never answers) */
	struct fakevici *f = fakevici_new();
	fakevici_hang(f);
	fakevici_start(f);
	struct runner_config c = {fakevici_uri(f), false, on_log, on_finish, &rs};
	r = runner_new(&c);
	for (int i = 0; i < RUNNER_MAX_RUNNING; i++)
		assert_int_equal(runner_start(r, VERB_TERMINATE, &rq, &t, 0, err, sizeof(err)), 0);
	assert_int_equal(runner_start(r, VERB_TERMINATE, &rq, &t, 0, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "actions are running"));
	assert_int_equal(runner_running(r, NULL, NULL, NULL), RUNNER_MAX_RUNNING);
	assert_int_equal(rs.finished, 0);
	/* freeing cancels what runs without reporting it */
	runner_free(r);
	assert_int_equal(rs.finished, 0);
	fakevici_free(f);
	plan_free(&p);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_initiate_conn),   cmocka_unit_test(test_initiate_names),
	        cmocka_unit_test(test_terminate_rekey), cmocka_unit_test(test_redirect_install),
	        cmocka_unit_test(test_hostile_names),   cmocka_unit_test(test_follow),
	        cmocka_unit_test(test_runner),          cmocka_unit_test(test_runner_failure),
	        cmocka_unit_test(test_runner_refusals), cmocka_unit_test(test_follow_restart),
	        cmocka_unit_test(test_marks_follow),    cmocka_unit_test(test_bulk_plan),
	        cmocka_unit_test(test_bulk_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
