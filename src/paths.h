/* SPDX-License-Identifier: GPL-2.0 */
/* Turning (dev, ino) plus the name components BPF captured into a path the user recognises:
 * the mount point of the device joined with the components, kept only if stat() confirms the
 * inode; otherwise what BPF saw, marked as partial. */
#ifndef DT_PATHS_H
#define DT_PATHS_H

#include <stddef.h>
#include "snapshot.h"

void dt_paths_init(void);
void dt_paths_free(void);
/* The inode's path into out: full if it could be verified, else what BPF saw ("" if nothing). */
void dt_paths_resolve(const struct dt_inode_rec *r, char *out, size_t len);
/* "MAJ:MIN" of a kernel dev_t as user space writes it. */
void dt_format_dev(uint32_t kdev, char *buf, size_t len);

#endif
