/* worklock: see worklock.h. */
#define _POSIX_C_SOURCE 200809L
#include "worklock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "fsutil.h"
#include "log.h"

static long read_pid(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* The descriptor WORKLOCK_ENV names when it is open on path and its lock
 * is ours (taking it again on the same open file succeeds at once); else
 * -1. */
static int inherited(const char *path)
{
	const char *v = getenv(WORKLOCK_ENV);
	struct stat a, b;
	char *end;
	long fd;

	if (!v || !*v)
		return -1;
	errno = 0;
	fd = strtol(v, &end, 10);
	if (errno || *end || fd < 0 || fd > 65535)
		return -1;
	if (fstat((int)fd, &a) || stat(path, &b) || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return -1;
	if (flock((int)fd, LOCK_EX | LOCK_NB))
		return -1;
	return (int)fd;
}

int worklock_take(const char *work_dir, int *rc)
{
	char *path = fs_join(work_dir, "lock");
	int fd;

	if (!path) {
		*rc = EXIT_FAIL;
		return -1;
	}
	if ((fd = inherited(path)) >= 0) {
		free(path);
		return fd;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		log_error("cannot open lock file '%s': %s", path, strerror(errno));
		free(path);
		*rc = EXIT_OUTPUT;
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			log_error("cannot lock '%s': %s", path, strerror(errno));
			*rc = EXIT_OUTPUT;
		} else {
			long pid = read_pid(fd);
			if (pid > 0 && kill((pid_t)pid, 0) && errno == ESRCH)
				log_error("the run of pid %ld has ended, but a stage it started "
					  "still holds '%s' while it stops: try again in a moment",
					  pid, path);
			else if (pid > 0)
				log_error("another run (pid %ld) holds '%s': not starting", pid, path);
			else
				log_error("another run holds '%s': not starting", path);
			*rc = EXIT_BUSY;
		}
		close(fd);
		free(path);
		return -1;
	}
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (pwrite(fd, pid, (size_t)len, 0) != len || ftruncate(fd, len))
		log_warn("cannot write the pid into '%s': %s", path, strerror(errno));
	free(path);
	return fd;
}

void worklock_export(int fd)
{
	char v[16];
	int flags = fcntl(fd, F_GETFD);

	/* The stages inherit the open file, and with it the lock. */
	if (flags >= 0)
		fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
	snprintf(v, sizeof v, "%d", fd);
	setenv(WORKLOCK_ENV, v, 1);
}

long worklock_holder(const char *work_dir)
{
	char *path = fs_join(work_dir, "lock");
	long pid = 0;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;

	free(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		flock(fd, LOCK_UN);
	else if (errno == EWOULDBLOCK) {
		pid = read_pid(fd);
		if (pid <= 0)
			pid = -1;  /* held, pid not written yet */
	} else
		pid = -1;
	close(fd);
	return pid;
}
