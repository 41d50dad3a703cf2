/*
 * Times as operators write them, and the calendar arithmetic under them:
 * pure apart from reading the local time zone.
 */
#ifndef SWANTOP_UTIL_TIME_H
#define SWANTOP_UTIL_TIME_H

#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): calendar differences without timegm() or a time zone. */
int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d);

/* A time as typed (wall-clock ms into *out; now is the current wall-clock
 * ms): absolute local times ("2026-12-04 03:00", "2026-12-04T03:00:10",
 * "03:00" today), with "Z" or "+01:00" for an explicit offset, "@SECONDS"
 * (Unix time), "now", or an age such as "90s", "30m", "1h", "2d", "1w",
 * "1h30m" (that long ago). Returns 0 or -EINVAL. */
int time_parse(const char *s, int64_t now, int64_t *out);

#endif
