# The live-cluster harness's fence device: a power switch on the host and
# the fence agent that pacemaker-fenced runs in the nodes (installed by the
# harness for a test cluster's lifetime only; built with the programs, as
# the demo uses it too).
FENCE_SRC = tests/fence/lf_fence.c tests/fence/lf_fence.h
noinst_PROGRAMS += tests/fence/lf-fence-switch tests/fence/fence_lfharness
tests_fence_lf_fence_switch_SOURCES = tests/fence/lf_fence_switch.c \
	$(FENCE_SRC)
tests_fence_lf_fence_switch_LDADD =
tests_fence_fence_lfharness_SOURCES = tests/fence/fence_lfharness.c \
	$(FENCE_SRC)
tests_fence_fence_lfharness_LDADD =
