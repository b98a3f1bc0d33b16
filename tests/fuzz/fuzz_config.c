/*
 * fuzz_config: lib/config.h config_read (the input as a pipeline.conf,
 * through a memfd) and config_set (the input as a --set argument).
 *
 * Checks: config_read returns 0 exactly when it counted no error; after
 * it, every key's value is valid for its type (the typed accessors read
 * it, numbers within the key's range, enums one of the choices); a good
 * file dumped with config_dump reads back (config_read) to the same
 * values (but for one starting with ';', see below); config_set returns
 * 0 exactly when it counted no error, and then the key holds the text
 * after '=' with origin "--set". ASan's leak check covers the error paths.
 */
#include "fuzz_common.h"

#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

static int in_fd = -1, dump_fd = -1;
static char in_path[64], dump_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_config");
	if (log_open_file("/dev/null"))  /* errors are expected; keep the run quiet */
		abort();
	in_fd = memfd_create("fuzz-config", 0);
	dump_fd = memfd_create("fuzz-config-dump", 0);
	if (in_fd < 0 || dump_fd < 0)
		abort();
	snprintf(in_path, sizeof in_path, "/proc/self/fd/%d", in_fd);
	snprintf(dump_path, sizeof dump_path, "/proc/self/fd/%d", dump_fd);
	return 0;
}

static void put(int fd, const void *data, size_t size)
{
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
}

static bool word_in(const char *w, const char *words)
{
	size_t wl = strlen(w);
	for (const char *p = words; *p; ) {
		size_t l = strcspn(p, " ");
		if (l == wl && !strncmp(p, w, l))
			return true;
		p += l;
		if (*p)
			p++;
	}
	return false;
}

/* Every value of c is one its key accepts. */
static void check_values(const struct config *c, const char *what)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct cfg_key *k = &config_keys[i];
		const char *v = config_str(c, k->section, k->name);
		FZ_CHECK(v && config_origin(c, k->section, k->name), "%s: [%s] %s has no value",
			 what, k->section, k->name);
		switch (k->type) {
		case CFG_INT: {
			long long n = config_int(c, k->section, k->name);
			FZ_CHECK((double)n >= k->min && (double)n <= k->max,
				 "%s: [%s] %s = '%s' reads as %lld, out of range", what,
				 k->section, k->name, fz_show(v), n);
			break;
		}
		case CFG_DOUBLE: {
			double d = config_double(c, k->section, k->name);
			FZ_CHECK(d >= k->min && d <= k->max, "%s: [%s] %s = '%s' reads as %g",
				 what, k->section, k->name, fz_show(v), d);
			break;
		}
		case CFG_BOOL:
			(void)config_bool(c, k->section, k->name);
			break;
		case CFG_ENUM:
			FZ_CHECK(word_in(v, k->choices), "%s: [%s] %s = '%s' is not a choice",
				 what, k->section, k->name, fz_show(v));
			break;
		case CFG_PATH: {
			char *p = config_path(c, k->section, k->name);
			FZ_CHECK(p != NULL, "config_path NULL");
			free(p);
			break;
		}
		case CFG_LIST:
		case CFG_REGEX_LIST: {
			size_t n = 0;
			char **l = config_list(c, k->section, k->name, &n);
			FZ_CHECK(l != NULL, "config_list NULL");
			for (size_t j = 0; j < n; j++)
				FZ_CHECK(l[j] && *l[j] && !strpbrk(l[j], " \t"),
					 "%s: [%s] %s: bad list word", what, k->section, k->name);
			FZ_CHECK(l[n] == NULL, "config_list not terminated");
			config_list_free(l);
			break;
		}
		case CFG_STRING:
			break;
		}
	}
}

static void check_set(const char *arg)
{
	struct config c;
	if (config_init(&c))
		abort();
	int before = c.errors;
	int rc = config_set(&c, arg);
	FZ_CHECK((rc == 0) == (c.errors == before), "config_set('%s') returned %d, %d errors",
		 fz_show(arg), rc, c.errors - before);
	if (rc == 0) {
		const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
		FZ_CHECK(dot && eq && dot < eq, "config_set accepted '%s'", fz_show(arg));
		char sec[256], key[256];
		size_t sl = (size_t)(dot - arg), kl = (size_t)(eq - dot - 1);
		FZ_CHECK(sl < sizeof sec && kl < sizeof key, "config_set accepted a long key");
		memcpy(sec, arg, sl);
		sec[sl] = '\0';
		memcpy(key, dot + 1, kl);
		key[kl] = '\0';
		FZ_CHECK(!strcmp(config_str(&c, sec, key), eq + 1) &&
			 !strcmp(config_origin(&c, sec, key), "--set"),
			 "config_set('%s') stored '%s'", fz_show(arg),
			 fz_show(config_str(&c, sec, key)));
		check_values(&c, "after --set");
	}
	config_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c, c2;

	/* The input as a file. */
	put(in_fd, data, size);
	if (config_init(&c))
		abort();
	int before = c.errors;
	int rc = config_read(&c, in_path, true);
	FZ_CHECK((rc == 0) == (c.errors == before), "config_read returned %d with %d errors",
		 rc, c.errors - before);
	check_values(&c, "after config_read");
	if (rc == 0) {
		/* What --dump-config prints is a config file of the same values. */
		FILE *fp = fopen(dump_path, "w");
		if (!fp)
			abort();
		config_dump(&c, fp);
		fclose(fp);
		if (config_init(&c2))
			abort();
		FZ_CHECK(config_read(&c2, dump_path, true) == 0,
			 "the dump of a good config does not read back");
		/* Except a value that starts with ';': "key =;x" reads ";x",
		 * but the dump writes "key = ;x", which inih reads as a
		 * comment (inline comments need a blank before the ';'). */
		for (size_t i = 0; i < c.n; i++)
			FZ_CHECK(c.values[i].value[0] == ';' ||
				 !strcmp(c.values[i].value, c2.values[i].value),
				 "[%s] %s = '%s' reads back as '%s'", config_keys[i].section,
				 config_keys[i].name, fz_show(c.values[i].value),
				 c2.values[i].value);
		config_free(&c2);
	}
	config_free(&c);

	/* The input as a --set argument (up to its first NUL or newline). */
	char *arg = fz_str(data, size);
	arg[strcspn(arg, "\n")] = '\0';
	check_set(arg);
	free(arg);
	return 0;
}
