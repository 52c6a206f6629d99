# Real server processes on loopback: the servers' behaviour and their
# limits (connections, timeouts, descriptors, capacity); and the daemons
# and agents under valgrind.
server_tests = tests/server/test_servers tests/server/test_limits
check_PROGRAMS += $(server_tests)
TESTS += $(server_tests) tests/server/valgrind.test
EXTRA_DIST += tests/server/valgrind.test
