#!/usr/bin/env python3
"""End-to-end ingest throughput: SMTP in -> parsed -> threaded -> stored durably.

Starts `fairdesk serve` (SQLite in a temp data directory, or FAIRDESK_DATABASE_URL),
sends COUNT messages from a mixed set (plain replies, HTML alternatives, messages with
1-3 attachments of 1-200 KiB) over CONCURRENCY parallel SMTP connections, and reports
messages/s (from the first connect to the last 250) and the server's peak RSS.

Usage: ingest_bench.py PATH_TO_FAIRDESK [--count 2000] [--concurrency 16]
Prints a line and a JSON line.
"""
import argparse
import base64
import json
import os
import random
import resource
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds_self():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds_of(pid):
    """User + system CPU seconds of a running process (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_messages(count, seed=7):
    rng = random.Random(seed)
    messages = []
    for i in range(count):
        sender = f"user{rng.randrange(500)}@customer{rng.randrange(50)}.example"
        subject = f"Benchmark message {i}: " + rng.choice(["crash on start", "licence question", "cannot print", "slow export"])
        body = "\r\n".join(f"Line {n} of a support request with some words in it." for n in range(rng.randrange(3, 40)))
        kind = rng.random()
        head = f"From: {sender}\r\nTo: support@fairdesk.test\r\nSubject: {subject}\r\nMessage-ID: <bench{i}.{seed}@customer.example>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        if kind < 0.5:
            raw = head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
        elif kind < 0.75:
            raw = (head + 'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
                   + body + "\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>" + body.replace("\r\n", "</p><p>") + "</p>\r\n--alt--\r\n")
        else:
            parts = [head + 'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' + body + "\r\n"]
            for a in range(rng.randrange(1, 4)):
                data = rng.randbytes(rng.randrange(1024, 200 * 1024))
                encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
                parts.append(f'--mix\r\nContent-Type: application/octet-stream; name="file{a}.bin"\r\nContent-Disposition: attachment; filename="file{a}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}')
            raw = "".join(parts) + "--mix--\r\n"
        messages.append((sender, raw.encode()))
    return messages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("fairdesk")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="fairdesk-bench-")
    http_port, smtp_port = free_port(), free_port()
    log = open(os.path.join(root, "serve.log"), "wb")
    server = subprocess.Popen([os.path.abspath(args.fairdesk), "serve", "--data-dir", os.path.join(root, "data"),
                               "--http-port", str(http_port), "--smtp-port", str(smtp_port), "--hostname", "fairdesk.test",
                               "--support-address", "support@fairdesk.test"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=2).close()
                socket.create_connection(("127.0.0.1", smtp_port), timeout=2).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("fairdesk serve did not start")
                time.sleep(0.3)
        messages = make_messages(args.count)
        total_bytes = sum(len(raw) for _, raw in messages)
        queue = list(enumerate(messages))
        lock = threading.Lock()
        failures = []

        def worker():
            client = smtplib.SMTP("127.0.0.1", smtp_port, timeout=120)
            while True:
                with lock:
                    if not queue:
                        break
                    _, (sender, raw) = queue.pop()
                try:
                    client.sendmail(sender, ["support@fairdesk.test"], raw)
                except smtplib.SMTPException as error:
                    failures.append(repr(error))
            client.quit()

        client_cpu_before = cpu_seconds_self()
        server_cpu_before = cpu_seconds_of(server.pid)
        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        client_cpu = cpu_seconds_self() - client_cpu_before
        server_cpu = cpu_seconds_of(server.pid) - server_cpu_before
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=10).read().decode()
        batch = {line.split()[0]: float(line.split()[1]) for line in metrics.splitlines()
                 if line.startswith(("fairdesk_write_batch_size_sum", "fairdesk_write_batch_size_count"))}
        mean_batch = batch.get("fairdesk_write_batch_size_sum", 0) / max(batch.get("fairdesk_write_batch_size_count", 0), 1)
        with open(f"/proc/{server.pid}/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
        result = {"messages": args.count, "bytes": total_bytes, "concurrency": args.concurrency, "seconds": round(elapsed, 3),
                  "messages_per_s": round(args.count / elapsed, 1), "server_peak_rss_mb": round(peak, 1), "failures": len(failures),
                  "server_cpu_ms_per_message": round(server_cpu * 1000 / args.count, 3),
                  "client_cpu_ms_per_message": round(client_cpu * 1000 / args.count, 3),
                  "mean_write_batch": round(mean_batch, 2),
                  "database": "postgresql" if os.environ.get("FAIRDESK_DATABASE_URL") else "sqlite"}
        print(f"ingest: {args.count} messages ({total_bytes / 1e6:.1f} MB) over {args.concurrency} connections in {elapsed:.1f} s: "
              f"{result['messages_per_s']} messages/s; server peak RSS {peak:.0f} MB; {len(failures)} failures")
        print(f"CPU per message: server {result['server_cpu_ms_per_message']} ms, this client {result['client_cpu_ms_per_message']} ms "
              f"({os.cpu_count()} cores: at most {os.cpu_count() * 1000 / (result['server_cpu_ms_per_message'] + result['client_cpu_ms_per_message']):.0f} messages/s "
              f"if both were CPU-bound); write transactions per commit: {mean_batch:.1f} on average")
        print(json.dumps(result))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
