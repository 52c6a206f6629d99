# The OCF agents: small C programs on the agents' own runtime
# (agents/libagent.a: the OCF API, service control, node attributes, what
# the agents share) and lib/. Pacemaker's headers give the OCF exit codes;
# nothing of Pacemaker is linked.
AGENT_CPPFLAGS = $(AM_CPPFLAGS) $(PCMK_CFLAGS) -DSBINDIR='"$(sbindir)"' \
	-DLOCALSTATEDIR='"$(localstatedir)"'
AGENT_LDADD = agents/libagent.a $(LIBLF) -lrt

noinst_LIBRARIES += agents/libagent.a
agents_libagent_a_CPPFLAGS = $(AGENT_CPPFLAGS)
agents_libagent_a_SOURCES = \
	agents/lf_ocf.c agents/lf_ocf.h \
	agents/lf_svc.c agents/lf_svc.h \
	agents/lf_attr.c agents/lf_attr.h \
	agents/agent_util.c agents/agent_util.h \
	agents/agent_watch.c agents/agent_watch.h

ocfradir = $(OCF_RA_DIR)
ocfra_PROGRAMS = agents/enqueue agents/replication agents/leapfrogd
agents_enqueue_SOURCES = agents/enqueue_agent.c
agents_enqueue_CPPFLAGS = $(AGENT_CPPFLAGS)
agents_enqueue_LDADD = $(AGENT_LDADD)
agents_replication_SOURCES = agents/replication_agent.c
agents_replication_CPPFLAGS = $(AGENT_CPPFLAGS)
agents_replication_LDADD = $(AGENT_LDADD)
agents_leapfrogd_SOURCES = agents/leapfrogd_agent.c
agents_leapfrogd_CPPFLAGS = $(AGENT_CPPFLAGS)
agents_leapfrogd_LDADD = $(AGENT_LDADD)
