// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>
#include "daxtrace.h"
#include "daxtrace.skel.h"
#include "exitcodes.h"
#include "filters.h"
#include "kernel_features.h"
#include "inflight.h"
#include "kernel_probe.h"
#include "libbpf_log.h"
#include "loader.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int dt_preflight(const struct dt_config *cfg)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d) == 0 && !has_cap(d, CAP_SYS_ADMIN) &&
	    !(has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON))) {
		fprintf(stderr, "daxtrace: permission denied: run as root, or grant CAP_BPF and "
				"CAP_PERFMON (e.g. sudo daxtrace ...)\n");
		return DT_EXIT_NO_PERM;
	}
	if (cfg->btf_path) {
		if (access(cfg->btf_path, R_OK)) {
			fprintf(stderr, "daxtrace: cannot read BTF file '%s': %s\n", cfg->btf_path,
				strerror(errno));
			return DT_EXIT_USAGE;
		}
	} else if (!dt_vmlinux_btf_present()) {
		fprintf(stderr, "daxtrace: kernel BTF not found at /sys/kernel/btf/vmlinux: use a kernel "
				"built with CONFIG_DEBUG_INFO_BTF=y, or pass --btf FILE\n");
		return DT_EXIT_UNSUPPORTED;
	}
	return dt_features_check(cfg, cfg->mode);
}

int dt_features_check(const struct dt_config *cfg, enum dt_mode mode)
{
	char msg[512];
	int err;

	dt_libbpf_log_init(cfg->verbose);
	err = dt_features_verdict(dt_features_get(cfg->btf_path), mode, msg, sizeof(msg));
	if (err)
		fprintf(stderr, "daxtrace: %s\n", msg);
	return err;
}

/* The hooks without which the tool has nothing to count. */
static const char *const core_hooks[] = {
	"dax_pte_fault_done", "dax_pmd_fault_done", "dax_insert_pfn_mkwrite",
};

bool dt_core_hooks_present(const struct dt_hooks *hooks, char *missing, size_t len)
{
	size_t used = 0;
	bool ok = true;

	if (len)
		missing[0] = 0;
	for (size_t i = 0; i < sizeof(core_hooks) / sizeof(core_hooks[0]); i++) {
		if (dt_probes_have(hooks, core_hooks[i]))
			continue;
		ok = false;
		if (used < len)
			used += snprintf(missing + used, len - used, "%s%s", used ? ", " : "",
					 core_hooks[i]);
	}
	return ok;
}

static int configure(struct daxtrace_bpf *skel, const struct dt_config *cfg, uint32_t tgid,
		     const struct dt_hooks *hooks)
{
	const struct dt_features *f = dt_features_get(cfg->btf_path);
	struct daxtrace_bpf__rodata *ro = skel->rodata;
	int err;

	ro->filter_tgid = tgid;
	ro->filter_tree = cfg->command != NULL;
	ro->filter_dev = cfg->dev_set ? dt_dev_encode(cfg->dev_major, cfg->dev_minor) : 0;
	ro->filter_ino = cfg->ino;
	ro->filter_paths = cfg->n_filter_paths > 0;
	ro->filter_cgroup = cfg->cgroup != NULL;
	ro->filter_any = ro->filter_tgid || ro->filter_tree || ro->filter_dev || ro->filter_ino ||
			 ro->filter_paths || ro->filter_cgroup;
	ro->trace_mode = cfg->mode == DT_MODE_TRACE || cfg->mode == DT_MODE_MAP;
	ro->hist_unit_ns = dt_unit_div(cfg->unit);
	err = bpf_map__set_max_entries(skel->maps.inodes, cfg->max_inodes);
	err = err ?: bpf_map__set_max_entries(skel->maps.procs, cfg->max_procs);
	err = err ?: bpf_map__set_max_entries(skel->maps.offsets, cfg->max_offsets);
	/* --hist-by pays for its maps only when asked: otherwise they keep one entry each, and the
	 * programs never reach them (hist_by is a constant to the verifier). */
	ro->hist_by = (__u8)cfg->hist_by;
	if (cfg->hist_by)
		err = err ?: bpf_map__set_max_entries(skel->maps.key_hists, cfg->max_hists);
	if (cfg->hist_by == DT_HB_PROCESS)
		err = err ?: bpf_map__set_max_entries(skel->maps.pids, cfg->max_procs);
	ro->seq_set_mask = dt_seq_slots(cfg->max_inflight) / DT_SEQ_WAYS - 1;
	/* the hash holds one entry per thread; the array's sets need a power of two */
	err = err ?: bpf_map__set_max_entries(skel->maps.inflight, hooks->inflight.kind == DT_INFLIGHT_HASH ?
					      cfg->max_inflight : dt_seq_slots(cfg->max_inflight));
	err = err ?: bpf_map__set_max_entries(skel->maps.wb_start, cfg->max_inflight);
	err = err ?: bpf_map__set_max_entries(skel->maps.traced, cfg->max_inflight);
	if (ro->trace_mode)
		err = err ?: bpf_map__set_max_entries(skel->maps.events, cfg->ringbuf_kb * 1024);
	/* Without a ring buffer (before 5.8) the summary modes leave it out: libbpf then poisons
	 * the programs' references to it, which sit behind trace_mode, false here, so the
	 * verifier never reaches them. */
	else if (f->state[DT_F_RINGBUF] == DT_FEAT_MISSING)
		err = err ?: bpf_map__set_autocreate(skel->maps.events, false);
	return err;
}

