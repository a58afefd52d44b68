/* SPDX-License-Identifier: GPL-2.0 */
/* Opening, configuring and loading the BPF object, degrading step by step when the kernel
 * refuses a program type (tp_btf -> raw_tp, then without function hooks). */
#ifndef DT_LOADER_H
#define DT_LOADER_H

#include <stdbool.h>
#include "cli.h"
#include "probes.h"

struct daxtrace_bpf;

/* Checks that running is possible at all: privileges and kernel BTF. Returns an exit code
 * and prints one line saying what to do when it is not 0. */
int dt_preflight(const struct dt_config *cfg);
/* The kernel features `mode` needs (src/kernel_features.h), probed once: 0, or
 * DT_EXIT_UNSUPPORTED after one line naming what is missing and the kernel that brings it. */
int dt_features_check(const struct dt_config *cfg, enum dt_mode mode);
/* On success *skel is loaded (not attached) and hooks says what each hook uses. Returns an
 * exit code; on failure a one-line message has been printed. */
int dt_load(const struct dt_config *cfg, uint32_t tgid, struct dt_hooks *hooks,
	    struct daxtrace_bpf **skel, bool load);
/* True if the hooks that every count depends on are attached. */
bool dt_core_hooks_present(const struct dt_hooks *hooks, char *missing, size_t len);

#endif
