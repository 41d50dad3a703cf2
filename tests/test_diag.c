/*
 * Unit tests for the diagnosis engine (src/model/diag*.c) and the replay
 * of recorded streams (src/main/why.c).
 *
 * The recordings in tests/data/diag/ are what two real charon 5.9.8
 * daemons said in each failure scenario of scripts/lab (record.sh): the
 * gateway (initiator) and the peer (responder) `swantop listen log
 * ike-updown child-updown ike-rekey child-rekey`, then their list-sas,
 * list-conns and list-policies. Each scenario is checked from both sides:
 * the verdict, who refused, IKE or CHILD, how often, the key evidence. The
 * wording charon uses in cases the lab does not produce (IKEv1 variants,
 * certificates, the kernel, rekeying, EAP/XAuth) is checked with lines
 * copied from strongSwan's sources.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "main/cli.h"
#include "main/why.h"
#include "model/diag.h"
#include "util/json.h"

/* ---- helpers -------------------------------------------------------------- */

static void replay_into(struct why *w, const char *file)
{
	const char *src = getenv("SWANTOP_SOURCE_DIR");
	char path[1024], err[300];
	snprintf(path, sizeof(path), "%s/tests/data/diag/%s", src ? src : ".", file);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	int r = why_replay(w, f, file, err, sizeof(err));
	fclose(f);
	if (r)
		fail_msg("replay %s: %s", file, err);
}

/* A fresh engine fed with one recording, e.g. ("badpsk", "gw"). */
static struct why *replay(const char *scenario, const char *side)
{
	char file[200];
	snprintf(file, sizeof(file), "%s.%s.jsonl", scenario, side);
	struct why *w = why_new(true);
	replay_into(w, file);
	return w;
}

static const struct diag_verdict *conn_v(struct why *w, const char *conn)
{
	return diag_conn_verdict(why_diag(w), conn);
}

static bool has_line(const struct diag_verdict *v, const char *needle)
{
	for (size_t i = 0; i < v->n_lines; i++)
		if (strstr(v->lines[i].msg, needle))
			return true;
	return false;
}

/* Checks code, side, layer and count of a verdict (count 0: any). */
static void check(const struct diag_verdict *v, enum diag_code code, enum diag_side side,
                  enum diag_layer layer, unsigned count)
{
	assert_non_null(v);
	assert_string_equal(diag_code_name(v->code), diag_code_name(code));
	assert_string_equal(diag_side_name(v->side), diag_side_name(side));
	assert_string_equal(diag_layer_name(v->layer), diag_layer_name(layer));
	assert_true(v->current);
	if (count)
		assert_int_equal(v->count, count);
}

static void feed_json(struct why *w, const char *line)
{
	char err[200];
	int r = why_feed_json_line(w, line, strlen(line), err, sizeof(err));
	if (r < 0)
		fail_msg("%s: %s", line, err);
}

static const char *const healthy_conns[] = {"site1", "site2", "rw", "idle", "trap", "badpsk"};

/* ---- the recorded scenarios ------------------------------------------------- */

static void test_healthy(void **state)
{
	struct why *w = replay("healthy", "gw");
	for (size_t i = 0; i < sizeof(healthy_conns) / sizeof(healthy_conns[0]); i++)
		assert_null(conn_v(w, healthy_conns[i]));
	/* the lab's unanswered connection, from the SA table alone */
	const struct diag_verdict *v = conn_v(w, "dead");
	check(v, DIAG_PEER_UNREACHABLE, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 1);
	assert_true(v->from_state);
	assert_string_equal(v->peer, "192.0.2.99");
	assert_string_equal(v->retry, "swanctl --initiate --child dead-lan");
	assert_int_equal(diag_count(why_diag(w)), 1);
	why_free(w);

	w = replay("healthy", "peer");
	for (size_t i = 0; i < sizeof(healthy_conns) / sizeof(healthy_conns[0]); i++)
		assert_null(conn_v(w, healthy_conns[i]));
	assert_int_equal(diag_count(why_diag(w)), 0);
	why_free(w);
}

static void test_badpsk(void **state)
{
	/* two attempts: scripts/lab fail badpsk, then record.sh's initiate */
	struct why *w = replay("badpsk", "gw");
	const struct diag_verdict *v = conn_v(w, "badpsk");
	check(v, DIAG_AUTH_FAILED, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 2);
	assert_true(has_line(v, "received AUTHENTICATION_FAILED notify error"));
	assert_false(v->from_state);
	assert_string_equal(v->retry, "swanctl --initiate --child badpsk-lan");
	assert_non_null(strstr(v->next, "badpsk@gw.example.org"));
	why_free(w);

	w = replay("badpsk", "peer");
	v = conn_v(w, "badpsk");
	check(v, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE, 2);
	assert_true(has_line(v, "but MAC mismatched"));
	assert_string_equal(v->peer, "192.0.2.1");
	assert_string_equal(v->peer_id, "badpsk@gw.example.org");
	assert_non_null(strstr(v->next, "pre-shared keys differ"));
	why_free(w);
}

/* The control-log of swantop's own initiate explains its failure; the
 * outcome then adds nothing. */
