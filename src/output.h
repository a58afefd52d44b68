/* SPDX-License-Identifier: GPL-2.0 */
/* Where reports go: stdout, or the file of -o, which a traced COMMAND never inherits. */
#ifndef DT_OUTPUT_H
#define DT_OUTPUT_H

#include <stdio.h>
#include "cli.h"

/* stdout, or the -o file opened for writing; NULL after a one-line message on stderr. */
FILE *dt_output_open(const struct dt_config *cfg);
/* Flushes and closes what dt_output_open gave (stdout is only flushed); 0 or -errno. */
int dt_output_close(FILE *out, const struct dt_config *cfg);

#endif
