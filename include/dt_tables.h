/* SPDX-License-Identifier: GPL-2.0 */
/* Every list of named things daxtrace counts or reports, one row each, as X-macros: the BPF
 * enums (include/daxtrace.h), the names (src/names.c), each report, the tests' key lists
 * (tests/lib/dt_tables.py reads this file) and the checks of the docs' tables
 * (tests/unit/check-tables.py) all come from here. Rows are in output order; a row's
 * arguments are literals only, so that the Python reader needs no C preprocessor. Every row
 * ends in a backslash and a blank line ends each list, so a new row is one added line.
 *
 * Adding a counter is one DT_COUNTERS row plus the count() in bpf/seq.bpf.h that increments
 * it; the docs' tables must then name it too, or `make check-unit` fails. */
#ifndef DT_TABLES_H
#define DT_TABLES_H

/* Per-inode counters: X(ID, key, text, prometheus, meaning), enum DT_C_<ID>.
 * - key: JSON key (docs/JSON.md: never rename) and the name on text detail lines;
 * - text: DT_COLUMN(header, width), a column of the text table, right-aligned in width;
 *   counters that share a header share the column, which shows their sum, and each of them
 *   is also on the detail line; DT_DETAIL: only on the "counters:" detail line (non-zero);
 * - prometheus: DT_PROM(metric, label, value, help), the series metric{dev, label="value"};
 *   rows sharing a metric are one metric (the same help), label NULL when it is alone;
 *   DT_PROM_NONE: no series of its own;
 * - meaning: the docs/JSON.md description (Markdown). */
#define DT_COUNTERS(X)									\
	X(PTE_FAULTS, "pte_faults", DT_COLUMN("PTE", 7),				\
	  DT_PROM("daxtrace_faults_total", "size", "pte",				\
		  "DAX fault attempts (dax_*_fault_done)."),				\
	  "`dax_pte_fault_done` events, any result")					\
	X(PMD_FAULTS, "pmd_faults", DT_COLUMN("PMD", 6),				\
	  DT_PROM("daxtrace_faults_total", "size", "pmd",				\
		  "DAX fault attempts (dax_*_fault_done)."),				\
	  "`dax_pmd_fault_done` events, any result")					\
	X(SYNC_FAULTS, "sync_faults", DT_COLUMN("SYNC", 6),				\
	  DT_PROM("daxtrace_sync_faults_total", NULL, NULL,				\
		  "Faults that needed a metadata sync."),				\
	  "`*_done` events with `VM_FAULT_NEEDDSYNC`")					\
	X(PTE_UPGRADES, "pte_upgrades", DT_COLUMN("UPG-PTE", 7),			\
	  DT_PROM("daxtrace_upgrades_total", "size", "pte",				\
		  "Sync faults completed by a writable insert."),			\
	  "successful sync mkwrite steps of PTE size")					\
	X(PMD_UPGRADES, "pmd_upgrades", DT_COLUMN("UPG-PMD", 7),			\
	  DT_PROM("daxtrace_upgrades_total", "size", "pmd",				\
		  "Sync faults completed by a writable insert."),			\
	  "successful sync mkwrite steps of PMD size")					\
	X(RACES, "races", DT_COLUMN("RACE", 5),						\
	  DT_PROM("daxtrace_races_total", NULL, NULL,					\
		  "Sync faults that found no entry (split race)."),			\
	  "`dax_insert_pfn_mkwrite_no_entry` events")					\
	/* exported by reason: daxtrace_fallbacks_total{reason} (src/report_prom.c) */	\
	X(FALLBACKS, "fallbacks", DT_COLUMN("FALLBK", 6), DT_PROM_NONE,			\
	  "`dax_pmd_fault_done` with result `VM_FAULT_FALLBACK`")			\
	X(HOLE_LOADS, "hole_loads", DT_DETAIL,						\
	  DT_PROM("daxtrace_hole_loads_total", NULL, NULL,				\
		  "Zero-page loads for holes."),					\
	  "`dax_load_hole` + `dax_pmd_load_hole` events")				\
	X(MKWRITE_ERRORS, "mkwrite_errors", DT_COLUMN("ERRORS", 6),			\
	  DT_PROM("daxtrace_errors_total", "kind", "mkwrite",				\
		  "Failed mkwrites, faults and fsyncs."),				\
	  "`dax_insert_pfn_mkwrite` with an error bit (0x873)")				\
	X(FAULT_ERRORS, "fault_errors", DT_COLUMN("ERRORS", 6),				\
	  DT_PROM("daxtrace_errors_total", "kind", "fault",				\
		  "Failed mkwrites, faults and fsyncs."),				\
	  "`*_done` with OOM, SIGBUS, SIGSEGV or HWPOISON")				\
	X(FSYNC_FAILURES, "fsync_failures", DT_COLUMN("ERRORS", 6),			\
	  DT_PROM("daxtrace_errors_total", "kind", "fsync",				\
		  "Failed mkwrites, faults and fsyncs."),				\
	  "failed fsyncs inside `dax_finish_sync_fault`, where a hook can see them")	\
	X(WRITEBACKS, "writebacks", DT_DETAIL,						\
	  DT_PROM("daxtrace_writebacks_total", NULL, NULL,				\
		  "DAX entries written back."),						\
	  "`dax_writeback_one` events (DAX entries flushed)")				\

