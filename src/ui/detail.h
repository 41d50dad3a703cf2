/*
 * The detail view's text: every field charon sent for one item (an IKE or
 * CHILD SA, a connection, a policy), walked from the raw VICI elements the
 * model keeps, nested sections indented; or every field of an event, a log
 * line or a record of the history store. Rebuilt from the model on every
 * draw, so counters and countdowns move while it is open, and an SA is
 * followed across its rekeys.
 *
 * Above the fields, what the monitor knows beyond charon's tables: for a
 * connection or an SA that is not up, the diagnosis engine's verdict (what
 * failed, who refused, IKE or CHILD, since when and how often, charon's own
 * lines, what to check next, the swanctl command to retry); with a history
 * store, a connection's down events of the last day and a CHILD SA's
 * traffic of the last hour.
 */
#ifndef SWANTOP_UI_DETAIL_H
#define SWANTOP_UI_DETAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "ui/lines.h"
#include "ui/pane.h"

struct diag;
struct hist;

/* Where a detail view reads from. */
struct detail_src {
	const struct model *model;
	const struct diag *diag; /* NULL: no verdicts */
	const struct hist *hist; /* NULL: no history */
	int64_t now;             /* monotonic ms, for ages */
	bool ascii;              /* ASCII only (non-UTF-8 locale) */
};

/* Builds the title and lines of s (sanitised). An SA that was rekeyed is
 * followed to its successor (s is updated). Returns false when s is no
 * longer in the model (out is left as it was). */
bool detail_build(const struct detail_src *src, struct detail_subject *s, char *title,
                  size_t titlesize, struct lines *out);

#endif
