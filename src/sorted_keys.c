// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "sorted_keys.h"

static int cmp_key(const void *a, const void *b, void *ksz)
{
	return memcmp(a, b, *(const size_t *)ksz);
}

void dt_keys_sort(void *ents, size_t n, size_t es, size_t ksz)
{
	qsort_r(ents, n, es, cmp_key, &ksz);
}

void *dt_keys_find(const void *ents, size_t n, size_t es, const void *key, size_t ksz)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *e = (const char *)ents + mid * es;
		int c = memcmp(e, key, ksz);

		if (!c)
			return (void *)e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
