/*
 * The diagnosis engine's records (diag_records.c), shared by the files that
 * feed them: subjects with their verdict slots, the attempts (what charon
 * does under one IKE SA), the snapshot of the connections, the retry
 * commands and the queries. Not part of the public interface (see diag.h).
 *
 * The engine's files, each using only those below it:
 *
 *   diag_state.c    what list-sas, list-conns and list-policies prove
 *   diag_lines.c    charon's lines, SA events and action outcomes
 *   diag_records.c  the records, their lifetime and the queries
 *   diag_rules.c    charon's messages and the verdicts' wording
 *   diag.c          the public names and the JSON of a verdict
 */
#ifndef SWANTOP_MODEL_DIAG_RECORDS_H
#define SWANTOP_MODEL_DIAG_RECORDS_H

#include "model/containers.h"
#include "model/diag.h"

/* ---- records ---------------------------------------------------------------- */

/* A verdict with the strings it owns. */
struct vslot {
	struct diag_verdict v;
	bool set;
	char *peer, *peer_id, *detail, *ours, *theirs, *next, *retry;
	struct diag_line lines[DIAG_EVIDENCE_MAX];
	/* the attempt counted last: IKE SA, try, CHILD exchange */
	uint32_t inst_ike;
	unsigned inst_try, inst_child;
};

enum subj_kind {
	S_CONN, /* a connection (IKE layer) or one of its CHILD configs */
	S_PEER, /* a peer address no connection matched */
};

/* What a verdict is about. */
struct subj {
	enum subj_kind kind;
	enum diag_layer layer;
	char *conn;  /* "" for S_PEER */
	char *child; /* "" for the IKE layer, or a CHILD verdict of unknown config */
	char *addr;  /* S_PEER: the peer's address (the key) */
	char *key;   /* subj_map's key (kind, layer, name, CHILD name) */
	size_t key_len;
	struct vslot ev;   /* from charon's lines and events: current or history */
	struct vslot live; /* from the tables: only while it holds */
	uint32_t cleared_ike, cleared_child; /* the SAs that last brought it up */
	bool quiet;      /* IKE: terminated by request, not expected up until it was */
	bool seen_up;    /* IKE: was up once (restart actions apply) */
	bool trap_seen;  /* CHILD: its trap policy was there once */
	bool up;         /* CHILD: has a CHILD SA installed (last we heard) */
	int64_t touched; /* S_PEER: last verdict, for forgetting the oldest */
};

/* A snapshot of one connection from the last diag_update() with connections. */
struct cchild {
	char *name, *local_ts, *remote_ts;
	char *start_action, *dpd_action, *close_action;
};

struct cconn {
	char *name;
	struct cchild *children;
	size_t n_children;
};

/* What charon does under one IKE SA uniqueid: the lines the rule table
 * knows (evidence), where it stands and the proposals of the negotiation
 * in progress (diag_lines.c reads and writes them). */
#define DIAG_ATT_RING 16

struct attempt {
	uint32_t ike_id;
	char *name, *peer, *peer_id, *local_id;
	char *theirs, *ours; /* proposals of the negotiation in progress */
	char *child;         /* the CHILD exchange we initiated, or NULL */
	uint32_t child_id;
	unsigned try_no, child_seq;
	bool established, rekeyed, dpd, del_child_pending;
	uint32_t closed[4]; /* CHILD SAs the peer deleted, awaiting their down event */
	char *closed_name[4];
	uint32_t downs[4]; /* CHILD SAs reported down, awaiting the peer's delete */
	int64_t last_seen, connecting_since;
	struct diag_line ring[DIAG_ATT_RING]; /* evidence, oldest first */
	size_t n_ring;
};

struct diag {
	struct diag_config cfg;
	uint64_t gen;
	bool dirty;
	/* the end of the first grace that held a table verdict back in the
	 * last diag_update() (MODEL_TIME_NONE: none) */
	int64_t recheck_at;

