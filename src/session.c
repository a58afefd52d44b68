// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect.h"
#include "command.h"
#include "daxtrace.h"
#include "daxtrace.skel.h"
#include "exitcodes.h"
#include "loader.h"
#include "output.h"
#include "paths.h"
#include "report.h"
#include "session.h"
#include "top_screen.h"
#include "trace_stream.h"

#define SWEEP_EVERY_NS (5ULL * 1000000000ULL)
/* --prometheus is rewritten at least this often, even when -i is longer */
#define PROM_EVERY_NS (10ULL * 1000000000ULL)
/* Inode rows the cumulative --prometheus snapshot of an -i run keeps, at the least; the rest
 * are folded into its per-device totals, which stay exact. */
#define PROM_CUM_ROWS 256

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t child_changed;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_child(int sig)
{
	(void)sig;
	child_changed = 1;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void install_signals(void)
{
	struct sigaction sa = {};

	sa.sa_handler = on_stop; /* no SA_RESTART: a signal must cut the sleep short */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* SA_RESTART: a child exiting must not fail a write to a slow stdout with EINTR. The
	 * loop still wakes up: nanosleep and epoll_wait are never restarted. */
	sa.sa_handler = on_child;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout shows as EPIPE on write */
}

static int term_width(void)
{
	struct winsize ws;

	const char *cols = getenv("COLUMNS");

	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	if (cols && atoi(cols) > 0)
		return atoi(cols);
	return 80;
}

/* The one-time notice of what this kernel does not let daxtrace see. */
static void notice_degraded(const struct dt_hooks *hooks)
{
	bool func_any = false, func_missing = false;

	for (int i = 0; i < hooks->n; i++) {
		const struct dt_hook *h = &hooks->h[i];

		if (h->kind != DT_HOOK_FUNCTION || dt_hook_note_by_design(&h->note))
			continue;
		if (h->mode == DT_ATTACH_NONE)
			func_missing = true;
		else
			func_any = true;
	}
	if (func_missing && !func_any)
		fprintf(stderr, "daxtrace: tracepoints only (fentry: %s; kprobe: %s): no insert "
				"latency, no fsync failures on xfs\n",
			hooks->fentry_err ? strerror(hooks->fentry_err) : "not tried",
			hooks->kprobe_support ? "failed" : "not supported by this kernel");
	for (int i = 0; i < hooks->n; i++) {
		const struct dt_hook *h = &hooks->h[i];
		char text[160];

		if (h->kind == DT_HOOK_TRACEPOINT && h->mode == DT_ATTACH_NONE &&
		    !dt_hook_note_by_design(&h->note))
			fprintf(stderr, "daxtrace: %s: %s\n", h->name,
				dt_hook_note_text(&h->note, text, sizeof(text)));
	}
}

/* -p takes a process id; a thread id matches nothing, as the filter compares tgids. */
static void notice_thread_id(uint32_t pid)
{
	char path[64], line[128];
	unsigned tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && sscanf(line, "Tgid: %u", &tgid) != 1)
		;
	fclose(f);
	if (tgid && tgid != pid)
		fprintf(stderr, "daxtrace: notice: %u is a thread of process %u, and -p selects "
				"processes: nothing will match; use -p %u\n", pid, tgid, tgid);
}

struct run {
	const struct dt_config *cfg;
	FILE *out; /* stdout or -o FILE */
	struct daxtrace_bpf *skel;
	struct dt_hooks hooks;
	struct dt_report_ctx rep;
	struct dt_snapshot snap;
	struct utsname uts;
	uint64_t interval_start;
	bool out_closed;
	bool failed; /* a map read failed: exit 1 */
	int stats_fd; /* --stats: keeps kernel BPF run-time accounting on */
	bool any_event; /* for the notice when --dev/--ino matched nothing */
	struct dt_snapshot cum; /* --prometheus with -i: the intervals added up */
	struct dt_snapshot prom; /* cum plus the interval so far, between -i reports */
	bool prom_failed;
	char dev_str[24], ino_str[24], pid_str[24];
	struct dt_prog_stat stats[2 * DT_MAX_HOOKS];
	struct dt_top top; /* daxtrace top */
	bool top_begun;
};

/* True once the output is gone (EPIPE: `| head` exited); other errors are cleared. */
static bool output_closed(FILE *out)
{
	if (!ferror(out) && !fflush(out))
		return false;
	if (errno == EPIPE)
		return true;
	clearerr(out);
	return false;
}

static size_t cum_rows(const struct dt_config *cfg)
{
	return 4 * (size_t)cfg->prometheus_top > PROM_CUM_ROWS ? 4 * (size_t)cfg->prometheus_top
							       : PROM_CUM_ROWS;
}

