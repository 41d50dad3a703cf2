/*
 * The SA events: ike-updown, ike-rekey, ike-update, child-updown and
 * child-rekey. All five go through sa_event_ingest(): one prologue (decode
 * the message, prepare its entry for the events ring, locate or store the
 * IKE SA it is about), the event's own step (what the event means), and one
 * epilogue (CHILD SAs back in order, totals, generations, change flags).
 * An event type is a row of data plus that step.
 *
 * Events update the state directly; sa.c reconciles them with list-sa data
 * by uniqueid. A child-updown "down" for a CHILD SA that was already rekeyed
 * (or is unknown) only removes that uniqueid and is recorded as redundant; it
 * never touches the CHILD SA that replaced it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/fields.h"
#include "model/log.h"
#include "model/model_priv.h"
#include "model/sa.h"
#include "model/sa_decode.h"

/* How an event finds the IKE SA it is about. */
enum locate {
	LOCATE_APPLY,    /* stored as the event describes it */
	LOCATE_APPLY_UP, /* stored if the event says "up", else only looked up */
	LOCATE_NONE,     /* left to the event's step (ike-rekey: two IKE SAs) */
};

/* One event being ingested. */
struct sa_event {
	struct sa_msg d;
	struct model_ike *ike; /* the stored IKE SA, or NULL (see enum locate) */
	int64_t prev;          /* its update time before this event */
	struct ev_args a;      /* the entry for the events ring, from the IKE SA */
	unsigned fl;
	/* the IKE section's remote address, before new_hosts replaced it */
	struct model_str old_remote_host;
	uint16_t old_remote_port;
};

struct sa_event_type {
	enum sa_layout layout;
	enum model_event_kind up, down; /* the entry's kind by the "up" root key */
	enum locate locate;
	bool new_hosts; /* the root keys carry the IKE SA's new addresses */
	/* What the event means: pushes its entries, leaves in ev->ike the IKE SA
	 * the epilogue puts in order. Returns 0, or -EBADMSG having changed
	 * nothing. */
	int (*step)(struct model *m, struct sa_event *ev, int64_t now);
};

/* The prologue's part after decoding. */
static void sa_event_locate(struct model *m, struct sa_event *ev, const struct sa_event_type *type,
                            int64_t now)
{
	struct model_ike *f = &ev->d.ike;
	ev->old_remote_host = f->remote_host;
	ev->old_remote_port = f->remote_port;
	if (type->new_hosts) {
		/* The section carries the old addresses, the root keys the new
		 * ones. The raw elements keep what charon sent until the next
		 * refresh. */
		if (ev->d.local_host.len) {
			f->local_host = ev->d.local_host;
			f->local_port = ev->d.local_port;
		}
		if (ev->d.remote_host.len) {
			f->remote_host = ev->d.remote_host;
			f->remote_port = ev->d.remote_port;
		}
	}
	memset(&ev->a, 0, sizeof(ev->a));
	ev->a.kind = ev->d.up ? type->up : type->down;
	ev->a.ike_id = f->uniqueid;
	ev->a.ike_name = f->name;
	ev->a.remote_host = f->remote_host;
	ev->a.text = f->state_name;
	ev->fl = MODEL_CHANGED_EVENTS;
	ev->ike = NULL;
	ev->prev = MODEL_TIME_NONE;
	if (type->locate == LOCATE_APPLY || (type->locate == LOCATE_APPLY_UP && ev->d.up)) {
		ev->ike = ike_apply(m, f, now, &ev->fl, &ev->prev);
		ev->ike->priv.ev_at = now;
	} else if (type->locate == LOCATE_APPLY_UP) {
		ev->ike = idmap_get(&m->ike_map, f->uniqueid);
	}
}

static int sa_event_ingest(struct model *m, const struct sa_event_type *type, const void *msg,
                           size_t len, int64_t now)
{
	struct sa_event ev;
	int r = sa_decode(m, msg, len, type->layout, now, &ev.d);
	if (r < 0)
		return r;
	sa_event_locate(m, &ev, type, now);
	r = type->step(m, &ev, now);
	if (r >= 0 && ev.ike) {
		children_sort(ev.ike);
		ike_totals(ev.ike);
	}
	if (r < 0)
		return r;
	if (ev.fl & (MODEL_CHANGED_SAS | MODEL_CHANGED_SA_SET))
		sa_bump(m, true);
	return changed(m, ev.fl);
}

