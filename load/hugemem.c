/*
 * hugemem: anonymous memory in transparent huge pages (see hugemem.h).
 */
#include "hugemem.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sqlite3.h>

#include "fsutil.h"

#define HUGE_PAGE ((size_t)2 << 20)

static size_t rounded(size_t size)
{
	return (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

void *huge_alloc(size_t size)
{
#ifdef MADV_HUGEPAGE
	size_t n = rounded(size);
	char *p, *a;

	if (!size || !fs_thp_usable())
		return NULL;
	/* One huge page more, to align the start. */
	p = mmap(NULL, n + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + n < p + n + HUGE_PAGE)
		munmap(a + n, (size_t)(p + n + HUGE_PAGE - (a + n)));
	if (madvise(a, n, MADV_HUGEPAGE)) {
		munmap(a, n);
		return NULL;
	}
	return a;
#else
	(void)size;
	return NULL;
#endif
}

void huge_free(void *p, size_t size)
{
	if (p)
		munmap(p, rounded(size));
}

/* --- SQLite's memory
 *
 * SQLite's page cache allocates each page (4 kB and a header) by itself.
 * Those allocations come from one region in huge pages, a block of
 * PAGE_BLOCK bytes each, freed blocks kept for the next; the region is
 * touched only as far as blocks are used. Every other allocation, and a
 * page when the region is used up, goes to malloc with its size in a
 * header before it. A mutex keeps the region's list whole should SQLite
 * allocate from more than one thread (its sorter's workers). */

#define PAGE_MIN 4096                   /* bigger than this ... */
#define PAGE_BLOCK (4096 + 512)         /* ... and at most this: a page */
#define HDR 16                          /* malloc'd: the size, before the block */

static pthread_mutex_t region_mu = PTHREAD_MUTEX_INITIALIZER;

static struct {
	char *base;
	size_t size, used;              /* bytes; of them handed out once */
	void *free;                     /* freed blocks, each pointing to the next */
} region;

static int in_region(const void *p)
{
	return region.base && (const char *)p >= region.base &&
	       (const char *)p < region.base + region.size;
}

static void *sys_malloc(int n)
{
	char *q = malloc((size_t)n + HDR);
	if (!q)
		return NULL;
	memcpy(q, &n, sizeof n);
	return q + HDR;
}

static void *sq_malloc(int n)
{
	if (n > PAGE_MIN && n <= PAGE_BLOCK) {
		void *p = NULL;
		pthread_mutex_lock(&region_mu);
		if (region.free) {
			p = region.free;
			memcpy(&region.free, p, sizeof region.free);
		} else if (region.size - region.used >= PAGE_BLOCK) {
			p = region.base + region.used;
			region.used += PAGE_BLOCK;
		}
		pthread_mutex_unlock(&region_mu);
		if (p)
			return p;
	}
	return sys_malloc(n);
}

static void sq_free(void *p)
{
	if (!p)
		return;
	if (in_region(p)) {
		pthread_mutex_lock(&region_mu);
		memcpy(p, &region.free, sizeof region.free);
		region.free = p;
		pthread_mutex_unlock(&region_mu);
		return;
	}
	free((char *)p - HDR);
}

static int sq_size(void *p)
{
	int n;
	if (!p)
		return 0;
	if (in_region(p))
		return PAGE_BLOCK;
	memcpy(&n, (char *)p - HDR, sizeof n);
	return n;
}

static void *sq_realloc(void *p, int n)
{
	int old = sq_size(p);
	void *q;

	if (in_region(p) && n > PAGE_MIN && n <= PAGE_BLOCK)
		return p;
	if (!in_region(p) && !(n > PAGE_MIN && n <= PAGE_BLOCK)) {
		char *r = realloc((char *)p - HDR, (size_t)n + HDR);
		if (!r)
			return NULL;
		memcpy(r, &n, sizeof n);
		return r + HDR;
	}
	if (!(q = sq_malloc(n)))
		return NULL;
	memcpy(q, p, (size_t)(old < n ? old : n));
	sq_free(p);
	return q;
}

static int sq_roundup(int n)
{
	return (n + 7) & ~7;
}

static int sq_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void sq_shutdown(void *arg)
{
	(void)arg;
}

void huge_sqlite_pages(void)
{
	static const sqlite3_mem_methods m = {
		sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup, sq_init, sq_shutdown, NULL,
	};
	size_t size = (size_t)HUGE_SQLITE_MB << 20;

#if defined(__SANITIZE_ADDRESS__)
	return;     /* AddressSanitizer checks SQLite's pages only if malloc's */
#endif
	if (!(region.base = huge_alloc(size)))
		return;
	region.size = size;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK) {
		huge_free(region.base, size);
		region.base = NULL;
		region.size = 0;
	}
}

size_t huge_sqlite_used(void)
{
	size_t n;
	pthread_mutex_lock(&region_mu);
	n = region.used;
	pthread_mutex_unlock(&region_mu);
	return n;
}
