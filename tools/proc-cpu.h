/*
 * The CPU time another process has used, for benchmarks that measure what
 * a client costs a daemon (charon): the sum over its threads of their time
 * on a CPU from /proc/PID/task/TID/schedstat, in nanoseconds. A daemon's
 * thread pool lives as long as it does, so differences of two readings are
 * what it spent in between.
 */
#ifndef SWANTOP_TOOLS_PROC_CPU_H
#define SWANTOP_TOOLS_PROC_CPU_H

/* Milliseconds on a CPU of every thread of pid, or -1 if it cannot be read. */
double proc_cpu_ms(int pid);

#endif
