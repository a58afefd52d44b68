/* SPDX-License-Identifier: GPL-2.0 */
/* The fault-sequence state machine. Every entry point in daxtrace.bpf.c (tp_btf, raw_tp,
 * fentry/fexit, kprobe/kretprobe) is a thin wrapper over these functions. The hottest reads
 * load directly when the wrapper says its arguments are BTF-typed (`typed`); the rest use
 * BPF_CORE_READ, which is valid for typed (tp_btf) and untyped (raw_tp) arguments alike.
 * The event semantics are in docs/EVENTS.md. */
#ifndef DAXTRACE_SEQ_BPF_H
#define DAXTRACE_SEQ_BPF_H

#include "core_compat.bpf.h"
#include "maps.bpf.h"

static const struct dt_inode_val zero_inode;
static const struct dt_proc_val zero_proc;
static const struct dt_counts zero_counts;

static __always_inline void add(__u64 *p, __u64 v)
{
	__sync_fetch_and_add(p, v);
}

static const struct dt_hist_slots zero_slots;
static const struct dt_pid_val zero_pid;
static const __u64 zero_u64;

/* lookup_or_init's overflow for a caller that counts a full map itself, or need not. */
#define DT_D_UNCOUNTED -1

/* The row of key in a hash map, created from init on first sight; NULL when the map is full,
 * counted in diag[overflow]. *fresh says the row was absent here, so that the caller fills in
 * what only the first sight knows (a comm). Two CPUs creating one row: the second update fails
 * (BPF_NOEXIST) and both find the first's row; both may fill it in, with their own comm. */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *init,
					    int overflow, bool *fresh)
{
	void *v = bpf_map_lookup_elem(map, key);

	*fresh = !v;
	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	v = bpf_map_lookup_elem(map, key);
	if (!v && overflow != DT_D_UNCOUNTED)
		add(&diag[overflow], 1);
	return v;
}

/* --hist-by: the sample in its key's row too, created on first need. Insert-if-absent then a
 * plain add, as count_offset(): no fetching atomic, which 5.10 refuses. A subprogram, not
 * inlined, so that without --hist-by (the verifier prunes the call) the callers' registers are
 * allocated as if it were not there. */
static __noinline void key_hist_add(int h, __u32 slot, const struct dt_inode_key *k)
{
	struct dt_khist_key kk = { .stage = (__u8)h };
	struct dt_hist_slots *row;
	bool fresh;

	if (hist_by == DT_HB_FILE)
		kk.inode = *k;
	else if (hist_by == DT_HB_DEVICE)
		kk.inode.dev = k->dev;
	else
		kk.tgid = bpf_get_current_pid_tgid() >> 32;
	row = lookup_or_init(&key_hists, &kk, &zero_slots, DT_D_HIST_OVERFLOW, &fresh);
	if (!row)
		return;
	if (slot < DT_MAX_SLOTS)
		add(&row->slots[slot], 1);
}

/* This CPU's aggregates (include/daxtrace.h). A per-CPU array's only entry is always there;
 * the verifier wants the check anyway. */
static __always_inline struct dt_cpu_agg *cpu_agg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_aggs, &zero);
}

/* One latency of stage h, of the file k: host-wide in this CPU's histograms, and with
 * --hist-by in its key's row. Atomic adds although the line is this CPU's: a preempted
 * fexit program and a tracepoint program may both be adding on one CPU. */
static __always_inline void hist_add(struct dt_cpu_agg *c, int h, __u64 delta_ns,
				     const struct dt_inode_key *k)
{
	__u32 slot = dt_log2_slot(delta_ns / hist_unit_ns);

	if (!c || h < 0 || h >= DT_H_NR)
		return;
	if (hist_by)
		key_hist_add(h, slot, k);
	add(&c->hists[h].slots[slot], 1);
	add(&c->hist_sum_ns[h], delta_ns);
}