static void test_badpsk_action(void **state)
{
	struct why *w = why_new(true);
	replay_into(w, "badpsk.gw-initiate.jsonl");
	struct diag *d = why_diag(w);
	check(conn_v(w, "badpsk"), DIAG_AUTH_FAILED, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 1);
	diag_feed_action(d, why_now(w) + 10, "initiate", "", "badpsk-lan", false,
	                 "establishing CHILD_SA 'badpsk-lan' failed");
	check(conn_v(w, "badpsk"), DIAG_AUTH_FAILED, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 1);
	why_free(w);
}

static void test_ike_proposal(void **state)
{
	struct why *w = replay("ike-proposal", "gw");
	const struct diag_verdict *v = conn_v(w, "ikeprop");
	check(v, DIAG_NO_PROPOSAL, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 2);
	assert_true(has_line(v, "received NO_PROPOSAL_CHOSEN notify error"));
	why_free(w);

	/* the responder never got to a connection: the peer's address */
	w = replay("ike-proposal", "peer");
	assert_null(conn_v(w, "ikeprop"));
	v = diag_peer_verdict(why_diag(w), "192.0.2.1");
	check(v, DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE, 2);
	assert_string_equal(v->conn, "");
	assert_string_equal(v->theirs, "IKE:AES_CBC_192/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1536");
	assert_non_null(
	        strstr(v->ours, "IKE:AES_CBC_256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384"));
	assert_true(has_line(v, "received proposals unacceptable"));
	assert_string_equal(v->retry, "");
	why_free(w);
}

static void test_ike_proposal_v1(void **state)
{
	struct why *w = replay("ike-proposal-v1", "gw");
	const struct diag_verdict *v = conn_v(w, "ikeprop1");
	check(v, DIAG_NO_PROPOSAL, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 2);
	assert_true(has_line(v, "received NO_PROPOSAL_CHOSEN error notify"));
	why_free(w);

	w = replay("ike-proposal-v1", "peer");
	v = diag_peer_verdict(why_diag(w), "192.0.2.1");
	check(v, DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE, 2);
	assert_true(has_line(v, "no proposal found"));
	assert_string_equal(v->theirs, "IKE:AES_CBC_192/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1536");
	why_free(w);
}

static void test_esp_proposal(void **state)
{
	/* the IKE SA is up, its CHILD SA not: charon's words win over the
	 * table's child-missing */
	struct why *w = replay("esp-proposal", "gw");
	const struct diag_verdict *v = conn_v(w, "espprop");
	check(v, DIAG_NO_PROPOSAL, DIAG_SIDE_PEER, DIAG_LAYER_CHILD, 2);
	assert_string_equal(v->child, "espprop-lan");
	assert_int_equal(v->child_id, 10);
	assert_true(has_line(v, "received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"));
	assert_string_equal(v->retry, "swanctl --initiate --child espprop-lan");
	why_free(w);

	w = replay("esp-proposal", "peer");
	v = conn_v(w, "espprop");
	check(v, DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD, 2);
	assert_string_equal(v->child, ""); /* a responder is not told which */
	assert_string_equal(v->theirs, "ESP:AES_GCM_16_128/NO_EXT_SEQ");
	assert_string_equal(v->ours, "ESP:AES_CBC_256/HMAC_SHA2_512_256/NO_EXT_SEQ");
	assert_true(has_line(v, "no acceptable proposal found"));
	why_free(w);
}

static void test_ts_mismatch(void **state)
{
	struct why *w = replay("ts-mismatch", "gw");
	const struct diag_verdict *v = conn_v(w, "tsmis");
	check(v, DIAG_TS_UNACCEPTABLE, DIAG_SIDE_PEER, DIAG_LAYER_CHILD, 2);
	assert_string_equal(v->child, "tsmis-lan");
	assert_string_equal(v->ours, "10.1.113.0/24 === 10.2.113.0/24");
	assert_true(has_line(v, "received TS_UNACCEPTABLE notify, no CHILD_SA built"));
	why_free(w);

	w = replay("ts-mismatch", "peer");
	v = conn_v(w, "tsmis");
	check(v, DIAG_TS_UNACCEPTABLE, DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD, 2);
	assert_string_equal(v->theirs, "10.2.113.0/24 === 10.1.113.0/24");
	assert_string_equal(v->ours, "tsmis-lan: 10.2.114.0/24 === 10.1.114.0/24");
	assert_true(has_line(v, "traffic selectors 10.2.113.0/24 === 10.1.113.0/24 unacceptable"));
	why_free(w);
}

static void test_unknown_id(void **state)
{
	/* charon started it on load, then two initiates */
	struct why *w = replay("unknown-id", "gw");
	const struct diag_verdict *v = conn_v(w, "stranger");
	check(v, DIAG_AUTH_FAILED, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 3);
	assert_true(has_line(v, "received AUTHENTICATION_FAILED notify error"));
	why_free(w);

	w = replay("unknown-id", "peer");
	v = diag_peer_verdict(why_diag(w), "192.0.2.1");
	check(v, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE, 3);
	assert_string_equal(v->peer_id, "stranger@gw.example.org");
	assert_non_null(strstr(v->detail, "stranger@gw.example.org"));
	assert_true(has_line(v, "no matching peer config found"));
	why_free(w);
}

