/*
 * hugeheap: malloc's heaps in transparent huge pages. See hugeheap.h.
 */
#include "hugeheap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)
/* glibc gives each thread arena heaps of this size, aligned to it
 * (HEAP_MAX_SIZE: twice the largest mmap threshold, 32 MB on 64-bit). */
#define ARENA_HEAP ((uintptr_t)64 << 20)

static uintptr_t main_lo, main_hi;

#define TUNABLE "glibc.malloc.hugetlb"

void hugeheap_reexec(char **argv)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	(void)argv;
#else
	const char *t = getenv("GLIBC_TUNABLES");
	const char *pre = getenv("LD_PRELOAD");
	char line[128] = "";
	FILE *fp;

	if ((t && strstr(t, TUNABLE)) || (pre && strstr(pre, "vgpreload")) || !argv || !argv[0])
		return;
	if (!(fp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re")))
		return;
	if (!fgets(line, sizeof line, fp))
		line[0] = '\0';
	fclose(fp);
	if (!strstr(line, "[always]") && !strstr(line, "[madvise]"))
		return;
	size_t n = (t ? strlen(t) + 1 : 0) + sizeof TUNABLE "=1";
	char *v = malloc(n);
	if (!v)
		return;
	snprintf(v, n, "%s%s" TUNABLE "=1", t ? t : "", t ? ":" : "");
	char *old = t ? strdup(t) : NULL;
	if (setenv("GLIBC_TUNABLES", v, 1) == 0) {
		execv("/proc/self/exe", argv);
		/* (not run again: as it is) */
		if (old)
			setenv("GLIBC_TUNABLES", old, 1);
		else
			unsetenv("GLIBC_TUNABLES");
	}
	free(old);
	free(v);
#endif
}   /* the main heap, as far as it was grown */

static void advise(uintptr_t lo, uintptr_t hi)
{
	lo = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	hi &= ~(HUGE_PAGE - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

void hugeheap_init(void)
{
	enum { STEP = 30u << 20, STEPS = 5 };   /* under the 32 MB mmap threshold */
	void *blk[STEPS];
	size_t n = 0;
	main_lo = (uintptr_t)sbrk(0);
	while (n < STEPS && (blk[n] = malloc(STEP)))
		n++;
	/* Advised only when they are one stretch of the heap, as they are
	 * when the heap grew upwards by them. */
	bool contiguous = n > 0 && (uintptr_t)blk[0] >= main_lo;
	for (size_t i = 1; i < n; i++)
		if ((uintptr_t)blk[i] <= (uintptr_t)blk[i - 1])
			contiguous = false;
	if (contiguous)
		advise((uintptr_t)blk[0], (uintptr_t)blk[n - 1] + STEP);
	while (n)
		free(blk[--n]);
	main_hi = (uintptr_t)sbrk(0);
}

void hugeheap_thread(void)
{
	void *p = malloc(64);
	uintptr_t a = (uintptr_t)p;
	/* A chunk outside the main heap comes from the thread's arena, whose
	 * heap is the ARENA_HEAP-aligned reservation holding it. */
	if (p && main_hi > main_lo && (a < main_lo || a >= main_hi)) {
		uintptr_t base = a & ~(ARENA_HEAP - 1);
		advise(base, base + ARENA_HEAP);
	}
	free(p);
}
