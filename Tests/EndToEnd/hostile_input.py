#!/usr/bin/env python3
"""Hostile input through the real `fairdesk serve`.

Starts `fairdesk serve` (the real binary, on free ports, in a temporary data directory,
SQLite or FAIRDESK_DATABASE_URL) with short listener limits, then attacks its SMTP listener
with raw sockets and checks that each attack gets the reply the transport promises and
that the server keeps serving everyone else:

- an oversized message: SIZE over the limit (552 before DATA), and a client that lies about
  SIZE and sends more (552 after the final dot); neither becomes a ticket;
- 10,000 pipelined RCPT TO: every one answered (250 up to --smtp-max-recipients, then 452),
  the connection stays usable, and another client is served meanwhile;
- never-ending lines: a command line (500 for a long one; 421 and a close for one that
  never ends) and a 10 MB header line in DATA (552 after the dot); a long header line under
  the size limit still becomes a ticket, with a defect;
- slow-loris clients, idle or trickling a byte a second, in commands and in DATA: dropped
  with 421 after the configured timeout while a normal client delivers meanwhile;
- connections over --smtp-max-connections: 421 and closed, and served again once others go;
- a stranger's forged `[#N]` subject: a new ticket, and ticket N does not gain the message;
- afterwards the server still answers /healthz and a normal message still becomes a ticket.

No check measures wall-clock time; waits have generous deadlines.

Usage: hostile_input.py PATH_TO_FAIRDESK
Prints `hostile: N passed, M failed` and exits non-zero on any failure.
"""
import json
import os
import select
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

FAIRDESK = os.path.abspath(sys.argv[1])
SUPPORT = "support@fairdesk.test"
MAX_MESSAGE_BYTES = 1_000_000
# Not the defaults, so the checks also show that the flags reach the listener.
MAX_RECIPIENTS = 50
MAX_CONNECTIONS = 16
COMMAND_TIMEOUT = 3
DATA_TIMEOUT = 5
# Generous: a deadline only bounds a wait; nothing asserts how long anything took.
DEADLINE = 45
RESULTS = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(name, condition, detail=""):
    RESULTS.append((name, bool(condition)))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {detail}"), flush=True)


class Server:
    def __init__(self, root):
        self.data_dir = os.path.join(root, "data")
        self.http_port = free_port()
        self.smtp_port = free_port()
        self.log_path = os.path.join(root, "serve.log")
        self.process = None

    def start(self):
        args = ["serve", "--data-dir", self.data_dir, "--http-port", str(self.http_port),
                "--smtp-port", str(self.smtp_port), "--hostname", "fairdesk.test", "--support-address", SUPPORT,
                "--max-message-bytes", str(MAX_MESSAGE_BYTES), "--smtp-max-recipients", str(MAX_RECIPIENTS),
                "--smtp-max-connections", str(MAX_CONNECTIONS),
                "--smtp-command-timeout", str(COMMAND_TIMEOUT), "--smtp-data-timeout", str(DATA_TIMEOUT)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([FAIRDESK] + args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=2):
                    pass
                with socket.create_connection(("127.0.0.1", self.smtp_port), timeout=2) as probe:
                    probe.recv(512)  # the greeting; closing now is an ordinary disconnect
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"fairdesk serve did not come up; see {self.log_path}")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cli(self, *args):
        return subprocess.run([FAIRDESK] + list(args) + ["--data-dir", self.data_dir], capture_output=True, timeout=120)

    def api(self, path, token):
        request = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=10) as response:
                return response.status == 200
        except OSError:
            return False


class Client:
    """A raw SMTP connection: whole lines out, replies (code, enhanced code, text) in."""

    def __init__(self, port, timeout=DEADLINE):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.closed = False

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def line(self):
        while b"\r\n" not in self.buffer:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode(errors="replace")

    def reply(self):
        """The next reply; None when the server closed the connection instead."""
        lines = []
        while True:
            line = self.line()
            if line is None:
                return None
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                break
        code = int(lines[-1][:3])
        parts = lines[-1][4:].split(" ", 1)
        enhanced = parts[0] if parts and parts[0][:1].isdigit() and "." in parts[0] else None
        return code, enhanced, "\n".join(l[4:] for l in lines)

    def command(self, text):
        self.send(text + "\r\n")
        return self.reply()

    def wait_closed(self):
        """True once the server closed the connection (EOF or reset), within the socket timeout."""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buffer += chunk
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def code(reply):
    return reply[0] if reply else None


