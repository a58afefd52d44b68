# `make bench`: daxtrace's overhead against bpftrace, perf and ftrace in pmem guests, written
# to build/bench/results.md (docs/PERFORMANCE.md says how to read it).
$(BUILD)/bench/dtbench: tools/bench/dtbench.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -D_GNU_SOURCE $(CFLAGS) $(WARN) -static $< -o $@

bench: $(BUILD)/daxtrace $(BUILD)/daxload $(BUILD)/bench/dtbench
	$(Q)tools/bench/run