static void test_dead(void **state)
{
	struct why *w = replay("dead", "gw");
	const struct diag_verdict *v = conn_v(w, "dead");
	check(v, DIAG_PEER_UNREACHABLE, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 0);
	assert_false(v->from_state); /* the lines beat the table */
	assert_true(has_line(v, "giving up after 3 retransmits"));
	assert_true(has_line(v, "retransmit 1 of request"));
	assert_string_equal(v->peer, "192.0.2.99");
	why_free(w);

	w = replay("dead", "peer");
	assert_null(conn_v(w, "dead"));
	/* what earlier scenarios left, from the tables alone */
	v = conn_v(w, "espprop");
	check(v, DIAG_CHILD_MISSING, DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD, 1);
	assert_true(v->from_state);
	assert_string_equal(v->child, "espprop-lan");
	why_free(w);
}

static void test_peer_delete(void **state)
{
	struct why *w = replay("peer-delete", "gw");
	const struct diag_verdict *v = conn_v(w, "peerdel");
	check(v, DIAG_PEER_DELETED, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 1);
	assert_true(has_line(v, "received DELETE for IKE_SA peerdel["));
	why_free(w);

	/* the peer deleted it itself: not a failure there */
	w = replay("peer-delete", "peer");
	assert_null(conn_v(w, "peerdel"));
	assert_null(diag_conn_last(why_diag(w), "peerdel"));
	why_free(w);
}

static void test_dpd(void **state)
{
	for (int side = 0; side < 2; side++) {
		struct why *w = replay("dpd", side ? "peer" : "gw");
		const struct diag_verdict *v = conn_v(w, "dpd");
		check(v, DIAG_DPD_DEAD, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 1);
		assert_true(has_line(v, "sending DPD request"));
		assert_true(has_line(v, "giving up after 3 retransmits"));
		assert_string_equal(v->peer, side ? "192.0.2.1" : "192.0.2.2");
		why_free(w);
	}
}

static void test_child_missing(void **state)
{
	struct why *w = replay("child-missing", "gw");
	struct diag *d = why_diag(w);
	const struct diag_verdict *v = conn_v(w, "childfail");
	check(v, DIAG_NO_PROPOSAL, DIAG_SIDE_PEER, DIAG_LAYER_CHILD, 2);
	assert_string_equal(v->child, "childfail-b");
	assert_null(diag_child_verdict(d, "childfail", "childfail-a"));
	assert_ptr_equal(diag_child_verdict(d, "childfail", "childfail-b"), v);
	/* an IKE SA row shows what is wrong under it */
	assert_ptr_equal(diag_sa_verdict(d, v->ike_id, 0), v);
	why_free(w);

	w = replay("child-missing", "peer");
	d = why_diag(w);
	v = conn_v(w, "childfail");
	check(v, DIAG_NO_PROPOSAL, DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD, 2);
	/* charon did not say which CHILD config failed: the one that is not up */
	assert_ptr_equal(diag_child_verdict(d, "childfail", "childfail-b"), v);
	assert_null(diag_child_verdict(d, "childfail", "childfail-a"));
	/* and the table names it */
	bool named = false;
	for (size_t i = 0; i < diag_count(d); i++) {
		const struct diag_verdict *c = diag_at(d, i);
		if (!strcmp(c->conn, "childfail") && !strcmp(c->child, "childfail-b")) {
			check(c, DIAG_CHILD_MISSING, DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD, 1);
			assert_true(c->from_state);
			assert_string_equal(c->retry, "swanctl --initiate --child childfail-b");
			named = true;
		}
	}
	assert_true(named);
	why_free(w);
}

static void test_untrap(void **state)
{
	/* the trap policy was there (healthy), then it was uninstalled */
	struct why *w = replay("healthy", "gw");
	assert_null(conn_v(w, "trap"));
	replay_into(w, "untrap.gw.jsonl");
	const struct diag_verdict *v = conn_v(w, "trap");
	check(v, DIAG_SHOULD_BE_UP, DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD, 1);
	assert_string_equal(v->child, "trap-lan");
	assert_string_equal(v->retry, "swanctl --install --child trap-lan");
	/* a listing of the SAs alone (the monitor lists them more often than
	 * the policies) proves nothing about the policies: it stays */
	why_tables_begin(w, 1u << MODEL_TABLE_SAS, why_now(w) + 1000);
	why_tables_end(w, why_now(w) + 1000);
	check(conn_v(w, "trap"), DIAG_SHOULD_BE_UP, DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD, 1);
	why_free(w);

	/* never seen, nothing to miss */
	w = replay("untrap", "gw");
	assert_null(conn_v(w, "trap"));
	why_free(w);
	w = replay("untrap", "peer");
	assert_null(conn_v(w, "trap"));
	why_free(w);
}

/* The tables of the child-missing recording (what one look sees), with
 * childfail's IKE SA established `age` seconds before the listing (NULL:
 * as recorded, 7). */
