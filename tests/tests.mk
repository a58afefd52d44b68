# Tests: unit (no root, no BPF), host (root: load/attach/detach on the running kernel), vm
# (Debian kernels in pmem guests, compared with ground truth and ftrace hist triggers).
VM_SMOKE ?=
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

$(BUILD)/tests: | $(DEPS_STAMP)
	$(Q)mkdir -p $@

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJS) | $(BUILD)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) $< $(CORE_OBJS) -lcmocka -ljson-c -o $@

check-unit: $(UNIT_TESTS)
	$(Q)tests/run-unit $(UNIT_TESTS)

check-host: $(BUILD)/daxtrace $(BUILD)/tests/test_state_machine
	$(Q)tests/host/run

# Real kernels in pmem guests (QEMU): the smoke set by default, everything with check-full.
check-vm: $(BUILD)/daxtrace $(BUILD)/daxload
	$(Q)tests/vm/run-matrix $(VM_SMOKE)

check-full: check-unit check-host $(BUILD)/daxtrace $(BUILD)/daxload
	$(Q)tests/vm/run-matrix

check: check-unit check-host check-vm

# Needs root: BPF_PROG_TEST_RUN of the raw_tp programs.
$(BUILD)/tests/test_state_machine: tests/host/test_state_machine.c $(BUILD)/daxtrace.skel.h $(LIBBPF_A) | $(BUILD)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) -Wno-missing-prototypes $< -lcmocka $(LDLIBS) -o $@
