/* SPDX-License-Identifier: GPL-2.0 */
/* Packed entries (each es bytes, starting with a key of ksz bytes) ordered by their keys'
 * bytes. memcmp's order means nothing to a reader, but it is all a lookup needs, and it is the
 * same for every key type: the map dumps, the interval baselines and the pinned keys share it.
 * bsearch cannot serve: its comparator has no room for the key size. */
#ifndef DT_SORTED_KEYS_H
#define DT_SORTED_KEYS_H

#include <stddef.h>

void dt_keys_sort(void *ents, size_t n, size_t es, size_t ksz);
/* The entry among n sorted ones whose key is key, or NULL. */
void *dt_keys_find(const void *ents, size_t n, size_t es, const void *key, size_t ksz);

#endif
