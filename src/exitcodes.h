/* SPDX-License-Identifier: GPL-2.0 */
/* Exit codes, documented in --help and daxtrace(8). sysexits(3) values where one fits. */
#ifndef DT_EXITCODES_H
#define DT_EXITCODES_H

enum dt_exit {
	DT_EXIT_OK = 0,
	DT_EXIT_RUNTIME = 1,      /* BPF load/attach/read failed, out of memory */
	DT_EXIT_COMMAND = 2,      /* the traced COMMAND exited non-zero or was killed */
	DT_EXIT_USAGE = 64,       /* EX_USAGE: bad flag or value */
	DT_EXIT_NO_PROCESS = 67,  /* EX_NOUSER: -p PID does not exist */
	DT_EXIT_MAP_PATH = 66,    /* EX_NOINPUT: map: a PATH missing, unreadable, not a regular file or not DAX */
	DT_EXIT_UNSUPPORTED = 69, /* EX_UNAVAILABLE: no BTF, or no fs_dax tracepoints */
	DT_EXIT_NO_PERM = 77,     /* EX_NOPERM: needs root or CAP_BPF+CAP_PERFMON */
	DT_EXIT_CANNOT_EXEC = 126,
	DT_EXIT_NOT_FOUND = 127,
};

#endif
