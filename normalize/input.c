/*
 * input: parsed.jsonl into structs with YAJL's event parser. See input.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "log.h"
#include "strtab.h"
#include "stagefile.h"

/* Memory for the arenas, tens of megabytes: in 2 MB-aligned blocks of
 * their own mapping, which the kernel may back with huge pages (a page
 * fault per 2 MB instead of per 4 kB; madvise is advice: without huge
 * pages it is plain memory). Mapped, not taken from malloc: an aligned
 * malloc leaves up to 2 MB before each block, and the header malloc
 * writes there would fault in a huge page of memory no one uses. */
#define HUGE_PAGE (2u << 20)
static size_t big_size(size_t n)
{
	return (n + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
}

static void *big_alloc(size_t n)
{
	size_t len = big_size(n);
	char *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	size_t head = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
	if (head)
		munmap(p, head);
	if (HUGE_PAGE - head)
		munmap(p + head + len, HUGE_PAGE - head);
	p += head;
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void big_free(void *p, size_t n)
{
	if (p)
		munmap(p, big_size(n));
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
	if (b)
		b->used = (b->used + 7) & ~(size_t)7;   /* (after a string) */
	if (!b || b->size < b->used || b->size - b->used < n) {
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

/* A string: not aligned (most are short; their bytes are what the arena
 * holds most of). */
static const char *arena_str(struct arena *a, const unsigned char *s, size_t len)
{
	struct block *b = a->head;
	char *p;
	if (b && b->size - b->used >= len + 1) {
		p = b->data + b->used;
		b->used += len + 1;
	} else if (!(p = arena_alloc(a, len + 1))) {
		return NULL;
	}
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void arena_free(struct arena *a)
{
	while (a && a->head) {
		struct block *b = a->head;
		a->head = b->next;
		big_free(b, sizeof *b + b->size);
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

/* ---- strings that recur (roles: a few hundred for 300,000 credits),
 * kept once in the arena and shared ---- */

static const char *shared_str(struct strtab *t, struct arena *a, const unsigned char *s,
			      size_t len)
{
	unsigned long long h = strtab_hash((const char *)s, len);
	struct strtab_ent *e = strtab_find(t, (const char *)s, len, h);
	if (e)
		return e->s;
	const char *k = arena_str(a, s, len);
	if (k)
		strtab_add(t, k, len, h, 0);   /* (else k is simply not shared) */
	return k;
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
	struct vec pages;        /* struct in_page *, each in the arena */
	struct vec strs;         /* const char *, for the open string list */
	struct vec releases, credits, cast, voices, pcredits;
	struct strtab shared;    /* roles and languages, kept once */
	struct in_page cur;      /* the record being read (pg points here) */
	enum slot stack[MAX_DEPTH];
	int depth;
	char key[32];
	enum in_kind entity;     /* kind of the entity object seen */
	bool gone;
	struct in_page *pg;
	bool oom;
};

/* A string of the record, copied to the arena: what YAJL hands over is
 * in the window being parsed, or in its own buffer (escapes decoded). */
static const char *keep_str(struct parser *p, const unsigned char *s, size_t len)
{
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
		if (key_is(p, "role")) return &c->role;
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
	if (!slot)
		return 1;
	if (((where == S_CREDIT || where == S_PCREDIT) && key_is(p, "role")) ||
	    (where == S_VOICE && key_is(p, "lang")))
		*slot = shared_str(&p->shared, &p->arena, s, len);
	else
		*slot = keep_str(p, s, len);
	if (!*slot)
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
		p->pg = &p->cur;
		memset(p->pg, 0, sizeof *p->pg);
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
	if (!p->depth) {
		/* Into the arena: a gone page or another page (an index) only
		 * its first members, those every page has (17,600 of the
		 * 37,800 records at 20,000 pages: 4 MB less). */
		p->cur.kind = p->gone ? IN_GONE : p->entity;
		size_t size = p->cur.kind == IN_GONE || p->cur.kind == IN_OTHER
			? IN_PAGE_COMMON : sizeof p->cur;
		struct in_page **slot = vec_push(&p->pages);
		if (!slot || !(*slot = arena_alloc(&p->arena, size)))
			return p->oom = true, 0;
		memcpy(*slot, &p->cur, size);
	}
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

/*
 * One chunk of the file (whole lines, from byte start to end), parsed by
 * one thread. The file is read a window at a time (1 MB, more for a
 * longer line) into a buffer the thread reuses, and what is kept is
 * copied to the arena: memory taken for the whole file would be fresh
 * memory, which costs more to touch than the reading itself on a virtual
 * machine, and the page cache holds the file anyway.
 */
struct chunk {
	const char *path;
	int fd;
	off_t start, end;
	unsigned long lines;     /* lines read (parsed or, after an error, counted) */
	unsigned long err_line;  /* the line of the error, counted from the chunk's first */
	bool failed;             /* the chunk is not parsed past its error */
	char err[1024];
	struct parser p;
};

#define WINDOW (1u << 20)

static void chunk_fail(struct chunk *c, const char *msg)
{
	if (!c->failed) {
		c->failed = true;
		snprintf(c->err, sizeof c->err, "%s", msg ? msg : "out of memory");
		c->err_line = c->lines;
	}
}

/* Parses one record's line (n bytes, without its newline). */
static void parse_line(struct chunk *c, const char *s, size_t n)
{
	struct parser *p = &c->p;
	size_t before = p->pages.n;
	yajl_handle h = yajl_alloc(&callbacks, NULL, p);
	if (!h) {
		chunk_fail(c, NULL);
		return;
	}
	p->depth = 0;
	yajl_status st = yajl_parse(h, (const unsigned char *)s, n);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok || p->depth) {
		unsigned char *e = p->oom ? NULL : yajl_get_error(h, 0, (const unsigned char *)s, n);
		for (size_t el = e ? strlen((char *)e) : 0; el && (e[el - 1] == '\n' || e[el - 1] == ' '); el--)
			e[el - 1] = '\0';
		char msg[1024];
		snprintf(msg, sizeof msg, "bad record: %s",
			 p->oom ? "out of memory" : e ? (const char *)e : "not an object");
		chunk_fail(c, msg);
		if (e)
			yajl_free_error(h, e);
	} else if (p->pages.n != before + 1) {
		chunk_fail(c, "bad record: not an object");
	}
	yajl_free(h);
}

static void *parse_chunk(void *arg)
{
	struct chunk *c = arg;
	struct parser *p = &c->p;
	size_t cap = WINDOW, have = 0;
	char *buf = malloc(cap);
	off_t off = c->start;

	p->pages.size = sizeof(struct in_page *);
	p->strs.size = sizeof(const char *);
	p->releases.size = sizeof(struct in_release);
	p->credits.size = sizeof(struct in_credit);
	p->cast.size = sizeof(struct in_cast);
	p->voices.size = sizeof(struct in_voice);
	p->pcredits.size = sizeof(struct in_pcredit);
	if (!buf)
		chunk_fail(c, NULL);
	while (buf && off < c->end) {
		if (have == cap) {
			/* A line longer than the window: a larger one. */
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				chunk_fail(c, NULL);
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t want = cap - have;
		if ((off_t)want > c->end - off)
			want = (size_t)(c->end - off);
		ssize_t got = pread(c->fd, buf + have, want, off);
		if (got <= 0) {
			char msg[256];
			snprintf(msg, sizeof msg, "cannot read: %s",
				 got ? strerror(errno) : "the file shrank while it was read");
			chunk_fail(c, msg);
			have = 0;
			break;
		}
		off += got;
		have += (size_t)got;
		char *s = buf, *end = buf + have, *nl;
		while (s < end && (nl = memchr(s, '\n', (size_t)(end - s)))) {
			size_t n = (size_t)(nl - s);
			c->lines++;
			if (n && !c->failed)
				parse_line(c, s, n);
			s = nl + 1;
		}
		have = (size_t)(end - s);
		memmove(buf, s, have);
	}
	if (have && !c->failed) {
		c->lines++;
		chunk_fail(c, "truncated record (rerun the stage that writes it)");
	}
	free(buf);
	free(p->strs.v);
	free(p->releases.v);
	free(p->credits.v);
	free(p->cast.v);
	free(p->voices.v);
	free(p->pcredits.v);
	strtab_free(&p->shared);
	return NULL;
}

/* The offset just past the first newline at or after off (before end);
 * end when there is none; -1 after a read error. */
static off_t line_after(int fd, off_t off, off_t end)
{
	char buf[65536];
	while (off < end) {
		size_t want = sizeof buf;
		if ((off_t)want > end - off)
			want = (size_t)(end - off);
		ssize_t got = pread(fd, buf, want, off);
		if (got < 0)
			return -1;
		if (got == 0)
			return end;
		char *nl = memchr(buf, '\n', (size_t)got);
		if (nl)
			return off + (nl - buf) + 1;
		off += got;
	}
	return end;
}

int input_read(struct input *in, const char *path, const char *format, int max_version,
	       int threads)
{
	struct stage_reader r;
	struct chunk ch[16];
	pthread_t tid[16];
	int fd = -1, rc = -1, nchunks = 0;
	struct stat st;

	memset(in, 0, sizeof *in);
	memset(ch, 0, sizeof ch);
	/* The header: format and version, worded as every stage words them. */
	if (stage_reader_open(&r, path, format, max_version))
		return -1;
	stage_reader_close(&r);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st)) {
		log_error("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	/* Skip the header line; split the rest into chunks at line ends. */
	off_t len = st.st_size, body = line_after(fd, 0, len);
	if (body < 0) {
		log_error("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (threads < 1)
		threads = 1;
	if (threads > 16)
		threads = 16;
	if (len - body < (1 << 20))
		threads = 1;
	for (off_t at = body; nchunks < threads; nchunks++) {
		off_t stop = nchunks == threads - 1 ? len
			: line_after(fd, at + (len - at) / (threads - nchunks), len);
		if (stop < 0) {
			log_error("cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		ch[nchunks].path = path;
		ch[nchunks].fd = fd;
		ch[nchunks].start = at;
		ch[nchunks].end = stop;
		at = stop;
	}
	int started = 0;
	for (int i = 1; i < nchunks; i++) {
		if (pthread_create(&tid[i], NULL, parse_chunk, &ch[i]))
			break;
		started = i;
	}
	parse_chunk(&ch[0]);
	for (int i = started + 1; i < nchunks; i++)
		parse_chunk(&ch[i]);   /* threads that could not start */
	for (int i = 1; i <= started; i++)
		pthread_join(tid[i], NULL);

	rc = 0;
	size_t total = 0;
	unsigned long line = 1;  /* (the header's) */
	for (int i = 0; i < nchunks; i++) {
		if (ch[i].failed) {
			log_error("%s:%lu: %s", path, line + ch[i].err_line, ch[i].err);
			rc = -1;
		}
		line += ch[i].lines;
		total += ch[i].p.pages.n;
	}
	in->arena = calloc(1, sizeof *in->arena);
	in->pages = malloc((total ? total : 1) * sizeof *in->pages);
	if (!rc && (!in->arena || !in->pages)) {
		log_error("cannot read '%s': out of memory", path);
		rc = -1;
	}
	for (int i = 0; i < nchunks; i++) {
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
	if (rc)
		input_free(in);
	return rc;
}

void input_free(struct input *in)
{
	if (in->arena) {
		arena_free(in->arena);
		free(in->arena);
	}
	free(in->pages);
	memset(in, 0, sizeof *in);
}
