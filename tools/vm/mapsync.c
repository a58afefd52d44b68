/* Guest test program for tools/vm/selftest (build: gcc -O2 -static -o mapsync mapsync.c).
 * mapsync pte|pmd FILE MiB: fallocate FILE, map it MAP_SHARED_VALIDATE|MAP_SYNC at a 2 MiB-aligned
 * address, write one byte per 4 KiB page. "pte" sets MADV_NOHUGEPAGE first, so every page takes a
 * PTE sync fault; "pmd" lets each 2 MiB take one PMD fault. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#define TWO_MB (2UL << 20)

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "pte") && strcmp(argv[1], "pmd"))) {
		fprintf(stderr, "usage: mapsync pte|pmd FILE MiB\n");
		return 2;
	}
	size_t len = strtoul(argv[3], NULL, 0) << 20;
	int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || fallocate(fd, 0, 0, len)) {
		perror(argv[2]);
		return 1;
	}
	/* reserve, then map at the first 2 MiB boundary inside the reservation */
	char *res = mmap(NULL, len + TWO_MB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		perror("mmap reserve");
		return 1;
	}
	char *want = (char *)(((uintptr_t)res + TWO_MB - 1) & ~(TWO_MB - 1));
	char *p = mmap(want, len, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap MAP_SYNC");
		return 1;
	}
	if (argv[1][1] == 't' && madvise(p, len, MADV_NOHUGEPAGE)) {
		perror("madvise");
		return 1;
	}
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	munmap(p, len);
	close(fd);
	printf("%s: wrote %zu pages\n", argv[1], len / 4096);
	return 0;
}
