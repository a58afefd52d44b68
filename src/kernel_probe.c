// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
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
	int fd;

	dt_libbpf_expect_failure(); /* a refusal is the answer, reported as the hook's note */
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "dt_trial", "GPL", return_zero,
			   sizeof(return_zero) / sizeof(return_zero[0]), &opts);
	dt_libbpf_expect_end(fd < 0);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
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
	int fd;

	dt_libbpf_expect_failure(); /* a refusal is the answer: the hash variant is loaded */
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "dt_cmpxchg", "GPL", cmpxchg_xchg,
			   sizeof(cmpxchg_xchg) / sizeof(cmpxchg_xchg[0]), NULL);
	dt_libbpf_expect_end(fd < 0);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

bool dt_kprobe_supported(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0;
}
