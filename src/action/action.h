/*
 * Operator actions as verbs: what initiate, terminate, rekey, redirect,
 * install and uninstall mean, in one place.
 *
 * A verb acts on a target. A target is an identity held by value (unique
 * ids, names), never a pointer into the model, so it can wait in a
 * confirmation question while the model changes under it. Planning turns a
 * verb and a target into the VICI requests to send, each with a label for
 * the screen ("terminate IKE SA site1 #3") and the equivalent swanctl
 * command ("swanctl --terminate --ike-id 3"), reading the model where the
 * verb needs to (initiate starts only the children that are not up yet;
 * a typed name is an IKE or a CHILD name depending on what charon has).
 * Planning is pure; action/runner.h sends what a plan holds.
 *
 * Each verb lives in a file of its own (initiate.c, terminate.c, rekey.c,
 * install.c for install and uninstall, redirect.c); the key 't' and the
 * command line's ":terminate" reach the same VERB_TERMINATE.
 */
#ifndef SWANTOP_ACTION_ACTION_H
#define SWANTOP_ACTION_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

enum verb {
	VERB_NONE = 0,
	VERB_INITIATE,
	VERB_TERMINATE,
	VERB_REKEY,
	VERB_REDIRECT,
	VERB_INSTALL,
	VERB_UNINSTALL,
	VERB_COUNT
};

/* Longest name a target holds (bytes); VICI names of connections and
 * children are far shorter. */
#define TARGET_NAME_MAX 256

/* A name as charon sent it or the operator typed it: any bytes. */
struct target_name {
	uint16_t len;
	char s[TARGET_NAME_MAX + 1]; /* NUL-terminated copy (may hold NULs) */
};

enum target_kind {
	TARGET_NONE = 0,
	TARGET_IKE_SA,     /* one IKE SA: ike_id (ike: its name, for labels) */
	TARGET_CHILD_SA,   /* one CHILD SA: child_id, its IKE SA ike_id, names, reqid */
	TARGET_CONN,       /* a connection by name (ike): all its child configs */
	TARGET_CHILD_CONF, /* a child config by name (child), of connection ike if known */
	TARGET_NAME,       /* a name typed on the command line (ike), resolved by the verb */
};

struct target {
	enum target_kind kind;
	uint32_t ike_id, child_id;
	uint32_t reqid;                /* CHILD SA: stays the same across its rekeys */
	uint64_t epoch;                /* SAs: the model's epoch of the IKE SA, 0 unchecked */
	struct target_name ike, child; /* connection or IKE SA name; CHILD name */
	struct target_name arg;        /* redirect: the gateway */
};

/* Sets a target name from bytes; false (name left empty) if longer than
 * TARGET_NAME_MAX. */
bool target_name_set(struct target_name *n, const void *s, size_t len);
/* Targets of the usual kinds, filled from the model's objects (copied). */
void target_ike_sa(struct target *t, const struct model_ike *ike);
void target_child_sa(struct target *t, const struct model_ike *ike, const struct model_child *c);
void target_conn(struct target *t, const struct model_conn *c, const struct model_conn_child *ch);
/* Two targets name the same thing. */
bool target_same(const struct target *a, const struct target *b);

/* Follows an SA target to what it is now: the same SA, or its successor
 * after IKE/CHILD rekeys (by the model's rekey events, else a CHILD SA of
 * the same name and reqid under the same or the successor IKE SA). Updates
 * the ids. Returns 0, or -ENOENT when the SA is gone (the target is left as
 * it was). Targets of other kinds are left alone and return 0. */
int target_follow(const struct model *m, struct target *t);

/* One VICI request of a plan. */
struct request {
	char label[256];   /* "terminate IKE SA site1 #3" (sanitised, for the screen) */
	char swanctl[320]; /* "swanctl --terminate --ike-id 3" (sanitised, shell-quoted) */
	uint8_t *msg;      /* the request body (owned) */
	size_t len;
	uint64_t tag; /* the caller's, reported back with the result (0: none) */
};

