// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "daxtrace.h"
#include "defaults.h"
#include "exitcodes.h"
#include "top.h"

#ifndef DAXTRACE_VERSION
#define DAXTRACE_VERSION "0.0-dev"
#endif

static const char doc[] =
"Trace synchronous DAX page faults (MAP_SYNC on ext4/xfs mounted -o dax):\n"
"per file, PTE/PMD faults, metadata syncs, write upgrades, races, PMD\n"
"fallbacks and why, and latency histograms of every stage.\n"
"\n"
"USAGE: daxtrace [OPTION...] [-- COMMAND [ARG...]]\n"
"       daxtrace trace [OPTION...] [-- COMMAND [ARG...]]\n"
"       daxtrace check [-v] [--json] [-o FILE] [--btf FILE]\n"
"       daxtrace map [--json] [-o FILE] PATH...\n"
"       daxtrace top [-C] [-P] [-r ROWS] [-s KEY] [OPTION...] [-- COMMAND]\n"
"\n"
"EXAMPLES:\n"
"  daxtrace                   # system-wide until Ctrl-C, then the summary\n"
"  daxtrace -i 1              # print and reset every second\n"
"  daxtrace -d 10 --json      # 10 seconds, one JSON document\n"
"  daxtrace --json -o run.json -- ./app   # ./app's output stays on stdout\n"
"  daxtrace -p 1234 -m        # one process, latencies in milliseconds\n"
"  daxtrace --dev 259:0 --ino 12\n"
"  daxtrace --path /mnt/dax/db   # one file (or --path /mnt/dax: its filesystem)\n"
"  daxtrace -c /sys/fs/cgroup/db.slice   # tasks in that cgroup (v2) and below\n"
"  daxtrace -- ./app --bench  # start ./app, trace it until it exits\n"
"  daxtrace trace -p 1234     # every event, one line each\n"
"  daxtrace check             # hooks this kernel offers, and how\n"
"  daxtrace map /mnt/dax/db   # per 2 MiB block: PMD, fallback and why, hole\n"
"  daxtrace top -s sync -r 5  # the 5 files with most sync faults, each s\n"
"  daxtrace top -C -i 5 -P    # processes every 5 s, one screen after another\n"
"\n"
"EXIT STATUS:\n"
"  0    success\n"
"  1    runtime error (BPF load, attach or map read failed)\n"
"  2    the traced COMMAND exited non-zero or was killed\n"
"  64   usage error (bad flag or value)\n"
"  66   map: a PATH is missing, unreadable, not a regular file or not DAX\n"
"       (the other PATHs are still examined); --path, --dev PATH: missing,\n"
"       unreadable, not a regular file or directory, or not on a DAX filesystem;\n"
"       -c: missing, unreadable or not a cgroup v2 directory\n"
"  67   no process with the PID given to -p\n"
"  69   kernel lacks BTF, the fs_dax tracepoints or a BPF feature (daxtrace check)\n"
"  77   not permitted: run as root, or grant CAP_BPF and CAP_PERFMON\n"
"  126  COMMAND not executable; 127 COMMAND not found\n"
"\v"
"Counts come from tracepoints; fentry or kprobe hooks, where the kernel\n"
"allows them, add fsync failures and the insert latency. See daxtrace(8).";

enum {
	OPT_DEV = 0x100, OPT_INO, OPT_PATH, OPT_JSON, OPT_MAX_INODES, OPT_MAX_PROCS, OPT_MAX_OFFSETS, OPT_MAX_INFLIGHT,
	OPT_RINGBUF, OPT_RAW_TP, OPT_NO_FUNC, OPT_KPROBES, OPT_INFLIGHT_HASH, OPT_STATS, OPT_PROM, OPT_PROM_TOP, OPT_BTF, OPT_HELP, OPT_USAGE, OPT_NS,
	OPT_HIST_BY, OPT_MAX_HISTS,
};

