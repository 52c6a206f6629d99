# The installed agents: exit codes of every action, ocf-tester and the
# meta-data against the OCF DTD, the watcher's arming and disarming.
agent_tests = tests/agents/exit-codes.test tests/agents/ocf-tester.test \
	tests/agents/watch.test
TESTS += $(agent_tests)
EXTRA_DIST += $(agent_tests)
