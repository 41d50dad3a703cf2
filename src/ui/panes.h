/*
 * The monitor's panes: their operation tables and the few entry points the
 * main loop needs beyond them (filters, overlays). Each pane reads the model
 * through app->model and asks for actions through app/actions.c; none of
 * them talks VICI.
 */
#ifndef SWANTOP_UI_PANES_H
#define SWANTOP_UI_PANES_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/pane.h"

struct app;

extern const struct pane_ops pane_sas_ops;
extern const struct pane_ops pane_conns_ops;
extern const struct pane_ops pane_pols_ops;
extern const struct pane_ops pane_events_ops;
extern const struct pane_ops pane_log_ops;
extern const struct pane_ops pane_text_ops; /* detail and help overlays */

/* Creates the pane state for ops (priv). */
void pane_init(struct pane *p, const struct pane_ops *ops, struct app *app);
/* Applies p->filter (after it changed). */
void pane_filter_changed(struct pane *p, struct app *app);

/* Overlays: the help screen generated from the key table, and the detail
 * view of the item selected in pane p (every field charon sent, nested
 * sections indented). Return false with a status message if there is
 * nothing to show. */
void overlay_help_open(struct app *app);
bool overlay_detail_open(struct app *app, struct pane *p);
/* Replaces the overlay text with lines (copied; already safe). */
void overlay_text_set(struct pane *p, const char *title, const char *const *lines, size_t n);
void overlay_text_add(struct pane *p, const char *line);
/* If the detail view of an SA is open: true and the id of its IKE SA (so
 * that it gets refreshed like a visible row). */
bool overlay_detail_sa(const struct app *app, uint32_t *ike_id);

/* The items selected in the connections and policies panes (for the
 * detail view); false / NULL if none. */
struct model_conn;
struct model_conn_child;
struct model_pol;
bool pane_conns_selected(struct app *app, struct pane *p, const struct model_conn **c,
                         const struct model_conn_child **ch);
const struct model_pol *pane_pols_selected(struct app *app, struct pane *p);
/* The event or log line selected (for the detail view), or NULL. */
struct model_event;
struct model_log_line;
const struct model_event *pane_events_selected(struct app *app, struct pane *p);
const struct model_log_line *pane_log_selected(struct app *app, struct pane *p);

/* The visible row count of a list pane of height h (title and heading
 * excluded). */
size_t pane_body_rows(const struct pane *p, bool heading);
/* Fits a table's columns to the pane's width into w and draws their
 * heading under the title. */
struct column;
void pane_table_heading(const struct pane *p, const struct column *c, size_t n, unsigned *w,
                        bool utf8);
/* Shared helper: the selection role for a pane (focused or not). */
int pane_sel_role(const struct app *app, const struct pane *p);

#endif
