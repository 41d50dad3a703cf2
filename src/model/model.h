/*
 * The monitor's state: IKE SAs with their CHILD SAs, connections, policies,
 * daemon info, an events ring and a log ring, built from decoded VICI
 * messages. Pure code: no terminal, no socket, no clock.
 *
 * Feeding it. The owner hands over every message body it receives (a stream
 * event, an event it registered for, or a command reply) together with the
 * monotonic receive time `now` in milliseconds. The model copies what it keeps
 * (the caller's buffer can be freed right after the call) and reports what
 * changed as MODEL_CHANGED_* flags, so the UI redraws only what it must.
 * A full refresh is a sweep: model_sweep_begin(), one model_ingest_list_sa()
 * per list-sa event, model_sweep_end(); what the sweep did not see goes away.
 * A sweep restricted to one IKE SA (list-sas with ike-id) touches only that
 * SA. Events (ike-updown, child-rekey, ...) update the state directly and are
 * reconciled by uniqueid: a stray child-updown "down" for a CHILD SA already
 * rekeyed removes only that uniqueid (and is marked redundant), list-sa data
 * of a sweep that began before a "down" event does not resurrect the SA, and
 * what an event reported after a sweep began is not overwritten or removed
 * by that sweep's (older) list-sa data. Call model_sweep_begin() when the
 * list-sas request is sent.
 *
 * Time. charon's time fields are relative seconds at the moment it built the
 * message. The model turns them into absolute monotonic milliseconds (the
 * *_at fields below) using the receive time, so countdowns can be computed
 * for any later `now` with model_secs_ago()/model_secs_until(). Nothing here
 * reads a clock: every function that needs time takes `now`.
 *
 * Strings. Everything charon sent is kept as received: binary-safe,
 * length-bounded byte strings (struct model_str) that may contain NULs,
 * control characters or invalid UTF-8. Sanitising for the terminal is the
 * UI's job. Objects can also keep the raw VICI elements charon sent for them
 * (struct model_raw), a valid message body the UI can walk with
 * vici_parser_init()/vici_parser_next() for a "show every field" view:
 * connections, policies and the daemon always, SAs only the one IKE SA (with
 * its CHILD SAs) named by model_set_raw_ike(), to save memory at scale.
 *
 * Lifetime. All pointers returned by query functions (objects, strings, lists,
 * raw blocks, rows) are owned by the model and stay valid until the next call
 * that changes the model (any model_ingest_*, model_sweep_*, model_event_add*,
 * model_clear). Identities (uniqueids, names) are what to hold across calls.
 *
 * Error convention: functions returning int give change flags (>= 0) or a
 * negative errno: -EBADMSG for a malformed message (an SA, connection,
 * policy, version or stats message is then ignored as a whole, the model
 * stays as it was; a log line keeps what could be read before the damage),
 * -ENOENT for an event name the model does not handle, -EINVAL for misuse.
 * Missing keys and garbage numbers are not errors: they read as absent.
 */
#ifndef SWANTOP_MODEL_H
#define SWANTOP_MODEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- basic types -------------------------------------------------------- */

/* A borrowed byte string owned by the model. Not NUL-terminated; may contain
 * any byte. s is never NULL (an absent field is {"", 0}). */
struct model_str {
	const char *s;
	uint32_t len;
};

/* A VICI list value (e.g. local-ts): `count` items stored as consecutive VICI
 * LIST_ITEM elements. Walk it with model_list_iter_init()/model_list_next(). */
struct model_list {
	const uint8_t *items;
	uint32_t bytes;
	uint32_t count;
};

struct model_list_iter {
	const uint8_t *pos, *end;
};

/* The raw VICI elements charon sent for one object (for an IKE SA: its keys
 * and lists without the child-sas section; for a CHILD SA: its keys and
 * lists). A valid message body: walk it with vici_parser_init(msg, len).
 * Empty (msg NULL, len 0) for SAs other than model_set_raw_ike()'s. */
struct model_raw {
	const uint8_t *msg;
	size_t len;
};

/* A reference-counted copy of a received message (model-internal). */
struct model_blk;

