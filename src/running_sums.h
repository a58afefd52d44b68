/* SPDX-License-Identifier: GPL-2.0 */
/* Interval counts from the kernel's running per-key sums. With -i, deleting a map entry to
 * reset it races with a BPF program that looked the entry up just before and adds to it just
 * after: that increment is lost. So the entries are never reset: each interval is the growth
 * of every entry since the last report, and only entries idle for DT_RUNNING_IDLE reports are
 * deleted (to make room), settling whatever they gained since. No libbpf here: tests/unit
 * drives it with made-up entries. */
#ifndef DT_RUNNING_SUMS_H
#define DT_RUNNING_SUMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DT_RUNNING_IDLE 2

struct dt_running {
	size_t ksz, vsz; /* key and value size of the map */
	size_t words;    /* the value starts with this many u64 running sums */
	char *base;      /* baseline entries, sorted by key: key, sums, idle reports (u64) */
	size_t n;
	/* Keys never evicted however idle, sorted (set by the caller before each delta): their
	 * counts also live elsewhere (a CPU's slot) and the map entry must stay to hold them. */
	const char *pins;
	size_t n_pins;
};

/* Called with a key and its value, the sums replaced by their growth. */
typedef int (*dt_running_fn)(void *ctx, const void *key, const void *value);

void dt_running_init(struct dt_running *r, size_t ksz, size_t vsz, size_t words);
void dt_running_free(struct dt_running *r);
/* cur holds n entries (key then value, ksz + vsz bytes each), in any order; it is sorted in
 * place. Calls fn for each entry that grew since the baseline. With commit, cur becomes the
 * baseline, except the entries idle for DT_RUNNING_IDLE commits: those are left out of it and
 * their keys and last sums are put in *evict (n_evict entries of ksz + 8 * words bytes, freed by
 * the caller), for the caller to delete from the map and then pass to dt_running_settle.
 * 0 or -ENOMEM (then nothing changed). */
int dt_running_delta(struct dt_running *r, char *cur, size_t n, bool commit, dt_running_fn fn,
		     void *ctx, char **evict, size_t *n_evict);
/* An evicted entry, deleted from the map with final (its value at deletion): calls fn with what
 * it gained since the baseline, if anything. */
int dt_running_settle(const struct dt_running *r, const char *evicted, const void *final,
		      dt_running_fn fn, void *ctx);

#endif
