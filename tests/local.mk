# Every test speaks TAP (cmocka's, or the shell suites' own) through
# automake's tap-driver, with the source and build trees in its
# environment.
TAP_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh
LOG_DRIVER = $(TAP_DRIVER)
TEST_LOG_DRIVER = $(TAP_DRIVER)
AM_TESTS_ENVIRONMENT = \
	CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT; \
	LF_SRCDIR='$(abs_top_srcdir)'; export LF_SRCDIR; \
	LF_BUILDDIR='$(abs_top_builddir)'; export LF_BUILDDIR; \
	LF_RA_API_DTD='$(RA_API_DTD)'; export LF_RA_API_DTD; \
	LF_CLUSTER_LOGDIR='$(abs_top_builddir)/tests/cluster/logs'; \
	export LF_CLUSTER_LOGDIR;

# The cmocka tests need cmocka (configure only warns without it).
if !HAVE_CMOCKA
check-local:
	@echo "make check needs cmocka: apt-get install libcmocka-dev," \
		"then run configure again" >&2; exit 1
endif