static struct why *childfail_tables(const char *age)
{
	const char *src = getenv("SWANTOP_SOURCE_DIR");
	char path[1024], *line = NULL;
	size_t cap = 0;
	snprintf(path, sizeof(path), "%s/tests/data/diag/child-missing.gw.jsonl", src ? src : ".");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	struct why *w = why_new(true);
	while (getline(&line, &cap, f) > 0) {
		if (!strstr(line, "\"event\":\"list-"))
			continue;
		char *e = strstr(line, "\"established\":\"7\"");
		if (age && strstr(line, "\"childfail\":{") && e) {
			char buf[4096];
			snprintf(buf, sizeof(buf), "%.*s\"established\":\"%s\"%s", (int)(e - line),
			         line, age, e + strlen("\"established\":\"7\""));
			feed_json(w, buf);
		} else {
			feed_json(w, line);
		}
	}
	why_flush(w);
	free(line);
	fclose(f);
	return w;
}

/* Only the tables (what `swantop why` sees in one look). */
static void test_tables_only(void **state)
{
	struct why *w = childfail_tables(NULL);
	const struct diag_verdict *v = conn_v(w, "childfail");
	check(v, DIAG_CHILD_MISSING, DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD, 1);
	assert_true(v->from_state);
	assert_string_equal(v->child, "childfail-b");
	v = conn_v(w, "dead");
	check(v, DIAG_PEER_UNREACHABLE, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 1);
	assert_true(v->from_state);
	/* failed and gone: the tables alone prove nothing */
	assert_null(conn_v(w, "badpsk"));
	assert_null(conn_v(w, "stranger"));
	assert_null(conn_v(w, "site1"));
	why_free(w);
}

/* An IKE SA up for a second whose second CHILD SA is not there yet is on
 * its way, not a failure (a listing between ike-updown and child-updown):
 * no child-missing until the grace ends, then one without anything new. */
static void test_child_grace(void **state)
{
	struct why *w = childfail_tables("1");
	struct diag *d = why_diag(w);
	assert_null(conn_v(w, "childfail"));
	int64_t now = why_now(w), due = diag_recheck_at(d);
	/* the grace (5 s) counts from charon's established time */
	assert_true(due != MODEL_TIME_NONE);
	assert_true(due > now && due <= now + 4000 + 1000);
	diag_update(d, why_model(w), DIAG_TABLES_ALL, due - 1);
	assert_null(conn_v(w, "childfail"));
	diag_update(d, why_model(w), DIAG_TABLES_ALL, due);
	const struct diag_verdict *v = conn_v(w, "childfail");
	check(v, DIAG_CHILD_MISSING, DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD, 1);
	assert_string_equal(v->child, "childfail-b");
	assert_true(diag_recheck_at(d) == MODEL_TIME_NONE || diag_recheck_at(d) > due);
	why_free(w);

	/* up long enough: at once, and nothing to wait for */
	w = childfail_tables("7");
	check(conn_v(w, "childfail"), DIAG_CHILD_MISSING, DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD, 1);
	why_free(w);
}

/* ---- current and history ------------------------------------------------------ */

static void test_clear_on_up(void **state)
{
	struct why *w = replay("peer-delete", "gw");
	struct diag *d = why_diag(w);
	const struct diag_verdict *v = conn_v(w, "peerdel");
	check(v, DIAG_PEER_DELETED, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 1);
	uint32_t old = v->ike_id;
	char line[600];
	long long t = why_now(w) / 1000 + 5;

	snprintf(line, sizeof(line),
	         "{\"event\":\"ike-updown\",\"time\":%lld,\"data\":{\"up\":\"yes\",\"peerdel\":"
	         "{\"uniqueid\":\"99\",\"version\":\"2\",\"state\":\"ESTABLISHED\","
	         "\"remote-host\":\"192.0.2.2\",\"child-sas\":{}}}}",
	         t);
	feed_json(w, line);
	assert_null(conn_v(w, "peerdel"));
	v = diag_conn_last(d, "peerdel");
	assert_non_null(v);
	assert_false(v->current);
	assert_int_equal(v->cleared_at, (int64_t)t * 1000);
	assert_int_equal(v->code, DIAG_PEER_DELETED);

	/* a late line of the old SA does not bring it back */
	snprintf(line, sizeof(line),
	         "{\"event\":\"log\",\"time\":%lld,\"data\":{\"group\":\"IKE\",\"level\":\"1\","
	         "\"ikesa-name\":\"peerdel\",\"ikesa-uniqueid\":\"%u\",\"msg\":\"received DELETE "
	         "for IKE_SA peerdel[%u]\"}}",
	         t + 1, old, old);
	feed_json(w, line);
	assert_null(conn_v(w, "peerdel"));

	/* a new failure is current again, counted afresh */
	snprintf(line, sizeof(line),
	         "{\"event\":\"log\",\"time\":%lld,\"data\":{\"group\":\"IKE\",\"level\":\"1\","
	         "\"ikesa-name\":\"peerdel\",\"ikesa-uniqueid\":\"99\",\"msg\":\"received DELETE "
	         "for IKE_SA peerdel[99]\"}}",
	         t + 2);
	feed_json(w, line);
	check(conn_v(w, "peerdel"), DIAG_PEER_DELETED, DIAG_SIDE_PEER, DIAG_LAYER_IKE, 1);
	why_free(w);
}

