/*
 * hugeheap: malloc's heaps in transparent huge pages. See hugeheap.h.
 */
#include "hugeheap.h"
#include "fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TUNABLE "glibc.malloc.hugetlb"

void hugeheap_reexec(char **argv)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	(void)argv;
#else
	const char *t = getenv("GLIBC_TUNABLES");
	const char *pre = getenv("LD_PRELOAD");

	if ((t && strstr(t, TUNABLE)) || (pre && strstr(pre, "vgpreload")) || !argv ||
	    !argv[0] || !fs_thp_usable())
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
}
