// SPDX-License-Identifier: GPL-2.0
/* daxtrace entry points. Each hook exists in two flavours that share one body: tp_btf and
 * raw_tp for tracepoints, fentry/fexit and kprobe/kretprobe for functions. The loader
 * (src/probes.c) turns on one flavour per hook, or none, by probing the running kernel. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "seq.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* `typed` tells the shared body whether its pointer arguments carry BTF types (tp_btf, fentry),
 * so that it may load through them directly, or are plain numbers (raw_tp, kprobe) to be read
 * with bpf_probe_read_kernel. It is a constant in each program, so the compiler keeps only
 * the branch that applies. */

/* A tracepoint hook: tp_btf/NAME and raw_tp/NAME with the same prototype and body. */
#define DT_TP(name, body, args...)                                                           \
	SEC("tp_btf/" #name) int BPF_PROG(btf_##name, args)                                  \
	{ const bool typed __attribute__((unused)) = true; return body; }                    \
	SEC("raw_tp/" #name) int BPF_PROG(raw_##name, args)                                  \
	{ const bool typed __attribute__((unused)) = false; return body; }

/* A function-entry hook: fentry/NAME and kprobe/NAME. */
#define DT_ENTRY(name, body, args...)                                                        \
	SEC("fentry/" #name) int BPF_PROG(fe_##name, args) { return body; }                  \
	SEC("kprobe/" #name) int BPF_KPROBE(kp_##name, args) { return body; }

/* A function-return hook: fexit/NAME (which also sees the arguments) and kretprobe/NAME. */
#define DT_EXIT(name, ret, body, args...)                                                    \
	SEC("fexit/" #name) int BPF_PROG(fx_##name, args, long ret) { return body; }         \
	SEC("kretprobe/" #name) int BPF_KRETPROBE(krp_##name, long ret) { return body; }

/* fs_dax: the prototypes are the same on 6.1 and 6.18. The load-hole "zero" argument is a
 * struct page * on 6.1 and a struct folio * on 6.18; it is never dereferenced, so void *. */
DT_TP(dax_pte_fault, on_fault(typed, inode, vmf, false),
      struct inode *inode, struct vm_fault *vmf, int result)
DT_TP(dax_pmd_fault, on_fault(typed, inode, vmf, true),
      struct inode *inode, struct vm_fault *vmf, unsigned long max_pgoff, int result)
DT_TP(dax_pte_fault_done, on_fault_done(typed, inode, vmf, 0, result, false),
      struct inode *inode, struct vm_fault *vmf, int result)
DT_TP(dax_pmd_fault_done, on_fault_done(typed, inode, vmf, max_pgoff, result, true),
      struct inode *inode, struct vm_fault *vmf, unsigned long max_pgoff, int result)
DT_TP(dax_load_hole, on_load_hole(typed, inode, vmf, DT_E_LOAD_HOLE),
      struct inode *inode, struct vm_fault *vmf, int result)
DT_TP(dax_pmd_load_hole, on_load_hole(typed, inode, vmf, DT_E_PMD_LOAD_HOLE),
      struct inode *inode, struct vm_fault *vmf, void *zero, void *radix_entry)
DT_TP(dax_pmd_load_hole_fallback, on_hole_fallback(typed, inode, vmf),
      struct inode *inode, struct vm_fault *vmf, void *zero, void *radix_entry)
DT_TP(dax_insert_pfn_mkwrite, on_mkwrite(typed, inode, vmf, result, false),
      struct inode *inode, struct vm_fault *vmf, int result)
DT_TP(dax_insert_pfn_mkwrite_no_entry, on_mkwrite(typed, inode, vmf, result, true),
      struct inode *inode, struct vm_fault *vmf, int result)
DT_TP(dax_writeback_range, on_writeback_range(typed, inode, start_index, false),
      struct inode *inode, unsigned long start_index, unsigned long end_index)
DT_TP(dax_writeback_range_done, on_writeback_range(typed, inode, start_index, true),
      struct inode *inode, unsigned long start_index, unsigned long end_index)
DT_TP(dax_writeback_one, on_writeback_one(typed, inode, pgoff),
      struct inode *inode, unsigned long pgoff, unsigned long pglen)

/* Fallback reasons need the extent the PMD attempt looked up. */
DT_TP(iomap_iter_dstmap, on_dstmap(iomap), struct inode *inode, struct iomap *iomap)

/* The fsync inside a sync fault, on ext4 (xfs has only an entry tracepoint). It fires inside
 * vfs_fsync_range, so where both are hooked it ends the fsync measurement on ext4 and the
 * vfs_fsync_range exit does on xfs. */
DT_TP(ext4_sync_file_exit, on_fsync_exit(ret), struct inode *inode, int ret)

/* `-- COMMAND` traces the command and every process it starts. */
DT_TP(sched_process_fork, on_fork(parent, child),
      struct task_struct *parent, struct task_struct *child)
DT_TP(sched_process_exit, on_exit(), struct task_struct *p)

/* dax_finish_sync_fault(vmf, size, pfn): the 3rd argument is pfn_t (6.1) or unsigned long
 * (6.17+), 8 bytes either way, and is not read. */
DT_ENTRY(dax_finish_sync_fault, on_finish_enter(vmf, size),
	 struct vm_fault *vmf, unsigned long size)
DT_EXIT(dax_finish_sync_fault, ret, on_finish_exit(ret),
	struct vm_fault *vmf, unsigned long size, unsigned long pfn)
DT_EXIT(vfs_fsync_range, ret, on_fsync_exit((int)ret),
	struct file *file, long long start, long long end, int datasync)

/* The writable insert. Up to 6.14 (the pfn path): insert_pfn(vma, addr, pfn, prot, mkwrite)
 * for PTEs; for PMDs vmf_insert_pfn_pmd_prot(vmf, pfn, prot, write) on 6.1 and
 * vmf_insert_pfn_pmd(vmf, pfn, write) on 6.12 (the _prot variant is gone there). From 6.15
 * (refcounted fs-dax pages): vmf_insert_page_mkwrite(vmf, page, write) and
 * vmf_insert_folio_pmd(vmf, folio, write). The loader hooks what this kernel has.
 * Only their entry: the insert stage ends at the dax_insert_pfn_mkwrite tracepoint that
 * follows every writable insert. These functions serve every DAX fault, read or write, and
 * an exit hook (a trampoline that calls the function, or a kretprobe) would cost each of
 * them more than the entry hook does.
 * The kernel's `bool mkwrite`/`bool write` is declared unsigned long here: BPF_PROG and
 * BPF_KPROBE convert the raw 64-bit argument to the declared type, and a bool would be the
 * whole register `!= 0`, upper bits included; on_insert_enter keeps the defined low byte. */
DT_ENTRY(insert_pfn, on_insert_enter(mkwrite),
	 void *vma, unsigned long addr, unsigned long pfn, unsigned long prot, unsigned long mkwrite)
DT_ENTRY(vmf_insert_pfn_pmd_prot, on_insert_enter(write),
	 struct vm_fault *vmf, unsigned long pfn, unsigned long prot, unsigned long write)
DT_ENTRY(vmf_insert_pfn_pmd, on_insert_enter(write),
	 struct vm_fault *vmf, unsigned long pfn, unsigned long write)
DT_ENTRY(vmf_insert_page_mkwrite, on_insert_enter(write),
	 struct vm_fault *vmf, void *page, unsigned long write)
DT_ENTRY(vmf_insert_folio_pmd, on_insert_enter(write),
	 struct vm_fault *vmf, void *folio, unsigned long write)
