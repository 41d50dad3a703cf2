/*
 * Unit tests for the history store (src/model/store*.c): default paths,
 * opening and refusing files, schema creation and the migration from a
 * version 1 file, the write queue and its flush policy, timeline, flap and
 * rate queries, deltas across rekeys and counter resets, downsampling that
 * keeps sums, retention by age and by size, read-only opens beside a
 * writer, and a writer killed with SIGKILL at random moments.
 *
 * Every test works in its own temporary directory; the files are real
 * SQLite files, checked with SQLite itself where the store's own API would
 * only be checking itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "model/store.h"

#define MIN_MS (60 * 1000LL)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
/* 2026-12-04 00:00:00 UTC: any fixed time works, the store reads no clock */
#define T0 1796342400000LL

static char tmpdir[256];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_store.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tpath(const char *name)
{
	static char buf[4][400];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static struct model_str S(const char *s) {
	return (struct model_str){s, (uint32_t)strlen(s)};
}

static struct store *
open_rw(const char *path)
{
	char err[512];
	struct store *s = NULL;
	int e = store_open(&s, path, STORE_READ_WRITE, err, sizeof(err));
	if (e)
		fail_msg("store_open(%s): %d %s", path, e, err);
	return s;
}

static struct store *open_ro(const char *path)
{
	char err[512];
	struct store *s = NULL;
	int e = store_open(&s, path, STORE_READ_ONLY, err, sizeof(err));
	if (e)
		fail_msg("store_open(%s, ro): %d %s", path, e, err);
	return s;
}

/* One integer from SQL run by SQLite directly on the file. */
static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static void add_ev(struct store *s, int64_t t, enum store_kind k, const char *conn,
                   const char *detail)
{
	struct store_event ev = {.time = t, .kind = k, .conn = S(conn), .detail = S(detail)};
	store_add_event(s, &ev);
}

/* ---- paths and opening ---------------------------------------------------- */

static void test_default_path(void **state)
{
	char buf[256];
	assert_int_equal(store_default_path(buf, sizeof(buf), 0, "/x", "/home/a"), 0);
	assert_string_equal(buf, "/var/lib/swantop/history.db");
	assert_int_equal(store_default_path(buf, sizeof(buf), 1000, "/st", "/home/a"), 0);
	assert_string_equal(buf, "/st/swantop/history.db");
	/* a relative XDG_STATE_HOME is invalid and ignored */
	assert_int_equal(store_default_path(buf, sizeof(buf), 1000, "rel", "/home/a"), 0);
	assert_string_equal(buf, "/home/a/.local/state/swantop/history.db");
	assert_int_equal(store_default_path(buf, sizeof(buf), 1000, NULL, NULL), -ENOENT);
	assert_int_equal(store_default_path(buf, 10, 1000, NULL, "/home/a"), -ENAMETOOLONG);
}

static void test_create_and_reopen(void **state)
{
	const char *path = tpath("a/b/history.db");
	char err[512] = "";
	struct store *s = NULL;
	/* read-only never creates anything */
	assert_int_equal(store_open(&s, path, STORE_READ_ONLY, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no history store at"));
	struct stat sb;
	assert_int_not_equal(stat(tpath("a"), &sb), 0);

	s = open_rw(path);
	assert_int_equal(stat(tpath("a/b"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	store_close(s);
	assert_int_equal(sql_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(sql_int(path, "PRAGMA application_id"), 0x53574e54);
	assert_int_equal(sql_int(path, "PRAGMA auto_vacuum"), 2);
	assert_int_equal(sql_int(path, "PRAGMA journal_mode"), 0); /* "wal" is text */
	s = open_ro(path);
	store_close(s);
	s = open_rw(path);
	store_close(s);
}

static void expect_refused(const char *path, enum store_mode mode, int e, const char *words)
{
	char err[512] = "";
	struct store *s = NULL;
	assert_int_equal(store_open(&s, path, mode, err, sizeof(err)), e);
	assert_null(s);
	if (!strstr(err, words) || !strstr(err, path))
		fail_msg("message '%s' lacks '%s' or the path", err, words);
	assert_null(strchr(err, '\n'));
}

static void test_refuse(void **state)
{
	const char *text = tpath("text.db");
	FILE *f = fopen(text, "w");
	fputs("this is not a database, just some text that is long enough to matter\n", f);
	for (int i = 0; i < 100; i++)
		fputs("more text to fill the first page of what SQLite would read\n", f);
	fclose(f);
	expect_refused(text, STORE_READ_ONLY, -EBADMSG, "not a swantop store");
	expect_refused(text, STORE_READ_WRITE, -EBADMSG, "not a swantop store");

	const char *other = tpath("other.db");
	sql_exec(other, "CREATE TABLE t(x); INSERT INTO t VALUES(1)");
	struct stat before, after;
	assert_int_equal(stat(other, &before), 0);
	expect_refused(other, STORE_READ_WRITE, -EBADMSG, "not a swantop store");
	/* untouched: still in rollback-journal mode, same bytes */
	assert_int_equal(stat(other, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
	assert_int_equal(sql_int(other, "SELECT x FROM t"), 1);
	assert_int_equal(stat(tpath("other.db-wal"), &after), -1);

	const char *empty = tpath("empty.db");
	fclose(fopen(empty, "w"));
	expect_refused(empty, STORE_READ_ONLY, -EBADMSG, "not a swantop store");

	const char *newer = tpath("newer.db");
	store_close(open_rw(newer));
	sql_exec(newer, "PRAGMA user_version = 99");
	expect_refused(newer, STORE_READ_WRITE, -EPROTONOSUPPORT, "schema too new");
	expect_refused(newer, STORE_READ_ONLY, -EPROTONOSUPPORT, "newer swantop");

	expect_refused(tmpdir, STORE_READ_ONLY, -EISDIR, "directory");

	if (geteuid() != 0) {
		const char *locked = tpath("locked.db");
		store_close(open_rw(locked));
		chmod(locked, 0);
		expect_refused(locked, STORE_READ_ONLY, -EACCES, "ermission denied");
	}
}

static void test_corrupt(void **state)
{
	const char *path = tpath("corrupt.db");
	struct store *s = open_rw(path);
	for (int i = 0; i < 3000; i++)
		add_ev(s, T0 + i, STORE_EV_IKE_UP, "conn", "some detail text to take space");
	assert_int_equal(store_flush(s), 0);
	store_close(s);
	sql_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)");
	/* garbage over the middle of the file: b-tree pages, not the header */
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 4096 * 2, SEEK_SET);
	for (long i = 4096 * 2; i < size - 4096; i++)
		fputc(0x5a, f);
	fclose(f);
	char err[512] = "";
	int e = store_open(&s, path, STORE_READ_ONLY, err, sizeof(err));
	if (!e) {
		struct store_filter flt = {0};
		long n = store_timeline(s, &flt, NULL, NULL);
		assert_true(n < 0);
		assert_int_equal(n, -EIO);
		assert_non_null(strstr(store_errmsg(s), "corrupt"));
		store_close(s);
	} else {
		assert_non_null(strstr(err, "corrupt"));
	}
}

/* The schema of version 1 exactly as it was released: the file an older
 * swantop left behind. */
static const char *const v1_schema =
        "PRAGMA auto_vacuum = INCREMENTAL;"
        "PRAGMA journal_mode = WAL;"
        "BEGIN;"
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
        " packets_out INTEGER NOT NULL, PRIMARY KEY(t, series)) WITHOUT ROWID;"
        "PRAGMA user_version = 1;"
        "INSERT INTO events(t, kind, conn, child, ike_id, state, remote, detail) VALUES"
        " (1796342400000, 'ike-down', 'gw-a', '', 7, 'DELETING', '192.0.2.9', 'old row'),"
        " (1796342460000, 'ike-up', 'gw-a', '', 8, 'ESTABLISHED', '192.0.2.9', '');"
        "INSERT INTO series(conn, child, reqid, last_t) VALUES ('gw-a', 'net', 1, 1796342400000);"
        "INSERT INTO samples VALUES (1796342400000, 1, 30000, 1000, 2000, 10, 20);"
        "COMMIT;";

static int collect_details(void *ctx, const struct store_event *ev)
{
	char *out = ctx;
	strncat(out, ev->kind_word.s, ev->kind_word.len);
	strcat(out, ":");
	strncat(out, ev->detail.s, ev->detail.len);
	strcat(out, ";");
	return 0;
}

static void test_migrate_v1(void **state)
{
	const char *path = tpath("v1.db");
	sql_exec(path, v1_schema);
	assert_int_equal(sql_int(path, "PRAGMA user_version"), 1);
	/* read-only cannot upgrade, and says how to */
	expect_refused(path, STORE_READ_ONLY, -EPROTONOSUPPORT, "swantop record");
	assert_int_equal(sql_int(path, "PRAGMA user_version"), 1);

	struct store *s = open_rw(path);
	assert_int_equal(sql_int(path, "PRAGMA user_version"), 2);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name ="
	                               " 'events_conn_t'"),
	                 1);
	char out[256] = "";
	struct store_filter f = {.conn = "gw-a"};
	assert_int_equal(store_timeline(s, &f, collect_details, out), 2);
	assert_string_equal(out, "ike-down:old row;ike-up:;");
	/* the new columns work on the old rows and for new ones */
	struct store_event ev = {.time = T0 + 120000,
	                         .kind = STORE_EV_VERDICT,
	                         .conn = S("gw-a"),
	                         .code = S("proposal-mismatch"),
	                         .side = S("remote"),
	                         .detail = S("no proposal chosen"),
	                         .evidence = S("NO_PROPOSAL_CHOSEN in IKE_SA_INIT")};
	store_add_event(s, &ev);
	assert_int_equal(store_flush(s), 0);
	struct store_bucket b[1];
	assert_int_equal(store_rates(s, "gw-a", "net", 1, T0 - MIN_MS, 2 * MIN_MS, 1, b), 0);
	assert_true(b[0].data);
	assert_true(b[0].bytes_in == 1000 && b[0].packets_out == 20);
	store_close(s);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM events WHERE code ="
	                               " 'proposal-mismatch' AND side = 'remote'"),
	                 1);
	s = open_ro(path);
	store_close(s);
}

/* ---- writing and the timeline -------------------------------------------- */

static void test_flush_policy(void **state)
{
	const char *path = tpath("flush.db");
	struct store *w = open_rw(path);
	assert_int_equal(store_tick(w, T0), 0); /* first retention step */
	assert_true(store_due(w) > T0 + 1000);
	add_ev(w, T0 + 100, STORE_EV_IKE_UP, "a", "");
	add_ev(w, T0 + 300, STORE_EV_IKE_DOWN, "a", "");
	assert_int_equal(store_pending(w), 2);
	assert_int_equal(store_due(w), T0 + 100 + STORE_FLUSH_INTERVAL_MS);
	struct store *r = open_ro(path);
	struct store_filter f = {0};
	assert_int_equal(store_tick(w, T0 + 900), 0);
	assert_int_equal(store_pending(w), 2);
	assert_int_equal(store_count(r, &f), 0);
	assert_int_equal(store_tick(w, T0 + 1100), 0);
	assert_int_equal(store_pending(w), 0);
	assert_int_equal(store_count(r, &f), 2);
	/* the last retention step is where a restarted recorder's gap starts */
	assert_int_equal(store_alive(r), T0);
	assert_int_equal(store_tick(w, T0 + 60 * 1000), 0);
	assert_int_equal(store_alive(r), T0 + 60 * 1000);
	/* a read-only store refuses writes and keeps nothing */
	add_ev(r, T0, STORE_EV_NOTICE, "", "x");
	assert_int_equal(store_flush(r), -EROFS);
	store_close(r);
	store_close(w);
}

struct pager {
	char out[256];
	int64_t last_t, last_id;
};

static int page_collect(void *ctx, const struct store_event *ev)
{
	struct pager *pg = ctx;
	strncat(pg->out, ev->detail.s, ev->detail.len);
	strcat(pg->out, ";");
	pg->last_t = ev->time;
	pg->last_id = ev->id;
	return 0;
}

static void test_timeline(void **state)
{
	struct store *s = open_rw(tpath("tl.db"));
	/* events out of order, two at the same time, daemon-wide records */
	add_ev(s, T0 + 5000, STORE_EV_IKE_DOWN, "gw-a", "5");
	add_ev(s, T0 + 1000, STORE_EV_IKE_UP, "gw-a", "1");
	add_ev(s, T0 + 2000, STORE_EV_IKE_UP, "gw-b", "2");
	add_ev(s, T0 + 3000, STORE_EV_CHARON_RESTART, "", "3");
	add_ev(s, T0 + 4000, STORE_EV_CHILD_DOWN, "gw-a", "4a");
	add_ev(s, T0 + 4000, STORE_EV_CHILD_DOWN, "gw-b", "4b");
	struct store_event gap = {.time = T0 + 6000, .end = T0 + 9000, .kind = STORE_EV_GAP};
	store_add_event(s, &gap);
	add_ev(s, T0 + 10000, STORE_EV_IKE_DOWN, "gw-a", "10");
	/* binary-safe: a NUL and an escape survive */
	struct store_event bin = {.time = T0 + 11000,
	                          .kind = STORE_EV_NOTICE,
	                          .conn = {"gw\0x", 4},
	                          .detail = {"\033[2J\0", 5}};
	store_add_event(s, &bin);
	assert_int_equal(store_flush(s), 0);

	char out[512] = "";
	struct store_filter f = {.conn = "gw-a"};
	assert_int_equal(store_timeline(s, &f, collect_details, out), 6);
	assert_string_equal(out,
	                    "ike-up:1;charon-restart:3;child-down:4a;ike-down:5;gap:;ike-down:10;");
	out[0] = '\0';
	f = (struct store_filter){.since = T0 + 2000, .until = T0 + 5000};
	assert_int_equal(store_timeline(s, &f, collect_details, out), 4);
	assert_string_equal(out, "ike-up:2;charon-restart:3;child-down:4a;child-down:4b;");
	assert_int_equal(store_count(s, &f), 4);
	/* limit: the newest N, still oldest first */
	out[0] = '\0';
	f = (struct store_filter){.limit = 3};
	assert_int_equal(store_timeline(s, &f, collect_details, out), 3);
	assert_string_equal(out, "gap:;ike-down:10;notice:\033[2J;");
	/* paging backwards, newest first, across the two records at T0+4000 */
	struct pager pg = {0};
	int pages = 0;
	f = (struct store_filter){.order = STORE_NEWEST_FIRST, .limit = 2, .until = T0 + 5000};
	while (store_timeline(s, &f, page_collect, &pg) > 0) {
		pages++;
		f.until = pg.last_t;
		f.before_id = pg.last_id;
	}
	assert_string_equal(pg.out, "4b;4a;3;2;1;");
	assert_int_equal(pages, 3);
	store_close(s);
}

/* ---- samples and rates ----------------------------------------------------- */

static void sample(struct store *s, int64_t t, uint32_t reqid, uint32_t uid, int64_t installed,
                   uint64_t bin, uint64_t bout, uint64_t pin, uint64_t pout)
{
	struct store_sample sm = {.time = t,
	                          .conn = S("gw"),
	                          .child = S("net"),
	                          .reqid = reqid,
	                          .uniqueid = uid,
	                          .installed = installed,
	                          .bytes_in = bin,
	                          .bytes_out = bout,
	                          .packets_in = pin,
	                          .packets_out = pout};
	store_add_sample(s, &sm);
}

static int all_cb(void *ctx, struct model_str conn, struct model_str child, uint32_t reqid,
                  const struct store_bucket *b, size_t n)
{
	double *tot = ctx;
	assert_true(model_str_eq(conn, "gw") && model_str_eq(child, "net"));
	assert_true(reqid == 1 || reqid == 2);
	for (size_t i = 0; i < n; i++)
		tot[reqid] += b[i].bytes_in;
	return 0;
}

static void test_sample_deltas(void **state)
{
	const char *path = tpath("samples.db");
	struct store *s = open_rw(path);
	sample(s, T0, 1, 1, 0, 1000, 2000, 10, 20);              /* baseline only */
	sample(s, T0 + 30000, 1, 1, 0, 4000, 2000, 40, 20);      /* +3000 in */
	sample(s, T0 + 60000, 1, 2, T0 + 45000, 500, 100, 5, 1); /* rekeyed: new from zero */
	sample(s, T0 + 60000, 1, 1, 0, 4500, 2000, 45, 20);      /* old one's last +500 */
	sample(s, T0 + 90000, 1, 2, 0, 1500, 100, 15, 1);        /* +1000 */
	sample(s, T0 + 90000, 2, 9, T0 - DAY_MS, 777, 0, 7, 0);  /* old: baseline only */
	sample(s, T0 + 120000, 1, 2, 0, 100, 100, 1, 1);         /* reset: +100 */
	sample(s, T0 + 120000, 2, 9, 0, 877, 0, 8, 0);           /* other reqid: +100 */
	sample(s, T0 + 150000, 1, 2, 0, 100, 100, 1, 1);         /* idle: no row */
	sample(s, T0 + 150000 + 20 * MIN_MS, 1, 2, 0, 9999, 100, 99, 1); /* after a gap */
	assert_int_equal(store_flush(s), 0);
	/* T0+60 s: the two CHILD SAs of one series add up in one row */
	assert_int_equal(sql_int(path, "SELECT count(*) FROM samples"), 5);

	struct store_bucket b[8];
	assert_int_equal(store_rates(s, "gw", "net", 1, T0, 3 * MIN_MS, 1, b), 0);
	assert_true(b[0].data);
	assert_true(b[0].bytes_in == 3000 + 500 + 500 + 1000 + 100);
	assert_true(b[0].bytes_out == 100 + 100); /* a reset restarts all four counters */
	assert_true(b[0].packets_in == 30 + 5 + 5 + 10 + 1);
	/* reqid 0: every reqid of the name */
	assert_int_equal(store_rates(s, "gw", "net", 0, T0, 3 * MIN_MS, 1, b), 0);
	assert_true(b[0].bytes_in == 5100 + 100);
	/* 30 s buckets: each delta in the interval it covers */
	assert_int_equal(store_rates(s, "gw", "net", 1, T0, 30000, 6, b), 0);
	assert_true(b[0].bytes_in == 3000);
	assert_true(b[1].bytes_in == 500 + 500 * 30.0 / 15.0 / 2.0); /* rekeyed SA from T0+45 s */
	assert_true(b[1].bytes_in + b[2].bytes_in == 1000 + 1000);
	assert_false(b[4].data);
	assert_false(b[5].data);
	/* unknown names have no data, and that is no error */
	assert_int_equal(store_rates(s, "gw", "nope", 0, T0, 30000, 6, b), 0);
	assert_false(b[0].data);

	double tot[3] = {0, 0, 0};
	assert_int_equal(store_rates_all(s, T0, MIN_MS, 3, all_cb, tot), 2);
	assert_true(tot[1] == 5100 && tot[2] == 100);
	store_close(s);
}

static int flap_cb(void *ctx, const struct store_flaps *fl)
{
	char *out = ctx;
	char buf[64];
	snprintf(buf, sizeof(buf), "%.*s=%u/%u;", (int)fl->conn.len, fl->conn.s, fl->ike_down,
	         fl->child_down);
	strcat(out, buf);
	return 0;
}

static void test_flaps(void **state)
{
	struct store *s = open_rw(tpath("flaps.db"));
	for (int i = 0; i < 5; i++) {
		add_ev(s, T0 - 2 * DAY_MS + i, STORE_EV_IKE_DOWN, "a", ""); /* too old */
		add_ev(s, T0 + i * HOUR_MS, STORE_EV_IKE_DOWN, "a", "");
		add_ev(s, T0 + i * HOUR_MS + 1, STORE_EV_CHILD_DOWN, "a", "");
		add_ev(s, T0 + i * HOUR_MS + 2, STORE_EV_IKE_UP, "a", "");
	}
	add_ev(s, T0 + 5, STORE_EV_CHILD_DOWN, "b", "");
	add_ev(s, T0 + 5, STORE_EV_IKE_UP, "c", "");
	assert_int_equal(store_flush(s), 0);
	char out[128] = "";
	assert_int_equal(store_flaps(s, NULL, T0 - 1, T0 + DAY_MS, flap_cb, out), 2);
	assert_string_equal(out, "a=5/5;b=0/1;");
	out[0] = '\0';
	assert_int_equal(store_flaps(s, "a", T0 + HOUR_MS, 0, flap_cb, out), 1);
	assert_string_equal(out, "a=4/4;");
	store_close(s);
}

/* ---- retention --------------------------------------------------------------- */

static int maintain_all(struct store *s, int64_t now, unsigned budget)
{
	int calls = 0, r;
	while ((r = store_maintain(s, now, budget)) == 1)
		assert_true(++calls < 100000);
	assert_int_equal(r, 0);
	return calls + 1;
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 33;
}

/* Ten days of 30 s samples of three CHILD SAs, downsampled: the sums stay,
 * each tier holds its stretch of time. */
static void test_downsample(void **state)
{
	const char *path = tpath("down.db");
	struct store *s = open_rw(path);
	const int days = 10, per_day = 2880;
	const int64_t start = T0 + 7000, end = start + (int64_t)days * DAY_MS;
	static uint64_t hourly[3][10 * 24]; /* expected bytes_in by sample time's hour */
	memset(hourly, 0, sizeof(hourly));
	uint64_t c[3] = {0, 0, 0}, x = 42, total = 0;
	for (int k = 0; k <= days * per_day; k++) {
		int64_t t = start + (int64_t)k * 30000;
		for (uint32_t j = 0; j < 3; j++) {
			uint64_t d = k ? lcg(&x) % 100000 : 0;
			c[j] += d;
			size_t h = (size_t)((t - T0) / HOUR_MS);
			if (h < 240)
				hourly[j][h] += d;
			total += d;
			struct store_sample sm = {.time = t,
			                          .conn = S("gw"),
			                          .child = S("net"),
			                          .reqid = j + 1,
			                          .uniqueid = j + 1,
			                          .bytes_in = c[j],
			                          .packets_in = c[j] / 1000};
			store_add_sample(s, &sm);
		}
		if (k % 1000 == 0)
			assert_int_equal(store_flush(s), 0);
	}
	assert_int_equal(store_flush(s), 0);
	struct store_bucket b[240];
	assert_int_equal(store_rates(s, "gw", "net", 0, T0 - HOUR_MS, 12 * DAY_MS, 1, b), 0);
	assert_true(b[0].bytes_in == (double)total);

	int calls = maintain_all(s, end, 2000);
	assert_true(calls > 10); /* the work came in bounded steps */
	/* each tier holds its own stretch */
	int64_t now = end;
	assert_true(sql_int(path, "SELECT min(t) FROM samples") >= now - DAY_MS - 16 * MIN_MS);
	assert_true(sql_int(path, "SELECT max(t) FROM samples_mid") < now - DAY_MS);
	assert_true(sql_int(path, "SELECT min(t) FROM samples_mid") >= now - 7 * DAY_MS - HOUR_MS);
	assert_true(sql_int(path, "SELECT max(t) FROM samples_coarse") < now - 7 * DAY_MS);
	assert_int_equal(sql_int(path, "SELECT min(t) % 3600000 FROM samples_coarse"), 0);
	/* the total is unchanged */
	assert_int_equal(store_rates(s, "gw", "net", 0, T0 - HOUR_MS, 12 * DAY_MS, 1, b), 0);
	assert_true(b[0].bytes_in == (double)total);
	/* hour by hour in the downsampled stretches: exact per series */
	for (uint32_t j = 0; j < 3; j++) {
		assert_int_equal(store_rates(s, "gw", "net", j + 1, T0, HOUR_MS, 240, b), 0);
		for (size_t h = 0; h < 8 * 24; h++)
			if (b[h].bytes_in != (double)hourly[j][h])
				fail_msg("series %u hour %zu: %.1f != %llu", j + 1, h,
				         b[h].bytes_in, (unsigned long long)hourly[j][h]);
	}
	/* running again finds nothing to do */
	assert_int_equal(store_maintain(s, end, 2000), 0);
	store_close(s);
	assert_int_equal(sql_int(path, "PRAGMA integrity_check"), 0); /* "ok" is text */
}

static void test_retention_age(void **state)
{
	const char *path = tpath("age.db");
	struct store *s = open_rw(path);
	for (int d = 0; d <= 100; d++)
		add_ev(s, T0 - (int64_t)d * DAY_MS, STORE_EV_IKE_UP, "a", "");
	/* a series last seen 100 days ago, and one that goes on */
	struct store_sample sm = {.conn = S("gone"), .child = S("c"), .reqid = 1, .uniqueid = 1};
	for (int k = 0; k < 3; k++) {
		sm.time = T0 - 100 * DAY_MS + k * 30000;
		sm.bytes_in = 1000u * (unsigned)k;
		store_add_sample(s, &sm);
	}
	assert_int_equal(store_flush(s), 0);
	sample(s, T0 - 60000, 1, 7, 0, 1, 0, 0, 0);
	sample(s, T0, 1, 7, 0, 2, 0, 0, 0);
	assert_int_equal(store_flush(s), 0);
	maintain_all(s, T0, 500);
	struct store_filter f = {0};
	assert_int_equal(store_count(s, &f), 91); /* days 0..90 */
	assert_int_equal(sql_int(path, "SELECT count(*) FROM series WHERE conn = 'gone'"), 0);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM series WHERE conn = 'gw'"), 1);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM samples_coarse") +
	                         sql_int(path, "SELECT count(*) FROM samples_mid"),
	                 0);
	store_close(s);
}

static void test_retention_size(void **state)
{
	const char *path = tpath("size.db");
	struct store *s = open_rw(path);
	struct store_retention r = {.max_bytes = 512 * 1024};
	store_set_retention(s, &r);
	char detail[256];
	memset(detail, 'x', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	const int n = 20000;
	for (int i = 0; i < n; i++) {
		char num[16];
		snprintf(num, sizeof(num), "%08d", i);
		memcpy(detail, num, 8);
		add_ev(s, T0 + (int64_t)i * MIN_MS, STORE_EV_NOTICE, "a", detail);
	}
	assert_int_equal(store_flush(s), 0);
	int64_t end = T0 + (int64_t)n * MIN_MS;
	struct stat big, small;
	store_close(s);
	assert_int_equal(stat(path, &big), 0);
	if (big.st_size < 4 * 1024 * 1024)
		fail_msg("only %lld bytes", (long long)big.st_size);
	s = open_rw(path);
	store_set_retention(s, &r);
	maintain_all(s, end, 1000);
	assert_true(store_size(s) <= 512 * 1024);
	assert_true(store_size(s) > 128 * 1024); /* not everything went */
	/* oldest first: the newest record is there, the first is not */
	struct store_filter f = {.limit = 1};
	char out[512] = "";
	assert_int_equal(store_timeline(s, &f, collect_details, out), 1);
	assert_non_null(strstr(out, "00019999"));
	f = (struct store_filter){.until = T0 + MIN_MS};
	assert_int_equal(store_count(s, &f), 0);
	store_close(s);
	assert_int_equal(stat(path, &small), 0);
	if (small.st_size > 1024 * 1024)
		fail_msg("the file did not shrink: %lld bytes", (long long)small.st_size);
}

/* ---- readers beside a writer ----------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc(*len + 1);
	assert_int_equal(fread(p, 1, *len, f), *len);
	fclose(f);
	return p;
}

static void test_read_only_beside_writer(void **state)
{
	const char *path = tpath("ro.db");
	struct store *w = open_rw(path);
	for (int i = 0; i < 100; i++)
		add_ev(w, T0 + i, STORE_EV_IKE_UP, "a", "");
	assert_int_equal(store_flush(w), 0);
	struct store *r = open_ro(path);
	struct store_filter f = {0};
	assert_int_equal(store_count(r, &f), 100);
	for (int i = 0; i < 100; i++)
		add_ev(w, T0 + 1000 + i, STORE_EV_IKE_DOWN, "a", "");
	assert_int_equal(store_flush(w), 0);
	assert_int_equal(store_maintain(w, T0 + 2000, 100), 0);
	assert_int_equal(store_count(r, &f), 200);
	store_close(w);
	assert_int_equal(store_count(r, &f), 200);
	store_close(r);

	/* with no writer: a read-only open changes no byte of the file */
	size_t n1, n2;
	char *before = slurp(path, &n1);
	struct stat sb1, sb2;
	assert_int_equal(stat(path, &sb1), 0);
	r = open_ro(path);
	assert_int_equal(store_count(r, &f), 200);
	double tot[3] = {0, 0, 0};
	assert_int_equal(store_rates_all(r, T0, MIN_MS, 2, all_cb, tot), 0);
	store_close(r);
	char *after = slurp(path, &n2);
	assert_int_equal(stat(path, &sb2), 0);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	assert_int_equal(sb1.st_mtim.tv_sec, sb2.st_mtim.tv_sec);
	assert_int_equal(sb1.st_mtim.tv_nsec, sb2.st_mtim.tv_nsec);
	free(before);
	free(after);
}

/* ---- a writer killed at random moments -------------------------------------- */

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A store that cannot be written for a long while does not take all the
 * memory: past STORE_QUEUE_HARD_MAX records wait no more, and the next
 * write that succeeds says how many were dropped. */
static void test_queue_cap(void **state)
{
	const char *path = tpath("cap.db");
	struct store *w = open_rw(path);
	for (int i = 0; i < STORE_QUEUE_HARD_MAX + 5; i++)
		add_ev(w, T0 + i, STORE_EV_IKE_UP, "a", "");
	assert_int_equal(store_pending(w), STORE_QUEUE_HARD_MAX);
	assert_int_equal(store_dropped(w), 5);
	for (int i = 0; i < STORE_QUEUE_HARD_MAX + 10; i++) {
		struct store_sample sm = {.time = T0 + 1000 * (int64_t)i,
		                          .conn = S("a"),
		                          .child = S("c"),
		                          .reqid = 1,
		                          .uniqueid = 1,
		                          .bytes_in = 100 * (uint64_t)(i + 1)};
		store_add_sample(w, &sm);
	}
	unsigned long samples = store_dropped(w) - 5;
	assert_true(samples >= 1 && samples <= 10);
	assert_int_equal(store_pending(w), 2 * STORE_QUEUE_HARD_MAX);
	assert_int_equal(store_flush(w), 0);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM events WHERE kind = 'ike-up'"),
	                 STORE_QUEUE_HARD_MAX);
	char sql[300];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM events WHERE kind = 'notice' AND t = %lld AND detail LIKE "
	         "'5 events and %lu counter samples were not recorded%%'",
	         (long long)(T0 + STORE_QUEUE_HARD_MAX), samples);
	assert_int_equal(sql_int(path, sql), 1);
	/* said once: the next write adds no second notice */
	add_ev(w, T0 + 1, STORE_EV_IKE_DOWN, "a", "");
	assert_int_equal(store_flush(w), 0);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM events WHERE kind = 'notice'"), 1);
	assert_int_equal(store_dropped(w), 5 + samples);
	store_close(w);
}