static __always_inline __u32 tid_now(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/* Direct loads where the argument is BTF-typed: a plain load instead of a helper call, on a
 * path that runs several times per fault. */
static __always_inline struct dt_inode_key inode_key(bool typed, struct inode *inode)
{
	struct dt_inode_key k = {};

	if (typed) {
		k.dev = inode->i_sb->s_dev;
		k.ino = inode->i_ino;
		k.gen = inode->i_generation;
	} else {
		k.dev = BPF_CORE_READ(inode, i_sb, s_dev);
		k.ino = BPF_CORE_READ(inode, i_ino);
		k.gen = BPF_CORE_READ(inode, i_generation);
	}
	return k;
}

static __always_inline __u64 fault_address(bool typed, struct vm_fault *vmf)
{
	return typed ? vmf->address : BPF_CORE_READ(vmf, address);
}

/* Filters are applied once per event, before any map is touched. `id` is
 * bpf_get_current_pid_tgid(), taken once per event and passed down. */
static __always_inline bool wanted(const struct dt_inode_key *k, __u64 id)
{
	__u32 tgid = id >> 32;

	if (!filter_any)
		return true;
	if (filter_tree) {
		if (!bpf_map_lookup_elem(&traced, &tgid))
			return false;
	} else if (filter_tgid && tgid != filter_tgid) {
		return false;
	}
	if (filter_dev && k->dev != filter_dev)
		return false;
	if (filter_ino && k->ino != filter_ino)
		return false;
	if (filter_paths && !bpf_map_lookup_elem(&path_devs, &k->dev) &&
	    !bpf_map_lookup_elem(&path_files, k))
		return false;
	/* kworkers (writeback) are in the root cgroup: dropped, as -p drops them */
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup_map, 0) != 1)
		return false;
	return true;
}

/* The basename and a few parents, taken once per inode: bpf_d_path is not allowed from
 * tracepoints, and user space completes the path from the mount table. */
static __always_inline void capture_path(struct dt_inode_val *v, struct vm_fault *vmf)
{
	struct dentry *d = BPF_CORE_READ(vmf, vma, vm_file, f_path.dentry);
	struct dentry *parent;
	int i;

	for (i = 0; i < DT_PATH_DEPTH; i++) {
		if (!d)
			break;
		parent = BPF_CORE_READ(d, d_parent);
		if (parent == d) /* the filesystem root: its name is "/" */
			break;
		bpf_probe_read_kernel_str(v->path[i], DT_NAME_LEN, BPF_CORE_READ(d, d_name.name));
		if (BPF_CORE_READ(d, d_name.len) >= DT_NAME_LEN)
			v->cut |= 1 << i;
		d = parent;
	}
}

/* The per-inode record, created on first sight; NULL when the map is full. */
static __always_inline struct dt_inode_val *inode_val_quiet(const struct dt_inode_key *k,
							    struct vm_fault *vmf)
{
	bool fresh;
	struct dt_inode_val *v = lookup_or_init(&inodes, k, &zero_inode, DT_D_UNCOUNTED, &fresh);

	if (!v)
		return NULL;
	if (vmf && !v->path[0][0])
		capture_path(v, vmf);
	return v;
}

/* The same for an event to count: NULL when the map is full, and then the event still counts
 * in totals[], and diag[] says how often that happened. */
static __always_inline struct dt_inode_val *inode_val(const struct dt_inode_key *k,
						      struct vm_fault *vmf)
{
	struct dt_inode_val *v = inode_val_quiet(k, vmf);

	if (!v)
		add(&diag[DT_D_INODE_OVERFLOW], 1);
	return v;
}

/* `trace`: the inode row at a fault's first event, so that user space can name the file of
 * every line (src/trace_stream.c looks it up). No event is missing from a row it cannot get
 * here, so a full map is not counted. */
static __always_inline void trace_inode(const struct dt_inode_key *k, struct vm_fault *vmf)
{
	if (trace_mode && !bpf_map_lookup_elem(&inodes, k))
		inode_val_quiet(k, vmf);
}

/* ---- this CPU's slots ------------------------------------------------------------------ */

/* Moves a slot's state from old to new, if it is still old. From 6.18 a BPF program can be
 * preempted mid-run, so two programs of this CPU (never the same one: the kernel's recursion
 * guard) may be at one slot; whoever swaps first wins. Kernels that refuse compare-and-swap
 * (before 5.12, the hash build) run tracepoint programs with preemption off: nothing else
 * writes this CPU's slots meanwhile there, and an add does it. */
static __always_inline bool slot_state_swap(__u32 *state, __u32 old, __u32 new)
{
#ifdef DT_INFLIGHT_HASH
	if (*(volatile __u32 *)state != old)
		return false;
	__sync_fetch_and_add(state, new - old);
	return true;
#else
	return __sync_val_compare_and_swap(state, old, new) == old;
#endif
}

/* A free slot becomes the pair's once the shared inode row exists (it holds the path, and
 * user space reports the inode from it); false when the inode map is full or another program
 * of this CPU took the slot first (the event then counts in the shared row). */
static __always_inline bool slot_claim(struct dt_cpu_slot *s, const struct dt_inode_key *k,
				       __u32 tgid, struct vm_fault *vmf)
{
	if (!inode_val_quiet(k, vmf) || !slot_state_swap(&s->state, 0, DT_SLOT_CLAIMING))
		return false;
	s->inode = *k;
	s->tgid = tgid;
	/* an atomic after the key's stores: a reader that sees CLAIMED sees the key */
	slot_state_swap(&s->state, DT_SLOT_CLAIMING, DT_SLOT_CLAIMED);
	return true;
}

