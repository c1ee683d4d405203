#!/usr/bin/env python3
"""A bounded loopback load client for bench/frontdoor (standard library only).

Sends GET PATH at a fixed total rate (RATE requests/s spread over WORKERS threads, one new
connection per request, 5 s timeout) until the file STOP exists, then writes a JSON summary.

  --url http://127.0.0.1:PORT   through the front door (one stable address)
  --discovery GLOB              like a client that knows only discovery.json: before each request
                                it reads the newest file matching GLOB (highest revision) and
                                takes the fleet's endpoints in turn (today's path without a door)

Every response is logged as "ms_since_epoch ok tag" in --log (tag: the value of --tag-key in
the JSON body, e.g. GREETING of /config.json, so the release that answered is visible).
"""
import argparse, glob, http.client, json, os, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--url")
ap.add_argument("--discovery")
ap.add_argument("--fleet", default="web")
ap.add_argument("--path", default="/config.json")
ap.add_argument("--tag-key", default="GREETING")
ap.add_argument("--rate", type=float, default=100)
ap.add_argument("--workers", type=int, default=8)
ap.add_argument("--stop", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--summary", required=True)
a = ap.parse_args()

lock = threading.Lock()
counts = {"ok": 0, "failed": 0}
reasons = {}
rows = []
rr = [0]


def endpoints():
    best, rev = [], -1
    for f in glob.glob(a.discovery):
        try:
            d = json.load(open(f))
        except (OSError, ValueError):
            continue  # being swapped or the node is gone
        if d.get("revision", -1) > rev:
            rev = d["revision"]
            best = [(e["host"], e["port"]) for e in d.get("fleets", {}).get(a.fleet, [])]
    return best


def target():
    if a.url:
        hp = a.url.split("://", 1)[1].rstrip("/")
        host, port = hp.rsplit(":", 1)
        return host, int(port)
    eps = endpoints()
    if not eps:
        raise OSError("no endpoint in discovery")
    with lock:
        rr[0] += 1
        return eps[rr[0] % len(eps)]


def one():
    t = time.time()
    tag, ok, why = "-", False, ""
    try:
        host, port = target()
        c = http.client.HTTPConnection(host, port, timeout=5)
        c.request("GET", a.path)
        r = c.getresponse()
        body = r.read()
        c.close()
        ok = 200 <= r.status < 300
        why = "" if ok else "HTTP %d" % r.status
        if ok:
            try:
                tag = str(json.loads(body).get("values", {}).get(a.tag_key, "-"))
            except ValueError:
                tag = "?"
    except Exception as e:  # resets, refusals, timeouts: all failures for the client
        why = type(e).__name__
    with lock:
        counts["ok" if ok else "failed"] += 1
        if why:
            reasons[why] = reasons.get(why, 0) + 1
        rows.append("%d %d %s" % (int(t * 1000), 1 if ok else 0, tag.replace(" ", "_")))


def worker(i):
    period = a.workers / a.rate
    nxt = time.time() + i * period / a.workers
    while not os.path.exists(a.stop):
        now = time.time()
        if now < nxt:
            time.sleep(nxt - now)
        nxt += period
        if nxt < time.time() - 1:
            nxt = time.time()  # fell behind (slow answers): bounded, never a burst to catch up
        one()


threads = [threading.Thread(target=worker, args=(i,)) for i in range(a.workers)]
for th in threads:
    th.start()
for th in threads:
    th.join()
with open(a.log, "w") as f:
    f.write("\n".join(sorted(rows)) + "\n")
json.dump({"ok": counts["ok"], "failed": counts["failed"], "reasons": reasons}, open(a.summary, "w"))
