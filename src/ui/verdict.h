/*
 * A diagnosis verdict (model/diag.h) as text, the same wherever it is
 * shown: the detail view of a connection or SA and `swantop why`. Every
 * string the verdict took from charon or a peer is sanitised here.
 */
#ifndef SWANTOP_UI_VERDICT_H
#define SWANTOP_UI_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "model/diag.h"
#include "ui/lines.h"

/* What follows the subject's name on the verdict's first line:
 * "auth-failed (IKE, refused here), 2 times since 3s ago, last 0s ago",
 * with "last failure " before it when the verdict is no longer current.
 * Our own words only (safe). */
void verdict_summary(char *buf, size_t size, const struct diag_verdict *v, int64_t now);

/* The lines under it, indented by two spaces, sanitised with flags
 * (SANITIZE_ASCII in a non-UTF-8 locale): the CHILD config, what
 * happened, the peer, both sides' proposals or selectors, charon's own
 * lines with their ages, then what to check next and the swanctl command
 * to retry (or, when it is no longer current, since when it is up). */
void verdict_lines(struct lines *o, const struct diag_verdict *v, int64_t now, unsigned flags);

#endif
