/*
 * Times as operators write them and as calendars count them (see time.h).
 */
#include "util/time.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Reads exactly n digits at *p. */
static bool digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

/* "HH:MM[:SS]" at *p. */
static bool clock_part(const char **p, int *h, int *mi, int *sec)
{
	*sec = 0;
	if (!digits(p, 2, h) || *(*p)++ != ':' || !digits(p, 2, mi))
		return false;
	if (**p == ':' && (++*p, !digits(p, 2, sec)))
		return false;
	return *h < 24 && *mi < 60 && *sec < 61;
}

/* An age: one or more NUMBER UNIT pairs. */
static int parse_age(const char *s, int64_t now, int64_t *out)
{
	double total = 0;
	const char *p = s;
	while (*p) {
		char *end;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		double v = strtod(p, &end);
		double unit;
		switch (*end) {
		case 's':
			unit = 1e3;
			break;
		case 'm':
			unit = 60e3;
			break;
		case 'h':
			unit = 3600e3;
			break;
		case 'd':
			unit = 86400e3;
			break;
		case 'w':
			unit = 7 * 86400e3;
			break;
		default:
			return -EINVAL;
		}
		total += v * unit;
		p = end + 1;
	}
	if (total > 1e15)
		return -EINVAL;
	*out = now - (int64_t)total;
	return 0;
}

int time_parse(const char *s, int64_t now, int64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (s[0] == '@') {
		char *end;
		errno = 0;
		double v = strtod(s + 1, &end);
		if (errno || *end || s[1] < '0' || s[1] > '9' || v > 1e13)
			return -EINVAL;
		*out = (int64_t)(v * 1000.0);
		return 0;
	}
	if (!parse_age(s, now, out))
		return 0;
	const char *p = s;
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
	struct tm tm;
	time_t t = (time_t)(now / 1000);
	localtime_r(&t, &tm);
	if (strlen(s) >= 10 && s[4] == '-') {
		if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
		    !digits(&p, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
			return -EINVAL;
		if ((*p == ' ' || *p == 'T') && (++p, !clock_part(&p, &h, &mi, &sec)))
			return -EINVAL;
	} else if (clock_part(&p, &h, &mi, &sec)) {
		y = tm.tm_year + 1900, mo = tm.tm_mon + 1, d = tm.tm_mday;
	} else {
		return -EINVAL;
	}
	if (*p == 'Z' || *p == '+' || *p == '-') {
		int oh = 0, om = 0, sign = *p == '-' ? -1 : 1;
		if (*p++ != 'Z') {
			if (!digits(&p, 2, &oh))
				return -EINVAL;
			if (*p == ':')
				p++;
			if (!digits(&p, 2, &om) || oh > 23 || om > 59)
				return -EINVAL;
		}
		if (*p)
			return -EINVAL;
		int64_t secs = time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		               h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
		*out = secs * 1000;
		return 0;
	}
	if (*p)
		return -EINVAL;
	tm = (struct tm){.tm_year = y - 1900,
	                 .tm_mon = mo - 1,
	                 .tm_mday = d,
	                 .tm_hour = h,
	                 .tm_min = mi,
	                 .tm_sec = sec,
	                 .tm_isdst = -1};
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = (int64_t)t * 1000;
	return 0;
}
