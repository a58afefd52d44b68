/* SPDX-License-Identifier: GPL-2.0 */
/* Why a hook is unavailable, or runs in part: a reason and its data, decided by probing and
 * attaching (src/probes.c, src/loader.c), acted on by value (src/session.c), and turned into
 * the text of check, --json probe_notes and -v here only. */
#ifndef DT_HOOK_NOTES_H
#define DT_HOOK_NOTES_H

#include <stdbool.h>
#include <stddef.h>

enum dt_hook_reason {
	DT_HR_NONE,
	DT_HR_TP_MISSING,          /* no such tracepoint in this kernel */
	DT_HR_NO_FUNC_PROBES,      /* --no-func-probes */
	DT_HR_INSERTS_PAGES,       /* a PFN insert, and this kernel's DAX inserts pages */
	DT_HR_INSERTS_PFNS,        /* a page insert, and this kernel's DAX inserts PFNs */
	DT_HR_FUNC_MISSING,        /* no such function in kallsyms */
	DT_HR_HOOKED_INSTEAD,      /* hook: the function this one calls, which is hooked */
	DT_HR_FENTRY_AND_NO_KPROBE, /* err: why fentry was refused; and no kprobes here */
	DT_HR_LOAD_FAILED,         /* err: why the object did not load with it */
	DT_HR_ATTACH_FAILED,       /* err */
	DT_HR_COMMAND_ONLY,        /* a process-tree hook, and there is no -- COMMAND */
	DT_HR_COVERED,             /* hook: whose exit ends the fsync instead */
	DT_HR_ENTRY_ONLY,          /* hook: whose exit sees a failed fsync instead */
	DT_HR_NR
};

struct dt_hook_note {
	enum dt_hook_reason reason;
	int err;          /* errno, for the reasons that carry one */
	const char *hook; /* the other hook, for the reasons that name one (a static string) */
};

/* The note as text, in buf; "" for DT_HR_NONE. Returns buf. */
const char *dt_hook_note_text(const struct dt_hook_note *n, char *buf, size_t len);

/* daxtrace left the hook off on purpose and sees every event without it: not worth a notice. */
bool dt_hook_note_by_design(const struct dt_hook_note *n);

#endif
