/*
 * A history store for tests, written through the store's own API
 * (model/store.h), as a recorder would write it: tests/histfix.c makes it,
 * tests/mkhist.c is the same as a program for end-to-end tests.
 *
 * Relative to `now` (wall ms), the store holds:
 *   - site1: 3 IKE and 5 CHILD down events in the last 24 hours and one
 *     more of each two days ago; a dpd-dead verdict recorded for IKE SA #7
 *     (the second down), rekeys and ups; the last hour's traffic of its
 *     CHILD site1-lan (reqid 1, then reqid 2 after a reinstall): per minute
 *     m, (m + 1) * 6000 bytes in and half of it out, nothing in the three
 *     minutes 40..42 ago;
 *   - dead: a peer-unreachable verdict and an ike-down, 10 minutes ago;
 *   - "ev\x1b[31mil": a verdict whose detail and evidence hold escape
 *     sequences (the UI must show them escaped);
 *   - HISTFIX_OLD notices of the daemon, one a minute from two hours ago
 *     back, for paging (the newest is "old notice 0", then 1, 2, ...).
 */
#ifndef SWANTOP_TESTS_HISTFIX_H
#define SWANTOP_TESTS_HISTFIX_H

#include <stddef.h>
#include <stdint.h>

#define HISTFIX_OLD 250
/* Records of site1 in all (with the daemon-wide notices: + HISTFIX_OLD). */
#define HISTFIX_SITE1 14

/* Writes the store at path (created; it must not exist). Returns 0, or a
 * negative errno with a message in err. */
int histfix_make(const char *path, int64_t now, char *err, size_t errlen);

#endif
