/*
 * charon's messages as the diagnosis engine reads them (diag_rules.c): the
 * table of log lines that explain why an IKE or CHILD SA did not come up,
 * the notify names that are failures, and the text templates of verdicts
 * (details and next steps). Internal to the engine (see diag.h).
 */
#ifndef SWANTOP_MODEL_DIAG_RULES_H
#define SWANTOP_MODEL_DIAG_RULES_H

#include "model/diag.h"

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

#endif
