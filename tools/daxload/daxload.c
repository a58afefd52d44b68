// SPDX-License-Identifier: GPL-2.0
/* daxload: a MAP_SYNC workload that knows what it will make the kernel do (and, in the modes
 * read, readpmd and write, DAX faults that need no sync: cheap faults, for the bench).
 *
 * Before it touches anything, each mode prints one JSON line on stdout: the files it made
 * (path, dev, ino) and, per file, the exact number of each daxtrace counter the kernel must
 * report ("expect"), plus the fallback reasons it provokes ("fallback_regions": how many PMD
 * attempts fall back for that reason, as 6.1 reports them; kernels from 6.12 retry the fault
 * and report each fallback twice, so the count seen is 1x or 2x this). Counters it cannot
 * predict exactly are left out. Recipes: docs/EVENTS.md and ../shared/docs/vm-testbed.md §3.
 *
 * --name and --comm choose the file names and the comm, byte for byte, so a test can fault
 * files an attacker could have named (tests/vm/guest-hostile); the JSON line stays valid.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include "daxtrace.h"

#define PG 4096UL
#define PMD (2UL << 20)

static void die(const char *what)
{
	fprintf(stderr, "daxload: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct opts {
	const char *mode;
	const char *dir;
	size_t size;     /* bytes per file, a multiple of the mode's granule */
	int files;
	char **names;    /* --name: file names inside dir, one file each; NULL = daxload-MODE-N */
	const char *comm;
	const char *wait;  /* --wait FIFO: files made and declared, faults once a line arrives */
	int threads;
	int iterations;
	int seconds;     /* long mode */
};

/* Expected counters of one file, by daxtrace's counter (include/dt_tables.h, the JSON keys);
 * -1 = not predicted. */
#define KEY(id, key, ...) [DT_C_##id] = key,
static const char *const e_names[DT_C_NR] = { DT_COUNTERS(KEY) };
#define REASON(id, name, ...) [DT_FB_##id] = name,
static const char *const r_names[DT_FB_NR] = { DT_FALLBACKS(REASON) };

struct file {
	char path[512];
	int fd;
	struct stat st;
	long long expect[DT_C_NR];
	long long regions[DT_FB_NR]; /* 2 MiB regions falling back, per reason */
	/* Where, where a mode knows: the file's 2 MiB blocks falling back for each reason, and
	 * those racing, as runs of consecutive blocks [first, first + n) ("fallback_blocks",
	 * "race_blocks": daxtrace's fallback_offsets and race_offsets). */
	int blocks_known;
	size_t fb_first[DT_FB_NR], fb_n[DT_FB_NR], race_first, race_n;
};

static void fb_blocks(struct file *f, int reason, size_t first, size_t n)
{
	f->blocks_known = 1;
	f->fb_first[reason] = first;
	f->fb_n[reason] = n;
}

static struct file *files;
static struct opts o;

static void pwrite_all(int fd, const char *buf, size_t len, off_t off);

static void expect_none(struct file *f)
{
	for (int i = 0; i < DT_C_NR; i++)
		f->expect[i] = -1;
	memset(f->regions, 0, sizeof(f->regions));
}

/* A read-only mode: no sync fault, upgrade, race, hole load or error, unless the mode then
 * declares one; the other counters undeclared. */
static void expect_reads(struct file *f)
{
	static const int none[] = { DT_C_SYNC_FAULTS, DT_C_PTE_UPGRADES, DT_C_PMD_UPGRADES,
				    DT_C_RACES, DT_C_HOLE_LOADS, DT_C_FAULT_ERRORS,
				    DT_C_MKWRITE_ERRORS };

	expect_none(f);
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		f->expect[none[i]] = 0;
}

static void make_file(struct file *f, int i, size_t size, int sparse)
{
	int n = o.names ? snprintf(f->path, sizeof(f->path), "%s/%s", o.dir, o.names[i])
			: snprintf(f->path, sizeof(f->path), "%s/daxload-%s-%d", o.dir, o.mode, i);

	if (n < 0 || (size_t)n >= sizeof(f->path)) {
		errno = ENAMETOOLONG;
		die(o.dir);
	}
	unlink(f->path);
	f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (f->fd < 0)
		die(f->path);
	if (sparse ? ftruncate(f->fd, (off_t)size) : fallocate(f->fd, 0, 0, (off_t)size))
		die("allocating the file");
	if (fstat(f->fd, &f->st))
		die("fstat");
	expect_none(f);
}

/* Maps len bytes of fd at file offset off, at an address that is 2 MiB-aligned plus skew,
 * with protection prot. */
