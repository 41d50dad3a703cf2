/*
 * Writing to the history store: the in-memory queue, counter samples turned
 * into deltas, and the flush that writes the queue in one transaction.
 *
 * Deltas. charon reports absolute counters per CHILD SA; a rekey starts a
 * new CHILD SA (new uniqueid) at zero. The store remembers the last counters
 * per uniqueid and queues the difference to the previous sample, which makes
 * downsampling a plain sum and a rekey no more than a new baseline. The
 * first sample of a CHILD SA counts from zero only if it was installed after
 * the previous sampling round (its whole traffic is then new); otherwise it
 * only sets the baseline, since what it carried before is unknown. A sample
 * too long after the previous one (a gap, a recorder restart) also only sets
 * a new baseline, so one bucket does not get hours of traffic.
 */
#include "model/store_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "vici/xmalloc.h"

/* More queued records than this are written at the next tick regardless. */
#define STORE_QUEUE_SOFT_MAX 10000

static void note_queued(struct store *s, int64_t t)
{
	if (!s->first_queued || t < s->first_queued)
		s->first_queued = t ? t : 1;
}

size_t store_pending(const struct store *s)
{
	return s->nqev + s->nqsm;
}

unsigned long store_dropped(const struct store *s)
{
	return s->dropped;
}

/* A record that finds the queue full (the store could not be written for
 * a long while) is counted instead of kept. */
static bool queue_full(struct store *s, size_t queued, unsigned long *lost, int64_t t)
{
	if (queued < STORE_QUEUE_HARD_MAX)
		return false;
	if (!s->lost_events && !s->lost_samples)
		s->lost_at = t;
	(*lost)++;
	s->dropped++;
	return true;
}

/* Copies the strings of an event into one block and repoints them. */
void store_add_event(struct store *s, const struct store_event *ev)
{
	struct model_str *f[] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	if (queue_full(s, s->nqev, &s->lost_events, ev->time))
		return;
	if (s->nqev == s->qev_cap) {
		s->qev_cap = s->qev_cap ? s->qev_cap * 2 : 64;
		s->qev = xreallocarray(s->qev, s->qev_cap, sizeof(*s->qev));
	}
	struct store_qevent *q = &s->qev[s->nqev++];
	q->ev = *ev;
	f[0] = &q->ev.conn;
	f[1] = &q->ev.child;
	f[2] = &q->ev.state;
	f[3] = &q->ev.remote;
	f[4] = &q->ev.detail;
	f[5] = &q->ev.code;
	f[6] = &q->ev.side;
	f[7] = &q->ev.evidence;
	size_t total = 1;
	for (size_t i = 0; i < 8; i++)
		total += f[i]->len;
	q->blk = xmalloc(total);
	size_t off = 0;
	for (size_t i = 0; i < 8; i++) {
		if (f[i]->len)
			memcpy(q->blk + off, f[i]->s, f[i]->len);
		f[i]->s = q->blk + off;
		off += f[i]->len;
	}
	note_queued(s, ev->time);
}

/* ---- baselines by uniqueid ----------------------------------------------- */

static size_t base_slot(const struct store *s, uint32_t id)
{
	size_t mask = s->base_cap - 1, i = (id * 2654435761u) & mask;
	while (s->base[i].uniqueid && s->base[i].uniqueid != id)
		i = (i + 1) & mask;
	return i;
}

/* Rebuilds the table at cap slots, dropping baselines older than keep_after. */
static void base_rebuild(struct store *s, size_t cap, int64_t keep_after)
{
	struct store_base *old = s->base;
	size_t n = s->base_cap;
	s->base = xcalloc(cap, sizeof(*s->base));
	s->base_cap = cap;
	s->base_used = 0;
	for (size_t i = 0; i < n; i++) {
		if (!old[i].uniqueid || old[i].time < keep_after)
			continue;
		s->base[base_slot(s, old[i].uniqueid)] = old[i];
		s->base_used++;
	}
	free(old);
}

