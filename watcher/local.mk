# lf-watch, which the enqueue and replication agents start beside their
# server: it reports the server's death to the controller at once. It
# links libcrmcommon (its controller IPC API), in watcher/lfw_pcmk.c only.
sbin_PROGRAMS += watcher/lf-watch
watcher_lf_watch_SOURCES = \
	watcher/lfw_main.c \
	watcher/lfw_watch.c watcher/lfw_watch.h \
	watcher/lfw_pcmk.c watcher/lfw_pcmk.h
watcher_lf_watch_CPPFLAGS = $(AM_CPPFLAGS) $(PCMK_CFLAGS) $(XML_CFLAGS) \
	$(GLIB_CFLAGS) $(QB_CFLAGS)
watcher_lf_watch_LDADD = $(LIBLF) $(PCMK_LIBS) $(XML_LIBS) $(GLIB_LIBS) \
	$(QB_LIBS)
