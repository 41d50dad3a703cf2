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

/* One SA message, decoded. Every string points into blk. */
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
	const struct model_child *children;
	const int *roles;
	size_t n_children;
	struct model_blk *blk; /* the copy of the message, one reference */
};

struct model;

/* Sets up the templates the decoder starts each object from. */
void sa_decode_init(struct model *m);
/* Frees the decoder's scratch space. */
void sa_decode_free(struct model *m);

/* Copies msg into a new block and decodes it. Returns 0 with the block in
 * d->blk (the caller unrefs it), or -EBADMSG holding nothing: a message that
 * is malformed, has no IKE SA section, an IKE SA without uniqueid, or (for
 * ike-rekey) lacks the old or the new IKE SA. */
int sa_decode(struct model *m, const void *msg, size_t len, enum sa_layout layout, int64_t now,
              struct sa_msg *d);

#endif
