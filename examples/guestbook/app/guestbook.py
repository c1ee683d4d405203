"""guestbook: the web tier of examples/guestbook (Python 3 standard library + Debian's
python3-psycopg2 and python3-redis).

Where things are comes from herd, never from this file:
  PORT                           the port this node serves on (127.0.0.1)
  /etc/herd/discovery.json       healthy nodes of every fleet of the environment ("db", "cache"),
                                 re-read whenever a connection fails, so a replaced database or
                                 cache node is found again without restarting this one
  /etc/herd/config.json          this node's name (shown in answers) and config
  /run/secrets/db-password       the database password (a herd secret)
  DB_NAME, DB_USER               plain config of the environment

  GET  /health     200 once the schema is applied (the process serves); never a database ping,
                   so a database restart does not make the web nodes look broken
  GET  /           the entries as a page, with a form
  GET  /entries    the entries as JSON
  POST /entries    author, body (form or JSON) -> 201 {"id": N}; the author is remembered in the
                   session
  GET  /session    the session (a cookie naming a Redis key): name, visits, node that answered
  POST /session    name (form or JSON): stored in the session
"""

import html
import json
import os
import secrets
import signal
import sys
import threading
import time
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import psycopg2
import redis

DISCOVERY = "/etc/herd/discovery.json"
CONFIG = "/etc/herd/config.json"
PASSWORD = "/run/secrets/db-password"
COOKIE = "guestbook_session"
SESSION_TTL = 24 * 3600
MAX_BODY = 64 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
  id      bigserial PRIMARY KEY,
  author  text NOT NULL CHECK (length(author) BETWEEN 1 AND 100),
  body    text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  created timestamptz NOT NULL DEFAULT now()
)
"""


def log(msg):
    print("guestbook: " + msg, file=sys.stderr, flush=True)


def node_name():
    try:
        with open(CONFIG) as f:
            return json.load(f).get("node", "?")
    except (OSError, ValueError):
        return "?"


def endpoint(fleet):
    """The first healthy node of a fleet, from herd's discovery file (read afresh)."""
    with open(DISCOVERY) as f:
        nodes = json.load(f).get("fleets", {}).get(fleet, [])
    if not nodes:
        raise Unavailable("no healthy node of fleet %s in %s" % (fleet, DISCOVERY))
    return nodes[0]["host"], int(nodes[0]["port"])


class Unavailable(Exception):
    """A tier this node needs cannot be reached now: the request gets 503 and may be retried."""


class Database:
    """One connection per thread, found through discovery; dropped and found again on failure."""

    def __init__(self):
        self.local = threading.local()

    def connect(self):
        host, port = endpoint("db")
        with open(PASSWORD) as f:
            password = f.read()
        conn = psycopg2.connect(host=host, port=port, dbname=os.environ.get("DB_NAME", "guestbook"),
                                user=os.environ.get("DB_USER", "guestbook"), password=password, connect_timeout=3,
                                application_name="guestbook " + node_name())
        conn.autocommit = True
        return conn

    def run(self, fn):
        """fn(cursor) with this thread's connection; one retry on a fresh connection after a failure."""
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            try:
                if conn is None or conn.closed:
                    conn = self.local.conn = self.connect()
                with conn.cursor() as cur:
                    return fn(cur)
            except (psycopg2.OperationalError, psycopg2.InterfaceError, OSError) as e:
                self.local.conn = None
                if conn is not None:
                    try:
                        conn.close()
                    except psycopg2.Error:
                        pass
                if attempt == 2:
                    raise Unavailable("database: %s" % (str(e).strip().splitlines() or [type(e).__name__])[0])


class Sessions:
    """Sessions live in Redis (key session:<token>), so any web node serves any session."""

    def __init__(self):
        self.lock = threading.Lock()
        self.client = None

    def redis(self, fresh=False):
        with self.lock:
            if fresh or self.client is None:
                host, port = endpoint("cache")
                self.client = redis.Redis(host=host, port=port, socket_timeout=2, socket_connect_timeout=2,
                                          decode_responses=True)
            return self.client

    def run(self, fn):
        for attempt in (1, 2):
            try:
                return fn(self.redis(fresh=attempt == 2))
            except (redis.RedisError, OSError) as e:
                if attempt == 2:
                    raise Unavailable("cache: %s" % e)


DB = Database()
SESSIONS = Sessions()
READY = threading.Event()


