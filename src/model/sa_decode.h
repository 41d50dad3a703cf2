/*
 * Decoding of the SA messages: list-sa and the five SA events share one
 * layout (optional root keys, then a section named after the IKE SA holding
 * its keys and a child-sas section), with two variants for the rekey events.
 * Internal to src/model.
 */
#ifndef SWANTOP_MODEL_SA_DECODE_H
#define SWANTOP_MODEL_SA_DECODE_H

#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sa_layout {
	SA_LAYOUT_FLAT,        /* list-sa, ike-updown, ike-update, child-updown */
	SA_LAYOUT_IKE_REKEY,   /* ike-rekey: <name>{old{...} new{...}} */
	SA_LAYOUT_CHILD_REKEY, /* child-rekey: child-sas{<name>{old{...} new{...}}} */
};

/* What a CHILD SA of a child-rekey was: the one replaced or its successor. */
enum sa_role { ROLE_PLAIN, ROLE_OLD, ROLE_NEW };

/* One SA message, decoded. Every string points into the message, which is
 * the caller's: sa_own_ike()/sa_own_child() give the model its own copies. */
struct sa_msg {
	struct model_ike ike;     /* for ike-rekey the old IKE SA */
	struct model_ike ike_new; /* ike-rekey only: the new IKE SA */
	/* root keys: "up" of ike-updown/child-updown, the new addresses of
	 * ike-update ("" and 0 if absent) */
	bool up;
	struct model_str local_host, remote_host;
	uint16_t local_port, remote_port;
	/* the CHILD SAs in message order, with their roles (scratch space of the
	 * model, valid until the next decode) */
	struct model_child *children;
	const int *roles;
	size_t n_children;
};

struct model;

/* Sets up the templates the decoder starts each object from. */
void sa_decode_init(struct model *m);
/* Frees the decoder's scratch space. */
void sa_decode_free(struct model *m);

/* Decodes msg where it is (its strings stay valid as long as msg). Returns
 * 0, or -EBADMSG: a message that is malformed, has no IKE SA section, an IKE
 * SA without uniqueid, or (for ike-rekey) lacks the old or the new IKE SA. */
int sa_decode(struct model *m, const void *msg, size_t len, enum sa_layout layout, int64_t now,
              struct sa_msg *d);

/* Makes the strings and lists of a decoded IKE SA f (pointing into a
 * message) the model's own before f is stored over old (the stored SA, or
 * NULL): old's own when they are all the same and no raw elements are to be
 * kept, else a new compact block holding just those bytes (a list-sa is
 * about three times larger), returned with one reference for the caller to
 * store in priv.blk. With raw, f->raw is copied too; without it, it is
 * cleared (the detail view of an SA asks for its raw elements). Returns
 * NULL when old's block is reused. */
struct model_blk *sa_own_ike(struct model *m, struct model_ike *f, const struct model_ike *old,
                             bool raw);
/* The same for a CHILD SA. */
struct model_blk *sa_own_child(struct model *m, struct model_child *f,
                               const struct model_child *old, bool raw);

#endif
