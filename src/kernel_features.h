/* SPDX-License-Identifier: GPL-2.0 */
/* What daxtrace needs from a kernel beyond its hooks, in one table: each feature, how it is
 * probed (src/kernel_probe.c dt_features_probe), the kernel that brings it, and what is lost
 * without it. dt_preflight() and `check` decide from it before anything is loaded, so an old
 * kernel gets one line naming what is missing instead of a bare `Invalid argument`. */
#ifndef DT_KERNEL_FEATURES_H
#define DT_KERNEL_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include "cli.h"
#include "json_writer.h"

enum dt_feature {
	DT_F_BTF,            /* kernel BTF: CO-RE relocation, tp_btf and fentry targets */
	DT_F_RAW_TP,         /* BPF_PROG_TYPE_RAW_TRACEPOINT: the fs_dax hooks at the least */
	DT_F_TP_BTF,         /* BPF_PROG_TYPE_TRACING (tp_btf, fentry): else raw_tp and kprobes */
	DT_F_MMAP_ARRAY,     /* BPF_F_MMAPABLE arrays: .bss, .rodata and the in-flight table */
	DT_F_LOOPS,          /* bounded loops: the path walk (capture_path) is not unrolled */
	DT_F_PROBE_READ,     /* bpf_probe_read_kernel(_str): every BPF_CORE_READ */
	DT_F_BASE_HELPERS,   /* map lookup/update/delete, ktime, pid_tgid, comm */
	DT_F_RINGBUF,        /* BPF_MAP_TYPE_RINGBUF and its helpers: `trace` only */
	/* The in-flight table's claim needs BPF atomics (cmpxchg/xchg, 5.12) or, where they are
	 * refused, the table without them: its row goes here, needed by every mode. */
	DT_F_NR
};

enum dt_feature_need {
	DT_NEED_ALL,     /* no mode runs without it */
	DT_NEED_TRACE,   /* only `trace` needs it; the other modes leave it out */
	DT_NEED_NONE,    /* daxtrace degrades without it */
};

enum dt_feature_state { DT_FEAT_UNKNOWN, DT_FEAT_PRESENT, DT_FEAT_MISSING };

struct dt_feature_def {
	const char *name;    /* check --json key and DAXTRACE_FAKE_MISSING word */
	const char *what;    /* as printed: "the BPF ring buffer" */
	const char *since;   /* mainline Linux release that brings it */
	const char *probe;   /* how it is probed */
	enum dt_feature_need need;
	const char *without; /* what daxtrace does without it */
	int helpers[8];      /* BPF helper ids it stands for (probed), 0-terminated */
};

extern const struct dt_feature_def dt_feature_defs[DT_F_NR];

struct dt_features {
	enum dt_feature_state state[DT_F_NR];
	bool btf_file; /* --btf FILE stands in for the kernel's BTF */
};

/* Marks missing the features named in `list` (comma-separated names, as DAXTRACE_FAKE_MISSING
 * gives them: the tests stand in a kernel without them). Unknown names are ignored. */
void dt_features_fake_missing(struct dt_features *f, const char *list);
/* 0 if `mode` can run with f; else DT_EXIT_UNSUPPORTED and the one line to print (without
 * "daxtrace: " and newline) in msg. */
int dt_features_verdict(const struct dt_features *f, enum dt_mode mode, char *msg, size_t len);
const char *dt_feature_state_name(enum dt_feature_state s);
const char *dt_feature_need_name(enum dt_feature_need n);
/* "kernel_features": {name: {"state", "since", "needed_by", "without", "helpers"}} */
void dt_json_features(struct dt_json *j, const struct dt_features *f);

#endif