def hello(port, timeout=DEADLINE):
    client = Client(port, timeout)
    greeting = client.reply()
    assert code(greeting) == 220, greeting
    ehlo = client.command("EHLO attacker.example")
    assert code(ehlo) == 250, ehlo
    return client, ehlo


def message(sender, subject, body):
    return (f"From: {sender}\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{os.urandom(8).hex()}@customer.example>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\n{body}\r\n").encode()


def deliver(port, sender, subject, body="hello"):
    """A well-behaved client: smtplib, start to end. Returns the refused-recipients dict."""
    with smtplib.SMTP("127.0.0.1", port, timeout=DEADLINE) as client:
        return client.sendmail(sender, [SUPPORT], message(sender, subject, body))


def all_tickets(server, token):
    found, after = [], None
    while True:
        status, page = server.api("/api/v1/tickets?limit=200" + (f"&after={after}" if after else ""), token)
        if status != 200:
            return found
        found += page["tickets"]
        after = page.get("next")
        if not after:
            return found


def subjects(server, token):
    return [t["subject"] for t in all_tickets(server, token)]


# MARK: the attacks

def oversized(server, token):
    client, ehlo = hello(server.smtp_port)
    check("EHLO advertises the configured SIZE", f"SIZE {MAX_MESSAGE_BYTES}" in ehlo[2], ehlo)
    reply = client.command(f"MAIL FROM:<big@customer.example> SIZE={MAX_MESSAGE_BYTES + 1}")
    check("MAIL with SIZE over the limit gets 552 before any data", code(reply) == 552, reply)
    reply = client.command(f"MAIL FROM:<big@customer.example> SIZE={'9' * 30}")
    check("an absurd SIZE is refused too (552 or 501), not a crash", code(reply) in (552, 501), reply)

    # A liar: declares a small SIZE, then sends more than the limit.
    reply = client.command("MAIL FROM:<liar@customer.example> SIZE=1000")
    check("a small declared SIZE is accepted", code(reply) == 250, reply)
    client.command(f"RCPT TO:<{SUPPORT}>")
    reply = client.command("DATA")
    check("DATA gets 354", code(reply) == 354, reply)
    line = b"y" * 998 + b"\r\n"
    client.send(b"From: liar@customer.example\r\nSubject: hostile: the liar\r\n\r\n" + line * (MAX_MESSAGE_BYTES // len(line) + 200) + b".\r\n")
    reply = client.reply()
    # RFC 1870 §6.3: the server reads on to the final dot, then refuses with 552.
    check("a message over the limit despite its SIZE gets 552 after the final dot", code(reply) == 552, reply)
    check("... and the connection stays usable (NOOP)", code(client.command("NOOP")) == 250)
    check("... and QUIT is answered 221", code(client.command("QUIT")) == 221)
    client.close()
    check("no ticket from either oversized message", not any(s.startswith("hostile: the liar") for s in subjects(server, token)))


def many_recipients(server, token):
    total = 10_000
    half = total // 2
    client, _ = hello(server.smtp_port)
    check("MAIL before the recipient flood", code(client.command("MAIL FROM:<flood@customer.example>")) == 250)
    replies = []

    def read(count):
        for _ in range(count):
            replies.append(client.reply())

    rcpt = f"RCPT TO:<{SUPPORT}>\r\n".encode()
    # Pipelined (RFC 2920): all at once, the replies read at the same time so neither side
    # stalls on a full socket buffer.
    reader = threading.Thread(target=read, args=(half,))
    reader.start()
    client.send(rcpt * half)
    reader.join(DEADLINE)
    # The flooding connection is mid-transaction now; the second half goes in while another
    # client delivers a message of its own.
    reader = threading.Thread(target=read, args=(total - half,))
    reader.start()
    other = {}

    def other_client():
        try:
            other["refused"] = deliver(server.smtp_port, "bystander@customer.example", "hostile: served during the RCPT flood")
        except (OSError, smtplib.SMTPException) as error:
            other["error"] = error

    bystander = threading.Thread(target=other_client)
    bystander.start()
    client.send(rcpt * (total - half))
    reader.join(DEADLINE)
    bystander.join(DEADLINE)

    codes = [code(r) for r in replies]
    check(f"all {total} pipelined RCPTs are answered", len(codes) == total and None not in codes,
          f"{len(codes)} replies, first missing at {codes.index(None) if None in codes else '-'}")
    check(f"the first {MAX_RECIPIENTS} RCPTs get 250", codes[:MAX_RECIPIENTS] == [250] * MAX_RECIPIENTS, codes[:MAX_RECIPIENTS + 1])
    rest = codes[MAX_RECIPIENTS:]
    # RFC 5321 §4.5.3.1.10: "452 too many recipients"; a transient reply, not an error of the client.
    check("every RCPT over the limit gets 452 4.5.3", rest == [452] * (total - MAX_RECIPIENTS)
          and all(r[1] == "4.5.3" for r in replies[MAX_RECIPIENTS:] if r), sorted(set(rest)))
    check("another client is served during the flood", other.get("refused") == {}, other)
    reply = client.command("DATA")
    check("after the flood the transaction goes on: DATA gets 354", code(reply) == 354, reply)
    if code(reply) == 354:
        client.send(message("flood@customer.example", "hostile: after the RCPT flood", "still here") + b".\r\n")
        reply = client.reply()
        check("... and the message is accepted (250)", code(reply) == 250, reply)
    check("RSET works after the flood", code(client.command("RSET")) == 250)
    check("QUIT works after the flood", code(client.command("QUIT")) == 221)
    client.close()
    found = subjects(server, token)
    check("the flooded message is one ticket, not one per recipient", found.count("hostile: after the RCPT flood") == 1, found)
    check("the bystander's message is a ticket", "hostile: served during the RCPT flood" in found, found)


def endless_lines(server, token):
    # A long command line that does end: 500, and the connection goes on (RFC 5321 §4.5.3.1.4).
    client, _ = hello(server.smtp_port)
    reply = client.command("NOOP " + "x" * 3000)
    check("a 3,000-byte command line gets 500 5.5.6", code(reply) == 500 and reply[1] == "5.5.6", reply)
    check("... and the connection goes on (NOOP)", code(client.command("NOOP")) == 250)
    client.close()

    # A command line that never ends: 10 MB without CRLF.
    client, _ = hello(server.smtp_port)
    got = {}

    def read():
        got["reply"] = client.reply()
        got["closed"] = client.wait_closed()

    reader = threading.Thread(target=read)
    reader.start()
    sent = 0
    chunk = b"MAIL FROM:<" + b"a" * 65525
    try:
        while sent < 10 << 20 and "reply" not in got:
            client.send(chunk)
            sent += len(chunk)
    except OSError:
        pass  # the server hung up mid-flood, as it should
    reader.join(DEADLINE)
    reply = got.get("reply")
    check("a never-ending command line gets 421 4.5.0 (line too long)", code(reply) == 421 and reply[1] == "4.5.0", reply)
    check("... and the connection is closed", got.get("closed") is True, got)
    client.close()

    # A never-ending header line inside DATA: 10 MB without CRLF, then the end of the message.
    client, _ = hello(server.smtp_port)
    client.command("MAIL FROM:<endless@customer.example>")
    client.command(f"RCPT TO:<{SUPPORT}>")
    reply = client.command("DATA")
    check("DATA for the endless header line gets 354", code(reply) == 354, reply)
    got = {}
    reader = threading.Thread(target=lambda: got.setdefault("reply", client.reply()))
    reader.start()
    try:
        client.send(b"From: endless@customer.example\r\nSubject: hostile: endless ")
        piece = b"z" * (1 << 20)
        for _ in range(10):
            client.send(piece)
        client.send(b"\r\n\r\nbody\r\n.\r\n")
    except OSError as error:
        got.setdefault("error", error)
    reader.join(DEADLINE)
    reply = got.get("reply")
    check("a 10 MB header line in DATA gets 552 after the final dot", code(reply) == 552, got)
    check("... and the connection stays usable (NOOP)", code(client.command("NOOP")) == 250)
    client.close()

    # A long header line under the size limit is still a message: it becomes a ticket, and
    # what the parser cut is recorded as a defect (README: Limits).
    long_subject = "hostile: long header " + "w" * 600_000
    refused = deliver(server.smtp_port, "longline@customer.example", long_subject)
    check("a 600 KB header line under the size limit is accepted", refused == {}, refused)
    ticket = next((t for t in all_tickets(server, token) if t["subject"].startswith("hostile: long header")), None)
    check("... and becomes a ticket", ticket is not None)
    if ticket:
        status, detail = server.api(f"/api/v1/tickets/{ticket['number']}", token)
        defects = [d for e in detail["timeline"] for d in (e.get("defects") or [])] if status == 200 else []
        check("... with the cut recorded as a defect", any(d.startswith("limit.header-line") for d in defects), defects)
    check("the server is unharmed by endless lines (a new connection gets EHLO)", hello(server.smtp_port)[0].command("QUIT") is not None)


def slow_loris(server, token):
    outcomes = {}

    def attacker(name, setup, trickle):
        """Connects, runs `setup`, then sends `trickle` a byte a second (or nothing) until dropped."""
        client = None
        try:
            client = Client(server.smtp_port)
            client.sock.settimeout(None)
            client.reply()
            setup(client)
            outcomes[name] = {"connected": True}
            position = 0
            deadline = time.time() + DEADLINE
            while time.time() < deadline:
                readable, _, _ = select.select([client.sock], [], [], 1.0)
                if readable:
                    outcomes[name]["reply"] = client.reply()
                    client.sock.settimeout(5)
                    outcomes[name]["closed"] = client.wait_closed()
                    return
                if trickle and position < len(trickle):
                    try:
                        client.send(trickle[position:position + 1])
                    except OSError:
                        pass  # dropped; the reply is read on the next round
                    position += 1
            outcomes[name]["reply"] = "still connected at the deadline"
        except OSError as error:
            outcomes.setdefault(name, {})["error"] = repr(error)
        finally:
            if client:
                client.close()

    def ehlo(client):
        client.command("EHLO slow.example")

    def into_data(client):
        client.command("EHLO slow.example")
        client.command("MAIL FROM:<slow@customer.example>")
        client.command(f"RCPT TO:<{SUPPORT}>")
        assert code(client.command("DATA")) == 354

    attackers = [
        ("idle after the greeting", lambda c: None, b""),
        ("idle after EHLO", ehlo, b""),
        ("idle in DATA", into_data, b""),
        ("trickling a command", ehlo, b"MAIL FROM:<slow@customer.example>\r\n"),
        ("trickling a command before EHLO", lambda c: None, b"EHLO a-very-slow-client.example\r\n"),
        ("trickling DATA", into_data, b"Subject: slow\r\n\r\n" + b"z" * 100),
    ]
    threads = [threading.Thread(target=attacker, args=a) for a in attackers]
    for thread in threads:
        thread.start()
    deadline = time.time() + DEADLINE
    while time.time() < deadline and len([o for o in outcomes.values() if o.get("connected")]) < len(attackers):
        time.sleep(0.05)
    check("the slow-loris clients are connected", len(outcomes) == len(attackers), outcomes)

    # A normal client during the attack.
    refused = deliver(server.smtp_port, "normal@customer.example", "hostile: delivered during slow-loris")
    still_attacking = sum(1 for o in outcomes.values() if "reply" not in o)
    check("a normal client delivers during the slow-loris attack", refused == {}, refused)
    print(f"     ({still_attacking} of {len(attackers)} slow clients were still connected when it finished)")
    check("... and its ticket appears in the API", "hostile: delivered during slow-loris" in subjects(server, token))

    for thread in threads:
        thread.join(DEADLINE + 10)
    for name, _, _ in attackers:
        outcome = outcomes.get(name, {})
        reply = outcome.get("reply")
        check(f"slow-loris {name}: 421 4.4.2 (timeout) and dropped",
              isinstance(reply, tuple) and reply[:2] == (421, "4.4.2") and outcome.get("closed") is True, outcome)
    refused = deliver(server.smtp_port, "normal@customer.example", "hostile: delivered after slow-loris")
    check("after the attack a normal client still delivers", refused == {}, refused)


def too_many_connections(server):
    held = []
    try:
        # A connection of an earlier check may still be releasing its slot: try again then.
        for _ in range(5):
            for client in held:
                client.close()
            held = []
            for _ in range(MAX_CONNECTIONS):
                client = Client(server.smtp_port)
                if code(client.reply()) != 220:
                    client.close()
                    break
                held.append(client)
            if len(held) == MAX_CONNECTIONS:
                break
            time.sleep(0.5)
        check(f"{MAX_CONNECTIONS} connections (--smtp-max-connections) are all greeted", len(held) == MAX_CONNECTIONS, len(held))
        extra = Client(server.smtp_port)
        reply = extra.reply()
        check("one more connection gets 421 4.3.2 (too busy)", code(reply) == 421 and reply[1] == "4.3.2", reply)
        check("... and is closed", extra.wait_closed())
        extra.close()
    finally:
        for client in held:
            client.close()
    # Slots free up as the held connections go; the next client may race their release.
    greeted = None
    deadline = time.time() + DEADLINE
    while time.time() < deadline:
        client = Client(server.smtp_port)
        greeted = client.reply()
        client.close()
        if code(greeted) == 220:
            break
        time.sleep(0.2)
    check("once they are gone, a new connection is greeted again", code(greeted) == 220, greeted)


def forged_subject_tag(server, token):
    # Jane's ticket: she writes first; a stranger then quotes its number.
    deliver(server.smtp_port, "jane@customer.example", "hostile: Jane's crash", "It crashes.")
    jane = next((t for t in all_tickets(server, token) if t["subject"] == "hostile: Jane's crash"), None)
    check("Jane's message is a ticket", jane is not None)
    if jane is None:
        return
    number = jane["number"]
    forged = f"Re: [#{number}] hostile: Jane's crash"
    refused = deliver(server.smtp_port, "mallory@evil.example", forged, "Let me read Jane's ticket.")
    check("the stranger's forged [#N] mail is accepted (it is mail for support)", refused == {}, refused)
    mallory = [t for t in all_tickets(server, token) if t["subject"] == forged]
    check("the forged [#N] opens a NEW ticket", len(mallory) == 1 and mallory[0]["number"] != number, mallory)
    if mallory:
        check("... requested by the stranger, not Jane", mallory[0]["requesterID"] != jane["requesterID"], mallory[0])
        check("... in another organization", mallory[0]["organizationID"] != jane["organizationID"], mallory[0])
        status, detail = server.api(f"/api/v1/tickets/{mallory[0]['number']}", token)
        reasons = [e.get("threadReason") for e in detail["timeline"] if e.get("kind") == "inbound"] if status == 200 else []
        check("... threaded as new, not by the subject tag", len(reasons) == 1 and reasons[0].startswith("new"), reasons)
    status, detail = server.api(f"/api/v1/tickets/{number}", token)
    inbound = [e for e in detail["timeline"] if e.get("kind") == "inbound"] if status == 200 else []
    check(f"ticket #{number} did not gain the stranger's message",
          len(inbound) == 1 and not any("mallory" in (e.get("from") or "") for e in inbound), inbound)


def main():
    root = tempfile.mkdtemp(prefix="fairdesk-hostile-")
    server = Server(root)
    os.makedirs(server.data_dir)
    try:
        server.start()
        created = server.cli("user", "create", "--role", "agent", "--email", "agent@fairdesk.test", "--password", "correct horse battery")
        check("fairdesk user create", created.returncode == 0, created.stderr.decode())
        made = server.cli("token", "create", "--email", "agent@fairdesk.test")
        token = made.stdout.decode().strip()
        check("fairdesk token create", made.returncode == 0 and token.startswith("fd_"), made.stderr.decode())

        for attack in (lambda: oversized(server, token), lambda: many_recipients(server, token),
                       lambda: endless_lines(server, token), lambda: slow_loris(server, token),
                       lambda: too_many_connections(server), lambda: forged_subject_tag(server, token)):
            try:
                attack()
            except (AssertionError, OSError, smtplib.SMTPException, KeyError, TypeError) as error:
                check("the attack ran to its end", False, repr(error))
            check("  the server process is still running", server.alive(), server.process.returncode)

        check("afterwards /healthz answers 200", server.healthy())
        refused = deliver(server.smtp_port, "last@customer.example", "hostile: the last normal message")
        check("afterwards a normal message is accepted", refused == {}, refused)
        check("... and becomes a ticket", "hostile: the last normal message" in subjects(server, token))
    finally:
        server.stop()
        if os.environ.get("CI") and any(not ok for _, ok in RESULTS):
            os.makedirs(".ci/artifacts", exist_ok=True)
            shutil.copy(server.log_path, ".ci/artifacts/hostile-serve.log")
        shutil.rmtree(root, ignore_errors=True)

    passed = sum(1 for _, ok in RESULTS if ok)
    failed = len(RESULTS) - passed
    print(f"hostile: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
