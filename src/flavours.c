// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <string.h>
#include "flavours.h"

static const struct {
	const char *name;
	enum dt_hook_kind kind;
	const char *entry, *exit; /* section prefixes; a tracepoint has no return program */
} flavours[] = {
	[DT_ATTACH_NONE] = { "unavailable" },
	[DT_ATTACH_TP_BTF] = { "tp_btf", DT_HOOK_TRACEPOINT, "tp_btf/", NULL },
	[DT_ATTACH_RAW_TP] = { "raw_tp", DT_HOOK_TRACEPOINT, "raw_tp/", NULL },
	[DT_ATTACH_FENTRY] = { "fentry", DT_HOOK_FUNCTION, "fentry/", "fexit/" },
	[DT_ATTACH_KPROBE] = { "kprobe", DT_HOOK_FUNCTION, "kprobe/", "kretprobe/" },
};

#define N_FLAVOURS (sizeof(flavours) / sizeof(flavours[0]))

static const char *after(const char *s, const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;

	return n && !strncmp(s, prefix, n) ? s + n : NULL;
}

enum dt_attach_mode dt_flavour_of(const char *section, const char **target,
				  enum dt_hook_kind *kind, bool *exit)
{
	for (size_t m = DT_ATTACH_NONE + 1; m < N_FLAVOURS; m++) {
		const char *entry = after(section, flavours[m].entry);
		const char *ret = after(section, flavours[m].exit);

		if (!entry && !ret)
			continue;
		*target = entry ? entry : ret;
		*kind = flavours[m].kind;
		*exit = !entry;
		return (enum dt_attach_mode)m;
	}
	*target = section;
	*kind = DT_HOOK_TRACEPOINT;
	*exit = false;
	return DT_ATTACH_NONE;
}

const char *dt_attach_mode_name(enum dt_attach_mode m)
{
	return (size_t)m < N_FLAVOURS ? flavours[m].name : flavours[DT_ATTACH_NONE].name;
}
