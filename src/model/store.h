/*
 * The history store: what happened while nobody watched, in one SQLite file.
 * This is the one module through which the store is reached; nothing else
 * includes sqlite3.h.
 *
 * Who calls what. `swantop record` opens the store read-write, queues
 * records as they happen (store_add_event(), store_add_sample(); both copy
 * what they are given and never touch the disk) and calls store_tick() from
 * its loop whenever store_due() has passed: a tick writes the queue in one
 * transaction at most once per second and then does a bounded step of
 * retention work. On exit it calls store_flush() and store_close(). The
 * monitor and `swantop history` open it read-only and query it; a read-only
 * open never creates the file, never writes to it and works while a
 * recorder writes (WAL).
 *
 * Time. Records carry wall-clock time in milliseconds since the Unix epoch,
 * passed in by the caller (history has to survive reboots, so monotonic time
 * is no use here); the store itself reads no clock.
 *
 * Durability. WAL with synchronous=NORMAL: a transaction is in the file once
 * store_flush()/store_tick() returned, so a killed recorder (kill -9) loses
 * only what was still queued, at most the last second, and never leaves a
 * damaged store. On power loss the last transactions may roll back; the
 * file stays consistent.
 *
 * Samples. The recorder hands in absolute counters of each CHILD SA as charon
 * reports them; the store turns them into deltas per series (connection,
 * CHILD name, reqid), following the CHILD SA across rekeys by uniqueid and
 * across counter resets. A delta covers the time since the previous sample
 * of the same CHILD SA; idle intervals (all deltas zero) are not stored.
 * Retention (struct store_retention) keeps samples at full resolution for a
 * while, then as sums over 5-minute and 1-hour buckets, so totals and
 * rates stay exact at every resolution.
 *
 * Strings are binary-safe byte strings (struct model_str); what comes back
 * from a query is exactly what was stored, and sanitising it for a terminal
 * is the caller's job.
 *
 * Errors: 0 (or a count) on success, a negative errno on failure, with a
 * one-line message naming the path and what failed in the err buffer given
 * to store_open(), or in store_errmsg() afterwards:
 *   -ENOENT           no store at the path (read-only open)
 *   -EACCES           permission denied (file or directory)
 *   -EBADMSG          not a swantop store (another SQLite file, or not SQLite)
 *   -EPROTONOSUPPORT  the store was written by a newer swantop (schema too new)
 *   -EIO              corrupt store, or an I/O error
 *   -EBUSY            locked by another writer for longer than the timeout
 *   -ENOSPC           disk full
 *   -EROFS            a write on a store opened read-only
 *   -EINVAL           misuse (bad arguments)
 */
#ifndef SWANTOP_MODEL_STORE_H
#define SWANTOP_MODEL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* The schema this program writes and reads (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 2

/* Where the defaults put the store. */
#define STORE_SYSTEM_PATH "/var/lib/swantop/history.db"
/* Queued records are written at most this often by store_tick(). */
#define STORE_FLUSH_INTERVAL_MS 1000
/* While the store cannot be written (a full disk, a lock held too long),
 * records wait in memory, up to this many events and this many counter
 * samples (some 30 MB in all); later ones are dropped and counted, and the
 * next write that succeeds records a notice saying how many. */
#define STORE_QUEUE_HARD_MAX 100000
/* Bucket lengths of the downsampled sample tiers. */
#define STORE_MID_BUCKET_MS (5 * 60 * 1000)
#define STORE_COARSE_BUCKET_MS (60 * 60 * 1000)

struct store;

enum store_mode {
	STORE_READ_ONLY,
	STORE_READ_WRITE, /* creates the file (and its directory) if missing */
};

/* What a record is about. Stored as a stable word (store_kind_name()), so the
 * numbers here may change between versions; the words may not. */
enum store_kind {
	STORE_EV_IKE_UP,
	STORE_EV_IKE_DOWN,
	STORE_EV_CHILD_UP,
	STORE_EV_CHILD_DOWN,
	STORE_EV_IKE_REKEY,
	STORE_EV_CHILD_REKEY,
	STORE_EV_IKE_UPDATE,
	STORE_EV_CONTROL_LOG, /* a control-log line of an operator's action */
	STORE_EV_ACTION_OK,   /* the result of an operator's action */
	STORE_EV_ACTION_FAIL,
	STORE_EV_VERDICT,        /* a diagnosis verdict: code, side, detail, evidence */
	STORE_EV_CHARON_RESTART, /* the daemon was restarted (new start time) */
	STORE_EV_RECONNECT,      /* the recorder reconnected to the daemon */
	STORE_EV_GAP,            /* the recorder was not connected from time to end */
	STORE_EV_NOTICE,         /* anything else worth keeping */
	STORE_EV_OTHER,          /* read back: a word this program does not know */
	STORE_EV_KIND_COUNT
};

