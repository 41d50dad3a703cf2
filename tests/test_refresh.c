/*
 * Unit tests of the monitor's SA refresh policy (src/app/refresh.c): when a
 * full sweep, when targeted list-sas for what is on screen, when nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "app/refresh.h"

static enum refresh_kind plan(size_t total, bool due, bool shown, const uint32_t *vis, size_t nv,
                              uint32_t detail, uint32_t *t, size_t *n)
{
	struct refresh_input in = {total, due, shown, vis, nv, detail};
	return refresh_plan(&in, t, n);
}

static void test_sweeps(void **state)
{
	(void)state;
	uint32_t t[REFRESH_TARGETS_MAX], vis[] = {1, 2, 3};
	size_t n = 99;
	/* Due: always a sweep, whatever is on screen. */
	assert_int_equal(plan(1000, true, true, vis, 3, 0, t, &n), REFRESH_FULL);
	assert_int_equal(n, 0);
	/* Few SAs: a sweep is as cheap as anything. */
	assert_int_equal(plan(REFRESH_SMALL, false, true, vis, 3, 0, t, &n), REFRESH_FULL);
	/* Empty tree on screen: sweep to find new SAs. */
	assert_int_equal(plan(100, false, true, NULL, 0, 0, t, &n), REFRESH_FULL);
}

static void test_targeted(void **state)
{
	(void)state;
	uint32_t t[REFRESH_TARGETS_MAX];
	/* IKE rows and their CHILD rows (same id repeated): one target each. */
	uint32_t vis[] = {7, 7, 7, 9, 9, 12};
	size_t n;
	assert_int_equal(plan(1000, false, true, vis, 6, 0, t, &n), REFRESH_TARGETED);
	assert_int_equal(n, 3);
	assert_int_equal(t[0], 7);
	assert_int_equal(t[1], 9);
	assert_int_equal(t[2], 12);
	/* An open detail view is refreshed too, first and only once. */
	assert_int_equal(plan(1000, false, true, vis, 6, 9, t, &n), REFRESH_TARGETED);
	assert_int_equal(n, 3);
	assert_int_equal(t[0], 9);
	/* Detail view over another pane: only that SA. */
	assert_int_equal(plan(1000, false, false, vis, 6, 42, t, &n), REFRESH_TARGETED);
	assert_int_equal(n, 1);
	assert_int_equal(t[0], 42);
}

static void test_none_and_limits(void **state)
{
	(void)state;
	uint32_t t[REFRESH_TARGETS_MAX], vis[64];
	size_t n;
	/* Another pane, no detail view: nothing until the periodic sweep. */
	uint32_t some[] = {1, 2};
	assert_int_equal(plan(1000, false, false, some, 2, 0, t, &n), REFRESH_NONE);
	assert_int_equal(n, 0);
	/* Half of all SAs on screen or more: one sweep instead. */
	uint32_t half[] = {1, 2, 3, 4, 5};
	assert_int_equal(plan(10, false, true, half, 5, 0, t, &n), REFRESH_FULL);
	assert_int_equal(plan(11, false, true, half, 5, 0, t, &n), REFRESH_TARGETED);
	/* More than the per-round limit on screen: one sweep. */
	for (uint32_t i = 0; i < 64; i++)
		vis[i] = i + 1;
	assert_int_equal(plan(10000, false, true, vis, REFRESH_TARGETS_MAX, 0, t, &n),
	                 REFRESH_TARGETED);
	assert_int_equal(n, REFRESH_TARGETS_MAX);
	assert_int_equal(plan(10000, false, true, vis, REFRESH_TARGETS_MAX + 1, 0, t, &n),
	                 REFRESH_FULL);
	/* Targets are always distinct and never 0. */
	uint32_t dup[] = {0, 5, 0, 5, 6};
	assert_int_equal(plan(1000, false, true, dup, 5, 6, t, &n), REFRESH_TARGETED);
	assert_int_equal(n, 2);
	assert_true((t[0] == 6 && t[1] == 5));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_uptime_parse),    cmocka_unit_test(test_restart),
	        cmocka_unit_test(test_sweeps),          cmocka_unit_test(test_targeted),
	        cmocka_unit_test(test_none_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