static void test_clear_on_tables(void **state)
{
	struct why *w = replay("esp-proposal", "gw");
	struct diag *d = why_diag(w);
	check(conn_v(w, "espprop"), DIAG_NO_PROPOSAL, DIAG_SIDE_PEER, DIAG_LAYER_CHILD, 2);
	/* a listing that still shows the failed state changes nothing */
	why_tables_begin(w, 1u << MODEL_TABLE_SAS, why_now(w) + 1000);
	why_tables_end(w, why_now(w) + 1000);
	assert_non_null(conn_v(w, "espprop"));
	/* the CHILD SA is there now (another uniqueid): history */
	char line[800];
	snprintf(line, sizeof(line),
	         "{\"event\":\"list-sa\",\"time\":%lld,\"data\":{\"espprop\":{\"uniqueid\":\"12\","
	         "\"version\":\"2\",\"state\":\"ESTABLISHED\",\"remote-host\":\"192.0.2.2\","
	         "\"child-sas\":{\"espprop-lan-11\":{\"name\":\"espprop-lan\",\"uniqueid\":\"11\","
	         "\"state\":\"INSTALLED\"}}}}}",
	         (long long)(why_now(w) / 1000 + 2));
	feed_json(w, line);
	why_flush(w);
	assert_null(conn_v(w, "espprop"));
	const struct diag_verdict *v = diag_conn_last(d, "espprop");
	assert_non_null(v);
	assert_false(v->current);
	assert_int_equal(v->code, DIAG_NO_PROPOSAL);
	why_free(w);
}

/* The same lines as log and as control-log of our own initiate count once. */
static void test_log_and_control_log(void **state)
{
	const char *src = getenv("SWANTOP_SOURCE_DIR");
	char path[1024], *line = NULL;
	size_t cap = 0;
	snprintf(path, sizeof(path), "%s/tests/data/diag/dead.gw.jsonl", src ? src : ".");
	struct why *once = replay("dead", "gw"), *twice = why_new(true);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		feed_json(twice, line);
		char *p = strstr(line, "{\"event\":\"log\"");
		if (p == line) {
			char copy[4096];
			snprintf(copy, sizeof(copy), "{\"event\":\"control-log\"%s", line + 14);
			feed_json(twice, copy);
		}
	}
	why_flush(twice);
	free(line);
	fclose(f);
	const struct diag_verdict *a = conn_v(once, "dead"), *b = conn_v(twice, "dead");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->n_lines, b->n_lines);
	why_free(once);
	why_free(twice);
}

static void test_actions(void **state)
{
	struct why *w = replay("badpsk", "gw");
	struct diag *d = why_diag(w);
	int64_t now = why_now(w);
	/* terminated on purpose: nothing to explain */
	diag_feed_action(d, now + 1000, "terminate", "badpsk", "", true, "");
	assert_null(conn_v(w, "badpsk"));
	assert_non_null(diag_conn_last(d, "badpsk"));
	/* a failed initiate nothing explains: charon's errmsg */
	diag_feed_action(d, now + 400000, "initiate", "", "badpsk-lan", false,
	                 "establishing CHILD_SA 'badpsk-lan' failed");
	const struct diag_verdict *v = conn_v(w, "badpsk");
	check(v, DIAG_UNKNOWN, DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD, 1);
	assert_string_equal(v->detail,
	                    "initiate failed: establishing CHILD_SA 'badpsk-lan' failed");
	assert_true(has_line(v, "received AUTHENTICATION_FAILED"));
	diag_feed_action(d, now + 401000, "initiate", "", "badpsk-lan", false, "again");
	assert_int_equal(conn_v(w, "badpsk")->count, 2);
	why_free(w);
}

/* ---- charon's wording beyond the lab ------------------------------------------ */

struct wording {
	const char *msg;
	bool established; /* the IKE SA was up before the line */
	enum diag_code code;
	enum diag_side side;
	enum diag_layer layer;
};

