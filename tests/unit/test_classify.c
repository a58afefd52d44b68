// SPDX-License-Identifier: GPL-2.0
/* dt_classify_fallback(): the checks of dax_iomap_pmd_fault() in kernel order (docs:
 * dax-events.md §3, "Fallback reasons"), and dt_log2_slot(). */
#include "test_support.h"
#include "daxtrace.h"
#include "names.h"

#define MIB2 0x200000ULL
#define PAGE 0x1000ULL
#define IOMAP_HOLE 0
#define IOMAP_UNWRITTEN 3
#define IOMAP_F_DIRTY 0x2
#define VM_WRITE 0x2
#define VM_SYNC 0x00800000ULL

/* The 2 MiB block at P holds the faulting address. */
#define P 0x7f3a40200000ULL

/* A write fault at P + 4 KiB in a MAP_SHARED|MAP_SYNC mapping of an 8 MiB file mapped at
 * offset 0 from P - 2 MiB: it passes every check up to the iomap lookup, and the extent is
 * mapped and long enough, so the only reason left is dax_iomap_direct_access(). */
static struct dt_pmd_try good(void)
{
	struct dt_pmd_try t = {
		.address = P + PAGE,
		.vm_start = P - MIB2,
		.vm_end = P - MIB2 + 4 * MIB2,
		.vm_flags = DT_VM_SHARED | VM_WRITE | VM_SYNC,
		.max_pgoff = (4 * MIB2) / PAGE,
		.flags = DT_FAULT_FLAG_WRITE,
		.dstmap_seen = 1,
		.dstmap_type = DT_IOMAP_MAPPED,
		.dstmap_flags = IOMAP_F_DIRTY,
		.dstmap_offset = 0,
		.dstmap_length = 4 * MIB2,
	};

	t.pgoff = (t.address - t.vm_start) / PAGE; /* file offset 0 at vm_start */
	return t;
}

static void assert_reason(const struct dt_pmd_try *t, int hooked, enum dt_fallback_reason want)
{
	enum dt_fallback_reason got = dt_classify_fallback(t, hooked);

	if (got != want)
		fail_msg("classified as %s, expected %s (hooked=%d)",
			 got < DT_FB_NR ? dt_fallback_names[got] : "?", dt_fallback_names[want],
			 hooked);
}

static void test_good_is_direct_access(void **state)
{
	struct dt_pmd_try t = good();

	assert_int_equal(t.pgoff, 0x201);
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	/* without the dstmap hook nothing past the EOF check can be told apart */
	assert_reason(&t, 0, DT_FB_UNKNOWN);
}

static void test_misaligned(void **state)
{
	struct dt_pmd_try t = good();

	/* A file mapped at a 2 MiB + 4 KiB address, offset 0: never congruent. */
	t.vm_start = 0x7f3a40201000ULL;
	t.vm_end = t.vm_start + 4 * MIB2;
	t.address = t.vm_start + 3 * MIB2 + 5 * PAGE;
	t.pgoff = (t.address - t.vm_start) / PAGE;
	t.max_pgoff = 4 * MIB2 / PAGE;
	assert_reason(&t, 1, DT_FB_MISALIGNED);
	assert_reason(&t, 0, DT_FB_MISALIGNED);

	/* A 2 MiB-aligned address but an mmap offset of 4 KiB. */
	t = good();
	t.pgoff += 1;
	assert_reason(&t, 1, DT_FB_MISALIGNED);

	/* Both off by the same 4 KiB: congruent, so not misaligned; the block then starts
	 * before the VMA. */
	t = good();
	t.vm_start = P + PAGE;
	t.address = P + 2 * PAGE;
	t.pgoff = 1 + (t.address - t.vm_start) / PAGE; /* mmap offset 4 KiB */
	assert_int_equal(((t.address >> 12) ^ t.pgoff) & 0x1ff, 0);
	assert_reason(&t, 1, DT_FB_VMA_START);

	/* Only the low 9 bits of the page numbers count. */
	t = good();
	t.pgoff += 0x200 * 7;
	t.max_pgoff += 0x200 * 7;
	t.dstmap_length += 0x200 * 7 * PAGE;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	t.pgoff ^= 0x100;
	assert_reason(&t, 1, DT_FB_MISALIGNED);
}

