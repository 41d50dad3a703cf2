/*
 * The refresh policy under a load budget, and charon's uptime (see
 * refresh.h).
 */
#include "app/refresh.h"

#include <string.h>

#include "util/time.h"

/* ---- costs ---------------------------------------------------------------- */

void refresh_costs_init(struct refresh_costs *c)
{
	/* charon 5.9.8 at 1000 IKE SAs (BENCHMARKS.md); the first round trips
	 * replace them. */
	static const double warm[REFRESH_KIND_COUNT] = {
	        [REFRESH_SA] = 0.8,     [REFRESH_SWEEP] = 0.09, [REFRESH_STATS] = 1.0,
	        [REFRESH_CONNS] = 20.0, [REFRESH_POLS] = 0.5,   [REFRESH_VERSION] = 0.3,
	};
	static const double cold[REFRESH_KIND_COUNT] = {
	        [REFRESH_SA] = 2.5,     [REFRESH_SWEEP] = 0.1, [REFRESH_STATS] = 3.0,
	        [REFRESH_CONNS] = 25.0, [REFRESH_POLS] = 1.1,  [REFRESH_VERSION] = 0.7,
	};
	memset(c, 0, sizeof(*c));
	memcpy(c->ms[0], warm, sizeof(warm));
	memcpy(c->ms[1], cold, sizeof(cold));
}

void refresh_costs_learn(struct refresh_costs *c, enum refresh_kind k, double rtt_ms, size_t n,
                         bool cold)
{
	if (k <= REFRESH_NONE || k >= REFRESH_KIND_COUNT || !(rtt_ms >= 0))
		return;
	double v = k == REFRESH_SWEEP ? rtt_ms / (double)(n ? n : 1) : rtt_ms;
	if (v < 0.001)
		v = 0.001;
	/* Smoothed: one slow answer (charon busy a moment) moves it a little,
	 * a lasting change within a few rounds. */
	double *ms = &c->ms[cold][k];
	*ms = c->learned[cold][k] ? 0.7 * *ms + 0.3 * v : v;
	c->learned[cold][k] = true;
}

double refresh_cost(const struct refresh_costs *c, enum refresh_kind k, size_t total, bool cold)
{
	if (k <= REFRESH_NONE || k >= REFRESH_KIND_COUNT)
		return 0;
	double ms = c->ms[cold][k];
	return k == REFRESH_SWEEP ? ms * (double)(total ? total : 1) : ms;
}

/* ---- periods --------------------------------------------------------------- */

/* ms of charon time per second that ms every period adds. */
static double rate(double ms, int64_t period)
{
	return period > 0 ? ms * 1000.0 / (double)period : 0;
}