/* This CPU's slot of the pair (inode k, process tgid): found among its ways, or claimed in the
 * first free one; NULL when its ways hold other pairs or the inode map is full. Slots are
 * never released, so a pair is in the first free way its ways had when it came (or a later
 * one, if a preempted claim held that way then): a free way ends the search. Only
 * tracepoint programs use slots. */
static __always_inline struct dt_cpu_slot *cpu_slot(struct dt_cpu_agg *c,
						     const struct dt_inode_key *k, __u32 tgid,
						     struct vm_fault *vmf)
{
	__u32 h = dt_slot_hash(k, tgid);

	if (!c)
		return NULL;
	for (int i = 0; i < DT_CPU_SLOT_WAYS; i++) {
		struct dt_cpu_slot *s = &c->slots[(h + i) & (DT_CPU_SLOTS - 1)];
		__u32 state = *(volatile __u32 *)&s->state;

		if (!state)
			return slot_claim(s, k, tgid, vmf) ? s : NULL;
		if ((state & DT_SLOT_CLAIMED) && s->inode.ino == k->ino && s->tgid == tgid &&
		    s->inode.dev == k->dev && s->inode.gen == k->gen)
			return s;
	}
	return NULL;
}

/* Where an event's counts go: this CPU's slot of the pair, else the shared inode row, else
 * NULL (the inode map is full: unkeyed, and counted in inode_map_full). */
static __always_inline struct dt_counts *event_row(struct dt_cpu_agg *c,
						   const struct dt_inode_key *k, __u64 id,
						   struct vm_fault *vmf, struct dt_cpu_slot **slot)
{
	*slot = cpu_slot(c, k, id >> 32, vmf);
	if (*slot)
		return (struct dt_counts *)(*slot)->counters;
	return (struct dt_counts *)inode_val(k, vmf);
}

/* The device's record of unkeyed events, created on first need; NULL past DT_MAX_DEVS. */
static __always_inline struct dt_counts *unkeyed_dev(__u32 dev)
{
	bool fresh;

	return lookup_or_init(&unkeyed_devs, &dev, &zero_counts, DT_D_DEV_OVERFLOW, &fresh);
}

/* --hist-by process: the current process's row, created with its comm on first sight; NULL
 * when the map is full (counted). */
static __always_inline struct dt_pid_val *pid_val(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	bool fresh;
	struct dt_pid_val *p = lookup_or_init(&pids, &tgid, &zero_pid, DT_D_PROCESS_OVERFLOW, &fresh);

	if (p && fresh)
		bpf_get_current_comm(p->comm, sizeof(p->comm));
	return p;
}

/* --hist-by process: counter c (or, with fallback, reason c) in the process's row. Not inlined,
 * as key_hist_add(). */
static __noinline void count_pid(int c, bool fallback)
{
	struct dt_pid_val *p = pid_val();

	if (!p)
		return;
	if (!fallback && c >= 0 && c < DT_C_NR)
		add(&p->counters[c], 1);
	else if (fallback && c >= 0 && c < DT_FB_NR)
		add(&p->fallbacks[c], 1);
}

/* One event of counter c (or, with fallback, of fallback reason c): in the inode's row, or,
 * when the inode has none, in the unkeyed totals (host and device). One atomic on the common
 * path; with --hist-by process, the process's row too. `fallback` is a constant at each call,
 * so only one of each pair of arrays is in the code. */
static __always_inline void count_in(struct dt_counts *v, const struct dt_inode_key *k, int c,
				     bool fallback)
{
	struct dt_counts *d;

	if (c < 0 || c >= (fallback ? DT_FB_NR : DT_C_NR))
		return;
	if (hist_by == DT_HB_PROCESS)
		count_pid(c, fallback);
	if (v) {
		add(fallback ? &v->fallbacks[c] : &v->counters[c], 1);
		return;
	}
	add(fallback ? &unkeyed_fallbacks[c] : &unkeyed[c], 1);
	d = unkeyed_dev(k->dev);
	if (d)
		add(fallback ? &d->fallbacks[c] : &d->counters[c], 1);
}

static __always_inline void count(struct dt_counts *v, const struct dt_inode_key *k, int c)
{
	count_in(v, k, c, false);
}

static __always_inline void count_fallback(struct dt_counts *v, const struct dt_inode_key *k,
					   int r)
{
	count_in(v, k, r, true);
}

/* One fallback or race at page index pgoff of inode k, in its 2 MiB block's row. Only for an
 * inode that has a row (v): without one the event is already in inode_map_full, and a block
 * row would name a file no report shows. Insert-if-absent then a plain add: no fetching
 * atomic, which 5.10 refuses. */
