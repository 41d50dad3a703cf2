/*
 * What the store's files share (store.c: opening, schema, queue and flush;
 * store_query.c: the queries; store_retain.c: retention). Not for use
 * outside src/model/store*.c.
 */
#ifndef SWANTOP_MODEL_STORE_PRIV_H
#define SWANTOP_MODEL_STORE_PRIV_H

#include <sqlite3.h>

#include "model/store.h"

/* "SWNT": PRAGMA application_id of a swantop store. */
#define STORE_APPLICATION_ID 0x53574e54

/* A queued timeline record: the event with its strings in one block. */
struct store_qevent {
	struct store_event ev;
	char *blk;
};

/* A queued sample row: a delta of one series. */
struct store_qsample {
	int64_t time, dt;
	char *conn, *child; /* NUL-free copies are not guaranteed: lengths below */
	uint32_t conn_len, child_len, reqid;
	uint64_t d[4]; /* bytes in, bytes out, packets in, packets out */
};

/* The last counters seen of one CHILD SA (by uniqueid). */
struct store_base {
	uint32_t uniqueid; /* 0: free slot */
	int64_t time;
	uint64_t c[4];
};

/* A series id by name, so a flush does not look up every row. */
struct store_sref {
	char *key; /* conn NUL child NUL, with lengths */
	uint32_t conn_len, child_len, reqid;
	uint64_t hash;
	int64_t id;     /* 0: free slot */
	int64_t last_t; /* last_t written to the series row */
};

enum store_stmt {
	ST_EVENT_INSERT,
	ST_SAMPLE_INSERT,
	ST_SERIES_FIND,
	ST_SERIES_INSERT,
	ST_SERIES_TOUCH,
	ST_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	bool rw;
	int lock_fd; /* store_lock_writer()'s, -1: none */
	char err[512];
	struct store_retention ret;
	sqlite3_stmt *st[ST_COUNT];

	struct store_qevent *qev;
	size_t nqev, qev_cap;
	struct store_qsample *qsm;
	size_t nqsm, qsm_cap;
	int64_t first_queued; /* time of the oldest queued record; 0: none */
	int64_t flush_after;  /* after a failed flush: no retry before this */
	/* dropped with a full queue, not yet said in a notice; since open */
	unsigned long lost_events, lost_samples, dropped;
	int64_t lost_at; /* time of the first record dropped since the last notice */

	struct store_base *base; /* open addressing by uniqueid */
	size_t base_cap, base_used;
	int64_t round_t, prev_round_t; /* the latest two sample times seen */

	struct store_sref *sref; /* open addressing by name hash */
	size_t sref_cap, sref_used;

	/* statements of retention, by their (static) SQL text */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[24];

	/* retention state (store_retain.c) */
	int64_t next_maint;
	int64_t cap_horizon; /* everything older goes to keep the size cap; 0: none */
};

/* Records a failure: "PATH: what: SQLite's message" into s->err; returns the
 * errno for rc (see store.h). */
int store_fail(struct store *s, int rc, const char *what);
/* The errno for an SQLite result code. */
int store_errno(int rc);
/* Prepares (once) and returns a cached statement, or NULL after store_fail(). */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which);
/* Runs SQL without results; returns 0 or store_fail(). */
int store_exec(struct store *s, const char *sql, const char *what);
/* Binds a model_str as text (binary-safe, copied by SQLite). */
int store_bind_str(sqlite3_stmt *st, int col, struct model_str v);
/* A column as a model_str (valid until the next step). */
struct model_str store_column_str(sqlite3_stmt *st, int col);
/* Forgets cached series ids (after a rollback, or when retention deleted
 * series rows). */
void store_series_forget(struct store *s);
/* PRAGMA page_count - freelist_count, in bytes. */
int64_t store_used_bytes(struct store *s);

#endif
