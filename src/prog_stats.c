// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "prog_stats.h"
#include "probes.h"

int dt_stats_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}

size_t dt_stats_read(const struct dt_hooks *hooks, struct dt_prog_stat *out, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < hooks->n; i++) {
		const struct dt_hook *h = &hooks->h[i];

		for (int j = 0; j < h->n_progs && n < max; j++) {
			struct bpf_prog_info info = {};
			__u32 len = sizeof(info);

			if (!h->links[j] || bpf_prog_get_info_by_fd(bpf_program__fd(h->progs[j]), &info, &len))
				continue;
			snprintf(out[n].program, sizeof(out[n].program), "%s", bpf_program__name(h->progs[j]));
			snprintf(out[n].hook, sizeof(out[n].hook), "%s", h->name);
			out[n].runs = info.run_cnt;
			out[n].run_time_ns = info.run_time_ns;
			n++;
		}
	}
	return n;
}