/* Lines as strongSwan 5.9.8's sources write them (the file in the comment). */
static const struct wording wordings[] = {
        /* ikev2/authenticators/psk_authenticator.c */
        {"tried 2 shared keys for 'a@x' - 'b@y', but MAC mismatched", false, DIAG_AUTH_FAILED,
         DIAG_SIDE_LOCAL, DIAG_LAYER_IKE},
        {"no shared key found for 'a@x' - 'b@y'", false, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
         DIAG_LAYER_IKE},
        /* ikev1/phase1.c */
        {"no shared key found for 'a@x'[192.0.2.1] - 'b@y'[192.0.2.2]", false, DIAG_AUTH_FAILED,
         DIAG_SIDE_LOCAL, DIAG_LAYER_IKE},
        {"no peer config found", false, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE},
        {"found 2 matching configs, but none allows pre-shared key authentication using "
         "Aggressive Mode",
         false, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE},
        /* ikev1/authenticators/psk_v1_authenticator.c */
        {"calculated HASH does not match HASH payload", false, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
         DIAG_LAYER_IKE},
        /* ikev2/tasks/ike_auth.c */
        {"received IDr peer@x, but require other@x", false, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
         DIAG_LAYER_IKE},
        {"no alternative config found", false, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE},
        {"canceling IKE_SA setup due to uniqueness policy", false, DIAG_AUTH_FAILED,
         DIAG_SIDE_LOCAL, DIAG_LAYER_IKE},
        {"PPK required but no PPK found for 'p'", false, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
         DIAG_LAYER_IKE},
        /* libstrongswan credentials and ikev2 pubkey_authenticator.c */
        {"constraint check failed: peer not authenticated by CA 'C=CH, O=Lab'", false,
         DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_IKE},
        {"no trusted RSA public key found for 'peer.example.org'", false, DIAG_AUTH_FAILED,
         DIAG_SIDE_LOCAL, DIAG_LAYER_IKE},
        {"no private key found for 'gw.example.org'", false, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
         DIAG_LAYER_IKE},
        /* EAP, XAuth */
        {"received EAP_FAILURE, EAP authentication failed", false, DIAG_AUTH_FAILED, DIAG_SIDE_PEER,
         DIAG_LAYER_IKE},
        {"XAuth authentication of 'bob' (myself) failed", false, DIAG_AUTH_FAILED, DIAG_SIDE_PEER,
         DIAG_LAYER_IKE},
        {"XAuth authentication of 'bob' failed", false, DIAG_AUTH_FAILED, DIAG_SIDE_LOCAL,
         DIAG_LAYER_IKE},
        /* ikev1 informational.c / main_mode.c / quick_mode.c */
        {"received AUTHENTICATION_FAILED error notify", false, DIAG_AUTH_FAILED, DIAG_SIDE_PEER,
         DIAG_LAYER_IKE},
        {"received INVALID_ID_INFORMATION error notify", false, DIAG_AUTH_FAILED, DIAG_SIDE_PEER,
         DIAG_LAYER_IKE},
        {"received INVALID_ID_INFORMATION error notify", true, DIAG_TS_UNACCEPTABLE, DIAG_SIDE_PEER,
         DIAG_LAYER_CHILD},
        {"received NO_PROPOSAL_CHOSEN error notify", true, DIAG_NO_PROPOSAL, DIAG_SIDE_PEER,
         DIAG_LAYER_CHILD},
        {"no matching CHILD_SA config found for 10.1.0.0/24 === 10.2.0.0/24", true,
         DIAG_TS_UNACCEPTABLE, DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD},
        {"no matching proposal found, sending NO_PROPOSAL_CHOSEN", true, DIAG_NO_PROPOSAL,
         DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD},
        /* ikev2 child_create.c */
        {"received INTERNAL_ADDRESS_FAILURE notify, no CHILD_SA built", true, DIAG_REFUSED,
         DIAG_SIDE_PEER, DIAG_LAYER_CHILD},
        {"no acceptable traffic selectors found", true, DIAG_TS_UNACCEPTABLE, DIAG_SIDE_LOCAL,
         DIAG_LAYER_CHILD},
        {"unable to install inbound and outbound IPsec SA (SAD) in kernel", true,
         DIAG_INSTALL_FAILED, DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD},
        {"unable to install IPsec policies (SPD) in kernel", true, DIAG_INSTALL_FAILED,
         DIAG_SIDE_LOCAL, DIAG_LAYER_CHILD},
        /* task managers, ike_sa.c, dpd_timeout_job.c */
        {"giving up after 5 retransmits", false, DIAG_PEER_UNREACHABLE, DIAG_SIDE_PEER,
         DIAG_LAYER_IKE},
        {"giving up after 5 retransmits", true, DIAG_DPD_DEAD, DIAG_SIDE_PEER, DIAG_LAYER_IKE},
        {"establishing IKE_SA failed, peer not responding", false, DIAG_PEER_UNREACHABLE,
         DIAG_SIDE_PEER, DIAG_LAYER_IKE},
        {"DPD check timed out, enforcing DPD action", true, DIAG_DPD_DEAD, DIAG_SIDE_PEER,
         DIAG_LAYER_IKE},
        {"rekeying IKE_SA failed, peer not responding", true, DIAG_REKEY_FAILED, DIAG_SIDE_PEER,
         DIAG_LAYER_IKE},
        {"IKE_SA rekeying failed, trying again in 30 seconds", true, DIAG_REKEY_FAILED,
         DIAG_SIDE_UNKNOWN, DIAG_LAYER_IKE},
        {"CHILD_SA rekeying failed, trying again in 30 seconds", true, DIAG_REKEY_FAILED,
         DIAG_SIDE_UNKNOWN, DIAG_LAYER_CHILD},
        {"peer didn't find the CHILD_SA we tried to rekey", true, DIAG_REKEY_FAILED, DIAG_SIDE_PEER,
         DIAG_LAYER_CHILD},
        /* ikev1 isakmp_delete.c, the same as ikev2 ike_delete.c */
        {"received DELETE for IKE_SA c[1]", true, DIAG_PEER_DELETED, DIAG_SIDE_PEER,
         DIAG_LAYER_IKE},
};

static const struct diag_verdict *feed_words(struct diag *d, const char *msg, bool established,
                                             int64_t *now)
{
	struct model_str ike = {"IKE", 3}, name = {"c", 1};
	const char *pre[] = {"initiating IKE_SA c[1] to 192.0.2.9",
	                     "IKE_SA c[1] established between 192.0.2.1[a]...192.0.2.9[b]"};
	for (size_t i = 0; i < (established ? 2u : 1u); i++)
		diag_feed_line(d, (*now)++, ike, 1, name, 1,
		               (struct model_str){pre[i], (uint32_t)strlen(pre[i])});
	diag_feed_line(d, (*now)++, ike, 1, name, 1,
	               (struct model_str){msg, (uint32_t)strlen(msg)});
	return diag_conn_verdict(d, "c");
}

