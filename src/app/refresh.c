/*
 * The SA refresh decision (see refresh.h).
 */
#include "app/refresh.h"

static bool has(const uint32_t *t, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] == id)
			return true;
	return false;
}

enum refresh_kind refresh_plan(const struct refresh_input *in, uint32_t *targets, size_t *n)
{
	*n = 0;
	if (in->sweep_due || in->total <= REFRESH_SMALL)
		return REFRESH_FULL;
	if (in->detail_id)
		targets[(*n)++] = in->detail_id;
	for (size_t i = 0; in->sas_shown && i < in->n_visible; i++) {
		uint32_t id = in->visible[i];
		if (!id || has(targets, *n, id))
			continue;
		/* Half of everything on screen: one sweep costs less. */
		if (*n == REFRESH_TARGETS_MAX || (*n + 1) * 2 >= in->total) {
			*n = 0;
			return REFRESH_FULL;
		}
		targets[(*n)++] = id;
	}
	if (*n)
		return REFRESH_TARGETED;
	/* An empty tree on screen: look for new SAs; else wait for the sweep. */
	return in->sas_shown ? REFRESH_FULL : REFRESH_NONE;
}