static void test_private_cow(void **state)
{
	struct dt_pmd_try t = good();

	t.vm_flags = VM_WRITE; /* MAP_PRIVATE */
	assert_reason(&t, 1, DT_FB_PRIVATE_COW);
	assert_reason(&t, 0, DT_FB_PRIVATE_COW);
	/* a read fault on a private mapping is not a COW */
	t.flags = 0;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	/* other fault flags are not the write bit */
	t.flags = 0x2 | 0x4 | 0x20;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	/* a write to a shared mapping is not a COW */
	t = good();
	t.vm_flags = DT_VM_SHARED;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
}

static void test_vma_start(void **state)
{
	struct dt_pmd_try t = good();

	t.vm_start = P + PAGE; /* the VMA starts 4 KiB into the block */
	assert_reason(&t, 1, DT_FB_VMA_START);
	/* a VMA that starts on the last page of the block, faulted there */
	t.vm_start = P + MIB2 - PAGE;
	t.address = t.vm_start;
	t.pgoff = 0x3ff;
	assert_reason(&t, 1, DT_FB_VMA_START);
	/* exactly at the block start: fine */
	t.vm_start = P;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
}

static void test_vma_end(void **state)
{
	struct dt_pmd_try t = good();

	t.vm_end = P + MIB2 - PAGE;
	assert_reason(&t, 1, DT_FB_VMA_END);
	t.vm_end = P + MIB2 - 1;
	assert_reason(&t, 1, DT_FB_VMA_END);
	/* the block ends exactly at vm_end: fits */
	t.vm_end = P + MIB2;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	/* a VMA of exactly one aligned 2 MiB block */
	t.vm_start = P;
	t.vm_end = P + MIB2;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
}

static void test_eof(void **state)
{
	struct dt_pmd_try t = good();
	uint64_t idx = t.pgoff & ~0x1ffULL;

	/* i_size ends one page short of the block: (idx | 0x1ff) == max_pgoff */
	t.max_pgoff = (idx | 0x1ff);
	assert_reason(&t, 1, DT_FB_EOF);
	assert_reason(&t, 0, DT_FB_EOF);
	/* (idx | 0x1ff) == max_pgoff - 1: the last page of the block is the last of the file */
	t.max_pgoff = (idx | 0x1ff) + 1;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	/* i_size just past the block start */
	t.max_pgoff = idx + 1;
	assert_reason(&t, 1, DT_FB_EOF);

	/* A 1 MiB file mapped whole at a 2 MiB-aligned address, in a 2 MiB VMA. */
	t = good();
	t.vm_start = P;
	t.vm_end = P + MIB2;
	t.address = P + 0x3000;
	t.pgoff = 3;
	t.max_pgoff = 0x100000 / PAGE;
	assert_reason(&t, 1, DT_FB_EOF);
}

static void test_entry_conflict_and_unknown(void **state)
{
	struct dt_pmd_try t = good();

	t.dstmap_seen = 0; /* grab_mapping_entry() failed: no iomap lookup */
	assert_reason(&t, 1, DT_FB_ENTRY_CONFLICT);
	/* unhooked: dstmap_seen means nothing, whatever else it holds */
	assert_reason(&t, 0, DT_FB_UNKNOWN);
	t.hole_fallback_seen = 1;
	t.dstmap_length = 0;
	assert_reason(&t, 0, DT_FB_UNKNOWN);
	/* the stale dstmap fields are ignored when none was seen */
	assert_reason(&t, 1, DT_FB_ENTRY_CONFLICT);
}

