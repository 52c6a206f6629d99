# What the test programs share: their temporary directory.
check_LIBRARIES = tests/unit/libunit.a
tests_unit_libunit_a_SOURCES = tests/unit/unit_tmpdir.c tests/unit/unit_tmpdir.h

# Unit tests (cmocka), one per module, each linking the layer it tests
# (and those below: LDADD, set once at the top).
unit_tests = \
	tests/unit/test_lf_auth \
	tests/unit/test_lf_buf \
	tests/unit/test_lf_file \
	tests/unit/test_lf_log \
	tests/unit/test_lf_net \
	tests/unit/test_lf_parse \
	tests/unit/test_lf_proc \
	tests/unit/test_lf_proto \
	tests/unit/test_lf_secret \
	tests/unit/test_lf_segment \
	tests/unit/test_lf_siphash \
	tests/unit/test_lf_table \
	tests/unit/test_lf_watch

# The table's calloc() can be made to fail (ENOMEM, not an outcome).
tests_unit_test_lf_table_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=calloc

# The daemon skeleton, and the exit statuses (whose agent column is
# checked against Pacemaker's OCF codes: its header only).
unit_tests += tests/unit/test_lf_server tests/unit/test_lf_exit
tests_unit_test_lf_exit_CPPFLAGS = $(AM_CPPFLAGS) $(PCMK_CFLAGS)

# The agents' runtime.
unit_tests += tests/unit/test_lf_attr
tests_unit_test_lf_attr_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/agents
tests_unit_test_lf_attr_LDADD = agents/libagent.a $(LDADD)
unit_tests += tests/unit/test_lf_ocf tests/unit/test_lf_svc
tests_unit_test_lf_ocf_CPPFLAGS = $(AGENT_CPPFLAGS) -I$(top_srcdir)/agents
tests_unit_test_lf_ocf_LDADD = agents/libagent.a $(LDADD)
tests_unit_test_lf_svc_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/agents
tests_unit_test_lf_svc_LDADD = agents/libagent.a $(LDADD)
unit_tests += tests/unit/test_agent_cmd
tests_unit_test_agent_cmd_CPPFLAGS = $(AGENT_CPPFLAGS) -I$(top_srcdir)/agents
tests_unit_test_agent_cmd_LDADD = agents/libagent.a $(LDADD)

# The helper's derivation, on CIBs built by the test (no libcib).
unit_tests += tests/unit/test_lfd_derive
tests_unit_test_lfd_derive_CPPFLAGS = $(HELPER_CPPFLAGS)
tests_unit_test_lfd_derive_LDADD = $(HELPER_DERIVE_LDADD) $(LDADD)

# The writer's safety rule, on a fake CIB (no libcib).
unit_tests += tests/unit/test_lfd_write
tests_unit_test_lfd_write_CPPFLAGS = $(HELPER_CPPFLAGS)
tests_unit_test_lfd_write_LDADD = $(HELPER_DERIVE_LDADD) $(LDADD)

# Which CIB notifications cost an evaluation (no libcib).
unit_tests += tests/unit/test_lfd_diff
tests_unit_test_lfd_diff_CPPFLAGS = $(HELPER_CPPFLAGS)
tests_unit_test_lfd_diff_LDADD = $(HELPER_DERIVE_LDADD) $(LDADD)

# A write takes only ids, on a CIB file (links libcib).
unit_tests += tests/unit/test_lfd_cib
tests_unit_test_lfd_cib_CPPFLAGS = $(HELPER_CIB_CPPFLAGS)
tests_unit_test_lfd_cib_LDADD = $(HELPER_CIB_LDADD) $(LDADD)

# The enqueue server's requests and replication, on a fake connection
# layer (tests/server/fake_conn.c, instead of server/enqueued_conn.c).
unit_tests += tests/unit/test_enqueued_repl
tests_unit_test_enqueued_repl_SOURCES = tests/unit/test_enqueued_repl.c \
	tests/server/fake_conn.c tests/server/fake_conn.h
tests_unit_test_enqueued_repl_CPPFLAGS = $(SERVER_CPPFLAGS) \
	-I$(top_srcdir)/tests/server
tests_unit_test_enqueued_repl_LDADD = server/libenqueued.a $(LDADD)

check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
