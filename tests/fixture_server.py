#!/usr/bin/env python3
"""Static fixture HTTP server for the importer's tests.

Serves a directory tree the way the real wiki is laid out, on 127.0.0.1
only, with optional fault injection for testing a crawler's error handling.
Python 3.9+ standard library only.

Usage:
  fixture_server.py --root DIR --port-file FILE [--log FILE] [--faults FILE]
                    [--host 127.0.0.1]

The port is chosen by the kernel and written to --port-file (atomically,
"PORT\\n") once the socket is listening.  SIGTERM or SIGINT stops the server
with exit status 0.

URL -> file mapping (query ignored except page=N):
  /a/b/            DIR/a/b/index.html
  /a/b             same as /a/b/ when DIR/a/b is a directory
  /a/b/?page=N     DIR/a/b/index@page=N.html   (N != 1; page=1 is index.html)
  /x.txt           DIR/x.txt
The path is percent-decoded; any ".." segment is refused with 404.  Files
named "_redirects" or ending in ".headers" are never served.

DIR/_redirects (optional, re-read when it changes): lines
  OLD-PATH NEW-PATH STATUS        (STATUS 301/302/303/307/308, or 410 with -)
OLD-PATH is compared with the request path without its query (raw or
percent-decoded); an OLD-PATH containing "?" is compared with path+query.

Headers: Content-Type by extension, ETag (quoted content hash), Last-Modified
(file mtime), Vary: Accept-Encoding; then the sidecar "<file>.headers"
(lines "Name: value"; an empty value removes the header).  Conditional GET
(If-None-Match, else If-Modified-Since) answers 304 without a body.
Accept-Encoding: gzip gets a gzip body (Content-Encoding: gzip).  Every
response except 304 carries Content-Length; connections are kept alive.

Request log (--log): one JSON object per line, written and flushed *before*
the response is transmitted (so it is complete as soon as a client has its
answer):
  {"t": arrival time, "method", "path" (raw, with query), "headers":
   {lowercase-name: value}, "status" (0 for a reset), "bytes" (body bytes
   sent), "fault" (null, or the injected step, e.g. "429", "random:reset"),
   "conn" (connection number; equal numbers mean a reused connection),
   "inflight" (requests being served when it arrived, itself included)}

Faults (--faults FILE, JSON):
  {"rules": [{"path": REGEX, "responses": [STEP, ...]}, ...],
   "random": {"seed": 1, "rate": 0.0, "kinds": ["429", "503", "500", "slow",
              "truncate", "reset", "hang"],
              "retry_after": "1", "slow_seconds": 0.5, "hang_seconds": 5}}
  REGEX is matched with re.search against the raw path+query.  A request
  consumes the next step of the first matching rule that has steps left;
  once all matching rules are exhausted it is served normally.  Requests no
  rule matches are subject to "random" (never /robots.txt).
  STEP is one of
    {"status": 429, "retry_after": "2"}   that status, small HTML body
    {"status": 503} / {"status": 500}     (retry_after optional)
    {"slow": SECONDS}                     sleep, then serve normally
    {"truncate": true}                    full Content-Length, half the body,
                                          then close
    {"reset": true}                       close with RST, no response
    {"redirect": URL, "status": 302}      redirect (status default 302)
    {"hang": SECONDS}                     headers + half the body, stall,
                                          then close
    {"endless": true}                     200, text/html, no Content-Length:
                                          a body that never ends (until the
                                          client goes, or "seconds")
    {"endless_headers": true}             a status line, then header lines
                                          that never end (likewise)
    {"ok": true}                          serve normally
  Optional in any step: "repeat": N (use the step N times), "headers":
  {name: value} (extra headers on a status/redirect answer), "body": text
  (body of a status answer), and "slow" combined with another step (delay
  first).  With "endless" and "endless_headers": "rate" (bytes per second,
  default 0: as fast as the client reads) and "seconds" (the server gives
  up after that long, default 60; a safety net for a client that never
  stops reading).  Their log entry is written before the first byte, with
  "bytes": 0.
"""

import argparse
import email.utils
import gzip
import hashlib
import http.server
import json
import mimetypes
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse

SERVER_NAME = "fixture-server/1"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript",
    ".gz": "application/gzip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}

# Headers a 304 keeps from the 200 it stands for (RFC 9110 15.4.5).
NOT_MODIFIED_KEEP = ("cache-control", "content-location", "date", "etag",
                     "expires", "vary", "last-modified")