static __always_inline void count_offset(const struct dt_counts *v,
					 const struct dt_inode_key *k, __u64 pgoff, int kind,
					 int reason)
{
	struct dt_offset_key ok = {};
	bool fresh;
	__u64 *n;

	if (!v)
		return;
	ok.inode = *k;
	ok.offset = DT_BLOCK_OFFSET(pgoff);
	ok.kind = kind;
	ok.reason = reason;
	n = lookup_or_init(&offsets, &ok, &zero_u64, DT_D_OFFSET_OVERFLOW, &fresh);
	if (n)
		add(n, 1);
}

/* The (inode, process) row, created with the comm on first sight; NULL when the map is full
 * (counted). */
static __always_inline struct dt_proc_val *proc_row(const struct dt_inode_key *k, __u64 id)
{
	struct dt_proc_key pk = { .inode = *k, .tgid = id >> 32 };
	bool fresh;
	struct dt_proc_val *p = lookup_or_init(&procs, &pk, &zero_proc, DT_D_PROC_OVERFLOW, &fresh);

	if (p && fresh)
		bpf_get_current_comm(p->comm, sizeof(p->comm));
	return p;
}

/* Faults per (inode, process), from which user space picks the top process of each inode: in
 * the pair's slot once its shared row exists, else in that row. */
static __always_inline void count_proc(struct dt_cpu_slot *slot, const struct dt_inode_key *k,
				       __u64 id)
{
	struct dt_proc_val *p;

	if (slot && (slot->state & DT_SLOT_PROC)) {
		add(&slot->faults, 1);
		return;
	}
	p = proc_row(k, id);
	if (!p)
		return;
	if (!slot) {
		add(&p->faults, 1);
		return;
	}
	add(&slot->faults, 1);
	slot_state_swap(&slot->state, DT_SLOT_CLAIMED, DT_SLOT_CLAIMED | DT_SLOT_PROC);
}

/* pgoff: the page index of an event without a vmf (writeback's start_index, pgoff). */
static __always_inline void emit_at(int type, const struct dt_inode_key *k, struct vm_fault *vmf,
				    __u64 pgoff, int result, __u64 latency_ns, int fallback)
{
	struct dt_event *e;
	__u64 id;

	if (!trace_mode)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		add(&diag[DT_D_LOST_EVENTS], 1);
		return;
	}
	id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_ns();
	e->ino = k->ino;
	e->dev = k->dev;
	e->address = vmf ? BPF_CORE_READ(vmf, address) : 0;
	e->pgoff = vmf ? BPF_CORE_READ(vmf, pgoff) : pgoff;
	e->latency_ns = latency_ns;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->result = result;
	e->type = type;
	e->fallback = fallback;
	e->gen = k->gen;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void emit(int type, const struct dt_inode_key *k, struct vm_fault *vmf,
				 int result, __u64 latency_ns, int fallback)
{
	emit_at(type, k, vmf, 0, result, latency_ns, fallback);
}

/* ---- the in-flight table ---------------------------------------------------------------- */

#ifndef DT_INFLIGHT_HASH
/* The slot holding this thread's sequence, or NULL. Thread id 0 (the idle tasks) never owns
 * one: 0 marks a free slot. */
static __always_inline struct dt_seq *seq_find(__u32 tid)
{
	__u32 base = (tid & seq_set_mask) * DT_SEQ_WAYS;
	struct dt_seq *s;

	if (!tid)
		return NULL;
	for (int i = 0; i < DT_SEQ_WAYS; i++) {
		__u32 k = base + i;

		s = bpf_map_lookup_elem(&inflight, &k);
		if (s && s->owner == tid)
			return s;
	}
	return NULL;
}

/* A slot another thread may take: free, or its sequence abandoned. */
static __always_inline bool seq_claimable(const struct dt_seq *s, __u64 now)
{
	return !s->owner || (__s64)(now - s->t_last) >= (__s64)DT_SEQ_STALE_NS;
}

/* Takes the slot with a compare-and-swap on its owner: a thread of the same set on another CPU
 * may go for it at the same moment. */
static __always_inline bool seq_take(struct dt_seq *s, __u32 tid, __u64 now)
{
	__u32 old = s->owner;

	if (!seq_claimable(s, now) || __sync_val_compare_and_swap(&s->owner, old, tid) != old)
		return false;
	if (old)
		add(&diag[DT_D_STALE], 1);
	return true;
}

/* The thread's slot for a new fault: the one it holds (*held is set), else the first slot of
 * its set it can take. NULL when every slot of the set is busy. */