static struct store_base *base_get(struct store *s, uint32_t id, bool *fresh)
{
	if ((s->base_used + 1) * 2 > s->base_cap) {
		int64_t keep = s->round_t - s->ret.max_sample_gap_ms;
		base_rebuild(s, s->base_cap ? s->base_cap : 256, keep);
		if ((s->base_used + 1) * 2 > s->base_cap)
			base_rebuild(s, s->base_cap * 2, keep);
	}
	size_t i = base_slot(s, id);
	*fresh = !s->base[i].uniqueid;
	if (*fresh) {
		s->base[i].uniqueid = id;
		s->base_used++;
	}
	return &s->base[i];
}

void store_add_sample(struct store *s, const struct store_sample *sm)
{
	if (!sm->uniqueid)
		return;
	if (sm->time > s->round_t) {
		s->prev_round_t = s->round_t;
		s->round_t = sm->time;
	}
	const uint64_t c[4] = {sm->bytes_in, sm->bytes_out, sm->packets_in, sm->packets_out};
	bool fresh;
	struct store_base *b = base_get(s, sm->uniqueid, &fresh);
	uint64_t d[4] = {0, 0, 0, 0};
	int64_t dt = 0;
	bool use = false;
	if (!fresh && sm->time > b->time && sm->time - b->time <= s->ret.max_sample_gap_ms) {
		bool reset = false;
		for (int i = 0; i < 4; i++)
			reset = reset || c[i] < b->c[i];
		for (int i = 0; i < 4; i++)
			d[i] = reset ? c[i] : c[i] - b->c[i];
		dt = sm->time - b->time;
		use = true;
	} else if (fresh && sm->installed > 0 && sm->installed > s->prev_round_t &&
	           sm->installed <= sm->time &&
	           sm->time - sm->installed <= s->ret.max_sample_gap_ms) {
		memcpy(d, c, sizeof(d));
		dt = sm->time - sm->installed;
		use = true;
	}
	if (fresh || sm->time >= b->time) {
		b->time = sm->time;
		memcpy(b->c, c, sizeof(b->c));
	}
	if (!use || !(d[0] | d[1] | d[2] | d[3]))
		return;
	/* the baseline moved on: a dropped sample's delta is lost, not
	 * added to the next one */
	if (queue_full(s, s->nqsm, &s->lost_samples, sm->time))
		return;
	if (s->nqsm == s->qsm_cap) {
		s->qsm_cap = s->qsm_cap ? s->qsm_cap * 2 : 256;
		s->qsm = xreallocarray(s->qsm, s->qsm_cap, sizeof(*s->qsm));
	}
	struct store_qsample *q = &s->qsm[s->nqsm++];
	q->time = sm->time;
	q->dt = dt;
	q->conn = xmalloc((size_t)sm->conn.len + sm->child.len + 1);
	if (sm->conn.len)
		memcpy(q->conn, sm->conn.s, sm->conn.len);
	q->child = q->conn + sm->conn.len;
	if (sm->child.len)
		memcpy(q->child, sm->child.s, sm->child.len);
	q->conn_len = sm->conn.len;
	q->child_len = sm->child.len;
	q->reqid = sm->reqid;
	memcpy(q->d, d, sizeof(d));
	note_queued(s, sm->time);
}

/* ---- series ids by name -------------------------------------------------- */

static uint64_t series_hash(const char *conn, uint32_t cl, const char *child, uint32_t chl,
                            uint32_t reqid)
{
	uint64_t h = 1469598103934665603ull;
	for (uint32_t i = 0; i < cl; i++)
		h = (h ^ (uint8_t)conn[i]) * 1099511628211ull;
	h = (h ^ 0x100) * 1099511628211ull;
	for (uint32_t i = 0; i < chl; i++)
		h = (h ^ (uint8_t)child[i]) * 1099511628211ull;
	return (h ^ reqid) * 1099511628211ull;
}

