# The lock-history instrument of the fault tests: lf-hist-client journals
# every request it makes, lf-hist-check judges the journals against the
# final lock table (built by make check, not installed); the checker's
# pure core has a unit test that links nothing else.
HISTORY_SRC = tests/history/lf_history.c tests/history/lf_history.h
history_programs = tests/history/lf-hist-client tests/history/lf-hist-check
check_PROGRAMS += $(history_programs)
tests_history_lf_hist_client_SOURCES = tests/history/lf_hist_client.c \
	$(HISTORY_SRC)
tests_history_lf_hist_client_LDADD = $(LIBLF)
tests_history_lf_hist_check_SOURCES = tests/history/lf_hist_check.c \
	$(HISTORY_SRC)
tests_history_lf_hist_check_LDADD = $(LIBLF)

check_PROGRAMS += tests/unit/test_lf_history
TESTS += tests/unit/test_lf_history
tests_unit_test_lf_history_SOURCES = tests/unit/test_lf_history.c \
	$(HISTORY_SRC)
tests_unit_test_lf_history_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/history
tests_unit_test_lf_history_LDADD = $(CMOCKA_LIBS)
