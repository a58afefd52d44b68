/* SPDX-License-Identifier: GPL-2.0 */
/* `daxtrace -- COMMAND`: the child is forked first, held until the probes are attached (so its
 * first fault is seen), then released to exec. */
#ifndef DT_COMMAND_H
#define DT_COMMAND_H

#include <stdbool.h>
#include <sys/types.h>

struct dt_command {
	pid_t pid;
	int go_fd;     /* write end: one byte releases the child */
	int err_fd;    /* read end: the child's exec errno, or EOF when exec succeeded */
	bool exited;
	int status;
};

/* Checks that argv[0] can be executed (as execvp would find it): 0, or an exit code after a
 * one-line message. */
int dt_command_check(char *const *argv);
int dt_command_fork(struct dt_command *c, char *const *argv);
/* Releases the child; returns 0, or an exit code if exec failed. */
int dt_command_start(struct dt_command *c, const char *name);
void dt_command_abort(struct dt_command *c);
/* Non-blocking reap; true once the child has exited. */
bool dt_command_poll(struct dt_command *c);
/* The exit code daxtrace should return for the child's status. */
int dt_command_exit_code(const struct dt_command *c, const char *name);

#endif
