#!/usr/bin/env python3
"""Writes a synthetic WORK/normalized.jsonl for load's tests: WORKS works
with CREDITS credits each, over WORKS people, deterministic for a VARIANT.
Variant 0 and variant 1 differ in every tenth work's title and credits, so
a load of one over the other changes a known part of the database.

usage: gen-normalized.py OUT WORKS CREDITS VARIANT
"""
import json
import sys

out, works, credits, variant = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
roles = ["director", "screenplay", "music", "key_animation", "character_design", "producer"]
with open(out, "w") as f:
    f.write('{"format":"animewiki-normalized","version":1}\n')
    for p in range(works):
        pid = "26-%d" % (1000 + p)
        rec = {"type": "person", "person_id": pid, "name": "Person %d" % p,
               "name_native": None, "birth_date": "19%02d" % (p % 100), "birth_raw": "19%02d" % (p % 100),
               "death_date": None, "death_raw": None, "gender": None, "hometown": None,
               "website": None, "url": "http://127.0.0.1/p/%s/" % pid, "gone": False,
               "names": [{"name": "Person %d" % p, "source": "main"},
                         {"name": "PERSON %d alias" % p, "source": "alias"}],
               "source": {"url": "http://127.0.0.1/p/%s/" % pid, "entity_id": pid,
                          "http_status": 200, "fetched_at": "2026-01-01T00:00:00Z",
                          "sha256": "%064x" % p}}
        f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    for w in range(works):
        wid = "12-%d" % (1000 + w)
        changed = variant and w % 10 == 0
        title = "Work %d%s" % (w, " (new cut)" if changed else "")
        cr = []
        for k in range(credits):
            cr.append({"person_id": "26-%d" % (1000 + (w * 7 + k * 13 + (variant if changed else 0)) % works),
                       "role": roles[k % len(roles)], "role_raw": roles[k % len(roles)].title(),
                       "note": None})
        rec = {"type": "work", "work_id": wid, "title": title, "title_native": "作品%d" % w,
               "kind": "Movie", "rating": None, "runtime_raw": "90 mins", "runtime_min": 90,
               "episodes_raw": None, "episodes": None, "summary": "A film.", "description": None,
               "url": "http://127.0.0.1/w/%s/" % wid, "genres": ["Drama"], "themes": [],
               "titles": [{"title": title, "lang": "en", "source": "main"},
                          {"title": "作品%d" % w, "lang": "ja", "source": "native"}],
               "releases": [{"title": title, "lang": "en", "region": "US", "region_inferred": True,
                             "date_raw": "2001", "date": "2001", "end_date": None}],
               "credits": cr, "cast": [],
               "source": {"url": "http://127.0.0.1/w/%s/" % wid, "entity_id": wid,
                          "http_status": 200, "fetched_at": "2026-01-01T00:00:00Z",
                          "sha256": "%064x" % (w + 10 ** 6)}}
        f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