/* The child: records "round seq" events (and samples) as a recorder would,
 * flushing through store_tick(), and reports each committed seq on fd. */
static void writer_child(const char *path, int round, int fd)
{
	struct store *s = NULL;
	char err[512];
	if (store_open(&s, path, STORE_READ_WRITE, err, sizeof(err)))
		_exit(3);
	for (uint64_t seq = 0;; seq++) {
		int64_t now = wall_ms();
		char detail[64];
		snprintf(detail, sizeof(detail), "%d %llu", round, (unsigned long long)seq);
		struct store_event ev = {.time = now,
		                         .kind = STORE_EV_NOTICE,
		                         .conn = S("crash"),
		                         .detail = S(detail),
		                         .ike_id = (uint32_t)seq};
		store_add_event(s, &ev);
		struct store_sample sm = {.time = now,
		                          .conn = S("crash"),
		                          .child = S("c"),
		                          .reqid = 1,
		                          .uniqueid = 1,
		                          .bytes_in = seq * 100};
		store_add_sample(s, &sm);
		size_t pending = store_pending(s);
		if (store_tick(s, now))
			_exit(4);
		if (store_pending(s) < pending) {
			/* committed: everything up to seq */
			int64_t rep[2] = {(int64_t)seq, now};
			if (write(fd, rep, sizeof(rep)) != sizeof(rep))
				_exit(5);
		}
		usleep(1000);
	}
}

