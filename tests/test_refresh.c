/*
 * Unit tests of the monitor's SA refresh policy (src/app/refresh.c): when a
 * full sweep, when targeted list-sas for what is on screen, when nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sweeps),
	        cmocka_unit_test(test_targeted),
	        cmocka_unit_test(test_none_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
