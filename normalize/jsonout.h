/*
 * jsonout: a string value through YAJL's generator, fast when it needs no
 * escape. normalize's records and report.json are written with it.
 */
#ifndef JSONOUT_H
#define JSONOUT_H

#include <stddef.h>

#include <yajl/yajl_gen.h>

/* s (n bytes) as a JSON string value: the bytes yajl_gen_string writes
 * (the generator not set to escape '/'). */
yajl_gen_status jsonout_string(yajl_gen g, const char *s, size_t n);

#endif
