/*
 * The history store: opening, the schema and its migrations, the write queue
 * and the flush.
 *
 * Schema versions. PRAGMA user_version holds the number of migrations
 * applied; migrations[] below are applied in order, each in its own
 * transaction together with the new user_version, so an interrupted upgrade
 * leaves the file at the previous version. A file whose version is above
 * STORE_SCHEMA_VERSION was written by a newer swantop and is refused rather
 * than misread; PRAGMA application_id tells a swantop store from any other
 * SQLite file. Once released, a migration is never changed: a change is a
 * new migration.
 *
 * Queue. Records are queued in memory and written by store_flush() in one
 * transaction, so the recorder pays one commit per second however many
 * events a burst brings, and a kill loses at most what was queued.
 */
#include "model/store_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vici/xmalloc.h"

/* ---- kinds --------------------------------------------------------------- */

static const char *const kind_words[STORE_EV_KIND_COUNT] = {
        [STORE_EV_IKE_UP] = "ike-up",         [STORE_EV_IKE_DOWN] = "ike-down",
        [STORE_EV_CHILD_UP] = "child-up",     [STORE_EV_CHILD_DOWN] = "child-down",
        [STORE_EV_IKE_REKEY] = "ike-rekey",   [STORE_EV_CHILD_REKEY] = "child-rekey",
        [STORE_EV_IKE_UPDATE] = "ike-update", [STORE_EV_CONTROL_LOG] = "control-log",
        [STORE_EV_ACTION_OK] = "action-ok",   [STORE_EV_ACTION_FAIL] = "action-fail",
        [STORE_EV_VERDICT] = "verdict",       [STORE_EV_CHARON_RESTART] = "charon-restart",
        [STORE_EV_RECONNECT] = "reconnect",   [STORE_EV_GAP] = "gap",
        [STORE_EV_NOTICE] = "notice",         [STORE_EV_OTHER] = "other",
};

const char *store_kind_name(enum store_kind k)
{
	return (unsigned)k < STORE_EV_KIND_COUNT ? kind_words[k] : "other";
}

enum store_kind store_kind_parse(const char *word, size_t len)
{
	for (unsigned k = 0; k < STORE_EV_OTHER; k++)
		if (strlen(kind_words[k]) == len && !memcmp(kind_words[k], word, len))
			return (enum store_kind)k;
	return STORE_EV_OTHER;
}

enum store_kind store_kind_from_model(enum model_event_kind k)
{
	switch (k) {
	case MODEL_EV_IKE_UP:
		return STORE_EV_IKE_UP;
	case MODEL_EV_IKE_DOWN:
		return STORE_EV_IKE_DOWN;
	case MODEL_EV_CHILD_UP:
		return STORE_EV_CHILD_UP;
	case MODEL_EV_CHILD_DOWN:
		return STORE_EV_CHILD_DOWN;
	case MODEL_EV_IKE_REKEY:
		return STORE_EV_IKE_REKEY;
	case MODEL_EV_CHILD_REKEY:
		return STORE_EV_CHILD_REKEY;
	case MODEL_EV_IKE_UPDATE:
		return STORE_EV_IKE_UPDATE;
	case MODEL_EV_CONTROL_LOG:
		return STORE_EV_CONTROL_LOG;
	case MODEL_EV_ACTION_OK:
		return STORE_EV_ACTION_OK;
	case MODEL_EV_ACTION_FAIL:
		return STORE_EV_ACTION_FAIL;
	default:
		return STORE_EV_NOTICE;
	}
}

void store_retention_defaults(struct store_retention *r)
{
	const int64_t day = 24 * 3600 * 1000LL;
	r->events_ms = 90 * day;
	r->raw_ms = day;
	r->mid_ms = 7 * day;
	r->coarse_ms = 90 * day;
	r->max_bytes = 256u << 20;
	r->max_sample_gap_ms = 10 * 60 * 1000;
}

