/* SPDX-License-Identifier: GPL-2.0 */
/* Maps, global counters and run-time configuration of daxtrace.bpf.c. Every map is bounded; the
 * loader sets max_entries from the command line before load, and every failed insert is counted
 * in diag[] so that user space can report it. */
#ifndef DAXTRACE_MAPS_BPF_H
#define DAXTRACE_MAPS_BPF_H

#include "daxtrace.h"
#include "defaults.h"

/* Filters and feature switches, written by the loader between open and load. */
/* Any of the filters below is on: one load on the path of every event when none is. */
const volatile bool filter_any = false;
const volatile __u32 filter_tgid = 0;
const volatile bool filter_tree = false; /* -- COMMAND: the command and its descendants */
const volatile __u32 filter_dev = 0; /* kernel dev_t; 0 = any */
const volatile __u64 filter_ino = 0;
const volatile bool filter_paths = false;  /* --path: path_files or path_devs must hold it */
const volatile bool filter_cgroup = false; /* -c: the task is under the cgroup in cgroup_map */
const volatile bool trace_mode = false;   /* emit every event into the ring buffer */
/* Sets of the in-flight table minus one; the loader sizes it from --max-inflight. */
const volatile __u32 seq_set_mask = DT_DEFAULT_MAX_INFLIGHT / DT_SEQ_WAYS - 1;
/* ns per histogram display unit (1, 1000 or 1000000, from -m/--nanoseconds): slots are log2 of
 * whole units, as in bcc, so that every slot is a whole range of the unit the report prints. */
const volatile __u64 hist_unit_ns = 1000;
/* --hist-by (enum dt_hist_by): 0 leaves the per-key maps below untouched (one entry each). */
const volatile __u8 hist_by = DT_HB_NONE;


/* The rare aggregates, read by user space through the mmap-ed .bss, without syscalls. Updated
 * with atomics; what every fault adds to is per CPU (cpu_aggs). A count goes to its inode's row; only
 * events whose inode found no row (map full) are counted here, so that user space derives
 * every total as rows + unkeyed and a total can never disagree with its rows. */
__u64 unkeyed[DT_C_NR] = {};
__u64 unkeyed_fallbacks[DT_FB_NR] = {};
__u64 diag[DT_D_NR] = {};
/* Set by the loader once iomap_iter_dstmap is attached: without it, the fallback reasons
 * past the EOF check are unknown. */
bool dstmap_hooked = false;

/* The histograms and this CPU's (inode, process) slots (include/daxtrace.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dt_cpu_agg);
} cpu_aggs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DT_DEFAULT_MAX_INODES);
	__type(key, struct dt_inode_key);
	__type(value, struct dt_inode_val);
} inodes SEC(".maps");

/* The unkeyed events again, per device, so that per-device totals stay exact too. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DT_MAX_DEVS);
	__type(key, __u32);
	__type(value, struct dt_counts);
} unkeyed_devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DT_DEFAULT_MAX_PROCS);
	__type(key, struct dt_proc_key);
	__type(value, struct dt_proc_val);
} procs SEC(".maps");

/* Where fallbacks and races happened: events per (inode, 2 MiB block, kind, reason). The first
 * max_entries distinct rows seen stay; later new rows are counted in diag[OFFSET_OVERFLOW]. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DT_DEFAULT_MAX_OFFSETS);
	__type(key, struct dt_offset_key);
	__type(value, __u64);
} offsets SEC(".maps");

/* --hist-by: the latencies per (key, stage), beside the host-wide ones in cpu_aggs. The first
 * max_entries rows seen stay; a sample with no row is counted in diag[HIST_OVERFLOW]. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* the loader sets --max-hists when --hist-by asks */
	__type(key, struct dt_khist_key);
	__type(value, struct dt_hist_slots);
} key_hists SEC(".maps");

/* --hist-by process: the counters per process (tgid); the first max_entries processes stay,
 * the events of later ones are counted in diag[PROCESS_OVERFLOW]. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* --max-procs with --hist-by process */
	__type(key, __u32);
	__type(value, struct dt_pid_val);
} pids SEC(".maps");

/* The in-flight table (include/daxtrace.h). A fault runs synchronously on its thread, so a
 * thread has at most one sequence open. The array's slots are claimed with compare-and-swap,
 * which kernels before 5.12 refuse; the object built with DT_INFLIGHT_HASH (build/
 * daxtrace-hash.bpf.o, loaded where a trial load of a compare-and-swap fails) keys the same
 * sequences by thread id in a hash instead. Both objects have the same maps, programs and
 * globals in the same order, so one skeleton serves both (the Makefile compares them).
 * The array is mmapable: user space counts and sweeps it in place. */
struct {
#ifdef DT_INFLIGHT_HASH
	__uint(type, BPF_MAP_TYPE_HASH);
#else
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
#endif
	__uint(max_entries, DT_DEFAULT_MAX_INFLIGHT);
	__type(key, __u32);
	__type(value, struct dt_seq);
} inflight SEC(".maps");

/* dax_writeback_range start time per thread; writeback also runs in kworkers with no fault. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DT_DEFAULT_MAX_INFLIGHT);
	__type(key, __u32);
	__type(value, __u64);
} wb_start SEC(".maps");

/* With filter_tree: the processes (tgids) descending from COMMAND, seeded by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DT_DEFAULT_MAX_INFLIGHT);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/* With filter_paths, from --path (at most DT_MAX_FILTER_PATHS): the files (dev, generation,
 * inode) and the filesystems (dev) traced. Filled by the loader after load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DT_MAX_FILTER_PATHS);
	__type(key, struct dt_inode_key);
	__type(value, __u8);
} path_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DT_MAX_FILTER_PATHS);
	__type(key, __u32);
	__type(value, __u8);
} path_devs SEC(".maps");

/* With filter_cgroup: slot 0 holds the fd of the -c cgroup v2 directory (as libbpf-tools). */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* one page unless `trace` asks for more */
} events SEC(".maps");

#endif