static struct store_sref *sref_find(struct store *s, const struct store_qsample *q, uint64_t h)
{
	size_t mask = s->sref_cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct store_sref *r = &s->sref[i];
		if (!r->id)
			return r;
		if (r->hash == h && r->reqid == q->reqid && r->conn_len == q->conn_len &&
		    r->child_len == q->child_len && !memcmp(r->key, q->conn, q->conn_len) &&
		    !memcmp(r->key + r->conn_len, q->child, q->child_len))
			return r;
	}
}

static void sref_grow(struct store *s)
{
	struct store_sref *old = s->sref;
	size_t n = s->sref_cap;
	s->sref_cap = n ? n * 2 : 256;
	s->sref = xcalloc(s->sref_cap, sizeof(*s->sref));
	for (size_t i = 0; i < n; i++) {
		if (!old[i].id)
			continue;
		size_t j = old[i].hash & (s->sref_cap - 1);
		while (s->sref[j].id)
			j = (j + 1) & (s->sref_cap - 1);
		s->sref[j] = old[i];
	}
	free(old);
}

/* The series row of q (created if new); its last_t is kept roughly current
 * (to the hour) so retention can forget series without data. */
static int series_id(struct store *s, const struct store_qsample *q, int64_t *id)
{
	if ((s->sref_used + 1) * 2 > s->sref_cap)
		sref_grow(s);
	uint64_t h = series_hash(q->conn, q->conn_len, q->child, q->child_len, q->reqid);
	struct store_sref *r = sref_find(s, q, h);
	struct model_str conn = {q->conn, q->conn_len}, child = {q->child, q->child_len};
	if (!r->id) {
		sqlite3_stmt *st = store_stmt(s, ST_SERIES_FIND);
		if (!st)
			return -EIO;
		store_bind_str(st, 1, conn);
		store_bind_str(st, 2, child);
		sqlite3_bind_int64(st, 3, q->reqid);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			r->id = sqlite3_column_int64(st, 0);
			r->last_t = sqlite3_column_int64(st, 1);
		} else if (rc == SQLITE_DONE) {
			st = store_stmt(s, ST_SERIES_INSERT);
			if (!st)
				return -EIO;
			store_bind_str(st, 1, conn);
			store_bind_str(st, 2, child);
			sqlite3_bind_int64(st, 3, q->reqid);
			sqlite3_bind_int64(st, 4, q->time);
			if ((rc = sqlite3_step(st)) != SQLITE_DONE)
				return store_fail(s, rc, "adding a series");
			r->id = sqlite3_last_insert_rowid(s->db);
			r->last_t = q->time;
		} else {
			return store_fail(s, rc, "looking up a series");
		}
		r->key = xmalloc((size_t)q->conn_len + q->child_len + 1);
		memcpy(r->key, q->conn, q->conn_len);
		memcpy(r->key + q->conn_len, q->child, q->child_len);
		r->conn_len = q->conn_len;
		r->child_len = q->child_len;
		r->reqid = q->reqid;
		r->hash = h;
		s->sref_used++;
	}
	if (q->time - r->last_t > 3600 * 1000) {
		sqlite3_stmt *st = store_stmt(s, ST_SERIES_TOUCH);
		if (!st)
			return -EIO;
		sqlite3_bind_int64(st, 1, q->time);
		sqlite3_bind_int64(st, 2, r->id);
		int rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, rc, "updating a series");
		r->last_t = q->time;
	}
	*id = r->id;
	return 0;
}

/* ---- flush --------------------------------------------------------------- */