/* "Not present" for the absolute times (*_at fields). */
#define MODEL_TIME_NONE INT64_MIN

/* ---- change flags ------------------------------------------------------- */

enum {
	MODEL_CHANGED_SAS = 1u << 0,     /* any IKE/CHILD SA data, incl. counters */
	MODEL_CHANGED_SA_SET = 1u << 1,  /* SAs added/removed/renamed, state changed */
	MODEL_CHANGED_CONNS = 1u << 2,   /* connections (list-conn) */
	MODEL_CHANGED_POLS = 1u << 3,    /* policies (list-policy) */
	MODEL_CHANGED_EVENTS = 1u << 4,  /* events ring */
	MODEL_CHANGED_LOG = 1u << 5,     /* log ring */
	MODEL_CHANGED_STATS = 1u << 6,   /* stats reply */
	MODEL_CHANGED_VERSION = 1u << 7, /* version reply */
};

/* ---- states ------------------------------------------------------------- */

enum model_ike_state {
	MODEL_IKE_UNKNOWN = 0, /* a state name this model does not know */
	MODEL_IKE_CREATED,
	MODEL_IKE_CONNECTING,
	MODEL_IKE_ESTABLISHED,
	MODEL_IKE_PASSIVE,
	MODEL_IKE_REKEYING,
	MODEL_IKE_REKEYED,
	MODEL_IKE_DELETING,
	MODEL_IKE_DESTROYING,
	MODEL_IKE_STATE_COUNT
};

enum model_child_state {
	MODEL_CHILD_UNKNOWN = 0,
	MODEL_CHILD_CREATED,
	MODEL_CHILD_ROUTED,
	MODEL_CHILD_INSTALLING,
	MODEL_CHILD_INSTALLED,
	MODEL_CHILD_UPDATING,
	MODEL_CHILD_REKEYING,
	MODEL_CHILD_REKEYED,
	MODEL_CHILD_RETRYING,
	MODEL_CHILD_DELETING,
	MODEL_CHILD_DELETED,
	MODEL_CHILD_DESTROYING,
	MODEL_CHILD_STATE_COUNT
};

/* charon's spelling of a state ("ESTABLISHED"), "UNKNOWN" for out of range. */
const char *model_ike_state_name(enum model_ike_state s);
const char *model_child_state_name(enum model_child_state s);

/* ---- SAs ---------------------------------------------------------------- */

/* Per-second rates from counter deltas between refreshes. valid is false until
 * two samples (or a sample after a known install time) allow a rate. Never
 * negative: counter resets (rekeys, restarts) are handled, see sa.c. */
struct model_rate {
	double bytes_in, bytes_out;
	double packets_in, packets_out;
	bool valid;
};

struct model_child {
	uint32_t uniqueid;
	uint32_t reqid;
	uint32_t rekeyed_from; /* uniqueid of the CHILD SA this one replaced, 0 if unknown */
	uint32_t rekeyed_to;   /* uniqueid of the CHILD SA that replaced this one, or 0 */
	enum model_child_state state;
	struct model_str key; /* section name, "<name>-<uniqueid>" (bare name in child-rekey) */
	struct model_str name, state_name, mode, protocol, label;
	struct model_str spi_in, spi_out, cpi_in, cpi_out;
	struct model_str mark_in, mark_mask_in, mark_out, mark_mask_out;
	struct model_str if_id_in, if_id_out;
	struct model_str encr_alg, integ_alg, prf_alg, dh_group;
	uint32_t encr_keysize, integ_keysize; /* 0 if absent */
	bool encap, esn;
	bool has_counters; /* bytes/packets were sent (installed-like states) */
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
	int64_t use_in_at, use_out_at; /* time of the last packet in/out */
	int64_t rekey_at, life_at;     /* when the rekey / hard expiry is due */
	int64_t installed_at;
	struct model_list local_ts, remote_ts;
	struct model_rate rate;
	int64_t updated_at; /* receive time of the last message describing it */
	struct model_raw raw;

	/* model-internal bookkeeping below: do not use */
	struct {
		struct model_blk *blk;
		uint64_t base_bytes_in, base_bytes_out, base_packets_in, base_packets_out;
		int64_t base_at;
		int64_t ev_at; /* last described by an event */
		unsigned seen;
	} priv;
};