/* What a verb will do for a target. */
struct plan {
	enum verb verb;
	struct request *req; /* n requests, in the order to start them */
	size_t n;
	/* When n == 0: why nothing is to be done ("site1-lan is already up")
	 * or what is wrong; error tells which. */
	char note[256];
	bool error;
};

/* The description of a verb. */
struct verb_def {
	enum verb verb;
	const char *name;  /* VICI command and command-line word: "terminate" */
	const char *doing; /* for the status line while it runs: "terminating" */
	bool destructive;  /* asks for "y" before it acts */
	bool queued;       /* charon only queues it (rekey, redirect): "queued", not "done" */
	/* Fills p for t. force: act even where it looks unneeded (an explicit
	 * command rather than a key press). */
	void (*plan)(const struct model *m, const struct target *t, bool force, struct plan *p);
};

/* The verb's description; NULL for VERB_NONE or out of range. */
const struct verb_def *verb_get(enum verb v);

/* Plans verb v on target t (see verb_def.plan); p must be released with
 * plan_free() whatever the result. */
void verb_plan(const struct model *m, enum verb v, const struct target *t, bool force,
               struct plan *p);
void plan_free(struct plan *p);

/* Everything below is for the verb files. */

struct vici_builder;
/* Finishes b and appends it to p as a request with the given label and
 * swanctl command (already safe: see plan_safe(), plan_quote()). A body
 * that cannot be built (a name too long for VICI) turns p into an error.
 * Returns 0 or -EINVAL. */
int plan_push(struct plan *p, struct vici_builder *b, const char *label, const char *swanctl);
/* Asks charon to wait for the outcome (at most ACTION_CHARON_TIMEOUT_MS)
 * and to stream its control-log meanwhile. */
void plan_blocking(struct vici_builder *b);
/* snprintf that may cut: labels and command lines are for reading, and a
 * name may be long. */
void plan_fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Makes a name safe for labels (sanitised) into buf; returns buf. */
const char *plan_safe(char *buf, size_t size, const struct target_name *n);
/* Shell-quotes a name for a swanctl command line (sanitised too). */
const char *plan_quote(char *buf, size_t size, const struct target_name *n);
/* Sets p's note (printf; arguments already safe); error marks it a
 * refusal rather than "nothing to do". */
void plan_note(struct plan *p, bool error, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* The IKE SA named like t->ike exists, or a connection of that name. */
bool plan_is_ike_name(const struct model *m, const struct target_name *n);

/* Selects the SA (or connection, or child config) of t in b for the SA
 * verbs: ike-id/child-id for SAs, ike/child for names (a typed name is an
 * IKE name if an IKE SA or connection has it, else a CHILD name; ike_only
 * forces ike). Writes what it names to what ("IKE SA site1 #3") and the
 * swanctl options to sw ("--ike-id 3"). Returns 0 or -EINVAL (a target
 * of no such kind). */
int plan_select_sa(const struct model *m, const struct target *t, bool ike_only,
                   struct vici_builder *b, char *what, size_t whatsize, char *sw, size_t swsize);

/* The whole plan of a verb that names one SA (terminate, rekey): the
 * request selects t (plan_select_sa()); blocking waits for the outcome. */
void plan_on_sa(const struct model *m, const struct target *t, const char *verb, bool blocking,
                struct plan *p);

/* The verbs (one file each). */
extern const struct verb_def verb_initiate, verb_terminate, verb_rekey, verb_redirect, verb_install,
        verb_uninstall;

/* How long charon waits for the outcome of an initiate or terminate before
 * it answers (ms). Not 0 ("until done"): with keyingtries=0 an unreachable
 * peer is retried forever, and a waiting initiate pins one of charon's
 * worker threads for as long, even after we hang up. After this charon
 * answers "not established after ..." and the IKE SA keeps trying. */
#define ACTION_CHARON_TIMEOUT_MS 120000

#endif
