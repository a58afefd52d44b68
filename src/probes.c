// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "kernel_probe.h"
#include "probes.h"

/* The flavour a program implements, from its section name. */
static enum dt_attach_mode prog_flavour(const struct bpf_program *p, const char **target,
					enum dt_hook_kind *kind, bool *exit)
{
	return dt_flavour_of(bpf_program__section_name(p), target, kind, exit);
}

static struct dt_hook *find(struct dt_hooks *hooks, const char *name)
{
	for (int i = 0; i < hooks->n; i++)
		if (!strcmp(hooks->h[i].name, name))
			return &hooks->h[i];
	return NULL;
}

static struct dt_hook *hook_for(struct dt_hooks *hooks, const char *name, enum dt_hook_kind kind)
{
	struct dt_hook *found = find(hooks, name);

	if (found)
		return found;
	if (hooks->n == DT_MAX_HOOKS)
		return NULL;
	struct dt_hook *h = &hooks->h[hooks->n++];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->kind = kind;
	return h;
}

const struct dt_hook *dt_probes_find(const struct dt_hooks *hooks, const char *name)
{
	return find((struct dt_hooks *)hooks, name);
}

bool dt_probes_have(const struct dt_hooks *hooks, const char *name)
{
	const struct dt_hook *h = dt_probes_find(hooks, name);

	return h && h->mode != DT_ATTACH_NONE;
}

/* Kernels from 6.15 insert refcounted pages, not PFNs, on the DAX path: insert_pfn still
 * exists there but DAX never calls it. Which set to hook follows from which API exists. The
 * PMD pfn insert is vmf_insert_pfn_pmd_prot on 6.1 (vmf_insert_pfn_pmd is an inline wrapper
 * there) and vmf_insert_pfn_pmd on 6.12. */
static const char *const pfn_path[] = { "insert_pfn", "vmf_insert_pfn_pmd_prot",
					"vmf_insert_pfn_pmd", NULL };
static const char *const page_path[] = { "vmf_insert_page_mkwrite", "vmf_insert_folio_pmd", NULL };

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

int dt_probes_discover(struct dt_hooks *hooks, struct bpf_object *obj, const struct dt_config *c,
		       bool can_trial_load)
{
	const char *names[DT_MAX_HOOKS + 1];
	char tpnames[DT_MAX_HOOKS][80];
	bool found[DT_MAX_HOOKS + 1] = {};
	char module[DT_MAX_HOOKS + 1][DT_MODNAME_LEN] = {};
	struct bpf_program *p;
	struct btf *btf;
	bool kernel_btf, page_api;
	int err;

	memset(hooks, 0, sizeof(*hooks));
	bpf_object__for_each_program(p, obj) {
		enum dt_hook_kind kind;
		const char *target;
		struct dt_hook *h;
		bool exit;

		if (prog_flavour(p, &target, &kind, &exit) == DT_ATTACH_NONE)
			continue;
		h = hook_for(hooks, target, kind);
		if (h && h->n_progs < DT_MAX_HOOK_PROGS)
			h->progs[h->n_progs++] = p;
	}
	for (int i = 0; i < hooks->n; i++) {
		struct dt_hook *h = &hooks->h[i];

		if (h->kind == DT_HOOK_TRACEPOINT) {
			snprintf(tpnames[i], sizeof(tpnames[i]), "__traceiter_%s", h->name);
			names[i] = tpnames[i];
		} else {
			names[i] = h->name;
		}
	}
	names[hooks->n] = page_path[0];
	err = dt_kallsyms_lookup(names, hooks->n + 1, found, module);
	if (err)
		return err;
	page_api = found[hooks->n];

	/* tp_btf and fentry resolve their targets in the running kernel's own BTF. */
	kernel_btf = dt_vmlinux_btf_present();
	btf = kernel_btf ? dt_btf_load(NULL) : NULL;
	hooks->kprobe_support = dt_kprobe_supported();
	for (int i = 0; i < hooks->n; i++) {
		struct dt_hook *h = &hooks->h[i];
		char type[96];
		int terr;

		h->mode = DT_ATTACH_NONE;
		if (h->kind == DT_HOOK_TRACEPOINT) {
			if (!found[i]) {
				snprintf(h->why, sizeof(h->why), "tracepoint not in this kernel");
				continue;
			}
			snprintf(type, sizeof(type), "btf_trace_%s", h->name);
			if (!c->force_raw_tp && btf && dt_btf_find(btf, module[i], type, BTF_KIND_TYPEDEF) > 0)
				h->mode = DT_ATTACH_TP_BTF;
			else
				h->mode = DT_ATTACH_RAW_TP;
			continue;
		}
		if (c->no_func_probes) {
			snprintf(h->why, sizeof(h->why), "disabled by --no-func-probes");
			continue;
		}
		if (in_list(h->name, page_api ? pfn_path : page_path)) {
			snprintf(h->why, sizeof(h->why), "not on this kernel's DAX insert path (%s)",
				 page_api ? "it inserts pages" : "it inserts PFNs");
			continue;
		}
		if (!found[i]) {
			snprintf(h->why, sizeof(h->why), "function not in this kernel (inlined or renamed)");
			continue;
		}
		if (!strcmp(h->name, "vmf_insert_pfn_pmd") && !page_api &&
		    dt_probes_find(hooks, "vmf_insert_pfn_pmd_prot") &&
		    found[dt_probes_find(hooks, "vmf_insert_pfn_pmd_prot") - hooks->h]) {
			/* both real functions: the outer calls the inner, which is hooked */
			snprintf(h->why, sizeof(h->why), "vmf_insert_pfn_pmd_prot is hooked instead");
			continue;
		}
		terr = -ENOENT;
		if (c->force_kprobes) {
			terr = -EOPNOTSUPP; /* as if fentry were refused: tests the kprobe path */
		} else if (!module[i][0] && btf) {
			int id = dt_btf_find(btf, NULL, h->name, BTF_KIND_FUNC);

			if (id > 0)
				terr = can_trial_load ? dt_fentry_trial(id) : 0;
		}
		if (!terr) {
			h->mode = DT_ATTACH_FENTRY;
			hooks->fentry_ok_any = true;
			continue;
		}
		snprintf(hooks->fentry_err, sizeof(hooks->fentry_err), "%s", strerror(-terr));
		if (hooks->kprobe_support) {
			h->mode = DT_ATTACH_KPROBE;
			continue;
		}
		snprintf(h->why, sizeof(h->why), "fentry: %s; kprobe: not supported by this kernel",
			 strerror(-terr));
	}
	btf__free(btf);
	return 0;
}

