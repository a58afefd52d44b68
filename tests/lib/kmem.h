/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel memory with contents of the caller's choosing, for BPF_PROG_TEST_RUN of the raw_tp
 * programs: their pointer arguments can point into it, and their CO-RE reads then see the
 * values the caller wrote, laid out with the running kernel's BTF offsets. One BPF array value
 * whose kernel address a tiny raw_tp program stores into the value itself (root may leak
 * pointers into a map). Used by tests/host/test_state_machine.c and tools/bench/contention.c.
 * Needs root. */
#ifndef DT_TEST_KMEM_H
#define DT_TEST_KMEM_H
#include <stddef.h>
#include <stdint.h>

/* The user-space copy (kmem_size bytes; its first 8 hold kmem_addr) and its kernel address. */
extern uint8_t *kmem;
extern size_t kmem_size;
extern uint64_t kmem_addr;

/* size bytes of kernel memory, zeroed, and the running kernel's BTF: 0, or -1 (errno says why:
 * EPERM without root). */
int kmem_setup(size_t size);
void kmem_teardown(void);
/* Byte offset and size of TYPE.FIELD in the running kernel, looking into anonymous members:
 * 0 or -1. */
int kmem_field(const char *type, const char *field, uint32_t *off, uint32_t *size);
/* The size of struct TYPE in the running kernel, or 0. */
size_t kmem_sizeof(const char *type);
/* Writes VALUE into the struct TYPE at byte BASE of the copy, at FIELD's offset: 0, or -1 when
 * the field is unknown, wider than 8 bytes or outside the memory. */
int kmem_set(uint32_t base, const char *type, const char *field, uint64_t value);
/* Copies the user-space copy into the kernel: 0 or -1. */
int kmem_store(void);

#endif
