/*
 * Unit tests of the monitor's refresh policy (src/app/refresh.c): costs
 * learned from round trips, periods under a load budget, the next request
 * (forced, selected, rows on screen, sweeps, rounds), a simulated charon
 * over ten minutes, and charon's uptime for restart detection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "app/refresh.h"

/* charon at 1000 IKE SAs as measured on the lab (ms): warm and cold. */
static void lab_costs(struct refresh_costs *c, double scale)
{
	refresh_costs_init(c);
	refresh_costs_learn(c, REFRESH_SA, 0.8 * scale, 1, false);
	refresh_costs_learn(c, REFRESH_SA, 2.5 * scale, 1, true);
	refresh_costs_learn(c, REFRESH_SWEEP, 86 * scale, 1000, false);
	refresh_costs_learn(c, REFRESH_SWEEP, 90 * scale, 1000, true);
	refresh_costs_learn(c, REFRESH_STATS, 1 * scale, 0, false);
	refresh_costs_learn(c, REFRESH_STATS, 3 * scale, 0, true);
	refresh_costs_learn(c, REFRESH_CONNS, 18 * scale, 0, false);
	refresh_costs_learn(c, REFRESH_CONNS, 22 * scale, 0, true);
	refresh_costs_learn(c, REFRESH_POLS, 0.5 * scale, 0, false);
	refresh_costs_learn(c, REFRESH_POLS, 1.1 * scale, 0, true);
}

static void test_costs_learn(void **state)
{
	(void)state;
	struct refresh_costs c;
	refresh_costs_init(&c);
	/* guesses until charon answers; then the first answer, then smoothed */
	assert_false(c.learned[0][REFRESH_SA]);
	assert_true(refresh_cost(&c, REFRESH_SA, 1000, false) > 0);
	refresh_costs_learn(&c, REFRESH_SA, 2.0, 1, false);
	assert_true(c.learned[0][REFRESH_SA]);
	assert_false(c.learned[1][REFRESH_SA]);
	assert_float_equal(refresh_cost(&c, REFRESH_SA, 1000, false), 2.0, 1e-9);
	refresh_costs_learn(&c, REFRESH_SA, 12.0, 1, false);
	assert_float_equal(refresh_cost(&c, REFRESH_SA, 1000, false), 5.0, 1e-9);
	/* cold answers go to their own figure */
	refresh_costs_learn(&c, REFRESH_SA, 7.0, 1, true);
	assert_float_equal(refresh_cost(&c, REFRESH_SA, 1000, true), 7.0, 1e-9);
	assert_float_equal(refresh_cost(&c, REFRESH_SA, 1000, false), 5.0, 1e-9);
	/* a sweep is learned per IKE SA listed and costed for the SAs known */
	refresh_costs_learn(&c, REFRESH_SWEEP, 100.0, 1000, false);
	assert_float_equal(refresh_cost(&c, REFRESH_SWEEP, 1000, false), 100.0, 1e-9);
	assert_float_equal(refresh_cost(&c, REFRESH_SWEEP, 10000, false), 1000.0, 1e-6);
	/* nonsense is ignored */
	refresh_costs_learn(&c, REFRESH_NONE, 5, 1, false);
	refresh_costs_learn(&c, REFRESH_STATS, -1, 1, false);
	assert_false(c.learned[0][REFRESH_STATS]);
	assert_float_equal(refresh_cost(&c, REFRESH_NONE, 10, false), 0, 1e-12);
}

