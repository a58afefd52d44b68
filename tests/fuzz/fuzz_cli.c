// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the command-line parser on arbitrary argv (NUL-separated words). It must return
 * 0 or 64 and never crash, hang or leave the config inconsistent. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "exitcodes.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[64];
	struct dt_config c;
	int argc = 1, rc;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[0] = "daxtrace";
	for (size_t i = 0; i < size && argc < 63;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	dt_config_defaults(&c);
	/* argp prints help and errors: keep them out of the fuzzer's own report */
	FILE *err = stderr, *out = stdout;
	stderr = stdout = devnull;
	rc = dt_parse_args(argc, argv, &c);
	fflush(devnull);
	stderr = err;
	stdout = out;
	if (rc != 0 && rc != DT_EXIT_USAGE)
		abort();
	if (rc == 0 && !c.exit_now) {
		if (c.command && c.pid)
			abort(); /* documented as exclusive */
		if (c.interval_s && c.duration_s && c.interval_s > c.duration_s)
			abort();
		if (c.ringbuf_kb & (c.ringbuf_kb - 1))
			abort();
	}
	free(buf);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = fopen("/dev/null", "w");
	return devnull ? 0 : -1;
}