static void test_wording(void **state)
{
	for (size_t i = 0; i < sizeof(wordings) / sizeof(wordings[0]); i++) {
		const struct wording *t = &wordings[i];
		struct diag *d = diag_new(NULL);
		int64_t now = 1000;
		const struct diag_verdict *v = feed_words(d, t->msg, t->established, &now);
		if (!v)
			fail_msg("no verdict for: %s", t->msg);
		if (v->code != t->code || v->side != t->side || v->layer != t->layer)
			fail_msg("%s: got %s/%s/%s", t->msg, diag_code_name(v->code),
			         diag_side_name(v->side), diag_layer_name(v->layer));
		assert_true(v->n_lines >= 1);
		assert_string_equal(v->lines[v->n_lines - 1].msg, t->msg);
		diag_free(d);
	}
}

/* Lines that are part of a working exchange say nothing. */
static void test_no_verdict(void **state)
{
	static const char *const quiet[] = {
	        "received INVALID_KE_PAYLOAD notify error",
	        "received TEMPORARY_FAILURE notify, will retry later",
	        "no matching proposal found, trying alternative config",
	        "received proposals: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048",
	        "retransmit 1 of request with message ID 0",
	        "sending DPD request",
	        "IKE_SA c[1] established between 192.0.2.1[a]...192.0.2.9[b]",
	        "received DELETE for ESP CHILD_SA with SPI c2b4e0a1",
	};
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		struct diag *d = diag_new(NULL);
		int64_t now = 1;
		if (feed_words(d, quiet[i], false, &now))
			fail_msg("a verdict for: %s", quiet[i]);
		assert_int_equal(diag_count(d), 0);
		diag_free(d);
	}
	/* the old SA of a rekeying is deleted by design */
	struct diag *d = diag_new(NULL);
	int64_t now = 1;
	feed_words(d, "IKE_SA c[2] rekeyed between 192.0.2.1[a]...192.0.2.9[b]", true, &now);
	assert_null(feed_words(d, "received DELETE for IKE_SA c[1]", true, &now));
	diag_free(d);
}

/* SA events without a uniqueid (the model never makes them, but the
 * engine is fed by others too) are ignored. */
static void test_event_without_id(void **state)
{
	struct diag *d = diag_new(NULL);
	enum model_event_kind kinds[] = {MODEL_EV_IKE_UP,    MODEL_EV_IKE_DOWN,
	                                 MODEL_EV_CHILD_UP,  MODEL_EV_CHILD_DOWN,
	                                 MODEL_EV_IKE_REKEY, MODEL_EV_CHILD_REKEY};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct model_event ev = {.time = 5, .kind = kinds[i], .child_id = 3};
		ev.ike_name = ev.child_name = ev.remote_host = ev.text = ev.group =
		        (struct model_str){"x", 1};
		diag_feed_event(d, &ev);
	}
	assert_int_equal(diag_count(d), 0);
	diag_free(d);
}

/* Peer identities are the peer's choice: no blow-up, no byte lost. */
static void test_hostile(void **state)
{
	struct diag *d = diag_new(NULL);
	int64_t now = 1;
	char msg[DIAG_LINE_MAX + 200];
	strcpy(msg, "looking for peer configs matching 192.0.2.2[x]...192.0.2.1[");
	size_t n = strlen(msg);
	for (; n < sizeof(msg) - 60; n++)
		msg[n] = (n % 3) ? '[' : ']';
	strcpy(msg + n, "\x1b]0;owned\x07]");
	struct model_str ike = {"CFG", 3}, unnamed = {"(unnamed)", 9};
	diag_feed_line(d, now++, ike, 1, unnamed, 7,
	               (struct model_str){msg, (uint32_t)strlen(msg)});
	const char *nope = "no matching peer config found";
	diag_feed_line(d, now++, ike, 1, unnamed, 7,
	               (struct model_str){nope, (uint32_t)strlen(nope)});
	const struct diag_verdict *v = diag_peer_verdict(d, "192.0.2.1");
	assert_non_null(v);
	assert_int_equal(v->code, DIAG_AUTH_FAILED);
	assert_non_null(strchr(v->peer_id, '\x1b')); /* raw: the UI sanitises */
	assert_int_equal(v->lines[0].len, DIAG_LINE_MAX);

	struct json_buf b;
	json_buf_init(&b);
	diag_verdict_json(&b, v, now);
	assert_null(strchr(b.p, '\x1b'));
	assert_non_null(strstr(b.p, "\\u001b]0;owned\\u0007"));
	assert_non_null(strstr(b.p, "\"verdict\":\"auth-failed\""));
	assert_non_null(strstr(b.p, "\"conn\":null"));
	json_buf_free(&b);
	diag_free(d);
}

