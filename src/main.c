#include "config.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("swantop %s\n", SWANTOP_VERSION);
		return 0;
	}
	fprintf(stderr, "swantop: not yet usable\n");
	return 1;
}
