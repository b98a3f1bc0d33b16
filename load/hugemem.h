/*
 * hugemem: memory in transparent huge pages, for load's big buffers (the
 * blocks of the input it reads ahead, SQLite's page cache). On a virtual
 * machine every first touch of a 4 kB page can cost tens of microseconds;
 * a 2 MB page is touched once. Used only where the kernel gives huge pages
 * on request (/sys/kernel/mm/transparent_hugepage/enabled: always or
 * madvise); elsewhere the callers use malloc.
 */
#ifndef HUGEMEM_H
#define HUGEMEM_H

#include <stddef.h>

/* size bytes (rounded up to whole huge pages), 2 MB aligned and asked to
 * be backed by huge pages; NULL when the kernel would not, or mmap
 * failed. Untouched, it costs no memory. */
void *huge_alloc(size_t size);

/* Gives back what huge_alloc(size) returned (NULL: nothing). */
void huge_free(void *p, size_t size);

/* Makes SQLite take the memory of its database pages (a 4 kB page and
 * its header) from huge pages, as it first needs them; the rest of its
 * memory, and pages beyond HUGE_SQLITE_MB, from malloc. Call before
 * anything else of SQLite; does nothing where huge_alloc would not. */
#define HUGE_SQLITE_MB 64
void huge_sqlite_pages(void);

/* Bytes of that region used so far. */
size_t huge_sqlite_used(void);

#endif