static __always_inline struct dt_seq *seq_open(__u32 tid, __u64 now, bool *held)
{
	__u32 base = (tid & seq_set_mask) * DT_SEQ_WAYS;
	struct dt_seq *s = seq_find(tid);

	*held = s != NULL;
	if (s || !tid)
		return s;
	for (int i = 0; i < DT_SEQ_WAYS; i++) {
		__u32 k = base + i;

		s = bpf_map_lookup_elem(&inflight, &k);
		if (s && seq_take(s, tid, now))
			return s;
	}
	return NULL;
}

/* The sequence is over: the slot is free for any thread of the set. The exchange orders the
 * slot's last writes before the release, for the next owner on another CPU. */
static __always_inline void seq_release(struct dt_seq *s)
{
	s->phase = DT_P_IDLE;
	__sync_lock_test_and_set(&s->owner, 0);
}
#else
/* The hash variant: a thread's sequence is the entry of its own id, and only that thread
 * inserts, uses or deletes it (user space deletes only entries idle for DT_SEQ_STALE_NS), so
 * no claim needs an atomic. Thread id 0 (the idle tasks) never has one. */
static __always_inline struct dt_seq *seq_find(__u32 tid)
{
	if (!tid)
		return NULL;
	return bpf_map_lookup_elem(&inflight, &tid);
}

/* The thread's entry for a new fault: the one it has (*held is set), else a new one; NULL when
 * the table is full. An entry left by a killed thread stays until user space sweeps it, or
 * until a new thread reuses its id and finds it held. */
static __always_inline struct dt_seq *seq_open(__u32 tid, __u64 now, bool *held)
{
	struct dt_seq s = { .owner = tid, .t_last = now };
	struct dt_seq *p = seq_find(tid);

	*held = p != NULL;
	if (p || !tid)
		return p;
	if (bpf_map_update_elem(&inflight, &tid, &s, BPF_NOEXIST))
		return NULL;
	return bpf_map_lookup_elem(&inflight, &tid);
}

/* The sequence is over: its entry goes, and nothing touches it after this. */
static __always_inline void seq_release(struct dt_seq *s)
{
	__u32 tid = s->owner;

	bpf_map_delete_elem(&inflight, &tid);
}
#endif

/* ---- fault attempts ------------------------------------------------------------------ */

/* dax_pte_fault / dax_pmd_fault. A PMD FALLBACK retried as PTE, or an ext4 ENOSPC retry,
 * reuses the same vmf and address: that continues the sequence. Anything else starts one. */
static __always_inline int on_fault(bool typed, struct inode *inode, struct vm_fault *vmf,
				    bool pmd)
{
	struct dt_inode_key k = inode_key(typed, inode);
	__u64 id = bpf_get_current_pid_tgid(), now, address;
	__u32 tid = (__u32)id;
	struct dt_seq *s;
	bool held;

	if (!wanted(&k, id))
		return 0;
	now = bpf_ktime_get_ns();
	address = fault_address(typed, vmf);
	trace_inode(&k, vmf);
	emit(pmd ? DT_E_PMD_FAULT : DT_E_PTE_FAULT, &k, vmf, 0, 0, 0);
	s = seq_open(tid, now, &held);
	if (!s) {
		add(&diag[DT_D_INFLIGHT_OVERFLOW], 1);
		return 0;
	}
	if (held && s->phase == DT_P_RETRY && s->vmf == (__u64)vmf && s->address == address) {
		s->attempts++;
	} else {
		if (held && s->phase != DT_P_RETRY) /* the thread's last sequence never ended */
			add(&diag[DT_D_STALE], 1);
		s->vmf = (__u64)vmf;
		s->address = address;
		s->inode = k;
		s->t_start = now;
		s->t_needdsync = s->t_finish = s->t_fsync_end = s->t_insert = s->t_writeback = 0;
		s->sync_pmd = 0;
		s->attempts = 1;
	}
	s->phase = pmd ? DT_P_PMD_TRY : DT_P_PTE_TRY;
	s->t_attempt = now;
	s->t_last = now;
	s->dstmap_seen = 0;
	s->hole_fallback_seen = 0;
	return 0;
}

/* Thread tid's sequence if it is at `phase` for this vmf, else NULL. */
static __always_inline struct dt_seq *seq_of(__u32 tid, struct vm_fault *vmf, int phase)
{
	struct dt_seq *s = seq_find(tid);

	if (!s || s->phase != phase || (vmf && s->vmf != (__u64)vmf))
		return NULL;
	return s;
}

/* The same for the current thread, where nothing else needs its id. */
static __always_inline struct dt_seq *seq_at(struct vm_fault *vmf, int phase)
{
	return seq_of(tid_now(), vmf, phase);
}

