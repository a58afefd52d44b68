/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DT_SESSION_H
#define DT_SESSION_H

#include "cli.h"

/* Summary and trace modes: load, attach, run until a stop condition, report. Returns an
 * exit code. */
int dt_run_session(const struct dt_config *cfg);

#endif
