/*
 * The fields of the panes' rows for the filter language (model/filter.h):
 * one table per kind of row, named as the filter language's documentation
 * names them, so that batch mode (swantop -b --filter) and the panes
 * match the same words. The SA tree's rows are struct model_row items,
 * connections struct model_conn, policies struct model_pol and events
 * struct model_event (each a const pointer to the model's object).
 * Pure code.
 */
#ifndef SWANTOP_UI_ROWFIELDS_H
#define SWANTOP_UI_ROWFIELDS_H

#include <stddef.h>

#include "model/filter.h"

/* The SA tree: name child state local remote id vip proposal (alg) spi ts
 * mode, and not searched by free text version reqid uniqueid. */
extern const struct filter_field rowfields_sa[];
extern const size_t rowfields_sa_count;
/* Connections: name child local remote version auth. */
extern const struct filter_field rowfields_conn[];
extern const size_t rowfields_conn_count;
/* Policies: name type mode ike child ts. */
extern const struct filter_field rowfields_pol[];
extern const size_t rowfields_pol_count;
/* Events: kind name child remote text. */
extern const struct filter_field rowfields_event[];
extern const size_t rowfields_event_count;

#endif
