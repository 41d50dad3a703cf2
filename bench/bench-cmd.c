/*
 * CPU and wall time of a command, run again and again: the comparison side of
 * the refresh benchmarks (swanctl --list-sas --raw, swantop call list-sas).
 *
 *   bench-cmd NAME RUNS WARMUP COMMAND [ARGS...]
 *
 * The command's stdout goes to /dev/null (stderr is kept, so failures show).
 * CPU is the child's user + system time from wait4()'s rusage, which counts
 * only that process (and its waited-for children), not whatever else the
 * machine runs. Prints one line per run, then
 *   figure: NAME_cpu MEDIAN ms
 *   figure: NAME_wall MEDIAN ms
 * and exits 1 if any run failed.
 */
#define _DEFAULT_SOURCE /* wait4() */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Runs argv once; *cpu and *wall in ms. Returns the exit status or -1. */
static int run_once(char **argv, double *cpu, double *wall)
{
	double t0 = mono_ms();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "bench-cmd: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	*wall = mono_ms() - t0;
	*cpu = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: bench-cmd NAME RUNS WARMUP COMMAND [ARGS...]\n");
		return 2;
	}
	const char *name = argv[1];
	int runs = atoi(argv[2]), warmup = atoi(argv[3]);
	if (runs < 1 || runs > 1000 || warmup < 0 || warmup > 100) {
		fprintf(stderr, "bench-cmd: runs must be 1..1000, warmup 0..100\n");
		return 2;
	}
	char **cmd = argv + 4;
	double *cpu = calloc((size_t)runs, sizeof(*cpu));
	double *wall = calloc((size_t)runs, sizeof(*wall));
	if (!cpu || !wall)
		return 1;
	double c, w;
	for (int i = 0; i < warmup; i++) {
		int st = run_once(cmd, &c, &w);
		if (st != 0) {
			fprintf(stderr, "bench-cmd: %s: exit status %d\n", cmd[0], st);
			return 1;
		}
	}
	for (int i = 0; i < runs; i++) {
		int st = run_once(cmd, &cpu[i], &wall[i]);
		if (st != 0) {
			fprintf(stderr, "bench-cmd: %s: exit status %d\n", cmd[0], st);
			return 1;
		}
		printf("# %s run %d: cpu %.1f ms, wall %.1f ms\n", name, i + 1, cpu[i], wall[i]);
	}
	qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_double);
	qsort(wall, (size_t)runs, sizeof(*wall), cmp_double);
	printf("figure: %s_cpu %.1f ms\n", name, cpu[runs / 2]);
	printf("figure: %s_wall %.1f ms\n", name, wall[runs / 2]);
	free(cpu);
	free(wall);
	return 0;
}
