/*
 * The detail view's text: every field charon sent for one item (an IKE or
 * CHILD SA, a connection, a policy), walked from the raw VICI elements the
 * model keeps, nested sections indented; or every field of an event or log
 * line. Rebuilt from the model on every draw, so counters and countdowns
 * move while it is open, and an SA is followed across its rekeys.
 */
#ifndef SWANTOP_UI_DETAIL_H
#define SWANTOP_UI_DETAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "ui/lines.h"
#include "ui/pane.h"

/* Builds the title and lines of s (sanitised; ASCII-only with ascii). An SA
 * that was rekeyed is followed to its successor (s is updated). Returns
 * false when s is no longer in the model (out is left as it was). */
bool detail_build(const struct model *m, struct detail_subject *s, bool ascii, char *title,
                  size_t titlesize, struct lines *out);

#endif
