// SPDX-License-Identifier: GPL-2.0
/* `daxtrace map PATH...`: each file is opened read-only, mapped shared and read-only at a
 * 2 MiB-aligned address, and one byte of each 2 MiB block is read while daxtrace traces its
 * own thread; the kernel's fs_dax events then say, block by block, what it did. Nothing is
 * written and no data changes; the read faults are the whole workload. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "daxtrace.h"
#include "daxtrace.skel.h"
#include "exitcodes.h"
#include "filters.h"
#include "json_writer.h"
#include "kernel_probe.h"
#include "loader.h"
#include "map.h"
#include "output.h"
#include "untrusted.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

/* Blocks read between two drains of the ring buffer: at most a dozen events each (a fallback
 * retried once, with its PTE fault), about 1 KiB, far below the ring buffer's size. */
#define TOUCH_BATCH 256
/* Paths that could not be examined, listed in the JSON "errors"; the rest are counted. */
#define MAX_ERRORS 64

struct map_error {
	char *path;
	char what[160];
};

struct map_run {
	const struct dt_config *cfg;
	FILE *out;
	struct daxtrace_bpf *skel;
	struct ring_buffer *rb;
	struct dt_json j;
	struct dt_map_file *cur; /* the file whose events the ring buffer callback applies */
	int width;
	bool legend_done;
	bool failed;     /* events lost or the ring buffer failed: exit 1 */
	int bad_paths;   /* paths that could not be examined: exit DT_EXIT_MAP_PATH */
	struct map_error errors[MAX_ERRORS];
	int n_errors;
	uint32_t tid;
	uint32_t root_dev; /* st_dev of the directory being walked: nftw's FTW_MOUNT */
};

static struct map_run *walk_run; /* nftw() passes no context */

static sigjmp_buf touch_env;
static volatile sig_atomic_t touch_armed, touch_sig;

/* A fault while reading a block ends that read and is recorded for the block; any other
 * SIGBUS or SIGSEGV is a bug and kills as usual. */
static void on_touch_fault(int sig)
{
	if (!touch_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	touch_sig = sig;
	siglongjmp(touch_env, 1);
}

static int term_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	return 80;
}

