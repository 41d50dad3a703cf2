/*
 * The connection and policy tables, version and stats as the model's
 * lifetime and sweeps reach them (conf.c). Internal to src/model.
 */
#ifndef SWANTOP_MODEL_CONF_H
#define SWANTOP_MODEL_CONF_H

#include "model/model.h"

struct model;

/* Sets up an empty configuration side (model_new). */
void conf_init(struct model *m);
/* Frees everything conf_init() and the ingesters made (model_free). */
void conf_free_all(struct model *m);
/* Ends a refresh of MODEL_TABLE_CONNS or MODEL_TABLE_POLS: removes what was
 * not seen with generation gen. Returns change flags. */
int conf_sweep_end(struct model *m, enum model_table t, unsigned gen);
/* Removes every connection or every policy. Returns change flags. */
int conf_clear(struct model *m, enum model_table t);

#endif