# Headers a sidecar may not touch: they would break message framing.
FRAMING_HEADERS = ("content-length", "transfer-encoding", "connection")

ALLOWED_LOCAL = ("127.0.0.1", "localhost")


def warn(msg):
    try:
        sys.stderr.write("fixture_server: %s\n" % msg)
        sys.stderr.flush()
    except Exception:
        pass


def html_page(status, title, text=""):
    body = ("<!DOCTYPE html>\n<html><head><title>%d %s</title></head>"
            "<body><h1>%d %s</h1>%s</body></html>\n"
            % (status, title, status, title,
               ("<p>%s</p>" % text) if text else ""))
    return body.encode("utf-8")


class Headers(object):
    """Ordered, case-insensitive header list (one value per name)."""

    def __init__(self):
        self._items = []  # [name, value]

    def get(self, name, default=None):
        low = name.lower()
        for n, v in self._items:
            if n.lower() == low:
                return v
        return default

    def set(self, name, value):
        low = name.lower()
        for item in self._items:
            if item[0].lower() == low:
                item[0], item[1] = name, value
                return
        self._items.append([name, value])

    def remove(self, name):
        low = name.lower()
        self._items = [i for i in self._items if i[0].lower() != low]

    def items(self):
        return [(n, v) for n, v in self._items]


# --------------------------------------------------------------------------
# Faults

class FaultError(Exception):
    pass


STEP_KEYS = {"status", "retry_after", "slow", "truncate", "reset", "redirect",
             "ok", "hang", "repeat", "headers", "body", "endless",
             "endless_headers", "rate", "seconds"}
RANDOM_KINDS = ("429", "503", "500", "slow", "truncate", "reset", "hang")


def normalize_step(step, where):
    if not isinstance(step, dict):
        raise FaultError("%s: a step must be a JSON object" % where)
    unknown = set(step) - STEP_KEYS
    if unknown:
        raise FaultError("%s: unknown key(s) %s" % (where, sorted(unknown)))
    s = dict(step)
    s.pop("repeat", None)
    kinds = [k for k in ("reset", "truncate", "hang", "redirect", "endless",
                         "endless_headers") if k in s]
    if len(kinds) > 1:
        raise FaultError("%s: conflicting kinds %s" % (where, kinds))
    if kinds:
        kind = kinds[0]
    elif "status" in s:
        kind = "status"
    elif "slow" in s:
        kind = "slow"
    elif s.get("ok"):
        kind = "ok"
    else:
        raise FaultError("%s: step does nothing: %r" % (where, step))
    if kind == "redirect":
        s.setdefault("status", 302)
    if "status" in s:
        try:
            s["status"] = int(s["status"])
        except (TypeError, ValueError):
            raise FaultError("%s: bad status %r" % (where, s["status"]))
        if not 100 <= s["status"] <= 599:
            raise FaultError("%s: bad status %r" % (where, s["status"]))
    for key in ("slow", "hang", "rate", "seconds"):
        if key in s:
            try:
                s[key] = float(s[key])
            except (TypeError, ValueError):
                raise FaultError("%s: %s needs seconds" % (where, key))
    if "retry_after" in s and s["retry_after"] is not None:
        s["retry_after"] = str(s["retry_after"])
    if "headers" in s and not isinstance(s["headers"], dict):
        raise FaultError("%s: headers must be an object" % where)
    s["kind"] = kind
    if kind == "status":
        s["label"] = str(s["status"])
    else:
        s["label"] = kind
    return s


