/* SPDX-License-Identifier: GPL-2.0 */
/* Hook flavours: the ways a BPF program attaches, told apart by its ELF section prefix. One
 * table says, for each, the name printed for it, the kind of hook it serves and the section
 * prefixes of its entry and return programs. */
#ifndef DT_FLAVOURS_H
#define DT_FLAVOURS_H

#include <stdbool.h>

enum dt_hook_kind { DT_HOOK_TRACEPOINT, DT_HOOK_FUNCTION };

enum dt_attach_mode {
	DT_ATTACH_NONE, /* "unavailable" */
	DT_ATTACH_TP_BTF,
	DT_ATTACH_RAW_TP,
	DT_ATTACH_FENTRY,
	DT_ATTACH_KPROBE,
};

/* The mode a program of ELF section `section` attaches with, or DT_ATTACH_NONE if the section
 * is no hook. Sets *target to the hook name after the prefix, *kind to the kind of hook, and
 * *exit to whether it is the return program of a function hook (fexit, kretprobe). */
enum dt_attach_mode dt_flavour_of(const char *section, const char **target,
				  enum dt_hook_kind *kind, bool *exit);
/* As check, --json "probes" and Prometheus' mode label print it. */
const char *dt_attach_mode_name(enum dt_attach_mode m);

#endif