static void test_periods(void **state)
{
	(void)state;
	struct refresh_costs c;
	struct refresh_periods p;
	lab_costs(&c, 1);
	/* 1000 SAs, 18 on screen, one selected, default interval and budget */
	refresh_periods_get(&c, 1000, 18, true, 1500, REFRESH_BUDGET_DEFAULT, 0, &p);
	assert_int_equal(p.selected, 1500);
	assert_true(p.visible <= REFRESH_VISIBLE_MAX_MS && p.visible >= 1500);
	assert_true(p.stats <= REFRESH_STATS_MAX_MS);
	assert_true(p.conns >= REFRESH_CONNS_MIN_MS && p.pols >= REFRESH_CONNS_MIN_MS);
	/* the sweep gets what is left: within the budget, far apart */
	assert_true(p.load <= REFRESH_BUDGET_DEFAULT + 1e-6);
	assert_true(p.sweep > 20000);
	int64_t sweep_1k = p.sweep;
	/* ten times the SAs: a sweep costs ten times more and comes that
	 * much less often (a targeted walk costs more too) */
	struct refresh_costs c10 = c;
	refresh_costs_learn(&c10, REFRESH_SA, 8, 1, false);
	refresh_costs_learn(&c10, REFRESH_SA, 25, 1, true);
	refresh_periods_get(&c10, 10000, 18, true, 1500, REFRESH_BUDGET_DEFAULT, 0, &p);
	assert_true(p.sweep >= 9 * sweep_1k);
	/* the selected SA and the 10 s of the rows on screen hold above the
	 * budget */
	assert_int_equal(p.selected, 1500);
	assert_int_equal(p.visible, REFRESH_VISIBLE_MAX_MS);
	assert_true(p.load > REFRESH_BUDGET_DEFAULT);
	/* more budget: fresher rows on screen, then more sweeps */
	refresh_periods_get(&c, 1000, 18, true, 1500, 50, 0, &p);
	assert_int_equal(p.visible, 1500);
	assert_int_equal(p.stats, 1500);
	assert_true(p.sweep < sweep_1k);
	assert_true(p.load <= 50 + 1e-6);
	/* a budget of 0: only what is kept whatever the budget */
	refresh_periods_get(&c, 1000, 18, true, 1500, 0, 0, &p);
	assert_int_equal(p.visible, REFRESH_VISIBLE_MAX_MS);
	assert_true(p.sweep >= (int64_t)1e11);
	/* a cap on the sweep period (a recorder sampling every minute) */
	refresh_periods_get(&c, 1000, 0, false, 60000, 1, 60000, &p);
	assert_int_equal(p.sweep, 60000);
	/* few SAs: everything as often as the interval allows */
	refresh_costs_learn(&c, REFRESH_SWEEP, 0.5, 8, false);
	refresh_periods_get(&c, 8, 8, true, 1500, REFRESH_BUDGET_DEFAULT, 0, &p);
	assert_int_equal(p.sweep, 1500);
	assert_int_equal(p.visible, 1500);
	/* nothing selected, nothing on screen (another pane, a recorder) */
	lab_costs(&c, 1);
	refresh_periods_get(&c, 1000, 0, false, 1500, REFRESH_BUDGET_DEFAULT, 0, &p);
	assert_true(p.load <= REFRESH_BUDGET_DEFAULT + 1e-6);
	assert_true(p.sweep < sweep_1k); /* what the rows would use goes to it */
}

static struct refresh_input input(int64_t now)
{
	struct refresh_input in;
	memset(&in, 0, sizeof(in));
	in.now = now;
	in.total = 1000;
	for (int k = 0; k < REFRESH_KIND_COUNT; k++)
		in.last[k] = now - 1; /* just done */
	return in;
}

