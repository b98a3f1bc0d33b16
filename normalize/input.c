/*
 * input: parsed.jsonl into structs with YAJL's event parser. See input.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "log.h"
#include "stagefile.h"

/* Memory for the file and the arenas, tens of megabytes: in 2 MB-aligned
 * blocks that the kernel may back with huge pages, which saves a page
 * fault per 4 kB (madvise is advice; without huge pages it is plain
 * memory). */
#define HUGE_PAGE (2u << 20)
static void *big_alloc(size_t n)
{
	void *p = NULL;
	if (posix_memalign(&p, HUGE_PAGE, n))
		return NULL;
	if (n >= HUGE_PAGE)
		madvise(p, n, MADV_HUGEPAGE);
	return p;
}

/* ---- arena: bump allocation in 4 MB blocks, freed at once ---- */

struct block {
	struct block *next;
	size_t used, size;
	char data[];
};

struct arena {
	struct block *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n + sizeof *b > 2 * HUGE_PAGE ? n : 2 * HUGE_PAGE - sizeof *b;
		b = big_alloc(sizeof *b + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

static const char *arena_str(struct arena *a, const unsigned char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static void arena_free(struct arena *a)
{
	while (a && a->head) {
		struct block *b = a->head;
		a->head = b->next;
		free(b);
	}
}

/* Joins b's blocks onto a (b is left empty). */
static void arena_join(struct arena *a, struct arena *b)
{
	while (b->head) {
		struct block *x = b->head;
		b->head = x->next;
		x->next = a->head;
		a->head = x;
	}
}

/* ---- growable arrays of one record, copied to the arena when closed ---- */

struct vec {
	void *v;
	size_t n, cap, size;
};

static void *vec_push(struct vec *x)
{
	if (x->n == x->cap) {
		size_t nc = x->cap ? 2 * x->cap : 16;
		void *nv = realloc(x->v, nc * x->size);
		if (!nv)
			return NULL;
		x->v = nv;
		x->cap = nc;
	}
	void *p = (char *)x->v + x->n * x->size;
	memset(p, 0, x->size);
	x->n++;
	return p;
}

static void *vec_top(struct vec *x)
{
	return x->n ? (char *)x->v + (x->n - 1) * x->size : NULL;
}

/* Moves x's items to the arena; returns them (NULL when none). */
static void *vec_take(struct vec *x, struct arena *a, size_t *n)
{
	void *p = NULL;
	*n = x->n;
	if (x->n && (p = arena_alloc(a, x->n * x->size)))
		memcpy(p, x->v, x->n * x->size);
	x->n = 0;
	return p;
}

/* ---- the event parser ---- */

enum slot {
	S_TOP, S_ENTITY, S_WARNINGS, S_ALIASES, S_GENRES, S_THEMES, S_RELEASES, S_RELEASE,
	S_CREDITS, S_CREDIT, S_CAST, S_CASTROW, S_VOICES, S_VOICE, S_PCREDITS, S_PCREDIT,
	S_SKIP
};

#define MAX_DEPTH 64

struct parser {
	struct arena arena;
	struct vec pages;        /* struct in_page */
	struct vec strs;         /* const char *, for the open string list */
	struct vec releases, credits, cast, voices, pcredits;
	enum slot stack[MAX_DEPTH];
	int depth;
	char key[32];
	enum in_kind entity;     /* kind of the entity object seen */
	bool gone;
	struct in_page *pg;
	bool oom;
	unsigned char *lo, *hi;  /* the chunk of text being parsed */
};

/* A string of the file: one without escapes is a slice of the text, which
 * stays in memory, and is ended in place over its closing quote (YAJL has
 * read past it); one YAJL decoded into its own buffer is copied. */
static const char *keep_str(struct parser *p, const unsigned char *s, size_t len)
{
	if (s >= p->lo && s + len < p->hi && s[len] == '"') {
		unsigned char *w = p->lo + (s - p->lo);
		w[len] = '\0';
		return (const char *)w;
	}
	return arena_str(&p->arena, s, len);
}

static bool key_is(const struct parser *p, const char *k)
{
	return !strcmp(p->key, k);
}

static enum slot parent(const struct parser *p)
{
	return p->depth ? p->stack[p->depth - 1] : S_TOP;
}

static int push(struct parser *p, enum slot s)
{
	if (p->depth >= MAX_DEPTH)
		return 0;
	p->stack[p->depth++] = s;
	return 1;
}

static const char **str_slot(struct parser *p, enum slot where)
{
	struct in_page *g = p->pg;
	switch (where) {
	case S_TOP:
		if (key_is(p, "entity_id")) return &g->entity_id;
		if (key_is(p, "url")) return &g->url;
		if (key_is(p, "fetched_at")) return &g->fetched_at;
		if (key_is(p, "sha256")) return &g->sha256;
		return NULL;
	case S_ENTITY:
		if (key_is(p, "title")) return &g->title;
		if (key_is(p, "deck")) return &g->deck;
		if (key_is(p, "type")) return &g->type;
		if (key_is(p, "description")) return &g->description;
		if (key_is(p, "rating")) return &g->rating;
		if (key_is(p, "runtime")) return &g->runtime;
		if (key_is(p, "episodes")) return &g->episodes;
		if (key_is(p, "info_name")) return &g->info_name;
		if (key_is(p, "native_name")) return &g->native_name;
		if (key_is(p, "birthday")) return &g->birthday;
		if (key_is(p, "death")) return &g->death;
		if (key_is(p, "gender")) return &g->gender;
		if (key_is(p, "hometown")) return &g->hometown;
		if (key_is(p, "website")) return &g->website;
		return NULL;
	case S_RELEASE: {
		struct in_release *r = vec_top(&p->releases);
		if (key_is(p, "name")) return &r->name;
		if (key_is(p, "date")) return &r->date;
		return NULL;
	}
	case S_CREDIT: {
		struct in_credit *c = vec_top(&p->credits);
		if (key_is(p, "person_id")) return &c->person_id;
		if (key_is(p, "name")) return &c->name;
		if (key_is(p, "role")) return &c->role;
		if (key_is(p, "note")) return &c->note;
		return NULL;
	}
	case S_CASTROW: {
		struct in_cast *c = vec_top(&p->cast);
		if (key_is(p, "character_id")) return &c->character_id;
		if (key_is(p, "character_name")) return &c->character_name;
		return NULL;
	}
	case S_VOICE: {
		struct in_voice *v = vec_top(&p->voices);
		if (key_is(p, "lang")) return &v->lang;
		if (key_is(p, "person_id")) return &v->person_id;
		if (key_is(p, "name")) return &v->name;
		return NULL;
	}
	case S_PCREDIT: {
		struct in_pcredit *c = vec_top(&p->pcredits);
		if (key_is(p, "work_id")) return &c->work_id;
		if (key_is(p, "title")) return &c->title;
		if (key_is(p, "role")) return &c->role;
		if (key_is(p, "year")) return &c->year;
		return NULL;
	}
	default:
		return NULL;
	}
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	enum slot where = parent(p);
	if (where == S_WARNINGS || where == S_ALIASES || where == S_GENRES || where == S_THEMES) {
		const char **slot = vec_push(&p->strs);
		if (!slot || !(*slot = keep_str(p, s, len)))
			return p->oom = true, 0;
		return 1;
	}
	if (where == S_SKIP)
		return 1;
	const char **slot = str_slot(p, where);
	if (slot && !(*slot = keep_str(p, s, len)))
		return p->oom = true, 0;
	return 1;
}

static int on_integer(void *ctx, long long v)
{
	struct parser *p = ctx;
	if (parent(p) == S_TOP && key_is(p, "http_status")) {
		p->pg->http_status = v;
		p->pg->has_status = true;
	}
	return 1;
}

static int on_double(void *ctx, double v)
{
	(void)ctx;
	(void)v;
	return 1;
}

static int on_bool(void *ctx, int v)
{
	struct parser *p = ctx;
	if (parent(p) == S_TOP && key_is(p, "gone"))
		p->gone = v;
	return 1;
}

static int on_null(void *ctx)
{
	(void)ctx;
	return 1;
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	if (len >= sizeof p->key)
		len = sizeof p->key - 1;
	memcpy(p->key, s, len);
	p->key[len] = '\0';
	return 1;
}

static int on_map_open(void *ctx)
{
	struct parser *p = ctx;
	enum slot where = parent(p), s = S_SKIP;
	if (!p->depth) {
		if (!(p->pg = vec_push(&p->pages)))
			return p->oom = true, 0;
		p->entity = IN_OTHER;
		p->gone = false;
		p->key[0] = '\0';
		return push(p, S_TOP);
	}
	switch (where) {
	case S_TOP:
		if (key_is(p, "work"))
			p->entity = IN_WORK, s = S_ENTITY;
		else if (key_is(p, "person"))
			p->entity = IN_PERSON, s = S_ENTITY;
		else if (key_is(p, "character"))
			p->entity = IN_CHARACTER, s = S_ENTITY;
		break;
	case S_RELEASES: s = S_RELEASE; break;
	case S_CREDITS: s = S_CREDIT; break;
	case S_CAST: s = S_CASTROW; break;
	case S_VOICES: s = S_VOICE; break;
	case S_PCREDITS: s = S_PCREDIT; break;
	default: break;
	}
	struct vec *v = s == S_RELEASE ? &p->releases : s == S_CREDIT ? &p->credits :
			s == S_CASTROW ? &p->cast : s == S_VOICE ? &p->voices :
			s == S_PCREDIT ? &p->pcredits : NULL;
	if (v && !vec_push(v))
		return p->oom = true, 0;
	return push(p, s);
}

static int on_array_open(void *ctx)
{
	struct parser *p = ctx;
	enum slot where = parent(p), s = S_SKIP;
	if (where == S_TOP && key_is(p, "warnings"))
		s = S_WARNINGS;
	else if (where == S_ENTITY) {
		if (key_is(p, "aliases")) s = S_ALIASES;
		else if (key_is(p, "genres")) s = S_GENRES;
		else if (key_is(p, "themes")) s = S_THEMES;
		else if (key_is(p, "releases")) s = S_RELEASES;
		else if (key_is(p, "cast")) s = S_CAST;
		else if (key_is(p, "credits"))
			s = p->entity == IN_PERSON ? S_PCREDITS : S_CREDITS;
	} else if (where == S_CASTROW && key_is(p, "voices")) {
		s = S_VOICES;
	}
	return push(p, s);
}

static int on_map_close(void *ctx)
{
	struct parser *p = ctx;
	if (!p->depth)
		return 0;
	p->depth--;
	if (!p->depth)
		p->pg->kind = p->gone ? IN_GONE : p->entity;
	return 1;
}

static int on_array_close(void *ctx)
{
	struct parser *p = ctx;
	if (!p->depth)
		return 0;
	enum slot s = p->stack[--p->depth];
	struct in_page *g = p->pg;
	struct strs *list = s == S_WARNINGS ? &g->warnings : s == S_ALIASES ? &g->aliases :
			    s == S_GENRES ? &g->genres : s == S_THEMES ? &g->themes : NULL;
	if (list)
		list->v = vec_take(&p->strs, &p->arena, &list->n);
	else if (s == S_RELEASES)
		g->releases = vec_take(&p->releases, &p->arena, &g->nreleases);
	else if (s == S_CREDITS)
		g->credits = vec_take(&p->credits, &p->arena, &g->ncredits);
	else if (s == S_CAST)
		g->cast = vec_take(&p->cast, &p->arena, &g->ncast);
	else if (s == S_PCREDITS)
		g->pcredits = vec_take(&p->pcredits, &p->arena, &g->npcredits);
	else if (s == S_VOICES) {
		struct in_cast *c = vec_top(&p->cast);
		c->voices = vec_take(&p->voices, &p->arena, &c->nvoices);
	}
	return 1;
}

static const yajl_callbacks callbacks = {
	on_null, on_bool, on_integer, on_double, NULL, on_string,
	on_map_open, on_key, on_map_close, on_array_open, on_array_close,
};

/* One chunk of lines, parsed by one thread. */
struct chunk {
	const char *path;
	char *data;
	size_t len;
	unsigned long first_line;
	struct parser p;
	int rc;
};

static void *parse_chunk(void *arg)
{
	struct chunk *c = arg;
	struct parser *p = &c->p;
	const char *s = c->data, *end = c->data + c->len;
	unsigned long line = c->first_line;

	p->lo = (unsigned char *)c->data;
	p->hi = p->lo + c->len;
	p->pages.size = sizeof(struct in_page);
	p->strs.size = sizeof(const char *);
	p->releases.size = sizeof(struct in_release);
	p->credits.size = sizeof(struct in_credit);
	p->cast.size = sizeof(struct in_cast);
	p->voices.size = sizeof(struct in_voice);
	p->pcredits.size = sizeof(struct in_pcredit);
	for (; s < end && !c->rc; line++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl) {
			log_error("%s:%lu: truncated record (rerun the stage that writes it)",
				  c->path, line);
			c->rc = -1;
			break;
		}
		size_t n = (size_t)(nl - s);
		if (n) {
			size_t before = p->pages.n;
			yajl_handle h = yajl_alloc(&callbacks, NULL, p);
			p->depth = 0;
			yajl_status st = yajl_parse(h, (const unsigned char *)s, n);
			if (st == yajl_status_ok)
				st = yajl_complete_parse(h);
			if (st != yajl_status_ok || p->depth) {
				unsigned char *e = yajl_get_error(h, 0, (const unsigned char *)s, n);
				for (size_t el = e ? strlen((char *)e) : 0; el && (e[el - 1] == '\n' || e[el - 1] == ' '); el--)
					e[el - 1] = '\0';
				log_error("%s:%lu: bad record: %s", c->path, line,
					  p->oom ? "out of memory" : e ? (const char *)e : "not an object");
				yajl_free_error(h, e);
				c->rc = -1;
			} else if (p->pages.n != before + 1) {
				log_error("%s:%lu: bad record: not an object", c->path, line);
				c->rc = -1;
			}
			yajl_free(h);
		}
		s = nl + 1;
	}
	free(p->strs.v);
	free(p->releases.v);
	free(p->credits.v);
	free(p->cast.v);
	free(p->voices.v);
	free(p->pcredits.v);
	return NULL;
}

int input_read(struct input *in, const char *path, const char *format, int max_version,
	       int threads)
{
	struct stage_reader r;
	int fd = -1, rc = -1;
	char *data = NULL;
	struct stat st;

	memset(in, 0, sizeof *in);
	/* The header: format and version, worded as every stage words them. */
	if (stage_reader_open(&r, path, format, max_version))
		return -1;
	stage_reader_close(&r);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st)) {
		log_error("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	size_t len = (size_t)st.st_size, got = 0;
	if (!(data = big_alloc(len + 1))) {
		log_error("cannot read '%s': out of memory", path);
		goto out;
	}
	while (got < len) {
		ssize_t n = read(fd, data + got, len - got);
		if (n <= 0) {
			log_error("cannot read '%s': %s", path, n ? strerror(errno) : "file shrank");
			goto out;
		}
		got += (size_t)n;
	}
	/* Skip the header line; split the rest into chunks at line ends. */
	char *body = memchr(data, '\n', len);
	body = body ? body + 1 : data + len;
	size_t blen = len - (size_t)(body - data);
	if (threads < 1)
		threads = 1;
	if (threads > 16)
		threads = 16;
	if (blen < (1u << 20))
		threads = 1;
	struct chunk ch[16];
	pthread_t tid[16];
	memset(ch, 0, sizeof ch);
	char *at = body, *end = body + blen;
	unsigned long line = 2;
	for (int i = 0; i < threads; i++) {
		char *stop = i == threads - 1 ? end : at + (size_t)(end - at) / (size_t)(threads - i);
		if (stop < end) {
			char *nl = memchr(stop, '\n', (size_t)(end - stop));
			stop = nl ? nl + 1 : end;
		}
		ch[i].path = path;
		ch[i].data = at;
		ch[i].len = (size_t)(stop - at);
		ch[i].first_line = line;
		for (const char *q = at; q < stop && (q = memchr(q, '\n', (size_t)(stop - q))); q++)
			line++;
		at = stop;
	}
	int started = 0;
	for (int i = 1; i < threads; i++) {
		if (pthread_create(&tid[i], NULL, parse_chunk, &ch[i]))
			break;
		started = i;
	}
	parse_chunk(&ch[0]);
	for (int i = started + 1; i < threads; i++)
		parse_chunk(&ch[i]);   /* threads that could not start */
	for (int i = 1; i <= started; i++)
		pthread_join(tid[i], NULL);

	rc = 0;
	size_t total = 0;
	for (int i = 0; i < threads; i++) {
		if (ch[i].rc)
			rc = -1;
		total += ch[i].p.pages.n;
	}
	in->arena = calloc(1, sizeof *in->arena);
	in->pages = malloc((total ? total : 1) * sizeof *in->pages);
	if (!in->arena || !in->pages) {
		log_error("cannot read '%s': out of memory", path);
		rc = -1;
	}
	for (int i = 0; i < threads; i++) {
		if (!rc) {
			memcpy(in->pages + in->n, ch[i].p.pages.v, ch[i].p.pages.n * sizeof *in->pages);
			in->n += ch[i].p.pages.n;
		}
		free(ch[i].p.pages.v);
		if (in->arena)
			arena_join(in->arena, &ch[i].p.arena);
		else
			arena_free(&ch[i].p.arena);
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc) {
		free(data);
		input_free(in);
	} else {
		in->text = data;
	}
	return rc;
}

void input_free(struct input *in)
{
	free(in->text);
	in->text = NULL;
	if (in->arena) {
		arena_free(in->arena);
		free(in->arena);
	}
	free(in->pages);
	memset(in, 0, sizeof *in);
}
