# Tests: unit (no root, no BPF), host (root: load/attach/detach on the running kernel).
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

$(BUILD)/tests:
	$(Q)mkdir -p $@

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJS) | $(BUILD)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) $< $(CORE_OBJS) -lcmocka -ljson-c -o $@

check-unit: $(UNIT_TESTS)
	$(Q)tests/run-unit $(UNIT_TESTS)

check-host: $(BUILD)/daxtrace $(BUILD)/tests/test_state_machine
	$(Q)tests/host/run

check: check-unit check-host

# Needs root: BPF_PROG_TEST_RUN of the raw_tp programs.
$(BUILD)/tests/test_state_machine: tests/host/test_state_machine.c $(BUILD)/daxtrace.skel.h $(LIBBPF_A) | $(BUILD)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) -Wno-missing-prototypes $< -lcmocka $(LDLIBS) -o $@