/* The text output shows what a hostile daemon or peer sent escaped. */
static void test_text_hostile(void **state)
{
	static const char *const lines[] = {
	        "{\"event\":\"list-conn\",\"data\":{\"ev\\u001b[31mil\":{\"children\":"
	        "{\"ev-lan\":{\"local-ts\":[\"10.0.0.0/24\"],\"remote-ts\":[\"10.9.0.0/24\"]}}}}}",
	        "{\"event\":\"log\",\"time\":10,\"data\":{\"group\":\"CFG\",\"level\":\"1\","
	        "\"ikesa-name\":\"(unnamed)\",\"ikesa-uniqueid\":\"7\",\"msg\":\"looking for peer "
	        "configs matching 192.0.2.2[x]...192.0.2.1[evil\\u001b]0;owned\\u0007]\"}}",
	        "{\"event\":\"log\",\"time\":10,\"data\":{\"group\":\"CFG\",\"level\":\"1\","
	        "\"ikesa-name\":\"(unnamed)\",\"ikesa-uniqueid\":\"7\",\"msg\":\"no matching peer "
	        "config found\"}}",
	        "{\"event\":\"list-sa\",\"time\":11,\"data\":{\"ev\\u001b[31mil\":{\"uniqueid\":"
	        "\"3\",\"state\":\"ESTABLISHED\",\"child-sas\":{}}}}",
	};
	struct why *w = why_new(true);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		feed_json(w, lines[i]);
	why_flush(w);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	why_render(w, f, NULL, 0, false, false, why_now(w));
	fclose(f);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 && out[i] != '\n')
			fail_msg("control byte 0x%02x at %zu in:\n%s", out[i], i, out);
	assert_non_null(strstr(out, "ev\\x1b[31mil")); /* the connection, child-missing */
	assert_non_null(strstr(out, "child-missing"));
	assert_non_null(strstr(out, "evil\\x1b]0;owned\\x07")); /* the peer's identity */
	assert_non_null(strstr(out, "peer 192.0.2.1"));
	free(out);

	/* an age of six characters (12m05s) keeps DETAIL in its column */
	f = open_memstream(&out, &len);
	why_render(w, f, NULL, 0, false, false, why_now(w) + 725000);
	fclose(f);
	const char *row = strstr(out, "12m05s  IKE SA #3 is up");
	assert_non_null(row);
	while (row > out && row[-1] != '\n')
		row--;
	const char *head = strstr(out, "DETAIL");
	assert_non_null(head);
	assert_int_equal(strstr(row, "IKE SA #3") - row, head - out);
	free(out);
	why_free(w);
}

/* swantop why's arguments */
static void test_why_args(void **state)
{
	struct cli_why_args a;
	char err[200];
	char *ok[] = {"why", "site1", "--json", "-w", "2.5", "--replay", "f", "--all", "site2"};
	assert_int_equal(cli_why_parse(9, ok, &a, err, sizeof(err)), -EINVAL); /* replay+wait */
	cli_why_args_free(&a);
	char *ok2[] = {"why", "site1", "--json", "--replay=f", "--all", "--", "-odd-name"};
	assert_int_equal(cli_why_parse(7, ok2, &a, err, sizeof(err)), 0);
	assert_int_equal(a.nconns, 2);
	assert_string_equal(a.conns[1], "-odd-name");
	assert_int_equal(a.nreplay, 1);
	assert_true(a.json && a.all);
	cli_why_args_free(&a);
	char *wait[] = {"why", "-u", "unix:///tmp/x.vici", "--wait", "3"};
	assert_int_equal(cli_why_parse(5, wait, &a, err, sizeof(err)), 0);
	assert_int_equal(a.wait_ms, 3000);
	cli_why_args_free(&a);
	char *bad[][3] = {
	        {"why", "--wait", "soon"}, {"why", "--uri", "http://x"}, {"why", "--frob", ""}};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cli_why_parse(bad[i][2][0] ? 3 : 2, bad[i], &a, err, sizeof(err)),
		                 -EINVAL);
		assert_true(err[0]);
		cli_why_args_free(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_healthy),
	        cmocka_unit_test(test_badpsk),
	        cmocka_unit_test(test_badpsk_action),
	        cmocka_unit_test(test_ike_proposal),
	        cmocka_unit_test(test_ike_proposal_v1),
	        cmocka_unit_test(test_esp_proposal),
	        cmocka_unit_test(test_ts_mismatch),
	        cmocka_unit_test(test_unknown_id),
	        cmocka_unit_test(test_dead),
	        cmocka_unit_test(test_peer_delete),
	        cmocka_unit_test(test_dpd),
	        cmocka_unit_test(test_child_missing),
	        cmocka_unit_test(test_untrap),
	        cmocka_unit_test(test_tables_only),
	        cmocka_unit_test(test_child_grace),
	        cmocka_unit_test(test_clear_on_up),
	        cmocka_unit_test(test_clear_on_tables),
	        cmocka_unit_test(test_log_and_control_log),
	        cmocka_unit_test(test_actions),
	        cmocka_unit_test(test_wording),
	        cmocka_unit_test(test_no_verdict),
	        cmocka_unit_test(test_event_without_id),
	        cmocka_unit_test(test_hostile),
	        cmocka_unit_test(test_text_hostile),
	        cmocka_unit_test(test_why_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
