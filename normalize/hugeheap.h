/*
 * hugeheap: malloc's heaps in transparent huge pages.
 *
 * A run's small objects (the maps of names and forms, the records being
 * written) take some 100 MB. In 4 kB pages each is faulted in on its own
 * (slow on a virtual machine) and, spread over the heap, misses the TLB
 * at every lookup: in 2 MB pages the run takes about a quarter less CPU.
 * This is what glibc's tunable glibc.malloc.hugetlb=1 does, done from
 * inside the program, so that it holds however the program is started.
 * It is advice: without THP, or with another malloc (sanitizers,
 * valgrind), memory is plain memory.
 */
#ifndef HUGEHEAP_H
#define HUGEHEAP_H

/* Grows the main heap by the memory a run is likely to need and advises
 * it as huge pages. Only touched pages cost memory, as ever. Call once,
 * before the threads start, after the mallopt settings. */
void hugeheap_init(void);

/* Advises the heap of the calling thread's malloc arena as huge pages
 * (nothing when it uses the main heap). Call at a thread's start. */
void hugeheap_thread(void);

#endif
