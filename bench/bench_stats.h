/*
 * bench_stats.h - the clock and the sort the benchmark
 * programs share.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

/*! \brief CLOCK_MONOTONIC in microseconds. */
double bench_now_us(void);

/*! \brief Sort n samples in ascending order. */
void bench_sort(double *v, size_t n);

#endif
