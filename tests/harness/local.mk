# The namespace-cluster harness (corosync and Pacemaker nodes in network
# namespaces, their fence device, power and fault injection, the pair's
# helpers) and the TAP helper of every shell suite: sourced by the tests,
# the demo and the benchmarks.
EXTRA_DIST += \
	tests/harness/lf-tap.sh \
	tests/harness/lf-cluster.sh \
	tests/harness/lf-power.sh \
	tests/harness/lf-faults.sh \
	tests/harness/lf-history.sh \
	tests/harness/lf-pair.sh \
	tests/harness/lf-pidfiles.sh \
	tests/harness/lf-pcs.sh
