// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	uint32_t dev;
	uint64_t ino;
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
		cache[i].path = NULL;
	}
	free(mounts);
	mounts = NULL;
	n_mounts = 0;
}

void dt_format_dev(uint32_t kdev, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%u", kdev >> 20, kdev & 0xfffff);
}

static struct cached *slot(uint32_t dev, uint64_t ino)
{
	return &cache[(ino * 0x9e3779b97f4a7c15ULL ^ dev) % CACHE_SLOTS];
}

static int verify(const char *path, const struct dt_inode_rec *r)
{
	struct stat st;

	return !stat(path, &st) && st.st_ino == r->key.ino &&
	       major(st.st_dev) == r->key.dev >> 20 && minor(st.st_dev) == (r->key.dev & 0xfffff);
}

/* mount point + (components relative to the mount's root), for every mount of the device. */
static int try_mounts(const struct dt_inode_rec *r, const char *rel, char *out, size_t len)
{
	char cand[DT_PATH_MAX];

	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n_mounts; i++) {
			const struct mount *m = &mounts[i];
			size_t rl = strlen(m->root);
			const char *sub = rel;

			if (m->major != r->key.dev >> 20 || m->minor != (r->key.dev & 0xfffff))
				continue;
			if (strcmp(m->root, "/")) { /* bind mount of a subtree */
				if (strncmp(rel, m->root + 1, rl - 1) || rel[rl - 1] != '/')
					continue;
				sub = rel + rl;
			}
			snprintf(cand, sizeof(cand), "%s/%s", strcmp(m->point, "/") ? m->point : "", sub);
			if (verify(cand, r)) {
				snprintf(out, len, "%s", cand);
				return 1;
			}
		}
		load_mounts(); /* maybe mounted since we started */
	}
	return 0;
}

void dt_paths_resolve(const struct dt_inode_rec *r, char *out, size_t len)
{
	struct cached *c = slot(r->key.dev, r->key.ino);
	char rel[DT_PATH_DEPTH * DT_NAME_LEN + 8];
	bool truncated = r->val.path[DT_PATH_DEPTH - 1][0] != 0;

	if (c->path && c->dev == r->key.dev && c->ino == r->key.ino) {
		snprintf(out, len, "%s", c->path);
		return;
	}
	dt_join_components(&r->val, rel, sizeof(rel));
	if (!rel[0]) {
		out[0] = 0; /* only writeback seen so far: no dentry */
		return;
	}
	/* A walk that stopped before the filesystem root gives a relative tail only. */
	if (!truncated && try_mounts(r, rel, out, len)) {
		free(c->path);
		c->dev = r->key.dev;
		c->ino = r->key.ino;
		c->path = strdup(out);
		return;
	}
	snprintf(out, len, "%s%s", truncated ? ".../" : "", rel);
}
