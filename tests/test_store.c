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
        "CREATE TABLE samples_1m(series INTEGER NOT NULL, t INTEGER NOT NULL,"
        " bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, packets_in INTEGER NOT NULL,"
        " packets_out INTEGER NOT NULL, PRIMARY KEY(series, t)) WITHOUT ROWID;"
        "CREATE TABLE samples_15m(series INTEGER NOT NULL, t INTEGER NOT NULL,"
        " bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, packets_in INTEGER NOT NULL,"
        " packets_out INTEGER NOT NULL, PRIMARY KEY(series, t)) WITHOUT ROWID;"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_default_path),
	        cmocka_unit_test_setup_teardown(test_create_and_reopen, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_refuse, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_flush_policy, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_timeline, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
