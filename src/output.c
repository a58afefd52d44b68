// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "output.h"

FILE *dt_output_open(const struct dt_config *cfg)
{
	FILE *f;

	if (!cfg->output)
		return stdout;
	/* "e": close-on-exec, so that -- COMMAND writes to the terminal, not into the report */
	f = fopen(cfg->output, "we");
	if (!f)
		fprintf(stderr, "daxtrace: cannot write -o %s: %s (check the directory and its "
				"permissions)\n", cfg->output, strerror(errno));
	return f;
}

int dt_output_close(FILE *out, const struct dt_config *cfg)
{
	int err = 0;

	if (!out)
		return 0;
	if (fflush(out) || ferror(out))
		err = -errno;
	if (out != stdout && fclose(out) && !err)
		err = -errno;
	if (err && cfg->output)
		fprintf(stderr, "daxtrace: writing -o %s failed: %s\n", cfg->output, strerror(-err));
	return err;
}
