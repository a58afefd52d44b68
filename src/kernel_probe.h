/* SPDX-License-Identifier: GPL-2.0 */
/* Questions about the running kernel: symbols, BTF types, program-type support. */
#ifndef DT_KERNEL_PROBE_H
#define DT_KERNEL_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#define DT_MODNAME_LEN 64
/* Looks up all `names` in /proc/kallsyms in one pass; found[i] set for each present one, and
 * module[i] to its module ("" for vmlinux). */
int dt_kallsyms_lookup(const char *const *names, size_t n, bool *found,
		       char (*module)[DT_MODNAME_LEN]);
struct btf;
/* Kernel BTF: `btf_path` if given, else /sys/kernel/btf/vmlinux. NULL if there is none. */
struct btf *dt_btf_load(const char *btf_path);
/* The id of type `name` of `kind` in `vmlinux`, or in module `module`'s BTF (split on
 * vmlinux) when module is not empty; <= 0 if absent. */
int dt_btf_find(struct btf *vmlinux, const char *module, const char *name, int kind);
/* Trial-loads an empty fentry program on the vmlinux function of BTF id `btf_id`: 0, or
 * -errno (EPERM on some hosts). */
int dt_fentry_trial(int btf_id);
/* Trial-loads a program with the 32-bit compare-and-swap and exchange of the in-flight array
 * (5.12+): 0, or -errno (EINVAL where the kernel refuses them). */
int dt_cmpxchg_trial(void);
bool dt_kprobe_supported(void);
bool dt_vmlinux_btf_present(void);
struct dt_features;
/* Probes every feature of src/kernel_features.h (DAXTRACE_FAKE_MISSING marks some missing). */
void dt_features_probe(struct dt_features *f, const char *btf_path);
/* The same, probed once per process. */
const struct dt_features *dt_features_get(const char *btf_path);

#endif
