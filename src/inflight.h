/* SPDX-License-Identifier: GPL-2.0 */
/* Which in-flight table the BPF object uses (bpf/maps.bpf.h): the array whose slots are claimed
 * with compare-and-swap, or, where the kernel refuses that (before 5.12), the hash variant of
 * the same object, built without atomics but add. Chosen by a trial load, never by version. */
#ifndef DT_INFLIGHT_H
#define DT_INFLIGHT_H

#include <stdbool.h>
#include "cli.h"

struct bpf_object_open_opts;
struct daxtrace_bpf;

enum dt_inflight {
	DT_INFLIGHT_ARRAY, /* build/daxtrace.bpf.o */
	DT_INFLIGHT_HASH,  /* build/daxtrace-hash.bpf.o */
};

struct dt_inflight_choice {
	enum dt_inflight kind;
	int trial_err; /* -errno of the compare-and-swap trial load; 0 if it loaded or was not run */
	bool forced;   /* --inflight-hash */
};

/* The object for this kernel: the hash variant with --inflight-hash or when the trial load of
 * compare-and-swap fails with EINVAL; the array otherwise, also when the trial cannot be run
 * (EPERM without root, where unprivileged BPF is off): a prediction then. */
struct dt_inflight_choice dt_inflight_choose(const struct dt_config *cfg);
/* "array" or "hash", as in `check` and its JSON. */
const char *dt_inflight_name(enum dt_inflight kind);
/* One line saying why, for check and -v. */
const char *dt_inflight_reason(const struct dt_inflight_choice *c, char *buf, size_t len);
/* Opens the object of `kind` through the one skeleton struct; NULL with errno on failure. */
struct daxtrace_bpf *dt_inflight_open(enum dt_inflight kind,
				      const struct bpf_object_open_opts *opts);

#endif
