# Fuzz targets (libFuzzer), built with clang outside automake's compiler.
# They link the same libraries as the programs, built a second time with
# the fuzzer's coverage and the sanitizers: lib/base and lib/lock as
# tests/fuzz/liblf-fuzz.a, the enqueue server's state machine
# (server/libenqueued.a's sources) as tests/fuzz/libenqueued-fuzz.a. A
# target's own definitions come first: fuzz_enqueued.c's clock and
# segment and the fake connection layer (tests/server/fake_conn.c, which
# the unit test uses too) stand in for the real ones.
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_COMPILE_FLAGS = -g -O1 $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link \
	-I$(top_srcdir)/lib/base -I$(top_srcdir)/lib/lock \
	-I$(top_srcdir)/server -I$(top_srcdir)/tests/server -I$(top_builddir)
FUZZ_LINK_FLAGS = $(FUZZ_SANITIZE) -fsanitize=fuzzer
FUZZ_LIB_SRC = $(lib_base_liblfbase_a_SOURCES) $(lib_lock_liblflock_a_SOURCES)
FUZZ_SERVER_SRC = $(server_libenqueued_a_SOURCES)
FUZZ_HDRS = $(addprefix $(srcdir)/,$(filter %.h,$(FUZZ_LIB_SRC) \
	$(FUZZ_SERVER_SRC)))
FUZZ_LIB_OBJ = $(patsubst %.c,tests/fuzz/obj/%.o,$(filter %.c,$(FUZZ_LIB_SRC)))
FUZZ_SERVER_OBJ = $(patsubst %.c,tests/fuzz/obj/%.o,\
	$(filter %.c,$(FUZZ_SERVER_SRC)))

fuzz_tests = tests/fuzz/fuzz-short.test
TESTS += $(fuzz_tests)
if HAVE_LIBFUZZER
fuzz_bins = tests/fuzz/fuzz_proto tests/fuzz/fuzz_segment \
	tests/fuzz/fuzz_enqueued
check_SCRIPTS += $(fuzz_bins)
tests/fuzz/obj/%.o: $(srcdir)/%.c $(FUZZ_HDRS)
	$(AM_V_CC)$(MKDIR_P) $(@D) && $(FUZZ_CC) $(FUZZ_COMPILE_FLAGS) -c $< -o $@
tests/fuzz/liblf-fuzz.a: $(FUZZ_LIB_OBJ)
	$(AM_V_AR)rm -f $@ && $(AR) $(ARFLAGS) $@ $(FUZZ_LIB_OBJ) && $(RANLIB) $@
tests/fuzz/libenqueued-fuzz.a: $(FUZZ_SERVER_OBJ)
	$(AM_V_AR)rm -f $@ && $(AR) $(ARFLAGS) $@ $(FUZZ_SERVER_OBJ) && \
		$(RANLIB) $@
FUZZ_FAKE_CONN_OBJ = tests/fuzz/obj/tests/server/fake_conn.o
tests/fuzz/obj/tests/fuzz/fuzz_enqueued.o $(FUZZ_FAKE_CONN_OBJ): \
	$(srcdir)/tests/server/fake_conn.h
tests/fuzz/fuzz_enqueued: $(FUZZ_FAKE_CONN_OBJ)
$(fuzz_bins): tests/fuzz/%: tests/fuzz/obj/tests/fuzz/%.o \
		tests/fuzz/liblf-fuzz.a tests/fuzz/libenqueued-fuzz.a
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_LINK_FLAGS) -o $@ $(filter %.o,$^) \
		tests/fuzz/libenqueued-fuzz.a tests/fuzz/liblf-fuzz.a -lrt

# A long run: make fuzz-long FUZZ_SECONDS=600
FUZZ_SECONDS = 300
fuzz-long: $(fuzz_bins)
	for t in proto segment enqueued; do \
		mkdir -p tests/fuzz/long-corpus/$$t && \
		cp $(srcdir)/tests/fuzz/corpus/$$t/* tests/fuzz/long-corpus/$$t/ && \
		tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-max_len=8192 tests/fuzz/long-corpus/$$t || exit 1; \
	done
endif
.PHONY: fuzz-long
CLEANFILES += tests/fuzz/fuzz_proto tests/fuzz/fuzz_segment \
	tests/fuzz/fuzz_enqueued tests/fuzz/liblf-fuzz.a \
	tests/fuzz/libenqueued-fuzz.a \
	tests/fuzz/*.out
clean-local: clean-fuzz-obj
clean-fuzz-obj:
	rm -rf tests/fuzz/obj
.PHONY: clean-fuzz-obj
EXTRA_DIST += \
	tests/fuzz/fuzz_proto.c \
	tests/fuzz/fuzz_segment.c \
	tests/fuzz/fuzz_enqueued.c \
	tests/fuzz/corpus \
	$(fuzz_tests)
