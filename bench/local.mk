# Benchmarks: programs built with the tree, run by hand through the
# bench/run-*.sh scripts (see doc/benchmarks.md); never timed tests.
noinst_PROGRAMS += bench/lf-bench-locks bench/lf-bench-exec bench/lf-bench-noop \
	bench/lf-bench-helper bench/lf-bench-failover bench/lf-bench-takeover \
	bench/lf-bench-unavail bench/lf-bench-load
# The clock and the sort every benchmark program uses.
noinst_LIBRARIES += bench/libbench.a
bench_libbench_a_SOURCES = bench/bench_stats.c bench/bench_stats.h
BENCH_LDADD = bench/libbench.a $(LIBLF)

bench_lf_bench_load_SOURCES = bench/bench_load.c
bench_lf_bench_load_LDADD = $(BENCH_LDADD) -lpthread
bench_lf_bench_locks_SOURCES = bench/bench_locks.c
bench_lf_bench_locks_LDADD = $(BENCH_LDADD) -lpthread
bench_lf_bench_exec_SOURCES = bench/bench_exec.c
bench_lf_bench_exec_LDADD = $(BENCH_LDADD)
bench_lf_bench_noop_SOURCES = bench/noop.c
bench_lf_bench_noop_LDADD =
bench_lf_bench_failover_SOURCES = bench/bench_failover.c
bench_lf_bench_failover_LDADD = $(LIBLF)
bench_lf_bench_takeover_SOURCES = bench/bench_takeover.c
bench_lf_bench_takeover_LDADD = $(LIBLF) -lpthread
bench_lf_bench_unavail_SOURCES = bench/bench_unavail.c
bench_lf_bench_unavail_LDADD = $(LIBLF)
bench_lf_bench_helper_SOURCES = bench/bench_helper.c
bench_lf_bench_helper_CPPFLAGS = $(HELPER_CIB_CPPFLAGS)
bench_lf_bench_helper_LDADD = bench/libbench.a $(HELPER_CIB_LDADD)

EXTRA_DIST += \
	bench/run-locks.sh \
	bench/run-agents.sh \
	bench/run-helper.sh \
	bench/run-helper-scale.sh \
	bench/run-failover.sh \
	bench/run-takeover.sh \
	bench/run-unavailability.sh \
	bench/run-load.sh \
	bench/lfbt-nodes.sh \
	bench/bench-lib.sh
