/*
 * worklock: WORK/lock, the flock that keeps two runs from writing the
 * same work directory at once. `pipeline` takes it for its whole run and
 * its stages share it (the open file is inherited, its descriptor named
 * by the environment variable WORKLOCK_ENV); a stage run by hand takes it
 * itself, so it cannot overlap a run (a scheduled one, or another stage
 * by hand). The holder's pid is written into the file for the messages
 * and `pipeline status`.
 */
#ifndef WORKLOCK_H
#define WORKLOCK_H

#define WORKLOCK_ENV "ANIMEWIKI_IMPORT_LOCK_FD"

/* Takes WORK/lock for this process and writes its pid into it. Returns
 * the descriptor (keep it open while the lock is needed), or -1 after
 * logging, with the exit code in *rc: EXIT_BUSY when another process
 * holds it, EXIT_OUTPUT when it cannot be opened. When the environment
 * names a descriptor of the same file whose lock this process already
 * shares (a stage run by `pipeline`), that descriptor is returned. */
int worklock_take(const char *work_dir, int *rc);

/* Sets WORKLOCK_ENV to fd, for the stages a driver starts. */
void worklock_export(int fd);

/* The pid in WORK/lock when another process holds it, 0 when the lock is
 * free, -1 when it cannot be told. */
long worklock_holder(const char *work_dir);

#endif
