/*
 * Internals shared by the diagnosis engine's files: the table of charon's
 * log messages (diag_rules.c), the engine's records (diag.c) and the
 * reconciliation with the SA, connection and policy tables (diag_state.c).
 * Not part of the public interface (see diag.h).
 */
#ifndef SWANTOP_MODEL_DIAG_PRIV_H
#define SWANTOP_MODEL_DIAG_PRIV_H

#include "model/diag.h"
#include "model/containers.h"

/* ---- charon's messages (diag_rules.c) ------------------------------------ */

/* What a matched line does to its IKE SA's attempt. */
enum diag_rule_kind {
	R_CTX,          /* evidence only */
	R_THEIRS,       /* "received proposals: $1" (always the peer's) */
	R_OURS,         /* "configured proposals: $1" */
	R_SELECTED,     /* "selected proposal: $1": that negotiation succeeded */
	R_PEERCFG,      /* IKEv2 peer config lookup: $1[$2]...$3[$4], ours then the peer */
	R_PEERCFG1,     /* IKEv1: "looking for $1 peer configs matching $2...$3[$4]" */
	R_INIT_I,       /* we initiate: $3 the peer's address */
	R_INIT_R,       /* "$1 is initiating ...": the peer's address */
	R_MYSELF,       /* "authentication of '$1' (myself) with ...": our identity */
	R_PEER_AUTH,    /* "authentication of '$1' with ... successful": the peer's */
	R_CHILD_START,  /* "establishing CHILD_SA $1{$2}" */
	R_CHILD_END,    /* a CHILD exchange ended (failed or established) */
	R_ESTABLISHED,  /* the IKE SA is established */
	R_REKEYED,      /* this IKE SA was rekeyed: its DELETE is no failure */
	R_DPD,          /* "sending DPD request" */
	R_GIVING_UP,    /* retransmits exhausted: unreachable or dead by state */
	R_RETRY,        /* "peer not responding, trying again": verdict, then a new try */
	R_DEL_IKE,      /* "received DELETE for IKE_SA" */
	R_DEL_CHILD,    /* "received DELETE for ESP CHILD_SA with SPI ..." */
	R_CLOSE_CHILD,  /* "closing CHILD_SA $1{$2} with SPIs ..." */
	R_NOTIFY,       /* "received $1 notify error" (v2) / "received $1 error notify" (v1) */
	R_NOTIFY_CHILD, /* "received $1 notify, no CHILD_SA built" */
	R_NOPROP,       /* "no acceptable proposal found": IKE or CHILD by the proposals */
	R_VERDICT,      /* a verdict with the rule's code, side and layer */
};

/* Layer of verdicts that depend on the attempt (established: CHILD). */
#define DIAG_LAYER_AUTO ((enum diag_layer)2)

struct diag_rule {
	const char *pat; /* '*' matches any run of bytes; the first four are $1..$4 */
	enum diag_rule_kind kind;
	enum diag_code code;
	enum diag_side side;
	enum diag_layer layer;
	const char *detail; /* template, see diag_expand(); NULL: the code's default */
	const char *next;   /* template; NULL: the code's default */
};

#define DIAG_CAPS 4

struct diag_match {
	const struct diag_rule *rule;
	struct model_str cap[DIAG_CAPS];
};

/* Finds the rule for a log message (leading blanks ignored). Returns false
 * if charon's message means nothing here. */
bool diag_rule_match(struct model_str msg, struct diag_match *m);

/* A notify name from a "received X notify" line mapped to a verdict: the
 * code (DIAG_NONE for notifies that are part of a normal exchange, such as
 * INVALID_KE_PAYLOAD) and the layer (DIAG_LAYER_AUTO: by the attempt). */
enum diag_code diag_notify_code(struct model_str notify, enum diag_layer *layer);

/* What the templates may name. */
struct diag_vars {
	const char *conn, *child, *peer, *peer_id, *local_id, *ours, *theirs;
	const struct diag_match *match; /* for $1..$4; may be NULL */
};

/* Expands a template into buf (always NUL-terminated, cut if too long):
 * $1..$4 the captures, {conn} {child} {peer} {peer_id} {local_id} {ours}
 * {theirs} the variables; "{peer|the peer}" gives the text after '|' when
 * the variable is empty. Returns buf. */
char *diag_expand(char *buf, size_t size, const char *tmpl, const struct diag_vars *v);

/* The default detail and next-step templates of a verdict. */
const char *diag_default_detail(enum diag_code c, enum diag_side s, enum diag_layer l);
const char *diag_default_next(enum diag_code c, enum diag_side s, enum diag_layer l);

/* ---- the engine's records (diag.c) ---------------------------------------- */

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
	char *conn;        /* "" for S_PEER */
	char *child;       /* "" for the IKE layer, or a CHILD verdict of unknown config */
	char *addr;        /* S_PEER: the peer's address (the key) */
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

struct diag {
	struct diag_config cfg;
	uint64_t gen;
	bool dirty;

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

char *diag_dupstr(struct model_str s);
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
/* What the SA table tells about an IKE SA whose lines are followed: its
 * connection and peer address, if its lines did not say (diag_lines.c). */
void diag_learn_sa(struct diag *d, uint32_t ike_id, struct model_str name, struct model_str remote,
                   int64_t now);
/* Frees the attempts (diag_lines.c). */
void diag_atts_free(struct diag *d);

/* The record for a key, created if asked; NULL if not found. */
struct subj *diag_subj(struct diag *d, enum subj_kind kind, enum diag_layer layer, const char *conn,
                       const char *child, bool create);
/* Makes a verdict history: not current any more. Returns true if it was. */
bool diag_vslot_clear(struct diag *d, struct vslot *s, int64_t now);
/* Drops a verdict entirely (state verdicts that no longer hold). */
void diag_vslot_drop(struct diag *d, struct vslot *s);
/* Sets a verdict derived from the tables (no evidence), keeping first_at
 * while the same code and SA hold. */
void diag_set_live(struct diag *d, struct subj *sj, enum diag_code code, enum diag_side side,
                   uint32_t ike_id, const char *peer, const char *detail, int64_t now);
/* The connection snapshot by name, or NULL. */
const struct cconn *diag_conn(const struct diag *d, const char *name);
/* The swanctl command to retry a subject's verdict (malloc'd). */
char *diag_retry_cmd(const struct diag *d, const struct subj *sj, enum diag_code code);
/* Recomputes the retry commands (after the connections changed). */
void diag_refresh_retry(struct diag *d);
/* The time an IKE SA was first seen CONNECTING (now if never). */
int64_t diag_connecting_since(struct diag *d, uint32_t ike_id, int64_t now);

/* ---- the tables (diag_state.c) ------------------------------------------- */

/* Replaces the connection snapshot with the model's connections. */
void diag_conns_load(struct diag *d, const struct model *m);
void diag_conns_free(struct diag *d);

#endif
