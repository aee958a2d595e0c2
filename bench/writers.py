#!/usr/bin/env python3
"""Writers for the mixed-load run of bench/run.sh.

usage: writers.py BASE SECONDS POSTS_PER_S CLAIMS_PER_S VOLUNTEERS FIRST OUT_JSON

Posts wishes (each its own text) from one anonymous session at a fixed
rate, and at another fixed rate has signed-in generated volunteers claim an
open wish and then fulfil it (claim, fulfil, claim, … so no volunteer goes
over the claim limit; at the end each fulfils what it still holds, outside
the count). Volunteers are generated ones from volunteerFIRST on, holding at most one
claim (some hold the limit from the generated data). Claims and fulfilments change public pages, so each
moves the content version and drops the page cache. Writes what it did to
OUT_JSON: counts, achieved rates, errors (any answer but 303).
"""
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse

base, secs, posts_per_s, claims_per_s, volunteers, first, out = sys.argv[1:8]
secs, posts_per_s, claims_per_s, volunteers = float(secs), float(posts_per_s), float(claims_per_s), int(volunteers)
url = urllib.parse.urlsplit(base)
PASSWORD = "linli-bench-password"


class Client:
    """One browser: a keep-alive connection and its session cookie."""

    def __init__(self):
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        self.cookie = ""

    def request(self, method, path, form=None):
        headers = {"Cookie": self.cookie, "Origin": base}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            res = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
            self.conn.request(method, path, body=body, headers=headers)
            res = self.conn.getresponse()
        text = res.read().decode("utf-8", "replace")
        for name, value in res.getheaders():
            if name.lower() == "set-cookie" and value.startswith("linli_session="):
                self.cookie = value.split(";", 1)[0]
        return res.status, text

    def token(self, path):
        _, html = self.request("GET", path)
        m = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if not m:
            sys.exit(f"no form on {path}")
        return m.group(1)


def sign_in(i):
    c = Client()
    token = c.token("/account/login")
    status, _ = c.request("POST", "/account/login", {
        "csrf_token": token, "login": f"volunteer{i}@bench.linli.invalid",
        "password": PASSWORD, "next": "/account"})
    if status != 303:
        sys.exit(f"volunteer{i} could not sign in: {status}")
    return c, c.token("/account")


def current_claims(c):
    """The claims a volunteer holds now (the cards before "past" claims)."""
    _, html = c.request("GET", "/account/claims")
    current = html.split("<h2>", 2)[1] if html.count("<h2>") >= 2 else html
    return current.count('class="card wish"')


def ready_volunteers(first, want):
    """Signed-in volunteers from volunteerFIRST on who hold at most one
    claim (generated data gives some of them the limit already)."""
    found = []
    i = first
    while len(found) < want and i < first + 10 * want:
        c, token = sign_in(i)
        if current_claims(c) <= 1:
            found.append((c, token))
        i += 1
    return found


def open_wishes(c, want):
    ids = []
    page = 1
    while len(ids) < want and page <= 50:
        _, html = c.request("GET", f"/wishes?page={page}")
        found = [int(x) for x in re.findall(r'href="/wishes/(\d+)"', html)]
        if not found:
            break
        ids.extend(x for x in found if x not in ids)
        page += 1
    return ids


result = {"posts": 0, "claims": 0, "fulfils": 0, "errors": 0, "statuses": {}}
lock = threading.Lock()


def count(kind, status):
    with lock:
        if status == 303:
            result[kind] += 1
        else:
            result["errors"] += 1
            result["statuses"][str(status)] = result["statuses"].get(str(status), 0) + 1


def at_rate(rate, step):
    """Calls step(i) rate times a second, on schedule, for secs seconds."""
    if rate <= 0:
        return
    start = time.monotonic()
    i = 0
    while True:
        due = start + i / rate
        if due - start >= secs:
            return
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        step(i)
        i += 1


def poster():
    c = Client()
    token = c.token("/wishes/new?station=gen-station-1")
    stamp = int(time.time())

    def post(i):
        status, _ = c.request("POST", "/wishes", {
            "csrf_token": token, "station": f"gen-station-{i % 200 + 1}",
            "what": f"想要一个保温杯（压测{stamp}第{i}号）", "why": "冬天早上出车，想喝口热水。",
            "display_name": "压测师傅", "occupation": "courier", "phone": "", "website": ""})
        count("posts", status)

    at_rate(posts_per_s, post)


def claimer(clients, wishes):
    held = {}  # volunteer index -> wish id it holds

    def step(i):
        v = i % len(clients)
        c, token = clients[v]
        if v in held:
            wish = held.pop(v)
            status, _ = c.request("POST", f"/wishes/{wish}/fulfil", {"csrf_token": token, "note": ""})
            count("fulfils", status)
        elif wishes:
            wish = wishes.pop()
            status, _ = c.request("POST", f"/wishes/{wish}/claim", {"csrf_token": token, "delivery": "station"})
            count("claims", status)
            if status == 303:
                held[v] = wish

    at_rate(claims_per_s, step)
    for v, wish in held.items():
        c, token = clients[v]
        c.request("POST", f"/wishes/{wish}/fulfil", {"csrf_token": token, "note": ""})


clients = ready_volunteers(int(first), volunteers) if claims_per_s > 0 else []
wishes = open_wishes(Client(), int(claims_per_s * secs)) if clients else []
# Signed in and ready: run.sh starts the readers when this file appears.
open(out + ".ready", "w").close()
started = time.monotonic()
threads = [threading.Thread(target=poster)]
if clients:
    threads.append(threading.Thread(target=claimer, args=(clients, wishes)))
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - started
result["seconds"] = round(elapsed, 2)
result["posts_per_s"] = round(result["posts"] / elapsed, 1)
result["claims_fulfils_per_s"] = round((result["claims"] + result["fulfils"]) / elapsed, 1)
with open(out, "w") as f:
    json.dump(result, f)
print(json.dumps(result), file=sys.stderr)
