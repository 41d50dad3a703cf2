/*
 * "Why is it down?": a verdict for every connection that is not up, backed
 * by charon's own log lines.
 *
 * The engine is pure (no clock, no socket; `now` is monotonic ms as in the
 * model) and learns from four feeds, in any order and interleaving (a host
 * that keeps a model calls diag_feed_model() after ingesting, diag_update()
 * after a refresh, diag_feed_action() with each action's outcome):
 *
 *   - log lines: the `log` event (diag_feed_log()) and the control-log of
 *     commands swantop runs itself (diag_feed_event() with a
 *     MODEL_EV_CONTROL_LOG event, or diag_feed_line() with the fields);
 *   - SA events: ike-updown, child-updown, ike-rekey, child-rekey as the
 *     model records them (diag_feed_event());
 *   - outcomes of actions swantop starts (diag_feed_action());
 *   - the state: list-sas, list-conns, list-policies as held by a model
 *     (diag_update()), which also derives verdicts from the tables alone
 *     (a peer that never answered, a half-open SA, a missing CHILD SA, a
 *     trap policy that went away) when nothing was seen in the log.
 *
 * charon raises log events from a queue of their own, so a line may reach
 * us before or after the up/down event it explains; nothing here depends on
 * that order. Lines are tied to their IKE SA by uniqueid; a line of an IKE
 * SA with no connection yet (a responder before it picked a peer config,
 * "(unnamed)" in charon's words) counts for the peer's address.
 *
 * Verdicts. Each connection (and each CHILD config of it, and each peer
 * address no connection matched) keeps its latest verdict: a stable code,
 * who refused (we or the peer), IKE or CHILD, when, how often in a row,
 * the evidence (up to DIAG_EVIDENCE_MAX of charon's lines, raw), one line
 * on what to check next and the swanctl command to retry.
 *
 * Current and history. A verdict is "current" while it explains why the
 * connection is not up. It stops being current (and stays readable as the
 * last failure, with cleared_at) when the connection comes up properly: an
 * ike-updown up for the connection (IKE verdicts) or a child-updown up of
 * that CHILD config (CHILD verdicts), or a state in which the connection
 * is up through an SA other than the one the verdict blames (a snapshot
 * that still shows the failed SA itself does not clear it: the table may
 * be older than the failure). A line of an older IKE SA (smaller uniqueid)
 * than the one that brought the connection up never makes a verdict
 * current again. The UI shows only current verdicts as the reason and may
 * show the rest as "last failure".
 *
 * Feeding stored events later (a history store) is a matter of calling the
 * same feed functions with the stored times.
 *
 * Lifetime: pointers returned by queries (verdicts, their strings and
 * lines) stay valid until the next feed call or diag_update(). Strings are
 * kept as charon sent them (raw bytes, NUL-terminated copies): sanitise
 * them before they reach a terminal.
 */
#ifndef SWANTOP_MODEL_DIAG_H
#define SWANTOP_MODEL_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/json.h"

enum diag_code {
	DIAG_NONE = 0,
	DIAG_NO_PROPOSAL,      /* "no-proposal": no common IKE or ESP/AH proposal */
	DIAG_TS_UNACCEPTABLE,  /* "ts-unacceptable": traffic selectors do not overlap */
	DIAG_AUTH_FAILED,      /* "auth-failed": PSK/certificate/identity/peer config */
	DIAG_PEER_UNREACHABLE, /* "peer-unreachable": no answer while connecting */
	DIAG_PEER_DELETED,     /* "peer-deleted": the peer sent a DELETE */
	DIAG_DPD_DEAD,         /* "dpd-dead": an established peer stopped answering */
	DIAG_REKEY_FAILED,     /* "rekey-failed": rekeying/reauthentication failed */
	DIAG_INSTALL_FAILED,   /* "install-failed": the kernel refused SA or policy */
	DIAG_SHOULD_BE_UP,     /* "should-be-up": start/trap/restart, yet nothing is there */
	DIAG_HALF_OPEN,        /* "half-open": an exchange began and never finished */
	DIAG_CHILD_MISSING,    /* "child-missing": IKE SA up, a configured CHILD SA not */
	DIAG_REFUSED,          /* "refused": another error notify from the peer */
	DIAG_UNKNOWN,          /* "unknown": it failed, charon's lines say nothing we know */
	DIAG_CODE_COUNT
};

