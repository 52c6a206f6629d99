# The reference enqueue server, replication server and client. The
# enqueue server's request and replication state machine (no sockets of
# its own: it calls the connection layer, enqueued_conn.c) is a library,
# which the unit test and the fuzz target run on a fake connection layer.
SERVER_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server \
	-DLOCALSTATEDIR='"$(localstatedir)"'

noinst_LIBRARIES += server/libenqueued.a
server_libenqueued_a_CPPFLAGS = $(SERVER_CPPFLAGS)
server_libenqueued_a_SOURCES = \
	server/enqueued.h \
	server/enqueued_request.c \
	server/enqueued_repl.c \
	server/enqueued_takeover.c

sbin_PROGRAMS += server/lf-enqueued server/lf-replicad
server_lf_enqueued_SOURCES = \
	server/enqueued_main.c \
	server/enqueued_loop.c \
	server/enqueued_conn.c \
	server/enqueued_limits.c
server_lf_enqueued_CPPFLAGS = $(SERVER_CPPFLAGS)
server_lf_enqueued_LDADD = server/libenqueued.a $(LIBLF) -lrt
server_lf_replicad_SOURCES = \
	server/replicad.h \
	server/replicad_main.c \
	server/replicad_sync.c
server_lf_replicad_LDADD = $(LIBLF) -lrt

bin_PROGRAMS += server/lf-enq
server_lf_enq_SOURCES = server/lf_enq.c
server_lf_enq_LDADD = $(LIBLF)