static void test_next(void **state)
{
	(void)state;
	struct refresh_costs c;
	struct refresh_periods p;
	struct refresh_next n;
	lab_costs(&c, 1);
	/* no budget: rows on screen every 10 s, the header too */
	refresh_periods_get(&c, 1000, 3, true, 1500, 0, 0, &p);
	int64_t t = 100000;
	/* forced, in this order: version, stats (restart detection), sweep,
	 * connections, policies */
	struct refresh_input in = input(t);
	in.force[REFRESH_POLS] = in.force[REFRESH_SWEEP] = in.force[REFRESH_STATS] = true;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_STATS);
	in.force[REFRESH_STATS] = false;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_SWEEP);
	in.force[REFRESH_SWEEP] = false;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_POLS);
	/* never sent: due at once */
	in = input(t);
	in.last[REFRESH_STATS] = 0;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_STATS);
	/* nothing due: when to look again */
	in = input(t);
	uint32_t vis[] = {7, 9, 12};
	int64_t at[] = {t - 1000, t - 2000, t - 500};
	in.visible = vis;
	in.visible_at = at;
	in.n_visible = 3;
	in.selected = 9;
	in.selected_at = t - 1000;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_NONE);
	assert_int_equal(n.wake, t - 1000 + 1500);
	/* the selected SA first, targeted */
	in.now = t + 600;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_SA);
	assert_int_equal(n.ike_id, 9);
	/* rows on screen due: the oldest first; cold, only what is due */
	in.selected_at = in.now;
	at[0] = t - 20000, at[1] = t - 9000, at[2] = t - 30000;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_SA);
	assert_int_equal(n.ike_id, 12);
	at[2] = in.now;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.ike_id, 7);
	at[0] = in.now;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_NONE);
	/* warm (a round is going on): what is due before the next round
	 * joins it */
	in.warm = true;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_SA);
	assert_int_equal(n.ike_id, 9);
	/* as many due rows as cost a sweep: one sweep instead */
	uint32_t many[200];
	int64_t old[200];
	for (int i = 0; i < 200; i++)
		many[i] = (uint32_t)i + 1, old[i] = t - 60000;
	in = input(t);
	in.visible = many;
	in.visible_at = old;
	in.n_visible = 200;
	refresh_periods_get(&c, 1000, 200, false, 1500, REFRESH_BUDGET_DEFAULT, 0, &p);
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_SWEEP);
	in.n_visible = 20;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_SA);
	/* few SAs: a targeted refresh costs a sweep, so it is one */
	in.total = 3;
	refresh_costs_learn(&c, REFRESH_SWEEP, 0.3, 3, false);
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_SWEEP);
}

/* A simulated charon that costs what the lab's does (a request opening a
 * round costs it about three times one within a round), and the decision
 * loop of the feed around refresh_next(): over ten minutes the selected
 * SA's counters are never older than the interval plus a round trip, the
 * rows on screen never older than 10 s, the sweep runs far apart, and what
 * charon spends is what the policy estimated, within the budget where the
 * budget can be kept. */
struct sim {
	struct refresh_costs truth, learned;
	int64_t now, replied;
	int64_t at[1001]; /* when each IKE SA was listed */
	double spent;     /* ms of charon time */
	unsigned sent[REFRESH_KIND_COUNT];
};

static void sim_run(struct sim *s, size_t total, const uint32_t *vis, size_t nv, uint32_t sel,
                    double budget, int64_t until, int64_t *max_sel_age, int64_t *max_vis_age,
                    int64_t *sweep_gap)
{
	struct refresh_periods p;
	int64_t last[REFRESH_KIND_COUNT] = {0}, last_sweep_done = 0;
	int64_t vis_at[64];
	*max_sel_age = *max_vis_age = *sweep_gap = 0;
	while (s->now < until) {
		struct refresh_input in;
		memset(&in, 0, sizeof(in));
		in.now = s->now;
		in.warm = s->replied && s->now - s->replied < REFRESH_WARM_MS;
		in.total = total;
		in.selected = sel;
		in.selected_at = s->at[sel];
		for (size_t i = 0; i < nv; i++)
			vis_at[i] = s->at[vis[i]];
		in.visible = vis;
		in.visible_at = vis_at;
		in.n_visible = nv;
		memcpy(in.last, last, sizeof(last));
		refresh_periods_get(&s->learned, total, nv, sel != 0, 1500, budget, 0, &p);
		struct refresh_next n;
		refresh_next(&in, &s->learned, &p, &n);
		if (n.kind == REFRESH_NONE) {
			assert_true(n.wake > s->now);
			s->now = n.wake < s->now + 250 ? n.wake : s->now + 250;
			continue;
		}
		bool cold = !in.warm;
		double cost = n.kind == REFRESH_SA
		                      ? refresh_cost(&s->truth, REFRESH_SA, total, cold)
		                      : refresh_cost(&s->truth, n.kind, total, cold);
		s->spent += cost;
		s->sent[n.kind]++;
		last[n.kind] = s->now;
		s->now += (int64_t)cost + 1;
		refresh_costs_learn(&s->learned, n.kind, cost, total, cold);
		s->replied = s->now;
		if (n.kind == REFRESH_SA)
			s->at[n.ike_id] = s->now;
		if (n.kind == REFRESH_SWEEP) {
			for (size_t i = 1; i <= total && i <= 1000; i++)
				s->at[i] = s->now;
			if (last_sweep_done && s->now - last_sweep_done > *sweep_gap)
				*sweep_gap = s->now - last_sweep_done;
			last_sweep_done = s->now;
		}
		/* ages as the operator would see them, before the next request */
		if (sel && s->now - s->at[sel] > *max_sel_age)
			*max_sel_age = s->now - s->at[sel];
		for (size_t i = 0; i < nv; i++)
			if (s->now - s->at[vis[i]] > *max_vis_age)
				*max_vis_age = s->now - s->at[vis[i]];
	}
}

