#include <config.h>

#include <stdlib.h>
#include <time.h>

#include "bench_stats.h"

double
bench_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

void
bench_sort(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
}
