// SPDX-License-Identifier: GPL-2.0
/* Kernel memory the raw_tp programs can read, for their test runs (kmem.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "kmem.h"

uint8_t *kmem;
size_t kmem_size;
uint64_t kmem_addr;
static int kmem_fd = -1;
static struct btf *vmlinux_btf;

/* The array value's kernel address, which the program below stores at its start. */
static int leak_address(void)
{
	/* r2 = &key(0); r0 = bpf_map_lookup_elem(map, r2); if r0: *(u64 *)r0 = r0; return 0 */
	struct bpf_insn insns[] = {
		{ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -4, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -4 },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1, .src_reg = BPF_PSEUDO_MAP_FD },
		{},
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
		{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_0, .off = 1, .imm = 0 },
		{ .code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	uint32_t key = 0;
	int prog, err;

	insns[3].imm = kmem_fd;
	prog = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "dt_test_kaddr", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), NULL);
	if (prog < 0)
		return -1;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	err = bpf_prog_test_run_opts(prog, &opts) || bpf_map_lookup_elem(kmem_fd, &key, kmem);
	close(prog);
	if (err)
		return -1;
	memcpy(&kmem_addr, kmem, sizeof(kmem_addr));
	return kmem_addr ? 0 : -1;
}

int kmem_setup(size_t size)
{
	kmem = calloc(1, size);
	if (!kmem)
		return -1;
	kmem_size = size;
	kmem_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dt_test_kmem", 4, size, 1, NULL);
	if (kmem_fd < 0 || leak_address())
		return -1;
	vmlinux_btf = btf__load_vmlinux_btf();
	return vmlinux_btf ? 0 : -1;
}

void kmem_teardown(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	if (kmem_fd >= 0)
		close(kmem_fd);
	kmem_fd = -1;
	free(kmem);
	kmem = NULL;
}

/* FIELD in the type type_id, or in one of its anonymous members (vm_fault keeps vma, pgoff
 * and address in an anonymous const struct; vm_area_struct has vm_flags in a union from 6.3). */
static int field_in(__u32 type_id, const char *field, __u32 *off, __u32 *size)
{
	const struct btf_type *t = btf__type_by_id(vmlinux_btf, btf__resolve_type(vmlinux_btf, type_id));
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(vmlinux_btf, m->name_off);
		__u32 inner;

		if (name && !strcmp(name, field)) {
			*off = btf_member_bit_offset(t, i) / 8;
			*size = btf__resolve_size(vmlinux_btf, m->type);
			return 0;
		}
		if ((!name || !*name) && !field_in(m->type, field, &inner, size)) {
			*off = btf_member_bit_offset(t, i) / 8 + inner;
			return 0;
		}
	}
	return -1;
}

int kmem_field(const char *type, const char *field, uint32_t *off, uint32_t *size)
{
	__s32 id = btf__find_by_name_kind(vmlinux_btf, type, BTF_KIND_STRUCT);

	return id > 0 ? field_in(id, field, off, size) : -1;
}

size_t kmem_sizeof(const char *type)
{
	__s32 id = btf__find_by_name_kind(vmlinux_btf, type, BTF_KIND_STRUCT);
	__s64 size = id > 0 ? btf__resolve_size(vmlinux_btf, id) : 0;

	return size > 0 ? (size_t)size : 0;
}

int kmem_set(uint32_t base, const char *type, const char *field, uint64_t value)
{
	uint32_t off = 0, size = 0;

	if (kmem_field(type, field, &off, &size) || size > 8 || base + off + size > kmem_size)
		return -1;
	memcpy(kmem + base + off, &value, size); /* little-endian: the low bytes */
	return 0;
}

int kmem_store(void)
{
	uint32_t key = 0;

	memcpy(kmem, &kmem_addr, sizeof(kmem_addr));
	return bpf_map_update_elem(kmem_fd, &key, kmem, BPF_ANY) ? -1 : 0;
}
