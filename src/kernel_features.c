// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "exitcodes.h"
#include "kernel_features.h"

/* Helper ids (include/uapi/linux/bpf.h); the host test checks that these are all the object
 * calls. */
enum {
	H_MAP_LOOKUP = 1, H_MAP_UPDATE = 2, H_MAP_DELETE = 3, H_KTIME = 5, H_PID_TGID = 14,
	H_COMM = 16, H_TASK_UNDER_CGROUP = 37, H_PROBE_READ_KERNEL = 113, H_PROBE_READ_KERNEL_STR = 115,
	H_RINGBUF_RESERVE = 131, H_RINGBUF_SUBMIT = 132,
};

/* Links: raw_tp and tp_btf attach through BPF_RAW_TRACEPOINT_OPEN (4.17), kprobes through
 * perf events where bpf_link_create cannot (libbpf falls back), so no link feature is needed
 * beyond raw_tp. tests/host/bpf-loops says whether the object has a loop left (the loops row). */
const struct dt_feature_def dt_feature_defs[DT_F_NR] = {
	[DT_F_BTF] = { "btf", "kernel BTF (CONFIG_DEBUG_INFO_BTF=y; else --btf FILE)", "5.2",
		       "/sys/kernel/btf/vmlinux readable, or --btf FILE", DT_NEED_ALL,
		       "nothing runs: pass --btf FILE", { 0 } },
	[DT_F_RAW_TP] = { "raw_tp", "BPF raw tracepoints", "4.17",
			  "a raw_tp program that returns 0 loads", DT_NEED_ALL,
			  "nothing runs", { 0 } },
	[DT_F_TP_BTF] = { "tp_btf", "BTF-typed BPF tracing programs (tp_btf, fentry)", "5.5",
			  "a BPF_PROG_TYPE_TRACING load on BTF type 1: refused as no typedef", DT_NEED_NONE,
			  "raw_tp for tracepoints, kprobes for functions", { 0 } },
	[DT_F_MMAP_ARRAY] = { "mmap_array", "mmap-able BPF arrays for global data", "5.5",
			      "bpf_map_create(ARRAY, BPF_F_MMAPABLE) and mmap", DT_NEED_ALL,
			      "nothing runs", { 0 } },
	[DT_F_LOOPS] = { "bounded_loops", "bounded loops in BPF programs", "5.3",
			 "a raw_tp program with a 4-pass loop loads", DT_NEED_ALL, "nothing runs", { 0 } },
	[DT_F_PROBE_READ] = { "probe_read_kernel", "the bpf_probe_read_kernel helpers", "5.5",
			      "libbpf_probe_bpf_helper(RAW_TRACEPOINT, 113 and 115)", DT_NEED_ALL,
			      "nothing runs", { H_PROBE_READ_KERNEL, H_PROBE_READ_KERNEL_STR } },
	/* 37 (bpf_current_task_under_cgroup, -c): tracing programs have it from 4.9 */
	[DT_F_BASE_HELPERS] = { "base_helpers", "the BPF map, time and task helpers", "4.9",
				"libbpf_probe_bpf_helper(RAW_TRACEPOINT, 1, 2, 3, 5, 14, 16, 37)",
				DT_NEED_ALL, "nothing runs",
				{ H_MAP_LOOKUP, H_MAP_UPDATE, H_MAP_DELETE, H_KTIME, H_PID_TGID, H_COMM,
				  H_TASK_UNDER_CGROUP } },
	[DT_F_RINGBUF] = { "ringbuf", "the BPF ring buffer", "5.8",
			   "libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF), helpers 131 and 132",
			   DT_NEED_TRACE, "no `trace`; the summary modes leave the ring buffer out",
			   { H_RINGBUF_RESERVE, H_RINGBUF_SUBMIT } },
};

const char *dt_feature_state_name(enum dt_feature_state s)
{
	return s == DT_FEAT_PRESENT ? "present" : s == DT_FEAT_MISSING ? "missing" : "unknown";
}

const char *dt_feature_need_name(enum dt_feature_need n)
{
	return n == DT_NEED_ALL ? "all" : n == DT_NEED_TRACE ? "trace" : "none";
}

void dt_features_fake_missing(struct dt_features *f, const char *list)
{
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");

		for (int i = 0; i < DT_F_NR; i++)
			if (strlen(dt_feature_defs[i].name) == n && !strncmp(p, dt_feature_defs[i].name, n))
				f->state[i] = DT_FEAT_MISSING;
		p += n + (p[n] == ',');
	}
}

/* Compares "4.17" and "5.8" as versions. */
static int version_cmp(const char *a, const char *b)
{
	unsigned a1 = 0, a2 = 0, b1 = 0, b2 = 0;

	sscanf(a, "%u.%u", &a1, &a2);
	sscanf(b, "%u.%u", &b1, &b2);
	return a1 != b1 ? (a1 > b1) - (a1 < b1) : (a2 > b2) - (a2 < b2);
}

int dt_features_verdict(const struct dt_features *f, enum dt_mode mode, char *msg, size_t len)
{
	const char *newest = NULL;
	size_t used = 0;
	bool trace_only = true;

	if (len)
		msg[0] = 0;
	for (int i = 0; i < DT_F_NR; i++) {
		const struct dt_feature_def *d = &dt_feature_defs[i];

		if (f->state[i] != DT_FEAT_MISSING || d->need == DT_NEED_NONE ||
		    (d->need == DT_NEED_TRACE && mode != DT_MODE_TRACE && mode != DT_MODE_MAP))
			continue;
		if (d->need == DT_NEED_ALL)
			trace_only = false;
		if (!newest || version_cmp(d->since, newest) > 0)
			newest = d->since;
		if (used < len)
			used += (size_t)snprintf(msg + used, len - used, "%s%s (Linux %s)",
						 used ? ", " : "this kernel lacks ", d->what, d->since);
	}
	if (!newest)
		return 0;
	if (used < len) {
		if (trace_only)
			snprintf(msg + used, len - used, ", which `trace` needs; the summary mode "
				 "(daxtrace without `trace`) runs without it");
		else
			snprintf(msg + used, len - used, ": daxtrace needs Linux %s or later%s", newest,
				 mode == DT_MODE_CHECK ? "" : " (daxtrace check lists what this kernel has)");
	}
	return DT_EXIT_UNSUPPORTED;
}

void dt_json_features(struct dt_json *j, const struct dt_features *f)
{
	dt_json_key(j, "kernel_features");
	dt_json_begin_object(j);
	for (int i = 0; i < DT_F_NR; i++) {
		const struct dt_feature_def *d = &dt_feature_defs[i];

		dt_json_key(j, d->name);
		dt_json_begin_object(j);
		dt_json_key(j, "state");
		dt_json_string(j, dt_feature_state_name(f->state[i]));
		dt_json_key(j, "since");
		dt_json_string(j, d->since);
		dt_json_key(j, "needed_by");
		dt_json_string(j, dt_feature_need_name(d->need));
		dt_json_key(j, "without");
		dt_json_string(j, d->without);
		dt_json_key(j, "helpers");
		dt_json_begin_array(j);
		for (int h = 0; d->helpers[h]; h++)
			dt_json_u64(j, (uint64_t)d->helpers[h]);
		dt_json_end_array(j);
		dt_json_end_object(j);
	}
	dt_json_end_object(j);
}