static void retention_fill(struct store_retention *dst, const struct store_retention *src)
{
	struct store_retention d;
	store_retention_defaults(&d);
	*dst = src ? *src : d;
	if (dst->events_ms <= 0)
		dst->events_ms = d.events_ms;
	if (dst->raw_ms <= 0)
		dst->raw_ms = d.raw_ms;
	if (dst->mid_ms <= 0)
		dst->mid_ms = d.mid_ms;
	if (dst->coarse_ms <= 0)
		dst->coarse_ms = d.coarse_ms;
	if (!dst->max_bytes)
		dst->max_bytes = d.max_bytes;
	if (dst->max_sample_gap_ms <= 0)
		dst->max_sample_gap_ms = d.max_sample_gap_ms;
}

void store_set_retention(struct store *s, const struct store_retention *r)
{
	retention_fill(&s->ret, r);
	s->next_maint = 0;
}

/* ---- paths --------------------------------------------------------------- */

int store_default_path(char *buf, size_t size, unsigned euid, const char *xdg_state_home,
                       const char *home)
{
	int n;
	if (euid == 0)
		n = snprintf(buf, size, "%s", STORE_SYSTEM_PATH);
	else if (xdg_state_home && xdg_state_home[0] == '/')
		n = snprintf(buf, size, "%s/swantop/history.db", xdg_state_home);
	else if (home && home[0] == '/')
		n = snprintf(buf, size, "%s/.local/state/swantop/history.db", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Creates the missing directories above path, each with mode. */
static int make_parents(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *c = p + 1; *c && !rc; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(p, mode) && errno != EEXIST)
			rc = -errno;
		*c = '/';
	}
	free(p);
	return rc;
}

/* ---- errors -------------------------------------------------------------- */