enum diag_side {
	DIAG_SIDE_UNKNOWN = 0, /* "unknown" */
	DIAG_SIDE_LOCAL,       /* "local": this charon refused / failed */
	DIAG_SIDE_PEER,        /* "peer": the peer refused / failed */
};

enum diag_layer {
	DIAG_LAYER_IKE = 0, /* "IKE" */
	DIAG_LAYER_CHILD,   /* "CHILD" */
};

/* The stable words above. Static strings; "" for DIAG_NONE, "?" if out of range. */
const char *diag_code_name(enum diag_code c);
/* The code of a word (as stored in a history record); DIAG_NONE if it is
 * none of them. */
enum diag_code diag_code_parse(const char *word, size_t len);
const char *diag_side_name(enum diag_side s);
const char *diag_layer_name(enum diag_layer l);

/* Evidence lines kept per verdict, and the bytes kept of one line. */
#define DIAG_EVIDENCE_MAX 8
#define DIAG_LINE_MAX 1024

/* One of charon's log lines, as received. */
struct diag_line {
	int64_t time;
	uint32_t ike_id; /* 0 if the line named no IKE SA */
	int level;
	char group[8];   /* "IKE", "CFG", ... (NUL-terminated, cut at 7 bytes) */
	const char *msg; /* raw bytes, NUL-terminated copy (may hold other bytes) */
	size_t len;
};

struct diag_verdict {
	enum diag_code code;
	enum diag_side side;
	enum diag_layer layer;
	const char *conn;    /* connection name; "" for a peer no connection matched */
	const char *child;   /* CHILD config name; "" for IKE verdicts or when charon did
	                        not say which CHILD config (a responder) */
	const char *peer;    /* the peer's address, "" if unknown */
	const char *peer_id; /* the peer's identity as charon logged it, "" if unknown */
	uint32_t ike_id;     /* the IKE SA of the latest occurrence, 0 if none */
	uint32_t child_id;   /* the CHILD SA of the latest occurrence, 0 if unknown */
	bool current;        /* explains why it is not up now (else: history) */
	bool from_state;     /* derived from the SA/policy tables alone, no log line */
	int64_t first_at;    /* first occurrence of this code in a row */
	int64_t last_at;     /* latest occurrence */
	int64_t cleared_at;  /* when it stopped being current (MODEL_TIME_NONE while current) */
	unsigned count;      /* occurrences in a row (attempts), >= 1 */
	const char *detail;  /* one line: what happened */
	const char *ours;    /* no-proposal: our proposals; ts-unacceptable: our selectors;
	                        "" if unknown */
	const char *theirs;  /* the same from the peer, where charon logged them */
	const char *next;    /* one line: what to check next */
	const char *retry;   /* the swanctl command to retry, "" if there is none (a peer
	                        no connection matched) */
	const struct diag_line *lines; /* n_lines evidence lines, oldest first */
	size_t n_lines;
};

struct diag_config {
	/* An IKE SA seen CONNECTING for less than this is still "on its way"
	 * and gets no peer-unreachable/half-open verdict from the state alone
	 * (default 5000 ms; negative: at once, for a one-shot snapshot). Lines that
	 * say why (retransmits, giving up) count at once either way. */
	int64_t connecting_grace_ms;
	/* An IKE SA established for less than this (by charon's own
	 * `established` seconds) may still be building its CHILD SAs (a
	 * second CHILD config comes with CREATE_CHILD_SA after IKE_AUTH) and
	 * gets no child-missing verdict from the state alone (default 5000 ms;
	 * negative: at once). Lines that say why a CHILD SA failed count at once. */
	int64_t child_grace_ms;
	/* IKE SAs whose lines are followed at once (default 256; the least
	 * recently seen is forgotten first). */
	size_t max_attempts;
	/* Peer addresses kept for attempts no connection matched (default 64). */
	size_t max_peers;
};

struct diag;

/* cfg may be NULL (defaults); zero fields take their default. */
struct diag *diag_new(const struct diag_config *cfg);
void diag_free(struct diag *d);

/* ---- feeding ------------------------------------------------------------ */

/* One log or control-log line with its fields (borrowed, copied as needed):
 * group ("IKE"), level, ikesa-name ("" if absent), ikesa-uniqueid (0 if
 * absent) and msg. Lines that mean nothing to the engine are ignored. */
