# `make bench`: daxtrace's overhead against bpftrace, perf and ftrace in pmem guests, written
# to build/bench/results.md (docs/PERFORMANCE.md says how to read it).
$(BUILD)/bench/dtbench: tools/bench/dtbench.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -D_GNU_SOURCE $(CFLAGS) $(WARN) -static $< -o $@

bench: $(BUILD)/daxtrace $(BUILD)/daxload $(BUILD)/bench/dtbench $(BUILD)/bench/contention
	$(Q)tools/bench/run

# The programs' cost per fault with one CPU faulting and with all at once, through
# BPF_PROG_TEST_RUN on the host (root); linked as build/tests/test_state_machine is.
CONTENTION_OBJS := $(BUILD)/collect.o $(BUILD)/inflight.o $(BUILD)/kernel_probe.o $(BUILD)/probes.o \
	$(BUILD)/libbpf_log.o $(CORE_OBJS)
$(BUILD)/bench/contention: tools/bench/contention.c tests/lib/kmem.c tests/lib/kmem.h $(CONTENTION_OBJS) \
		$(BUILD)/daxtrace.skel.h $(LIBBPF_A) | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) -Itests/lib $< tests/lib/kmem.c $(CONTENTION_OBJS) \
		$(LDLIBS) -pthread -o $@
