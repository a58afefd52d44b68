/* SPDX-License-Identifier: GPL-2.0 */
/* Where libbpf's messages go. Debug output only with -v. Warnings and info reach stderr, as
 * in libbpf-tools: one that nothing expected may be the only word on what went wrong. The
 * exception is a step daxtrace expects may fail and then reports itself, in its own words:
 * a trial load while probing, a load it answers by degrading (tp_btf -> raw_tp, then without
 * function hooks: routine where fentry is refused), a hook's attach it marks unavailable.
 * libbpf's messages from such a step are held back: dropped if the step failed (-v shows
 * them), printed if it succeeded, because then they were not expected. */
#ifndef DT_LIBBPF_LOG_H
#define DT_LIBBPF_LOG_H

#include <stdbool.h>

void dt_libbpf_log_init(bool verbose);
/* Around a step that may fail as expected: hold libbpf's messages until _end. */
void dt_libbpf_expect_failure(void);
/* Keeps errno, for the caller to report the failed step's. */
void dt_libbpf_expect_end(bool failed);

#endif
