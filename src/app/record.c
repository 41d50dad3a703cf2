/*
 * What the recorder records (see record.h); its loop is record_loop.c.
 *
 * Verdicts. The engine keeps one verdict per connection, CHILD config and
 * unmatched peer, and its generation moves with every retry it counts. A
 * record per retry would bury the timeline under a peer that is down for a
 * week, so a verdict is recorded when it becomes current with a code, side
 * or streak (first occurrence) other than the one recorded last for the
 * same subject; a retry that fails the same way adds nothing.
 */
#include "app/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/xmalloc.h"

/* The last verdict recorded for one subject. */
struct rec_subject {
	char *key; /* layer, conn, child, peer, NUL-separated; key_len bytes */
	size_t key_len;
	enum diag_code code;
	enum diag_side side;
	int64_t first_at;
	bool current;
};

struct recorder {
	struct store *s;
	uint64_t seq;      /* the next events ring entry to look at */
	bool seq_known;    /* seq was set from the ring */
	uint64_t diag_gen; /* diag_generation() at the last look */
	struct rec_subject *subj;
	size_t nsubj;
	int64_t listed_before; /* samples are taken of IKE SAs listed after this */

	bool up;         /* the link is up */
	bool connected;  /* it was up at least once in this run */
	int64_t lost_at; /* wall ms the gap began, 0: none */
	char lost_why[256];

	unsigned long count[STORE_EV_KIND_COUNT];
	unsigned long sampled;
};

static struct model_str str(const char *s)
{
	return (struct model_str){s ? s : "", s ? (uint32_t)strlen(s) : 0};
}

static void add(struct recorder *r, const struct store_event *ev)
{
	store_add_event(r->s, ev);
	if ((unsigned)ev->kind < STORE_EV_KIND_COUNT)
		r->count[ev->kind]++;
}

struct recorder *recorder_new(struct store *s, int64_t alive)
{
	struct recorder *r = xcalloc(1, sizeof(*r));
	r->s = s;
	r->listed_before = MODEL_TIME_NONE;
	if (alive > 0) {
		r->lost_at = alive;
		snprintf(r->lost_why, sizeof(r->lost_why), "the recorder was not running");
	}
	return r;
}

void recorder_free(struct recorder *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsubj; i++)
		free(r->subj[i].key);
	free(r->subj);
	free(r);
}

unsigned long recorder_count(const struct recorder *r, enum store_kind k)
{
	return (unsigned)k < STORE_EV_KIND_COUNT ? r->count[k] : 0;
}

unsigned long recorder_sampled(const struct recorder *r)
{
	return r->sampled;
}

/* ---- SA events ------------------------------------------------------------ */

static bool sa_event(enum model_event_kind k)
{
	return k <= MODEL_EV_IKE_UPDATE;
}

void recorder_events(struct recorder *r, const struct model *m, int64_t off)
{
	size_t n = model_events_count(m);
	if (!n)
		return;
	const struct model_event *oldest = model_event_at(m, 0);
	if (r->seq_known && oldest->seq > r->seq) {
		/* the ring overflowed between two looks (a burst larger than
		 * the ring): say so rather than pretend nothing happened */
		char text[96];
		snprintf(text, sizeof(text), "%llu events were lost (more than the ring holds)",
		         (unsigned long long)(oldest->seq - r->seq));
		recorder_notice(r, text, oldest->time + off);
	}
	for (size_t i = 0; i < n; i++) {
		const struct model_event *e = model_event_at(m, i);
		if (r->seq_known && e->seq < r->seq)
			continue;
		r->seq = e->seq + 1;
		r->seq_known = true;
		/* a child-down of a CHILD SA already rekeyed: its rekey is
		 * recorded, and nothing went down */
		if (!sa_event(e->kind) || (e->redundant && e->new_id))
			continue;
		struct store_event ev = {
		        .time = e->time + off,
		        .kind = store_kind_from_model(e->kind),
		        .conn = e->ike_name,
		        .child = e->child_name,
		        .ike_id = e->ike_id,
		        .child_id = e->child_id,
		        .new_id = e->new_id,
		        .remote = e->remote_host,
		};
		if (e->kind == MODEL_EV_IKE_UPDATE)
			ev.detail = e->text;
		else
			ev.state = e->text;
		add(r, &ev);
	}
}

/* ---- verdicts --------------------------------------------------------------- */

