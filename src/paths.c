// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "paths.h"

#define MAX_MOUNTS 512
#define CACHE_SLOTS 4096 /* verified paths; a miss only costs a stat() */

struct mount {
	unsigned major, minor;
	char root[256];
	char point[512];
};

static struct mount *mounts;
static int n_mounts;

struct cached {
	struct dt_inode_key key;
	unsigned flags;
	struct timespec ctime; /* of the verified file: unchanged means still the same file */
	char *path;
};

static struct cached cache[CACHE_SLOTS];

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = 0;
}

static void load_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[2048];

	n_mounts = 0;
	if (!f)
		return;
	if (!mounts)
		mounts = calloc(MAX_MOUNTS, sizeof(*mounts));
	while (mounts && n_mounts < MAX_MOUNTS && fgets(line, sizeof(line), f)) {
		struct mount *m = &mounts[n_mounts];

		if (sscanf(line, "%*d %*d %u:%u %255s %511s", &m->major, &m->minor, m->root,
			   m->point) == 4) {
			unescape(m->root);
			unescape(m->point);
			n_mounts++;
		}
	}
	fclose(f);
}

void dt_paths_init(void)
{
	load_mounts();
}

void dt_paths_free(void)
{
	for (int i = 0; i < CACHE_SLOTS; i++) {
		free(cache[i].path);
		memset(&cache[i], 0, sizeof(cache[i]));
	}
	free(mounts);
	mounts = NULL;
	n_mounts = 0;
}

void dt_format_dev(uint32_t kdev, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%u", dt_dev_major(kdev), dt_dev_minor(kdev));
}

static struct cached *slot(const struct dt_inode_key *k)
{
	return &cache[(k->ino * 0x9e3779b97f4a7c15ULL ^ k->dev ^ (uint64_t)k->gen << 32) % CACHE_SLOTS];
}

static bool same_file(const struct stat *st, const struct dt_inode_rec *r)
{
	return S_ISREG(st->st_mode) && st->st_ino == r->key.ino &&
	       major(st->st_dev) == dt_dev_major(r->key.dev) &&
	       minor(st->st_dev) == dt_dev_minor(r->key.dev);
}

/* The generation of the file at path (FS_IOC_GETVERSION: ext4 and xfs have it); false if the
 * filesystem cannot tell. Opened without following a link and without blocking, and checked
 * to be the file stat saw. */
static bool file_generation(const char *path, const struct stat *st, uint32_t *gen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOATIME);
	struct stat fst;
	int g = 0;
	bool ok;

	if (fd < 0 && errno == EPERM) /* O_NOATIME needs the owner or CAP_FOWNER */
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = !fstat(fd, &fst) && fst.st_ino == st->st_ino && fst.st_dev == st->st_dev &&
	     !ioctl(fd, FS_IOC_GETVERSION, &g);
	close(fd);
	*gen = (uint32_t)g;
	return ok;
}

/* The file at path is the traced one: same inode number, and the same generation where the
 * filesystem reports one (a reused inode number is another file). */
static bool verify(const char *path, const struct dt_inode_rec *r, struct stat *st)
{
	uint32_t gen;

	if (stat(path, st) || !same_file(st, r))
		return false;
	return !file_generation(path, st, &gen) || gen == r->key.gen;
}

/* The path below mount m of the components rel, or false if m cannot hold it. */
static bool candidate(const struct mount *m, const struct dt_inode_rec *r, const char *rel,
		      char *out, size_t len)
{
	size_t rl = strlen(m->root);
	const char *sub = rel;

	if (m->major != dt_dev_major(r->key.dev) || m->minor != dt_dev_minor(r->key.dev))
		return false;
	if (strcmp(m->root, "/")) { /* bind mount of a subtree */
		if (strncmp(rel, m->root + 1, rl - 1) || rel[rl - 1] != '/')
			return false;
		sub = rel + rl;
	}
	snprintf(out, len, "%s/%s", strcmp(m->point, "/") ? m->point : "", sub);
	return true;
}

/* mount point + (components relative to the mount's root), for every mount of the device:
 * the first that verifies, else (with *any set) the first that could hold it. */
static bool try_mounts(const struct dt_inode_rec *r, const char *rel, bool check, char *out,
		       size_t len, struct stat *st, bool *any)
{
	char cand[DT_PATH_MAX];

	*any = false;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n_mounts; i++) {
			if (!candidate(&mounts[i], r, rel, cand, sizeof(cand)))
				continue;
			if (!*any)
				snprintf(out, len, "%s", cand);
			*any = true;
			if (check && verify(cand, r, st)) {
				snprintf(out, len, "%s", cand);
				return true;
			}
		}
		if (*any && !check)
			return false;
		load_mounts(); /* maybe mounted since we started */
	}
	return false;
}

static void remember(struct cached *c, const struct dt_inode_rec *r, const char *path,
		     unsigned flags, const struct stat *st)
{
	free(c->path);
	c->key = r->key;
	c->flags = flags;
	c->ctime = st ? st->st_ctim : (struct timespec){ 0, 0 };
	c->path = strdup(path);
}

/* A cached live path still names the file while it has the inode and the change time it
 * had; an unlink changes the link count and so the ctime. */
static bool still_there(const struct cached *c, const struct dt_inode_rec *r)
{
	struct stat st;

	return !stat(c->path, &st) && same_file(&st, r) && st.st_ctim.tv_sec == c->ctime.tv_sec &&
	       st.st_ctim.tv_nsec == c->ctime.tv_nsec;
}

unsigned dt_paths_resolve(const struct dt_inode_rec *r, char *out, size_t len)
{
	struct cached *c = slot(&r->key);
	char rel[DT_PATH_DEPTH * (DT_NAME_LEN + sizeof(DT_CUT_MARK)) + 8];
	bool tail = r->val.path[DT_PATH_DEPTH - 1][0] != 0, any;
	unsigned flags = r->val.cut ? DT_PATH_CUT : 0;
	struct stat st;

	if (c->path && !memcmp(&c->key, &r->key, sizeof(c->key)) &&
	    (c->flags || still_there(c, r))) {
		snprintf(out, len, "%s", c->path);
		return c->flags;
	}
	dt_join_components(&r->val, rel, sizeof(rel));
	if (!rel[0]) {
		out[0] = 0; /* only writeback seen so far: no dentry */
		return 0;
	}
	/* A walk that stopped before the filesystem root gives a relative tail only. */
	if (tail) {
		snprintf(out, len, ".../%s", rel);
		return flags | DT_PATH_TAIL;
	}
	/* A cut name cannot be looked up: it keeps its mount point, unverified. */
	if (try_mounts(r, rel, !flags, out, len, &st, &any)) {
		remember(c, r, out, 0, &st);
		return 0;
	}
	if (!any) { /* not mounted where this process can see it */
		snprintf(out, len, "%s", rel);
		return flags;
	}
	if (!flags)
		flags = DT_PATH_DELETED;
	remember(c, r, out, flags, NULL);
	return flags;
}