static char *map_prot(int fd, size_t len, off_t off, size_t skew, int flags, int prot)
{
	char *r = mmap(NULL, len + 2 * PMD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a, *p;

	if (r == MAP_FAILED)
		die("reserving address space");
	a = (char *)(((uintptr_t)r + PMD - 1) & ~(PMD - 1)) + skew;
	if (flags == -1)
		flags = MAP_SHARED_VALIDATE | MAP_SYNC;
	p = mmap(a, len, prot, flags | MAP_FIXED, fd, off);
	if (p == MAP_FAILED)
		die(flags & MAP_SYNC ? "mmap MAP_SYNC (is the filesystem mounted -o dax?)" : "mmap");
	return p;
}

/* The same, read and write (flags -1: MAP_SHARED_VALIDATE | MAP_SYNC). */
static char *map_at(int fd, size_t len, off_t off, size_t skew, int flags)
{
	return map_prot(fd, len, off, skew, flags, PROT_READ | PROT_WRITE);
}

static void write_pages(char *p, size_t len, size_t step)
{
	for (size_t i = 0; i < len; i += step)
		p[i] = (char)(i / PG + 1);
}

/* Length of the valid UTF-8 sequence at s, 0 if invalid; *cp gets the code point. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	*cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) || *cp > 0x10ffff ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string of arbitrary bytes: control characters (C0, DEL, C1) escaped, bytes that are
 * not UTF-8 as U+FFFD, so the line is valid JSON and safe to print whatever the names are. */
static void json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	putchar('"');
	while (*s) {
		uint32_t cp = *s;
		size_t len = *s < 0x80 ? 1 : utf8_seq(s, &cp);

		if (!len) {
			fputs("\\ufffd", stdout);
			s++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			printf("\\%c", (int)cp);
		else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			printf("\\u%04x", (unsigned)cp);
		else
			fwrite(s, 1, len, stdout);
		s += len;
	}
	putchar('"');
}

static void print_json(void)
{
	char comm[16] = "";
	long long tot[DT_C_NR] = {}, reg[DT_FB_NR] = {};
	int known[DT_C_NR];

	for (int e = 0; e < DT_C_NR; e++)
		known[e] = 1;
	prctl(PR_GET_NAME, comm);
	printf("{\"mode\":\"%s\",\"size\":%zu,\"threads\":%d,\"iterations\":%d,\"comm\":", o.mode,
	       o.size, o.threads, o.iterations);
	json_str(comm);
	printf(",\"files\":[");
	for (int i = 0; i < o.files; i++) {
		struct file *f = &files[i];
		int first = 1;

		printf("%s{\"path\":", i ? "," : "");
		json_str(f->path);
		printf(",\"dev\":\"%u:%u\",\"ino\":%llu,\"expect\":{", major(f->st.st_dev),
		       minor(f->st.st_dev), (unsigned long long)f->st.st_ino);
		for (int e = 0; e < DT_C_NR; e++) {
			if (f->expect[e] < 0) {
				known[e] = 0;
				continue;
			}
			tot[e] += f->expect[e];
			printf("%s\"%s\":%lld", first ? "" : ",", e_names[e], f->expect[e]);
			first = 0;
		}
		printf("},\"fallback_regions\":{");
		first = 1;
		for (int r = 0; r < DT_FB_NR; r++) {
			reg[r] = reg[r] < 0 || f->regions[r] < 0 ? -1 : reg[r] + f->regions[r];
			if (!f->regions[r])
				continue;
			printf("%s\"%s\":%lld", first ? "" : ",", r_names[r], f->regions[r]);
			first = 0;
		}
		printf("}");
		if (f->blocks_known) {
			printf(",\"fallback_blocks\":{");
			first = 1;
			for (int r = 0; r < DT_FB_NR; r++) {
				if (!f->fb_n[r])
					continue;
				printf("%s\"%s\":[", first ? "" : ",", r_names[r]);
				for (size_t b = 0; b < f->fb_n[r]; b++)
					printf("%s%zu", b ? "," : "", (f->fb_first[r] + b) * PMD);
				printf("]");
				first = 0;
			}
			printf("},\"race_blocks\":[");
			for (size_t b = 0; b < f->race_n; b++)
				printf("%s%zu", b ? "," : "", (f->race_first + b) * PMD);
			printf("]");
		}
		printf("}");
	}
	printf("],\"expect\":{");
	for (int e = 0, first = 1; e < DT_C_NR; e++) {
		if (!known[e])
			continue;
		printf("%s\"%s\":%lld", first ? "" : ",", e_names[e], tot[e]);
		first = 0;
	}
	printf("},\"fallback_regions\":{");
	for (int r = 0, first = 1; r < DT_FB_NR; r++) {
		if (!reg[r])
			continue;
		printf("%s\"%s\":%lld", first ? "" : ",", r_names[r], reg[r]);
		first = 0;
	}
	printf("}}\n");
	fflush(stdout);
}

/* Sets the exact counters of a file with no fallback: n PTE or PMD sync write faults. */
static void expect_sync(struct file *f, long long pte, long long pmd)
{
	f->expect[DT_C_PTE_FAULTS] = pte;
	f->expect[DT_C_PMD_FAULTS] = pmd;
	f->expect[DT_C_SYNC_FAULTS] = pte + pmd;
	f->expect[DT_C_PTE_UPGRADES] = pte;
	f->expect[DT_C_PMD_UPGRADES] = pmd;
	f->expect[DT_C_RACES] = 0;
	f->expect[DT_C_FALLBACKS] = 0;
	f->expect[DT_C_HOLE_LOADS] = 0;
}

/* ---- modes ---------------------------------------------------------------------------- */

/* 4 KiB sync faults only: MADV_NOHUGEPAGE keeps the PMD path out. */
static void mode_pte(struct file *f, int run)
{
	size_t pages = o.size / PG;
	char *p;

	if (!run) {
		expect_sync(f, (long long)pages * o.iterations, 0);
		/* xfs may find an extent still clean after re-allocation; and ext4 may convert a
		 * small unwritten extent whole on the first write (6.1, -s 16k: one sync per file) */
		if (o.iterations > 1 || o.size < PMD)
			f->expect[DT_C_SYNC_FAULTS] = f->expect[DT_C_PTE_UPGRADES] = -1;
		return;
	}
	for (int it = 0; it < o.iterations; it++) {
		if (it && (ftruncate(f->fd, 0) || fallocate(f->fd, 0, 0, (off_t)o.size)))
			die("re-allocating");
		p = map_at(f->fd, o.size, 0, 0, -1);
		if (madvise(p, o.size, MADV_NOHUGEPAGE))
			die("madvise");
		write_pages(p, o.size, PG);
		munmap(p, o.size);
	}
}

/* pte over many files in several threads. Every page still faults exactly once, but whether
 * each fault needs a sync is not exact under concurrency: on xfs, one thread's fsync forces
 * the log and can make another file's metadata durable before that file's next fault. */
static void mode_storm(struct file *f, int run)
{
	mode_pte(f, run);
	if (!run && o.threads > 1)
		f->expect[DT_C_SYNC_FAULTS] = f->expect[DT_C_PTE_UPGRADES] = -1;
}

/* 2 MiB sync faults: an aligned mapping, every page written, one fault per 2 MiB. */
static void mode_pmd(struct file *f, int run)
{
	char *p;

	if (!run) {
		expect_sync(f, 0, (long long)(o.size / PMD) * o.iterations);
		if (o.iterations > 1)
			f->expect[DT_C_SYNC_FAULTS] = f->expect[DT_C_PMD_UPGRADES] = -1;
		return;
	}
	for (int it = 0; it < o.iterations; it++) {
		if (it && (ftruncate(f->fd, 0) || fallocate(f->fd, 0, 0, (off_t)o.size)))
			die("re-allocating");
		p = map_at(f->fd, o.size, 0, 0, -1);
		write_pages(p, o.size, PG);
		munmap(p, o.size);
	}
}

/* Virtual address 4 KiB off the file offset mod 2 MiB: every region falls back. */
static void mode_misaligned(struct file *f, int run)
{
	size_t pages = o.size / PG;

	if (!run) {
		expect_sync(f, (long long)pages, 0);
		f->expect[DT_C_FALLBACKS] = -1;
		f->expect[DT_C_PMD_FAULTS] = -1;
		f->regions[DT_FB_MISALIGNED] = (long long)(o.size / PMD) + 1;
		/* the first fault in virtual PMD k is at file page 512k - 1: blocks 0, 0, 1, 2... */
		fb_blocks(f, DT_FB_MISALIGNED, 0, o.size / PMD);
		return;
	}
	write_pages(map_at(f->fd, o.size, 0, PG, -1), o.size, PG);
}

/* A private mapping: write faults copy on write, PMD attempts fall back, nothing syncs. */
static void mode_private_cow(struct file *f, int run)
{
	size_t pages = o.size / PG;

	if (!run) {
		expect_none(f);
		f->expect[DT_C_PTE_FAULTS] = (long long)pages;
		f->expect[DT_C_SYNC_FAULTS] = 0;
		f->expect[DT_C_PTE_UPGRADES] = 0;
		f->expect[DT_C_PMD_UPGRADES] = 0;
		f->expect[DT_C_RACES] = 0;
		f->regions[DT_FB_PRIVATE_COW] = (long long)(o.size / PMD);
		fb_blocks(f, DT_FB_PRIVATE_COW, 0, o.size / PMD);
		return;
	}
	write_pages(map_at(f->fd, o.size, 0, 0, MAP_PRIVATE), o.size, PG);
}

/* The VMA starts 4 KiB into the first region (offset and address stay congruent): that
 * region falls back at the VMA start, the others are PMD sync faults. */
static void mode_vma_start(struct file *f, int run)
{
	size_t regions = o.size / PMD;

	if (!run) {
		expect_sync(f, (long long)(PMD / PG - 1), (long long)regions - 1);
		f->expect[DT_C_FALLBACKS] = -1;
		f->expect[DT_C_PMD_FAULTS] = -1;
		f->regions[DT_FB_VMA_START] = 1;
		fb_blocks(f, DT_FB_VMA_START, 0, 1);
		return;
	}
	write_pages(map_at(f->fd, o.size - PG, PG, PG, -1), o.size - PG, PG);
}

/* The VMA ends 4 KiB before the last region does. */
static void mode_vma_end(struct file *f, int run)
{
	size_t regions = o.size / PMD;

	if (!run) {
		expect_sync(f, (long long)(PMD / PG - 1), (long long)regions - 1);
		f->expect[DT_C_FALLBACKS] = -1;
		f->expect[DT_C_PMD_FAULTS] = -1;
		f->regions[DT_FB_VMA_END] = 1;
		fb_blocks(f, DT_FB_VMA_END, regions - 1, 1);
		return;
	}
	write_pages(map_at(f->fd, o.size - PG, 0, 0, -1), o.size - PG, PG);
}

/* i_size ends 4 KiB before the last region: that region falls back at EOF. The mapping
 * covers the whole region, so the VMA checks pass first. */
static void mode_eof(struct file *f, int run)
{
	size_t regions = o.size / PMD;

	if (!run) {
		if (ftruncate(f->fd, (off_t)(o.size - PG)))
			die("ftruncate");
		fstat(f->fd, &f->st);
		expect_sync(f, (long long)(PMD / PG - 1), (long long)regions - 1);
		f->expect[DT_C_FALLBACKS] = -1;
		f->expect[DT_C_PMD_FAULTS] = -1;
		f->regions[DT_FB_EOF] = 1;
		fb_blocks(f, DT_FB_EOF, regions - 1, 1);
		return;
	}
	write_pages(map_at(f->fd, o.size, 0, 0, -1), o.size - PG, PG);
}

/* First page of each region written through a plain shared (not MAP_SYNC), misaligned
 * mapping, then fsync: 4 KiB entries now sit in every region. An aligned MAP_SYNC mapping
 * then tries PMD and finds them (entry conflict). Its first page is written and clean (no
 * sync); every other page is a PTE sync fault. */
static void mode_entry_conflict(struct file *f, int run)
{
	size_t regions = o.size / PMD, pages = o.size / PG;
	char *p;

	if (!run) {
		expect_none(f);
		f->expect[DT_C_PTE_FAULTS] = (long long)(regions + pages);
		f->expect[DT_C_SYNC_FAULTS] = (long long)(pages - regions);
		f->expect[DT_C_PTE_UPGRADES] = (long long)(pages - regions);
		f->expect[DT_C_PMD_UPGRADES] = 0;
		f->expect[DT_C_RACES] = 0;
		f->expect[DT_C_HOLE_LOADS] = 0;
		f->regions[DT_FB_MISALIGNED] = (long long)regions;
		f->regions[DT_FB_ENTRY_CONFLICT] = (long long)regions;
		/* both at page 512r of each region r */
		fb_blocks(f, DT_FB_MISALIGNED, 0, regions);
		fb_blocks(f, DT_FB_ENTRY_CONFLICT, 0, regions);
		return;
	}
	p = map_at(f->fd, o.size, 0, PG, MAP_SHARED);
	for (size_t r = 0; r < regions; r++)
		p[r * PMD] = 1; /* file page r*512 at a misaligned address */
	munmap(p, o.size);
	if (fsync(f->fd))
		die("fsync");
	write_pages(map_at(f->fd, o.size, 0, 0, -1), o.size, PG);
}

/* Deterministic dax_insert_pfn_mkwrite_no_entry (vm-testbed.md §3): PMD entries from an
 * aligned map, then per region a PTE sync fault through a misaligned map of the same file
 * while i_size grows (inode datasync-dirty): dax_finish_sync_fault(order 0) finds a PMD
 * entry. The retried fault then maps the page without a sync. */
static void mode_noentry(struct file *f, int run)
{
	size_t regions = o.size / PMD;
	off_t end = (off_t)o.size;
	char *a, *b;

	if (!run) {
		expect_none(f);
		f->expect[DT_C_SYNC_FAULTS] = (long long)(2 * regions);
		f->expect[DT_C_PMD_UPGRADES] = (long long)regions;
		f->expect[DT_C_PTE_UPGRADES] = 0;
		f->expect[DT_C_RACES] = (long long)regions;
		f->expect[DT_C_HOLE_LOADS] = 0;
		/* the PTE fault and its re-fault after the race each try PMD first */
		f->regions[DT_FB_MISALIGNED] = 2 * (long long)regions;
		/* the PTE fault at page 512r + 1 of each region r races and falls back there */
		fb_blocks(f, DT_FB_MISALIGNED, 0, regions);
		f->race_first = 0;
		f->race_n = regions;
		return;
	}
	a = map_at(f->fd, o.size, 0, 0, -1);
	for (size_t off = 0; off < o.size; off += PMD)
		a[off] = 1;
	b = map_at(f->fd, o.size, 0, PG, -1);
	for (size_t off = PG; off < o.size; off += PMD) {
		if (fallocate(f->fd, 0, end, (off_t)PG))
			die("fallocate past EOF");
		end += (off_t)PG;
		b[off] = 2;
	}
}

/* Sparse file: reads through an aligned map load the huge zero page per region, then reads
 * through a misaligned map load the 4 KiB zero page per page. */
static void mode_holes(struct file *f, int run)
{
	size_t regions = o.size / PMD, pages = o.size / PG;
	volatile char sum = 0;
	char *p;

	if (!run) {
		expect_none(f);
		f->expect[DT_C_HOLE_LOADS] = (long long)(regions + pages);
		f->expect[DT_C_SYNC_FAULTS] = 0;
		f->expect[DT_C_PTE_UPGRADES] = 0;
		f->expect[DT_C_PMD_UPGRADES] = 0;
		f->expect[DT_C_RACES] = 0;
		f->expect[DT_C_PTE_FAULTS] = (long long)pages;
		f->regions[DT_FB_MISALIGNED] = (long long)regions + 1;
		fb_blocks(f, DT_FB_MISALIGNED, 0, regions); /* the second, misaligned map: as misaligned */
		return;
	}
	p = map_at(f->fd, o.size, 0, 0, -1);
	for (size_t i = 0; i < o.size; i += PG)
		sum += p[i];
	p = map_at(f->fd, o.size, 0, PG, -1);
	for (size_t i = 0; i < o.size; i += PG)
		sum += p[i];
	(void)sum;
}

/* Written and fsynced through write(2) first: the MAP_SYNC faults need no sync. */
static void mode_rewrite(struct file *f, int run)
{
	char buf[PG];

	if (!run) {
		expect_none(f);
		f->expect[DT_C_PMD_FAULTS] = (long long)(o.size / PMD);
		f->expect[DT_C_PTE_FAULTS] = 0;
		f->expect[DT_C_SYNC_FAULTS] = 0;
		f->expect[DT_C_PTE_UPGRADES] = 0;
		f->expect[DT_C_PMD_UPGRADES] = 0;
		f->expect[DT_C_RACES] = 0;
		f->expect[DT_C_FALLBACKS] = 0;
		return;
	}
	memset(buf, 'x', sizeof(buf));
	for (size_t off = 0; off < o.size; off += PG)
		if (pwrite(f->fd, buf, PG, (off_t)off) != (ssize_t)PG)
			die("pwrite");
	if (fsync(f->fd))
		die("fsync");
	write_pages(map_at(f->fd, o.size, 0, 0, -1), o.size, PG);
}

/* Written in pieces: through write(2), page 0 and page 256 of every region, the rest a hole.
 * A read fault at page 0 through an aligned map tries PMD, finds a mapped extent of one page
 * (shorter than the 2 MiB block) and falls back; the PTE fault then maps the page. */
static void mode_extent_short(struct file *f, int run)
{
	size_t regions = o.size / PMD;
	volatile char sum = 0;
	char buf[PG], *p;

	if (!run) {
		memset(buf, 'x', sizeof(buf));
		for (size_t r = 0; r < regions; r++)
			if (pwrite(f->fd, buf, PG, (off_t)(r * PMD)) != (ssize_t)PG ||
			    pwrite(f->fd, buf, PG, (off_t)(r * PMD + 256 * PG)) != (ssize_t)PG)
				die("pwrite");
		if (fsync(f->fd))
			die("fsync");
		expect_reads(f);
		f->expect[DT_C_PTE_FAULTS] = (long long)regions;
		f->regions[DT_FB_EXTENT_SHORT] = (long long)regions;
		return;
	}
	p = map_at(f->fd, o.size, 0, 0, -1);
	for (size_t r = 0; r < regions; r++)
		sum += p[r * PMD];
	(void)sum;
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* Reads one byte at p; 1 if the kernel answered SIGBUS. */
static int read_bus(const volatile char *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	volatile int bus = 0;
	volatile char c;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old))
		die("sigaction");
	if (sigsetjmp(bus_jmp, 1))
		bus = 1;
	else
		c = *p;
	(void)c;
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

/* Physical byte offset on the device of file offset off; dies unless one extent maps the
 * whole 2 MiB region there. */
static unsigned long long phys_of(int fd, off_t off)
{
	struct { struct fiemap fm; struct fiemap_extent fe[1]; } m;

	memset(&m, 0, sizeof(m));
	m.fm.fm_start = (unsigned long long)off;
	m.fm.fm_length = PMD;
	m.fm.fm_flags = FIEMAP_FLAG_SYNC;
	m.fm.fm_extent_count = 1;
	if (ioctl(fd, FS_IOC_FIEMAP, &m.fm))
		die("FIEMAP");
	if (m.fm.fm_mapped_extents != 1 || m.fe[0].fe_logical > (unsigned long long)off ||
	    m.fe[0].fe_logical + m.fe[0].fe_length < (unsigned long long)off + PMD ||
	    (m.fe[0].fe_flags & FIEMAP_EXTENT_UNWRITTEN)) {
		errno = EINVAL;
		die("FIEMAP: the region is not one written extent");
	}
	return m.fe[0].fe_physical + ((unsigned long long)off - m.fe[0].fe_logical);
}

/* Page of each region that the bad-block modes mark bad on the pmem device. */
#define BAD_PAGE 256

/* Media errors through the pmem device's bad-block list: each region is written whole
 * (one 2 MiB-aligned extent), then page 256 of it is marked bad in
 * /sys/block/pmem0/badblocks (sectors of the device: FIEMAP's physical offset / 512). A read
 * of page 0 tries PMD: dax_direct_access() of the 2 MiB range meets the bad sectors and fails
 * (-EIO), so the PMD attempt falls back (direct_access); the PTE fault of page 0 succeeds;
 * the read of page 256 gets -EIO as SIGBUS (a fault error). Bad blocks cannot be cleared on
 * a legacy e820 pmem device (no clear-error command), so a hard link in DIR/.daxload-bad
 * keeps the blocks allocated and no later file gets them. */
static void mode_badblocks(struct file *f, int run)
{
	size_t regions = o.size / PMD;
	char buf[PG], keep[600], line[64], *p;
	int sys;

	if (!run) {
		memset(buf, 'b', sizeof(buf));
		for (size_t off = 0; off < o.size; off += PG)
			if (pwrite(f->fd, buf, PG, (off_t)off) != (ssize_t)PG)
				die("pwrite");
		if (fsync(f->fd))
			die("fsync");
		snprintf(keep, sizeof(keep), "%s/.daxload-bad", o.dir);
		if (mkdir(keep, 0755) && errno != EEXIST)
			die(keep);
		snprintf(keep, sizeof(keep), "%s/.daxload-bad/%llu", o.dir,
			 (unsigned long long)f->st.st_ino);
		if (link(f->path, keep))
			die(keep);
		for (size_t r = 0; r < regions; r++) {
			unsigned long long phys = phys_of(f->fd, (off_t)(r * PMD));

			if (phys % PMD) {
				errno = EINVAL;
				die("the region's extent is not 2 MiB-aligned on the device");
			}
			sys = open("/sys/block/pmem0/badblocks", O_WRONLY);
			if (sys < 0)
				die("/sys/block/pmem0/badblocks");
			snprintf(line, sizeof(line), "%llu %lu\n", (phys + BAD_PAGE * PG) / 512,
				 PG / 512);
			if (write(sys, line, strlen(line)) != (ssize_t)strlen(line))
				die("writing /sys/block/pmem0/badblocks");
			close(sys);
		}
		expect_reads(f);
		f->expect[DT_C_PTE_FAULTS] = 2 * (long long)regions;
		f->expect[DT_C_FAULT_ERRORS] = (long long)regions;
		f->regions[DT_FB_DIRECT_ACCESS] = (long long)regions;
		return;
	}
	p = map_at(f->fd, o.size, 0, 0, -1);
	for (size_t r = 0; r < regions; r++) {
		if (read_bus(p + r * PMD))
			die("page 0 of a region with a bad block elsewhere: SIGBUS");
		if (!read_bus(p + r * PMD + BAD_PAGE * PG)) {
			errno = EIO;
			die("the bad page read without SIGBUS");
		}
	}
}

/* Reads past EOF through a mapping longer than the file: i_size ends 4 KiB into the last
 * region, the mapping covers it whole. Page 0 of the last region maps (after its PMD attempt
 * falls back at EOF), page 1 is beyond i_size: the PTE fault returns SIGBUS. */
static void mode_sigbus(struct file *f, int run)
{
	size_t regions = o.size / PMD;
	volatile char sum = 0;
	char *p;

	if (!run) {
		if (ftruncate(f->fd, (off_t)(o.size - PMD + PG)))
			die("ftruncate");
		fstat(f->fd, &f->st);
		expect_reads(f);
		f->expect[DT_C_PTE_FAULTS] = 2;
		f->expect[DT_C_FAULT_ERRORS] = 1;
		f->expect[DT_C_HOLE_LOADS] = 1; /* page 0 is unwritten (fallocate): the zero page */
		f->regions[DT_FB_EOF] = 1;
		return;
	}
	p = map_at(f->fd, o.size, 0, 0, -1);
	sum += p[(regions - 1) * PMD];
	(void)sum;
	if (!read_bus(p + (regions - 1) * PMD + PG)) {
		errno = EINVAL;
		die("a read past EOF without SIGBUS");
	}
}

/* ---- cheap faults: DAX faults that need no sync (the bench's cheap-fault cells) ------------ */

/* Writes the whole file through write(2) and fsyncs it, before the JSON line: every extent is
 * then written (no hole or unwritten extent: no zero-page load) and the inode is clean. */
static void fill_file(struct file *f)
{
	static char buf[64 << 10]; /* small: its page faults count in dtbench's rusage check */

	memset(buf, 'c', sizeof(buf));
	for (size_t off = 0; off < o.size; off += sizeof(buf)) {
		size_t len = o.size - off < sizeof(buf) ? o.size - off : sizeof(buf);

		pwrite_all(f->fd, buf, len, (off_t)off);
	}
	if (fsync(f->fd))
		die("fsync");
}

/* Exactly pte PTE and pmd PMD faults on a written file, none of them a sync fault, no
 * fallback, no zero-page load, no error. */
static void expect_nosync(struct file *f, long long pte, long long pmd)
{
	expect_reads(f);
	f->expect[DT_C_PTE_FAULTS] = pte;
	f->expect[DT_C_PMD_FAULTS] = pmd;
	f->expect[DT_C_FALLBACKS] = 0;
}

/* Maps the written file shared (no MAP_SYNC) with prot and touches one byte every step bytes,
 * -n times. Between passes MADV_DONTNEED zaps the page tables (the DAX entries stay in the
 * file's mapping), so every touch of every pass is a fault again. (A fresh mmap per pass did
 * the same, but under TCG its mmap and munmap cost as much as 13 PMD faults.) */
static void touch_passes(struct file *f, int prot, int nohuge, size_t step)
{
	char *p = map_prot(f->fd, o.size, 0, 0, MAP_SHARED, prot);
	volatile char sum = 0;

	if (nohuge && madvise(p, o.size, MADV_NOHUGEPAGE))
		die("madvise");
	for (int it = 0; it < o.iterations; it++) {
		if (it && madvise(p, o.size, MADV_DONTNEED))
			die("madvise MADV_DONTNEED");
		for (size_t i = 0; i < o.size; i += step) {
			if (prot & PROT_WRITE)
				p[i] = (char)(i / PG + it);
			else
				sum += p[i];
		}
	}
	munmap(p, o.size);
	(void)sum;
}

/* 4 KiB read faults that need no sync: PROT_READ, MADV_NOHUGEPAGE (no PMD attempt at all). */
static void mode_read(struct file *f, int run)
{
	if (!run) {
		fill_file(f);
		expect_nosync(f, (long long)(o.size / PG) * o.iterations, 0);
		return;
	}
	touch_passes(f, PROT_READ, 1, PG);
}

/* Is every 2 MiB region of the file one written extent, 2 MiB-aligned on the device? */
static int regions_aligned(struct file *f)
{
	for (size_t off = 0; off < o.size; off += PMD)
		if (phys_of(f->fd, (off_t)off) % PMD)
			return 0;
	return 1;
}

/* 2 MiB read faults that need no sync: an aligned PROT_READ mapping of a file whose every
 * region is one written, 2 MiB-aligned extent (checked with FIEMAP: an allocator that gave
 * anything else is reported, not counted as PTE faults), one read per region. */
static void mode_readpmd(struct file *f, int run)
{
	if (!run) {
		/* ext4 aligns to its stripe (2 MiB here) only as a best effort: right after a large
		 * file is freed (its blocks come back at the journal commit) a fresh allocation can
		 * start off a 2 MiB boundary. Blocks freed by ftruncate come back only at the next
		 * commit too, so each new allocation lands elsewhere. */
		fill_file(f);
		for (int try = 1; !regions_aligned(f); try++) {
			if (try == 8) {
				errno = EINVAL;
				die("readpmd: no 2 MiB-aligned extents after 8 allocations");
			}
			if (ftruncate(f->fd, 0) || fallocate(f->fd, 0, 0, (off_t)o.size))
				die("re-allocating");
			fill_file(f);
		}
		expect_nosync(f, 0, (long long)(o.size / PMD) * o.iterations);
		return;
	}
	touch_passes(f, PROT_READ, 0, PMD);
}

/* 4 KiB write faults that need no sync: a shared mapping without MAP_SYNC never asks for one
 * (dax_fault_is_synchronous() needs VM_SYNC), so no dax_insert_pfn_mkwrite either. */
static void mode_write(struct file *f, int run)
{
	if (!run) {
		fill_file(f);
		expect_nosync(f, (long long)(o.size / PG) * o.iterations, 0);
		return;
	}
	touch_passes(f, PROT_READ | PROT_WRITE, 1, PG);
}

/* The three above in one process, file i doing read, readpmd or write by i % 3: one case of
 * the VM matrix (one daxtrace start, most of a case's time) checks all three. */
static void mode_cheap(struct file *f, int run)
{
	static void (*const fn[3])(struct file *, int) = { mode_read, mode_readpmd, mode_write };

	fn[(f - files) % 3](f, run);
}

/* Two threads read page 0 of each hole region of a sparse file at the same moment (a spin
 * barrier per region). Exactly one of them maps the huge zero page (dax_pmd_load_hole); the
 * other, if its PMD attempt started while the PMD was still empty, waits for the entry and then
 * finds the PMD populated in dax_pmd_load_hole(): dax_pmd_load_hole_fallback, a FALLBACK with
 * reason hole_zero_pmd. Its fallback then splits the PMD (split_huge_pmd() zaps the winner's
 * huge zero page) and its PTE fault loads the 4 KiB zero page (5.10). On 7.x the second thread
 * maps the huge zero page again instead. Whether the second thread got there in time is a
 * race: the count of hole_zero_pmd is not declared (-1: any), nor the PTE faults and hole
 * loads; what is certain is that no other reason occurs and that each region maps the huge
 * zero page once or twice: regions <= hole_loads - pte_faults <= 2 * regions (compare.py). */
struct holerace {
	char *p;
	size_t regions;
	int *arrive;
};

static void *holerace_thread(void *arg)
{
	struct holerace *h = arg;
	volatile char sum = 0;

	for (size_t r = 0; r < h->regions; r++) {
		__atomic_add_fetch(&h->arrive[r], 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&h->arrive[r], __ATOMIC_SEQ_CST) < 2)
			;
		sum += h->p[r * PMD];
	}
	(void)sum;
	return NULL;
}

