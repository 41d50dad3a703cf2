/*
 * The SA refresh decision and charon's uptime (see refresh.h).
 */
#include "app/refresh.h"

#include <string.h>

#include "util/time.h"

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

/* A restart moves since by at least the time the daemon was away; a
 * healthy one by at most a second (the flip) plus wall-clock steps. */
#define RESTART_SINCE_SLACK 5

static bool num(const char **p, const char *end, int64_t *v, int max_digits)
{
	int n = 0;
	*v = 0;
	while (*p < end && **p >= '0' && **p <= '9' && n < max_digits) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n > 0;
}

static bool lit(const char **p, const char *end, char c)
{
	if (*p < end && **p == c) {
		(*p)++;
		return true;
	}
	return false;
}

/* "Dec 04 13:58:04 2026" (or with " UTC " before the year). */
static bool parse_since(const char *s, size_t len, int64_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *p = s, *end = s + len;
	int64_t mon = -1, day, h, mi, sec, year;
	for (int i = 0; i < 12 && len >= 3; i++)
		if (!memcmp(s, months + 3 * i, 3))
			mon = i + 1;
	if (mon < 0)
		return false;
	p += 3;
	if (!lit(&p, end, ' ') || !num(&p, end, &day, 2) || !lit(&p, end, ' ') ||
	    !num(&p, end, &h, 2) || !lit(&p, end, ':') || !num(&p, end, &mi, 2) ||
	    !lit(&p, end, ':') || !num(&p, end, &sec, 2) || !lit(&p, end, ' '))
		return false;
	if (end - p >= 4 && !memcmp(p, "UTC ", 4))
		p += 4;
	if (!num(&p, end, &year, 4) || p != end || day < 1 || day > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return false;
	*out = time_days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + h * 3600 +
	       mi * 60 + sec;
	return true;
}

/* "17 seconds", "1 minute", "119 minutes", "3 hours", "12 days": charon
 * divides and rounds down, so N units is [N, N + 1) units. */
static bool parse_running(const char *s, size_t len, int64_t *lo, int64_t *hi)
{
	static const struct {
		const char *name;
		int64_t secs;
	} units[] = {{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}};
	const char *p = s, *end = s + len;
	int64_t n;
	if (!num(&p, end, &n, 12) || !lit(&p, end, ' '))
		return false;
	size_t rest = (size_t)(end - p);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t ul = strlen(units[i].name);
		if (rest >= ul && !memcmp(p, units[i].name, ul) &&
		    (rest == ul || (rest == ul + 1 && p[ul] == 's'))) {
			*lo = n * units[i].secs;
			*hi = *lo + units[i].secs - 1;
			return true;
		}
	}
	return false;
}

void refresh_uptime_parse(struct refresh_uptime *u, const char *since, size_t since_len,
                          const char *running, size_t running_len)
{
	memset(u, 0, sizeof(*u));
	u->valid = parse_since(since, since_len, &u->since) &&
	           parse_running(running, running_len, &u->running_min, &u->running_max);
}

bool refresh_restarted(const struct refresh_uptime *before, const struct refresh_uptime *after)
{
	if (!before->valid || !after->valid)
		return false;
	return after->since > before->since + RESTART_SINCE_SLACK ||
	       after->running_max < before->running_min;
}