int store_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return 0;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -EACCES;
	case SQLITE_NOTADB:
		return -EBADMSG;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
		return -EINVAL;
	case SQLITE_NOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int fail_msg(char *err, size_t errlen, int e, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int fail_msg(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return e;
}

/* What an errno means to an operator, for the messages. */
static const char *what_errno(int e, int rc)
{
	switch (e) {
	case -EACCES:
		return "permission denied";
	case -EBADMSG:
		return "not a swantop store (not an SQLite database)";
	case -EBUSY:
		return "locked by another process";
	case -ENOSPC:
		return "disk full";
	case -EROFS:
		return "read-only";
	default:
		return (rc & 0xff) == SQLITE_CORRUPT ? "corrupt store" : "I/O error";
	}
}

int store_fail(struct store *s, int rc, const char *what)
{
	int e = store_errno(rc);
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	fail_msg(s->err, sizeof(s->err), e, "%s: %s: %s (%s)", s->path, what, what_errno(e, rc),
	         msg);
	return e;
}

const char *store_errmsg(const struct store *s)
{
	return s->err;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

/* ---- SQL helpers --------------------------------------------------------- */

int store_exec(struct store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : store_fail(s, rc, what);
}

int store_bind_str(sqlite3_stmt *st, int col, struct model_str v)
{
	return sqlite3_bind_text(st, col, v.len ? v.s : "", (int)v.len, SQLITE_TRANSIENT);
}

struct model_str store_column_str(sqlite3_stmt *st, int col)
{
	const char *p = (const char *)sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	return p ? (struct model_str){p, (uint32_t)n} : (struct model_str){"", 0};
}

static const char *const stmt_sql[ST_COUNT] = {
        [ST_EVENT_INSERT] = "INSERT INTO events(t, end_t, kind, conn, child, ike_id, child_id,"
                            " new_id, state, remote, detail, code, side, evidence)"
                            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [ST_SAMPLE_INSERT] =
                "INSERT INTO samples(t, series, dt, bytes_in, bytes_out, packets_in,"
                " packets_out) VALUES(?,?,?,?,?,?,?) ON CONFLICT(t, series) DO UPDATE SET"
                " dt = max(dt, excluded.dt), bytes_in = bytes_in + excluded.bytes_in,"
                " bytes_out = bytes_out + excluded.bytes_out,"
                " packets_in = packets_in + excluded.packets_in,"
                " packets_out = packets_out + excluded.packets_out",
        [ST_SERIES_FIND] =
                "SELECT id, last_t FROM series WHERE conn = ? AND child = ? AND reqid = ?",
        [ST_SERIES_INSERT] = "INSERT INTO series(conn, child, reqid, last_t) VALUES(?,?,?,?)",
        [ST_SERIES_TOUCH] = "UPDATE series SET last_t = ? WHERE id = ?",
};

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which)
{
	if (!s->st[which]) {
		int rc = sqlite3_prepare_v3(s->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
		                            &s->st[which], NULL);
		if (rc != SQLITE_OK) {
			store_fail(s, rc, "preparing a statement");
			return NULL;
		}
	}
	sqlite3_reset(s->st[which]);
	sqlite3_clear_bindings(s->st[which]);
	return s->st[which];
}

static int pragma_int(struct store *s, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	return rc;
}

int64_t store_used_bytes(struct store *s)
{
	int64_t pages = 0, free_pages = 0, page_size = 0;
	if (pragma_int(s, "PRAGMA page_count", &pages) ||
	    pragma_int(s, "PRAGMA freelist_count", &free_pages) ||
	    pragma_int(s, "PRAGMA page_size", &page_size))
		return -1;
	return (pages - free_pages) * page_size;
}

int64_t store_size(struct store *s)
{
	return store_used_bytes(s);
}

/* ---- schema -------------------------------------------------------------- */

/* migrations[i] takes a store from version i to i + 1. Released migrations
 * are never edited. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
        /* 1: timeline records, series and the three sample tiers, each
         * ordered by time: the recorder appends, retention drops a prefix. */
        "PRAGMA application_id = 1398230612;"
        "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value) WITHOUT ROWID;"
        "CREATE TABLE events(id INTEGER PRIMARY KEY, t INTEGER NOT NULL, kind TEXT NOT NULL,"
        " conn TEXT NOT NULL DEFAULT '', child TEXT NOT NULL DEFAULT '',"
        " ike_id INTEGER NOT NULL DEFAULT 0, child_id INTEGER NOT NULL DEFAULT 0,"
        " new_id INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT '',"
        " remote TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '');"
        "CREATE INDEX events_t ON events(t);"
        "CREATE TABLE series(id INTEGER PRIMARY KEY, conn TEXT NOT NULL, child TEXT NOT NULL,"
        " reqid INTEGER NOT NULL, last_t INTEGER NOT NULL DEFAULT 0, UNIQUE(conn, child, reqid));"
        "CREATE TABLE samples(t INTEGER NOT NULL, series INTEGER NOT NULL, dt INTEGER NOT NULL,"
        " bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, packets_in INTEGER NOT NULL,"
        " packets_out INTEGER NOT NULL, PRIMARY KEY(t, series)) WITHOUT ROWID;"
        "CREATE TABLE samples_mid(t INTEGER NOT NULL, series INTEGER NOT NULL,"
        " bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, packets_in INTEGER NOT NULL,"
        " packets_out INTEGER NOT NULL, PRIMARY KEY(t, series)) WITHOUT ROWID;"
        "CREATE TABLE samples_coarse(t INTEGER NOT NULL, series INTEGER NOT NULL,"
        " bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, packets_in INTEGER NOT NULL,"
        " packets_out INTEGER NOT NULL, PRIMARY KEY(t, series)) WITHOUT ROWID;",
        /* 2: diagnosis verdicts and gaps in the timeline; the per-connection
         * timeline and flap counts get their own index. */
        "ALTER TABLE events ADD COLUMN end_t INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE events ADD COLUMN code TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE events ADD COLUMN side TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE events ADD COLUMN evidence TEXT NOT NULL DEFAULT '';"
        "CREATE INDEX events_conn_t ON events(conn, t);",
};

static int migrate(struct store *s, int64_t from)
{
	for (int64_t v = from; v < STORE_SCHEMA_VERSION; v++) {
		char sql[64], what[64];
		snprintf(what, sizeof(what), "upgrading the schema to version %lld",
		         (long long)v + 1);
		int rc = store_exec(s, "BEGIN IMMEDIATE", what);
		if (!rc)
			rc = store_exec(s, migrations[v], what);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)v + 1);
		if (!rc)
			rc = store_exec(s, sql, what);
		if (!rc)
			rc = store_exec(s, "COMMIT", what);
		if (rc) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	return 0;
}