/* Why a PMD fault fell back to PTEs: X(ID, name, meaning, remedy), enum DT_FB_<ID>. The checks
 * of dax_iomap_pmd_fault() in kernel order (fs/dax.c, identical from 5.10 to 7.x), then
 * `unknown`; include/daxtrace.h dt_classify_fallback() decides.
 * - meaning: the docs/EVENTS.md description;
 * - remedy: what causes it and what to do, from the kernel source of the check: printed under
 *   the final text report for the reasons that occurred (src/advice.c), and in full in
 *   docs/EVENTS.md ("What to do") and daxtrace(8) (WHAT TO DO). Plain text, commands in ''. */
#define DT_FALLBACKS(X)									\
	X(MISALIGNED, "misaligned",							\
	  "virtual address and file offset are not congruent mod 2 MiB",		\
	  "The mapping's address and its file offset differ modulo 2 MiB. ext4 and xfs "	\
	  "pick an aligned address when mmap() gets none (thp_get_unmapped_area); an "	\
	  "address hint, MAP_FIXED, or a mapping too short to hold a whole aligned "	\
	  "2 MiB block defeats that. Fix: pass no address, or one where address - "	\
	  "offset is a multiple of 2 MiB.")						\
	X(PRIVATE_COW, "private_cow", "write fault on a private mapping",		\
	  "A write to a MAP_PRIVATE mapping makes a private copy of the page, and DAX "	\
	  "copies 4 KiB at a time. Fix: map the file MAP_SHARED (MAP_SHARED_VALIDATE "	\
	  "with MAP_SYNC) when the writes are meant for the file; the writes of a "	\
	  "private mapping never get 2 MiB pages.")					\
	X(VMA_START, "vma_start", "the 2 MiB block starts before the VMA",		\
	  "The mapping starts inside this 2 MiB block of the file, so the block is not "	\
	  "wholly mapped. Fix: map from a file offset that is a multiple of 2 MiB.")	\
	X(VMA_END, "vma_end", "the 2 MiB block ends after the VMA",			\
	  "The mapping ends inside this 2 MiB block, so the block is not wholly mapped. "	\
	  "Fix: map a length that is a multiple of 2 MiB.")				\
	X(EOF, "eof", "the 2 MiB block reaches past i_size",				\
	  "The 2 MiB block reaches past the end of the file (i_size), so its pages are "	\
	  "mapped 4 KiB each. Fix: make the file size a multiple of 2 MiB ('truncate -s' "	\
	  "or 'fallocate -l' up to the next 2 MiB boundary).")				\
	X(ENTRY_CONFLICT, "entry_conflict",						\
	  "`grab_mapping_entry()` found PTE-sized entries or a conflict, "		\
	  "so no iomap lookup happened",						\
	  "The file's page cache already holds 4 KiB DAX entries in this block, left by "	\
	  "earlier 4 KiB faults of any process (a MADV_NOHUGEPAGE or misaligned mapping, "	\
	  "one of part of the block). They stay until the file is truncated or its inode leaves "	\
	  "the cache. Fix: map the file only with 2 MiB-capable mappings; to reset, unmap "	\
	  "it everywhere and, once nothing has it open, 'echo 2 > "			\
	  "/proc/sys/vm/drop_caches'.")							\
	X(EXTENT_SHORT, "extent_short", "the extent is shorter than the 2 MiB block",	\
	  "The file's extent at this block is shorter than 2 MiB: the block has a hole, "	\
	  "was written in pieces, or was allocated in fragments. Check: 'filefrag -v "	\
	  "FILE' or 'xfs_bmap -v FILE' (a 2 MiB mapping needs extents of 512 or more 4 KiB "	\
	  "blocks that start at multiples of 512). Fix: allocate files whole before use "	\
	  "('fallocate -l SIZE FILE', then write them once); on xfs set a 2 MiB extent size "	\
	  "hint ('xfs_io -c \"extsize 2m\" DIR' before the files are made) or make the "	\
	  "filesystem with 'mkfs.xfs -d su=2m,sw=1'; on ext4 make it with 'mkfs.ext4 -E "	\
	  "stride=512,stripe-width=512'; copy fragmented files anew.")			\
	X(HOLE_ZERO_PMD, "hole_zero_pmd",						\
	  "read of a hole: the huge zero page could not be mapped",			\
	  "A read of a hole or unwritten extent could not map the 2 MiB zero page: it "	\
	  "could not be allocated, or another thread mapped this block at the same "	\
	  "moment. Each costs one 4 KiB zero-page fault. Fix: if it recurs, write the "	\
	  "file before reading it (see hole_loads).")					\
	X(UNEXPECTED_TYPE, "unexpected_type",						\
	  "extent neither mapped nor a hole (the kernel WARNs)",			\
	  "The filesystem gave a DAX fault an extent that is neither written nor a hole, "	\
	  "and the kernel printed a WARNING (see dmesg). This is a kernel or filesystem "	\
	  "bug, not a layout problem: report it with the dmesg lines.")			\
	X(DIRECT_ACCESS, "direct_access",						\
	  "mapped, but `dax_iomap_direct_access()` failed: the device range is not "	\
	  "2 MiB contiguous or aligned",						\
	  "The extent is mapped and long enough, but the pmem driver could not give a "	\
	  "2 MiB-aligned contiguous range for it: the extent is not 2 MiB-aligned on the "	\
	  "device, the namespace's data does not start 2 MiB-aligned, or the range holds "	\
	  "a known media error. Check: 'filefrag -v FILE' (physical start a multiple of 512 "	\
	  "blocks), /sys/block/pmemN/badblocks, 'ndctl list -N' (align). Fix: a filesystem "	\
	  "made 2 MiB-aligned (see extent_short), a namespace made with 'ndctl "		\
	  "create-namespace --align 2M'; rewriting a bad range clears it ('ndctl "		\
	  "clear-errors' only where the data does not matter).")			\
	X(UNKNOWN, "unknown", "daxtrace cannot evaluate the checks after `eof`",	\
	  "daxtrace did not see this attempt's extent lookup (iomap:iomap_iter_dstmap is "	\
	  "not attached on this kernel, or tracing began mid-fault), so it cannot tell "	\
	  "the reasons after eof apart. Check: 'daxtrace check' lists the hooks attached.")	\

