/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel fields whose type or name differs between the kernels daxtrace runs on, read through
 * CO-RE flavours (`struct foo___bar`). libbpf matches a flavour by its name without the
 * `___bar` suffix, and a field only where the field's type is compatible, so the existence
 * checks below are answered at load time from the running kernel's BTF (or --btf FILE). The
 * read of the flavour that does not match fails to relocate; libbpf (1.4, as everywhere since
 * 0.x) poisons that instruction, and the verifier never visits it because the existence check
 * has become a constant. docs/EVENTS.md "CO-RE fields" lists every field read and its type
 * per kernel; tests/host/core-relocs checks that no other relocation fails. */
#ifndef DAXTRACE_CORE_COMPAT_BPF_H
#define DAXTRACE_CORE_COMPAT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/* vm_fault.flags: `unsigned int` at offset 8 on 5.10, `enum fault_flag` at offset 40 from 6.1
 * (as in the bundled vmlinux.h); 4 bytes on both, and the flag values are the same. libbpf
 * does not relocate an enum field onto an int one, or back, so each kernel matches one of the
 * two reads. */
struct vm_fault___u32 {
	unsigned int flags;
} __attribute__((preserve_access_index));

static __always_inline __u32 vmf_flags(struct vm_fault *vmf)
{
	struct vm_fault___u32 *old = (void *)vmf;

	if (bpf_core_field_exists(old->flags))
		return BPF_CORE_READ(old, flags);
	return BPF_CORE_READ(vmf, flags);
}

#endif