/* Checks what the file is before anything is written to it; *version gets
 * its schema version (0 for a new empty file, read-write only). */
static int check_schema(struct store *s, int64_t *version_out)
{
	int64_t app = 0, version = 0, tables = 0;
	int rc = pragma_int(s, "PRAGMA application_id", &app);
	if (!rc)
		rc = pragma_int(s, "PRAGMA user_version", &version);
	if (!rc)
		rc = pragma_int(s, "SELECT count(*) FROM sqlite_master", &tables);
	if (rc)
		return store_fail(s, rc, "reading the schema");
	if (app == 0 && version == 0 && tables == 0) {
		if (!s->rw)
			return fail_msg(s->err, sizeof(s->err), -EBADMSG,
			                "%s: not a swantop store (empty file)", s->path);
		*version_out = 0;
		return 0;
	}
	if (app != STORE_APPLICATION_ID)
		return fail_msg(s->err, sizeof(s->err), -EBADMSG,
		                "%s: not a swantop store (application id %#llx)", s->path,
		                (unsigned long long)app);
	if (version > STORE_SCHEMA_VERSION)
		return fail_msg(s->err, sizeof(s->err), -EPROTONOSUPPORT,
		                "%s: schema too new: written by a newer swantop (schema %lld, this "
		                "one reads up to %d)",
		                s->path, (long long)version, STORE_SCHEMA_VERSION);
	if (version < STORE_SCHEMA_VERSION && !s->rw)
		return fail_msg(s->err, sizeof(s->err), -EPROTONOSUPPORT,
		                "%s: schema %lld is older than this swantop's (%d): run swantop "
		                "record once to upgrade it",
		                s->path, (long long)version, STORE_SCHEMA_VERSION);
	*version_out = version;
	return 0;
}

static int configure(struct store *s)
{
	if (!s->rw)
		return store_exec(s, "PRAGMA query_only = 1", "opening read-only");
	/* A new file: auto_vacuum must be set before the first page is
	 * written, which switching to WAL already does. */
	int64_t pages = 0;
	int rc = pragma_int(s, "PRAGMA page_count", &pages);
	if (rc == SQLITE_OK && pages == 0)
		rc = sqlite3_exec(s->db, "PRAGMA auto_vacuum = INCREMENTAL", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "creating the store");
	sqlite3_stmt *st;
	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		if (!mode || strcmp(mode, "wal"))
			rc = SQLITE_CANTOPEN;
	} else if (rc == SQLITE_OK) {
		rc = sqlite3_errcode(s->db);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "switching to WAL mode");
	/* Keep -wal and -shm after the last writer closes: a read-only opener
	 * then never has to create them. */
	int persist = 1;
	sqlite3_file_control(s->db, NULL, SQLITE_FCNTL_PERSIST_WAL, &persist);
	return store_exec(s,
	                  "PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 8388608;"
	                  "PRAGMA foreign_keys = 0",
	                  "configuring");
}

/* The latest sample time, so the first samples after a restart can tell a
 * CHILD SA installed since then (count from zero) from an older one. */
static void load_rounds(struct store *s)
{
	int64_t t = 0;
	if (!pragma_int(s, "SELECT max(t) FROM samples", &t))
		s->round_t = t;
}

