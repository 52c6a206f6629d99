# Real server processes on loopback: the servers' behaviour and their
# limits (connections, timeouts, descriptors, capacity); and the daemons
# and agents under valgrind.
server_tests = tests/server/test_servers tests/server/test_limits
# Both on one fixture: the servers started, waited for, talked to,
# stopped and cleaned up.
SERVER_FIXTURE = tests/server/server_fixture.c tests/server/server_fixture.h
tests_server_test_servers_SOURCES = tests/server/test_servers.c \
	$(SERVER_FIXTURE)
tests_server_test_limits_SOURCES = tests/server/test_limits.c \
	$(SERVER_FIXTURE)
check_PROGRAMS += $(server_tests)
TESTS += $(server_tests) tests/server/valgrind.test
EXTRA_DIST += tests/server/valgrind.test
