/*
 * mkhist PATH [UNIX_SECONDS]: writes the test history store of
 * tests/histfix.h at PATH, with its times relative to UNIX_SECONDS (default:
 * now), for end-to-end tests of the monitor's history views.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "histfix.h"

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: mkhist PATH [UNIX_SECONDS]\n");
		return 2;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now = argc == 3 ? (int64_t)strtoll(argv[2], NULL, 10) * 1000
	                        : (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	char err[300];
	if (histfix_make(argv[1], now, err, sizeof(err)) < 0) {
		fprintf(stderr, "mkhist: %s\n", err);
		return 1;
	}
	return 0;
}