void dt_probes_apply(struct dt_hooks *hooks)
{
	for (int i = 0; i < hooks->n; i++) {
		struct dt_hook *h = &hooks->h[i];

		for (int j = 0; j < h->n_progs; j++) {
			enum dt_hook_kind kind;
			const char *target;
			bool exit;

			bpf_program__set_autoload(h->progs[j],
						  prog_flavour(h->progs[j], &target, &kind, &exit) == h->mode);
		}
	}
}

bool dt_probes_degrade(struct dt_hooks *hooks, int step, const char *err)
{
	bool changed = false;

	for (int i = 0; i < hooks->n; i++) {
		struct dt_hook *h = &hooks->h[i];

		if (step == 0 && h->mode == DT_ATTACH_TP_BTF) {
			h->mode = DT_ATTACH_RAW_TP;
			changed = true;
		} else if (step == 1 && (h->mode == DT_ATTACH_FENTRY || h->mode == DT_ATTACH_KPROBE)) {
			h->mode = DT_ATTACH_NONE;
			snprintf(h->why, sizeof(h->why), "load failed: %s", err);
			changed = true;
		}
	}
	return changed || step < 1;
}

static void detach_hook(struct dt_hook *h)
{
	for (int j = 0; j < h->n_progs; j++) {
		bpf_link__destroy(h->links[j]);
		h->links[j] = NULL;
	}
}

/* Hooks (or only their return programs) that add nothing once another hook is attached: each
 * run costs the fault path for an event the other already gives. The exit of vfs_fsync_range
 * ends the fsync of a sync fault on every filesystem, failed or not: ext4_sync_file_exit, which
 * fires just before it on ext4, and the return of dax_finish_sync_fault, which fails only when
 * that fsync does, are needed only where it is not attached. */
static const struct {
	const char *spare, *covered_by, *why;
	bool exit_only; /* keep the entry program */
} spares[] = {
	{ "ext4_sync_file_exit", "vfs_fsync_range",
	  "not needed: the vfs_fsync_range exit ends the fsync on ext4 too", false },
	{ "dax_finish_sync_fault", "vfs_fsync_range",
	  "entry only: the vfs_fsync_range exit sees a failed fsync", true },
};

static bool is_exit_prog(const struct bpf_program *p)
{
	enum dt_hook_kind kind;
	const char *target;
	bool exit;

	prog_flavour(p, &target, &kind, &exit);
	return exit;
}

void dt_probes_attach(struct dt_hooks *hooks)
{
	for (int i = 0; i < hooks->n; i++) {
		struct dt_hook *h = &hooks->h[i];

		if (h->mode == DT_ATTACH_NONE)
			continue;
		for (int j = 0; j < h->n_progs; j++) {
			if (!bpf_program__autoload(h->progs[j]))
				continue;
			h->links[j] = bpf_program__attach(h->progs[j]);
			if (!h->links[j]) {
				snprintf(h->why, sizeof(h->why), "attach failed: %s", strerror(errno));
				detach_hook(h);
				h->mode = DT_ATTACH_NONE;
				break;
			}
		}
	}
	/* Decided once everything is attached: the covering hook may have failed to attach. */
	dt_probes_drop_spares(hooks);
}

void dt_probes_drop_spares(struct dt_hooks *hooks)
{
	for (size_t i = 0; i < sizeof(spares) / sizeof(spares[0]); i++) {
		struct dt_hook *h = find(hooks, spares[i].spare);

		if (!h || h->mode == DT_ATTACH_NONE || !dt_probes_have(hooks, spares[i].covered_by))
			continue;
		snprintf(h->why, sizeof(h->why), "%s", spares[i].why);
		if (!spares[i].exit_only) {
			detach_hook(h);
			h->mode = DT_ATTACH_NONE;
			continue;
		}
		/* Only attached programs are looked at: `check` calls this with no links and
		 * with the object already destroyed. */
		for (int j = 0; j < h->n_progs; j++) {
			if (h->links[j] && is_exit_prog(h->progs[j])) {
				bpf_link__destroy(h->links[j]);
				h->links[j] = NULL;
			}
		}
	}
}

void dt_probes_detach(struct dt_hooks *hooks)
{
	for (int i = 0; i < hooks->n; i++)
		detach_hook(&hooks->h[i]);
}
