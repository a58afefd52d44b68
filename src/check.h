/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DT_CHECK_H
#define DT_CHECK_H

#include "cli.h"

/* `daxtrace check`: prints each hook and how it would attach; returns an exit code. */
int dt_run_check(const struct dt_config *cfg);

#endif