struct model_ike {
	uint32_t uniqueid;
	uint32_t rekeyed_from; /* uniqueid of the IKE SA this one replaced, 0 if unknown */
	unsigned version;      /* 1 or 2; 0 if absent or garbage */
	enum model_ike_state state;
	struct model_str name, state_name;
	struct model_str local_host, local_id, remote_host, remote_id;
	struct model_str remote_eap_id, remote_xauth_id;
	uint16_t local_port, remote_port;
	struct model_str initiator_spi, responder_spi;
	struct model_str if_id_in, if_id_out;
	struct model_str encr_alg, integ_alg, prf_alg, dh_group;
	uint32_t encr_keysize, integ_keysize;
	bool initiator, nat_local, nat_remote, nat_fake, nat_any, ppk;
	int64_t established_at; /* MODEL_TIME_NONE unless ESTABLISHED */
	int64_t rekey_at, reauth_at;
	struct model_list local_vips, remote_vips;
	struct model_list tasks_queued, tasks_active, tasks_passive;

	struct model_child *children; /* n_children, ordered by name, then uniqueid */
	size_t n_children;

	/* Sums over the CHILD SAs currently listed. */
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
	struct model_rate rate;

	uint64_t epoch; /* model_sa_epoch() when it was created: the daemon's lifetime */
	bool stale;     /* missed by the last full sweep (kept until the miss limit) */
	bool folded;    /* the tree view shows no CHILD rows for it */
	int64_t updated_at;
	/* receive time of the last list-sa of it (its counters), or
	 * MODEL_TIME_NONE */
	int64_t listed_at;
	struct model_raw raw;

	/* model-internal bookkeeping below: do not use */
	struct {
		struct model_blk *blk;
		size_t children_cap;
		unsigned seen, misses;
		size_t index;
		int64_t ev_at; /* last described by an event */
		/* index of the connection of this name, valid while
		 * conn_gen is the model's connection generation + 1 */
		size_t conn_idx;
		uint64_t conn_gen;
		uint64_t born; /* creation serial, for views to spot new SAs */
	} priv;
};

/* ---- connections and policies -------------------------------------------- */

/* One authentication round of a connection ("local-1", "remote-2", ...). */
struct model_auth {
	struct model_str section; /* "local-1" */
	bool local;
	unsigned round;
	struct model_str auth_class, eap_type, eap_vendor, xauth, revocation;
	struct model_str id, ca_id, aaa_id, eap_id, xauth_id;
	struct model_list groups, cert_policy, certs, cacerts;
};

struct model_conn_child {
	struct model_str name, mode, label, interface;
	struct model_str start_action, dpd_action, close_action; /* "" if absent */
	uint64_t rekey_time, rekey_bytes, rekey_packets;
	uint32_t priority;
	struct model_list local_ts, remote_ts;
};

struct model_conn {
	struct model_str name, version, unique, ppk_id;
	struct model_list local_addrs, remote_addrs;
	uint32_t local_port, remote_port; /* 6.0.3+; 0 if absent */
	uint32_t reauth_time, rekey_time, dpd_delay, dpd_timeout;
	bool ppk_required;
	struct model_auth *auths; /* n_auths, in the order charon sent them */
	size_t n_auths;
	struct model_conn_child *children;
	size_t n_children;
	int64_t updated_at;
	struct model_raw raw; /* the whole list-conn message */

	struct {
		struct model_blk *blk;
		unsigned seen;
	} priv;
};

enum model_pol_type {
	MODEL_POL_TRAP = 0,
	MODEL_POL_DROP,
	MODEL_POL_PASS,
};

/* "trap", "drop", "pass"; "trap" for out of range (as the type is read). */
const char *model_pol_type_name(enum model_pol_type t);

struct model_pol {
	struct model_str key;     /* section name: "<ike>/<child>", "<ns>/<child>" or "<child>" */
	enum model_pol_type type; /* from mode: DROP/PASS are shunts, the rest traps */
	struct model_str child, ike, mode, label;
	uint32_t reqid; /* 6.0.2+; 0 if absent */
	struct model_list local_ts, remote_ts;
	int64_t updated_at;
	struct model_raw raw;

