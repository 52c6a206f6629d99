# leapfrogd, the CIB-watching helper: the one program on libcib. Its pure
# derivation (XML in, changes out) is a library of its own, linked by the
# unit tests without libcib; lfd_cib.c alone talks to libcib.
HELPER_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/helper $(XML_CFLAGS) \
	$(GLIB_CFLAGS)
HELPER_CIB_CPPFLAGS = $(HELPER_CPPFLAGS) $(CIB_CFLAGS) $(PCMK_CFLAGS) \
	$(QB_CFLAGS)
HELPER_DERIVE_LDADD = helper/liblfd.a $(LIBLF) $(XML_LIBS) $(GLIB_LIBS)
HELPER_CIB_LDADD = helper/liblfdcib.a helper/liblfd.a $(LIBLF) $(CIB_LIBS) \
	$(PCMK_LIBS) $(XML_LIBS) $(GLIB_LIBS) $(QB_LIBS)

noinst_LIBRARIES += helper/liblfd.a helper/liblfdcib.a
helper_liblfd_a_CPPFLAGS = $(HELPER_CPPFLAGS)
helper_liblfd_a_SOURCES = \
	helper/lfd_derive.c helper/lfd_derive.h \
	helper/lfd_facts.c helper/lfd_facts.h \
	helper/lfd_warn.c helper/lfd_warn.h \
	helper/lfd_policy.c helper/lfd_policy.h \
	helper/lfd_build.c helper/lfd_build.h \
	helper/lfd_reconcile.c helper/lfd_reconcile.h \
	helper/lfd_result.c helper/lfd_result.h \
	helper/lfd_ours.c helper/lfd_ours.h \
	helper/lfd_diff.c helper/lfd_diff.h \
	helper/lfd_write.c helper/lfd_write.h \
	helper/lfd_xml.c helper/lfd_xml.h
helper_liblfdcib_a_CPPFLAGS = $(HELPER_CIB_CPPFLAGS)
helper_liblfdcib_a_SOURCES = \
	helper/lfd_cib.c helper/lfd_cib.h

sbin_PROGRAMS += helper/leapfrogd
helper_leapfrogd_SOURCES = helper/lfd_main.c helper/lfd_run.h \
	helper/lfd_daemon.c helper/lfd_commands.c
helper_leapfrogd_CPPFLAGS = $(HELPER_CIB_CPPFLAGS)
helper_leapfrogd_LDADD = $(HELPER_CIB_LDADD)
