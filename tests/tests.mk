# Tests: unit (no root, no BPF), host (root: load/attach/detach on the running kernel), vm
# (Debian kernels in pmem guests, compared with ground truth and ftrace hist triggers; and every
# output about attacker-named files and comms, checked with promtool and node_exporter too).
VM_SMOKE ?=
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

$(BUILD)/tests: | $(DEPS_STAMP)
	$(Q)mkdir -p $@

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJS) | $(BUILD)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) $< $(CORE_OBJS) -lcmocka -ljson-c -o $@

check-unit: $(UNIT_TESTS)
	$(Q)tests/run-unit $(UNIT_TESTS) tests/unit/check-tables.py tests/unit/check-trace-oracle.py

check-host: $(BUILD)/daxtrace $(BUILD)/tests/test_state_machine $(BUILD)/tests/test_libbpf_log \
		$(BUILD)/tests/test_core_relocs $(BUILD)/bench/contention
	$(Q)tests/host/run

# Real kernels in pmem guests (QEMU): the smoke set by default, everything with check-full.
check-vm: $(BUILD)/daxtrace $(BUILD)/daxload $(BUILD)/asuser $(BUILD)/tests/test_core_relocs
	$(Q)tests/vm/run-matrix $(VM_SMOKE)
	$(Q)tests/host/core-relocs --every-vm-kernel
	$(Q)tests/vm/run-lifecycle --iter 10 --soak 30

# The Debian package (make deb): its files, control fields, lintian, a byte-identical rebuild, then
# apt-get install, --version, man -w and apt-get purge with nothing left, in a Debian chroot of
# the host's release (built once from the host's mirror into .cache/deb-chroot; tests/deb/run).
check-deb: deb
	$(Q)tools/deps --deb
	$(Q)BUILD=$(BUILD) CC=$(CC) DAXTRACE_CACHE=$(CACHE) tests/deb/run

# The same matrix, plus longer leak/soak runs on the oldest and newest kernel, fuzzing, the
# sanitizer build and the Debian package.
check-full: check-unit check-host check-asan check-deb fuzz $(BUILD)/daxtrace $(BUILD)/daxload $(BUILD)/asuser
	$(Q)tests/vm/run-matrix
	$(Q)tests/vm/run-lifecycle --kernel 6.1 --iter 30 --soak 120
	$(Q)tests/vm/run-lifecycle --kernel 7 --iter 30 --soak 120

check: check-unit check-host check-vm

# Runs a command as uid 65534 in the busybox guest (tests/operator/run-modes); static.
$(BUILD)/asuser: tests/operator/asuser.c | $(BUILD)
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 $(CFLAGS) $(WARN) -static $< -o $@

# Needs root: BPF_PROG_TEST_RUN of the raw_tp programs.
$(BUILD)/tests/test_state_machine: tests/host/test_state_machine.c tests/lib/kmem.c tests/lib/kmem.h $(BUILD)/collect.o $(BUILD)/inflight.o $(BUILD)/kernel_probe.o $(BUILD)/probes.o $(BUILD)/libbpf_log.o $(CORE_OBJS) $(BUILD)/daxtrace.skel.h $(LIBBPF_A) | $(BUILD)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) -Wno-missing-prototypes -Itests/lib $< tests/lib/kmem.c $(BUILD)/collect.o $(BUILD)/inflight.o $(BUILD)/kernel_probe.o $(BUILD)/probes.o $(BUILD)/libbpf_log.o $(CORE_OBJS) -lcmocka $(LDLIBS) -pthread -o $@

# libbpf's own messages through daxtrace's print callback: links libbpf, so not a unit test.
$(BUILD)/tests/test_libbpf_log: tests/host/test_libbpf_log.c $(BUILD)/libbpf_log.o $(LIBBPF_A) | $(BUILD)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) -Wno-missing-prototypes $< $(BUILD)/libbpf_log.o -lcmocka $(LDLIBS) -o $@

# Fuzzing (libFuzzer, clang): the CLI parser and the JSON writer/report. `make fuzz` runs each
# for FUZZ_SECONDS; crashes land in build/fuzz/ and fail the target.
FUZZ_SECONDS ?= 30
FUZZ_CC := clang -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Iinclude -Isrc -I$(BUILD) -I$(DEPS)/include
FUZZ_SRCS := src/cli.c src/json_writer.c src/report_json.c src/names.c src/hist.c src/paths.c \
	src/aggregate.c src/untrusted.c src/flavours.c src/hook_notes.c src/probes_json.c

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_SRCS) $(BUILD)/daxtrace.skel.h | $(DEPS_STAMP)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $< $(FUZZ_SRCS) -ljson-c -o $@