	struct {
		struct model_blk *blk;
		unsigned seen;
	} priv;
};

/* What the SA table says about one connection: IKE SAs with its name. */
struct model_conn_status {
	size_t ikes;        /* IKE SAs of that name, any state */
	size_t ikes_up;     /* ... in state ESTABLISHED */
	size_t children_up; /* their CHILD SAs in state INSTALLED */
	size_t configs_up;  /* its CHILD configs with a CHILD SA INSTALLED under an
	                       ESTABLISHED or REKEYING IKE SA (fewer than the
	                       connection has: a configured CHILD SA is missing) */
};

/* ---- daemon ------------------------------------------------------------- */

struct model_version {
	bool valid;
	struct model_str daemon, version, sysname, release, machine;
	int64_t received_at;
	struct model_raw raw;
};

enum { MODEL_PRIO_CRITICAL, MODEL_PRIO_HIGH, MODEL_PRIO_MEDIUM, MODEL_PRIO_LOW, MODEL_PRIO_COUNT };

struct model_stats {
	bool valid;
	struct model_str running, since; /* uptime, as charon formats them */
	int64_t workers_total, workers_idle;
	int64_t workers_active[MODEL_PRIO_COUNT];
	int64_t queues[MODEL_PRIO_COUNT];
	int64_t scheduled;
	int64_t ikesas_total, ikesas_half_open;
	struct model_list plugins;
	bool has_mallinfo;
	uint64_t mallinfo_sbrk, mallinfo_mmap, mallinfo_used, mallinfo_free;
	int64_t received_at;
	struct model_raw raw;
};

/* ---- events and log rings ----------------------------------------------- */

enum model_event_kind {
	MODEL_EV_IKE_UP,
	MODEL_EV_IKE_DOWN,
	MODEL_EV_CHILD_UP,
	MODEL_EV_CHILD_DOWN,
	MODEL_EV_IKE_REKEY,
	MODEL_EV_CHILD_REKEY,
	MODEL_EV_IKE_UPDATE,
	MODEL_EV_CONTROL_LOG, /* a control-log line of a running initiate/terminate */
	MODEL_EV_ACTION_OK,   /* result of an operator action, added by the app */
	MODEL_EV_ACTION_FAIL,
	MODEL_EV_NOTICE, /* anything else worth telling (reconnects, bad messages) */
	MODEL_EV_KIND_COUNT
};

/* "ike-up", "child-rekey", "control-log", "action-ok", ... */
const char *model_event_kind_name(enum model_event_kind k);

struct model_event {
	uint64_t seq; /* increases by one per event ever added */
	int64_t time;
	enum model_event_kind kind;
	uint32_t ike_id, child_id; /* 0 if not about an SA */
	uint32_t new_id;           /* rekeys: uniqueid of the new SA */
	bool redundant;            /* an event that changed nothing (e.g. a child-down for a
	                              CHILD SA already rekeyed or gone) */
	struct model_str ike_name, child_name;
	struct model_str remote_host; /* SA events: the peer (ike-update: the new address) */
	struct model_str text;        /* control-log/log-like text, action results, notices;
	                                 for SA events a short summary such as the state */
	int level;                    /* control-log level, else 0 */
	struct model_str group;       /* control-log group, else "" */
};

struct model_log_line {
	uint64_t seq;
	int64_t time;
	struct model_str group; /* "IKE", "CHD", ... */
	unsigned group_index;   /* model_log_group_index(group) */
	int level;
	int thread;                /* -1 if absent */
	struct model_str ike_name; /* "" if absent */
	uint32_t ike_id;           /* 0 if absent */
	struct model_str msg;
};

/* charon's debug groups: DMN MGR IKE CHD JOB CFG KNL NET ASN ENC TNC IMC IMV
 * PTS TLS APP ESP LIB WCH have indexes 0..18 in this order; anything else maps
 * to MODEL_LOG_GROUP_OTHER. Use (1u << index) in a filter's group mask. */
enum { MODEL_LOG_GROUP_OTHER = 19, MODEL_LOG_GROUP_COUNT = 20 };

