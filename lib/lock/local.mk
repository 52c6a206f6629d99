# lib/lock: the lock service's model, on lib/base: what a lock is
# (lf_lock.h), the lock table, the wire protocol and its authentication,
# the replica's shared-memory segment, the client.
noinst_LIBRARIES += lib/lock/liblflock.a
lib_lock_liblflock_a_CPPFLAGS = $(LOCK_CPPFLAGS)
lib_lock_liblflock_a_SOURCES = \
	lib/lock/lf_lock.c lib/lock/lf_lock.h \
	lib/lock/lf_table.c lib/lock/lf_table.h \
	lib/lock/lf_proto.c lib/lock/lf_proto.h \
	lib/lock/lf_auth.c lib/lock/lf_auth.h \
	lib/lock/lf_segment.c lib/lock/lf_segment.h \
	lib/lock/lf_client.c lib/lock/lf_client.h
