/*
 * lf-bench-exec: run a command N times (fork + exec, as pacemaker-execd
 * does) and print the mean and percentiles of its wall time and the mean
 * CPU time it used (user + system, from getrusage of the children), and
 * the largest resident set any run reached.
 *
 *   lf-bench-exec -n N [-e EXPECTED_STATUS] -- COMMAND [ARGS...]
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_stats.h"
#include "lf_parse.h"

static double
cpu_us(void)
{
    struct rusage ru;

    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6
           + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

int
main(int argc, char **argv)
{
    long long n = 100;
    long long expect = -1;
    double *wall;
    double total = 0;
    double cpu0;
    int opt;

    while ((opt = getopt(argc, argv, "+n:e:")) != -1) {
        switch (opt) {
        case 'n':
            if (lf_parse_long(optarg, 1, 1000000, &n) != 0) {
                return 2;
            }
            break;
        case 'e':
            if (lf_parse_long(optarg, 0, 255, &expect) != 0) {
                return 2;
            }
            break;
        default:
            fprintf(stderr, "usage: lf-bench-exec -n N [-e STATUS] -- CMD "
                            "[ARGS...]\n");
            return 2;
        }
    }
    if (optind >= argc) {
        return 2;
    }
    wall = calloc((size_t)n, sizeof(*wall));
    if (wall == NULL) {
        return 1;
    }
    cpu0 = cpu_us();
    for (long long i = 0; i < n; i++) {
        double t0 = bench_now_us();
        int status = 0;
        pid_t pid = fork();

        if (pid == 0) {
            /* Like execd, keep what the command prints out of the way. */
            if (freopen("/dev/null", "w", stdout) == NULL
                || freopen("/dev/null", "w", stderr) == NULL) {
                _exit(126);
            }
            execv(argv[optind], argv + optind);
            _exit(127);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid) {
            return 1;
        }
        wall[i] = bench_now_us() - t0;
        total += wall[i];
        if (expect >= 0
            && (!WIFEXITED(status) || WEXITSTATUS(status) != expect)) {
            fprintf(stderr, "%s exited with %d, expected %lld\n", argv[optind],
                    WEXITSTATUS(status), expect);
            return 1;
        }
    }
    bench_sort(wall, (size_t)n);
    {
        struct rusage ru;

        getrusage(RUSAGE_CHILDREN, &ru);
        printf("runs=%lld wall_mean_us=%.0f wall_p50_us=%.0f "
               "wall_p99_us=%.0f cpu_mean_us=%.0f maxrss_kB=%ld\n",
               n, total / (double)n, wall[n / 2], wall[(n * 99) / 100],
               (cpu_us() - cpu0) / (double)n, ru.ru_maxrss);
    }
    free(wall);
    return 0;
}