unsigned model_log_group_index(const void *name, size_t len);
/* "IKE", ...; "other" for MODEL_LOG_GROUP_OTHER or out of range. */
const char *model_log_group_name(unsigned index);

struct model_log_filter {
	uint32_t groups; /* bit (1u << group index) per group shown; 0 = all groups */
	/* charon's level: lower is more important (0 basic, 1 control, 2+ verbose;
	 * the log event carries 0 and 1). A line is shown if min_level <= level <=
	 * max_level. */
	int min_level, max_level;
	const char *text; /* case-insensitive ASCII substring of msg/ike name; NULL or "" = any */
	uint32_t ike_id;  /* only lines about this IKE SA; 0 = any */
};

/* Every group, every level, no text. */
void model_log_filter_init(struct model_log_filter *f);
bool model_log_match(const struct model_log_line *l, const struct model_log_filter *f);

/* ---- the model ---------------------------------------------------------- */

struct model_config {
	size_t events_capacity; /* events ring slots (default 1000) */
	size_t log_capacity;    /* log ring slots (default 5000) */
	/* Full sweeps an IKE SA may miss before it is removed (default 2): with
	 * list-sas noblock charon skips IKE SAs that are checked out at that
	 * moment, so one miss alone does not prove an SA is gone. Minimum 1. */
	unsigned sweep_miss_limit;
	/* Shortest interval between two counter samples used for a rate (ms,
	 * default 900): closer samples only update the counters. */
	int64_t rate_min_interval_ms;
};

struct model;

/* config may be NULL (defaults); zero fields take their default. */
struct model *model_new(const struct model_config *config);
void model_free(struct model *m);
/* Defaults, for callers that want to change one field. */
void model_config_defaults(struct model_config *config);

/* Accumulated change flags since the last call; clears them. */
unsigned model_take_changes(struct model *m);
/* Increases whenever anything about SAs changes, counters included. */
uint64_t model_sa_generation(const struct model *m);
/* Increases only when what views and counts depend on changes: the SA set, a
 * state, a name, an address, ID, SPI or TS, stale or fold; not when only
 * counters, rates or times move (views rebuild for it). */
uint64_t model_sa_view_generation(const struct model *m);

/* ---- ingest ------------------------------------------------------------- */

enum model_table {
	MODEL_TABLE_SAS,
	MODEL_TABLE_CONNS,
	MODEL_TABLE_POLS,
};

/* Starts a refresh of a table. For MODEL_TABLE_SAS, ike_id 0 means a full
 * sweep (list-sas without filter) and a non-zero ike_id a targeted refresh of
 * that one IKE SA (list-sas with ike-id); ike_id is ignored for the others.
 * A begin while another refresh of the same table is open restarts it. */
void model_sweep_begin(struct model *m, enum model_table t, uint32_t ike_id, int64_t now);
/* Ends the refresh: objects of the table (or the one targeted SA) that were
 * not seen since begin are removed (SAs only after sweep_miss_limit misses,
 * full sweeps and targeted refreshes alike: stale until then).
 * Returns change flags. Without a matching begin it does nothing. */
int model_sweep_end(struct model *m, enum model_table t, int64_t now);
/* Abandons an open refresh (request failed or timed out): removes nothing. */
void model_sweep_abort(struct model *m, enum model_table t);
/* How many complete listings of a table were ingested (model_sweep_end()
 * of a full sweep; targeted refreshes do not count); 0 after
 * model_clear(): the table then holds no listing. A table never loaded
 * proves nothing about what charon has. */
uint64_t model_table_loads(const struct model *m, enum model_table t);

/* Dispatches an event message by name: list-sa, list-conn, list-policy,
 * ike-updown, ike-rekey, ike-update, child-updown, child-rekey, log,
 * control-log. The name is a borrowed byte string. Returns flags, -ENOENT
 * for other names, -EBADMSG for malformed messages. */
int model_ingest_event(struct model *m, const char *name, size_t name_len, const void *msg,
                       size_t len, int64_t now);

