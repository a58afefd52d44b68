// SPDX-License-Identifier: GPL-2.0
/* --path PATH: a regular file is its (dev, generation, inode), a directory the filesystem it is
 * on; either must be on a DAX filesystem. --dev PATH: the filesystem PATH is on. -c PATH: the
 * fd of a cgroup v2 directory, for bpf_current_task_under_cgroup() (as libbpf-tools' -c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "daxtrace.h"
#include "daxtrace.skel.h"
#include "exitcodes.h"
#include "filters.h"
#include "untrusted.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static int fail(const char *opt, const char *path, const char *what)
{
	char shown[DT_UNTRUSTED_TEXT_SIZE(1024)];
	size_t n = strlen(path);

	dt_untrusted_text(shown, sizeof(shown), path, n < 1024 ? n : 1024);
	fprintf(stderr, "daxtrace: %s %s: %s\n", opt, shown, what);
	return DT_EXIT_MAP_PATH;
}

bool dt_fs_mounted_dax(dev_t dev)
{
	char line[4096], want[32];
	bool dax = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return false;
	snprintf(want, sizeof(want), "%u:%u", major(dev), minor(dev));
	while (!dax && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), *p, *tok, *save;
		char devf[32];

		if (!sep || sscanf(line, "%*s %*s %31s", devf) != 1 || strcmp(devf, want))
			continue;
		/* " - fstype source superoptions" */
		p = sep + 3;
		for (int i = 0; i < 2 && p; i++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (!p)
			continue;
		p[strcspn(p, " \n")] = 0;
		for (tok = strtok_r(p, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (!strcmp(tok, "dax") || !strcmp(tok, "dax=always") || !strcmp(tok, "dax=inode"))
				dax = true;
	}
	fclose(f);
	return dax;
}

/* A regular file counts as DAX by its statx attribute where the kernel reports it (5.8+),
 * else by the mount; a directory by the mount. */
static bool on_dax(int fd, const struct stat *st)
{
	struct statx sx;

	if (S_ISREG(st->st_mode) && !statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) &&
	    (sx.stx_attributes_mask & STATX_ATTR_DAX))
		return sx.stx_attributes & STATX_ATTR_DAX;
	return dt_fs_mounted_dax(st->st_dev);
}

static const char *open_error(int e)
{
	switch (e) {
	case ENOENT: return "no such file or directory: check the path";
	case EACCES: case EPERM: return "permission denied: run as root or make it readable";
	default: return strerror(e);
	}
}

static const char not_dax[] = "not on a DAX filesystem: mount it with -o dax, or give a path on one";

/* One --path or --dev PATH. */
static int resolve_one(struct dt_config *c, const char *opt, const char *path, bool dev_only)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), err = 0;

	if (fd < 0)
		return fail(opt, path, open_error(errno));
	if (fstat(fd, &st)) {
		err = fail(opt, path, open_error(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		err = fail(opt, path, "not a regular file or directory");
		goto out;
	}
	if (!on_dax(fd, &st)) {
		err = fail(opt, path, not_dax);
		goto out;
	}
	if (dev_only) {
		c->dev_major = major(st.st_dev);
		c->dev_minor = minor(st.st_dev);
	} else if (S_ISDIR(st.st_mode)) {
		c->path_devs[c->n_path_devs++] = dt_dev_encode(major(st.st_dev), minor(st.st_dev));
	} else {
		int gen = 0;

		if (ioctl(fd, FS_IOC_GETVERSION, &gen)) {
			err = fail(opt, path, "cannot read its inode generation (FS_IOC_GETVERSION): "
					      "is it on ext4 or xfs?");
			goto out;
		}
		c->path_files[c->n_path_files++] = (struct dt_inode_key){
			.dev = dt_dev_encode(major(st.st_dev), minor(st.st_dev)),
			.gen = (__u32)gen, .ino = st.st_ino };
	}
out:
	close(fd);
	return err;
}

int dt_filters_resolve(struct dt_config *c)
{
	int err;

	c->n_path_files = c->n_path_devs = 0;
	if (c->dev_path && (err = resolve_one(c, "--dev", c->dev_path, true)))
		return err;
	for (uint32_t i = 0; i < c->n_filter_paths; i++)
		if ((err = resolve_one(c, "--path", c->filter_paths[i], false)))
			return err;
	if (c->cgroup) {
		struct statfs sf;
		int fd = open(c->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return fail("-c", c->cgroup, errno == ENOTDIR ? "not a directory: give a cgroup v2 "
					  "directory, e.g. /sys/fs/cgroup/app.slice" : open_error(errno));
		if (fstatfs(fd, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC) {
			close(fd);
			return fail("-c", c->cgroup, "not a cgroup v2 directory: give one under the "
					  "cgroup2 mount (mount -t cgroup2 none /sys/fs/cgroup)");
		}
		c->cgroup_fd = fd;
	}
	return 0;
}

int dt_filters_install(const struct dt_config *c, struct daxtrace_bpf *skel)
{
	__u8 one = 1;
	__u32 zero = 0, cg;

	for (uint32_t i = 0; i < c->n_path_files; i++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.path_files), &c->path_files[i], &one, BPF_ANY))
			return -errno;
	for (uint32_t i = 0; i < c->n_path_devs; i++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.path_devs), &c->path_devs[i], &one, BPF_ANY))
			return -errno;
	if (c->cgroup && c->cgroup_fd >= 0) {
		cg = (__u32)c->cgroup_fd;
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.cgroup_map), &zero, &cg, BPF_ANY))
			return -errno;
	}
	return 0;
}

void dt_filters_close(struct dt_config *c)
{
	if (c->cgroup_fd >= 0)
		close(c->cgroup_fd);
	c->cgroup_fd = -1;
}
