/*
 * The events ring as the SA event ingesters feed it (log.c). Internal to
 * src/model; the public face of both rings is in model.h.
 */
#ifndef SWANTOP_MODEL_LOG_H
#define SWANTOP_MODEL_LOG_H

#include "model/model.h"

/* One entry for the events ring; strings are borrowed (NULL s reads as ""). */
struct ev_args {
	enum model_event_kind kind;
	uint32_t ike_id, child_id, new_id;
	bool redundant;
	struct model_str ike_name, child_name, remote_host, text, group;
	int level;
};

/* Adds one entry, copying its strings. Returns MODEL_CHANGED_EVENTS. */
int events_push(struct model *m, const struct ev_args *a, int64_t now);

#endif
