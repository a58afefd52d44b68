// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "daxtrace.h"
#include "daxtrace.skel.h"
#include "daxtrace-hash.skel.h"
#include "inflight.h"
#include "kernel_probe.h"

struct dt_inflight_choice dt_inflight_choose(const struct dt_config *cfg)
{
	struct dt_inflight_choice c = { .kind = DT_INFLIGHT_ARRAY };

	if (cfg->force_inflight_hash) {
		c.kind = DT_INFLIGHT_HASH;
		c.forced = true;
		return c;
	}
	c.trial_err = dt_cmpxchg_trial();
	/* EINVAL is the verifier's refusal; anything else (EPERM) says nothing about atomics */
	if (c.trial_err == -EINVAL)
		c.kind = DT_INFLIGHT_HASH;
	return c;
}

const char *dt_inflight_name(enum dt_inflight kind)
{
	return kind == DT_INFLIGHT_HASH ? "hash" : "array";
}

const char *dt_inflight_reason(const struct dt_inflight_choice *c, char *buf, size_t len)
{
	if (c->forced)
		snprintf(buf, len, "hash keyed by thread (--inflight-hash)");
	else if (c->kind == DT_INFLIGHT_HASH)
		snprintf(buf, len, "hash keyed by thread: this kernel refuses BPF compare-and-swap "
				   "(5.12+): %s", strerror(-c->trial_err));
	else if (c->trial_err)
		snprintf(buf, len, "array claimed with compare-and-swap (trial load not possible: %s)",
			 strerror(-c->trial_err));
	else
		snprintf(buf, len, "array claimed with compare-and-swap");
	return buf;
}

/* daxtrace_bpf__open_opts() with the hash variant's bytes: the two skeletons are the same but
 * for their name and bytes (checked when they are built), so struct daxtrace_bpf describes
 * either object. */
struct daxtrace_bpf *dt_inflight_open(enum dt_inflight kind,
				      const struct bpf_object_open_opts *opts)
{
	struct daxtrace_bpf *o;
	int err;

	if (kind == DT_INFLIGHT_ARRAY)
		return daxtrace_bpf__open_opts(opts);
	o = calloc(1, sizeof(*o));
	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	err = daxtrace_bpf__create_skeleton(o);
	if (!err) {
		o->skeleton->data = daxtrace_hash_bpf__elf_bytes(&o->skeleton->data_sz);
		err = bpf_object__open_skeleton(o->skeleton, opts);
	}
	/* the bytes are the ones asked for */
	if (!err && bpf_map__type(o->maps.inflight) != BPF_MAP_TYPE_HASH)
		err = -EPROTO;
	if (err) {
		daxtrace_bpf__destroy(o);
		errno = -err;
		return NULL;
	}
	return o;
}
