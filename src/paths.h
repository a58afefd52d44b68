/* SPDX-License-Identifier: GPL-2.0 */
/* Turning (dev, ino, generation) plus the name components BPF captured into a path the user
 * recognises: the mount point of the device joined with the components, kept only if the file
 * there is that inode of that generation; otherwise what BPF saw, said to be deleted or cut. */
#ifndef DT_PATHS_H
#define DT_PATHS_H

#include <stddef.h>
#include "snapshot.h"

/* What dt_paths_resolve could tell about the path it gives. */
enum {
	DT_PATH_CUT = 1,     /* a component is longer than BPF captures: marked with DT_CUT_MARK */
	DT_PATH_DELETED = 2, /* no file of this inode and generation is at that path any more */
	DT_PATH_TAIL = 4,    /* only the last components are known (".../a/b") */
};

/* What the text report adds to a path that has DT_PATH_DELETED. */
#define DT_DELETED_SUFFIX " (deleted or renamed)"

void dt_paths_init(void);
void dt_paths_free(void);
/* The inode's path into out ("" if no name was seen); returns DT_PATH_* flags. */
unsigned dt_paths_resolve(const struct dt_inode_rec *r, char *out, size_t len);
/* "MAJ:MIN" of a kernel dev_t as user space writes it. */
void dt_format_dev(uint32_t kdev, char *buf, size_t len);

#endif