def apply_schema():
    """At start, until the database answers: the table, made once even when nodes start together."""
    while True:
        try:
            def create(cur):
                cur.execute("SELECT pg_advisory_lock(4242)")
                try:
                    cur.execute(SCHEMA)
                finally:
                    cur.execute("SELECT pg_advisory_unlock(4242)")
            DB.run(create)
            READY.set()
            log("schema applied; serving")
            return
        except Unavailable as e:
            log("schema not applied yet (%s); retrying" % e)
            time.sleep(1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "guestbook"

    def log_message(self, fmt, *args):
        pass  # one line per request would drown the node's log under load

    # ---- helpers

    def send(self, status, body, content_type="application/json", cookie=None):
        data = body if isinstance(body, bytes) else (
            json.dumps(body) + "\n" if content_type == "application/json" else body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type + ("; charset=utf-8" if "charset" not in content_type else ""))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Node", node_name())
        if cookie:
            self.send_header("Set-Cookie", "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d" % (COOKIE, cookie, SESSION_TTL))
        self.end_headers()
        self.wfile.write(data)

    def form(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body over %d bytes" % MAX_BODY)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        if (self.headers.get("Content-Type") or "").startswith("application/json"):
            value = json.loads(raw or "{}")
            if not isinstance(value, dict):
                raise ValueError("expected a JSON object")
            return {k: str(v) for k, v in value.items()}
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def session(self):
        """(token, is_new): the request's session token, or a new one."""
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        if COOKIE in cookie and len(cookie[COOKIE].value) == 32 and cookie[COOKIE].value.isalnum():
            return cookie[COOKIE].value, False
        return secrets.token_hex(16), True

    def touch(self, token, **fields):
        key = "session:" + token

        def update(r):
            pipe = r.pipeline()
            if fields:
                pipe.hset(key, mapping=fields)
            pipe.hincrby(key, "visits", 1)
            pipe.expire(key, SESSION_TTL)
            pipe.hgetall(key)
            return pipe.execute()[-1]
        return SESSIONS.run(update)

    def entries(self):
        def select(cur):
            cur.execute("SELECT id, author, body, created FROM entries ORDER BY id DESC LIMIT 100")
            return [{"id": i, "author": a, "body": b, "created": c.isoformat()} for i, a, b, c in cur.fetchall()]
        return DB.run(select)

    def guarded(self, fn):
        try:
            if not READY.is_set():
                self.send(503, {"error": "starting: the schema is not applied yet"})
                return
            fn()
        except Unavailable as e:
            self.send(503, {"error": str(e)})
        except ValueError as e:
            self.send(400, {"error": str(e)})
        except psycopg2.Error as e:
            log("database error: %s" % (str(e).strip().splitlines() or [type(e).__name__])[0])
            self.send(500, {"error": "database error"})

    # ---- routes

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            if READY.is_set():
                self.send(200, {"status": "ok", "node": node_name()})
            else:
                self.send(503, {"status": "starting"})
        elif path == "/entries":
            self.guarded(lambda: self.send(200, self.entries()))
        elif path == "/session":
            def show():
                token, new = self.session()
                s = self.touch(token)
                self.send(200, {"name": s.get("name", ""), "visits": int(s.get("visits", 0)), "node": node_name()},
                          cookie=token if new else None)
            self.guarded(show)
        elif path == "/":
            self.guarded(self.page)
        else:
            self.send(404, {"error": "no such path: " + path})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if path == "/entries":
            def post():
                f = self.form()
                token, new = self.session()
                s = self.touch(token, **({"name": f["author"]} if f.get("author") else {}))
                author = (f.get("author") or s.get("name") or "").strip()
                body = (f.get("body") or "").strip()
                if not author or not body or len(author) > 100 or len(body) > 2000:
                    raise ValueError("give author (1-100 characters) and body (1-2000 characters)")

                def insert(cur):
                    cur.execute("INSERT INTO entries (author, body) VALUES (%s, %s) RETURNING id", (author, body))
                    return cur.fetchone()[0]
                entry = DB.run(insert)
                if (self.headers.get("Accept") or "").startswith("text/html"):
                    self.send_response(303)
                    self.send_header("Location", "/")
                    self.send_header("Content-Length", "0")
                    if new:
                        self.send_header("Set-Cookie", "%s=%s; Path=/; HttpOnly; SameSite=Lax" % (COOKIE, token))
                    self.end_headers()
                    return
                self.send(201, {"id": entry, "author": author, "node": node_name()}, cookie=token if new else None)
            self.guarded(post)
        elif path == "/session":
            def set_name():
                name = (self.form().get("name") or "").strip()
                if not name or len(name) > 100:
                    raise ValueError("give name (1-100 characters)")
                token, new = self.session()
                s = self.touch(token, name=name)
                self.send(200, {"name": s.get("name", ""), "visits": int(s.get("visits", 0)), "node": node_name()},
                          cookie=token if new else None)
            self.guarded(set_name)
        else:
            self.send(404, {"error": "no such path: " + path})

    def page(self):
        token, new = self.session()
        s = self.touch(token)
        rows = "".join("<li><b>%s</b>: %s <small>%s</small></li>" % (html.escape(e["author"]), html.escape(e["body"]),
                                                                       html.escape(e["created"][:19])) for e in self.entries())
        body = """<!doctype html><meta charset="utf-8"><title>guestbook</title>
<h1>guestbook</h1><p>served by %s; visit %d of this session</p>
<form method="post" action="/entries"><input name="author" value="%s" placeholder="name">
<input name="body" placeholder="message" size="50"><button>sign</button></form><ul>%s</ul>
""" % (html.escape(node_name()), int(s.get("visits", 0)), html.escape(s.get("name", "")), rows)
        self.send(200, body, content_type="text/html", cookie=token if new else None)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client (or the front door) closing a kept-alive connection is no error worth a traceback
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            log("request from %s failed: %r" % (client_address[0], error))


def main():
    port = int(os.environ["PORT"])
    server = Server(("127.0.0.1", port), Handler)
    # herd stops a node with SIGTERM: finish the requests in flight, then exit
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    threading.Thread(target=apply_schema, name="schema", daemon=True).start()
    log("listening on 127.0.0.1:%d as %s" % (port, node_name()))
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