/* What to do about the other things a report can show, beyond the fallback reasons:
 * X(ID, name, counted, remedy), enum DT_A_<ID>; when each applies and what its count is
 * (`counted`, plural, for the report's "name, N counted:") is dt_advice_count() in
 * src/advice.c. Shown and documented like the fallback remedies. */
#define DT_ADVICE(X)									\
	X(RACES, "races", "races",							\
	  "Between a sync fault's metadata sync and its writable insert, the block's "	\
	  "DAX entry was gone or of the other size (a fault of the other size, a "		\
	  "truncate or a hole punch on the same block), so nothing was "		\
	  "mapped and the CPU faults again. A few are harmless; many mean 4 KiB and 2 MiB "	\
	  "mappings of the same blocks, or truncates or punches against mapped writes.")	\
	X(HOLE_LOADS, "hole_loads", "zero-page loads",				\
	  "Reads found holes or unwritten extents and mapped the zero page. Each later "	\
	  "write to those pages faults again to allocate or convert blocks and, with "	\
	  "MAP_SYNC, to sync metadata. Fix: write the file once before a workload that "	\
	  "writes it ('fallocate' alone leaves unwritten extents, which count here too).")	\
	X(FSYNC_BOUND, "fsync_bound", "timed sync faults",				\
	  "The fsync stage took at least half of the sync faults' time: the metadata "	\
	  "commit MAP_SYNC needs when a write fault allocates blocks or converts "	\
	  "unwritten extents. Fix: allocate and write the file once before the MAP_SYNC "	\
	  "workload, so that its faults find written blocks and need no sync "		\
	  "('fallocate' alone leaves unwritten extents, which still need one).")		\

