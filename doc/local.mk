# The user guide, the wire protocol, the benchmarks' figures and a man
# page for every program and agent.
dist_man_MANS += \
	doc/man/lf-enq.1 \
	doc/man/lf-enqueued.8 \
	doc/man/lf-replicad.8 \
	doc/man/ocf_leapfrog_enqueue.7 \
	doc/man/ocf_leapfrog_replication.7 \
	doc/man/leapfrogd.8 \
	doc/man/ocf_leapfrog_leapfrogd.7 \
	doc/man/lf-watch.8
EXTRA_DIST += \
	doc/guide.md \
	doc/protocol.md \
	doc/benchmarks.md
