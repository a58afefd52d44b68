// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_probe.h"

int dt_kallsyms_lookup(const char *const *names, size_t n, bool *found)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], sym[256];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char type;

		if (sscanf(line, "%*s %c %255s", &type, sym) != 2)
			continue;
		for (size_t i = 0; i < n; i++)
			if (!found[i] && !strcmp(sym, names[i]))
				found[i] = true;
	}
	fclose(f);
	return 0;
}

bool dt_vmlinux_btf_present(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

struct btf *dt_btf_load(const char *btf_path)
{
	struct btf *b = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();

	return libbpf_get_error(b) ? NULL : b;
}

bool dt_btf_has(struct btf *vmlinux, bool search_modules, const char *name, int kind)
{
	bool found;
	struct dirent *e;
	DIR *d;

	if (!vmlinux)
		return false;
	found = btf__find_by_name_kind(vmlinux, name, kind) > 0;
	/* 6.1 builds ext4 and xfs as modules: their tracepoints live in module BTF. */
	d = found || !search_modules ? NULL : opendir("/sys/kernel/btf");
	while (d && !found && (e = readdir(d))) {
		char path[300];
		struct btf *m;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", e->d_name);
		m = btf__parse_split(path, vmlinux);
		if (!libbpf_get_error(m)) {
			found = btf__find_by_name_kind(m, name, kind) > 0;
			btf__free(m);
		}
	}
	if (d)
		closedir(d);
	return found;
}

int dt_fentry_trial(const char *func)
{
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 }, /* r0 = 0 */
		{ .code = 0x95 },                          /* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int id = libbpf_find_vmlinux_btf_id(func, BPF_TRACE_FENTRY), fd;

	if (id < 0)
		return id;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "dt_trial", "GPL", insns, 2, &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

bool dt_kprobe_supported(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0;
}