/* "ike-up", "child-rekey", "verdict", "gap", ...; "other" if out of range. */
const char *store_kind_name(enum store_kind k);
/* The kind of a word; STORE_EV_OTHER if unknown. */
enum store_kind store_kind_parse(const char *word, size_t len);
/* The store's kind for an event of the model's events ring (the ones the
 * recorder keeps: SA events, control-log, action results, notices). */
enum store_kind store_kind_from_model(enum model_event_kind k);

/* One timeline record, in both directions. Fields that do not apply are
 * empty strings / 0. On input every string is copied; on output they are
 * borrowed for the duration of the callback. */
struct store_event {
	int64_t id;   /* output: the row's id (stable, increasing with insertion) */
	int64_t time; /* wall-clock ms */
	int64_t end;  /* STORE_EV_GAP: when the recorder was connected again; else 0 */
	enum store_kind kind;
	struct model_str kind_word; /* output: the stored word (for STORE_EV_OTHER) */
	struct model_str conn;      /* connection (IKE SA) name; "" for daemon-wide records */
	struct model_str child;     /* CHILD SA name */
	uint32_t ike_id, child_id;  /* uniqueids */
	uint32_t new_id;            /* rekeys: uniqueid of the new SA */
	struct model_str state;     /* e.g. ESTABLISHED, INSTALLED, DELETING */
	struct model_str remote;    /* the peer's address */
	struct model_str detail;    /* free text: log line, action result, verdict text */
	struct model_str code;      /* verdicts: the verdict's code, a stable word */
	struct model_str side;      /* verdicts: local, remote, both, ... */
	struct model_str evidence;  /* verdicts: the evidence, as text */
};

/* The counters of one CHILD SA at one moment, as charon reports them. */
struct store_sample {
	int64_t time;           /* wall-clock ms of the list-sas reply */
	struct model_str conn;  /* IKE SA (connection) name */
	struct model_str child; /* CHILD SA name */
	uint32_t reqid;         /* with conn and child: the series */
	uint32_t uniqueid;      /* follows one CHILD SA */
	int64_t installed;      /* wall-clock ms it was installed, 0 if unknown */
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
};

/* Retention. Zero fields take their default (store_retention_defaults()). */
struct store_retention {
	int64_t events_ms;  /* timeline records: 90 days */
	int64_t raw_ms;     /* samples at full resolution: 24 hours */
	int64_t mid_ms;     /* 5-minute sums: 7 days */
	int64_t coarse_ms;  /* 1-hour sums: 90 days */
	uint64_t max_bytes; /* the whole file: 256 MiB; oldest data goes first */
	/* A sample more than this after the previous one of its CHILD SA
	 * starts afresh instead of spreading a gap's traffic: 10 minutes. */
	int64_t max_sample_gap_ms;
};

void store_retention_defaults(struct store_retention *r);

/* The default path for a user: STORE_SYSTEM_PATH for root (euid 0), else
 * $XDG_STATE_HOME/swantop/history.db, else $HOME/.local/state/swantop/
 * history.db (relative XDG_STATE_HOME values are ignored, as the XDG spec
 * says). The environment is passed in (may be NULL). Writes the path into
 * buf; returns 0, -ENOENT if neither variable gives a path, -ENAMETOOLONG. */
int store_default_path(char *buf, size_t size, unsigned euid, const char *xdg_state_home,
                       const char *home);

/* Opens (read-write: creates, migrating an older schema) the store at path.
 * Read-write creates missing directories (mode 0700; 0750 for the system
 * path) and the file (0640). Returns 0 with *out set, or a negative errno
 * with a message in err (NUL-terminated, errlen bytes). */
int store_open(struct store **out, const char *path, enum store_mode mode, char *err,
               size_t errlen);
/* Flushes nothing: call store_flush() first to keep what is queued. NULL is
 * fine. */
void store_close(struct store *s);

/* Makes this open store its only writer (one recorder per store): an
 * exclusive lock on the file (flock(), apart from SQLite's own locks; it
 * goes with store_close() or with the process, kill -9 included) and who,
 * e.g. "pid 123", noted in the store for the message of the next one that
 * tries. Returns 0, -EBUSY with a message naming the holder when another
 * writer has it, or another negative errno. Read-write stores only. */
int store_lock_writer(struct store *s, const char *who);

/* The message of the last failed call (or ""). Owned by the store. */
const char *store_errmsg(const struct store *s);
const char *store_path(const struct store *s);
/* Replaces the retention policy (copied; zero fields take defaults). */
void store_set_retention(struct store *s, const struct store_retention *r);

/* ---- writing (read-write stores) ----------------------------------------- */

