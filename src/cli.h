/* SPDX-License-Identifier: GPL-2.0 */
/* Command line: what the user asked for, validated, with no side effects. */
#ifndef DT_CLI_H
#define DT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include "hist.h"
#include "daxtrace.h"

enum dt_mode {
	DT_MODE_SUMMARY, /* default: aggregate in kernel, print tables and histograms */
	DT_MODE_TRACE,   /* `daxtrace trace`: one line per event */
	DT_MODE_CHECK,   /* `daxtrace check`: which hooks this kernel offers */
	DT_MODE_MAP,     /* `daxtrace map PATH...`: per 2 MiB block, what a read fault maps */
	DT_MODE_TOP,     /* `daxtrace top`: the busiest files or processes, refreshed each -i */
};

struct dt_config {
	enum dt_mode mode;
	uint32_t interval_s; /* 0: one summary at the end */
	uint32_t duration_s; /* 0: until Ctrl-C / SIGTERM / COMMAND exit */
	uint32_t pid;
	bool dev_set;
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	const char *dev_path;   /* --dev PATH: the filesystem PATH is on (src/filters.c) */
	const char *filter_paths[DT_MAX_FILTER_PATHS]; /* --path, repeatable */
	uint32_t n_filter_paths;
	const char *cgroup;     /* -c/--cgroup: a cgroup v2 directory */
	/* Resolved from dev_path, filter_paths and cgroup by dt_filters_resolve() (src/filters.h),
	 * before anything is loaded. */
	struct dt_inode_key path_files[DT_MAX_FILTER_PATHS];
	uint32_t n_path_files;
	uint32_t path_devs[DT_MAX_FILTER_PATHS]; /* kernel dev_t */
	uint32_t n_path_devs;
	int cgroup_fd;          /* -1 without -c */
	enum dt_unit unit;
	bool timestamps;
	bool verbose;
	bool json;
	uint32_t top;
	uint32_t max_inodes;
	uint32_t max_procs;
	uint32_t max_offsets;
	uint32_t max_hists;  /* --max-hists: (key, stage) rows of the per-key histograms */
	int hist_by;         /* --hist-by: enum dt_hist_by */
	uint32_t max_inflight;
	uint32_t ringbuf_kb;
	bool force_raw_tp;   /* skip tp_btf even where it works (tests the raw_tp path) */
	bool no_func_probes; /* skip fentry/kprobe even where they work */
	bool force_kprobes;  /* kprobe even where fentry works (tests the kprobe path) */
	bool force_inflight_hash; /* the hash in-flight table even where compare-and-swap works */
	bool stats;          /* report the BPF programs' own run time */
	const char *prometheus; /* textfile to rewrite each interval, or NULL */
	uint32_t prometheus_top; /* inodes exported as labelled series */
	const char *btf_path;
	const char *output;  /* -o FILE: reports, JSON and events go there instead of stdout */
	char **command; /* NULL-terminated argv after `--`, or NULL */
	char **paths;   /* map: the NULL-terminated PATHs */
	bool exit_now;  /* --help, --usage or --version was printed */
	/* top: -C (no clearing), -P (process rows), -r ROWS, -s KEY (enum dt_top_sort, src/top.h) */
	bool top_no_clear;
	bool top_procs;
	uint32_t top_rows;
	int top_sort;
	bool top_opts; /* one of the four was given (they need 'top') */
};

void dt_config_defaults(struct dt_config *c);
/* Parses argv into c. Returns 0, or DT_EXIT_USAGE after printing one line to stderr. */
int dt_parse_args(int argc, char **argv, struct dt_config *c);

#endif