/* ---- IKE SAs ------------------------------------------------------------------ */

static int ike_updown_step(struct model *m, struct sa_event *ev, int64_t now)
{
	if (!ev->d.up) {
		if (ev->ike) {
			ike_remove(m, ev->ike, now);
			ev->ike = NULL;
			ev->fl |= MODEL_CHANGED_SAS | MODEL_CHANGED_SA_SET;
		} else {
			ev->a.redundant = true;
			tomb_add(m, false, ev->d.ike.uniqueid, 0, true, now);
		}
	}
	events_push(m, &ev->a, now);
	return 0;
}

static int ike_rekey_step(struct model *m, struct sa_event *ev, int64_t now)
{
	if (ev->d.ike.uniqueid == ev->d.ike_new.uniqueid)
		return -EBADMSG;
	struct model_ike *old = ike_apply(m, &ev->d.ike, now, &ev->fl, NULL);
	bool folded = old->folded;
	uint32_t old_id = old->uniqueid;
	struct model_ike *nw = ike_apply(m, &ev->d.ike_new, now, &ev->fl, NULL);
	old = idmap_get(&m->ike_map, old_id);
	old->priv.ev_at = nw->priv.ev_at = now;
	/* IKEv2 rekeying moves the CHILD SAs to the new IKE SA. */
	while (old->n_children) {
		struct model_child *c = &old->children[old->n_children - 1];
		if (child_in(nw, c->uniqueid, NULL)) {
			child_remove_at(m, old, old->n_children - 1);
			continue;
		}
		struct model_child *n = child_append(m, nw, c->uniqueid);
		*n = *c;
		old->n_children--;
		idmap_put(&m->child_map, n->uniqueid, nw);
	}
	nw->rekeyed_from = old_id;
	nw->folded = folded;
	ike_totals(old);
	tomb_add(m, false, old_id, nw->uniqueid, false, now);
	ev->a.new_id = nw->uniqueid;
	events_push(m, &ev->a, now);
	ev->ike = nw;
	ev->fl |= MODEL_CHANGED_SA_SET;
	return 0;
}

/* Appends a byte string to a fixed buffer. */
static size_t cat(char *buf, size_t size, size_t at, const char *s, size_t len)
{
	if (at < size) {
		size_t c = len < size - at ? len : size - at;
		memcpy(buf + at, s, c);
	}
	return at + len;
}

static int ike_update_step(struct model *m, struct sa_event *ev, int64_t now)
{
	const struct model_ike *f = &ev->d.ike;
	char text[600], port[16];
	size_t n = 0;
	n = cat(text, sizeof(text), n, ev->old_remote_host.s, ev->old_remote_host.len);
	n = cat(text, sizeof(text), n, port,
	        (size_t)snprintf(port, sizeof(port), "[%u] -> ", (unsigned)ev->old_remote_port));
	n = cat(text, sizeof(text), n, f->remote_host.s, f->remote_host.len);
	n = cat(text, sizeof(text), n, port,
	        (size_t)snprintf(port, sizeof(port), "[%u]", (unsigned)f->remote_port));
	ev->a.text = mstr(text, n < sizeof(text) ? n : sizeof(text));
	events_push(m, &ev->a, now);
	return 0;
}

/* ---- CHILD SAs ---------------------------------------------------------------- */

/* The entry for one CHILD SA of the event: named and described by t. */
static struct ev_args child_entry(const struct sa_event *ev, const struct model_child *t,
                                  uint32_t child_id)
{
	struct ev_args a = ev->a;
	a.child_id = child_id;
	a.child_name = t->name;
	a.text = t->state_name;
	return a;
}