/* iomap_iter_dstmap: the extent dax_iomap_pmd_fault is about to use. Fires for all iomap
 * I/O, so it does nothing unless this thread has a PMD attempt open. */
static __always_inline int on_dstmap(struct iomap *iomap)
{
	struct dt_seq *s = seq_at(NULL, DT_P_PMD_TRY);

	if (!s)
		return 0;
	s->dstmap_seen = 1;
	s->dstmap_offset = BPF_CORE_READ(iomap, offset);
	s->dstmap_length = BPF_CORE_READ(iomap, length);
	s->dstmap_type = BPF_CORE_READ(iomap, type);
	s->dstmap_flags = BPF_CORE_READ(iomap, flags);
	return 0;
}

/* What dax_pmd_fault_done carries, completed by the thread's iomap observations. */
static __always_inline int classify(struct vm_fault *vmf, __u64 max_pgoff, struct dt_seq *s)
{
	struct dt_pmd_try t = {};

	t.address = BPF_CORE_READ(vmf, address);
	t.pgoff = BPF_CORE_READ(vmf, pgoff);
	t.flags = vmf_flags(vmf);
	t.vm_start = BPF_CORE_READ(vmf, vma, vm_start);
	t.vm_end = BPF_CORE_READ(vmf, vma, vm_end);
	t.vm_flags = BPF_CORE_READ(vmf, vma, vm_flags);
	t.max_pgoff = max_pgoff;
	if (s) {
		t.dstmap_seen = s->dstmap_seen;
		t.hole_fallback_seen = s->hole_fallback_seen;
		t.dstmap_type = s->dstmap_type;
		t.dstmap_flags = s->dstmap_flags;
		t.dstmap_offset = s->dstmap_offset;
		t.dstmap_length = s->dstmap_length;
	}
	/* Without the sequence the iomap part is unknown. */
	return dt_classify_fallback(&t, dstmap_hooked && s);
}

/* The end of a sync sequence, whichever event ends it. */
static __always_inline void close_sync(struct dt_cpu_agg *c, struct dt_seq *s, __u64 now)
{
	hist_add(c, DT_H_SYNC_FAULT, now - s->t_start, &s->inode);
	s->t_last = now;
	seq_release(s);
}

/* dax_pte_fault_done / dax_pmd_fault_done. Counts never depend on the in-flight state;
 * latencies do. */
static __always_inline int on_fault_done(bool typed, struct inode *inode, struct vm_fault *vmf,
					 __u64 max_pgoff, int result, bool pmd)
{
	struct dt_inode_key k = inode_key(typed, inode);
	__u64 id = bpf_get_current_pid_tgid(), now, lat = 0;
	struct dt_cpu_slot *slot;
	struct dt_cpu_agg *c;
	struct dt_counts *v;
	struct dt_seq *s;
	int reason = -1;

	if (!wanted(&k, id))
		return 0;
	now = bpf_ktime_get_ns();
	c = cpu_agg();
	v = event_row(c, &k, id, vmf, &slot);
	count(v, &k, pmd ? DT_C_PMD_FAULTS : DT_C_PTE_FAULTS);
	count_proc(slot, &k, id);
	s = seq_of((__u32)id, vmf, pmd ? DT_P_PMD_TRY : DT_P_PTE_TRY);
	if (s) {
		lat = now - s->t_attempt;
		hist_add(c, pmd ? DT_H_PMD_FAULT : DT_H_PTE_FAULT, lat, &k);
		s->t_last = now;
	}
	if (result & DT_VM_FAULT_NEEDDSYNC) {
		count(v, &k, DT_C_SYNC_FAULTS);
		if (s) {
			s->phase = DT_P_SYNC_PENDING;
			s->sync_pmd = pmd;
			s->t_needdsync = now;
		}
	} else if (pmd && result == DT_VM_FAULT_FALLBACK) {
		reason = classify(vmf, max_pgoff, s);
		count(v, &k, DT_C_FALLBACKS);
		count_fallback(v, &k, reason);
		count_offset(v, &k, BPF_CORE_READ(vmf, pgoff), DT_OFF_FALLBACK, reason);
		if (s)
			s->phase = DT_P_RETRY;
	} else if (result & DT_VM_FAULT_FAULT_ERROR) {
		count(v, &k, DT_C_FAULT_ERRORS);
		if (s) /* ext4 retries the same vmf after ENOSPC */
			s->phase = DT_P_RETRY;
	} else if (s) {
		seq_release(s);
	}
	emit(pmd ? DT_E_PMD_DONE : DT_E_PTE_DONE, &k, vmf, result, lat, reason + 1);
	return 0;
}