static void test_simulated_charon(void **state)
{
	(void)state;
	static struct sim s;
	memset(&s, 0, sizeof(s));
	lab_costs(&s.truth, 1);
	refresh_costs_init(&s.learned);
	s.now = 1;
	uint32_t vis[18];
	for (uint32_t i = 0; i < 18; i++)
		vis[i] = 100 + i;
	int64_t max_sel, max_vis, gap;
	/* the first minute: start-up, learning */
	sim_run(&s, 1000, vis, 18, 105, REFRESH_BUDGET_DEFAULT, 60000, &max_sel, &max_vis, &gap);
	/* then ten minutes, measured */
	double spent0 = s.spent;
	int64_t t0 = s.now;
	sim_run(&s, 1000, vis, 18, 105, REFRESH_BUDGET_DEFAULT, t0 + 600000, &max_sel, &max_vis,
	        &gap);
	double load = (s.spent - spent0) * 1000.0 / (double)(s.now - t0);
	assert_true(max_sel <= 1500 + 50);
	assert_true(max_vis <= REFRESH_VISIBLE_MAX_MS + 50);
	assert_true(gap > 20000);
	struct refresh_periods p;
	refresh_periods_get(&s.learned, 1000, 18, true, 1500, REFRESH_BUDGET_DEFAULT, 0, &p);
	print_message("simulated charon: %.2f ms/s spent, %.2f estimated; selected %lld ms, "
	              "rows %lld ms, sweeps %lld ms apart\n",
	              load, p.load, (long long)max_sel, (long long)max_vis, (long long)gap);
	assert_true(p.load > load * 0.8 && p.load < load * 1.25);
	assert_true(load <= REFRESH_BUDGET_DEFAULT * 1.05);
	/* rounds: far fewer cold requests than requests */
	assert_true(s.sent[REFRESH_SA] > 600);

	/* nothing on screen, nothing selected: only sweeps and the header,
	 * each opening its own round, still within the budget */
	memset(&s, 0, sizeof(s));
	lab_costs(&s.truth, 1);
	lab_costs(&s.learned, 1);
	s.now = 1;
	sim_run(&s, 1000, NULL, 0, 0, REFRESH_BUDGET_DEFAULT, 660000, &max_sel, &max_vis, &gap);
	load = s.spent * 1000.0 / (double)s.now;
	assert_true(load <= REFRESH_BUDGET_DEFAULT * 1.05);
	assert_true(gap > 20000);
	assert_int_equal(s.sent[REFRESH_SA], 0);
}

static struct refresh_uptime up(const char *since, const char *running)
{
	struct refresh_uptime u;
	refresh_uptime_parse(&u, since, strlen(since), running, strlen(running));
	return u;
}