static size_t subject_key(char *buf, size_t size, const struct diag_verdict *v)
{
	int n = snprintf(buf, size, "%d%c%s%c%s%c%s", (int)v->layer, 0, v->conn, 0, v->child, 0,
	                 *v->conn ? "" : v->peer);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static struct rec_subject *subject(struct recorder *r, const char *key, size_t len)
{
	for (size_t i = 0; i < r->nsubj; i++)
		if (r->subj[i].key_len == len && !memcmp(r->subj[i].key, key, len))
			return &r->subj[i];
	r->subj = xreallocarray(r->subj, r->nsubj + 1, sizeof(*r->subj));
	struct rec_subject *s = &r->subj[r->nsubj++];
	*s = (struct rec_subject){.key = xmalloc(len + 1), .key_len = len};
	memcpy(s->key, key, len);
	s->key[len] = '\0';
	return s;
}

/* The evidence as text: one of charon's lines per line, with its group. */
static char *evidence_text(const struct diag_verdict *v)
{
	size_t size = 1;
	for (size_t i = 0; i < v->n_lines; i++)
		size += v->lines[i].len + sizeof(v->lines[i].group) + 4;
	char *t = xmalloc(size), *p = t;
	for (size_t i = 0; i < v->n_lines; i++) {
		const struct diag_line *l = &v->lines[i];
		p += snprintf(p, size - (size_t)(p - t), "%s[%s] ", i ? "\n" : "", l->group);
		memcpy(p, l->msg, l->len);
		p += l->len;
	}
	*p = '\0';
	return t;
}

static void record_verdict(struct recorder *r, const struct diag_verdict *v, int64_t off)
{
	char *evidence = evidence_text(v);
	struct store_event ev = {
	        .time = v->last_at + off,
	        .kind = STORE_EV_VERDICT,
	        .conn = str(v->conn),
	        .child = str(v->child),
	        .ike_id = v->ike_id,
	        .child_id = v->child_id,
	        .remote = str(v->peer),
	        .detail = str(v->detail),
	        .code = str(diag_code_name(v->code)),
	        .side = str(diag_side_name(v->side)),
	        .evidence = str(evidence),
	};
	add(r, &ev);
	free(evidence);
}

void recorder_verdicts(struct recorder *r, const struct diag *d, int64_t off)
{
	uint64_t gen = diag_generation(d);
	if (gen == r->diag_gen)
		return;
	r->diag_gen = gen;
	for (size_t i = 0; i < diag_count(d); i++) {
		const struct diag_verdict *v = diag_at(d, i);
		char key[1024];
		size_t len = subject_key(key, sizeof(key), v);
		struct rec_subject *s = subject(r, key, len);
		if (v->current && (!s->current || s->code != v->code || s->side != v->side ||
		                   s->first_at != v->first_at))
			record_verdict(r, v, off);
		s->current = v->current;
		s->code = v->code;
		s->side = v->side;
		s->first_at = v->first_at;
	}
}

/* ---- samples ------------------------------------------------------------------ */

size_t recorder_samples(struct recorder *r, const struct model *m, int64_t off)
{
	size_t n = 0;
	int64_t newest = r->listed_before;
	for (size_t i = 0; i < model_ike_count(m); i++) {
		const struct model_ike *ike = model_ike_at(m, i);
		if (ike->stale || ike->listed_at == MODEL_TIME_NONE ||
		    ike->listed_at <= r->listed_before)
			continue;
		if (ike->listed_at > newest)
			newest = ike->listed_at;
		for (size_t j = 0; j < ike->n_children; j++) {
			const struct model_child *c = &ike->children[j];
			if (!c->has_counters || !c->uniqueid)
				continue;
			struct store_sample sm = {
			        .time = ike->listed_at + off,
			        .conn = ike->name,
			        .child = c->name,
			        .reqid = c->reqid,
			        .uniqueid = c->uniqueid,
			        .installed = c->installed_at == MODEL_TIME_NONE
			                             ? 0
			                             : c->installed_at + off,
			        .bytes_in = c->bytes_in,
			        .bytes_out = c->bytes_out,
			        .packets_in = c->packets_in,
			        .packets_out = c->packets_out,
			};
			store_add_sample(r->s, &sm);
			n++;
		}
	}
	r->listed_before = newest;
	r->sampled += n;
	return n;
}

/* ---- the link ------------------------------------------------------------------- */

void recorder_link(struct recorder *r, bool up, const char *why, int64_t wall)
{
	if (up == r->up)
		return;
	r->up = up;
	if (!up) {
		/* a gap already open (the recorder was not running) keeps its
		 * beginning and its reason */
		if (!r->lost_at) {
			r->lost_at = wall;
			snprintf(r->lost_why, sizeof(r->lost_why), "%s",
			         why && *why ? why : "connection to charon lost");
		}
		return;
	}
	if (r->lost_at && wall > r->lost_at) {
		struct store_event gap = {.time = r->lost_at,
		                          .end = wall,
		                          .kind = STORE_EV_GAP,
		                          .detail = str(r->lost_why)};
		add(r, &gap);
	}
	if (r->connected) {
		struct store_event ev = {.time = wall,
		                         .kind = STORE_EV_RECONNECT,
		                         .detail = str("connected to charon again")};
		add(r, &ev);
	}
	r->connected = true;
	r->lost_at = 0;
	r->lost_why[0] = '\0';
}

void recorder_restart(struct recorder *r, const char *since, int64_t wall)
{
	char text[160];
	snprintf(text, sizeof(text), "charon restarted%s%s", since && *since ? ", up since " : "",
	         since ? since : "");
	struct store_event ev = {
	        .time = wall, .kind = STORE_EV_CHARON_RESTART, .detail = str(text)};
	add(r, &ev);
}

void recorder_notice(struct recorder *r, const char *text, int64_t wall)
{
	struct store_event ev = {.time = wall, .kind = STORE_EV_NOTICE, .detail = str(text)};
	add(r, &ev);
}
