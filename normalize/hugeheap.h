/*
 * hugeheap: malloc's heaps in transparent huge pages.
 *
 * A run's small objects (the maps of names and forms, the records being
 * written) take some 100 MB. In 4 kB pages each is faulted in on its own
 * (slow on a virtual machine) and, spread over the heap, misses the TLB
 * at every lookup: in 2 MB pages the run takes about a quarter less CPU.
 * glibc's tunable glibc.malloc.hugetlb=1 has malloc advise every heap it
 * grows as huge pages, so the program runs itself again with it set. It
 * is advice: without THP, or with another malloc (sanitizers, valgrind),
 * memory is plain memory.
 */
#ifndef HUGEHEAP_H
#define HUGEHEAP_H

/* Runs the program again (same pid, arguments and environment) with
 * glibc's tunable glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES, so that
 * malloc advises every heap it grows as huge pages: a fifth less time
 * at 20,000 pages, a quarter at 100,000. Does nothing when the tunable is set
 * already (either way: the user's choice stands), when the kernel gives
 * no huge pages on request, under valgrind or a sanitizer (their own
 * malloc), or when the program cannot be run again (then it goes on as
 * it is). Call first thing in main, before any file or lock is opened. */
void hugeheap_reexec(char **argv);

#endif
