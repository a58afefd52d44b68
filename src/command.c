// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "command.h"
#include "exitcodes.h"

static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return access(path, X_OK) ? -errno : 0;
}

int dt_command_check(char *const *argv)
{
	const char *cmd = argv[0], *path = getenv("PATH");
	int err = -ENOENT;

	if (strchr(cmd, '/')) {
		err = executable(cmd);
	} else {
		char *dirs = strdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

		for (char *save, *d = strtok_r(dirs, ":", &save); d && err; d = strtok_r(NULL, ":", &save)) {
			char full[4096];
			int e;

			snprintf(full, sizeof(full), "%s/%s", *d ? d : ".", cmd);
			e = executable(full);
			if (!e || err == -ENOENT)
				err = e;
		}
		free(dirs);
	}
	if (!err)
		return 0;
	fprintf(stderr, "daxtrace: cannot run '%s': %s\n", cmd, strerror(-err));
	return err == -ENOENT ? DT_EXIT_NOT_FOUND : DT_EXIT_CANNOT_EXEC;
}

int dt_command_fork(struct dt_command *c, char *const *argv)
{
	int go[2], err[2];

	memset(c, 0, sizeof(*c));
	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		fprintf(stderr, "daxtrace: pipe: %s\n", strerror(errno));
		return DT_EXIT_RUNTIME;
	}
	c->pid = fork();
	if (c->pid < 0) {
		fprintf(stderr, "daxtrace: fork: %s\n", strerror(errno));
		return DT_EXIT_RUNTIME;
	}
	if (c->pid == 0) {
		char b;
		int e;

		close(go[1]);
		close(err[0]);
		if (read(go[0], &b, 1) != 1) /* daxtrace gave up before attaching */
			_exit(DT_EXIT_RUNTIME);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(DT_EXIT_NOT_FOUND);
		_exit(e == ENOENT ? DT_EXIT_NOT_FOUND : DT_EXIT_CANNOT_EXEC);
	}
	close(go[0]);
	close(err[1]);
	c->go_fd = go[1];
	c->err_fd = err[0];
	return 0;
}

int dt_command_start(struct dt_command *c, const char *name)
{
	int e = 0;
	ssize_t n;

	if (write(c->go_fd, "g", 1) != 1) {
		fprintf(stderr, "daxtrace: cannot start '%s': %s\n", name, strerror(errno));
		return DT_EXIT_RUNTIME;
	}
	close(c->go_fd);
	c->go_fd = -1;
	n = read(c->err_fd, &e, sizeof(e)); /* EOF: exec succeeded (the pipe was close-on-exec) */
	close(c->err_fd);
	c->err_fd = -1;
	if (n == sizeof(e)) {
		fprintf(stderr, "daxtrace: cannot run '%s': %s\n", name, strerror(e));
		waitpid(c->pid, &c->status, 0);
		c->exited = true;
		return e == ENOENT ? DT_EXIT_NOT_FOUND : DT_EXIT_CANNOT_EXEC;
	}
	return 0;
}

void dt_command_abort(struct dt_command *c)
{
	if (c->pid <= 0 || c->exited)
		return;
	if (c->go_fd >= 0)
		close(c->go_fd); /* the child reads EOF and exits without running anything */
	if (c->err_fd >= 0)
		close(c->err_fd);
	waitpid(c->pid, &c->status, 0);
	c->exited = true;
}

bool dt_command_poll(struct dt_command *c)
{
	if (c->pid > 0 && !c->exited && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->exited = true;
	return c->exited;
}

int dt_command_exit_code(const struct dt_command *c, const char *name)
{
	if (!c->exited)
		return DT_EXIT_OK;
	if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0)
		return DT_EXIT_OK;
	if (WIFEXITED(c->status))
		fprintf(stderr, "daxtrace: '%s' exited with status %d\n", name, WEXITSTATUS(c->status));
	else if (WIFSIGNALED(c->status))
		fprintf(stderr, "daxtrace: '%s' was killed by signal %d (%s)\n", name,
			WTERMSIG(c->status), strsignal(WTERMSIG(c->status)));
	return DT_EXIT_COMMAND;
}