static int write_event(struct store *s, const struct store_event *ev)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENT_INSERT);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, ev->time);
	sqlite3_bind_int64(st, 2, ev->end);
	sqlite3_bind_text(st, 3, store_kind_name(ev->kind), -1, SQLITE_STATIC);
	store_bind_str(st, 4, ev->conn);
	store_bind_str(st, 5, ev->child);
	sqlite3_bind_int64(st, 6, ev->ike_id);
	sqlite3_bind_int64(st, 7, ev->child_id);
	sqlite3_bind_int64(st, 8, ev->new_id);
	store_bind_str(st, 9, ev->state);
	store_bind_str(st, 10, ev->remote);
	store_bind_str(st, 11, ev->detail);
	store_bind_str(st, 12, ev->code);
	store_bind_str(st, 13, ev->side);
	store_bind_str(st, 14, ev->evidence);
	int rc = sqlite3_step(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "writing an event");
}

static int write_sample(struct store *s, const struct store_qsample *q)
{
	int64_t id = 0;
	int e = series_id(s, q, &id);
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt(s, ST_SAMPLE_INSERT);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, q->time);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, q->dt);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(st, 4 + i, (int64_t)(q->d[i] > INT64_MAX ? INT64_MAX : q->d[i]));
	int rc = sqlite3_step(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "writing a sample");
}

int store_flush(struct store *s)
{
	if (!s->rw)
		return s->nqev + s->nqsm ? -EROFS : 0;
	if (!s->nqev && !s->nqsm && !s->lost_events && !s->lost_samples)
		return 0;
	int e = store_exec(s, "BEGIN IMMEDIATE", "starting a write");
	for (size_t i = 0; !e && i < s->nqev; i++)
		e = write_event(s, &s->qev[i].ev);
	if (!e && (s->lost_events || s->lost_samples)) {
		char text[200];
		snprintf(text, sizeof(text),
		         "%lu events and %lu counter samples were not recorded: the store could "
		         "not be written while %d of each waited in memory",
		         s->lost_events, s->lost_samples, STORE_QUEUE_HARD_MAX);
		struct store_event n = {.time = s->lost_at,
		                        .kind = STORE_EV_NOTICE,
		                        .detail = {text, (uint32_t)strlen(text)}};
		e = write_event(s, &n);
	}
	for (size_t i = 0; !e && i < s->nqsm; i++)
		e = write_sample(s, &s->qsm[i]);
	if (!e)
		e = store_exec(s, "COMMIT", "committing");
	if (e) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		store_series_forget(s);
		return e;
	}
	for (size_t i = 0; i < s->nqev; i++)
		free(s->qev[i].blk);
	for (size_t i = 0; i < s->nqsm; i++)
		free(s->qsm[i].conn);
	s->nqev = s->nqsm = 0;
	s->first_queued = 0;
	s->lost_events = s->lost_samples = 0;
	return 0;
}

int64_t store_due(const struct store *s)
{
	int64_t due = s->rw ? s->next_maint : INT64_MAX;
	if (s->first_queued) {
		int64_t f = s->first_queued + STORE_FLUSH_INTERVAL_MS;
		if (store_pending(s) > STORE_QUEUE_SOFT_MAX)
			f = s->first_queued;
		f = f < s->flush_after ? s->flush_after : f;
		due = f < due ? f : due;
	}
	return due;
}

int store_tick(struct store *s, int64_t now)
{
	if (!s->rw)
		return 0;
	int e = 0;
	if (s->first_queued && now >= s->flush_after &&
	    (now - s->first_queued >= STORE_FLUSH_INTERVAL_MS ||
	     store_pending(s) > STORE_QUEUE_SOFT_MAX)) {
		e = store_flush(s);
		/* a full disk or a lock: keep the queue, try again in a second */
		s->flush_after = e ? now + STORE_FLUSH_INTERVAL_MS : 0;
	}
	if (!e && now >= s->next_maint) {
		int r = store_maintain(s, now, 2000);
		if (r < 0)
			e = r;
		/* pending work goes on soon but leaves room for the flushes */
		s->next_maint = now + (r == 1 ? 250 : 60 * 1000);
	}
	return e;
}