static void mode_holerace(struct file *f, int run)
{
	struct holerace h = { .regions = o.size / PMD };
	pthread_t t[2];

	if (!run) {
		expect_reads(f);
		f->expect[DT_C_HOLE_LOADS] = -1; /* once or twice per region: compare.py bounds it */
		f->regions[DT_FB_HOLE_ZERO_PMD] = -1;
		return;
	}
	h.arrive = calloc(h.regions, sizeof(*h.arrive));
	if (!h.arrive)
		die("calloc");
	h.p = map_at(f->fd, o.size, 0, 0, -1);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, holerace_thread, &h))
			die("pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	free(h.arrive);
}

/* ---- threads ---------------------------------------------------------------------------- */

struct mode {
	const char *name;
	void (*fn)(struct file *f, int run);
	int flags;
	const char *help;
};

enum {
	M_SPARSE = 1, /* files are holes, not allocated */
	M_PAGES = 2,  /* -s may be any multiple of 4 KiB, not only of 2 MiB */
};

/* ---- layout: files whose read faults daxtrace map must explain, block by block ---------- */

/* One file of the layout: its size, and per 2 MiB block what is written there. */
enum lay_fill { L_DATA, L_HOLE, L_UNWRITTEN, L_PIECES };
struct lay_file {
	const char *name;
	size_t size;
	int nblocks;
	enum lay_fill fill[4];
	int conflict_block; /* read as 4 KiB pages first (MADV_NOHUGEPAGE): -1 for none */
	int bad_block;      /* gets a bad sector 1 MiB into it: -1 for none */
};

