/*
 * The model as a whole: its lifetime, the dispatch of event messages by
 * name, the refreshes (sweeps) and clearing of every table, and the change
 * flags and generations the UI polls. The tables themselves live below:
 * SAs in sa.c and sa_events.c, connections, policies and the daemon in
 * conf.c, the rings in log.c (see model_priv.h for the map).
 */
#include <errno.h>
#include <stdlib.h>

#include "model/conf.h"
#include "model/model_priv.h"
#include "model/sa.h"
#include "model/sa_decode.h"
#include "vici/wire.h"
#include "vici/xmalloc.h"

/* ---- lifetime ------------------------------------------------------------- */

void model_config_defaults(struct model_config *c)
{
	c->events_capacity = 1000;
	c->log_capacity = 5000;
	c->sweep_miss_limit = 2;
	c->rate_min_interval_ms = 900;
}

struct model *model_new(const struct model_config *config)
{
	struct model *m = xcalloc(1, sizeof(*m));
	m->epoch = 1;
	struct model_config d;
	model_config_defaults(&d);
	m->cfg = d;
	if (config) {
		if (config->events_capacity)
			m->cfg.events_capacity = config->events_capacity;
		if (config->log_capacity)
			m->cfg.log_capacity = config->log_capacity;
		if (config->sweep_miss_limit)
			m->cfg.sweep_miss_limit = config->sweep_miss_limit;
		if (config->rate_min_interval_ms > 0)
			m->cfg.rate_min_interval_ms = config->rate_min_interval_ms;
	}
	ring_init(&m->events, m->cfg.events_capacity, sizeof(struct model_event));
	ring_init(&m->log, m->cfg.log_capacity, sizeof(struct model_log_line));
	sa_decode_init(m);
	conf_init(m);
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	sa_free_all(m);
	conf_free_all(m);
	sa_decode_free(m);
	ring_free(&m->events);
	ring_free(&m->log);
	blk_pool_free(&m->pool);
	free(m);
}

unsigned model_take_changes(struct model *m)
{
	unsigned c = m->changes;
	m->changes = 0;
	return c;
}

uint64_t model_sa_generation(const struct model *m)
{
	return m->sa_gen;
}

uint64_t model_sa_view_generation(const struct model *m)
{
	return m->view_gen;
}

/* ---- sweeps --------------------------------------------------------------- */

/* Sweep state for SAs lives in sweeps[MODEL_TABLE_SAS]; a targeted refresh
 * is recorded by ike_id with gen 0 so it never counts misses. */
void model_sweep_begin(struct model *m, enum model_table t, uint32_t ike_id, int64_t now)
{
	if ((unsigned)t > MODEL_TABLE_POLS)
		return;
	struct sweep *s = &m->sweeps[t];
	s->open = true;
	s->ike_id = t == MODEL_TABLE_SAS ? ike_id : 0;
	s->gen = ++m->seen_gen;
	if (m->seen_gen == 0)
		s->gen = ++m->seen_gen;
	if (s->ike_id)
		s->gen = 0;
	s->began = now;
	s->tombs_at_begin = m->tomb_total;
}

void model_sweep_abort(struct model *m, enum model_table t)
{
	if ((unsigned)t <= MODEL_TABLE_POLS)
		m->sweeps[t].open = false;
}

int model_sweep_end(struct model *m, enum model_table t, int64_t now)
{
	if ((unsigned)t > MODEL_TABLE_POLS || !m->sweeps[t].open)
		return 0;
	struct sweep *s = &m->sweeps[t];
	s->open = false;
	/* a targeted refresh has gen 0 (see model_sweep_begin()) */
	if (t != MODEL_TABLE_SAS || s->gen)
		s->loads++;
	if (t == MODEL_TABLE_SAS)
		return sa_sweep_end(m, s);
	return conf_sweep_end(m, t, s->gen);
}

uint64_t model_table_loads(const struct model *m, enum model_table t)
{
	return (unsigned)t <= MODEL_TABLE_POLS ? m->sweeps[t].loads : 0;
}

int model_clear(struct model *m, enum model_table t)
{
	if ((unsigned)t <= MODEL_TABLE_POLS)
		m->sweeps[t].loads = 0;
	if (t == MODEL_TABLE_SAS)
		return sa_clear(m);
	return conf_clear(m, t);
}

/* ---- dispatch ------------------------------------------------------------- */

int model_ingest_event(struct model *m, const char *name, size_t name_len, const void *msg,
                       size_t len, int64_t now)
{
	static const struct {
		const char *name;
		int (*fn)(struct model *, const void *, size_t, int64_t);
	} tab[] = {
	        {"list-sa", model_ingest_list_sa},
	        {"log", model_ingest_log},
	        {"child-updown", model_ingest_child_updown},
	        {"ike-updown", model_ingest_ike_updown},
	        {"child-rekey", model_ingest_child_rekey},
	        {"ike-rekey", model_ingest_ike_rekey},
	        {"ike-update", model_ingest_ike_update},
	        {"control-log", model_ingest_control_log},
	        {"list-conn", model_ingest_list_conn},
	        {"list-policy", model_ingest_list_policy},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (vici_eq(name, name_len, tab[i].name))
			return tab[i].fn(m, msg, len, now);
	return -ENOENT;
}