/* One line on stderr, escaped; kept for the JSON "errors". */
static void path_error(struct map_run *r, const char *path, const char *what)
{
	char shown[DT_UNTRUSTED_TEXT_SIZE(1024)];
	size_t n = strlen(path);

	dt_untrusted_text(shown, sizeof(shown), path, n < 1024 ? n : 1024);
	/* as many lines as the JSON lists; the rest is one count at the end */
	if (r->bad_paths < MAX_ERRORS)
		fprintf(stderr, "daxtrace: map: %s: %s\n", shown, what);
	r->bad_paths++;
	if (r->n_errors < MAX_ERRORS) {
		r->errors[r->n_errors].path = strdup(path);
		snprintf(r->errors[r->n_errors].what, sizeof(r->errors[0].what), "%s", what);
		if (r->errors[r->n_errors].path)
			r->n_errors++;
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct map_run *r = ctx;

	if (size >= sizeof(struct dt_event) && r->cur)
		dt_map_apply(r->cur, data);
	return 0;
}

static bool drain(struct map_run *r)
{
	int n = ring_buffer__consume(r->rb);

	if (n < 0) {
		fprintf(stderr, "daxtrace: map: reading the ring buffer failed: %s\n", strerror(-n));
		r->failed = true;
		return false;
	}
	return true;
}

/* Reads one byte at the start of each block of the mapping at base. */
static void touch(struct map_run *r, struct dt_map_file *f, const char *base)
{
	for (volatile uint64_t i = 0; i < f->examined; i++) {
		if (sigsetjmp(touch_env, 1) == 0) {
			touch_armed = 1;
			(void)*(const volatile char *)(base + i * DT_MAP_BLOCK);
		} else {
			f->blocks[i].signal = (uint8_t)touch_sig;
		}
		touch_armed = 0;
		if ((i + 1) % TOUCH_BATCH == 0 && !drain(r))
			return;
	}
}

/* Maps f at a 2 MiB-aligned address, the length rounded up to whole blocks so that a partial
 * last block meets the kernel's i_size check and not the end of the VMA. */
static int map_and_touch(struct map_run *r, struct dt_map_file *f, int fd)
{
	size_t len = (size_t)f->examined * DT_MAP_BLOCK;
	uint64_t lost0 = r->skel->bss->diag[DT_D_LOST_EVENTS];
	char *res, *base;

	res = mmap(NULL, len + DT_MAP_BLOCK, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (res == MAP_FAILED)
		return -errno;
	base = (char *)(((uintptr_t)res + DT_MAP_BLOCK - 1) & ~(uintptr_t)(DT_MAP_BLOCK - 1));
	if (mmap(base, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
		int err = -errno;

		munmap(res, len + DT_MAP_BLOCK);
		return err;
	}
	if (!drain(r)) /* nothing of this file yet, but empty it before counting on its room */
		goto out;
	r->cur = f;
	touch(r, f, base);
out:
	munmap(res, len + DT_MAP_BLOCK);
	drain(r);
	r->cur = NULL;
	if (r->skel->bss->diag[DT_D_LOST_EVENTS] != lost0) {
		fprintf(stderr, "daxtrace: map: %llu events lost (ring buffer full): the answers for "
				"this file are incomplete; raise --ringbuf-kb\n",
			(unsigned long long)(r->skel->bss->diag[DT_D_LOST_EVENTS] - lost0));
		r->failed = true;
	}
	if (f->foreign)
		r->failed = true; /* cannot happen: the filter is daxtrace's own process */
	return 0;
}

static void output_file(struct map_run *r, const struct dt_map_file *f)
{
	if (r->cfg->json) {
		dt_map_json(&r->j, f);
		return;
	}
	if (!r->legend_done) {
		dt_map_legend(r->out, r->width);
		r->legend_done = true;
	}
	fputc('\n', r->out);
	dt_map_text(r->out, f, r->width);
}

static int open_ro(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOATIME | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	/* O_NOATIME needs ownership or CAP_FOWNER */
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	return fd;
}

static const char *open_advice(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return "no such file or directory";
	case EACCES:
	case EPERM:
		return "permission denied: map needs read access to the file";
	default:
		return NULL;
	}
}

static void examine_file(struct map_run *r, const char *path, int fd, const struct stat *st)
{
	struct dt_map_file f = { .path = path, .ino = st->st_ino, .size = (uint64_t)st->st_size,
				 .tid = r->tid };
	struct statx sx;
	char what[160];
	int err;

	f.kdev = dt_dev_encode(major(st->st_dev), minor(st->st_dev));
	if (!statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) &&
	    (sx.stx_attributes_mask & STATX_ATTR_DAX) && !(sx.stx_attributes & STATX_ATTR_DAX)) {
		path_error(r, path, "not a DAX file: mount the filesystem with -o dax (or -o dax=inode "
				    "and set the file's dax attribute: xfs_io -c 'chattr +x')");
		return;
	}
	f.nblocks = (f.size + DT_MAP_BLOCK - 1) / DT_MAP_BLOCK;
	f.examined = f.nblocks < DT_MAP_MAX_BLOCKS ? f.nblocks : DT_MAP_MAX_BLOCKS;
	if (f.examined) {
		f.blocks = calloc(f.examined, sizeof(*f.blocks));
		if (!f.blocks) {
			path_error(r, path, "out of memory for its block table");
			return;
		}
		err = map_and_touch(r, &f, fd);
		if (err) {
			snprintf(what, sizeof(what), "cannot map it: %s", strerror(-err));
			path_error(r, path, what);
			free(f.blocks);
			return;
		}
	}
	dt_map_finish(&f);
	output_file(r, &f);
	free(f.blocks);
}

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct map_run *r = walk_run;
	struct stat fst;
	int fd;

	(void)ftw;
	if (type == FTW_DNR) {
		path_error(r, path, "cannot read this directory: permission denied");
		return 0;
	}
	if (type == FTW_NS) {
		path_error(r, path, "cannot stat it");
		return 0;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode) || st->st_dev != r->root_dev)
		return 0; /* directories, symlinks, devices, FIFOs, sockets: not files to map */
	fd = open_ro(path);
	if (fd < 0) {
		const char *a = open_advice(errno);

		path_error(r, path, a ? a : strerror(errno));
		return 0;
	}
	/* the file may have been replaced between the walk's stat and the open */
	if (!fstat(fd, &fst) && S_ISREG(fst.st_mode))
		examine_file(r, path, fd, &fst);
	close(fd);
	return 0;
}

