#!/usr/bin/env python3
"""Web desk latency under load: the queue page, ticket pages and search, measured with
wrk (a second process, on loopback) against `fairdesk serve` on a generated installation
(`fairdesk bench seed`).

Usage: web_bench.py PATH_TO_FAIRDESK [--tickets 1000000] [--data-dir DIR] [--duration 20]
                    [--connections 8]
A --data-dir that already holds a seeded installation is reused (seeding a million
tickets takes minutes). Prints one line per page and a JSON line.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

AGENT = "bench@fairdesk.test"
PASSWORD = "bench password 123"

# Prints percentiles as JSON when wrk is done; each script picks its URLs.
LUA_DONE = """
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "errors": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\\n',
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""

LUA_TICKETS = """
math.randomseed(7)
request = function()
  return wrk.format("GET", "/desk/tickets/" .. math.random(1, %d))
end
"""

SEARCH_QUERIES = ["export", "crash", "licence", "\"month-end closing\"", "certificate fails", "printing hangs",
                  "backup", "error 1000", "proxy", "terminal server", "Müller", "#4711", "invoice", "sync stops"]

LUA_SEARCH = """
local queries = {%s}
math.randomseed(11)
request = function()
  return wrk.format("GET", "/desk/search?q=" .. queries[math.random(1, #queries)])
end
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        values = {line.split(":")[0]: line.split()[1] for line in status if line.startswith(("VmRSS", "VmHWM"))}
    return int(values["VmRSS"]) / 1024, int(values["VmHWM"]) / 1024


def sign_in(base):
    """A session cookie for the bench agent, through the real sign-in form."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), NoRedirect())
    page = opener.open(base + "/sign-in").read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"_csrf": csrf, "email": AGENT, "password": PASSWORD}).encode()
    try:
        opener.open(base + "/sign-in", data)
    except urllib.error.HTTPError as error:
        if error.code != 303:
            raise
        for header in error.headers.get_all("Set-Cookie") or []:
            if header.startswith("fairdesk_session="):
                return header.split(";")[0]
    raise SystemExit("sign-in failed")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk(base, path, cookie, script, duration, connections):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + LUA_DONE)
        lua = handle.name
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", lua,
                          "-H", f"Cookie: {cookie}", base + path], capture_output=True, text=True, check=True).stdout
    os.unlink(lua)
    result = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    result["requests_per_s"] = round(result["requests"] / duration, 1)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("fairdesk")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--data-dir")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    fairdesk = os.path.abspath(args.fairdesk)
    data = args.data_dir or tempfile.mkdtemp(prefix="fairdesk-webbench-")
    marker = os.path.join(data, "bench-seeded")
    if not os.path.exists(marker):
        started = time.monotonic()
        subprocess.run([fairdesk, "bench", "seed", "--tickets", str(args.tickets), "--organizations", str(max(10, args.tickets // 100)),
                        "--data-dir", data], check=True)
        subprocess.run([fairdesk, "user", "create", "--role", "agent", "--email", AGENT, "--password", PASSWORD, "--data-dir", data],
                       check=True, capture_output=True)
        with open(marker, "w") as handle:
            handle.write(f"{args.tickets}\n{time.monotonic() - started:.0f}\n")
    tickets = int(open(marker).read().split()[0])

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(data, "serve.log"), "ab")
    server = subprocess.Popen([fairdesk, "serve", "--data-dir", data, "--http-port", str(port), "--smtp-port", "0"],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("fairdesk serve did not start")
                time.sleep(0.5)
        cookie = sign_in(base)
        # One request each first: pages must answer 200 before they are timed.
        for path in ["/desk", "/desk/tickets/1", "/desk/search?q=export"]:
            request = urllib.request.Request(base + path, headers={"Cookie": cookie})
            status = urllib.request.urlopen(request, timeout=30).status
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        quoted = ", ".join('"' + urllib.parse.quote(q) + '"' for q in SEARCH_QUERIES)
        results = {
            "queue": wrk(base, "/desk", cookie, "", args.duration, args.connections),
            "ticket": wrk(base, "/", cookie, LUA_TICKETS % tickets, args.duration, args.connections),
            "search": wrk(base, "/", cookie, LUA_SEARCH % quoted, args.duration, args.connections),
        }
        rss, peak = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    for name, result in results.items():
        print(f"{name:6s}: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
              f"{result['requests_per_s']} requests/s, {result['errors']} errors")
    print(f"server RSS {rss:.0f} MB (peak {peak:.0f} MB); {tickets} tickets; data in {data}")
    print(json.dumps({"tickets": tickets, "connections": args.connections, "duration_s": args.duration,
                      "server_rss_mb": round(rss), "server_peak_rss_mb": round(peak), **results}))


if __name__ == "__main__":
    sys.exit(main())
