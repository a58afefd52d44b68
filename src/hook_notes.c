// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "hook_notes.h"

/* Each text takes at most one argument, the one its reason carries. */
enum arg { ARG_NONE, ARG_ERR, ARG_HOOK };

static const struct {
	const char *fmt;
	enum arg arg;
} notes[DT_HR_NR] = {
	[DT_HR_NONE] = { "" },
	[DT_HR_TP_MISSING] = { "tracepoint not in this kernel" },
	[DT_HR_NO_FUNC_PROBES] = { "disabled by --no-func-probes" },
	[DT_HR_INSERTS_PAGES] = { "not on this kernel's DAX insert path (it inserts pages)" },
	[DT_HR_INSERTS_PFNS] = { "not on this kernel's DAX insert path (it inserts PFNs)" },
	[DT_HR_FUNC_MISSING] = { "function not in this kernel (inlined or renamed)" },
	[DT_HR_HOOKED_INSTEAD] = { "%s is hooked instead", ARG_HOOK },
	[DT_HR_FENTRY_AND_NO_KPROBE] = { "fentry: %s; kprobe: not supported by this kernel", ARG_ERR },
	[DT_HR_LOAD_FAILED] = { "load failed: %s", ARG_ERR },
	[DT_HR_ATTACH_FAILED] = { "attach failed: %s", ARG_ERR },
	[DT_HR_COMMAND_ONLY] = { "used only with -- COMMAND" },
	[DT_HR_COVERED] = { "not needed: the %s exit ends the fsync on ext4 too", ARG_HOOK },
	[DT_HR_ENTRY_ONLY] = { "entry only: the %s exit sees a failed fsync", ARG_HOOK },
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
