// SPDX-License-Identifier: GPL-2.0
#include "names.h"

/* These are the JSON keys of the documented schema (docs/JSON.md): never rename. */
const char *const dt_counter_names[DT_C_NR] = {
	[DT_C_PTE_FAULTS] = "pte_faults",
	[DT_C_PMD_FAULTS] = "pmd_faults",
	[DT_C_SYNC_FAULTS] = "sync_faults",
	[DT_C_PTE_UPGRADES] = "pte_upgrades",
	[DT_C_PMD_UPGRADES] = "pmd_upgrades",
	[DT_C_RACES] = "races",
	[DT_C_FALLBACKS] = "fallbacks",
	[DT_C_HOLE_LOADS] = "hole_loads",
	[DT_C_MKWRITE_ERRORS] = "mkwrite_errors",
	[DT_C_FAULT_ERRORS] = "fault_errors",
	[DT_C_FSYNC_FAILURES] = "fsync_failures",
	[DT_C_WRITEBACKS] = "writebacks",
};

const char *const dt_fallback_names[DT_FB_NR] = {
	[DT_FB_MISALIGNED] = "misaligned",
	[DT_FB_PRIVATE_COW] = "private_cow",
	[DT_FB_VMA_START] = "vma_start",
	[DT_FB_VMA_END] = "vma_end",
	[DT_FB_EOF] = "eof",
	[DT_FB_ENTRY_CONFLICT] = "entry_conflict",
	[DT_FB_EXTENT_SHORT] = "extent_short",
	[DT_FB_HOLE_ZERO_PMD] = "hole_zero_pmd",
	[DT_FB_UNEXPECTED_TYPE] = "unexpected_type",
	[DT_FB_DIRECT_ACCESS] = "direct_access",
	[DT_FB_UNKNOWN] = "unknown",
};

const char *const dt_hist_names[DT_H_NR] = {
	[DT_H_PTE_FAULT] = "pte_fault",
	[DT_H_PMD_FAULT] = "pmd_fault",
	[DT_H_SYNC_FAULT] = "sync_fault",
	[DT_H_FSYNC] = "fsync",
	[DT_H_MKWRITE] = "mkwrite",
	[DT_H_INSERT] = "insert",
	[DT_H_WRITEBACK] = "writeback_range",
};

const char *const dt_diag_names[DT_D_NR] = {
	[DT_D_INODE_OVERFLOW] = "inode_map_full",
	[DT_D_PROC_OVERFLOW] = "proc_map_full",
	[DT_D_INFLIGHT_OVERFLOW] = "inflight_map_full",
	[DT_D_LOST_EVENTS] = "lost_events",
	[DT_D_UNMATCHED] = "unmatched_mkwrite",
	[DT_D_STALE] = "stale_sequences",
	[DT_D_TREE_OVERFLOW] = "process_tree_full",
	[DT_D_KERNEL_SKIPPED] = "bpf_recursion_misses",
	[DT_D_DEV_OVERFLOW] = "dev_map_full",
};

const char *const dt_event_names[DT_E_NR] = {
	[DT_E_PTE_FAULT] = "pte_fault",
	[DT_E_PTE_DONE] = "pte_done",
	[DT_E_PMD_FAULT] = "pmd_fault",
	[DT_E_PMD_DONE] = "pmd_done",
	[DT_E_LOAD_HOLE] = "load_hole",
	[DT_E_PMD_LOAD_HOLE] = "pmd_load_hole",
	[DT_E_PMD_LOAD_HOLE_FALLBACK] = "pmd_hole_fallback",
	[DT_E_MKWRITE] = "mkwrite",
	[DT_E_MKWRITE_NO_ENTRY] = "mkwrite_no_entry",
	[DT_E_WRITEBACK_RANGE] = "wb_range",
	[DT_E_WRITEBACK_RANGE_DONE] = "wb_range_done",
	[DT_E_WRITEBACK_ONE] = "wb_one",
	[DT_E_FSYNC_FAILED] = "fsync_failed",
};
