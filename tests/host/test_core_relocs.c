// SPDX-License-Identifier: GPL-2.0
/* Relocates daxtrace's BPF object against a kernel BTF file and loads it into this kernel,
 * without attaching anything: tests/host/core-relocs reads libbpf's log of the relocations.
 *
 *   test_core_relocs untyped BTF   every raw_tp, kprobe and kretprobe program; must load. They
 *                                  read through bpf_probe_read_kernel, so this host's verifier
 *                                  takes them whatever the offsets, and rejects a poisoned
 *                                  instruction (a failed relocation) that is reachable.
 *   test_core_relocs typed BTF     every tp_btf, fentry and fexit program: relocated (logged),
 *                                  but their direct loads are checked against this host's own
 *                                  types, so whether they load says nothing about BTF's kernel.
 *
 * libbpf's debug log goes to stderr; the last line of stdout is "loaded" or "not loaded: ERR". */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "daxtrace.h"
#include "daxtrace.skel.h"

static int print_all(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

static bool typed_section(const char *sec)
{
	return !strncmp(sec, "tp_btf/", 7) || !strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6);
}

int main(int argc, char **argv)
{
	struct daxtrace_bpf *skel;
	struct bpf_program *p;
	bool typed;
	int err;

	if (argc != 3 || (strcmp(argv[1], "typed") && strcmp(argv[1], "untyped"))) {
		fprintf(stderr, "usage: %s typed|untyped BTF\n", argv[0]);
		return 2;
	}
	typed = !strcmp(argv[1], "typed");
	libbpf_set_print(print_all);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argv[2]);
	skel = daxtrace_bpf__open_opts(&opts);
	if (!skel) {
		printf("cannot open the object with %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, typed_section(bpf_program__section_name(p)) == typed);
	err = daxtrace_bpf__load(skel);
	if (err)
		printf("not loaded: %s\n", strerror(-err));
	else
		printf("loaded\n");
	daxtrace_bpf__destroy(skel);
	return err && !typed ? 1 : 0;
}