static void test_extent_short(void **state)
{
	struct dt_pmd_try t = good();
	uint64_t pos = (t.pgoff & ~0x1ffULL) * PAGE;

	assert_int_equal(pos, MIB2);
	/* the extent ends one page before the block does */
	t.dstmap_offset = 0;
	t.dstmap_length = pos + MIB2 - PAGE;
	assert_reason(&t, 1, DT_FB_EXTENT_SHORT);
	t.dstmap_length = pos + MIB2 - 1;
	assert_reason(&t, 1, DT_FB_EXTENT_SHORT);
	/* exactly to the end of the block: long enough */
	t.dstmap_length = pos + MIB2;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	/* an extent that starts at the block, 1 MiB long */
	t.dstmap_offset = pos;
	t.dstmap_length = MIB2 / 2;
	assert_reason(&t, 1, DT_FB_EXTENT_SHORT);
	t.dstmap_length = MIB2;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	/* short wins over a hole fallback and a bad type (it is checked first) */
	t.dstmap_length = PAGE;
	t.hole_fallback_seen = 1;
	t.dstmap_type = IOMAP_UNWRITTEN;
	assert_reason(&t, 1, DT_FB_EXTENT_SHORT);
}

static void test_hole_zero_pmd(void **state)
{
	struct dt_pmd_try t = good();

	/* read of a hole; dax_pmd_load_hole_fallback fired */
	t.flags = 0;
	t.dstmap_type = IOMAP_HOLE;
	t.dstmap_flags = 0;
	t.hole_fallback_seen = 1;
	assert_reason(&t, 1, DT_FB_HOLE_ZERO_PMD);
	assert_reason(&t, 0, DT_FB_UNKNOWN);
	/* the hole fallback wins over an unexpected type */
	t.dstmap_type = IOMAP_UNWRITTEN;
	assert_reason(&t, 1, DT_FB_HOLE_ZERO_PMD);
}

static void test_unexpected_type(void **state)
{
	struct dt_pmd_try t = good();

	t.dstmap_type = IOMAP_UNWRITTEN;
	t.dstmap_flags = IOMAP_F_DIRTY;
	assert_reason(&t, 1, DT_FB_UNEXPECTED_TYPE);
	t.dstmap_type = IOMAP_HOLE;
	assert_reason(&t, 1, DT_FB_UNEXPECTED_TYPE);
	/* IOMAP_F_SHARED (reflinked extent) is accepted whatever the type */
	t.dstmap_flags = DT_IOMAP_F_SHARED;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	t.dstmap_type = IOMAP_UNWRITTEN;
	t.dstmap_flags = DT_IOMAP_F_SHARED | IOMAP_F_DIRTY;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
	/* MAPPED with no flags */
	t.dstmap_type = DT_IOMAP_MAPPED;
	t.dstmap_flags = 0;
	assert_reason(&t, 1, DT_FB_DIRECT_ACCESS);
}

/* Every condition true at once, then fixed one by one in kernel order: each step must reveal
 * exactly the next reason (first match wins). */
static void test_precedence(void **state)
{
	struct dt_pmd_try t = {
		.address = P + PAGE,
		.pgoff = 0,                 /* misaligned: (P+4K)>>12 has low bits 1 */
		.flags = DT_FAULT_FLAG_WRITE,
		.vm_flags = 0,              /* private */
		.vm_start = P + PAGE,       /* block starts before the VMA */
		.vm_end = P + MIB2 / 2,     /* and ends after it */
		.max_pgoff = 0x3ff,         /* (0x200 | 0x1ff) >= 0x3ff */
		.dstmap_seen = 0,
		.dstmap_offset = MIB2,
		.dstmap_length = PAGE,      /* short */
		.hole_fallback_seen = 1,
		.dstmap_type = IOMAP_UNWRITTEN,
		.dstmap_flags = 0,
	};
	static const enum dt_fallback_reason order[] = {
		DT_FB_MISALIGNED, DT_FB_PRIVATE_COW, DT_FB_VMA_START, DT_FB_VMA_END, DT_FB_EOF,
		DT_FB_ENTRY_CONFLICT, DT_FB_EXTENT_SHORT, DT_FB_HOLE_ZERO_PMD,
		DT_FB_UNEXPECTED_TYPE, DT_FB_DIRECT_ACCESS,
	};

	for (size_t step = 0; step < sizeof(order) / sizeof(order[0]); step++) {
		assert_reason(&t, 1, order[step]);
		assert_reason(&t, 0, order[step] <= DT_FB_EOF ? order[step] : DT_FB_UNKNOWN);
		switch (order[step]) {
		case DT_FB_MISALIGNED: t.pgoff = 0x201; break;
		case DT_FB_PRIVATE_COW: t.vm_flags = DT_VM_SHARED; break;
		case DT_FB_VMA_START: t.vm_start = P; break;
		case DT_FB_VMA_END: t.vm_end = P + MIB2; break;
		case DT_FB_EOF: t.max_pgoff = 0x400; break;
		case DT_FB_ENTRY_CONFLICT: t.dstmap_seen = 1; break;
		case DT_FB_EXTENT_SHORT: t.dstmap_length = MIB2; break;
		case DT_FB_HOLE_ZERO_PMD: t.hole_fallback_seen = 0; break;
		case DT_FB_UNEXPECTED_TYPE: t.dstmap_type = DT_IOMAP_MAPPED; break;
		default: break;
		}
	}
}