/* Rewrites the --prometheus file from a cumulative snapshot; complains once if it cannot. */
static void write_prometheus(struct run *r, struct dt_snapshot *cumulative)
{
	int err;

	r->rep.wall_ns = now_ns(CLOCK_REALTIME);
	err = dt_report_prometheus(r->cfg->prometheus, &r->rep, cumulative);
	if (err && !r->prom_failed)
		fprintf(stderr, "daxtrace: cannot write %s: %s (will keep trying)\n", r->cfg->prometheus,
			strerror(-err));
	r->prom_failed = err != 0;
}

/* Between reports: without -i the maps are never reset, so a plain read is cumulative; with
 * -i it is the interval so far, added to the intervals before it. */
static void refresh_prometheus(struct run *r)
{
	dt_snapshot_clear(&r->snap);
	if (dt_collect(r->skel, &r->snap, false))
		return;
	if (!r->cfg->interval_s) {
		write_prometheus(r, &r->snap);
		return;
	}
	dt_snapshot_clear(&r->prom);
	if (!dt_snapshot_accumulate(&r->prom, &r->cum, cum_rows(r->cfg)) &&
	    !dt_snapshot_accumulate(&r->prom, &r->snap, cum_rows(r->cfg)))
		write_prometheus(r, &r->prom);
}

/* Takes a snapshot and prints it; returns false if stdout is gone. */
static bool report(struct run *r, bool reset, bool final)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	FILE *out = r->out;

	dt_snapshot_clear(&r->snap);
	if (dt_collect(r->skel, &r->snap, reset)) {
		fprintf(stderr, "daxtrace: reading the BPF maps failed: %s\n", strerror(errno));
		r->failed = true;
	}
	r->snap.interval_ns = now - r->interval_start;
	for (int i = 0; i < DT_C_NR; i++)
		r->any_event |= r->snap.totals[i] != 0;
	r->snap.inflight = dt_sweep_inflight(r->skel, DT_SEQ_STALE_NS);
	r->interval_start = now;
	r->rep.wall_ns = now_ns(CLOCK_REALTIME);
	r->rep.final = final;
	if (r->stats_fd >= 0) {
		r->rep.stats = r->stats;
		r->rep.n_stats = dt_stats_read(&r->hooks, r->stats, sizeof(r->stats) / sizeof(r->stats[0]));
	}
	if (r->cfg->mode == DT_MODE_TRACE)
		return true;
	if (r->cfg->mode == DT_MODE_TOP) {
		dt_top_screen(&r->top, &r->snap, r->rep.wall_ns);
		r->failed |= r->top.failed;
		if (output_closed(out)) {
			r->out_closed = true;
			return false;
		}
		return true;
	}
	if (r->cfg->prometheus) {
		if (reset && dt_snapshot_accumulate(&r->cum, &r->snap, cum_rows(r->cfg)))
			fprintf(stderr, "daxtrace: out of memory adding up intervals for --prometheus\n");
		write_prometheus(r, reset ? &r->cum : &r->snap);
	}
	if (r->cfg->json)
		dt_report_json(out, &r->rep, &r->snap);
	else
		dt_report_text(out, &r->rep, &r->snap);
	dt_report_warnings(stderr, &r->snap);
	if (output_closed(out)) {
		r->out_closed = true;
		return false;
	}
	return true;
}

/* Sleeps until the deadline or a signal. */
static void sleep_until(uint64_t deadline)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	struct timespec ts;

	if (deadline <= now)
		return;
	deadline -= now;
	ts.tv_sec = (time_t)(deadline / 1000000000ULL);
	ts.tv_nsec = (long)(deadline % 1000000000ULL);
	nanosleep(&ts, NULL);
}

