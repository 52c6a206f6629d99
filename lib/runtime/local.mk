# lib/runtime: what several programs share to run, on lib/base: the
# daemon skeleton (lf-enqueued, lf-replicad, lf-watch: command line,
# start-up, signals, readiness, teardown), the exit statuses of every
# program, and the arm record an agent and its watcher share.
noinst_LIBRARIES += lib/runtime/liblfruntime.a
lib_runtime_liblfruntime_a_CPPFLAGS = $(RUNTIME_CPPFLAGS)
lib_runtime_liblfruntime_a_SOURCES = \
	lib/runtime/lf_server.c lib/runtime/lf_server.h \
	lib/runtime/lf_exit.c lib/runtime/lf_exit.h \
	lib/runtime/lf_watch.c lib/runtime/lf_watch.h
