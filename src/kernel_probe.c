// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_features.h"
#include "kernel_probe.h"
#include "libbpf_log.h"

int dt_kallsyms_lookup(const char *const *names, size_t n, bool *found,
		       char (*module)[DT_MODNAME_LEN])
{
	/* DAXTRACE_KALLSYMS lets the tests stand in a kernel without some symbols */
	const char *path = getenv("DAXTRACE_KALLSYMS");
	FILE *f = fopen(path && *path ? path : "/proc/kallsyms", "r");
	char line[512];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* "ADDR TYPE NAME[\t[MODULE]]": compare NAME without sscanf, it is 100k lines */
		char *sym = strchr(line, ' '), *end, *mod;

		if (!sym || !(sym = strchr(sym + 1, ' ')))
			continue;
		sym++;
		end = sym + strcspn(sym, "\t\n");
		mod = *end == '\t' ? end + 1 : NULL;
		*end = 0;
		for (size_t i = 0; i < n; i++) {
			if (found[i] || strcmp(sym, names[i]))
				continue;
			found[i] = true;
			module[i][0] = 0;
			if (mod && *mod == '[') /* "[ext4]" */
				snprintf(module[i], DT_MODNAME_LEN, "%.*s", (int)strcspn(mod + 1, "]"),
					 mod + 1);
		}
	}
	fclose(f);
	return 0;
}