static int loop(struct run *r, struct dt_command *cmd, struct ring_buffer *rb)
{
	const struct dt_config *cfg = r->cfg;
	uint64_t start = now_ns(CLOCK_MONOTONIC), next_sweep = start + SWEEP_EVERY_NS;
	uint64_t end = cfg->duration_s ? start + cfg->duration_s * 1000000000ULL : UINT64_MAX;
	uint64_t next_report = cfg->interval_s ? start + cfg->interval_s * 1000000000ULL : UINT64_MAX;
	uint64_t next_prom = cfg->prometheus && (!cfg->interval_s || cfg->interval_s * 1000000000ULL >
						 PROM_EVERY_NS) ? start + PROM_EVERY_NS : UINT64_MAX;

	while (!stop_signal) {
		uint64_t now = now_ns(CLOCK_MONOTONIC), deadline = end;

		if (cmd && (child_changed || cmd->exited)) {
			child_changed = 0;
			if (dt_command_poll(cmd))
				break;
		}
		if (now >= end)
			break;
		if (now >= next_report) {
			if (!report(r, true, false))
				return 0;
			next_report += cfg->interval_s * 1000000000ULL;
			if (next_prom != UINT64_MAX) /* the report just rewrote it */
				next_prom = now + PROM_EVERY_NS;
		}
		if (now >= next_prom) {
			refresh_prometheus(r);
			next_prom = now + PROM_EVERY_NS;
		}
		if (next_prom < deadline)
			deadline = next_prom;
		if (now >= next_sweep) {
			dt_sweep_inflight(r->skel, DT_SEQ_STALE_NS);
			next_sweep = now + SWEEP_EVERY_NS;
		}
		if (next_report < deadline)
			deadline = next_report;
		if (next_sweep < deadline)
			deadline = next_sweep;
		if (rb) {
			int n = ring_buffer__poll(rb, 100);

			if (n < 0 && n != -EINTR) {
				fprintf(stderr, "daxtrace: reading the ring buffer failed: %s\n", strerror(-n));
				return DT_EXIT_RUNTIME;
			}
			if (output_closed(r->out)) {
				r->out_closed = true;
				return 0;
			}
		} else if (r->top_begun) {
			if (dt_top_wait(&r->top, deadline))
				break; /* q */
		} else {
			sleep_until(deadline);
		}
	}
	if (rb) /* what arrived before the stop */
		ring_buffer__consume(rb);
	return 0;
}

/* The trace stream's inode lookup: the row BPF keeps in the inode map. */
static int lookup_inode(void *arg, const struct dt_inode_key *k, struct dt_inode_val *v)
{
	return bpf_map_lookup_elem(bpf_map__fd(((struct daxtrace_bpf *)arg)->maps.inodes), k, v);
}