static const struct argp_option options[] = {
	{ "interval", 'i', "SEC", 0, "Print and reset every SEC seconds (top: default 1)", 0 },
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds", 0 },
	{ "pid", 'p', "PID", 0, "Trace this process only", 0 },
	{ "dev", OPT_DEV, "MAJ:MIN|PATH", 0, "Trace this device only (as in /proc/self/mountinfo), or the filesystem PATH is on", 0 },
	{ "ino", OPT_INO, "INO", 0, "Trace this inode number only", 0 },
	{ "path", OPT_PATH, "PATH", 0, "Trace this file only, or the DAX filesystem of this directory (repeatable, at most " DT_STR(DT_MAX_FILTER_PATHS) ")", 0 },
	{ "cgroup", 'c', "PATH", 0, "Trace tasks in this cgroup v2 directory or below only", 0 },
	{ "top", 'n', "N", 0, "Show the N busiest inodes (default 10; JSON lists all)", 0 },
	{ "milliseconds", 'm', NULL, 0, "Histograms in milliseconds", 0 },
	{ "nanoseconds", OPT_NS, NULL, 0, "Histograms in nanoseconds", 0 },
	{ "hist-by", OPT_HIST_BY, "KEY", 0,
	  "Histograms per file, process or device (KEY), each block busiest first (-n of them); "
	  "process also gives the per-process counter table. Map memory: see --max-hists", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a timestamp with each interval or event", 0 },
	{ "json", OPT_JSON, NULL, 0, "One JSON document per interval (NDJSON)", 0 },
	{ "output", 'o', "FILE", 0, "Write the report, JSON or events to FILE, not stdout", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf debug output and probe decisions", 0 },
	{ "stats", OPT_STATS, NULL, 0, "Also report daxtrace's own BPF cost (runs, ns per run)", 0 },
	{ "prometheus", OPT_PROM, "FILE", 0,
	  "Rewrite FILE (node_exporter textfile format) at start, each interval (-i) and at least every 10 s", 0 },
	{ "prometheus-top", OPT_PROM_TOP, "N", 0, "Inodes exported as labelled series (default 5)", 0 },
	{ "no-clear", 'C', NULL, 0, "top: print each screen after the last, never clear", 2 },
	{ "processes", 'P', NULL, 0, "top: a row per process, not per file", 2 },
	{ "rows", 'r', "ROWS", 0, "top: at most ROWS rows (default " DT_STR(DT_TOP_DEFAULT_ROWS) ")", 2 },
	{ "sort", 's', "KEY", 0, "top: sort by KEY: " DT_TOP_SORT_KEYS " (default faults)", 2 },
	{ "max-inodes", OPT_MAX_INODES, "N", 0, "Size of the per-inode map (default " DT_STR(DT_DEFAULT_MAX_INODES) ")", 1 },
	{ "max-procs", OPT_MAX_PROCS, "N", 0, "Size of the per-(inode, process) map (default " DT_STR(DT_DEFAULT_MAX_PROCS) ")", 1 },
	{ "max-offsets", OPT_MAX_OFFSETS, "N", 0, "Size of the map of fallback and race offsets (default " DT_STR(DT_DEFAULT_MAX_OFFSETS) ")", 1 },
	{ "max-hists", OPT_MAX_HISTS, "N", 0, "--hist-by: (key, stage) histogram rows (default "
	  DT_STR(DT_DEFAULT_MAX_HISTS) ", 344 B each: 1.35 MiB); --hist-by process adds a process "
	  "table of --max-procs rows (272 B each: 4.25 MiB at " DT_STR(DT_DEFAULT_MAX_PROCS)
	  "). Without --hist-by: neither", 1 },
	{ "max-inflight", OPT_MAX_INFLIGHT, "N", 0, "Threads tracked mid-fault (default " DT_STR(DT_DEFAULT_MAX_INFLIGHT) ")", 1 },
	{ "ringbuf-kb", OPT_RINGBUF, "KB", 0, "trace: ring buffer size (default " DT_STR(DT_DEFAULT_RINGBUF_KB) ")", 1 },
	{ "btf", OPT_BTF, "FILE", 0, "Kernel BTF to use instead of /sys/kernel/btf/vmlinux", 1 },
	{ "raw-tp", OPT_RAW_TP, NULL, 0, "Use raw_tp even where tp_btf works", 1 },
	{ "no-func-probes", OPT_NO_FUNC, NULL, 0, "Do not use fentry/kprobe hooks", 1 },
	{ "kprobes", OPT_KPROBES, NULL, 0, "Use kprobes even where fentry works", 1 },
	{ "inflight-hash", OPT_INFLIGHT_HASH, NULL, 0, "Use the in-flight hash even where compare-and-swap works", 1 },
	{ "help", OPT_HELP, NULL, 0, "Give this help list", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 },
	{ "version", 'V', NULL, 0, "Print program version", -1 },
	{},
};

void dt_config_defaults(struct dt_config *c)
{
	memset(c, 0, sizeof(*c));
	c->unit = DT_UNIT_US;
	c->top = 10;
	c->max_inodes = DT_DEFAULT_MAX_INODES;
	c->max_procs = DT_DEFAULT_MAX_PROCS;
	c->max_offsets = DT_DEFAULT_MAX_OFFSETS;
	c->max_hists = DT_DEFAULT_MAX_HISTS;
	c->max_inflight = DT_DEFAULT_MAX_INFLIGHT;
	c->ringbuf_kb = DT_DEFAULT_RINGBUF_KB;
	c->prometheus_top = 5;
	c->cgroup_fd = -1;
	c->top_rows = DT_TOP_DEFAULT_ROWS;
}

/* Strict unsigned parse: digits only, in [min, max]. */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_u32_opt(struct argp_state *st, const char *what, const char *arg,
			 uint64_t min, uint64_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(arg, min, max, &v)) {
		argp_error(st, "invalid %s '%s': expected an integer from %" PRIu64 " to %" PRIu64,
			   what, arg, min, max);
		return EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static const struct argp argp_def;

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	struct dt_config *c = st->input;
	uint64_t v;
	char *colon;

	switch (key) {
	case 'i':
		return parse_u32_opt(st, "interval", arg, 1, 86400 * 365, &c->interval_s);
	case 'd':
		return parse_u32_opt(st, "duration", arg, 1, 86400 * 365, &c->duration_s);
	case 'p':
		return parse_u32_opt(st, "PID", arg, 1, INT32_MAX, &c->pid);
	case 'n':
		return parse_u32_opt(st, "--top", arg, 1, 1000000, &c->top);
	case OPT_DEV:
		if (arg && strchr(arg, '/')) { /* a path: resolved before load (src/filters.c) */
			c->dev_path = arg;
			c->dev_set = true;
			return 0;
		}
		colon = arg ? strchr(arg, ':') : NULL;
		if (!colon) {
			argp_error(st, "invalid --dev '%s': expected MAJ:MIN, e.g. 259:0, or a path such as /mnt/dax", arg);
			return EINVAL;
		}
		*colon = 0;
		if (parse_u64(arg, 0, DT_DEV_MAJOR_MAX, &v)) {
			*colon = ':';
			argp_error(st, "invalid --dev '%s': major must be 0..4095", arg);
			return EINVAL;
		}
		c->dev_major = (uint32_t)v;
		if (parse_u64(colon + 1, 0, DT_DEV_MINOR_MAX, &v)) {
			*colon = ':';
			argp_error(st, "invalid --dev '%s': minor must be 0..1048575", arg);
			return EINVAL;
		}
		*colon = ':';
		c->dev_minor = (uint32_t)v;
		c->dev_set = true;
		c->dev_path = NULL;
		if (!c->dev_major && !c->dev_minor) {
			argp_error(st, "invalid --dev '%s': 0:0 is no device", arg);
			return EINVAL;
		}
		return 0;
	case OPT_INO:
		if (parse_u64(arg, 1, UINT64_MAX, &c->ino)) {
			argp_error(st, "invalid --ino '%s': expected a positive integer", arg);
			return EINVAL;
		}
		return 0;
	case OPT_PATH:
		if (!arg || !*arg) {
			argp_error(st, "--path needs a file or directory");
			return EINVAL;
		}
		if (c->n_filter_paths == DT_MAX_FILTER_PATHS) {
			argp_error(st, "too many --path: at most %d; give their directory instead",
				   DT_MAX_FILTER_PATHS);
			return EINVAL;
		}
		c->filter_paths[c->n_filter_paths++] = arg;
		return 0;
	case 'c':
		if (!arg || !*arg) {
			argp_error(st, "-c needs a cgroup v2 directory, e.g. /sys/fs/cgroup/app.slice");
			return EINVAL;
		}
		c->cgroup = arg;
		return 0;
	case 'C':
		c->top_no_clear = c->top_opts = true;
		return 0;
	case 'P':
		c->top_procs = c->top_opts = true;
		return 0;
	case 'r':
		c->top_opts = true;
		return parse_u32_opt(st, "--rows", arg, 1, 100000, &c->top_rows);
	case 's':
		c->top_sort = dt_top_sort_parse(arg);
		if (c->top_sort < 0) {
			argp_error(st, "invalid --sort '%s': expected one of " DT_TOP_SORT_KEYS, arg);
			return EINVAL;
		}
		c->top_opts = true;
		return 0;
	case 'm':
		c->unit = DT_UNIT_MS;
		return 0;
	case OPT_NS:
		c->unit = DT_UNIT_NS;
		return 0;
	case 'T':
		c->timestamps = true;
		return 0;
	case 'v':
		c->verbose = true;
		return 0;
	case OPT_JSON:
		c->json = true;
		return 0;
	case OPT_MAX_INODES:
		return parse_u32_opt(st, "--max-inodes", arg, 16, 1 << 24, &c->max_inodes);
	case OPT_MAX_PROCS:
		return parse_u32_opt(st, "--max-procs", arg, 16, 1 << 24, &c->max_procs);
	case OPT_MAX_OFFSETS:
		return parse_u32_opt(st, "--max-offsets", arg, 16, 1 << 24, &c->max_offsets);
	case OPT_MAX_HISTS:
		return parse_u32_opt(st, "--max-hists", arg, 16, 1 << 24, &c->max_hists);
	case OPT_HIST_BY:
		if (arg && !strcmp(arg, "file"))
			c->hist_by = DT_HB_FILE;
		else if (arg && !strcmp(arg, "process"))
			c->hist_by = DT_HB_PROCESS;
		else if (arg && !strcmp(arg, "device"))
			c->hist_by = DT_HB_DEVICE;
		else {
			argp_error(st, "invalid --hist-by '%s': expected file, process or device", arg);
			return EINVAL;
		}
		return 0;
	case OPT_MAX_INFLIGHT:
		return parse_u32_opt(st, "--max-inflight", arg, 16, 1 << 22, &c->max_inflight);
	case OPT_RINGBUF:
		if (parse_u32_opt(st, "--ringbuf-kb", arg, 4, 1 << 20, &c->ringbuf_kb))
			return EINVAL;
		if (c->ringbuf_kb & (c->ringbuf_kb - 1)) {
			argp_error(st, "invalid --ringbuf-kb '%s': must be a power of two", arg);
			return EINVAL;
		}
		return 0;
	case OPT_BTF:
		c->btf_path = arg;
		return 0;
	case 'o':
		if (!arg || !*arg) {
			argp_error(st, "-o needs a file name");
			return EINVAL;
		}
		c->output = arg;
		return 0;
	case OPT_RAW_TP:
		c->force_raw_tp = true;
		return 0;
	case OPT_NO_FUNC:
		c->no_func_probes = true;
		return 0;
	case OPT_KPROBES:
		c->force_kprobes = true;
		return 0;
	case OPT_INFLIGHT_HASH:
		c->force_inflight_hash = true;
		return 0;
	case OPT_STATS:
		c->stats = true;
		return 0;
	case OPT_PROM:
		if (!arg || !*arg) {
			argp_error(st, "--prometheus needs a file name");
			return EINVAL;
		}
		c->prometheus = arg;
		return 0;
	case OPT_PROM_TOP:
		return parse_u32_opt(st, "--prometheus-top", arg, 0, 1000, &c->prometheus_top);
	case OPT_HELP:
		argp_state_help(st, stdout, ARGP_HELP_STD_HELP & ~ARGP_HELP_EXIT_OK);
		c->exit_now = true;
		return 0;
	case OPT_USAGE:
		argp_state_help(st, stdout, ARGP_HELP_USAGE);
		c->exit_now = true;
		return 0;
	case 'V':
		printf("daxtrace %s\n", DAXTRACE_VERSION);
		c->exit_now = true;
		return 0;
	case ARGP_KEY_ARG:
		/* First positional argument: the COMMAND to run (with or without `--`), or the
		 * first PATH of map. */
		if (c->mode == DT_MODE_MAP)
			c->paths = &st->argv[st->next - 1];
		else
			c->command = &st->argv[st->next - 1];
		st->next = st->argc;
		return 0;
	case ARGP_KEY_END:
		if (c->exit_now)
			return 0;
		if (c->command && c->pid) {
			argp_error(st, "-p PID and a COMMAND exclude each other: trace one or the other");
			return EINVAL;
		}
		if (c->mode == DT_MODE_MAP && !c->paths) {
			argp_error(st, "'map' needs a PATH: a file or directory on a DAX filesystem");
			return EINVAL;
		}
		if (c->mode == DT_MODE_MAP && (c->interval_s || c->duration_s || c->pid || c->dev_set ||
					       c->ino || c->prometheus || c->stats || c->n_filter_paths ||
					       c->cgroup)) {
			argp_error(st, "'map' reads its own PATHs: -i, -d, -p, -c, --dev, --ino, --path, "
				       "--stats and --prometheus do not apply");
			return EINVAL;
		}
		if (c->mode == DT_MODE_CHECK && c->command) {
			argp_error(st, "'check' takes no COMMAND");
			return EINVAL;
		}
		if (c->interval_s && c->duration_s && c->interval_s > c->duration_s) {
			argp_error(st, "interval (%u s) is longer than duration (%u s)", c->interval_s,
				   c->duration_s);
			return EINVAL;
		}
		if (c->hist_by && c->mode != DT_MODE_SUMMARY) {
			argp_error(st, "--hist-by goes with the summary mode, not 'trace', 'check' or 'map'");
			return EINVAL;
		}
		if (c->prometheus && c->mode != DT_MODE_SUMMARY) {
			argp_error(st, "--prometheus goes with the summary mode, not 'trace', 'top', 'check' or 'map'");
			return EINVAL;
		}
		if (c->top_opts && c->mode != DT_MODE_TOP) {
			argp_error(st, "-C, -P, -r and -s go with 'top'");
			return EINVAL;
		}
		if (c->mode == DT_MODE_TOP && (c->json || c->stats)) {
			argp_error(st, "'top' is a live text view: --json and --stats do not apply");
			return EINVAL;
		}
		if (c->mode == DT_MODE_TOP && !c->interval_s)
			c->interval_s = 1;
		/* top's P99 and -P's counters come from the per-key tables */
		if (c->mode == DT_MODE_TOP)
			c->hist_by = c->top_procs ? DT_HB_PROCESS : DT_HB_FILE;
		if (c->mode == DT_MODE_TRACE && c->interval_s) {
			argp_error(st, "'trace' prints every event: -i does not apply");
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp argp_def = { options, parse_opt, NULL, doc, NULL, NULL, NULL };

int dt_parse_args(int argc, char **argv, struct dt_config *c)
{
	int first = 1;

	if (argc > 1 && !strcmp(argv[1], "trace")) {
		c->mode = DT_MODE_TRACE;
		first = 2;
	} else if (argc > 1 && !strcmp(argv[1], "check")) {
		c->mode = DT_MODE_CHECK;
		first = 2;
	} else if (argc > 1 && !strcmp(argv[1], "map")) {
		c->mode = DT_MODE_MAP;
		first = 2;
	} else if (argc > 1 && !strcmp(argv[1], "top")) {
		c->mode = DT_MODE_TOP;
		first = 2;
	}
	/* argp names the program after argv[0]: errors read "daxtrace: ...", whatever the path
	 * it was run by and whether a subcommand came first */
	static char name[] = "daxtrace";
	argv[first - 1] = name;
	if (argp_parse(&argp_def, argc - first + 1, argv + first - 1,
		       ARGP_NO_EXIT | ARGP_NO_HELP | ARGP_IN_ORDER, NULL, c))
		return DT_EXIT_USAGE;
	return 0;
}