/* The period at which something costing ms uses share ms per second. */
static int64_t period_for(double ms, double share)
{
	double p = share > 0 ? ms * 1000.0 / share : 1e12;
	/* rounded up: never a little more than the share */
	return p >= 1e12 ? (int64_t)1e12 : (int64_t)p + 1;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* What each kind costs per period: the selected SA opens the rounds and
 * the rest ride on them warm; without it each request opens its own. A
 * request that rides on a round goes with the last round before it is due,
 * half an interval early on average: ahead, the period it really has. */
struct period_costs {
	double sel, vis, sweep, stats, conns, pols;
	int64_t early;
};

static double rate_early(double ms, int64_t period, int64_t early)
{
	return rate(ms, period - early > early ? period - early : period);
}

static double load_of(const struct refresh_periods *p, const struct period_costs *k)
{
	return rate(k->sel, p->selected) + rate_early(k->vis, p->visible, k->early) +
	       rate_early(k->sweep, p->sweep, k->early) + rate_early(k->stats, p->stats, k->early) +
	       rate_early(k->conns, p->conns, k->early) + rate_early(k->pols, p->pols, k->early);
}

/* Shortens *period (not below floor) so that what costs ms per period uses
 * at most spare more per second; returns what it used. */
static double spend(int64_t *period, int64_t floor, double ms, int64_t early, double spare)
{
	if (spare <= 0 || *period <= floor || ms <= 0)
		return 0;
	double now_r = rate_early(ms, *period, early), want = rate_early(ms, floor, early);
	if (want - now_r <= spare) {
		*period = floor;
		return want - now_r;
	}
	*period = max64(floor, period_for(ms, now_r + spare) + early);
	return rate_early(ms, *period, early) - now_r;
}

/* A targeted refresh, or a sweep where that costs no more (few SAs). */
static double targeted(const struct refresh_costs *c, size_t total, bool cold)
{
	double one = refresh_cost(c, REFRESH_SA, total, cold);
	double full = refresh_cost(c, REFRESH_SWEEP, total, cold);
	return one < full ? one : full;
}

void refresh_periods_get(const struct refresh_costs *c, size_t total, size_t n_visible,
                         bool selected, int64_t interval_ms, double budget, int64_t sweep_max_ms,
                         struct refresh_periods *p)
{
	int64_t iv = interval_ms < 100 ? 100 : interval_ms;
	double b = budget > 0 ? budget : 0;
	bool cold = !selected;
	/* The rows on screen go in one round (the first opens it), or in one
	 * sweep where that costs less. */
	double vis = n_visible ? (double)n_visible * targeted(c, total, false) : 0;
	if (n_visible && cold)
		vis += targeted(c, total, true) - targeted(c, total, false);
	if (n_visible && vis > refresh_cost(c, REFRESH_SWEEP, total, cold))
		vis = refresh_cost(c, REFRESH_SWEEP, total, cold);
	struct period_costs k = {
	        .sel = selected ? targeted(c, total, true) : 0,
	        .vis = vis,
	        .sweep = refresh_cost(c, REFRESH_SWEEP, total, cold),
	        .stats = refresh_cost(c, REFRESH_STATS, total, cold),
	        .conns = refresh_cost(c, REFRESH_CONNS, total, cold),
	        .pols = refresh_cost(c, REFRESH_POLS, total, cold),
	        .early = selected ? iv / 2 : 0,
	};
	/* What is kept whatever the budget: the selected SA every interval,
	 * the rows on screen and the header at least every 10 s. Connections
	 * and policies change only when someone loads or unloads them. */
	p->selected = iv;
	p->visible = max64(iv, REFRESH_VISIBLE_MAX_MS);
	p->stats = max64(iv, REFRESH_STATS_MAX_MS);
	p->conns = max64(REFRESH_CONNS_MIN_MS, period_for(k.conns, 0.05 * b));
	p->pols = max64(REFRESH_CONNS_MIN_MS, period_for(k.pols, 0.05 * b));
	p->sweep = (int64_t)1e12;
	/* What is left makes the rows on screen, then the header, fresher
	 * (down to the interval), keeping a share for the sweep; the sweep
	 * gets the rest. */
	double spare = b - load_of(p, &k) - REFRESH_SWEEP_SHARE * b;
	spare -= spend(&p->visible, iv, k.vis, k.early, spare);
	spend(&p->stats, iv, k.stats, k.early, spare);
	double left = b - load_of(p, &k);
	if (left < REFRESH_SWEEP_SHARE * b)
		left = REFRESH_SWEEP_SHARE * b;
	p->sweep = max64(iv, period_for(k.sweep, left) + k.early);
	if (sweep_max_ms > 0 && p->sweep > sweep_max_ms)
		p->sweep = max64(iv, sweep_max_ms);
	/* Rows are listed by every sweep too. */
	if (p->visible > p->sweep)
		p->visible = p->sweep;
	p->load = load_of(p, &k);
}

/* ---- the next request ------------------------------------------------------ */

/* When a request of kind k is due: one never sent is due at once. */
static int64_t due(const struct refresh_input *in, enum refresh_kind k, int64_t period)
{
	return in->last[k] ? in->last[k] + period : INT64_MIN;
}

/* Chooses k if it is due by the horizon; else keeps when it will be. */
static bool pick(struct refresh_next *out, int64_t horizon, int64_t when, enum refresh_kind k,
                 uint32_t id)
{
	if (when <= horizon) {
		out->kind = k;
		out->ike_id = id;
		return true;
	}
	if (when < out->wake)
		out->wake = when;
	return false;
}

void refresh_next(const struct refresh_input *in, const struct refresh_costs *c,
                  const struct refresh_periods *p, struct refresh_next *out)
{
	static const enum refresh_kind forced[] = {REFRESH_VERSION, REFRESH_STATS, REFRESH_SWEEP,
	                                           REFRESH_CONNS, REFRESH_POLS};
	out->kind = REFRESH_NONE;
	out->ike_id = 0;
	out->wake = INT64_MAX;
	for (size_t i = 0; i < sizeof(forced) / sizeof(forced[0]); i++)
		if (in->force[forced[i]]) {
			out->kind = forced[i];
			return;
		}
	/* In a round, what would be due before the next one joins it (the
	 * selected SA, refreshed a moment ago, is not due again). Without a
	 * selected SA no round follows at a known time: nothing joins early
	 * (a recorder's interval of a minute would otherwise sweep on and on,
	 * each sweep's reply opening the next). */
	int64_t slack =
	        in->selected && p->selected > REFRESH_WARM_MS ? p->selected - REFRESH_WARM_MS : 0;
	int64_t h = in->warm ? in->now + slack : in->now;
	double full = refresh_cost(c, REFRESH_SWEEP, in->total, false);
	double one = refresh_cost(c, REFRESH_SA, in->total, false);
	/* Where a targeted refresh costs a sweep (few SAs), sweep. */
	enum refresh_kind one_kind = one < full ? REFRESH_SA : REFRESH_SWEEP;
	if (in->selected && pick(out, h, in->selected_at + p->selected, one_kind, in->selected))
		return;
	if (pick(out, h, due(in, REFRESH_SWEEP, p->sweep), REFRESH_SWEEP, 0))
		return;
	if (pick(out, h, due(in, REFRESH_STATS, p->stats), REFRESH_STATS, 0))
		return;
	/* The rows on screen: the oldest first, or one sweep for all of them
	 * where that costs no more. */
	size_t n_due = 0, oldest = 0;
	for (size_t i = 0; i < in->n_visible; i++) {
		if (!in->visible[i])
			continue;
		int64_t when = in->visible_at[i] + p->visible;
		if (when > h) {
			if (when < out->wake)
				out->wake = when;
			continue;
		}
		if (!n_due++ || in->visible_at[i] < in->visible_at[oldest])
			oldest = i;
	}
	if (n_due) {
		bool sweep = one_kind == REFRESH_SWEEP || (double)n_due * one >= full;
		out->kind = sweep ? REFRESH_SWEEP : REFRESH_SA;
		out->ike_id = sweep ? 0 : in->visible[oldest];
		return;
	}
	if (pick(out, h, due(in, REFRESH_POLS, p->pols), REFRESH_POLS, 0))
		return;
	pick(out, h, due(in, REFRESH_CONNS, p->conns), REFRESH_CONNS, 0);
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