static const struct lay_file layout[] = {
	{ "aligned", 3 * PMD, 3, { L_DATA, L_DATA, L_DATA }, -1, -1 },
	{ "tail", 2 * PMD + PMD / 2, 3, { L_DATA, L_DATA, L_DATA }, -1, -1 },
	{ "sparse", 4 * PMD, 4, { L_HOLE, L_DATA, L_HOLE, L_UNWRITTEN }, -1, -1 },
	{ "pieces", 2 * PMD, 2, { L_PIECES, L_DATA }, -1, -1 },
	{ "conflict", 2 * PMD, 2, { L_DATA, L_DATA }, 0, -1 },
	{ "badblock", 2 * PMD, 2, { L_DATA, L_DATA }, -1, 1 },
};

static void pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	if (pwrite(fd, buf, len, off) != (ssize_t)len)
		die("pwrite");
}

/* The physical byte offset on the device of file offset off, from FIEMAP; -1 if a hole. The
 * extent's logical end, up to the end of off's block, is returned in *end (for the check that
 * a block is one extent). */
static long long fiemap_phys(int fd, off_t off, long long *end, int *unwritten)
{
	struct { struct fiemap fm; struct fiemap_extent fe[1]; } q = {};

	/* ext4 clips the extents it reports to the range asked for: ask up to the block's end */
	q.fm.fm_start = (uint64_t)off;
	q.fm.fm_length = PMD - (uint64_t)off % PMD;
	q.fm.fm_flags = FIEMAP_FLAG_SYNC;
	q.fm.fm_extent_count = 1;
	if (ioctl(fd, FS_IOC_FIEMAP, &q.fm))
		die("FIEMAP");
	if (!q.fm.fm_mapped_extents || q.fe[0].fe_logical > (uint64_t)off)
		return -1;
	*end = (long long)(q.fe[0].fe_logical + q.fe[0].fe_length);
	*unwritten = !!(q.fe[0].fe_flags & FIEMAP_EXTENT_UNWRITTEN);
	return (long long)(q.fe[0].fe_physical + ((uint64_t)off - q.fe[0].fe_logical));
}

