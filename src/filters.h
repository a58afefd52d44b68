/* SPDX-License-Identifier: GPL-2.0 */
/* --path, --dev PATH and -c/--cgroup: from paths to what the BPF filters compare (wanted() in
 * bpf/seq.bpf.h), resolved before anything is loaded, installed into the maps after load. */
#ifndef DT_FILTERS_H
#define DT_FILTERS_H

#include <stdbool.h>
#include <sys/types.h>
#include "cli.h"

struct daxtrace_bpf;

/* Fills c's path_files, path_devs, dev_major/minor (--dev PATH) and cgroup_fd. Returns 0, or
 * an exit code after one line on stderr. */
int dt_filters_resolve(struct dt_config *c);
/* Writes them into the loaded object's maps: 0 or -errno. */
int dt_filters_install(const struct dt_config *c, struct daxtrace_bpf *skel);
void dt_filters_close(struct dt_config *c);
/* Is the filesystem of dev (a user-space dev_t) mounted with DAX: dax, dax=always or dax=inode
 * among the super options of /proc/self/mountinfo? */
bool dt_fs_mounted_dax(dev_t dev);

#endif