/* Latency histograms, one per stage: X(ID, name, help, needs), enum DT_H_<ID>.
 * - help: the Prometheus HELP of daxtrace_<name>_latency_seconds, which says where the stage
 *   nests (the stages nest: docs/EVENTS.md, "Histograms");
 * - needs: DT_NEEDS(group, ...), the hooks without which the stage gets no samples
 *   (bpf/seq.bpf.h): every group must have one of its '|'-separated hooks attached. The
 *   fsync ends at the vfs_fsync_range return or at ext4_sync_file_exit (which sees ext4
 *   only: attached, it marks fsync measured even where the DAX filesystem is xfs); the
 *   dax_finish_sync_fault exit times only fsyncs that failed. At most DT_NEEDS_MAX groups. */
#define DT_HISTS(X)									\
	X(PTE_FAULT, "pte_fault",							\
	  "Latency of a PTE fault attempt, dax_pte_fault to _done, any result; the "	\
	  "attempts of sync faults nest inside daxtrace_sync_fault_latency_seconds.",	\
	  DT_NEEDS("dax_pte_fault", "dax_pte_fault_done"))				\
	X(PMD_FAULT, "pmd_fault",							\
	  "Latency of a PMD fault attempt, dax_pmd_fault to _done, any result; the "	\
	  "attempts of sync faults nest inside daxtrace_sync_fault_latency_seconds.",	\
	  DT_NEEDS("dax_pmd_fault", "dax_pmd_fault_done"))				\
	X(SYNC_FAULT, "sync_fault",							\
	  "Latency of whole sync faults, first attempt to writable insert; contains "	\
	  "the pte_fault, pmd_fault, fsync, mkwrite and insert stages.",		\
	  DT_NEEDS("dax_pte_fault|dax_pmd_fault",					\
		   "dax_pte_fault_done|dax_pmd_fault_done",				\
		   "dax_insert_pfn_mkwrite|dax_insert_pfn_mkwrite_no_entry"))		\
	X(FSYNC, "fsync",								\
	  "Latency of the metadata fsync of a sync fault; nests inside "		\
	  "daxtrace_sync_fault_latency_seconds, contains that fsync's writeback_range.",	\
	  DT_NEEDS("vfs_fsync_range|ext4_sync_file_exit"))				\
	X(MKWRITE, "mkwrite",								\
	  "Latency from fsync end to the writable insert tracepoint of a sync fault; "	\
	  "nests inside daxtrace_sync_fault_latency_seconds, contains the insert stage.",	\
	  DT_NEEDS("vfs_fsync_range|ext4_sync_file_exit",				\
		   "dax_insert_pfn_mkwrite|dax_insert_pfn_mkwrite_no_entry"))		\
	X(INSERT, "insert",								\
	  "Latency of the writable PTE/PMD insert of a sync fault, from the insert call "	\
	  "to the tracepoint after it (the DAX entry unlock included); nests inside "	\
	  "daxtrace_mkwrite_latency_seconds and daxtrace_sync_fault_latency_seconds.",	\
	  DT_NEEDS("insert_pfn|vmf_insert_pfn_pmd_prot|vmf_insert_pfn_pmd|"		\
		   "vmf_insert_page_mkwrite|vmf_insert_folio_pmd"))			\
	X(WRITEBACK, "writeback_range",							\
	  "Latency of dax_writeback_range to _done; those of a sync fault's fsync "	\
	  "nest inside daxtrace_fsync_latency_seconds.",				\
	  DT_NEEDS("dax_writeback_range", "dax_writeback_range_done"))			\

#define DT_NEEDS_MAX 3

/* Tracer health, everything that was dropped so that nothing is lost silently:
 * X(ID, name, warning), enum DT_D_<ID>. warning: the stderr line after the count
 * (src/report_text.c dt_report_warnings). */