/* Queues a record (strings copied). Nothing is written until a flush. */
void store_add_event(struct store *s, const struct store_event *ev);
/* Queues a counter sample (strings copied). */
void store_add_sample(struct store *s, const struct store_sample *sm);
/* Records queued and not yet written. */
size_t store_pending(const struct store *s);
/* Records dropped since the store was opened because the queue was full
 * (STORE_QUEUE_HARD_MAX). */
unsigned long store_dropped(const struct store *s);

/* Writes everything queued in one transaction. Returns 0 or a negative errno
 * (the queue is then kept, to be retried). */
int store_flush(struct store *s);

/* The wall-clock ms at which store_tick() has work: a queued record that is
 * due to be written, or retention work. INT64_MAX if none. */
int64_t store_due(const struct store *s);
/* What a recorder calls from its loop: flushes the queue if its oldest record
 * waited STORE_FLUSH_INTERVAL_MS (or more than 10000 records are queued),
 * then runs one bounded step of retention (store_maintain() with a small
 * budget) when one is due. Returns 0 or a negative errno. */
int store_tick(struct store *s, int64_t now);

/* The wall-clock ms of the last store_maintain() (which store_tick() runs at
 * least once a minute) that reached the file, read from the store: where a
 * recorder that starts should begin its STORE_EV_GAP. 0 if never; negative
 * errno on failure. */
int64_t store_alive(struct store *s);

/* One bounded step of retention: downsample or delete at most about `budget`
 * rows, give back free pages, enforce the size cap oldest first; also notes
 * now as the time the recorder was last alive. Returns 1 if
 * more work is pending, 0 if none, or a negative errno. */
int store_maintain(struct store *s, int64_t now, unsigned budget);

/* ---- queries (any store) ------------------------------------------------- */

enum store_order {
	STORE_OLDEST_FIRST,
	STORE_NEWEST_FIRST,
};

struct store_filter {
	const char *conn; /* NULL: all; else this connection plus daemon-wide records */
	int64_t since;    /* inclusive, wall ms; 0: from the beginning */
	int64_t until;    /* exclusive, wall ms; 0: no end */
	/* Paging backwards (scroll-back): with before_id != 0, a record at
	 * time == until is included if its id < before_id. */
	int64_t before_id;
	size_t limit; /* 0: no limit; else the newest `limit` records of the window */
	enum store_order order;
};

typedef int (*store_event_cb)(void *ctx, const struct store_event *ev);

/* Calls cb for each record matching f, in f->order (ties by id). cb returns
 * 0 to go on or non-zero to stop. Returns the number of records delivered or
 * a negative errno. */
long store_timeline(struct store *s, const struct store_filter *f, store_event_cb cb, void *ctx);
/* The number of records matching f, ignoring f->limit. */
long store_count(struct store *s, const struct store_filter *f);

/* Down events of one connection in [since, until). */
struct store_flaps {
	struct model_str conn; /* borrowed in the callback */
	unsigned ike_down, child_down;
};

typedef int (*store_flaps_cb)(void *ctx, const struct store_flaps *fl);

/* Down events per connection in [since, until) (until 0: no end); conn NULL
 * for every connection that has any, by name. Returns the number of
 * connections delivered or a negative errno. */
long store_flaps(struct store *s, const char *conn, int64_t since, int64_t until, store_flaps_cb cb,
                 void *ctx);

/* Traffic of one bucket of a rate series: sums of the deltas that fall into
 * it (a downsampled sum spread evenly over the time it covers). */
struct store_bucket {
	double bytes_in, bytes_out, packets_in, packets_out;
	bool data; /* any sample touched the bucket */
};

/* The rate series of one CHILD (conn + child name; reqid 0: all reqids of
 * that name summed): out[i] covers [since + i*bucket_ms, since +
 * (i+1)*bucket_ms). Divide by the bucket length for rates. Returns 0 or a
 * negative errno (0 buckets with data is no error). */
int store_rates(struct store *s, const char *conn, const char *child, uint32_t reqid, int64_t since,
                int64_t bucket_ms, size_t n, struct store_bucket *out);

typedef int (*store_series_cb)(void *ctx, struct model_str conn, struct model_str child,
                               uint32_t reqid, const struct store_bucket *b, size_t n);

/* The same for every series that has data in the window, in one pass (for a
 * sparkline column over all CHILD SAs). cb gets each series once, with
 * borrowed names and n buckets. Returns the number of series or a negative
 * errno. */
long store_rates_all(struct store *s, int64_t since, int64_t bucket_ms, size_t n,
                     store_series_cb cb, void *ctx);

/* Bytes the store's file takes (pages in use; the file may be larger until
 * free pages are given back). */
int64_t store_size(struct store *s);

#endif
