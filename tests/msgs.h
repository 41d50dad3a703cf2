/*
 * VICI messages in charon 5.9.8's layout (the key names and order of
 * list_ike()/list_child() and the event listeners in vici_query.c), built
 * for tests that need a model with SAs, connections and rekeys in it, and
 * helpers that feed them to a model.
 */
#ifndef SWANTOP_TESTS_MSGS_H
#define SWANTOP_TESTS_MSGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct ike_spec {
	const char *name;
	uint32_t uid;
	const char *state; /* default ESTABLISHED */
	const char *local, *remote;
	const char *responder_spi; /* default a1b2c3d4e5f60718 */
	int established;           /* -1: absent */
	int rekey;                 /* -1: absent */
	bool initiator;
};

struct child_spec {
	const char *name;
	uint32_t uid;
	uint32_t reqid;    /* default uid + 1000 */
	const char *state; /* default INSTALLED */
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
	int install; /* seconds since install */
	int rekey, life;
	const char *lts, *rts;
};

/* A built message (p allocated). */
struct msg {
	uint8_t *p;
	size_t len;
};

struct vici_builder;
/* The message b built (aborts if b failed). */
struct msg msg_finish(struct vici_builder *b);

struct msg msg_list_sa(const struct ike_spec *s, const struct child_spec *c, size_t n);
struct msg msg_ike_updown(bool up, const struct ike_spec *s);
struct msg msg_child_updown(bool up, const struct ike_spec *s, const struct child_spec *c);
struct msg msg_child_rekey(const struct ike_spec *s, const struct child_spec *o,
                           const struct child_spec *n);
struct msg msg_ike_rekey(const struct ike_spec *o, const struct ike_spec *n);
/* An ike-update event: the IKE SA moved to new_remote:port (MOBIKE). */
struct msg msg_ike_update(const struct ike_spec *s, const char *new_remote, int port);
/* A connection with the given child configs (start_action each, or NULL). */
struct msg msg_list_conn(const char *name, const char *const *children, const char *const *start,
                         size_t n);
/* A policy of list-policies: key "IKE/CHILD" (or "CHILD") in mode
 * ("TUNNEL", "DROP", "PASS", ...) between lts and rts. */
struct msg msg_list_pol(const char *key, const char *mode, const char *lts, const char *rts);
/* A control-log event of a running request. */
struct msg msg_control_log(const char *group, int level, const char *text);

/* Ingests msg as event (and frees it); returns the model's result. */
int msg_feed(struct model *m, const char *event, struct msg msg, int64_t now);
/* A full sweep of the SA table listing exactly these IKE SAs with these
 * CHILD SAs (children[i] has nchildren[i] entries). */
void msg_sweep_sas(struct model *m, const struct ike_spec *ikes,
                   const struct child_spec *const *children, const size_t *nchildren, size_t n,
                   int64_t now);
/* A full sweep of table t by these messages of event ("list-policy", ...),
 * freed. */
void msg_sweep(struct model *m, enum model_table t, const char *event, const struct msg *msgs,
               size_t n, int64_t now);
/* A full sweep of the connections. */
void msg_sweep_conns(struct model *m, const struct msg *conns, size_t n, int64_t now);

#endif
