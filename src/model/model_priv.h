/*
 * The state the model's source files share: struct model and its parts. Not
 * part of the public interface (see model.h).
 *
 * The files, each calling only those listed below it (a file's internal
 * functions are declared in the header of the same name):
 *
 *   ingest.c     the model's lifetime, dispatch by event name, the sweeps
 *                and the clearing of every table, change flags
 *   view.c       sorted, filtered views of the SA tree with a selection
 *   sa_events.c  ike-updown, ike-rekey, ike-update, child-updown, child-rekey
 *   sa.c         SA storage, list-sa, reconciliation, rates, SA sweeps,
 *                successors and queries
 *   sa_decode.c  SA messages (list-sa and the SA events) into scratch structs
 *   conf.c       connections, policies, version, stats, per-connection status
 *                and the header counts
 *   log.c        the events ring and the log ring
 *   fields.c     the table-driven field decoder; string, list and time helpers
 *   containers.c message blocks, the uniqueid and string maps, rings
 *
 * This header only describes data (and two one-line helpers every table
 * uses), so it sits below all of them.
 */
#ifndef SWANTOP_MODEL_PRIV_H
#define SWANTOP_MODEL_PRIV_H

#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/containers.h"

struct conn_cache;

#define TOMB_CAP 1024

/* A recently removed or rekeyed SA: keeps late list-sa data from resurrecting
 * it and lets selections follow rekeys. */
struct tomb {
	uint32_t uid, succ;
	int64_t t;
	bool child;
	bool removed;
};

/* An open refresh of a table (model_sweep_begin() .. model_sweep_end()). */
struct sweep {
	bool open;
	uint32_t ike_id;
	unsigned gen;
	int64_t began;
	uint64_t tombs_at_begin;
	uint64_t loads; /* complete listings ended (model_table_loads()) */
};

struct model {
	struct model_config cfg;

	struct model_ike **ikes;
	size_t n_ikes, cap_ikes;
	struct idmap ike_map;   /* IKE uniqueid -> struct model_ike * */
	struct idmap child_map; /* CHILD uniqueid -> struct model_ike * holding it */
	uint64_t sa_gen;        /* anything about SAs changed, counters included */
	/* What a view's rows, their order (except by bytes or rate) or the
	 * counts depend on changed: the set, a state, a name, an address, ID,
	 * SPI or TS (filters), stale or fold. Not counters, rates or times. */
	uint64_t view_gen;
	int64_t cnt_at;     /* time of the last list-sa ingest (counters) */
	bool ident_changed; /* set by ike_apply/child_apply, see view_gen */
	uint64_t set_gen;   /* IKE SAs created or destroyed */
	uint64_t born;      /* serial of the last IKE SA created */
	uint64_t epoch;     /* model_sa_epoch() */
	uint32_t raw_ike;   /* model_set_raw_ike() */
	unsigned seen_gen;  /* the generation marked by the current sweep */

	struct sweep sweeps[3];

	struct tomb tombs[TOMB_CAP];
	uint64_t tomb_total;

	struct model_conn **conns;
	size_t n_conns, cap_conns;
	struct strmap conn_map;
	uint64_t conn_gen;

	struct model_pol **pols;
	size_t n_pols, cap_pols;
	struct strmap pol_map;

	struct model_version version;
	struct model_blk *version_blk;
	struct model_stats stats;
	struct model_blk *stats_blk;

	struct ring events; /* struct model_event */
	struct ring log;    /* struct model_log_line */

	unsigned changes;
	bool fold_default;

	struct blk_pool pool;

	struct conn_cache *cache; /* conf.c's; mutable behind const queries */

	/* all fields absent, copied before decoding */
	struct model_ike ike_tpl;
	struct model_child child_tpl;

	/* scratch space for decoding one IKE SA message */
	struct model_child *tmp;
	int *tmp_role;
	size_t tmp_n, tmp_cap;
};

/* Something about SAs changed; shape: also something the view rebuilds for. */
static inline void sa_bump(struct model *m, bool shape)
{
	m->sa_gen++;
	if (shape)
		m->view_gen++;
}

/* Records change flags for model_take_changes() and returns them. */
static inline int changed(struct model *m, unsigned flags)
{
	m->changes |= flags;
	return (int)flags;
}

#endif
