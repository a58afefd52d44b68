# daxtrace: `make` builds build/daxtrace (static, BPF object embedded through the skeleton).
# `make check` runs every test; `make V=1` shows the commands. `make deb` builds the Debian
# package build/daxtrace_<version>_<arch>.deb (tools/deb/build); `make check-deb` checks it with
# lintian and installs and purges it in a Debian chroot (tests/deb/run; also in check-full).
ARCH ?= $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')
ifeq ($(wildcard vmlinux/$(ARCH)/vmlinux.h),)
$(error no vmlinux/$(ARCH)/vmlinux.h: see vmlinux/README.md to generate one)
endif

BUILD := build
CACHE ?= $(CURDIR)/.cache
DEPS := $(CACHE)/deps/usr
BPFTOOL := $(DEPS)/sbin/bpftool
LIBBPF_A := $(DEPS)/lib/x86_64-linux-gnu/libbpf.a
VERSION := $(shell cat VERSION)

CC ?= gcc
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter -Wmissing-prototypes -Werror=implicit-function-declaration
# No build directory in the objects (debug info, BPF line info, hence the build ID): the same
# commit gives the same binary wherever it is built (make deb is reproducible).
REPRO := -ffile-prefix-map=$(CURDIR)=.
CPPFLAGS_US := -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD) -I$(DEPS)/include \
	-DDAXTRACE_VERSION='"$(VERSION)"' $(REPRO)
LDLIBS := $(LIBBPF_A) -lelf -lz
LLVM_OBJDUMP ?= llvm-objdump
# -mcpu=v3: 32-bit jumps and ALU (5.1+); the default object's in-flight table claims slots with
# compare-and-swap (5.12+), the hash variant's (DT_INFLIGHT_HASH) uses no atomic but add.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Ivmlinux/$(ARCH) -Iinclude \
	-I$(DEPS)/include $(REPRO)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

SRCS := $(wildcard src/*.c)
OBJS := $(patsubst src/%.c,$(BUILD)/%.o,$(SRCS))
# The pure parts, linked into the unit tests without libbpf.
CORE_OBJS := $(addprefix $(BUILD)/,aggregate.o names.o hist.o json_writer.o cli.o report_json.o \
	report_text.o report_prom.o paths.o trace_stream.o running_sums.o cpu_aggs.o sorted_keys.o untrusted.o \
	flavours.o hook_notes.o probes_json.o kernel_features.o advice.o map_render.o top_render.o)

.PHONY: all deps check check-unit check-host check-vm check-full check-deb demo install uninstall deb fuzz bench clean
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/daxtrace

# Debian packages and the backports libbpf/bpftool (tools/deps says what and why); re-checked
# when tools/deps changes or the unpacked tools are missing.
DEPS_STAMP := $(BUILD)/.deps
$(DEPS_STAMP): tools/deps | $(BUILD)
	$(call msg,DEPS,tools/deps --vm)
	$(Q)tools/deps --vm
	$(Q)touch $@
$(BPFTOOL) $(LIBBPF_A): $(DEPS_STAMP)
deps: $(DEPS_STAMP)

$(BUILD):
	$(Q)mkdir -p $@

$(BUILD)/daxtrace.bpf.o: bpf/daxtrace.bpf.c bpf/*.bpf.h $(wildcard include/*.h) | $(BUILD) $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/daxtrace.skel.h: $(BUILD)/daxtrace.bpf.o | $(BPFTOOL)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name daxtrace_bpf > $@

# The same source with the in-flight table as a hash claimed without compare-and-swap, for
# kernels that refuse it (src/inflight.c). The build fails if any atomic but a plain add is
# left in it, or if its skeleton differs from daxtrace.skel.h in more than name and bytes:
# user space opens it through struct daxtrace_bpf.
$(BUILD)/daxtrace-hash.bpf.o: bpf/daxtrace.bpf.c bpf/*.bpf.h $(wildcard include/*.h) tools/bpf-objcheck | $(BUILD) $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DDT_INFLIGHT_HASH -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@
	$(Q)LLVM_OBJDUMP=$(LLVM_OBJDUMP) tools/bpf-objcheck no-atomics $@

$(BUILD)/daxtrace-hash.skel.h: $(BUILD)/daxtrace-hash.bpf.o $(BUILD)/daxtrace.skel.h | $(BPFTOOL)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name daxtrace_hash_bpf > $@.tmp
	$(Q)tools/bpf-objcheck same-skel $(BUILD)/daxtrace.skel.h $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/%.o: src/%.c $(wildcard src/*.h include/*.h) $(BUILD)/daxtrace.skel.h $(BUILD)/daxtrace-hash.skel.h | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS_US) $(CFLAGS) $(WARN) -c $< -o $@

$(BUILD)/daxtrace: $(OBJS) $(LIBBPF_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) -static $(CFLAGS) $(OBJS) $(LDLIBS) -o $@
	$(Q)ln -sf $(BUILD)/daxtrace daxtrace

# The main job: a pmem guest running a mixed MAP_SYNC workload under daxtrace.
demo: $(BUILD)/daxtrace $(BUILD)/daxload
	$(Q)tools/demo

# Packaging: the static binary, the man page and bash completion under DESTDIR/PREFIX.
PREFIX ?= /usr/local
DESTDIR ?=
install: $(BUILD)/daxtrace
	$(Q)install -D -m 0755 $(BUILD)/daxtrace $(DESTDIR)$(PREFIX)/sbin/daxtrace
	$(Q)install -D -m 0644 docs/daxtrace.8 $(DESTDIR)$(PREFIX)/share/man/man8/daxtrace.8
	$(Q)install -D -m 0644 completion/daxtrace.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/daxtrace

uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/sbin/daxtrace $(DESTDIR)$(PREFIX)/share/man/man8/daxtrace.8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/daxtrace

# The Debian package: the same files under /usr, with changelog, copyright and lintian overrides
# from tools/deb/; reproducible (SOURCE_DATE_EPOCH: the last commit). Then
# `apt-get install ./build/daxtrace_*.deb`.
deb: $(BUILD)/daxtrace
	$(Q)deb=$$(BUILD=$(BUILD) CC=$(CC) DAXTRACE_CACHE=$(CACHE) tools/deb/build) && \
		printf '  %-8s %s\n' DEB "$$deb"

include tests/tests.mk
include tools/bench/bench.mk

clean:
	$(Q)rm -rf $(BUILD) daxtrace

# The workload generator, static so it runs in the test guest.
$(BUILD)/daxload: tools/daxload/daxload.c $(wildcard include/*.h) | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 -D_GNU_SOURCE -Iinclude $(CFLAGS) $(WARN) -static -pthread $< -o $@

all: $(BUILD)/daxload