class Faults(object):
    def __init__(self, spec):
        self.lock = threading.Lock()
        self.rules = []  # [regex, steps, next_index]
        if not isinstance(spec, dict):
            raise FaultError("faults file must hold a JSON object")
        for i, rule in enumerate(spec.get("rules") or []):
            where = "rules[%d]" % i
            if not isinstance(rule, dict) or "path" not in rule:
                raise FaultError("%s: needs \"path\"" % where)
            try:
                rx = re.compile(rule["path"])
            except re.error as e:
                raise FaultError("%s: bad regex: %s" % (where, e))
            steps = []
            for j, step in enumerate(rule.get("responses") or []):
                s = normalize_step(step, "%s.responses[%d]" % (where, j))
                repeat = step.get("repeat", 1)
                try:
                    repeat = int(repeat)
                except (TypeError, ValueError):
                    raise FaultError("%s: bad repeat" % where)
                steps.extend([s] * max(repeat, 0))
            self.rules.append([rx, steps, 0])
        rnd = spec.get("random") or {}
        if not isinstance(rnd, dict):
            raise FaultError("random must be an object")
        self.rate = float(rnd.get("rate", 0.0))
        self.rng = random.Random(rnd.get("seed", 1))
        self.kinds = [str(k) for k in rnd.get("kinds", ["429", "503"])]
        for k in self.kinds:
            if k not in RANDOM_KINDS:
                raise FaultError("random: unknown kind %r (known: %s)"
                                 % (k, ", ".join(RANDOM_KINDS)))
        if self.rate > 0 and not self.kinds:
            raise FaultError("random: rate > 0 needs kinds")
        self.retry_after = str(rnd.get("retry_after", "1"))
        self.slow_seconds = float(rnd.get("slow_seconds", 0.5))
        self.hang_seconds = float(rnd.get("hang_seconds", 5))

    def random_step(self, kind):
        if kind in ("429", "503"):
            s = {"status": int(kind), "retry_after": self.retry_after}
        elif kind == "500":
            s = {"status": 500}
        elif kind == "slow":
            s = {"slow": self.slow_seconds}
        elif kind == "hang":
            s = {"hang": self.hang_seconds}
        else:
            s = {kind: True}
        s = normalize_step(s, "random")
        s["label"] = "random:" + s["label"]
        return s

    def decide(self, path_query, path_only):
        """Return the step to apply to this request, or None."""
        with self.lock:
            covered = False
            for rule in self.rules:
                rx, steps, idx = rule
                if not rx.search(path_query):
                    continue
                covered = True
                if idx < len(steps):
                    rule[2] = idx + 1
                    return steps[idx]
            if covered or self.rate <= 0 or path_only == "/robots.txt":
                return None
            if self.rng.random() < self.rate:
                return self.random_step(self.rng.choice(self.kinds))
            return None


# --------------------------------------------------------------------------
# Site