/* The block's answer as the kernel must give it to a read through an aligned shared map,
 * checked against FIEMAP: a block meant to be one aligned extent that is not (the allocator
 * decided otherwise) is reported, not guessed. */
static const char *lay_expect(const struct lay_file *l, int fd, int b, const char **why)
{
	long long end = 0, phys;
	int unw = 0;

	*why = NULL;
	if (b == l->conflict_block)
		return "entry_conflict";
	if ((size_t)(b + 1) * PMD > l->size)
		return "eof";
	phys = fiemap_phys(fd, (off_t)b * PMD, &end, &unw);
	switch (l->fill[b]) {
	case L_HOLE:
	case L_UNWRITTEN:
		if (phys >= 0 && !unw)
			*why = "block meant as a hole or unwritten has written data";
		return "hole";
	case L_PIECES:
		if (phys < 0 || end >= (long long)(b + 1) * (long long)PMD)
			*why = "block written in pieces has no short extent at its start";
		return "extent_short";
	default:
		if (phys < 0 || unw || end < (long long)(b + 1) * (long long)PMD || phys % PMD)
			*why = "block meant as one aligned extent is not";
		return b == l->bad_block ? "direct_access" : "pmd";
	}
}

static void mode_layout(struct file *f0, int run)
{
	char dir[600], path[700], *buf = malloc(PMD);
	long long bad_sector = -1;
	const char *bad_file = "";
	int dfd;

	(void)run;
	if (!buf)
		die("malloc");
	close(f0->fd);
	unlink(f0->path); /* main's file: the layout makes its own */
	snprintf(dir, sizeof(dir), "%s/layout", o.dir);
	mkdir(dir, 0755);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		die(dir);
	printf("{\"mode\":\"layout\",\"dir\":");
	json_str(dir);
	printf(",\"files\":[");
	for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
		const struct lay_file *l = &layout[i];
		struct stat st;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, l->name);
		unlink(path);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || ftruncate(fd, (off_t)l->size))
			die(path);
		for (int b = 0; b < l->nblocks; b++) {
			off_t off = (off_t)b * PMD;
			size_t len = (size_t)b * PMD + PMD > l->size ? l->size - (size_t)b * PMD : PMD;

			memset(buf, 'a' + b, PMD);
			if (b == l->bad_block) /* zeros where the bad sector goes: clearing rewrites them */
				memset(buf + PMD / 2, 0, PG);
			switch (l->fill[b]) {
			case L_DATA: /* allocated at once, so one aligned extent, then written */
				if (fallocate(fd, 0, off, (off_t)len))
					die("fallocate");
				pwrite_all(fd, buf, len, off);
				break;
			case L_UNWRITTEN:
				if (fallocate(fd, 0, off, (off_t)len))
					die("fallocate");
				break;
			case L_PIECES: /* 4 KiB at the start and 4 KiB at 1 MiB, holes between */
				pwrite_all(fd, buf, PG, off);
				pwrite_all(fd, buf, PG, off + (off_t)PMD / 2);
				break;
			case L_HOLE:
				break;
			}
		}
		if (fsync(fd) || fstat(fd, &st))
			die("fsync");
		if (l->conflict_block >= 0) { /* PTE entries at two pages of the block */
			char *p = mmap(NULL, PMD, PROT_READ, MAP_SHARED, fd,
				       (off_t)l->conflict_block * PMD);
			volatile char sum = 0;

			if (p == MAP_FAILED || madvise(p, PMD, MADV_NOHUGEPAGE))
				die("mmap for the 4 KiB entries");
			sum += p[0];
			sum += p[5 * PG];
			(void)sum;
			munmap(p, PMD);
		}
		printf("%s{\"path\":", i ? "," : "");
		json_str(path);
		printf(",\"dev\":\"%u:%u\",\"ino\":%llu,\"size\":%zu,\"blocks\":[", major(st.st_dev),
		       minor(st.st_dev), (unsigned long long)st.st_ino, l->size);
		for (int b = 0; b < l->nblocks; b++) {
			const char *why, *e = lay_expect(l, fd, b, &why);
			int fb = strcmp(e, "pmd") && strcmp(e, "hole");

			printf("%s{\"offset\":%zu,\"mapping\":\"%s\",\"reason\":", b ? "," : "",
			       (size_t)b * PMD, fb ? "fallback" : e);
			if (fb)
				printf("\"%s\"", e);
			else
				printf("null");
			if (why)
				printf(",\"layout_error\":\"%s\"", why);
			printf("}");
		}
		printf("]}");
		if (l->bad_block >= 0) {
			long long end;
			int unw;
			long long phys = fiemap_phys(fd, (off_t)l->bad_block * PMD + (off_t)PMD / 2,
						     &end, &unw);
			char bb[64];
			int bfd = open("/sys/block/pmem0/badblocks", O_WRONLY);

			if (phys < 0 || bfd < 0)
				die("badblocks");
			bad_sector = phys / 512;
			bad_file = l->name;
			snprintf(bb, sizeof(bb), "%lld %lu\n", bad_sector, PG / 512);
			if (write(bfd, bb, strlen(bb)) != (ssize_t)strlen(bb))
				die("writing /sys/block/pmem0/badblocks");
			close(bfd);
		}
		close(fd);
	}
	/* not files to map: the walk of the directory skips them */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	unlink(path);
	if (mkfifo(path, 0644))
		die("mkfifo");
	snprintf(path, sizeof(path), "%s/link", dir);
	unlink(path);
	if (symlink("aligned", path))
		die("symlink");
	printf("],\"nonregular\":[\"fifo\",\"link\"],\"badblock\":{\"file\":\"%s\",\"sector\":%lld,"
	       "\"sectors\":%lu}}\n", bad_file, bad_sector, PG / 512);
	fflush(stdout);
	close(dfd);
	free(buf);
	exit(0);
}