static void examine(struct map_run *r, const char *path)
{
	struct stat st;
	int fd = open_ro(path);

	if (fd < 0) {
		const char *a = open_advice(errno);

		path_error(r, path, a ? a : strerror(errno));
		return;
	}
	if (fstat(fd, &st)) {
		path_error(r, path, strerror(errno));
	} else if (S_ISDIR(st.st_mode) && !dt_fs_mounted_dax(st.st_dev)) {
		/* one line, not one per file below it */
		path_error(r, path, "not on a DAX filesystem: mount it with -o dax (or -o dax=inode "
				    "and set the files' dax attribute)");
	} else if (S_ISDIR(st.st_mode)) {
		r->root_dev = (uint32_t)st.st_dev;
		walk_run = r;
		/* FTW_PHYS: symlinks are not followed; FTW_MOUNT: the walk stays on this filesystem */
		if (nftw(path, walk_one, 16, FTW_PHYS | FTW_MOUNT))
			path_error(r, path, "walking the directory failed");
	} else if (!S_ISREG(st.st_mode)) {
		path_error(r, path, "not a regular file: map examines files, and every regular file "
				    "below a directory");
	} else {
		examine_file(r, path, fd, &st);
	}
	close(fd);
}

static void json_errors(struct map_run *r)
{
	dt_json_end_array(&r->j);
	dt_json_key(&r->j, "errors");
	dt_json_begin_array(&r->j);
	for (int i = 0; i < r->n_errors; i++) {
		dt_json_begin_object(&r->j);
		dt_json_key(&r->j, "path");
		dt_json_string(&r->j, r->errors[i].path);
		dt_json_key(&r->j, "error");
		dt_json_string(&r->j, r->errors[i].what);
		dt_json_end_object(&r->j);
	}
	dt_json_end_array(&r->j);
	dt_json_key(&r->j, "errors_not_listed");
	dt_json_u64(&r->j, (uint64_t)(r->bad_paths - r->n_errors));
	dt_json_end_object(&r->j);
	fputc('\n', r->out);
}

int dt_run_map(const struct dt_config *cfg)
{
	struct map_run r = { .cfg = cfg, .width = term_width() };
	struct dt_hooks hooks = {};
	struct sigaction sa = {};
	char missing[160];
	int err, thp_off;

	if ((err = dt_preflight(cfg)))
		return err;
	r.out = dt_output_open(cfg);
	if (!r.out)
		return DT_EXIT_USAGE;
	/* daxtrace's own process: no other thread or process can add events */
	err = dt_load(cfg, (uint32_t)getpid(), &hooks, &r.skel, true);
	if (err)
		goto out;
	dt_probes_attach(&hooks);
	if (!dt_core_hooks_present(&hooks, missing, sizeof(missing))) {
		fprintf(stderr, "daxtrace: cannot attach the fs_dax tracepoints (%s); run with -v for "
				"details\n", missing);
		err = DT_EXIT_RUNTIME;
		goto out;
	}
	r.skel->bss->dstmap_hooked = dt_dstmap_sees_pmd_lookup(&hooks);
	r.rb = ring_buffer__new(bpf_map__fd(r.skel->maps.events), on_event, &r, NULL);
	if (!r.rb) {
		fprintf(stderr, "daxtrace: cannot set up the ring buffer: %s\n", strerror(errno));
		err = DT_EXIT_RUNTIME;
		goto out;
	}
	thp_off = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	if (thp_off > 0)
		fprintf(stderr, "daxtrace: map: notice: transparent huge pages are disabled for this "
				"process (prctl PR_SET_THP_DISABLE, inherited): no block can map as 2 MiB\n");
	r.tid = (uint32_t)syscall(SYS_gettid);
	sa.sa_handler = on_touch_fault;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	if (cfg->json) {
		dt_json_init(&r.j, r.out);
		dt_json_begin_object(&r.j);
		dt_json_key(&r.j, "files");
		dt_json_begin_array(&r.j);
	}
	for (char **p = cfg->paths; *p; p++)
		examine(&r, *p);
	if (cfg->json)
		json_errors(&r);
	if (r.bad_paths > MAX_ERRORS)
		fprintf(stderr, "daxtrace: map: %d more paths could not be examined (not listed)\n",
			r.bad_paths - MAX_ERRORS);
	err = r.failed ? DT_EXIT_RUNTIME : r.bad_paths ? DT_EXIT_MAP_PATH : 0;
out:
	ring_buffer__free(r.rb);
	dt_probes_detach(&hooks);
	daxtrace_bpf__destroy(r.skel);
	for (int i = 0; i < r.n_errors; i++)
		free(r.errors[i].path);
	if (dt_output_close(r.out, cfg) && !err)
		err = DT_EXIT_RUNTIME;
	return err;
}
