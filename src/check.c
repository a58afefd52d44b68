// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "check.h"
#include "daxtrace.h"
#include "daxtrace.skel.h"
#include "exitcodes.h"
#include "json_writer.h"
#include "kernel_features.h"
#include "kernel_probe.h"
#include "loader.h"
#include "output.h"
#include "probes_json.h"

static void print_json(FILE *out, const struct dt_hooks *hooks, const char *kernel, bool verified,
		       const struct dt_features *f)
{
	struct dt_json j;

	dt_json_init(&j, out);
	dt_json_begin_object(&j);
	dt_json_key(&j, "kernel");
	dt_json_string(&j, kernel);
	dt_json_key(&j, "verified_by_load");
	dt_json_bool(&j, verified);
	dt_json_key(&j, "inflight_table");
	dt_json_string(&j, dt_inflight_name(hooks->inflight.kind));
	dt_json_probes(&j, hooks, true);
	dt_json_features(&j, f);
	dt_json_end_object(&j);
	fputc('\n', out);
}

static void print_features(FILE *out, const struct dt_features *f, const char *sep)
{
	fprintf(out, "%s%-18s %-8s %-6s %-6s %s\n", sep, "KERNEL FEATURE", "STATE", "SINCE",
		"NEEDED", "WITHOUT IT");
	for (int i = 0; i < DT_F_NR; i++) {
		const struct dt_feature_def *d = &dt_feature_defs[i];

		fprintf(out, "%-18s %-8s %-6s %-6s %s\n", d->name, dt_feature_state_name(f->state[i]),
			d->since, dt_feature_need_name(d->need), d->without);
	}
}

int dt_run_check(const struct dt_config *cfg)
{
	struct daxtrace_bpf *skel = NULL;
	const struct dt_features *f;
	struct dt_hooks hooks = { .n = 0 };
	struct utsname uts;
	bool root = geteuid() == 0;
	FILE *out;
	int err;

	uname(&uts);
	if (!cfg->btf_path && !dt_vmlinux_btf_present()) {
		fprintf(stderr, "daxtrace: kernel BTF not found at /sys/kernel/btf/vmlinux: use a kernel "
				"built with CONFIG_DEBUG_INFO_BTF=y, or pass --btf FILE\n");
		return DT_EXIT_UNSUPPORTED;
	}
	f = dt_features_get(cfg->btf_path);
	/* A kernel without what every mode needs gets its one line, and the feature table; no
	 * load is tried. As root the verdict is otherwise proven by loading the programs
	 * (nothing is attached). */
	err = dt_features_check(cfg, DT_MODE_CHECK);
	if (!err)
		err = dt_load(cfg, 0, &hooks, &skel, root);
	if (err && err != DT_EXIT_UNSUPPORTED)
		return err;
	dt_probes_drop_spares(&hooks); /* as a run would attach them */
	daxtrace_bpf__destroy(skel); /* on failure hooks still holds the verdicts */
	out = dt_output_open(cfg);
	if (!out)
		return DT_EXIT_USAGE;
	if (cfg->json) {
		print_json(out, &hooks, uts.release, root && !err, f);
	} else {
		fprintf(out, "kernel %s%s\n", uts.release,
			root ? "" : " (not root: function hooks not trial-loaded, modes are best guesses)");
		if (hooks.n) { /* none when the kernel lacks what every mode needs */
			char why[160];

			fprintf(out, "in-flight table: %s\n",
				dt_inflight_reason(&hooks.inflight, why, sizeof(why)));
			fprintf(out, "%-32s %-12s %s\n", "HOOK", "MODE", "NOTE");
		}
		for (int i = 0; i < hooks.n; i++) {
			char text[160];

			fprintf(out, "%-32s %-12s %s\n", hooks.h[i].name,
				dt_attach_mode_name(hooks.h[i].mode),
				dt_hook_note_text(&hooks.h[i].note, text, sizeof(text)));
		}
		print_features(out, f, hooks.n ? "\n" : "");
	}
	if (dt_output_close(out, cfg) && !err)
		err = DT_EXIT_RUNTIME;
	return err;
}
