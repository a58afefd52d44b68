/* SPDX-License-Identifier: GPL-2.0 */
/* Questions about the running kernel: symbols, BTF types, program-type support. */
#ifndef DT_KERNEL_PROBE_H
#define DT_KERNEL_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* Looks up all `names` in /proc/kallsyms in one pass; found[i] set for each present one. */
int dt_kallsyms_lookup(const char *const *names, size_t n, bool *found);
struct btf;
/* Kernel BTF: `btf_path` if given, else /sys/kernel/btf/vmlinux. NULL if there is none. */
struct btf *dt_btf_load(const char *btf_path);
/* True if `vmlinux`, or (with search_modules) a module's BTF, has a type `name` of `kind`. */
bool dt_btf_has(struct btf *vmlinux, bool search_modules, const char *name, int kind);
/* Trial-loads an empty fentry program on `func`: 0, or -errno (EPERM on some hosts). */
int dt_fentry_trial(const char *func);
bool dt_kprobe_supported(void);
bool dt_vmlinux_btf_present(void);

#endif