static const struct mode modes[] = {
	{ "pte", mode_pte, M_PAGES, "4 KiB sync faults (MADV_NOHUGEPAGE)" },
	{ "pmd", mode_pmd, 0, "2 MiB sync faults" },
	{ "misaligned", mode_misaligned, 0, "PMD fallback: address not congruent to offset" },
	{ "private_cow", mode_private_cow, 0, "PMD fallback: write to a private mapping" },
	{ "vma_start", mode_vma_start, 0, "PMD fallback: VMA starts inside a region" },
	{ "vma_end", mode_vma_end, 0, "PMD fallback: VMA ends inside a region" },
	{ "eof", mode_eof, 0, "PMD fallback: i_size ends inside a region" },
	{ "entry_conflict", mode_entry_conflict, 0, "PMD fallback: 4 KiB entries in the region" },
	{ "noentry", mode_noentry, 0, "dax_insert_pfn_mkwrite_no_entry races" },
	{ "holes", mode_holes, M_SPARSE, "read faults on a sparse file (zero-page loads)" },
	{ "rewrite", mode_rewrite, 0, "MAP_SYNC writes that need no sync" },
	{ "extent_short", mode_extent_short, M_SPARSE, "PMD fallback: a file written in pieces" },
	{ "badblocks", mode_badblocks, 0, "pmem bad blocks: PMD fallback (direct_access), SIGBUS" },
	{ "sigbus", mode_sigbus, 0, "a read past EOF through a longer mapping: SIGBUS" },
	{ "holerace", mode_holerace, M_SPARSE, "two threads read each hole region at once (hole_zero_pmd)" },
	{ "storm", mode_storm, M_PAGES, "pte over --files files in --threads threads" },
	{ "read", mode_read, M_PAGES, "4 KiB read faults, no sync: written file, MADV_NOHUGEPAGE" },
	{ "readpmd", mode_readpmd, 0, "2 MiB read faults, no sync: written file, aligned map" },
	{ "write", mode_write, M_PAGES, "4 KiB write faults, no sync: written file, no MAP_SYNC" },
	{ "cheap", mode_cheap, 0, "read, readpmd and write, by file (-f 3: one file each)" },
	{ "layout", mode_layout, 0, "files in DIR/layout with a known layout per 2 MiB block (for map)" },
	{ "long", NULL, 0, "PTE and PMD sync faults for --seconds (no exact counts)" },
};