	/* subjs: in the order they came (the index is what subj_map holds);
	 * order: the same sorted as diag_at() lists them */
	struct subj **subjs, **order;
	size_t n_subjs, cap_subjs;
	struct strmap subj_map; /* key: subj_key() */

	/* the verdicts diag_at() lists, and the current ones by SA uniqueid,
	 * rebuilt by the first query after a change (a batch of feeds costs
	 * one rebuild) */
	const struct diag_verdict **shown;
	size_t n_shown;
	bool shown_stale;
	struct idmap sa_map, child_sa_map;

	struct attempt **atts;
	size_t n_atts;
	struct idmap att_map; /* IKE uniqueid -> struct attempt * */

	struct cconn *conns;
	size_t n_conns;
	struct strmap conn_map;

	/* lines seen recently, so a line arriving both as log and as
	 * control-log counts once */
	struct {
		uint32_t ike_id, hash;
		int64_t time;
		uint8_t src;
	} recent[32];
	size_t recent_head;
	unsigned action_seq;        /* failed actions without an IKE SA, for counting */
	uint64_t ev_next, log_next; /* diag_feed_model(): the next ring seqs */
};

/* An IKE SA name that names no connection: empty, or charon's "(unnamed)"
 * for a responder before it picked a peer config. */
bool diag_unnamed(struct model_str s);
char *diag_dupstr(struct model_str s);
/* The same into buf (cut to size - 1 bytes; charon's names are far
 * shorter than DIAG_NAME_MAX): no allocation. Returns buf. */
#define DIAG_NAME_MAX 512
const char *diag_cstr(char *buf, size_t size, struct model_str s);
/* Replaces *dst with a copy of s (NULL: none). */
void diag_set_str(char **dst, const char *s);
void diag_line_free(struct diag_line *l);
void diag_line_copy(struct diag_line *dst, const struct diag_line *src);
void diag_vslot_free(struct vslot *s);
/* Points the slot's public view at its strings and its subject's names. */
void diag_vslot_view(struct subj *sj, struct vslot *s);
/* Forgets the oldest peer subject when there are more than max_peers. */
void diag_peers_trim(struct diag *d);
/* After a feed: counts a change for diag_generation(); the queries
 * rebuild what they read. */
void diag_finish(struct diag *d);
/* The subjects of a connection: d->order[first .. *end). */
size_t diag_conn_range(const struct diag *d, const char *conn, size_t *end);

/* The record for a key, created if asked; NULL if not found. */
struct subj *diag_subj(struct diag *d, enum subj_kind kind, enum diag_layer layer, const char *conn,
                       const char *child, bool create);
/* Makes a verdict history: not current any more. Returns true if it was. */
bool diag_vslot_clear(struct diag *d, struct vslot *s, int64_t now);
/* Drops a verdict entirely (state verdicts that no longer hold). */
void diag_vslot_drop(struct diag *d, struct vslot *s);

/* ---- attempts --------------------------------------------------------------- */

/* The attempt of an IKE SA, created if asked (the least recently seen is
 * forgotten when there are max_attempts); NULL if not found. Marks it seen
 * at now. */
struct attempt *diag_att_get(struct diag *d, uint32_t ike_id, int64_t now, bool create);
/* The time an IKE SA was first seen CONNECTING (now if never). */
int64_t diag_connecting_since(struct diag *d, uint32_t ike_id, int64_t now);
/* What the SA table tells about an IKE SA whose lines are followed: its
 * connection and peer address, if its lines did not say. */
void diag_learn_sa(struct diag *d, uint32_t ike_id, struct model_str name, struct model_str remote,
                   int64_t now);

/* ---- the connections and retry commands ------------------------------------- */

/* Replaces the connection snapshot with the model's connections. */
void diag_conns_load(struct diag *d, const struct model *m);
/* The connection snapshot by name, or NULL. */
const struct cconn *diag_conn(const struct diag *d, const char *name);
/* The swanctl command to retry a subject's verdict (malloc'd). */
char *diag_retry_cmd(const struct diag *d, const struct subj *sj, enum diag_code code);

#endif