static void test_uptime_parse(void **state)
{
	(void)state;
	struct refresh_uptime a = up("Dec 04 13:58:04 2026", "17 seconds");
	assert_true(a.valid);
	assert_int_equal(a.running_min, 17);
	assert_int_equal(a.running_max, 17);
	struct refresh_uptime b = up("Dec 04 13:58:05 2026", "1 minute");
	assert_int_equal(b.since - a.since, 1);
	assert_int_equal(b.running_min, 60);
	assert_int_equal(b.running_max, 119);
	/* across a month and a year */
	assert_int_equal(up("Jan 01 00:00:00 2027", "3 days").since -
	                         up("Dec 31 23:59:59 2026", "3 days").since,
	                 1);
	assert_int_equal(up("Mar 01 00:00:00 2028", "2 hours").since -
	                         up("Feb 28 00:00:00 2028", "2 hours").since,
	                 2 * 86400); /* 2028 is a leap year */
	assert_true(up("Dec 04 13:58:04 UTC 2026", "5 hours").valid);
	assert_int_equal(up("Dec 04 13:58:04 UTC 2026", "5 hours").running_min, 5 * 3600);
	/* what cannot be read says nothing */
	assert_false(up("Foo 04 13:58:04 2026", "1 minute").valid);
	assert_false(up("Dec 04 13:58:04 2026", "1 fortnight").valid);
	assert_false(up("Dec 04 13:58 2026", "1 minute").valid);
	assert_false(up("", "").valid);
	assert_false(up("Dec 04 13:58:04 2026x", "1 minute").valid);
}

static bool restarted(struct refresh_uptime a, struct refresh_uptime b)
{
	return refresh_restarted(&a, &b);
}

static void test_restart(void **state)
{
	(void)state;
	/* charon derives since from its monotonic uptime: it flips by a
	 * second from call to call on a healthy daemon */
	struct refresh_uptime a = up("Dec 04 13:58:04 2026", "10 minutes");
	struct refresh_uptime flip = up("Dec 04 13:58:05 2026", "10 minutes");
	assert_false(refresh_restarted(&a, &flip));
	assert_false(refresh_restarted(&flip, &a));
	/* still the same daemon after a while */
	assert_false(restarted(a, up("Dec 04 13:58:05 2026", "3 hours")));
	/* a younger daemon: started later */
	assert_true(restarted(a, up("Dec 04 14:20:31 2026", "2 seconds")));
	/* a younger daemon although the wall clock was set back */
	assert_true(restarted(a, up("Dec 04 13:50:00 2026", "4 seconds")));
	/* the wall clock stepped, the daemon did not restart */
	assert_false(restarted(a, up("Dec 04 13:50:00 2026", "12 minutes")));
	/* what cannot be read says no */
	struct refresh_uptime bad = up("garbage", "1 minute");
	assert_false(refresh_restarted(&a, &bad));
	assert_false(refresh_restarted(&bad, &a));
}

/* A recorder: nothing on screen, nothing selected, an interval of a
 * minute. The reply to a sweep finds charon warm, but no round follows:
 * the next sweep waits for its period instead of joining at once. */
static void test_next_unwatched(void **state)
{
	(void)state;
	struct refresh_costs c;
	struct refresh_periods p;
	struct refresh_next n;
	lab_costs(&c, 1);
	refresh_periods_get(&c, 1000, 0, false, 60000, 5, 0, &p);
	assert_true(p.sweep >= 60000);
	int64_t t = 100000;
	/* everything was sent in the round that just ended: the sweep's
	 * reply took 200 ms */
	struct refresh_input in = {.now = t, .warm = true, .total = 1000};
	for (int k = 0; k < REFRESH_KIND_COUNT; k++)
		in.last[k] = t - 200;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_NONE);
	assert_true(n.wake >= t - 200 + p.stats);
	in.now = in.last[REFRESH_SWEEP] + p.sweep;
	in.last[REFRESH_STATS] = in.now;
	refresh_next(&in, &c, &p, &n);
	assert_int_equal(n.kind, REFRESH_SWEEP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_uptime_parse),   cmocka_unit_test(test_restart),
	        cmocka_unit_test(test_costs_learn),    cmocka_unit_test(test_periods),
	        cmocka_unit_test(test_next),           cmocka_unit_test(test_simulated_charon),
	        cmocka_unit_test(test_next_unwatched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