static const struct mode *mode;
static volatile int stop;

static void *worker(void *arg)
{
	long t = (long)arg;

	for (int i = (int)t; i < o.files; i += o.threads)
		mode->fn(&files[i], 1);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Alternating PTE and PMD passes over fresh extents until the time is up. */
static void *long_worker(void *arg)
{
	long t = (long)arg;
	double end = now() + o.seconds;

	while (now() < end) {
		for (int i = (int)t; i < o.files && now() < end; i += o.threads) {
			struct file *f = &files[i];
			char *p;

			if (ftruncate(f->fd, 0) || fallocate(f->fd, 0, 0, (off_t)o.size))
				die("re-allocating");
			p = map_at(f->fd, o.size, 0, 0, -1);
			if (i % 2 && madvise(p, o.size, MADV_NOHUGEPAGE))
				die("madvise");
			write_pages(p, o.size, PG);
			munmap(p, o.size);
		}
	}
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: daxload [-s SIZE] [-f FILES] [-t THREADS] [-n ITERATIONS] "
		     "[-S SECONDS]\n"
		     "               [--name NAME]... [--comm COMM] [--wait FIFO] MODE DIR\n\n"
		     "MODE is one of:\n");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(out, "  %-15s %s%s\n", modes[i].name, modes[i].help,
			modes[i].flags & M_PAGES ? " (-s: any multiple of 4 KiB)" : "");
	fprintf(out, "\nPrints the expected daxtrace counters as one JSON line, then runs.\n"
		     "DIR must be on a filesystem mounted with -o dax.\n"
		     "SIZE is per file, in MiB, or in KiB with a k (16k); a multiple of 2 MiB\n"
		     "unless the mode says otherwise (default 8).\n"
		     "Each --name makes one file DIR/NAME instead of -f FILES (any bytes but '/').\n"
		     "--comm sets the process name (prctl PR_SET_NAME; 15 bytes are kept).\n"
		     "--wait makes and declares the files, then reads FIFO before the first fault\n"
		     "(a tracer can then be given the files themselves).\n");
}