struct crash_check {
	int round;
	uint32_t next; /* the seq expected next */
	int64_t last_time;
	bool holes;
};

static int crash_cb(void *ctx, const struct store_event *ev)
{
	struct crash_check *c = ctx;
	int round;
	unsigned long long seq;
	char buf[64];
	snprintf(buf, sizeof(buf), "%.*s", (int)ev->detail.len, ev->detail.s);
	if (sscanf(buf, "%d %llu", &round, &seq) != 2 || round != c->round)
		return 0;
	if (seq != c->next)
		c->holes = true;
	c->next = (uint32_t)seq + 1;
	c->last_time = ev->time;
	return 0;
}

static void test_killed_writer(void **state)
{
	const char *path = tpath("crash.db");
	unsigned seed = (unsigned)wall_ms();
	for (int round = 0; round < 6; round++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			writer_child(path, round, fds[1]);
		}
		close(fds[1]);
		/* wait for the first commit, then kill at a random moment */
		int64_t rep[2], committed = -1;
		assert_int_equal(read(fds[0], rep, sizeof(rep)), sizeof(rep));
		usleep(200000 + (useconds_t)(rand_r(&seed) % 1800) * 1000);
		kill(pid, SIGKILL);
		int64_t killed = wall_ms();
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFSIGNALED(st));
		committed = rep[0];
		while (read(fds[0], rep, sizeof(rep)) == sizeof(rep))
			committed = rep[0];
		close(fds[0]);

		assert_int_equal(sql_int(path, "PRAGMA integrity_check"), 0); /* text "ok" */
		sqlite3 *db;
		assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		sqlite3_stmt *stq;
		sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stq, NULL);
		assert_int_equal(sqlite3_step(stq), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(stq, 0), "ok");
		sqlite3_finalize(stq);
		sqlite3_close(db);

		struct store *s = open_ro(path);
		struct crash_check c = {.round = round};
		struct store_filter f = {.conn = "crash"};
		assert_true(store_timeline(s, &f, crash_cb, &c) > 0);
		store_close(s);
		assert_false(c.holes);
		/* everything reported committed is there */
		if ((int64_t)c.next <= committed)
			fail_msg("round %d: seq %lld committed, only %u there", round,
			         (long long)committed, c.next);
		/* and not much more than the last second is lost: the exact bound
		 * (a record waits at most STORE_FLUSH_INTERVAL_MS for its flush) is
		 * test_flush_policy's; here the slack is for a loaded machine
		 * descheduling the writer */
		if (c.last_time < killed - 1000 - 3000)
			fail_msg("round %d: last record %lld ms before the kill", round,
			         (long long)(killed - c.last_time));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_default_path),
	        cmocka_unit_test_setup_teardown(test_create_and_reopen, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_refuse, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_flush_policy, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_queue_cap, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_timeline, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_sample_deltas, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_flaps, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_downsample, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_retention_age, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_retention_size, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_read_only_beside_writer, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_killed_writer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
