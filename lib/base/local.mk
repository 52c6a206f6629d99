# lib/base: the plumbing under everything, with no knowledge of locks,
# Pacemaker or any program.
noinst_LIBRARIES += lib/base/liblfbase.a
lib_base_liblfbase_a_CPPFLAGS = $(BASE_CPPFLAGS)
lib_base_liblfbase_a_SOURCES = \
	lib/base/lf_rc.c lib/base/lf_rc.h \
	lib/base/lf_log.c lib/base/lf_log.h \
	lib/base/lf_parse.c lib/base/lf_parse.h \
	lib/base/lf_buf.c lib/base/lf_buf.h \
	lib/base/lf_file.c lib/base/lf_file.h \
	lib/base/lf_proc.c lib/base/lf_proc.h \
	lib/base/lf_net.c lib/base/lf_net.h \
	lib/base/lf_sha256.c lib/base/lf_sha256.h \
	lib/base/lf_siphash.c lib/base/lf_siphash.h \
	lib/base/lf_secret.c lib/base/lf_secret.h