static __always_inline int on_load_hole(bool typed, struct inode *inode, struct vm_fault *vmf,
					int type)
{
	struct dt_inode_key k = inode_key(typed, inode);
	__u64 id = bpf_get_current_pid_tgid();
	struct dt_cpu_slot *slot;

	if (!wanted(&k, id))
		return 0;
	count(event_row(cpu_agg(), &k, id, vmf, &slot), &k, DT_C_HOLE_LOADS);
	emit(type, &k, vmf, 0, 0, 0);
	return 0;
}

/* dax_pmd_load_hole_fallback: a FALLBACK for this attempt follows (reason HOLE_ZERO_PMD). */
static __always_inline int on_hole_fallback(bool typed, struct inode *inode,
					    struct vm_fault *vmf)
{
	struct dt_inode_key k = inode_key(typed, inode);
	__u64 id = bpf_get_current_pid_tgid();
	struct dt_seq *s;

	if (!wanted(&k, id))
		return 0;
	s = seq_of((__u32)id, vmf, DT_P_PMD_TRY);
	if (s)
		s->hole_fallback_seen = 1;
	emit(DT_E_PMD_LOAD_HOLE_FALLBACK, &k, vmf, 0, 0, 0);
	return 0;
}

/* ---- dax_finish_sync_fault ----------------------------------------------------------- */

/* dax_insert_pfn_mkwrite / _no_entry: the last step of a sync fault. Which size was
 * upgraded is the size of the attempt that returned NEEDDSYNC (the tracepoint has no
 * order field). */
static __always_inline int on_mkwrite(bool typed, struct inode *inode, struct vm_fault *vmf,
				      int result, bool no_entry)
{
	struct dt_inode_key k = inode_key(typed, inode);
	__u64 id = bpf_get_current_pid_tgid(), now, lat = 0;
	struct dt_cpu_slot *slot;
	struct dt_cpu_agg *c;
	struct dt_counts *v;
	struct dt_seq *s;

	if (!wanted(&k, id))
		return 0;
	now = bpf_ktime_get_ns();
	c = cpu_agg();
	v = event_row(c, &k, id, vmf, &slot);
	s = seq_of((__u32)id, vmf, DT_P_SYNC_PENDING);
	if (no_entry) {
		count(v, &k, DT_C_RACES);
		count_offset(v, &k, BPF_CORE_READ(vmf, pgoff), DT_OFF_RACE, 0);
	}
	else if (result & DT_VM_FAULT_ERROR)
		count(v, &k, DT_C_MKWRITE_ERRORS);
	else if (s)
		count(v, &k, s->sync_pmd ? DT_C_PMD_UPGRADES : DT_C_PTE_UPGRADES);
	if (s) {
		if (s->t_fsync_end)
			hist_add(c, DT_H_MKWRITE, now - s->t_fsync_end, &s->inode);
		if (s->t_insert)
			hist_add(c, DT_H_INSERT, now - s->t_insert, &s->inode);
		lat = now - s->t_start;
		close_sync(c, s, now);
	} else {
		add(&diag[DT_D_UNMATCHED], 1);
	}
	emit(no_entry ? DT_E_MKWRITE_NO_ENTRY : DT_E_MKWRITE, &k, vmf, result, lat, 0);
	return 0;
}

/* The 2nd argument of dax_finish_sync_fault: enum page_entry_size (PMD = 1) up to 6.5,
 * unsigned int order (PMD = 9) after. It is authoritative for the size of the upgrade. */
enum page_entry_size___old { PE_SIZE_PMD___old = 1 };

static __always_inline int on_finish_enter(struct vm_fault *vmf, __u64 size)
{
	struct dt_seq *s = seq_at(vmf, DT_P_SYNC_PENDING);
	__u64 pmd = bpf_core_type_exists(enum page_entry_size___old) ? 1 : 9;

	if (!s)
		return 0;
	s->t_finish = bpf_ktime_get_ns();
	s->sync_pmd = (__u32)size == pmd;
	return 0;
}

static __always_inline void fsync_returned(struct dt_seq *s, long ret)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 start = s->t_finish ? s->t_finish : s->t_needdsync;
	struct dt_cpu_agg *c = cpu_agg();

	s->t_fsync_end = now;
	hist_add(c, DT_H_FSYNC, now - start, &s->inode);
	if (ret < 0) {
		/* dax_finish_sync_fault returns SIGBUS; no dax tracepoint follows. The shared row,
		 * not a slot: this may be an fexit program, which can be preempted. */
		count(bpf_map_lookup_elem(&inodes, &s->inode), &s->inode, DT_C_FSYNC_FAILURES);
		emit(DT_E_FSYNC_FAILED, &s->inode, NULL, (int)ret, now - s->t_start, 0);
		close_sync(c, s, now);
	}
}

