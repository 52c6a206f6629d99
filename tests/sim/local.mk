# The scheduler's decisions (crm_simulate on saved CIBs), leapfrogd's
# modes without a cluster, and the CIB schemas of every Pacemaker.
sim_tests = tests/sim/scheduler.test tests/sim/helper-modes.test \
	tests/sim/schema.test
TESTS += $(sim_tests)
EXTRA_DIST += \
	$(sim_tests) \
	tests/sim/sim-lib.sh \
	tests/sim/make-upgrade-fixtures.sh \
	tests/sim/upgrade-written-2.1.xml \
	tests/sim/upgrade-upgraded-4.0.xml