static int child_updown_step(struct model *m, struct sa_event *ev, int64_t now)
{
	for (size_t i = 0; i < ev->d.n_children; i++) {
		struct model_child *t = &ev->d.children[i];
		if (!t->uniqueid)
			continue;
		struct ev_args a = child_entry(ev, t, t->uniqueid);
		if (ev->d.up) {
			child_apply(m, ev->ike, t, 0, ev->prev, now, &ev->fl)->priv.ev_at = now;
		} else {
			/* The IKE SA may be gone already (DPD: ike-updown "down"
			 * comes first) or hold it no more (a missed ike-rekey):
			 * the CHILD SA is found where it is, nothing is created. */
			struct model_ike *owner =
			        ev->ike ? ev->ike : idmap_get(&m->child_map, t->uniqueid);
			size_t idx;
			struct model_child *c = owner ? child_in(owner, t->uniqueid, &idx) : NULL;
			/* charon 5.9.8 may report a CHILD SA down after it was rekeyed: that
			 * one goes, its successor stays, and the event is marked. */
			a.redundant = !c || c->rekeyed_to != 0;
			if (c) {
				a.new_id = c->rekeyed_to;
				child_remove_at(m, owner, idx);
				if (owner != ev->ike)
					ike_totals(owner);
				ev->fl |= MODEL_CHANGED_SA_SET;
			}
			tomb_add(m, true, t->uniqueid, 0, true, now);
		}
		events_push(m, &a, now);
	}
	return 0;
}

static int child_rekey_step(struct model *m, struct sa_event *ev, int64_t now)
{
	uint32_t old_id = 0;
	for (size_t i = 0; i < ev->d.n_children; i++) {
		struct model_child *t = &ev->d.children[i];
		if (!t->uniqueid)
			continue;
		if (ev->d.roles[i] == ROLE_OLD) {
			child_apply(m, ev->ike, t, 0, ev->prev, now, &ev->fl)->priv.ev_at = now;
			old_id = t->uniqueid;
			continue;
		}
		if (ev->d.roles[i] != ROLE_NEW || !old_id || old_id == t->uniqueid)
			continue;
		struct model_child *c = child_apply(m, ev->ike, t, old_id, ev->prev, now, &ev->fl);
		c->priv.ev_at = now;
		c->rekeyed_from = old_id;
		struct model_child *o = child_in(ev->ike, old_id, NULL);
		if (o)
			o->rekeyed_to = t->uniqueid;
		tomb_add(m, true, old_id, t->uniqueid, false, now);
		struct ev_args a = child_entry(ev, t, old_id);
		a.new_id = t->uniqueid;
		events_push(m, &a, now);
		old_id = 0;
	}
	return 0;
}

/* ---- the event types ---------------------------------------------------------- */

static const struct sa_event_type ike_updown = {
        SA_LAYOUT_FLAT, MODEL_EV_IKE_UP, MODEL_EV_IKE_DOWN, LOCATE_APPLY_UP, false, ike_updown_step,
};
static const struct sa_event_type ike_rekey = {
        SA_LAYOUT_IKE_REKEY, MODEL_EV_IKE_REKEY, MODEL_EV_IKE_REKEY, LOCATE_NONE, false,
        ike_rekey_step,
};
static const struct sa_event_type ike_update = {
        SA_LAYOUT_FLAT, MODEL_EV_IKE_UPDATE, MODEL_EV_IKE_UPDATE, LOCATE_APPLY,
        true,           ike_update_step,
};
/* A "down" never creates the IKE SA it names: charon sends ike-updown
 * "down" before child-updown "down" when DPD or a delete kills an SA. */
static const struct sa_event_type child_updown = {
        SA_LAYOUT_FLAT, MODEL_EV_CHILD_UP, MODEL_EV_CHILD_DOWN, LOCATE_APPLY_UP,
        false,          child_updown_step,
};
static const struct sa_event_type child_rekey = {
        SA_LAYOUT_CHILD_REKEY, MODEL_EV_CHILD_REKEY, MODEL_EV_CHILD_REKEY, LOCATE_APPLY, false,
        child_rekey_step,
};

int model_ingest_ike_updown(struct model *m, const void *msg, size_t len, int64_t now)
{
	return sa_event_ingest(m, &ike_updown, msg, len, now);
}

int model_ingest_ike_rekey(struct model *m, const void *msg, size_t len, int64_t now)
{
	return sa_event_ingest(m, &ike_rekey, msg, len, now);
}

int model_ingest_ike_update(struct model *m, const void *msg, size_t len, int64_t now)
{
	return sa_event_ingest(m, &ike_update, msg, len, now);
}

int model_ingest_child_updown(struct model *m, const void *msg, size_t len, int64_t now)
{
	return sa_event_ingest(m, &child_updown, msg, len, now);
}

int model_ingest_child_rekey(struct model *m, const void *msg, size_t len, int64_t now)
{
	return sa_event_ingest(m, &child_rekey, msg, len, now);
}