static long num(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "daxload: invalid %s '%s' (%ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

/* -s: MiB, or KiB with a trailing k ("16k"), up to 1 GiB. */
static size_t size_arg(const char *s)
{
	size_t len = strlen(s);
	char num_part[32];

	if (len && len < sizeof(num_part) && (s[len - 1] == 'k' || s[len - 1] == 'K')) {
		memcpy(num_part, s, len - 1);
		num_part[len - 1] = 0;
		return (size_t)num(num_part, 4, 1024 << 10, "size in KiB") << 10;
	}
	return (size_t)num(s, 1, 1024, "size in MiB") << 20;
}

/* --name: one path component, as bytes; the kernel rejects the rest (ENAMETOOLONG). */
static void add_name(char **names, int *n, const char *name)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		fprintf(stderr, "daxload: --name must be one path component (no '/')\n");
		exit(2);
	}
	names[(*n)++] = (char *)name;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'N' },
		{ "comm", required_argument, NULL, 'C' },
		{ "wait", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	pthread_t th[64];
	char **names = calloc((size_t)argc, sizeof(*names));
	int c, n_names = 0, f_given = 0;

	if (!names)
		die("calloc");
	o = (struct opts){ .size = 4 * PMD, .files = 1, .threads = 1, .iterations = 1, .seconds = 5 };
	while ((c = getopt_long(argc, argv, "s:f:t:n:S:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o.size = size_arg(optarg); break;
		case 'f':
			o.files = (int)num(optarg, 1, 100000, "file count");
			f_given = 1;
			break;
		case 'N': add_name(names, &n_names, optarg); break;
		case 'C': o.comm = optarg; break;
		case 'W': o.wait = optarg; break;
		case 't': o.threads = (int)num(optarg, 1, 64, "thread count"); break;
		case 'n': o.iterations = (int)num(optarg, 1, 1000, "iterations"); break;
		case 'S': o.seconds = (int)num(optarg, 1, 86400, "seconds"); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	o.mode = argv[optind];
	o.dir = argv[optind + 1];
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i].name, o.mode))
			mode = &modes[i];
	if (!mode) {
		fprintf(stderr, "daxload: unknown mode '%s'\n", o.mode);
		usage(stderr);
		return 2;
	}
	if (o.size % (mode->flags & M_PAGES ? PG : PMD)) {
		fprintf(stderr, "daxload: %s: size must be a multiple of %s\n", o.mode,
			mode->flags & M_PAGES ? "4 KiB" : "2 MiB");
		return 2;
	}
	if (n_names) {
		if (f_given) {
			fprintf(stderr, "daxload: -f and --name exclude each other\n");
			return 2;
		}
		o.names = names;
		o.files = n_names;
	}
	/* before any fault; the threads inherit it */
	if (o.comm && prctl(PR_SET_NAME, o.comm))
		die("prctl PR_SET_NAME");
	if (o.threads > o.files)
		o.threads = o.files;
	files = calloc((size_t)o.files, sizeof(*files));
	if (!files)
		die("calloc");
	for (int i = 0; i < o.files; i++) {
		make_file(&files[i], i, o.size, mode->flags & M_SPARSE);
		if (mode->fn)
			mode->fn(&files[i], 0);
	}
	if (mode->fn)
		print_json();
	else /* nothing exact to declare */
		fprintf(stderr, "daxload: %s: %d files of %zu MiB, %d threads, %d s\n", o.mode, o.files,
			o.size >> 20, o.threads, o.seconds);
	if (o.wait) {
		char go;
		int fd;

		fflush(stdout);
		fd = open(o.wait, O_RDONLY);
		if (fd < 0 || read(fd, &go, 1) < 0)
			die(o.wait);
		close(fd);
	}
	for (long t = 0; t < o.threads; t++)
		if (pthread_create(&th[t], NULL, mode->fn ? worker : long_worker, (void *)t))
			die("pthread_create");
	for (long t = 0; t < o.threads; t++)
		pthread_join(th[t], NULL);
	return 0;
}
