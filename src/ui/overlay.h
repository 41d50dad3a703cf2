/*
 * The overlays drawn over the panes: the help screen, generated from the key
 * table and the command table, and the detail view of the item selected in
 * a pane (see detail.h), which stays live while it is open. Both are a
 * scrollable text pane (pane_text_ops).
 */
#ifndef SWANTOP_UI_OVERLAY_H
#define SWANTOP_UI_OVERLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/pane.h"
#include "ui/theme.h"

/* The text pane; its key handler returns PANE_CLOSE when the operator
 * leaves it. */
extern const struct pane_ops pane_text_ops;
#define PANE_CLOSE (1u << 4)

struct hist;
struct keymap;

/* Fills o with the help text (readonly: say that actions are refused; h:
 * which history store is open, may be NULL). */
void overlay_help_open(struct pane *o, const struct theme *t, bool utf8, bool readonly,
                       const struct hist *h, const struct keymap *user);
/* Fills o with the help on the filter language and each pane's fields. */
void overlay_filter_help_open(struct pane *o);
/* Shows the detail view of s in o (built on every draw). */
void overlay_detail_open(struct pane *o, const struct detail_subject *s);
/* If o shows an SA: true and the id of its IKE SA now (so that it gets
 * refreshed like a visible row). */
bool overlay_detail_ike(const struct pane *o, uint32_t *ike_id);
/* What y copies in o: in the detail view the value of the top line shown
 * ("key = value" gives value, any other line itself, trimmed), in the
 * timeline its selected row (pane_copy_text()); false in the help screen
 * or when there is no line. */
bool overlay_copy_text(const struct pane *o, char *buf, size_t size);
/* The application closed the overlay without a key of its own (another
 * pane was chosen): o stops asking for a timeline. */
void overlay_closed(struct pane *o);

#endif
