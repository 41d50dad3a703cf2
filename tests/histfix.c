/*
 * A history store for tests (see histfix.h), written through the store's
 * API as a recorder would.
 */
#include "histfix.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/store.h"

#define MIN_MS 60000LL
#define HOUR_MS (60 * MIN_MS)

static struct model_str str(const char *s)
{
	return (struct model_str){s, (uint32_t)strlen(s)};
}

static void ev(struct store *s, int64_t t, enum store_kind k, const char *conn, const char *child,
               uint32_t ike, uint32_t child_id, const char *state)
{
	struct store_event e = {.time = t,
	                        .kind = k,
	                        .conn = str(conn),
	                        .child = str(child),
	                        .ike_id = ike,
	                        .child_id = child_id,
	                        .state = str(state),
	                        .remote = str(*conn ? "192.0.2.2" : "")};
	store_add_event(s, &e);
}

static void verdict(struct store *s, int64_t t, const char *conn, uint32_t ike, const char *code,
                    const char *side, const char *detail, const char *evidence)
{
	struct store_event e = {.time = t,
	                        .kind = STORE_EV_VERDICT,
	                        .conn = str(conn),
	                        .ike_id = ike,
	                        .code = str(code),
	                        .side = str(side),
	                        .detail = str(detail),
	                        .evidence = str(evidence)};
	store_add_event(s, &e);
}

static void sample(struct store *s, int64_t t, uint32_t reqid, uint32_t uid, int64_t installed,
                   uint64_t in)
{
	struct store_sample sm = {.time = t,
	                          .conn = str("site1"),
	                          .child = str("site1-lan"),
	                          .reqid = reqid,
	                          .uniqueid = uid,
	                          .installed = installed,
	                          .bytes_in = in,
	                          .bytes_out = in / 2,
	                          .packets_in = in / 1000,
	                          .packets_out = in / 2000};
	store_add_sample(s, &sm);
}

static void site1(struct store *s, int64_t now)
{
	const enum store_kind IU = STORE_EV_IKE_UP, ID = STORE_EV_IKE_DOWN, CU = STORE_EV_CHILD_UP,
	                      CD = STORE_EV_CHILD_DOWN;
	/* two days ago: outside the FLAPS window */
	ev(s, now - 48 * HOUR_MS, ID, "site1", "", 1, 0, "DELETING");
	ev(s, now - 48 * HOUR_MS, CD, "site1", "site1-lan", 1, 1, "DELETED");
	/* the last 24 hours: 3 IKE and 5 CHILD down events */
	ev(s, now - 20 * HOUR_MS, ID, "site1", "", 2, 0, "DELETING");
	ev(s, now - 20 * HOUR_MS, CD, "site1", "site1-lan", 2, 2, "DELETED");
	ev(s, now - 20 * HOUR_MS, CD, "site1", "site1-voip", 2, 3, "DELETED");
	verdict(s, now - 6 * HOUR_MS, "site1", 7, "dpd-dead", "peer",
	        "192.0.2.2 stopped answering DPD (gave up after 5 retransmits)",
	        "giving up after 5 retransmits");
	ev(s, now - 6 * HOUR_MS + 1, ID, "site1", "", 7, 0, "ESTABLISHED");
	ev(s, now - 6 * HOUR_MS + 1, CD, "site1", "site1-lan", 7, 8, "INSTALLED");
	ev(s, now - 150 * MIN_MS, CD, "site1", "site1-lan", 9, 10, "DELETED");
	ev(s, now - 90 * MIN_MS, ID, "site1", "", 9, 0, "DELETING");
	ev(s, now - 90 * MIN_MS, CD, "site1", "site1-lan", 9, 11, "DELETED");
	ev(s, now - 80 * MIN_MS, IU, "site1", "", 12, 0, "ESTABLISHED");
	ev(s, now - 60 * MIN_MS, CU, "site1", "site1-lan", 12, 13, "INSTALLED");
	struct store_event rk = {.time = now - 30 * MIN_MS,
	                         .kind = STORE_EV_CHILD_REKEY,
	                         .conn = str("site1"),
	                         .child = str("site1-lan"),
	                         .ike_id = 12,
	                         .child_id = 13,
	                         .new_id = 14};
	store_add_event(s, &rk);
	/* the last hour's traffic of site1-lan: bucket i (0 oldest) gets
	 * (i + 1) * 6000 bytes in, none in buckets 17..19; reinstalled under
	 * another reqid from bucket 30 */
	int64_t since = now - HOUR_MS;
	uint64_t in = 0;
	sample(s, since, 1, 13, since - MIN_MS, 0);
	for (int i = 0; i < 30; i++) {
		if (i < 17 || i > 19)
			in += (uint64_t)(i + 1) * 6000;
		sample(s, since + (i + 1) * MIN_MS, 1, 13, since - MIN_MS, in);
	}
	in = 0;
	for (int i = 30; i < 60; i++) {
		in += (uint64_t)(i + 1) * 6000;
		sample(s, since + (i + 1) * MIN_MS, 2, 14, since + 30 * MIN_MS + 1, in);
	}
}

int histfix_make(const char *path, int64_t now, char *err, size_t errlen)
{
	struct store *s;
	int rc = store_open(&s, path, STORE_READ_WRITE, err, errlen);
	if (rc < 0)
		return rc;
	site1(s, now);
	verdict(s, now - 10 * MIN_MS, "dead", 20, "peer-unreachable", "peer",
	        "192.0.2.99 never answered (gave up after 5 retransmits)",
	        "giving up after 5 retransmits");
	ev(s, now - 10 * MIN_MS, STORE_EV_IKE_DOWN, "dead", "", 20, 0, "CONNECTING");
	verdict(s, now - 5 * MIN_MS, "ev\x1b[31mil", 21, "auth-failed", "local",
	        "identity evil\x1b]0;owned\x07", "no trusted RSA public key \x1b[2J");
	for (int i = 0; i < HISTFIX_OLD; i++) {
		char text[32];
		snprintf(text, sizeof(text), "old notice %d", i);
		struct store_event e = {.time = now - 2 * HOUR_MS - i * MIN_MS,
		                        .kind = STORE_EV_NOTICE,
		                        .detail = str(text)};
		store_add_event(s, &e);
	}
	rc = store_flush(s);
	if (rc < 0)
		snprintf(err, errlen, "%s", store_errmsg(s));
	store_close(s);
	return rc;
}