fuzz: $(BUILD)/fuzz/fuzz_cli $(BUILD)/fuzz/fuzz_json
	$(Q)for f in cli json; do \
		mkdir -p $(BUILD)/fuzz/corpus-$$f && cp -n tests/fuzz/corpus/$$f/* $(BUILD)/fuzz/corpus-$$f/; \
		echo "fuzz_$$f: $(FUZZ_SECONDS) s"; \
		if ! $(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/ \
			-print_final_stats=1 $(BUILD)/fuzz/corpus-$$f > $(BUILD)/fuzz/$$f.log 2>&1; then \
			tail -40 $(BUILD)/fuzz/$$f.log; echo "fuzz_$$f: FAILED (input in $(BUILD)/fuzz/)"; exit 1; \
		fi; \
		grep -E '^Done|stat::number_of_executed_units' $(BUILD)/fuzz/$$f.log; \
	done

# AddressSanitizer + UndefinedBehaviorSanitizer (gcc): the unit tests, the state machine test
# and a dynamic daxtrace (ASan cannot link -static; libbpf.a still) in build/asan, run through
# tests/run-unit and tests/host/run. Any sanitizer report fails the target: ASan (and LSan)
# write theirs to build/asan/reports/ (uid 65534 runs too); both abort after a report, so
# the tests see a SIGABRT (exit 134) where they check exit codes, and UBSan's report, which
# ignores log_path when linked with ASan, is on that process's stderr.
ASAN := $(BUILD)/asan
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
ASAN_OBJS := $(patsubst src/%.c,$(ASAN)/%.o,$(SRCS))
ASAN_CORE := $(patsubst $(BUILD)/%,$(ASAN)/%,$(CORE_OBJS))
ASAN_UNIT := $(patsubst $(BUILD)/%,$(ASAN)/%,$(UNIT_TESTS))
ASAN_ENV = ASAN_OPTIONS=log_path=$(CURDIR)/$(ASAN)/reports/asan:abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1

$(ASAN)/%.o: src/%.c $(wildcard src/*.h include/*.h) $(BUILD)/daxtrace.skel.h $(BUILD)/daxtrace-hash.skel.h | $(DEPS_STAMP)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_US) $(ASAN_CFLAGS) $(WARN) -c $< -o $@

$(ASAN)/daxtrace: $(ASAN_OBJS) $(LIBBPF_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) $(ASAN_OBJS) $(LDLIBS) -o $@

$(ASAN)/tests/%: tests/unit/%.c $(ASAN_CORE)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_US) $(ASAN_CFLAGS) $(WARN) $< $(ASAN_CORE) -lcmocka -ljson-c -o $@

$(ASAN)/tests/test_state_machine: tests/host/test_state_machine.c tests/lib/kmem.c tests/lib/kmem.h $(ASAN)/collect.o $(ASAN)/inflight.o $(ASAN)/kernel_probe.o $(ASAN)/libbpf_log.o $(ASAN_CORE) $(BUILD)/daxtrace.skel.h $(LIBBPF_A)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_US) $(ASAN_CFLAGS) $(WARN) -Wno-missing-prototypes -Itests/lib $< tests/lib/kmem.c $(ASAN)/collect.o $(ASAN)/inflight.o $(ASAN)/kernel_probe.o $(ASAN)/libbpf_log.o $(ASAN_CORE) -lcmocka $(LDLIBS) -pthread -o $@

$(ASAN)/tests/test_libbpf_log: tests/host/test_libbpf_log.c $(ASAN)/libbpf_log.o $(LIBBPF_A)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_US) $(ASAN_CFLAGS) $(WARN) -Wno-missing-prototypes $< $(ASAN)/libbpf_log.o -lcmocka $(LDLIBS) -o $@

.PHONY: check-asan
check-asan: $(ASAN)/daxtrace $(ASAN_UNIT) $(ASAN)/tests/test_state_machine $(ASAN)/tests/test_libbpf_log $(BUILD)/bench/contention
	$(Q)rm -rf $(ASAN)/reports && mkdir -p $(ASAN)/reports && chmod 1777 $(ASAN)/reports
	$(Q)$(ASAN_ENV) tests/run-unit $(ASAN_UNIT); u=$$?; \
	$(ASAN_ENV) DAXTRACE_BIN=$(CURDIR)/$(ASAN)/daxtrace DAXTRACE_TESTS=$(CURDIR)/$(ASAN)/tests tests/host/run; h=$$?; \
	if ls $(ASAN)/reports | grep -q .; then \
		head -n 40 $(ASAN)/reports/*; echo "asan: sanitizer reports in $(ASAN)/reports: $$(ls $(ASAN)/reports | tr '\n' ' ')"; exit 1; \
	fi; \
	echo "asan: no sanitizer report"; [ $$u = 0 ] && [ $$h = 0 ]

# The BPF object relocated against another kernel's BTF and loaded here (tests/host/core-relocs).
$(BUILD)/tests/test_core_relocs: tests/host/test_core_relocs.c $(BUILD)/daxtrace.skel.h $(LIBBPF_A) | $(BUILD)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) -Wno-missing-prototypes $< $(LDLIBS) -o $@
