# Live-cluster tests: they boot real corosync + Pacemaker clusters in
# network namespaces, so they need root. They run in two lanes at once,
# each one test at a time on its own subnet (LF_CLUSTER_SLOT): the fault
# suite in one, the rest in the other.
# What the cluster tests alone source (the fault suite's cases and table,
# the harness tests' shared body); the harness is in tests/harness/.
cluster_harness = tests/cluster/fault-table.sh tests/cluster/fault-suite.sh \
	tests/cluster/dummy-failover.sh
cluster_tests_main = \
	tests/cluster/harness-3node.test \
	tests/cluster/harness-2node.test \
	tests/cluster/agents-3node.test \
	tests/cluster/leapfrogd-3node.test \
	tests/cluster/leapfrogd-2node.test \
	tests/cluster/pairs-3node.test \
	tests/cluster/snippets-3node.test \
	tests/cluster/leapfrogd-reconnect.test \
	tests/cluster/soak-3node.test \
	tests/cluster/takeover-3node.test \
	tests/cluster/watch-3node.test \
	tests/cluster/user-upgrade-3node.test \
	tests/cluster/partner-3node.test
cluster_tests_faults = \
	tests/cluster/faults-3node.test \
	tests/cluster/faults-2node.test \
	tests/cluster/faults-unfenced-3node.test \
	tests/cluster/faults-unfenced-2node.test
cluster_tests = $(cluster_tests_main) $(cluster_tests_faults)
EXTRA_DIST += $(cluster_harness) $(cluster_tests)

check-cluster: all $(check_PROGRAMS) $(check_SCRIPTS)
	$(MAKE) $(AM_MAKEFLAGS) -j2 check-cluster-main check-cluster-faults

check-cluster-main:
	LF_CLUSTER_SLOT=1 $(MAKE) $(AM_MAKEFLAGS) -j1 check \
		TESTS='$(cluster_tests_main)' \
		TEST_SUITE_LOG=tests/cluster/main-suite.log

check-cluster-faults:
	LF_CLUSTER_SLOT=2 $(MAKE) $(AM_MAKEFLAGS) -j1 check \
		TESTS='$(cluster_tests_faults)' \
		TEST_SUITE_LOG=tests/cluster/faults-suite.log

.PHONY: check-cluster check-cluster-main check-cluster-faults