int store_open(struct store **out, const char *path, enum store_mode mode, char *err, size_t errlen)
{
	*out = NULL;
	if (!path || !*path)
		return fail_msg(err, errlen, -EINVAL, "no path for the history store");
	bool rw = mode == STORE_READ_WRITE;
	struct stat sb;
	if (stat(path, &sb)) {
		int e = -errno;
		if (e == -ENOENT && !rw)
			return fail_msg(err, errlen, -ENOENT, "no history store at %s", path);
		if (e != -ENOENT)
			return fail_msg(err, errlen, e, "%s: %s", path, strerror(-e));
		mode_t dmode = strcmp(path, STORE_SYSTEM_PATH) ? 0700 : 0750;
		if ((e = make_parents(path, dmode)))
			return fail_msg(err, errlen, e, "%s: cannot create its directory: %s", path,
			                strerror(-e));
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, dmode & 0640);
		if (fd < 0 && errno != EEXIST)
			return fail_msg(err, errlen, -errno, "%s: cannot create: %s", path,
			                strerror(errno));
		if (fd >= 0)
			close(fd);
	} else if (S_ISDIR(sb.st_mode)) {
		return fail_msg(err, errlen, -EISDIR, "%s: is a directory", path);
	}
	if (access(path, rw ? R_OK | W_OK : R_OK))
		return fail_msg(err, errlen, -errno, "%s: %s", path, strerror(errno));

	struct store *s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->rw = rw;
	s->lock_fd = -1;
	retention_fill(&s->ret, NULL);
	int flags = (rw ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	int e = rc != SQLITE_OK ? store_fail(s, rc, "opening") : 0;
	if (!e) {
		sqlite3_busy_timeout(s->db, 5000);
		sqlite3_extended_result_codes(s->db, 1);
	}
	int64_t version = 0;
	if (!e)
		e = check_schema(s, &version);
	if (!e)
		e = configure(s);
	if (!e && version < STORE_SCHEMA_VERSION)
		e = migrate(s, version);
	if (e) {
		fail_msg(err, errlen, e, "%s", s->err);
		store_close(s);
		return e;
	}
	if (rw)
		load_rounds(s);
	*out = s;
	return 0;
}

/* ---- the one writer ------------------------------------------------------- */

/* The holder's note, as the holder wrote it ("" if none). */
static void writer_note(struct store *s, char *buf, size_t size)
{
	sqlite3_stmt *st;
	buf[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'writer'", -1, &st,
	                       NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

int store_lock_writer(struct store *s, const char *who)
{
	if (!s->rw)
		return fail_msg(s->err, sizeof(s->err), -EROFS, "%s: opened read-only", s->path);
	if (s->lock_fd >= 0)
		return 0;
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_msg(s->err, sizeof(s->err), -errno, "%s: %s", s->path, strerror(errno));
	/* The descriptor is kept either way until store_close() (see there). */
	s->lock_fd = fd;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = -errno;
		if (e != -EWOULDBLOCK)
			return fail_msg(s->err, sizeof(s->err), e, "%s: cannot lock: %s", s->path,
			                strerror(-e));
		char note[200];
		writer_note(s, note, sizeof(note));
		return fail_msg(s->err, sizeof(s->err), -EBUSY,
		                "%s: another recorder is writing this store (%s); one recorder "
		                "per store",
		                s->path, *note ? note : "its process id is not noted");
	}
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db,
	                            "INSERT INTO meta(key, value) VALUES('writer', ?1)"
	                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, who ? who : "", -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : store_fail(s, rc, "noting the writer");
}

void store_series_forget(struct store *s)
{
	for (size_t i = 0; i < s->sref_cap; i++)
		free(s->sref[i].key);
	if (s->sref)
		memset(s->sref, 0, s->sref_cap * sizeof(*s->sref));
	s->sref_used = 0;
}

static void queue_clear(struct store *s)
{
	for (size_t i = 0; i < s->nqev; i++)
		free(s->qev[i].blk);
	for (size_t i = 0; i < s->nqsm; i++)
		free(s->qsm[i].conn);
	s->nqev = s->nqsm = 0;
	s->first_queued = 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	for (size_t i = 0; i < sizeof(s->cache) / sizeof(s->cache[0]); i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	/* after SQLite's descriptors: closing another descriptor of the file
	 * while SQLite holds it open would drop SQLite's POSIX locks */
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	queue_clear(s);
	free(s->qev);
	free(s->qsm);
	free(s->base);
	store_series_forget(s);
	free(s->sref);
	free(s->path);
	free(s);
}