static struct daxtrace_bpf *open_skel(const struct dt_config *cfg, enum dt_inflight kind)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = cfg->btf_path);

	return dt_inflight_open(kind, &opts);
}

int dt_load(const struct dt_config *cfg, uint32_t tgid, struct dt_hooks *hooks,
	    struct daxtrace_bpf **out, bool load)
{
	struct dt_config eff = *cfg;
	struct dt_inflight_choice inflight;
	struct daxtrace_bpf *skel;
	char missing[160];
	int err = 0;

	dt_libbpf_log_init(cfg->verbose);
	/* Without the kernel's own BTF in sysfs, tp_btf and fentry cannot resolve targets; before
	 * 5.5 there are no such programs at all. */
	if (cfg->btf_path && !dt_vmlinux_btf_present())
		eff.force_raw_tp = true;
	if (dt_features_get(cfg->btf_path)->state[DT_F_TP_BTF] == DT_FEAT_MISSING)
		eff.force_raw_tp = eff.force_kprobes = true;
	inflight = dt_inflight_choose(cfg);
	if (cfg->verbose) {
		char why[160];

		fprintf(stderr, "daxtrace: in-flight table: %s\n",
			dt_inflight_reason(&inflight, why, sizeof(why)));
	}
	skel = open_skel(&eff, inflight.kind);
	if (!skel) {
		fprintf(stderr, "daxtrace: cannot open the BPF object: %s\n", strerror(errno));
		return DT_EXIT_RUNTIME;
	}
	err = dt_probes_discover(hooks, skel->obj, &eff, load);
	hooks->inflight = inflight;
	if (err) {
		fprintf(stderr, "daxtrace: cannot read /proc/kallsyms: %s\n", strerror(-err));
		daxtrace_bpf__destroy(skel);
		return DT_EXIT_RUNTIME;
	}
	if (!dt_core_hooks_present(hooks, missing, sizeof(missing))) {
		fprintf(stderr, "daxtrace: this kernel has no fs_dax tracepoints (%s missing): it needs "
				"CONFIG_FS_DAX=y; nothing to trace\n", missing);
		daxtrace_bpf__destroy(skel);
		return DT_EXIT_UNSUPPORTED;
	}
	for (int i = 0; i < hooks->n && !cfg->command; i++) {
		struct dt_hook *h = &hooks->h[i];

		if ((h->roles & DT_ROLE_COMMAND_ONLY) && h->mode != DT_ATTACH_NONE) {
			h->mode = DT_ATTACH_NONE;
			h->note = (struct dt_hook_note){ .reason = DT_HR_COMMAND_ONLY };
		}
	}
	if (!load) {
		*out = skel;
		return 0;
	}
	/* Each pass loads and returns, or gives up one step (dt_probes_degrade) and tries again;
	 * when nothing is left to give up it returns the error. */
	for (int step = 0;; step++) {
		char msg[128];

		dt_probes_apply(hooks);
		err = configure(skel, cfg, tgid, hooks);
		if (!err) {
			/* a refusal here is answered by degrading, or by the one line below */
			dt_libbpf_expect_failure();
			err = daxtrace_bpf__load(skel);
			dt_libbpf_expect_end(err);
		}
		if (!err && (err = dt_filters_install(cfg, skel))) {
			fprintf(stderr, "daxtrace: cannot fill the --path/-c filter maps: %s\n",
				strerror(-err));
			daxtrace_bpf__destroy(skel);
			return DT_EXIT_RUNTIME;
		}
		if (!err) {
			*out = skel;
			return 0;
		}
		snprintf(msg, sizeof(msg), "%s", strerror(-err));
		if (cfg->verbose)
			fprintf(stderr, "daxtrace: load failed (%s), degrading (step %d)\n", msg, step);
		daxtrace_bpf__destroy(skel);
		if (!dt_probes_degrade(hooks, step, -err)) {
			fprintf(stderr, "daxtrace: cannot load the BPF programs: %s (run with -v for the "
					"verifier log)\n", msg);
			return err == -EPERM ? DT_EXIT_NO_PERM : DT_EXIT_RUNTIME;
		}
		skel = open_skel(&eff, inflight.kind);
		if (!skel) {
			fprintf(stderr, "daxtrace: cannot open the BPF object: %s\n", strerror(errno));
			return DT_EXIT_RUNTIME;
		}
		/* The new object has new program pointers: rebuild the table, keep the modes. */
		struct dt_hooks kept = *hooks;

		dt_probes_discover(hooks, skel->obj, &eff, false);
		hooks->inflight = inflight;
		for (int i = 0; i < hooks->n; i++) {
			const struct dt_hook *k = dt_probes_find(&kept, hooks->h[i].name);

			if (k) {
				hooks->h[i].mode = k->mode;
				hooks->h[i].note = k->note;
			}
		}
	}
}
