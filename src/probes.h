/* SPDX-License-Identifier: GPL-2.0 */
/* Which kernel hooks exist here and how each one attaches. The hook list is derived from the
 * BPF object's own sections (tp_btf/X + raw_tp/X, fentry/X + kprobe/X ...), so adding a program
 * to bpf/daxtrace.bpf.c is all it takes to add a hook. */
#ifndef DT_PROBES_H
#define DT_PROBES_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "flavours.h"
#include "hook_notes.h"
#include "inflight.h"

#define DT_MAX_HOOKS 32
#define DT_MAX_HOOK_PROGS 4

/* What a hook is for, beyond its flavour (src/probes.c has the table). */
enum {
	DT_ROLE_COMMAND_ONLY = 1 << 0, /* follows the process tree: needed only with -- COMMAND */
	DT_ROLE_PFN_INSERT = 1 << 1,   /* the writable insert of kernels whose DAX inserts PFNs */
	DT_ROLE_PAGE_INSERT = 1 << 2,  /* the same where DAX inserts pages (6.15+) */
};

struct dt_hook {
	char name[64];
	enum dt_hook_kind kind;
	enum dt_attach_mode mode;
	unsigned roles;          /* DT_ROLE_* */
	struct dt_hook_note note; /* why it is unavailable or runs in part; DT_HR_NONE if neither */
	int n_progs;
	struct bpf_program *progs[DT_MAX_HOOK_PROGS];
	struct bpf_link *links[DT_MAX_HOOK_PROGS];
};

struct dt_hooks {
	struct dt_hook h[DT_MAX_HOOKS];
	int n;
	bool fentry_ok_any, kprobe_support;
	int fentry_err; /* errno: why fentry could not take the last function hook; 0 if none */
	struct dt_inflight_choice inflight; /* which object was opened (set by dt_load) */
};

/* Fills hooks from obj's programs and decides a mode for each by probing this kernel. */
int dt_probes_discover(struct dt_hooks *hooks, struct bpf_object *obj, const struct dt_config *c,
		       bool can_trial_load);
/* Sets autoload on obj's programs to match the decided modes. */
void dt_probes_apply(struct dt_hooks *hooks);
/* Attaches every loaded program, one by one; a hook that fails is marked unavailable. */
void dt_probes_attach(struct dt_hooks *hooks);
void dt_probes_detach(struct dt_hooks *hooks);
/* Marks unavailable (and detaches) the hooks another attached hook makes redundant. */
void dt_probes_drop_spares(struct dt_hooks *hooks);
const struct dt_hook *dt_probes_find(const struct dt_hooks *hooks, const char *name);
bool dt_probes_have(const struct dt_hooks *hooks, const char *name);
/* After a failed load (errno err): degrade one step (tp_btf -> raw_tp, then drop function
 * hooks). Returns false when there is nothing left to give up. */
bool dt_probes_degrade(struct dt_hooks *hooks, int step, int err);

/* Whether iomap_iter_dstmap is attached and sees the extent lookup of a PMD fault (not on 5.10,
 * where dax_iomap_pmd_fault calls iomap_begin itself): the fallback reasons after eof need it. */
bool dt_dstmap_sees_pmd_lookup(const struct dt_hooks *hooks);

#endif
