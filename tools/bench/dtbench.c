// SPDX-License-Identifier: GPL-2.0
/* dtbench: the small timing helper of `make bench`, static so that it runs in the pmem guest.
 *
 *   dtbench run -- COMMAND...       Runs a daxload-style COMMAND whose stdout is one JSON line
 *                                   printed after set-up and before the work. Prints
 *                                   "@@run SECONDS RC FAULTS" (CLOCK_MONOTONIC from that line to
 *                                   the command's exit: the fault phase only; FAULTS = its page
 *                                   faults, minor + major, from wait4) and the line.
 *   dtbench wrap DIR MARKER -- COMMAND...
 *                                   Starts a tracer with stdout/stderr in DIR/stdout, DIR/stderr;
 *                                   when MARKER appears in either (polled every 1 ms) writes
 *                                   DIR/ready ("PID STARTUP_NS"). SIGINT/SIGTERM are forwarded.
 *                                   At the end writes DIR/exit ("RC MAXRSS_KB STARTUP_NS
 *                                   CPU_MS_AFTER_READY": the tracer's user+system time from
 *                                   attached to exit, i.e. what it spent while the workload ran).
 *                                   MARKER "-" means ready at once; "@FILE" means ready when
 *                                   FILE reads "1" (a tracefs enable file, for trace-cmd).
 *   dtbench files N DIR             N files of 4 KiB, each written once through a MAP_SYNC
 *                                   mapping: one PTE sync fault per inode. Prints a JSON line
 *                                   first, as daxload does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "dtbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int cmd_run(char **argv)
{
	int p[2], status;
	struct rusage ru = {};
	char buf[65536];
	size_t len = 0;
	uint64_t t0 = 0, t1;
	pid_t pid;
	ssize_t n;

	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "dtbench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (!t0 && memchr(buf + len, '\n', (size_t)n))
			t0 = now_ns();
		len += (size_t)n;
		if (len >= sizeof(buf) - 1)
			len = sizeof(buf) - 2; /* keep reading; the line is cut */
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	t1 = now_ns();
	buf[len] = 0;
	if (!t0)
		t0 = t1;
	printf("@@run %.6f %d %ld\n%s", (double)(t1 - t0) / 1e9,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       ru.ru_minflt + ru.ru_majflt, buf);
	if (len && buf[len - 1] != '\n')
		putchar('\n');
	return 0;
}

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int scan(const char *path, off_t *off, const char *marker, char *tail, size_t tail_cap)
{
	char buf[4096 + 256];
	size_t keep = strlen(tail);
	int fd = open(path, O_RDONLY), found = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	memcpy(buf, tail, keep);
	while ((n = pread(fd, buf + keep, 4096, *off)) > 0) {
		*off += n;
		buf[keep + (size_t)n] = 0;
		if (strstr(buf, marker))
			found = 1;
		/* keep the last bytes, so that a marker split across reads is still found */
		size_t total = keep + (size_t)n, k = total < tail_cap - 1 ? total : tail_cap - 1;
		memmove(buf, buf + total - k, k);
		keep = k;
	}
	memcpy(tail, buf, keep);
	tail[keep] = 0;
	close(fd);
	return found;
}

static int file_is_one(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '1';
}

/* utime + stime of a process so far, in ms, from /proc/PID/stat; 0 if unreadable. */
static unsigned long long cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')'); /* comm may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (ut + st) * 1000ull / (unsigned long long)sysconf(_SC_CLK_TCK);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die(tmp);
	fputs(text, f);
	fclose(f);
	if (rename(tmp, path))
		die("rename");
}

static int cmd_wrap(const char *dir, const char *marker, char **argv)
{
	char out[4096], err[4096], line[128], tail_o[256] = "", tail_e[256] = "";
	off_t off_o = 0, off_e = 0;
	uint64_t t0, startup = 0;
	unsigned long long cpu_ready = 0, cpu_total;
	struct rusage ru;
	struct sigaction sa = { .sa_handler = forward };
	int status, ready = 0, fo, fe;
	pid_t r;

	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fo < 0 || fe < 0)
		die("creating the output files");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	t0 = now_ns();
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(fo, 1);
		dup2(fe, 2);
		execvp(argv[0], argv);
		fprintf(stderr, "dtbench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fo);
	close(fe);
	for (;;) {
		if (!ready) {
			if (!strcmp(marker, "-") || (marker[0] == '@' && file_is_one(marker + 1)) ||
			    (marker[0] != '@' && (scan(out, &off_o, marker, tail_o, sizeof(tail_o)) ||
						  scan(err, &off_e, marker, tail_e, sizeof(tail_e))))) {
				startup = strcmp(marker, "-") ? now_ns() - t0 : 0;
				cpu_ready = cpu_ms(child);
				snprintf(line, sizeof(line), "%d %llu\n", (int)child,
					 (unsigned long long)startup);
				write_file(dir, "ready", line);
				ready = 1;
			}
		}
		r = wait4(child, &status, ready ? 0 : WNOHANG, &ru);
		if (r == child)
			break;
		if (r < 0 && errno != EINTR)
			die("wait4");
		if (!ready) {
			struct timespec ms = { 0, 1000000 };
			nanosleep(&ms, NULL);
		}
	}
	cpu_total = (unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000ull +
		    (unsigned long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000ull;
	snprintf(line, sizeof(line), "%d %ld %llu %llu\n",
		 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), ru.ru_maxrss,
		 (unsigned long long)startup, cpu_total > cpu_ready ? cpu_total - cpu_ready : 0);
	write_file(dir, "exit", line);
	return 0;
}

static int cmd_files(long n, const char *dir)
{
	char path[4096];
	struct stat st;
	char *p;
	int fd;

	/* the same shape as daxload's ground-truth line */
	printf("{\"mode\":\"files\",\"size\":4096,\"threads\":1,\"iterations\":1,\"nfiles\":%ld,"
	       "\"expect\":{\"pte_faults\":%ld,\"pmd_faults\":0,\"sync_faults\":%ld,"
	       "\"pte_upgrades\":%ld,\"pmd_upgrades\":0}}\n", n, n, n, n);
	fflush(stdout);
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/dtbench-%ld", dir, i);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die(path);
		if (fallocate(fd, 0, 0, 4096))
			die("fallocate");
		if (i == 0 && fstat(fd, &st))
			die("fstat");
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
		if (p == MAP_FAILED)
			die("mmap MAP_SYNC");
		p[0] = 1;
		munmap(p, 4096);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "run") && !strcmp(argv[2], "--"))
		return cmd_run(argv + 3);
	if (argc >= 6 && !strcmp(argv[1], "wrap") && !strcmp(argv[4], "--"))
		return cmd_wrap(argv[2], argv[3], argv + 5);
	if (argc == 4 && !strcmp(argv[1], "files"))
		return cmd_files(strtol(argv[2], NULL, 10), argv[3]);
	fprintf(stderr, "usage: dtbench run -- COMMAND... | wrap DIR MARKER -- COMMAND... | "
			"files N DIR\n");
	return 2;
}