#define DT_DIAGS(X)									\
	/* per-inode map full: the event is counted in the totals only */		\
	X(INODE_OVERFLOW, "inode_map_full",						\
	  "events missing from the per-inode table (map full; raise --max-inodes); "	\
	  "totals are complete")							\
	/* per-(inode, process) map full: the top process may be wrong */		\
	X(PROC_OVERFLOW, "proc_map_full",						\
	  "faults not attributed to a process (map full; raise --max-procs)")		\
	/* no in-flight slot free in the thread's set: that fault's latency is not	\
	 * measured (and a writeback's, wb_start full) */				\
	X(INFLIGHT_OVERFLOW, "inflight_map_full",					\
	  "faults without latency (their in-flight set was full; raise --max-inflight)")	\
	/* `trace` ring buffer full */							\
	X(LOST_EVENTS, "lost_events",							\
	  "events lost by `trace` (ring buffer full; raise --ringbuf-kb)")		\
	/* mkwrite/no_entry with no open sync sequence on the thread */		\
	X(UNMATCHED, "unmatched_mkwrite",						\
	  "mkwrite events without their fault (started mid-fault or map full): "	\
	  "upgrade size unknown")							\
	/* sequences abandoned mid-way (closed by a newer fault) */			\
	X(STALE, "stale_sequences",							\
	  "fault sequences abandoned mid-way (a thread's fault never reached its end "	\
	  "event: it was attached mid-fault, killed, or an event was skipped): their "	\
	  "sync latency is not measured")						\
	/* -- COMMAND: a descendant process could not be tracked */			\
	X(TREE_OVERFLOW, "process_tree_full",						\
	  "processes started by COMMAND not traced (process map full; raise "		\
	  "--max-inflight)")								\
	/* runs of daxtrace's programs the kernel skipped because the same program was	\
	 * already running on that CPU (its recursion guard; from 6.18 a program can be	\
	 * preempted mid-run). Counted by the kernel; user space reads it from		\
	 * bpf_prog_info, BPF never writes it */					\
	X(KERNEL_SKIPPED, "bpf_recursion_misses",					\
	  "events the kernel did not pass to daxtrace (the same BPF program was "	\
	  "already running on that CPU, preempted mid-run): counts and latencies may "	\
	  "be short by that many")							\
	/* inode map full and more than DT_MAX_DEVS devices: the event is in the host	\
	 * totals only, not in its device's */						\
	X(DEV_OVERFLOW, "dev_map_full",							\
	  "events of more devices than the device table holds, with the inode map "	\
	  "full: they are in the host totals only")					\
	/* offsets map full: a fallback's or race's block is not recorded (still counted) */	\
	X(OFFSET_OVERFLOW, "offset_map_full",						\
	  "fallbacks and races whose file offset was not recorded (offset map full; "	\
	  "raise --max-offsets); their counts are complete")				\
	/* --hist-by: a (key, stage) histogram row found no room: that latency is in the	\
	 * host-wide histogram only */							\
	X(HIST_OVERFLOW, "hist_map_full",						\
	  "latencies missing from the per-key histograms (--hist-by; map full; raise "	\
	  "--max-hists); the host-wide histograms are complete")			\
	/* --hist-by process: a process found no row: its events are in the other tables */	\
	X(PROCESS_OVERFLOW, "process_map_full",						\
	  "events missing from the per-process table (--hist-by process; map full; "	\
	  "raise --max-procs); the per-file table and the totals are complete")		\

/* `daxtrace trace` event types: X(ID, name), enum DT_E_<ID>. */
#define DT_EVENTS(X)									\
	X(PTE_FAULT, "pte_fault")							\
	X(PTE_DONE, "pte_done")								\
	X(PMD_FAULT, "pmd_fault")							\
	X(PMD_DONE, "pmd_done")								\
	X(LOAD_HOLE, "load_hole")							\
	X(PMD_LOAD_HOLE, "pmd_load_hole")						\
	X(PMD_LOAD_HOLE_FALLBACK, "pmd_hole_fallback")					\
	X(MKWRITE, "mkwrite")								\
	X(MKWRITE_NO_ENTRY, "mkwrite_no_entry")						\
	X(WRITEBACK_RANGE, "wb_range")							\
	X(WRITEBACK_RANGE_DONE, "wb_range_done")					\
	X(WRITEBACK_ONE, "wb_one")							\
	X(FSYNC_FAILED, "fsync_failed")							\

/* The kernel's vm_fault_reason bits (include/linux/mm_types.h), equal on 6.1 and 6.18:
 * X(NAME, value), DT_VM_FAULT_<NAME>; in bit order, the order `trace` prints them in. */
#define DT_VM_FAULT_BITS(X)								\
	X(OOM, 0x0001)									\
	X(SIGBUS, 0x0002)								\
	X(MAJOR, 0x0004)								\
	X(HWPOISON, 0x0010)								\
	X(HWPOISON_LARGE, 0x0020)							\
	X(SIGSEGV, 0x0040)								\
	X(NOPAGE, 0x0100)								\
	X(LOCKED, 0x0200)								\
	X(RETRY, 0x0400)								\
	X(FALLBACK, 0x0800)								\
	X(DONE_COW, 0x1000)								\
	X(NEEDDSYNC, 0x2000)								\
	X(COMPLETED, 0x4000)								\

#endif
