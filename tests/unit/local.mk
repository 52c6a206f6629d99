# Unit tests (cmocka), one per module, each linking the layer it tests
# (and those below: LDADD, set once at the top).
unit_tests = \
	tests/unit/test_lf_auth \
	tests/unit/test_lf_buf \
	tests/unit/test_lf_log \
	tests/unit/test_lf_net \
	tests/unit/test_lf_parse \
	tests/unit/test_lf_proc \
	tests/unit/test_lf_proto \
	tests/unit/test_lf_segment \
	tests/unit/test_lf_siphash \
	tests/unit/test_lf_table \
	tests/unit/test_lf_watch

# The daemon skeleton, and the exit statuses (whose agent column is
# checked against Pacemaker's OCF codes: its header only).
unit_tests += tests/unit/test_lf_server tests/unit/test_lf_exit
tests_unit_test_lf_exit_CPPFLAGS = $(AM_CPPFLAGS) $(PCMK_CFLAGS)

# The agents' runtime.
unit_tests += tests/unit/test_lf_attr
tests_unit_test_lf_attr_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/agents
tests_unit_test_lf_attr_LDADD = agents/libagent.a $(LDADD)

# The helper's derivation, on CIBs built by the test (no libcib).
unit_tests += tests/unit/test_lfd_derive
tests_unit_test_lfd_derive_CPPFLAGS = $(HELPER_CPPFLAGS)
tests_unit_test_lfd_derive_LDADD = $(HELPER_DERIVE_LDADD) $(LDADD)

# Which CIB notifications cost an evaluation (links libcib).
unit_tests += tests/unit/test_lfd_cib
tests_unit_test_lfd_cib_CPPFLAGS = $(HELPER_CIB_CPPFLAGS)
tests_unit_test_lfd_cib_LDADD = $(HELPER_CIB_LDADD) $(LDADD)

# The enqueue server's requests and replication, on a fake connection
# layer (the test provides the enqueued_conn.c functions).
unit_tests += tests/unit/test_enqueued_repl
tests_unit_test_enqueued_repl_CPPFLAGS = $(SERVER_CPPFLAGS)
tests_unit_test_enqueued_repl_LDADD = server/libenqueued.a $(LDADD)

check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