class Site(object):
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self._redir_lock = threading.Lock()
        self._redir_key = None
        self._redirects = {}

    def redirects(self):
        path = os.path.join(self.root, "_redirects")
        try:
            st = os.stat(path)
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            return {}
        with self._redir_lock:
            if key == self._redir_key:
                return self._redirects
            table = {}
            try:
                with open(path, "r", encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except OSError as e:
                warn("cannot read _redirects: %s" % e)
                lines = []
            for n, line in enumerate(lines, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split()
                if len(parts) != 3 or not parts[2].isdigit():
                    warn("_redirects:%d: ignored (want OLD NEW STATUS): %s"
                         % (n, line))
                    continue
                table[parts[0]] = (parts[1], int(parts[2]))
            self._redir_key = key
            self._redirects = table
            return table

    def find_redirect(self, raw_path, query):
        table = self.redirects()
        if not table:
            return None
        candidates = []
        if query:
            candidates.append(raw_path + "?" + query)
        candidates.append(raw_path)
        decoded = urllib.parse.unquote(raw_path)
        if decoded != raw_path:
            candidates.append(decoded)
        for c in candidates:
            if c in table:
                return table[c]
        return None

    def resolve(self, raw_path, query):
        """Map a request path to a regular file, or None (404)."""
        decoded = urllib.parse.unquote(raw_path)
        if "\x00" in decoded or not decoded.startswith("/"):
            return None
        parts = decoded.split("/")
        if any(p == ".." for p in parts):
            return None
        segs = [p for p in parts if p not in ("", ".")]
        fs = os.path.join(self.root, *segs) if segs else self.root
        fs = os.path.normpath(fs)
        if fs != self.root and not fs.startswith(self.root + os.sep):
            return None
        if decoded.endswith("/") or os.path.isdir(fs):
            name = "index.html"
            page = urllib.parse.parse_qs(query, keep_blank_values=True) \
                .get("page")
            if page:
                value = page[0]
                if not (value.strip().isdigit() and int(value) == 1):
                    if "/" in value or "\x00" in value or value in (".", ".."):
                        return None
                    name = "index@page=%s.html" % value
            fs = os.path.join(fs, name)
        base = os.path.basename(fs)
        if base == "_redirects" or base.endswith(".headers"):
            return None
        if not os.path.isfile(fs):
            return None
        return fs


def read_sidecar(path):
    """Parse "<file>.headers" into [(name, value)], or [] if absent."""
    try:
        with open(path + ".headers", "r", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition(":")
        name = name.strip()
        if not sep or not name:
            warn("%s.headers: ignored line: %r" % (path, line))
            continue
        out.append((name, value.strip()))
    return out


def content_type_for(path):
    base = os.path.basename(path).lower()
    ext = os.path.splitext(base)[1]
    if ext in CONTENT_TYPES:
        return CONTENT_TYPES[ext]
    guess, enc = mimetypes.guess_type(base)
    if guess and not enc:
        return guess
    return "application/octet-stream"


def accepts_gzip(value):
    if not value:
        return False
    gzip_q = None
    star_q = None
    for part in value.split(","):
        token, _, params = part.strip().partition(";")
        token = token.strip().lower()
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k.strip().lower() == "q":
                try:
                    q = float(v.strip())
                except ValueError:
                    q = 0.0
        if token in ("gzip", "x-gzip"):
            gzip_q = q if gzip_q is None else max(gzip_q, q)
        elif token == "*":
            star_q = q
    q = gzip_q if gzip_q is not None else star_q
    return q is not None and q > 0


def etag_matches(header, etag):
    if etag is None:
        return False
    mine = etag.strip()
    if mine.startswith("W/"):
        mine = mine[2:]
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == mine:
            return True
    return False


def parse_http_date(value):
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    try:
        return dt.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


# --------------------------------------------------------------------------
# Server

class Response(object):
    def __init__(self, status, headers, body, send_body=True):
        self.status = status
        self.headers = headers      # Headers
        self.body = body            # full body (bytes) even for HEAD
        self.send_body = send_body  # False for HEAD and 304


class FixtureServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # server_close() must not wait for handler threads (idle keep-alive
    # connections, hanging responses): Python 3.11 joins even daemon ones.
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, handler, site, faults, logfile):
        self.site = site
        self.faults = faults
        self.logfile = logfile
        self.log_lock = threading.Lock()
        self.conn_lock = threading.Lock()
        self.conn_counter = 0
        self.inflight = 0
        http.server.ThreadingHTTPServer.__init__(self, addr, handler)

    def next_conn_id(self):
        with self.conn_lock:
            self.conn_counter += 1
            return self.conn_counter

    def write_log(self, entry):
        if self.logfile is None:
            return
        line = json.dumps(entry, sort_keys=False) + "\n"
        with self.log_lock:
            try:
                if not self.logfile.closed:
                    self.logfile.write(line)
                    self.logfile.flush()
            except (OSError, ValueError) as e:
                warn("log write failed: %s" % e)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError)):
            return
        if isinstance(exc, OSError) and exc.errno in (9, 32, 104, 107):
            return
        warn("error handling request from %s: %s: %s"
             % (client_address, type(exc).__name__, exc))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY the
    # client's delayed ACK adds 40 ms to every response.
    disable_nagle_algorithm = True
    server_version = SERVER_NAME
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this

    def version_string(self):
        return SERVER_NAME

    def setup(self):
        http.server.BaseHTTPRequestHandler.setup(self)
        self.conn_id = self.server.next_conn_id()

    # quiet: no per-request lines on stderr
    def log_message(self, format, *args):
        pass

    def log_error(self, format, *args):
        msg = format % args
        if "timed out" in msg:
            return
        warn("%s: %s" % (self.client_address[0], msg))

    # -- entry points ------------------------------------------------------

    def do_GET(self):
        self.serve()

    def do_HEAD(self):
        self.serve()

    def do_other(self):
        t = time.time()
        self.drain_body()
        headers = Headers()
        headers.set("Allow", "GET, HEAD")
        body = html_page(405, "Method Not Allowed")
        headers.set("Content-Type", "text/html; charset=utf-8")
        self.finish_response(t, None, Response(405, headers, body))

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_other

    # -- helpers -----------------------------------------------------------

    def drain_body(self):
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = 0
        if n > 0:
            try:
                self.rfile.read(n)
            except OSError:
                self.close_connection = True

    def split_target(self):
        target = self.path
        if not target.startswith("/"):
            # absolute-form (proxy style) request target
            parts = urllib.parse.urlsplit(target)
            target = parts.path or "/"
            if parts.query:
                target += "?" + parts.query
        raw_path, _, query = target.partition("?")
        query = query.partition("#")[0]
        raw_path = raw_path.partition("#")[0]
        return target, raw_path, query

    def log_entry(self, t, status, nbytes, fault):
        hdrs = {}
        for name, value in self.headers.items():
            low = name.lower()
            hdrs[low] = (hdrs[low] + ", " + value) if low in hdrs else value
        self.server.write_log({
            "t": t,
            "method": self.command,
            "path": self.path,
            "headers": hdrs,
            "status": status,
            "bytes": nbytes,
            "fault": fault,
            "conn": self.conn_id,
            "inflight": getattr(self, "inflight_at_arrival", 1),
        })

    def simple_response(self, status, reason, text="", extra=None):
        headers = Headers()
        headers.set("Content-Type", "text/html; charset=utf-8")
        for name, value in (extra or []):
            headers.set(name, value)
        return Response(status, headers, html_page(status, reason, text))

    def not_found(self):
        return self.simple_response(404, "Not Found",
                                    "No fixture file for this path.")

    def normal_response(self, raw_path, query):
        site = self.server.site
        redir = site.find_redirect(raw_path, query)
        if redir is not None:
            new, status = redir
            if status in (410, 404) or new == "-":
                reason = "Gone" if status == 410 else "Not Found"
                return self.simple_response(status, reason)
            reason = self.responses.get(status, ("Redirect",))[0]
            return self.simple_response(
                status, reason,
                'Moved to <a href="%s">%s</a>.' % (new, new),
                [("Location", new)])
        path = site.resolve(raw_path, query)
        if path is None:
            return self.not_found()
        try:
            with open(path, "rb") as f:
                data = f.read()
            st = os.stat(path)
        except OSError:
            return self.not_found()

        headers = Headers()
        headers.set("Content-Type", content_type_for(path))
        headers.set("Last-Modified",
                    email.utils.formatdate(st.st_mtime, usegmt=True))
        headers.set("ETag",
                    '"%s"' % hashlib.sha256(data).hexdigest()[:24])
        headers.set("Vary", "Accept-Encoding")
        for name, value in read_sidecar(path):
            if name.lower() in FRAMING_HEADERS:
                warn("%s.headers: %s cannot be overridden" % (path, name))
                continue
            if value == "":
                headers.remove(name)
            else:
                headers.set(name, value)

        # conditional request
        inm = self.headers.get("If-None-Match")
        not_modified = False
        if inm is not None:
            not_modified = etag_matches(inm, headers.get("ETag"))
        else:
            ims = self.headers.get("If-Modified-Since")
            lm = headers.get("Last-Modified")
            if ims and lm:
                ims_t = parse_http_date(ims)
                lm_t = parse_http_date(lm)
                if ims_t is not None and lm_t is not None \
                        and int(lm_t) <= ims_t:
                    not_modified = True
        if not_modified:
            h304 = Headers()
            for name, value in headers.items():
                if name.lower() in NOT_MODIFIED_KEEP:
                    h304.set(name, value)
            return Response(304, h304, b"", send_body=False)

        if headers.get("Content-Encoding") is None and \
                accepts_gzip(self.headers.get("Accept-Encoding")):
            data = gzip.compress(data, 6, mtime=0)
            headers.set("Content-Encoding", "gzip")
        return Response(200, headers, data)

    def fault_response(self, step):
        status = step["status"]
        reason = self.responses.get(status, ("Error",))[0]
        extra = []
        if step["kind"] == "redirect":
            extra.append(("Location", str(step["redirect"])))
        if step.get("retry_after") is not None:
            extra.append(("Retry-After", step["retry_after"]))
        for name, value in (step.get("headers") or {}).items():
            extra.append((str(name), str(value)))
        resp = self.simple_response(status, reason, "Injected fault.", extra)
        if "body" in step:
            resp.body = str(step["body"]).encode("utf-8")
        return resp

    def send_head_part(self, resp):
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if resp.status != 304:
            self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()

    def finish_response(self, t, fault, resp, mode="full", hang=0.0):
        """Log, then transmit resp.  mode: full, truncate, hang."""
        if self.command == "HEAD" or resp.status == 304 \
                or 100 <= resp.status < 200 or resp.status == 204:
            resp.send_body = False
        body = resp.body if resp.send_body else b""
        if mode in ("truncate", "hang"):
            body = body[:len(body) // 2]
        self.log_entry(t, resp.status, len(body), fault)
        try:
            self.send_head_part(resp)
            if body:
                self.wfile.write(body)
            self.wfile.flush()
            if mode == "hang":
                time.sleep(hang)
        except (ConnectionError, socket.timeout, TimeoutError):
            self.close_connection = True
            return
        if mode in ("truncate", "hang"):
            self.close_connection = True

    def endless(self, t, label, step, headers_only):
        """A response that never ends: header lines, or a body, sent until
        the client goes away or step["seconds"] have passed."""
        rate = step.get("rate") or 0.0
        limit = time.time() + (step.get("seconds") or 60.0)
        self.log_entry(t, 200, 0, label)
        self.close_connection = True
        if headers_only:
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            piece = b"X-Filler: " + b"x" * 54 + b"\r\n"
        else:
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Connection: close\r\n\r\n<!DOCTYPE html><html><body>\n")
            piece = b"<p>and on, and on, and on, and on, and on, and on, and on</p>\n"
        chunk = piece * (1 if rate and rate < 4096 else 1024)
        try:
            self.wfile.write(head)
            self.wfile.flush()
            while time.time() < limit:
                self.wfile.write(chunk)
                self.wfile.flush()
                if rate:
                    time.sleep(len(chunk) / rate)
        except (ConnectionError, socket.timeout, TimeoutError, OSError):
            pass

    def reset_connection(self):
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            fd = sock.detach()
            if fd >= 0:
                os.close(fd)
        except OSError:
            pass

    def serve(self):
        # "inflight" in the log: requests being served when this one
        # arrived, itself included (a client's concurrency, seen here).
        with self.server.conn_lock:
            self.server.inflight += 1
            self.inflight_at_arrival = self.server.inflight
        try:
            self.serve_one()
        finally:
            with self.server.conn_lock:
                self.server.inflight -= 1

    def serve_one(self):
        t = time.time()
        target, raw_path, query = self.split_target()
        step = None
        if self.server.faults is not None:
            step = self.server.faults.decide(target, raw_path)
        label = step["label"] if step else None
        kind = step["kind"] if step else None

        if step and step.get("slow"):
            time.sleep(step["slow"])

        if kind == "reset":
            self.log_entry(t, 0, 0, label)
            self.reset_connection()
            return
        if kind in ("endless", "endless_headers"):
            self.endless(t, label, step, kind == "endless_headers")
            return
        if kind in ("status", "redirect"):
            self.finish_response(t, label, self.fault_response(step))
            return
        resp = self.normal_response(raw_path, query)
        if kind == "truncate":
            self.finish_response(t, label, resp, mode="truncate")
        elif kind == "hang":
            self.finish_response(t, label, resp, mode="hang",
                                 hang=step["hang"])
        else:
            self.finish_response(t, label, resp)


def write_port_file(path, port):
    path = os.path.abspath(path)
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Static fixture HTTP server (127.0.0.1 only).")
    ap.add_argument("--root", required=True, help="directory to serve")
    ap.add_argument("--port-file", required=True,
                    help="file the chosen port is written to")
    ap.add_argument("--log", help="JSON-lines request log")
    ap.add_argument("--faults", help="JSON fault-injection spec")
    ap.add_argument("--host", default="127.0.0.1",
                    help="must be 127.0.0.1 (the default)")
    args = ap.parse_args(argv)

    if args.host not in ALLOWED_LOCAL:
        warn("refusing to bind %r: only 127.0.0.1 is allowed" % args.host)
        return 2
    if not os.path.isdir(args.root):
        warn("--root %r is not a directory" % args.root)
        return 2

    faults = None
    if args.faults:
        try:
            with open(args.faults, "r", encoding="utf-8") as f:
                faults = Faults(json.load(f))
        except (OSError, ValueError, FaultError) as e:
            warn("bad --faults %s: %s" % (args.faults, e))
            return 2

    logfile = None
    if args.log:
        try:
            logfile = open(args.log, "a", encoding="utf-8")
        except OSError as e:
            warn("cannot open --log %s: %s" % (args.log, e))
            return 2

    site = Site(args.root)
    try:
        httpd = FixtureServer(("127.0.0.1", 0), Handler, site, faults,
                              logfile)
    except OSError as e:
        warn("cannot bind 127.0.0.1: %s" % e)
        return 1

    stopping = threading.Event()

    def on_signal(signum, frame):
        if stopping.is_set():
            os._exit(0)  # second signal: stop right now
        stopping.set()
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    except (AttributeError, ValueError):
        pass

    port = httpd.server_address[1]
    try:
        write_port_file(args.port_file, port)
    except OSError as e:
        warn("cannot write --port-file %s: %s" % (args.port_file, e))
        httpd.server_close()
        return 1

    try:
        httpd.serve_forever(poll_interval=0.1)
    finally:
        httpd.server_close()
        if logfile is not None:
            with httpd.log_lock:
                try:
                    logfile.close()
                except OSError:
                    pass
    # Handler threads (idle keep-alive connections, hanging or slow
    # responses) are abandoned, not waited for: exit without interpreter
    # finalization so none of them can delay or disturb the exit.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
