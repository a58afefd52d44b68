// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "running_sums.h"
#include "sorted_keys.h"

void dt_running_init(struct dt_running *r, size_t ksz, size_t vsz, size_t words)
{
	memset(r, 0, sizeof(*r));
	r->ksz = ksz;
	r->vsz = vsz;
	r->words = words;
}

void dt_running_free(struct dt_running *r)
{
	free(r->base);
	r->base = NULL;
	r->n = 0;
}

/* A baseline entry: key, the sums, then the number of commits it has been idle. */
static size_t base_size(const struct dt_running *r)
{
	return r->ksz + 8 * r->words + 8;
}

static const char *find_base(const struct dt_running *r, const void *key)
{
	return dt_keys_find(r->base, r->n, base_size(r), key, r->ksz);
}

static bool pinned(const struct dt_running *r, const void *key)
{
	return dt_keys_find(r->pins, r->n_pins, r->ksz, key, r->ksz);
}

/* The growth of the sums in value over base (all of value when base is NULL) into out, the
 * rest of the value copied; true if anything grew. */
static bool growth(const struct dt_running *r, const void *value, const char *base_sums,
		   char *out)
{
	bool any = false;

	memcpy(out, value, r->vsz);
	for (size_t w = 0; w < r->words; w++) {
		uint64_t v, b = 0;

		memcpy(&v, (const char *)value + 8 * w, 8);
		if (base_sums)
			memcpy(&b, base_sums + 8 * w, 8);
		v -= b;
		any |= v != 0;
		memcpy(out + 8 * w, &v, 8);
	}
	return any;
}

int dt_running_delta(struct dt_running *r, char *cur, size_t n, bool commit, dt_running_fn fn,
		     void *ctx, char **evict, size_t *n_evict)
{
	size_t es = r->ksz + r->vsz, bs = base_size(r), kept = 0, gone = 0;
	char *next = NULL, *out = malloc(r->vsz ? r->vsz : 1), *ev = NULL;
	int err = 0;

	*evict = NULL;
	*n_evict = 0;
	if (!out)
		return -ENOMEM;
	if (commit && n && (!(next = malloc(n * bs)) || !(ev = malloc(n * (bs - 8))))) {
		free(next);
		free(out);
		return -ENOMEM;
	}
	dt_keys_sort(cur, n, es, r->ksz);
	for (size_t i = 0; i < n && !err; i++) {
		const char *key = cur + i * es, *val = key + r->ksz, *b = find_base(r, key);
		bool grew = growth(r, val, b ? b + r->ksz : NULL, out);
		uint64_t idle = 0;

		if (grew)
			err = fn(ctx, key, out);
		if (!commit)
			continue;
		if (!grew && b)
			memcpy(&idle, b + r->ksz + 8 * r->words, 8), idle++;
		if (idle >= DT_RUNNING_IDLE && !pinned(r, key)) {
			memcpy(ev + gone * (bs - 8), key, r->ksz);
			memcpy(ev + gone * (bs - 8) + r->ksz, val, 8 * r->words);
			gone++;
			continue;
		}
		memcpy(next + kept * bs, key, r->ksz);
		memcpy(next + kept * bs + r->ksz, val, 8 * r->words);
		memcpy(next + kept * bs + r->ksz + 8 * r->words, &idle, 8);
		kept++;
	}
	free(out);
	if (!commit)
		return err;
	if (err) {
		free(next);
		free(ev);
		return err;
	}
	/* Keys no longer in the map (deleted elsewhere) simply drop out of the baseline. */
	free(r->base);
	r->base = next;
	r->n = kept;
	if (gone) {
		*evict = ev;
		*n_evict = gone;
	} else {
		free(ev);
	}
	return err;
}

int dt_running_settle(const struct dt_running *r, const char *evicted, const void *final,
		      dt_running_fn fn, void *ctx)
{
	char *out = malloc(r->vsz ? r->vsz : 1);
	int err = 0;

	if (!out)
		return -ENOMEM;
	if (growth(r, final, evicted + r->ksz, out))
		err = fn(ctx, evicted, out);
	free(out);
	return err;
}
