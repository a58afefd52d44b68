// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "kernel_probe.h"
#include "libbpf_log.h"
#include "probes.h"

/* The flavour a program implements, from its section name. */
static enum dt_attach_mode prog_flavour(const struct bpf_program *p, const char **target,
					enum dt_hook_kind *kind, bool *exit)
{
	return dt_flavour_of(bpf_program__section_name(p), target, kind, exit);
}

/* What daxtrace knows about particular hooks beyond their flavour. Kernels from 6.15 insert
 * refcounted pages, not PFNs, on the DAX path: insert_pfn still exists there but DAX never
 * calls it, so which insert hooks apply follows from which API exists. The PMD pfn insert is
 * vmf_insert_pfn_pmd_prot on 6.1 (vmf_insert_pfn_pmd is an inline wrapper there) and
 * vmf_insert_pfn_pmd on 6.12. */
static const struct {
	const char *name;
	unsigned roles;
	const char *inner; /* a function this one calls: where both are real, that one is hooked */
} known[] = {
	{ "sched_process_fork", DT_ROLE_COMMAND_ONLY, NULL },
	{ "sched_process_exit", DT_ROLE_COMMAND_ONLY, NULL },
	{ "insert_pfn", DT_ROLE_PFN_INSERT, NULL },
	{ "vmf_insert_pfn_pmd_prot", DT_ROLE_PFN_INSERT, NULL },
	{ "vmf_insert_pfn_pmd", DT_ROLE_PFN_INSERT, "vmf_insert_pfn_pmd_prot" },
	{ "vmf_insert_page_mkwrite", DT_ROLE_PAGE_INSERT, NULL },
	{ "vmf_insert_folio_pmd", DT_ROLE_PAGE_INSERT, NULL },
};

/* Present only where the kernel's DAX inserts pages. */
static const char page_api_symbol[] = "vmf_insert_page_mkwrite";

static int known_index(const char *name)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].name, name))
			return (int)i;
	return -1;
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
	int k = known_index(name);

	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->kind = kind;
	h->roles = k >= 0 ? known[k].roles : 0;
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

static void note(struct dt_hook *h, enum dt_hook_reason reason, int err, const char *hook)
{
	h->note = (struct dt_hook_note){ .reason = reason, .err = err, .hook = hook };
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
	names[hooks->n] = page_api_symbol;
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
		int k = known_index(h->name);
		const struct dt_hook *inner;
		char type[96];
		int terr;

		h->mode = DT_ATTACH_NONE;
		if (h->kind == DT_HOOK_TRACEPOINT) {
			if (!found[i]) {
				note(h, DT_HR_TP_MISSING, 0, NULL);
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
			note(h, DT_HR_NO_FUNC_PROBES, 0, NULL);
			continue;
		}
		if (page_api && (h->roles & DT_ROLE_PFN_INSERT)) {
			note(h, DT_HR_INSERTS_PAGES, 0, NULL);
			continue;
		}
		if (!page_api && (h->roles & DT_ROLE_PAGE_INSERT)) {
			note(h, DT_HR_INSERTS_PFNS, 0, NULL);
			continue;
		}
		if (!found[i]) {
			note(h, DT_HR_FUNC_MISSING, 0, NULL);
			continue;
		}
		inner = k >= 0 && known[k].inner ? dt_probes_find(hooks, known[k].inner) : NULL;
		if (inner && found[inner - hooks->h]) {
			/* both real functions: the outer calls the inner, which is hooked */
			note(h, DT_HR_HOOKED_INSTEAD, 0, known[k].inner);
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
		hooks->fentry_err = -terr;
		if (hooks->kprobe_support) {
			h->mode = DT_ATTACH_KPROBE;
			continue;
		}
		note(h, DT_HR_FENTRY_AND_NO_KPROBE, -terr, NULL);
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

bool dt_probes_degrade(struct dt_hooks *hooks, int step, int err)
{
	bool changed = false;

	for (int i = 0; i < hooks->n; i++) {
		struct dt_hook *h = &hooks->h[i];

		if (step == 0 && h->mode == DT_ATTACH_TP_BTF) {
			h->mode = DT_ATTACH_RAW_TP;
			changed = true;
		} else if (step == 1 && (h->mode == DT_ATTACH_FENTRY || h->mode == DT_ATTACH_KPROBE)) {
			h->mode = DT_ATTACH_NONE;
			note(h, DT_HR_LOAD_FAILED, err, NULL);
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
	const char *spare, *covered_by;
	enum dt_hook_reason reason;
	bool exit_only; /* keep the entry program */
} spares[] = {
	{ "ext4_sync_file_exit", "vfs_fsync_range", DT_HR_COVERED, false },
	{ "dax_finish_sync_fault", "vfs_fsync_range", DT_HR_ENTRY_ONLY, true },
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
			/* a hook that fails to attach is marked so, with the reason */
			dt_libbpf_expect_failure();
			h->links[j] = bpf_program__attach(h->progs[j]);
			dt_libbpf_expect_end(!h->links[j]);
			if (!h->links[j]) {
				note(h, DT_HR_ATTACH_FAILED, errno, NULL);
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
		note(h, spares[i].reason, 0, spares[i].covered_by);
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

/* Whether the PMD fault's extent lookup is seen by iomap_iter_dstmap. Before dax_iomap_pfn gave
 * way to dax_iomap_direct_access (5.17), as on 5.10, dax_iomap_pmd_fault calls the filesystem's
 * iomap_begin itself: the tracepoint never fires in it, and an attempt without it would be
 * taken for entry_conflict. There the reasons after eof read unknown instead. (5.15 and 5.16
 * look up through iomap_iter and still have dax_iomap_pfn: unknown there too, never wrong.) */
bool dt_dstmap_sees_pmd_lookup(const struct dt_hooks *hooks)
{
	const char *names[] = { "dax_iomap_pfn" };
	char module[1][DT_MODNAME_LEN];
	bool found[1] = {};

	if (!dt_probes_have(hooks, "iomap_iter_dstmap"))
		return false;
	return !dt_kallsyms_lookup(names, 1, found, module) && !found[0];
}
