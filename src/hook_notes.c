// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "hook_notes.h"

/* Each text takes at most one argument, the one its reason carries. by_design: daxtrace left
 * the hook off and loses nothing by it (another hook gives the same event, or the hook is not
 * on this kernel's path or this run's), so it is no news for the operator. */
enum arg { ARG_NONE, ARG_ERR, ARG_HOOK };
enum { BY_DESIGN = 1 };

static const struct {
	const char *fmt;
	enum arg arg;
	bool by_design;
} notes[DT_HR_NR] = {
	[DT_HR_NONE] = { "" },
	[DT_HR_TP_MISSING] = { "tracepoint not in this kernel" },
	[DT_HR_NO_FUNC_PROBES] = { "disabled by --no-func-probes" },
	[DT_HR_INSERTS_PAGES] = { "not on this kernel's DAX insert path (it inserts pages)", ARG_NONE, BY_DESIGN },
	[DT_HR_INSERTS_PFNS] = { "not on this kernel's DAX insert path (it inserts PFNs)", ARG_NONE, BY_DESIGN },
	[DT_HR_FUNC_MISSING] = { "function not in this kernel (inlined or renamed)" },
	[DT_HR_HOOKED_INSTEAD] = { "%s is hooked instead", ARG_HOOK, BY_DESIGN },
	[DT_HR_FENTRY_AND_NO_KPROBE] = { "fentry: %s; kprobe: not supported by this kernel", ARG_ERR },
	[DT_HR_LOAD_FAILED] = { "load failed: %s", ARG_ERR },
	[DT_HR_ATTACH_FAILED] = { "attach failed: %s", ARG_ERR },
	[DT_HR_COMMAND_ONLY] = { "used only with -- COMMAND", ARG_NONE, BY_DESIGN },
	[DT_HR_COVERED] = { "not needed: the %s exit ends the fsync on ext4 too", ARG_HOOK, BY_DESIGN },
	[DT_HR_ENTRY_ONLY] = { "entry only: the %s exit sees a failed fsync", ARG_HOOK, BY_DESIGN },
};

const char *dt_hook_note_text(const struct dt_hook_note *n, char *buf, size_t len)
{
	const char *arg = "";

	if (notes[n->reason].arg == ARG_ERR)
		arg = strerror(n->err);
	else if (notes[n->reason].arg == ARG_HOOK)
		arg = n->hook;
	snprintf(buf, len, notes[n->reason].fmt, arg);
	return buf;
}

bool dt_hook_note_by_design(const struct dt_hook_note *n)
{
	return notes[n->reason].by_design;
}
