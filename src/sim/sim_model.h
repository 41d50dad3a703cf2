/*
 * The simulated daemon state of vicisim: connections (peer configs), IKE SAs
 * with their CHILD SAs, trap policies, and the encoders that turn them into
 * the messages charon 5.9.8 sends (list-sa, list-conn, list-policy, stats,
 * version, ike-updown, child-updown, ike-rekey, child-rekey, log).
 *
 * Nothing here does I/O. Times are whole seconds of CLOCK_MONOTONIC, as in
 * charon, and every time field and counter is computed from "now" when a
 * message is built, so counters grow and countdowns shrink between requests.
 * Encoded list-sa frames are cached per IKE SA for the second they were
 * built in; any change to the SA drops its cache.
 */
#ifndef SWANTOP_SIM_MODEL_H
#define SWANTOP_SIM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vici/wire.h"

enum sim_ike_state {
	SIM_IKE_CONNECTING,
	SIM_IKE_ESTABLISHED,
	SIM_IKE_REKEYING, /* only while the old SA is encoded for ike-rekey */
	SIM_IKE_DELETING, /* only while encoded for the ike-updown down event */
	SIM_IKE_DOWN,     /* not listed at all; comes back at up_at */
};

enum sim_child_state {
	SIM_CHILD_INSTALLED,
	SIM_CHILD_REKEYED,
	SIM_CHILD_DELETED,
};

struct sim_child {
	uint32_t uniqueid, reqid;
	uint32_t spi_in, spi_out;
	int64_t installed, rekey_at, life_at;
	uint32_t rate_in, rate_out; /* bytes per second; 0 = idle, no use-in/out */
	uint16_t pkt_size;
	uint16_t idx;   /* which child config of the connection */
	uint8_t cstate; /* enum sim_child_state */
	bool down;      /* terminated alone: not listed until its IKE SA is re-established */
};

struct sim_ike {
	uint32_t uniqueid;
	uint32_t conn; /* index into sim_model.conns */
	uint32_t peer; /* stable per-slot peer number: addresses and identities */
	enum sim_ike_state state;
	uint64_t spi_i, spi_r;
	int64_t established, rekey_at, reauth_at; /* reauth_at 0: none */
	int64_t up_at; /* when a DOWN SA comes back (0: only on initiate) */
	uint8_t version, proposal;
	bool initiator, nat, vip, stuck;
	struct sim_child *child; /* model->children entries */
	uint8_t *cache;          /* encoded list-sa EVENT frame (valid if cache_len) */
	size_t cache_len, cache_cap;
	int64_t cache_sec;
};

struct sim_conn_cfg {
	char *name;
	bool trap; /* has a trap policy per child */
};

struct sim_model_opts {
	unsigned ike, children, conns, connecting;
	uint64_t seed;
	bool hostile; /* hostile strings in names, identities and log messages */
	bool no_cache;
	bool steady_since; /* stats: no one-second flips of uptime.since */
	unsigned stuck;    /* this many SAs are "checked out" forever */
};

struct sim_model {
	struct sim_model_opts o;
	struct sim_conn_cfg *conns;
	size_t nconns;
	struct sim_ike *ikes;
	size_t nikes, cap;
	uint32_t next_ike_id, next_child_id;
	uint64_t rng;
	int64_t started_ms;  /* monotonic */
	time_t wall_started; /* the wall clock at the start, whole seconds */
	char **child_names;  /* o.children names */
	char *local_id;
	uint64_t cache_hits, cache_misses;
};

/* Monotonic clock in seconds / milliseconds. */
int64_t sim_now(void);
int64_t sim_now_ms(void);

/* Builds the initial state. Returns 0. The model owns everything; free with
 * sim_model_free(). */
int sim_model_init(struct sim_model *m, const struct sim_model_opts *o);
void sim_model_free(struct sim_model *m);

/* Pseudo-random numbers from the model's seeded generator. */
uint64_t sim_rand(struct sim_model *m);

