/*
 * The CPU time of another process (see proc-cpu.h).
 */
#include "tools/proc-cpu.h"

#include <dirent.h>
#include <stdio.h>

double proc_cpu_ms(int pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	double sum = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char p[300];
		unsigned long long ns;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/%d/task/%s/schedstat", pid, e->d_name);
		FILE *f = fopen(p, "r");
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += (double)ns / 1e6;
		if (f)
			fclose(f);
	}
	closedir(d);
	return sum;
}