/* Pairs of conditions: whichever comes first in kernel order is reported. */
static void test_precedence_pairs(void **state)
{
	struct dt_pmd_try t;

	t = good();
	t.pgoff += 1;                /* misaligned */
	t.vm_flags = 0;              /* and private COW */
	assert_reason(&t, 1, DT_FB_MISALIGNED);

	t = good();
	t.vm_flags = 0;              /* private COW */
	t.max_pgoff = 1;             /* and EOF */
	assert_reason(&t, 1, DT_FB_PRIVATE_COW);

	t = good();
	t.vm_start = P + PAGE;       /* VMA start */
	t.vm_end = P + PAGE * 2;     /* and VMA end */
	assert_reason(&t, 1, DT_FB_VMA_START);

	t = good();
	t.vm_end = P + PAGE * 2;     /* VMA end */
	t.dstmap_seen = 0;           /* and entry conflict */
	assert_reason(&t, 1, DT_FB_VMA_END);
	assert_reason(&t, 0, DT_FB_VMA_END);

	t = good();
	t.max_pgoff = 0x201;         /* EOF */
	t.dstmap_length = 0;         /* and extent short */
	assert_reason(&t, 1, DT_FB_EOF);
}

static void test_log2_slot(void **state)
{
	static const struct { uint64_t v; uint32_t slot; } cases[] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 }, { 4, 2 }, { 5, 2 }, { 7, 2 }, { 8, 3 },
		{ 1023, 9 }, { 1024, 10 }, { 1025, 10 }, { 65535, 15 }, { 65536, 16 },
		{ (1ULL << 31) - 1, 30 }, { 1ULL << 31, 31 }, { (1ULL << 32) - 1, 31 },
		{ 1ULL << 32, 31 }, { 1ULL << 40, 31 }, { UINT64_MAX, DT_MAX_SLOTS - 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (dt_log2_slot(cases[i].v) != cases[i].slot)
			fail_msg("dt_log2_slot(%llu) = %u, expected %u",
				 (unsigned long long)cases[i].v, dt_log2_slot(cases[i].v),
				 cases[i].slot);
	/* every power of two and its neighbours */
	for (int k = 1; k < 64; k++) {
		uint64_t v = 1ULL << k;
		uint32_t want = k < DT_MAX_SLOTS ? (uint32_t)k : DT_MAX_SLOTS - 1;
		uint32_t below = k - 1 < DT_MAX_SLOTS ? (uint32_t)(k - 1) : DT_MAX_SLOTS - 1;

		assert_int_equal(dt_log2_slot(v), want);
		assert_int_equal(dt_log2_slot(v + (v >> 1)), want);
		assert_int_equal(dt_log2_slot(v - 1), k == 1 ? 0 : below);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_is_direct_access),
		cmocka_unit_test(test_misaligned),
		cmocka_unit_test(test_private_cow),
		cmocka_unit_test(test_vma_start),
		cmocka_unit_test(test_vma_end),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_entry_conflict_and_unknown),
		cmocka_unit_test(test_extent_short),
		cmocka_unit_test(test_hole_zero_pmd),
		cmocka_unit_test(test_unexpected_type),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_precedence_pairs),
		cmocka_unit_test(test_log2_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