/* Number of IKE SAs that list-sas shows, and of half-open (CONNECTING) ones. */
size_t sim_model_count(const struct sim_model *m, size_t *half_open);

/* Drops the cached frame of one SA (call after any change to it). */
void sim_ike_touch(struct sim_ike *ike);

/* The IKE fields of list_ike() plus, if with_children, the child-sas section
 * (child_name / child_id filter: NULL / 0 for all). Appends one section named
 * after the connection. */
void sim_encode_ike(const struct sim_model *m, struct vici_builder *b, const struct sim_ike *ike,
                    int64_t now, bool with_children, const char *child_name, uint32_t child_id);
/* The address of peer number peer ("100.64.0.1"). */
void sim_peer_addr(char *buf, size_t size, uint32_t peer);
/* charon's "%H[%Y]...%H[%Y]" of an IKE SA:
 * "192.0.2.1[gw.example.org]...100.64.0.1[peer-0@example.org]". */
void sim_ike_between(const struct sim_model *m, const struct sim_ike *ike, char *buf, size_t size);
/* The traffic selectors of CHILD SA config idx of ike, as list-sas shows
 * them ("10.1.0.0/16"). */
void sim_child_ts(const struct sim_ike *ike, unsigned idx, char *local, size_t lsize, char *remote,
                  size_t rsize);
/* Bytes in and out of a CHILD SA so far. */
void sim_child_bytes(const struct sim_child *c, int64_t now, uint64_t *in, uint64_t *out);
/* The IKE fields alone into the current section (ike-rekey old/new). */
void sim_encode_ike_fields(const struct sim_model *m, struct vici_builder *b,
                           const struct sim_ike *ike, int64_t now);
/* One CHILD SA's fields (list_child()) into the current section. */
void sim_encode_child(const struct sim_model *m, struct vici_builder *b, const struct sim_ike *ike,
                      const struct sim_child *c, int64_t now);

/* A complete "list-sa" EVENT frame for ike (header included). Borrowed: valid
 * until the SA changes or the next call for it; uses the per-second cache. */
int sim_listsa_frame(struct sim_model *m, struct sim_ike *ike, int64_t now, const uint8_t **frame,
                     size_t *len);

/* Command reply bodies. Each returns 0 and a malloc'd body, or a negative
 * errno from the builder. stats takes the monotonic time in ms. */
int sim_encode_version(uint8_t **msg, size_t *len);
int sim_encode_stats(const struct sim_model *m, int64_t now_ms, uint8_t **msg, size_t *len);
/* list-conn event body for connection i. */
int sim_encode_conn(const struct sim_model *m, size_t i, uint8_t **msg, size_t *len);
/* list-policy event body for the trap policy of connection i, child j. */
int sim_encode_policy(const struct sim_model *m, size_t i, unsigned j, uint8_t **msg, size_t *len);
/* list-policy body for the one pass shunt ("bypass-lan"). */
int sim_encode_shunt(uint8_t **msg, size_t *len);

/* Puts an SA up with fresh SPIs, unique ids and CHILD SAs installed now. */
void sim_ike_establish(struct sim_model *m, struct sim_ike *ike, int64_t now);
/* Rekeys: new unique ids and SPIs, counters restart. */
void sim_ike_rekey(struct sim_model *m, struct sim_ike *ike, int64_t now);
void sim_child_rekey(struct sim_model *m, struct sim_ike *ike, struct sim_child *c, int64_t now);
/* Appends a new (DOWN) SA of connection conn; returns it. Pointers to other
 * SAs may move. */
struct sim_ike *sim_model_add(struct sim_model *m, uint32_t conn);

/* A log message for the log flood: writes into buf (NUL-terminated). With
 * hostile content enabled some messages carry escape sequences, C1 controls,
 * invalid UTF-8 or are very long (buf must hold 4096 bytes). */
void sim_log_message(struct sim_model *m, char *buf, size_t size, const struct sim_ike *ike);

#endif
