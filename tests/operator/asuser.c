// SPDX-License-Identifier: GPL-2.0
/* asuser COMMAND [ARG...]: runs COMMAND as uid/gid 65534 with no supplementary groups and no
 * capabilities (a setuid from root to a non-zero uid clears them), like
 * `setpriv --reuid=65534 --regid=65534 --clear-groups`. For the busybox test guest, which has
 * neither setpriv nor a passwd for su. Static, so it needs nothing from the guest. */
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#define NOBODY 65534

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: asuser COMMAND [ARG...]\n");
		return 64;
	}
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
		fprintf(stderr, "asuser: cannot become uid %d: %s\n", NOBODY, strerror(errno));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "asuser: cannot run %s: %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