void diag_feed_line(struct diag *d, int64_t now, struct model_str group, int level,
                    struct model_str ike_name, uint32_t ike_id, struct model_str msg);
/* A line of the model's log ring (its time is l->time). */
void diag_feed_log(struct diag *d, const struct model_log_line *l);
/* An entry of the model's events ring: ike-up/down, child-up/down,
 * ike-rekey, child-rekey and control-log are used, the rest ignored. A
 * control-log line that also arrives as a log line counts once. */
void diag_feed_event(struct diag *d, const struct model_event *ev);

/* Feeds the entries the model added to its events and log rings since the
 * last call (diag_feed_event()/diag_feed_log() each): call it after
 * ingesting a batch of messages. Entries that fell off a full ring before
 * this call are missed. */
void diag_feed_model(struct diag *d, const struct model *m);

/* The outcome of an action swantop started: verb "initiate", "terminate",
 * "rekey", "install", ...; ike/child the names it was given ("" if none;
 * child names are looked up in the connections of the last
 * diag_update()); errmsg charon's errmsg ("" on success). A failed
 * initiate or install that no log line explained gets DIAG_UNKNOWN with the
 * errmsg; a successful terminate of a connection is the operator's wish
 * and clears its current verdicts. */
void diag_feed_action(struct diag *d, int64_t now, const char *verb, const char *ike,
                      const char *child, bool ok, const char *errmsg);

/* Which of the model's tables hold a fresh listing (bits (1u << enum
 * model_table)). Tables not named are not looked at: a table never loaded
 * proves nothing. */
#define DIAG_TABLES_ALL                                                                            \
	((1u << MODEL_TABLE_SAS) | (1u << MODEL_TABLE_CONNS) | (1u << MODEL_TABLE_POLS))

/* Reconciles with the model's SAs, connections and policies: clears
 * verdicts of connections that are up, and derives peer-unreachable
 * (IKE SA CONNECTING as initiator with a zero responder SPI), half-open,
 * child-missing and should-be-up from the tables. Call after a refresh
 * changed any of them (cheap: one pass over SAs and connections). */
void diag_update(struct diag *d, const struct model *m, unsigned tables, int64_t now);

/* ---- queries ------------------------------------------------------------- */

/* Increases whenever a verdict changes (for redraws). */
uint64_t diag_generation(const struct diag *d);

/* When the last diag_update() held a verdict from the tables back because
 * an SA was still in its grace (connecting_grace_ms, child_grace_ms): the
 * time the first such grace ends, when the same tables may prove a verdict
 * (call diag_update() again then, even if nothing changed).
 * MODEL_TIME_NONE when nothing waits. */
int64_t diag_recheck_at(const struct diag *d);

/* Every verdict held, current ones and history, ordered by connection name
 * (peers no connection matched last, by address), IKE before CHILD. */
size_t diag_count(const struct diag *d);
const struct diag_verdict *diag_at(const struct diag *d, size_t i);

/* The current verdict of a connection: its IKE verdict if there is one,
 * else its most recent current CHILD verdict; NULL when it is up, was
 * never used, or everything was cleared. */
const struct diag_verdict *diag_conn_verdict(const struct diag *d, const char *conn);
/* The latest verdict of a connection, current or not (the "last failure"). */
const struct diag_verdict *diag_conn_last(const struct diag *d, const char *conn);
/* The current verdict of one CHILD config of a connection (a verdict that
 * does not know its CHILD config counts for each), or NULL. */
const struct diag_verdict *diag_child_verdict(const struct diag *d, const char *conn,
                                              const char *child);
/* The current verdict about one SA: an IKE SA (child_id 0) or a CHILD SA,
 * by uniqueid, or NULL. */
const struct diag_verdict *diag_sa_verdict(const struct diag *d, uint32_t ike_id,
                                           uint32_t child_id);
/* The current verdict for a peer address no connection matched, or NULL. */
const struct diag_verdict *diag_peer_verdict(const struct diag *d, const char *addr);

/* ---- rendering ------------------------------------------------------------ */

/* Appends one verdict as a JSON object (raw strings escaped by
 * json_put_value(); ages in seconds before `now`). The keys are listed in
 * README.md (swantop why --json). */
void diag_verdict_json(struct json_buf *b, const struct diag_verdict *v, int64_t now);

#endif