/* vfs_fsync_range returning (fexit/kretprobe) or ext4_sync_file_exit: on this thread, while a
 * sync is pending, it can only be the fsync of dax_finish_sync_fault. */
static __always_inline int on_fsync_exit(long ret)
{
	struct dt_seq *s = seq_at(NULL, DT_P_SYNC_PENDING);

	if (s && !s->t_fsync_end)
		fsync_returned(s, ret);
	return 0;
}

/* Exit of dax_finish_sync_fault with the sequence still pending: the fsync failed where no
 * fsync hook could see it, and no mkwrite tracepoint will fire. */
static __always_inline int on_finish_exit(__u32 ret)
{
	struct dt_seq *s;

	if (!(ret & DT_VM_FAULT_SIGBUS)) /* the common case needs no lookup */
		return 0;
	s = seq_at(NULL, DT_P_SYNC_PENDING);
	if (s && !s->t_fsync_end)
		fsync_returned(s, -1);
	return 0;
}

/* The writable PTE/PMD insert inside dax_finish_sync_fault (insert_pfn(mkwrite=1) etc.). The
 * same functions serve ordinary DAX write faults; only a pending sync sequence makes it ours.
 * `mkwrite` is the whole 64-bit register (kprobe) or trampoline slot (fentry) of the kernel's
 * bool argument. The x86-64 and arm64 calling conventions define only its low 8 bits; the
 * bits above are whatever the caller left there. So the flag is the low byte, not `!= 0`. */
static __always_inline int on_insert_enter(__u64 mkwrite)
{
	struct dt_seq *s;

	if (!(__u8)mkwrite)
		return 0;
	s = seq_at(NULL, DT_P_SYNC_PENDING);
	if (s)
		s->t_insert = bpf_ktime_get_ns();
	return 0;
}

/* ---- -- COMMAND: follow the process tree ------------------------------------------------ */

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (!filter_tree || ptgid == ctgid || !bpf_map_lookup_elem(&traced, &ptgid))
		return 0;
	if (bpf_map_update_elem(&traced, &ctgid, &one, BPF_ANY))
		add(&diag[DT_D_TREE_OVERFLOW], 1);
	return 0;
}

/* A process's last thread exits: forget its tgid before it can be reused. */
static __always_inline int on_exit(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	if (filter_tree && (__u32)id == tgid)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

/* ---- writeback ------------------------------------------------------------------------ */

/* Inside a sync fault the start time goes into the thread's sequence, which the fault path
 * looks up anyway; a hash update and delete per fault cost more. Writeback from fsync(2),
 * msync(2) or a kworker has no sequence and uses wb_start. */
static __always_inline int on_writeback_range(bool typed, struct inode *inode, __u64 start,
					      bool done)
{
	struct dt_inode_key k = inode_key(typed, inode);
	__u64 id = bpf_get_current_pid_tgid(), now, *t0, lat = 0;
	__u32 tid = (__u32)id;
	struct dt_seq *s;

	if (!wanted(&k, id))
		return 0;
	now = bpf_ktime_get_ns();
	s = seq_of(tid, NULL, DT_P_SYNC_PENDING);
	if (!done) {
		if (s)
			s->t_writeback = now;
		else if (bpf_map_update_elem(&wb_start, &tid, &now, BPF_ANY))
			add(&diag[DT_D_INFLIGHT_OVERFLOW], 1);
	} else if (s && s->t_writeback) {
		lat = now - s->t_writeback;
		hist_add(cpu_agg(), DT_H_WRITEBACK, lat, &k);
		s->t_writeback = 0;
	} else if (!s) {
		t0 = bpf_map_lookup_elem(&wb_start, &tid);
		if (t0) {
			lat = now - *t0;
			hist_add(cpu_agg(), DT_H_WRITEBACK, lat, &k);
			bpf_map_delete_elem(&wb_start, &tid);
		}
	}
	emit_at(done ? DT_E_WRITEBACK_RANGE_DONE : DT_E_WRITEBACK_RANGE, &k, NULL, start, 0, lat, 0);
	return 0;
}

static __always_inline int on_writeback_one(bool typed, struct inode *inode, __u64 pgoff)
{
	struct dt_inode_key k = inode_key(typed, inode);
	__u64 id = bpf_get_current_pid_tgid();
	struct dt_cpu_slot *slot;

	if (!wanted(&k, id))
		return 0;
	count(event_row(cpu_agg(), &k, id, NULL, &slot), &k, DT_C_WRITEBACKS);
	emit_at(DT_E_WRITEBACK_ONE, &k, NULL, pgoff, 0, 0, 0);
	return 0;
}

#endif