/* The same, per message kind (the body of the event or reply). */
int model_ingest_list_sa(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_list_conn(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_list_policy(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_ike_updown(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_ike_rekey(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_ike_update(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_child_updown(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_child_rekey(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_log(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_control_log(struct model *m, const void *msg, size_t len, int64_t now);
/* Command replies. */
int model_ingest_version(struct model *m, const void *msg, size_t len, int64_t now);
int model_ingest_stats(struct model *m, const void *msg, size_t len, int64_t now);

/* Adds an event of any kind with a text (copied; any bytes) to the events
 * ring, e.g. an action result or a notice. Returns MODEL_CHANGED_EVENTS. */
int model_event_add(struct model *m, enum model_event_kind kind, int64_t now, const char *text,
                    size_t len);
int model_event_addf(struct model *m, enum model_event_kind kind, int64_t now, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Forgets a whole table (e.g. the daemon went away and came back with other
 * SAs). Returns change flags. */
int model_clear(struct model *m, enum model_table t);

/* ---- queries: SAs -------------------------------------------------------- */

/* IKE SAs in storage order (no particular order; for sorted/filtered rows use
 * a view). */
size_t model_ike_count(const struct model *m);
const struct model_ike *model_ike_at(const struct model *m, size_t i);
/* By uniqueid; NULL if unknown. */
const struct model_ike *model_ike_find(const struct model *m, uint32_t uniqueid);
/* A CHILD SA by its uniqueid; *ike (if not NULL) gets its IKE SA. */
const struct model_child *model_child_find(const struct model *m, uint32_t uniqueid,
                                           const struct model_ike **ike);
/* The IKE SA whose raw elements are kept, with its CHILD SAs (an open
 * detail view's), from the next message that describes it on; 0: none.
 * Every other SA has an empty raw. */
void model_set_raw_ike(struct model *m, uint32_t ike_id);

/* If the IKE SA uniqueid was rekeyed (ike-rekey), the uniqueid of its
 * successor (following chains), else 0. Works after the old SA is gone. */
uint32_t model_ike_successor(const struct model *m, uint32_t uniqueid);
/* Same for CHILD SAs (child-rekey). */
uint32_t model_child_successor(const struct model *m, uint32_t uniqueid);

/* Which lifetime of the daemon the SA table describes: starts at 1 and
 * grows with every model_clear() of the SAs (charon restarted and counts its
 * unique ids from 1 again, so an id held from before names another SA). */
uint64_t model_sa_epoch(const struct model *m);

/* An SA held by identity: its unique ids (new with every rekey) and what
 * stays the same across its rekeys. */
struct model_sa_ref {
	uint32_t ike_id;
	uint32_t child_id;           /* 0: the IKE SA itself */
	uint32_t reqid;              /* the CHILD SA's reqid, 0 if unknown */
	struct model_str child_name; /* the CHILD SA's name (borrowed) */
	uint64_t epoch;              /* the IKE SA's epoch, 0: not checked */
};

/* Follows an SA across rekeys to what it is now, the one rule for every
 * selection and target: an IKE SA's successor once charon named one
 * (ike-rekey), else itself; a CHILD SA's successor (child-rekey), else
 * itself wherever it lives now, else the newest CHILD SA of the same name
 * and reqid under its IKE SA as it is now. Never another SA: returns NULL
 * when it is gone (or the daemon restarted since). Otherwise updates ref's
 * ids and returns the IKE SA, with the CHILD SA in *child (NULL for an IKE
 * SA; child may be NULL). */
const struct model_ike *model_sa_follow(const struct model *m, struct model_sa_ref *ref,
                                        const struct model_child **child);

struct model_counts {
	size_t ikes, children;
	size_t ike_states[MODEL_IKE_STATE_COUNT];
	size_t child_states[MODEL_CHILD_STATE_COUNT];
	size_t stale;
	size_t conns, conns_up; /* connections, and those with an ESTABLISHED IKE SA */
	size_t pols;
	size_t pol_types[3]; /* by enum model_pol_type */
};
void model_counts_get(const struct model *m, struct model_counts *c);

/* Seconds since an absolute time (floor), e.g. "established N s ago".
 * Returns false (and *secs untouched) if at is MODEL_TIME_NONE. */
bool model_secs_ago(int64_t at, int64_t now, int64_t *secs);
/* Seconds until an absolute time (ceil; negative when overdue), e.g.
 * "rekeying in N s". Returns false if at is MODEL_TIME_NONE. */
bool model_secs_until(int64_t at, int64_t now, int64_t *secs);

/* ---- queries: connections, policies, daemon ------------------------------ */

/* Connections in the order charon listed them. */
size_t model_conn_count(const struct model *m);
const struct model_conn *model_conn_at(const struct model *m, size_t i);
const struct model_conn *model_conn_find(const struct model *m, const void *name, size_t len);
/* What is currently up for a connection (by IKE SA name). */
void model_conn_status_get(const struct model *m, const struct model_conn *c,
                           struct model_conn_status *st);

size_t model_pol_count(const struct model *m);
const struct model_pol *model_pol_at(const struct model *m, size_t i);

/* Never NULL; ->valid is false until a reply was ingested. */
const struct model_version *model_version_get(const struct model *m);
const struct model_stats *model_stats_get(const struct model *m);

/* ---- queries: rings ------------------------------------------------------ */

/* Oldest first: i = 0 is the oldest entry still held. */
size_t model_events_count(const struct model *m);
const struct model_event *model_event_at(const struct model *m, size_t i);
/* Entries that fell off the ring because it was full. */
uint64_t model_events_dropped(const struct model *m);

size_t model_log_count(const struct model *m);
const struct model_log_line *model_log_at(const struct model *m, size_t i);
uint64_t model_log_dropped(const struct model *m);
/* Number of lines held that match f. */
size_t model_log_count_matching(const struct model *m, const struct model_log_filter *f);

/* ---- helpers on strings and lists --------------------------------------- */

bool model_str_eq(struct model_str a, const char *s);
/* Case-insensitive (ASCII) substring test; an empty needle matches. */
bool model_str_icontains(struct model_str hay, const char *needle, size_t needle_len);

void model_list_iter_init(struct model_list_iter *it, const struct model_list *l);
/* Next item as a borrowed string; false at the end. */
bool model_list_next(struct model_list_iter *it, struct model_str *item);
/* Joins the items with sep into buf (always NUL-terminated if size > 0,
 * truncated if needed; item bytes copied as they are). Returns the length the
 * full result would have, like snprintf. */
size_t model_list_join(const struct model_list *l, const char *sep, char *buf, size_t size);

/* ---- views: the SA tree as the panes show it ----------------------------- */

enum model_sort {
	MODEL_SORT_NAME,  /* name, then uniqueid */
	MODEL_SORT_STATE, /* state, then name */
	MODEL_SORT_UNIQUEID,
	MODEL_SORT_REMOTE, /* remote host, then name */
	MODEL_SORT_BYTES,  /* bytes in + out */
	MODEL_SORT_RATE,   /* bytes/s in + out */
	/* The next rekey: an IKE SA's sooner of its own rekey or reauth and
	 * its CHILD SAs' rekeys. SAs without one come last in both
	 * directions. */
	MODEL_SORT_REKEY,
	/* The next hard expiry of a CHILD SA (an IKE SA: the soonest of its
	 * CHILD SAs'); SAs without one come last in both directions. */
	MODEL_SORT_EXPIRE,
	MODEL_SORT_LOCAL,     /* local host, then name */
	MODEL_SORT_AGE,       /* time since established (oldest last) */
	MODEL_SORT_RATE_IN,   /* bytes/s in */
	MODEL_SORT_RATE_OUT,  /* bytes/s out */
	MODEL_SORT_BYTES_IN,  /* bytes in */
	MODEL_SORT_BYTES_OUT, /* bytes out */
	MODEL_SORT_PKTS_IN,   /* packets in */
	MODEL_SORT_PKTS_OUT,  /* packets out */
	MODEL_SORT_COUNT
};

enum model_row_kind {
	MODEL_ROW_IKE,
	MODEL_ROW_CHILD,
};

struct model_row {
	enum model_row_kind kind;
	const struct model_ike *ike;
	const struct model_child *child; /* NULL for IKE rows */
	bool last_child;                 /* the last CHILD row under its IKE row (tree glyphs) */
};

/* Identity of a row: the IKE SA and, for CHILD rows, the CHILD SA. */
struct model_sel {
	uint32_t ike_id;
	uint32_t child_id; /* 0 for an IKE row */
};

#define MODEL_VIEW_NONE ((size_t)-1)

struct model_view;

/* A sorted, filtered, flattened tree of IKE rows each followed by its CHILD
 * rows (unless folded), with a selection that follows the selected SA when
 * rows move, appear or disappear. Borrows m, which must outlive it. */
struct model_view *model_view_new(struct model *m);
void model_view_free(struct model_view *v);

void model_view_set_sort(struct model_view *v, enum model_sort key, bool descending);
/* Whether the row of ike (child NULL) or of one of its CHILD SAs passes
 * the filter. */
typedef bool (*model_view_match_fn)(void *ctx, const struct model_ike *ike,
                                    const struct model_child *child);
/* The operator's filter (the SA pane's compiled "/" filter, ui/fields.h),
 * NULL for none; ctx is borrowed and must outlive its use. Each row is
 * matched on its own: a CHILD SA that matches is shown under its IKE SA
 * whether or not the IKE SA matches. */
void model_view_set_match(struct model_view *v, model_view_match_fn match, void *ctx);
/* The filter's answers may have changed without the model changing (they
 * depend on more than the SAs, e.g. verdicts or the time): match again at
 * the next refresh. Not an operator's change: the selection stays. */
void model_view_rematch(struct model_view *v);
/* Whether an order by key moves when only counters, rates or times change
 * (bytes, rates, packets, rekey, expiry, age): a view sorted so is sorted
 * again at most once per rate_min_interval_ms of new counters. */
bool model_sort_moves(enum model_sort key);
/* Fold state lives with the IKE SA (and follows it across an ike-rekey). */
void model_view_set_fold(struct model_view *v, uint32_t ike_id, bool folded);
/* Folds/unfolds every IKE SA and sets the default for new ones. */
void model_view_fold_all(struct model_view *v, bool folded);

/* Rebuilds the rows if the model or the view settings changed since the last
 * call (cheap otherwise). Call after ingesting and before reading rows.
 * Returns true if the rows changed. */
bool model_view_refresh(struct model_view *v);
size_t model_view_count(const struct model_view *v);
const struct model_row *model_view_row(const struct model_view *v, size_t i);

/* The selection is an SA, not a position. It follows its SA across rekeys
 * (model_sa_follow()) and never moves to another SA by itself: when the SA
 * is gone, or the filter no longer matches it, nothing is selected (the
 * view is "gone") until a navigation key, which continues from where the
 * row was, or until the SA shows again. A filter the operator changes that
 * hides it selects the first row instead; so does the first build.
 *
 * Selected row index, or MODEL_VIEW_NONE (no rows, or gone). */
size_t model_view_selected(const struct model_view *v);
/* Its identity ({0, 0} when nothing is selected). */
struct model_sel model_view_selection(const struct model_view *v);
/* Is the selected SA gone? Then *where (if not NULL) gets the index of the
 * row now where it was (it may equal the row count), *hidden (if not NULL)
 * whether the SA still exists and only the filter hides it. */
bool model_view_gone(const struct model_view *v, size_t *where, bool *hidden);
void model_view_select(struct model_view *v, size_t row);
/* Moves by delta rows, clamped to the first/last row; from a gone
 * selection, 1 selects the row now where it was and -1 the one above. */
void model_view_move(struct model_view *v, long delta);
/* Selects by identity; returns false (selection unchanged) if not shown. */
bool model_view_select_id(struct model_view *v, struct model_sel sel);

/* The window of rows on screen, published by whoever shows the view (the
 * SA pane, when it draws) for whoever refreshes what is visible. */
void model_view_set_window(struct model_view *v, size_t top, size_t rows);
/* The IKE SAs of the rows in the window, top to bottom (a CHILD row gives
 * its IKE SA), without repeats, at most max into ids; returns how many. */
size_t model_view_window_ikes(struct model_view *v, uint32_t *ids, size_t max);

#endif