bool dt_vmlinux_btf_present(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

struct btf *dt_btf_load(const char *btf_path)
{
	struct btf *b = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();

	return libbpf_get_error(b) ? NULL : b;
}

int dt_btf_find(struct btf *vmlinux, const char *module, const char *name, int kind)
{
	struct btf *m;
	int id;

	if (!vmlinux)
		return -ENOENT;
	if (!module || !module[0])
		return btf__find_by_name_kind(vmlinux, name, kind);
	/* 6.1 builds ext4 and xfs as modules: their tracepoints live in module BTF. */
	dt_libbpf_expect_failure(); /* no module BTF: the tracepoint is hooked as raw_tp */
	m = btf__load_module_btf(module, vmlinux);
	dt_libbpf_expect_end(!m);
	if (!m)
		return -ENOENT;
	id = btf__find_by_name_kind(m, name, kind);
	btf__free(m);
	return id;
}

/* Loads a program only to learn whether the kernel takes it: 0, or -errno. */
static int trial_load(enum bpf_prog_type type, const struct bpf_insn *insns, size_t n,
		      struct bpf_prog_load_opts *opts)
{
	int fd = bpf_prog_load(type, "dt_trial", "GPL", insns, n, opts);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* "return 0", the smallest program the verifier accepts. libbpf's BPF_MOV64_IMM and
 * BPF_EXIT_INSN are in its private headers, so the instructions are spelt out here with the
 * UAPI opcode bits. libbpf_probe_bpf_prog_type() loads the same program but takes no attach
 * target, so it cannot say whether fentry on one given function is allowed. */
static const struct bpf_insn return_zero[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

int dt_fentry_trial(int id)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	int err;

	dt_libbpf_expect_failure(); /* a refusal is the answer, reported as the hook's note */
	err = trial_load(BPF_PROG_TYPE_TRACING, return_zero,
			 sizeof(return_zero) / sizeof(return_zero[0]), &opts);
	dt_libbpf_expect_end(err != 0);
	return err;
}

/* The atomics of the array in-flight table (bpf/seq.bpf.h seq_take, seq_release): a 32-bit
 * compare-and-swap and exchange on a stack slot. Kernels before 5.12 refuse both with
 * "BPF_STX uses reserved fields" (their BPF_XADD takes imm 0 only), EINVAL. A socket filter
 * needs no attach target and exists on every kernel with BPF. */
static const struct bpf_insn cmpxchg_xchg[] = {
	/* *(u32 *)(r10 - 8) = 0; w0 = 0; w1 = 1 */
	{ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -8, .imm = 0 },
	{ .code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
	/* w0 = cmpxchg32(r10 - 8, w0, w1) */
	{ .code = BPF_STX | BPF_ATOMIC | BPF_W, .dst_reg = BPF_REG_10, .src_reg = BPF_REG_1,
	  .off = -8, .imm = BPF_CMPXCHG },
	/* w1 = xchg32(r10 - 8, w1) */
	{ .code = BPF_STX | BPF_ATOMIC | BPF_W, .dst_reg = BPF_REG_10, .src_reg = BPF_REG_1,
	  .off = -8, .imm = BPF_XCHG },
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

int dt_cmpxchg_trial(void)
{
	int err;

	dt_libbpf_expect_failure(); /* a refusal is the answer: the hash variant is loaded */
	err = trial_load(BPF_PROG_TYPE_SOCKET_FILTER, cmpxchg_xchg,
			 sizeof(cmpxchg_xchg) / sizeof(cmpxchg_xchg[0]), NULL);
	dt_libbpf_expect_end(err != 0);
	return err;
}

bool dt_kprobe_supported(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0;
}

/* 1 supported, 0 not, < 0 not known (not root: every probe load is refused). */
static int probe_verdict(int r)
{
	return r == 1 ? DT_FEAT_PRESENT : r == 0 ? DT_FEAT_MISSING : DT_FEAT_UNKNOWN;
}

/* BPF_PROG_TYPE_TRACING (5.5), as a tp_btf program on BTF type 1, which is no tracepoint
 * typedef: a kernel that has the type says so in the log. libbpf_probe_bpf_prog_type() asks
 * for an fentry instead, which some hosts refuse (EPERM) although tp_btf works there. */
static enum dt_feature_state probe_tracing(void)
{
	char log[256] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP,
		    .attach_btf_id = 1, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "dt_probe", "GPL", return_zero,
			       sizeof(return_zero) / sizeof(return_zero[0]), &opts);

	if (fd >= 0) {
		close(fd);
		return DT_FEAT_PRESENT;
	}
	if (strstr(log, "attach_btf_id"))
		return DT_FEAT_PRESENT;
	return errno == EPERM ? DT_FEAT_UNKNOWN : DT_FEAT_MISSING;
}

static enum dt_feature_state probe_mmap_array(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	enum dt_feature_state s;
	void *p;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dt_probe", 4, 8, 1, &opts);
	if (fd < 0)
		return errno == EPERM ? DT_FEAT_UNKNOWN : DT_FEAT_MISSING;
	p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	s = p == MAP_FAILED ? DT_FEAT_MISSING : DT_FEAT_PRESENT;
	if (p != MAP_FAILED)
		munmap(p, (size_t)sysconf(_SC_PAGESIZE));
	close(fd);
	return s;
}

static enum dt_feature_state probe_helpers(const int *ids)
{
	enum dt_feature_state s = DT_FEAT_PRESENT;

	for (int i = 0; ids[i]; i++) {
		enum dt_feature_state h = probe_verdict(
			libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, (enum bpf_func_id)ids[i], NULL));

		if (h == DT_FEAT_MISSING || (h == DT_FEAT_UNKNOWN && s == DT_FEAT_PRESENT))
			s = h;
	}
	return s;
}

/* r0 = 0; do r0 += 1; while (r0 < 4); return r0: a back-edge, which kernels before 5.3
 * refuse whatever its bound. */
static const struct bpf_insn bounded_loop[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
	{ .code = BPF_JMP | BPF_JLT | BPF_K, .dst_reg = BPF_REG_0, .off = -2, .imm = 4 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/* A raw_tp program: -errno, or 0 if the kernel took it. */
static int probe_raw_tp(const struct bpf_insn *insns, size_t n)
{
	return trial_load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, n, NULL);
}

void dt_features_probe(struct dt_features *f, const char *btf_path)
{
	int raw_tp;

	memset(f, 0, sizeof(*f));
	f->btf_file = btf_path != NULL;
	f->state[DT_F_BTF] = btf_path || dt_vmlinux_btf_present() ? DT_FEAT_PRESENT : DT_FEAT_MISSING;
	/* a missing feature is the answer, reported in one line: libbpf's own words are not */
	dt_libbpf_expect_failure();
	raw_tp = probe_raw_tp(return_zero, sizeof(return_zero) / sizeof(return_zero[0]));
	/* Without CAP_BPF every load is refused: nothing else can be known (`check` as a user). */
	if (raw_tp != -EPERM) {
		f->state[DT_F_RAW_TP] = raw_tp ? DT_FEAT_MISSING : DT_FEAT_PRESENT;
		f->state[DT_F_TP_BTF] = probe_tracing();
		f->state[DT_F_MMAP_ARRAY] = probe_mmap_array();
		f->state[DT_F_LOOPS] = raw_tp ? DT_FEAT_UNKNOWN :
			probe_raw_tp(bounded_loop, sizeof(bounded_loop) / sizeof(bounded_loop[0])) ?
			DT_FEAT_MISSING : DT_FEAT_PRESENT;
		f->state[DT_F_PROBE_READ] = probe_helpers(dt_feature_defs[DT_F_PROBE_READ].helpers);
		f->state[DT_F_BASE_HELPERS] = probe_helpers(dt_feature_defs[DT_F_BASE_HELPERS].helpers);
		f->state[DT_F_RINGBUF] = probe_verdict(libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL));
		if (f->state[DT_F_RINGBUF] == DT_FEAT_PRESENT)
			f->state[DT_F_RINGBUF] = probe_helpers(dt_feature_defs[DT_F_RINGBUF].helpers);
	}
	dt_libbpf_expect_end(true);
	/* DAXTRACE_FAKE_MISSING=ringbuf,raw_tp lets the tests stand in an older kernel */
	dt_features_fake_missing(f, getenv("DAXTRACE_FAKE_MISSING"));
}

const struct dt_features *dt_features_get(const char *btf_path)
{
	static struct dt_features f;
	static bool done;

	if (!done)
		dt_features_probe(&f, btf_path);
	done = true;
	return &f;
}
