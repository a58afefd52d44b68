// SPDX-License-Identifier: GPL-2.0
/* daxtrace: synchronous DAX page faults, per file, with latency histograms. */
#include "check.h"
#include "cli.h"
#include "exitcodes.h"
#include "filters.h"
#include "map.h"
#include "session.h"

int main(int argc, char **argv)
{
	struct dt_config cfg;
	int err;

	dt_config_defaults(&cfg);
	err = dt_parse_args(argc, argv, &cfg);
	if (err || cfg.exit_now)
		return err;
	if (cfg.mode == DT_MODE_CHECK)
		return dt_run_check(&cfg);
	if (cfg.mode == DT_MODE_MAP)
		return dt_run_map(&cfg);
	if ((err = dt_filters_resolve(&cfg)))
		return err;
	err = dt_run_session(&cfg);
	dt_filters_close(&cfg);
	return err;
}