int dt_run_session(const struct dt_config *cfg)
{
	struct dt_command cmd = { .pid = -1, .go_fd = -1, .err_fd = -1 };
	struct dt_trace_ctx tctx = { .cfg = cfg };
	struct ring_buffer *rb = NULL;
	struct run r = { .cfg = cfg, .stats_fd = -1 };
	uint32_t tgid = cfg->pid;
	int err;

	if ((err = dt_preflight(cfg)))
		return err;
	if (cfg->pid && kill((pid_t)cfg->pid, 0) && errno == ESRCH) {
		fprintf(stderr, "daxtrace: no process with PID %u (has it exited?)\n", cfg->pid);
		return DT_EXIT_NO_PROCESS;
	}
	if (cfg->pid)
		notice_thread_id(cfg->pid);
	r.out = tctx.out = dt_output_open(cfg);
	if (!r.out)
		return DT_EXIT_USAGE;
	if (cfg->command) {
		if ((err = dt_command_check(cfg->command)) || (err = dt_command_fork(&cmd, cfg->command))) {
			dt_output_close(r.out, cfg);
			return err;
		}
		tgid = (uint32_t)cmd.pid;
	}
	snprintf(r.dev_str, sizeof(r.dev_str), "%u:%u", cfg->dev_major, cfg->dev_minor);
	snprintf(r.ino_str, sizeof(r.ino_str), "%llu", (unsigned long long)cfg->ino);
	snprintf(r.pid_str, sizeof(r.pid_str), "%u", cfg->pid);
	install_signals();
	err = dt_load(cfg, tgid, &r.hooks, &r.skel, true);
	if (err)
		goto out;
	/* The first interval starts before the first event can be counted in it. */
	r.interval_start = now_ns(CLOCK_MONOTONIC);
	dt_probes_attach(&r.hooks);
	{
		char missing[160];

		if (!dt_core_hooks_present(&r.hooks, missing, sizeof(missing))) {
			fprintf(stderr, "daxtrace: cannot attach the fs_dax tracepoints (%s); run with -v "
					"for details\n", missing);
			err = DT_EXIT_RUNTIME;
			goto out;
		}
	}
	/* only now is it known whether the extent hook really is attached */
	r.skel->bss->dstmap_hooked = dt_dstmap_sees_pmd_lookup(&r.hooks);
	if (cfg->verbose)
		for (int i = 0; i < r.hooks.n; i++) {
			char text[160];

			fprintf(stderr, "daxtrace: hook %-32s %-11s %s\n", r.hooks.h[i].name,
				dt_attach_mode_name(r.hooks.h[i].mode),
				dt_hook_note_text(&r.hooks.h[i].note, text, sizeof(text)));
		}
	if (!cfg->no_func_probes)
		notice_degraded(&r.hooks);
	uname(&r.uts);
	r.rep = (struct dt_report_ctx){ .cfg = cfg, .hooks = &r.hooks, .kernel = r.uts.release,
					.width = term_width() };
	dt_snapshot_init(&r.snap);
	dt_snapshot_init(&r.cum);
	dt_snapshot_init(&r.prom);
	dt_paths_init();
	if (cfg->prometheus) { /* a bad path is the user's to fix now, not at the first scrape */
		int perr = dt_report_prometheus(cfg->prometheus, &r.rep, &r.cum);

		if (perr) {
			fprintf(stderr, "daxtrace: cannot write --prometheus file %s: %s\n",
				cfg->prometheus, strerror(-perr));
			err = DT_EXIT_USAGE;
			goto out;
		}
	}
	if (cfg->stats && (r.stats_fd = dt_stats_enable()) < 0)
		fprintf(stderr, "daxtrace: --stats: cannot enable BPF run-time stats: %s\n",
			strerror(-r.stats_fd));
	if (cfg->mode == DT_MODE_TRACE) {
		rb = ring_buffer__new(bpf_map__fd(r.skel->maps.events), dt_trace_event, &tctx, NULL);
		if (!rb) {
			fprintf(stderr, "daxtrace: cannot set up the ring buffer: %s\n", strerror(errno));
			err = DT_EXIT_RUNTIME;
			goto out;
		}
		tctx.lookup = lookup_inode;
		tctx.lookup_arg = r.skel;
		dt_trace_header(&tctx);
	}
	if (cfg->command)
		fprintf(stderr, "Tracing synchronous DAX faults of '%s' until it exits.\n", cfg->command[0]);
	else if (cfg->duration_s)
		fprintf(stderr, "Tracing synchronous DAX faults for %u s.\n", cfg->duration_s);
	else
		fprintf(stderr, "Tracing synchronous DAX faults... Hit Ctrl-C to end.\n");
	if (cfg->command) {
		__u8 one = 1;

		/* the root of the traced tree; sched_process_fork adds its descendants */
		if (bpf_map_update_elem(bpf_map__fd(r.skel->maps.traced), &tgid, &one, BPF_ANY)) {
			fprintf(stderr, "daxtrace: cannot register the command's pid: %s\n", strerror(errno));
			err = DT_EXIT_RUNTIME;
			goto out;
		}
		if ((err = dt_command_start(&cmd, cfg->command[0])))
			goto out;
	}
	if (cfg->mode == DT_MODE_TOP) {
		dt_top_begin(&r.top, cfg, r.out);
		r.top_begun = true;
	}
	err = loop(&r, cfg->command ? &cmd : NULL, rb);
	if (!err && !r.out_closed) {
		report(&r, cfg->interval_s != 0, true);
		if (r.top_begun && !r.out_closed) {
			dt_top_end(&r.top, true, now_ns(CLOCK_REALTIME));
			r.top_begun = false;
			r.failed |= r.top.failed;
			r.out_closed = output_closed(r.out);
		}
		if (cfg->mode == DT_MODE_TRACE) {
			dt_report_warnings(stderr, &r.snap);
			fprintf(stderr, "daxtrace: %llu events, %llu lost\n",
				(unsigned long long)tctx.events,
				(unsigned long long)r.snap.diag[DT_D_LOST_EVENTS]);
		}
	}
	if (!err && !r.out_closed && (cfg->dev_set || cfg->ino || cfg->pid || cfg->n_filter_paths ||
				      cfg->cgroup) && !r.any_event)
		fprintf(stderr, "daxtrace: notice: no DAX fault or writeback matched%s%s%s%s%s%s%s%s: check "
				"the numbers against /proc/self/mountinfo, ls -i and ps\n",
			cfg->dev_set ? " --dev " : "", cfg->dev_set ? r.dev_str : "",
			cfg->ino ? " --ino " : "", cfg->ino ? r.ino_str : "",
			cfg->pid ? " -p " : "", cfg->pid ? r.pid_str : "",
			cfg->n_filter_paths ? " --path" : "", cfg->cgroup ? " -c" : "");
	if (!err && r.failed)
		err = DT_EXIT_RUNTIME;
	if (!err && cfg->command)
		err = dt_command_exit_code(&cmd, cfg->command[0]);
out:
	if (r.top_begun) /* the terminal as it was */
		dt_top_end(&r.top, false, 0);
	if (cfg->command && !cmd.exited && cmd.go_fd >= 0)
		dt_command_abort(&cmd);
	if (r.stats_fd >= 0)
		close(r.stats_fd);
	ring_buffer__free(rb);
	dt_trace_end(&tctx);
	dt_probes_detach(&r.hooks);
	daxtrace_bpf__destroy(r.skel);
	dt_snapshot_free(&r.snap);
	dt_snapshot_free(&r.cum);
	dt_snapshot_free(&r.prom);
	dt_collect_end();
	dt_paths_free();
	if (dt_output_close(r.out, cfg) && !err)
		err = DT_EXIT_RUNTIME;
	return err;
}
