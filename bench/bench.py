#!/usr/bin/env python3
"""make bench: the wiki at scale, every stage measured.

Generates (or reuses) a synthetic wiki of BENCH_PAGES pages (default 20,000)
with bench/gen-wiki.py, serves it with nginx on 127.0.0.1 (a port chosen at
run time), and measures, each as the median of BENCH_RUNS runs (default 5: this
virtual machine's neighbours make single runs vary by a third):

  fetch (full), fetch (no change), parse, normalize, load (full),
  then a 1% mutation of the wiki and the nightly run that follows
  (fetch, parse, normalize, load),

with wall time, CPU time (user + system) and peak RSS from /usr/bin/time.
Baselines measured in the same run on the same pages: a bare libxml2
htmlReadMemory loop over the stored pages (parse floor, one core), the raw
read of the page files (I/O floor), and `wget -r` over the same site.

Prints a table and writes bench/results/<time>-<rev>.tsv (and latest.tsv)
with the machine (cores, CPU model) and the git revision.
Environment: BENCH_PAGES, BENCH_RUNS, BENCH_SEED, BENCH_KEEP=1 (keep scratch).
"""
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import re

ENTITY_RE = re.compile(r'"GET /[^/ ?]+/(?:12|18|26)-[0-9]+/(?:\?[^ ]*)? HTTP/[0-9.]+" 200 ')

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(TOP, os.environ.get("BIN", "bin"))
PAGES = int(os.environ.get("BENCH_PAGES", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def timed(cmd, cwd=None, env=None, stdin=None, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time; returns dict wall, cpu, rss_mb, rc."""
    fd, tf = tempfile.mkstemp(prefix="bench-time-")
    os.close(fd)
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf] + cmd,
                       cwd=cwd, env=env, stdin=stdin, stdout=stdout,
                       stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    with open(tf) as f:
        lines = [l for l in f.read().split("\n") if l.strip()]
    os.unlink(tf)
    e, u, s, m = lines[-1].split()
    if p.returncode not in (0, 6):
        sys.stderr.write(p.stderr.decode(errors="replace")[-3000:])
        raise SystemExit("bench: %s failed (exit %d)" % (cmd[0], p.returncode))
    return {"wall": wall, "cpu": float(u) + float(s), "rss_mb": int(m) / 1024.0,
            "rc": p.returncode, "stderr": p.stderr.decode(errors="replace")}


def median_of(samples):
    return {k: statistics.median([s[k] for s in samples])
            for k in ("wall", "cpu", "rss_mb")}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Nginx:
    def __init__(self, root, scratch):
        self.root = root
        self.dir = os.path.join(scratch, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.conf = os.path.join(self.dir, "nginx.conf")
        inc = []
        for name in ("nginx-redirects.conf", "nginx-charset.conf"):
            if os.path.exists(os.path.join(root, name)):
                inc.append("    include %s;" % os.path.join(root, name))
        with open(self.conf, "w") as f:
            f.write("""
daemon off;
worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log warn;
events { worker_connections 1024; }
http {
  access_log %(d)s/access.log;
  client_body_temp_path %(d)s/tmp;
  proxy_temp_path %(d)s/tmp;
  fastcgi_temp_path %(d)s/tmp;
  uwsgi_temp_path %(d)s/tmp;
  scgi_temp_path %(d)s/tmp;
  types { text/html html; application/xml xml; text/plain txt; }
  default_type application/octet-stream;
  charset_types text/html;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:%(port)d;
    root %(root)s;
    index index.html;
    etag on;
    charset utf-8;
    location ~ ^/(anime|people)/$ {
      try_files /$1/index@page=$arg_page.html /$1/index.html =404;
    }
    location ~ /(_redirects|MANIFEST\\.tsv|nginx-[a-z]+\\.conf|.*\\.headers)$ { return 404; }
%(inc)s
  }
}
""" % {"d": self.dir, "port": self.port, "root": root, "inc": "\n".join(inc)})
        self.proc = subprocess.Popen(["nginx", "-c", self.conf, "-p", self.dir],
                                     stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("bench: nginx did not start: %s" % self.proc.stderr.read())
        self.url = "http://127.0.0.1:%d" % self.port

    def requests(self):
        try:
            with open(os.path.join(self.dir, "access.log")) as f:
                return sum(1 for _ in f)
        except OSError:
            return 0

    def entity_bodies(self):
        """Entity pages (works, people, characters) answered 200 with a body."""
        n = 0
        with open(os.path.join(self.dir, "access.log")) as f:
            for line in f:
                m = ENTITY_RE.search(line)
                if m:
                    n += 1
        return n

    def clear_log(self):
        open(os.path.join(self.dir, "access.log"), "w").close()
        subprocess.run(["nginx", "-c", self.conf, "-p", self.dir, "-s", "reopen"],
                       stderr=subprocess.DEVNULL)
        time.sleep(0.2)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def stage_cmd(stage, work, db, nginx, *extra):
    return [os.path.join(BIN, stage), *extra,
            "--config", os.path.join(TOP, "pipeline.conf"),
            "--set", "pipeline.work_dir=" + work,
            "--set", "load.database=" + db,
            "--set", "fetch.start_urls=%s/anime/ %s/people/" % (nginx.url, nginx.url),
            "--set", "fetch.delay=0",
            "--set", "fetch.ignore_crawl_delay=true",
            "--set", "fetch.concurrency=%d" % CONCURRENCY,
            "--set", "fetch.contact=https://example.org/animewiki-bench",
            "--set", "pipeline.log_level=warn"]


def store_counts(work):
    con = sqlite3.connect(os.path.join(work, "pages.db"))
    ok = con.execute("select count(*) from pages where status = 200").fetchone()[0]
    entity = con.execute("select count(*) from pages where entity_id is not null "
                         "and status = 200").fetchone()[0]
    shas = [r[0] for r in con.execute(
        "select sha256 from pages where entity_id is not null and status = 200")]
    con.close()
    return ok, entity, shas


def db_rows(db):
    con = sqlite3.connect(db)
    n = 0
    for t in ("works", "work_titles", "releases", "people", "person_names", "credits",
              '"cast"', "work_genres", "sources"):
        n += con.execute("select count(*) from %s" % t).fetchone()[0]
    con.close()
    return n


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=TOP,
                         capture_output=True, text=True).stdout.strip() or "unknown"
    # (the results of earlier runs do not make the revision dirty)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                            ".", ":!bench/results"],
                           cwd=TOP, capture_output=True, text=True).stdout.strip()
    return {"cores": os.cpu_count(), "cpu": model, "rev": rev + ("-dirty" if dirty else "")}


def main():
    t_start = time.monotonic()
    subprocess.run(["make", "-s", "-C", TOP, "all", "build/bench/htmlread"], check=True)
    scratch = tempfile.mkdtemp(prefix="awbench-")
    os.chmod(scratch, 0o755)  # nginx workers run as another user
    rows = []
    nginx = None
    try:
        works = PAGES * 2 // 5
        people = PAGES - works
        corpus = os.path.join(TOP, "bench", "corpus", "%d-%d" % (PAGES, SEED))
        if not os.path.exists(os.path.join(corpus, "MANIFEST.tsv")):
            log("generating %d pages into %s" % (PAGES, corpus))
            shutil.rmtree(corpus, ignore_errors=True)
            t0 = time.monotonic()
            subprocess.run([sys.executable, os.path.join(TOP, "bench", "gen-wiki.py"),
                            "generate", corpus, "--works", str(works),
                            "--people", str(people), "--seed", str(SEED)], check=True)
            log("generated in %.1f s" % (time.monotonic() - t0))
        site = os.path.join(scratch, "site")
        subprocess.run(["cp", "-a", corpus, site], check=True)
        nginx = Nginx(site, scratch)
        log("nginx serving %s at %s" % (site, nginx.url))

        def measure(name, make_cmd, pages_fn, prepare=None, note=""):
            samples = []
            for i in range(RUNS):
                if prepare:
                    prepare(i)
                samples.append(timed(make_cmd()))
            m = median_of(samples)
            m["name"] = name
            m["pages"] = pages_fn()
            m["pages_s"] = m["pages"] / m["wall"] if m["wall"] > 0 else 0
            m["note"] = note
            rows.append(m)
            log("%-22s %8.2f s wall  %7.2f s cpu  %6.1f MB  %8.0f pages/s" %
                (name, m["wall"], m["cpu"], m["rss_mb"], m["pages_s"]))
            return m

        base = os.path.join(scratch, "base")
        db = os.path.join(scratch, "base.db")

        # full fetch: a fresh work directory every run
        def fresh_fetch(i):
            shutil.rmtree(base, ignore_errors=True)
            nginx.clear_log()
        full = measure("fetch (full)", lambda: stage_cmd("fetch", base, db, nginx),
                       lambda: store_counts(base)[1], fresh_fetch)
        full_requests = nginx.requests()
        ok, entity_pages, shas = store_counts(base)

        def clear(i):
            nginx.clear_log()
        nochange = measure("fetch (no change)", lambda: stage_cmd("fetch", base, db, nginx),
                           lambda: entity_pages, clear)
        nochange_requests = nginx.requests()
        nochange_bodies = nginx.entity_bodies()
        parse = measure("parse", lambda: stage_cmd("parse", base, db, nginx, "--full"),
                        lambda: entity_pages)
        norm = measure("normalize", lambda: stage_cmd("normalize", base, db, nginx),
                       lambda: entity_pages)

        def fresh_db(i):
            for suf in ("", "-wal", "-shm"):
                if os.path.exists(db + suf):
                    os.unlink(db + suf)
        load = measure("load (full)", lambda: stage_cmd("load", base, db, nginx),
                       lambda: entity_pages, fresh_db)
        rows_loaded = db_rows(db)
        load["note"] = "%d rows, %.0f rows/s" % (rows_loaded, rows_loaded / load["wall"])

        # baselines
        # The bodies live in pages.db; the floors read them as plain files,
        # written out here (not timed).
        listf = os.path.join(scratch, "bodies.txt")
        bdir = os.path.join(scratch, "bodies")
        os.makedirs(bdir, exist_ok=True)
        con = sqlite3.connect(os.path.join(base, "pages.db"))
        with open(listf, "w") as f:
            for s in shas:
                row = con.execute("select body from bodies where sha256 = ?", (s,)).fetchone()
                path = os.path.join(bdir, s)
                with open(path, "wb") as out:
                    out.write(row[0])
                f.write(path + "\n")
        con.close()
        hr = []
        for i in range(RUNS):
            with open(listf) as fin:
                out = subprocess.run([os.path.join(TOP, "build", "bench", "htmlread")],
                                     stdin=fin, capture_output=True, text=True, check=True)
            kv = out.stdout.split()
            hr.append({"read": float(kv[5]), "parse": float(kv[7])})
        read_s = statistics.median(h["read"] for h in hr)
        parse_floor = statistics.median(h["parse"] for h in hr)
        wget_samples = []
        for i in range(min(RUNS, 3)):
            wdir = os.path.join(scratch, "wget")
            shutil.rmtree(wdir, ignore_errors=True)
            nginx.clear_log()
            wget_samples.append(_wget(wdir, nginx.url))
        wget = median_of(wget_samples)
        wget_pages = nginx.entity_bodies()
        wget["pages"] = wget_pages
        wget["pages_s"] = wget_pages / wget["wall"]

        # 1% mutation and the nightly run after it
        subprocess.run([sys.executable, os.path.join(TOP, "bench", "gen-wiki.py"), "mutate",
                        site, "--fraction", "0.01", "--seed", str(SEED + 1)], check=True,
                       stderr=subprocess.DEVNULL)
        trial = os.path.join(scratch, "trial")
        tdb = os.path.join(scratch, "trial.db")
        nightly = {}
        for stage in ("fetch", "parse", "normalize", "load"):
            nightly[stage] = []
        for i in range(RUNS):
            shutil.rmtree(trial, ignore_errors=True)
            subprocess.run(["cp", "-a", base, trial], check=True)
            shutil.copy(db, tdb)
            # (the copy's 300 MB written back now, not during the stages)
            os.sync()
            nginx.clear_log()
            for stage in ("fetch", "parse", "normalize", "load"):
                nightly[stage].append(timed(stage_cmd(stage, trial, tdb, nginx)))
            if i == 0:
                nightly_bodies = nginx.entity_bodies()
                nightly_requests = nginx.requests()
        night_rows = []
        for stage in ("fetch", "parse", "normalize", "load"):
            m = median_of(nightly[stage])
            m["name"] = "nightly " + stage
            m["pages"] = entity_pages
            m["pages_s"] = m["pages"] / m["wall"]
            m["note"] = ""
            night_rows.append(m)
            log("%-22s %8.2f s wall" % (m["name"], m["wall"]))
        rows.extend(night_rows)

        full_total = sum(r["wall"] for r in (full, parse, norm, load))
        night_total = sum(r["wall"] for r in night_rows)
        mach = machine()
        report(rows, mach, {
            "full": full, "nochange": nochange, "parse": parse, "norm": norm, "load": load,
            "read_s": read_s, "parse_floor": parse_floor, "wget": wget,
            "entity_pages": entity_pages, "ok": ok, "full_requests": full_requests,
            "nochange_requests": nochange_requests, "nochange_bodies": nochange_bodies,
            "nightly_bodies": nightly_bodies, "nightly_requests": nightly_requests,
            "full_total": full_total, "night_total": night_total,
            "rows_loaded": rows_loaded, "bench_s": time.monotonic() - t_start})
    finally:
        if nginx:
            nginx.stop()
        if os.environ.get("BENCH_KEEP"):
            log("kept %s" % scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _wget(wdir, url):
    # wget exits 8 when some links answered 404; that is expected here.
    fd, tf = tempfile.mkstemp(prefix="bench-time-")
    os.close(fd)
    t0 = time.monotonic()
    subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf, "wget", "-r", "-l",
                    "inf", "-q", "-P", wdir, "--no-parent", url + "/"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    with open(tf) as f:
        e, u, s, m = [l for l in f.read().split("\n") if l.strip()][-1].split()
    os.unlink(tf)
    return {"wall": wall, "cpu": float(u) + float(s), "rss_mb": int(m) / 1024.0}


def report(rows, mach, x):
    out = []
    out.append("# animewiki-import make bench")
    out.append("# pages\t%d\tseed\t%d\truns\t%d\tconcurrency\t%d" % (PAGES, SEED, RUNS, CONCURRENCY))
    out.append("# machine\t%s cores\t%s" % (mach["cores"], mach["cpu"]))
    out.append("# revision\t%s\tdate\t%s" % (mach["rev"], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
    out.append("step\tpages\twall_s\tcpu_s\tpeak_rss_mb\tpages_per_s\tbaseline\tratio\tnote")
    fetch_ratio = x["full"]["pages_s"] / x["wget"]["pages_s"] if x["wget"]["pages_s"] else 0
    parse_floor_ps = x["entity_pages"] / x["parse_floor"] if x["parse_floor"] else 0
    read_ps = x["entity_pages"] / x["read_s"] if x["read_s"] else 0

    def line(r, baseline="", ratio="", note=None):
        out.append("%s\t%d\t%.3f\t%.3f\t%.1f\t%.0f\t%s\t%s\t%s" % (
            r["name"], r["pages"], r["wall"], r["cpu"], r["rss_mb"], r["pages_s"],
            baseline, ratio, r.get("note", "") if note is None else note))

    for r in rows:
        if r["name"] == "fetch (full)":
            line(r, "wget -r", "%.2f" % fetch_ratio,
                 "%d requests; pages = entity pages stored" % x["full_requests"])
        elif r["name"] == "fetch (no change)":
            line(r, "fetch (full)", "%.3f" % (r["wall"] / x["full"]["wall"]),
                 "%d requests, %d entity pages sent in full" % (x["nochange_requests"], x["nochange_bodies"]))
        elif r["name"] == "parse":
            line(r, "htmlReadMemory", "%.2f" % (r["pages_s"] / parse_floor_ps if parse_floor_ps else 0),
                 "pages/s vs the bare parse loop (1 core)")
        elif r["name"] == "normalize":
            line(r, "parse", "%.3f" % (r["wall"] / x["parse"]["wall"]), "time vs parse time")
        elif r["name"] == "load (full)":
            line(r, "", "", r["note"])
        elif r["name"] == "nightly fetch":
            line(r, "fetch (full)", "%.3f" % (r["wall"] / x["full"]["wall"]),
                 "%d requests, %d entity pages sent in full" % (x["nightly_requests"], x["nightly_bodies"]))
        elif r["name"] == "nightly load":
            line(r, "load (full)", "%.3f" % (r["wall"] / x["load"]["wall"]), "")
        else:
            line(r)
    w = x["wget"]
    out.append("baseline wget -r\t%d\t%.3f\t%.3f\t%.1f\t%.0f\t\t\t" % (
        w["pages"], w["wall"], w["cpu"], w["rss_mb"], w["pages_s"]))
    out.append("baseline htmlReadMemory\t%d\t%.3f\t%.3f\t\t%.0f\t\t\tone core" % (
        x["entity_pages"], x["parse_floor"], x["parse_floor"], parse_floor_ps))
    out.append("baseline raw read\t%d\t%.3f\t\t\t%.0f\t\t\tpage cache warm" % (
        x["entity_pages"], x["read_s"], read_ps))
    out.append("total full run\t%d\t%.3f\t\t\t\t\t\tfetch+parse+normalize+load" % (
        x["ok"], x["full_total"]))
    out.append("total nightly run\t%d\t%.3f\t\t\t\ttotal full run\t%.3f\tafter a 1%% mutation" % (
        x["ok"], x["night_total"], x["night_total"] / x["full_total"]))
    tsv = "\n".join(out) + "\n"
    resdir = os.path.join(TOP, "bench", "results")
    os.makedirs(resdir, exist_ok=True)
    name = "%s-%s.tsv" % (time.strftime("%Y%m%d-%H%M%S", time.gmtime()), mach["rev"])
    for n in (name, "latest.tsv"):
        with open(os.path.join(resdir, n), "w") as f:
            f.write(tsv)
    # the table
    table = [l.split("\t") for l in out if not l.startswith("#")]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in table) for i in range(9)]
    print()
    for l in out[:4]:
        print(l.replace("\t", " "))
    for r in table:
        print("  ".join((r[i] if i < len(r) else "").ljust(widths[i]) for i in range(9)).rstrip())
    print("\nbench took %.0f s; written to bench/results/%s" % (x["bench_s"], name))


if __name__ == "__main__":
    main()
