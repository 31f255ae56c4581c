#!/usr/bin/env python3
"""End-to-end test of the email loop through the real entry points.

Starts `fairdesk serve` (the real binary, SQLite or FAIRDESK_DATABASE_URL) with a real
SMTP relay (aiosmtpd) for outgoing mail, then: a customer writes over SMTP -> the ticket
exists in the API -> an agent takes it (assignee) and replies through the API -> the relay
receives the reply with the right threading headers -> the customer's reply to it lands on
the same ticket.
Also: fairdesk mailgate (exit 0, and 75 when Fairdesk is down), a stranger's forged [#N],
an oversized message, a foreign recipient, and a crash test (SIGKILL while messages are
being sent: every message the client saw accepted is stored exactly once).

Usage: email_loop.py PATH_TO_FAIRDESK
Prints `e2e: N passed, M failed` and exits non-zero on any failure.
"""
import email
import email.policy
import json
import os
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

try:
    from aiosmtpd.controller import Controller
except ImportError:
    print("e2e: the Python package aiosmtpd is missing: python3 -m pip install aiosmtpd==1.4.6", file=sys.stderr)
    sys.exit(2)

FAIRDESK = os.path.abspath(sys.argv[1])
SUPPORT = "support@fairdesk.test"
RESULTS = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(name, condition, detail=""):
    RESULTS.append((name, bool(condition)))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {detail}"), flush=True)


class Relay:
    """The outgoing relay: records every message it receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 2.0.0 queued"

    def wait_for(self, predicate, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for item in self.messages:
                    message = email.message_from_bytes(item[2], policy=email.policy.default)
                    if predicate(message):
                        return message
            time.sleep(0.2)
        return None


class Server:
    def __init__(self, data_dir, relay_port):
        self.data_dir = data_dir
        self.http_port = free_port()
        self.smtp_port = free_port()
        self.relay_port = relay_port
        self.process = None
        self.output = open(os.path.join(os.path.dirname(data_dir), "serve.log"), "ab")

    def args(self):
        return ["--data-dir", self.data_dir, "--http-port", str(self.http_port), "--smtp-port", str(self.smtp_port),
                "--hostname", "fairdesk.test", "--support-address", SUPPORT,
                "--smtp-url", f"smtp://127.0.0.1:{self.relay_port}?tls=none", "--max-message-bytes", "1000000"]

    def start(self):
        self.process = subprocess.Popen([FAIRDESK, "serve"] + self.args(), stdout=self.output, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=2):
                    pass
                with socket.create_connection(("127.0.0.1", self.smtp_port), timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("fairdesk serve did not come up; see serve.log")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def cli(self, *args, stdin=None):
        return subprocess.run([FAIRDESK] + list(args) + ["--data-dir", self.data_dir], capture_output=True, input=stdin, timeout=120)

    def api(self, method, path, token, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data, method=method,
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def send(port, sender, raw, recipients=(SUPPORT,)):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        return client.sendmail(sender, list(recipients), raw)


def mail(sender, subject, body, extra=""):
    return (f"From: {sender}\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\nMessage-ID: <{os.urandom(8).hex()}@customer.example>\r\n"
            f"{extra}Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\n{body}\r\n").encode()


def tickets(server, token):
    status, page = server.api("GET", "/api/v1/tickets?limit=200", token)
    return page["tickets"] if status == 200 else []


def main():
    root = tempfile.mkdtemp(prefix="fairdesk-e2e-")
    relay = Relay()
    relay_controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    relay_controller.start()
    server = Server(os.path.join(root, "data"), relay_controller.port)
    os.makedirs(server.data_dir)
    try:
        server.start()
        created = server.cli("user", "create", "--role", "agent", "--email", "agent@fairdesk.test", "--password", "correct horse battery")
        check("fairdesk user create", created.returncode == 0, created.stderr.decode())
        made = server.cli("token", "create", "--email", "agent@fairdesk.test")
        token = made.stdout.decode().strip()
        check("fairdesk token create", made.returncode == 0 and token.startswith("fd_"), made.stderr.decode())

        # 1. A customer writes; a ticket appears; the acknowledgement reaches them.
        first = mail("Jane Doe <jane@customer.example>", "Crash on start", "It crashes.")
        refused = send(server.smtp_port, "jane@customer.example", first)
        check("SMTP accepts mail for the support address", refused == {})
        listed = tickets(server, token)
        check("the ticket is in the API", [t["number"] for t in listed] == [1], listed)
        ack = relay.wait_for(lambda m: m["Auto-Submitted"] == "auto-replied")
        check("the acknowledgement went out through the relay", ack is not None and "[#1]" in ack["Subject"])

        # The agent takes the ticket.
        status, summary = server.api("PUT", "/api/v1/tickets/1/assignee", token, {"assignee": "agent@fairdesk.test", "reason": "crashes are mine"})
        assignee = summary.get("assignee") if isinstance(summary, dict) else None
        check("the agent assigns the ticket to themselves", status == 200 and (assignee or {}).get("email") == "agent@fairdesk.test", summary)
        status, page = server.api("GET", "/api/v1/tickets?assignee=me", token)
        check("the ticket is listed as theirs", status == 200 and [t["number"] for t in page["tickets"]] == [1], page)

        # 2. An agent replies; the relay gets it with threading headers.
        status, _ = server.api("POST", "/api/v1/tickets/1/reply", token, {"body": "Please send the minidump."})
        check("reply through the API", status == 201, status)
        reply = relay.wait_for(lambda m: "minidump" in m.get_body(("plain",)).get_content())
        original_id = email.message_from_bytes(first, policy=email.policy.default)["Message-ID"].strip()
        check("the reply reached the relay", reply is not None)
        if reply is not None:
            check("the reply carries the ticket tag", reply["Subject"] == "Re: [#1] Crash on start", reply["Subject"])
            check("the reply answers the customer's message", reply["In-Reply-To"] == original_id, reply["In-Reply-To"])
            check("the reply is not marked automatic", reply["Auto-Submitted"] is None)

            # 3. The customer answers the reply, without the tag: it threads by our token.
            answer = mail("jane@customer.example", "Re: your answer", "Here it is.", extra=f"In-Reply-To: {reply['Message-ID']}\r\n")
            send(server.smtp_port, "jane@customer.example", answer)
            status, detail = server.api("GET", "/api/v1/tickets/1", token)
            inbound = [e for e in detail["timeline"] if e.get("kind") == "inbound"] if status == 200 else []
            check("the customer's answer is on the same ticket", len(inbound) == 2, inbound)
            check("threaded by the signed token", inbound and inbound[-1]["threadReason"] == "token", inbound)
            check("the ticket is back in the queue", detail["ticket"]["status"] == "waiting_on_support", detail["ticket"])

        # 4. A stranger quoting [#1] gets a ticket of their own.
        send(server.smtp_port, "mallory@evil.example", mail("mallory@evil.example", "Re: [#1] Crash on start", "let me in"))
        numbers = sorted(t["number"] for t in tickets(server, token))
        check("a forged [#1] from a stranger opens a new ticket", numbers == [1, 2], numbers)

        # 5. Hostile input: oversized, foreign recipient.
        try:
            send(server.smtp_port, "big@customer.example", mail("big@customer.example", "big", "x" * 1_200_000))
            check("an oversized message is refused with 552", False, "accepted")
        except smtplib.SMTPException as error:
            code = getattr(error, "smtp_code", None) or (list(error.recipients.values())[0][0] if hasattr(error, "recipients") else None)
            check("an oversized message is refused with 552", code == 552, repr(error))
        try:
            send(server.smtp_port, "x@customer.example", mail("x@customer.example", "relay?", "x"), recipients=("victim@elsewhere.example",))
            check("no open relay: a foreign recipient gets 550", False, "accepted")
        except smtplib.SMTPRecipientsRefused as error:
            check("no open relay: a foreign recipient gets 550", list(error.recipients.values())[0][0] == 550, repr(error))

        # 6. The mailgate: delivered, and EX_TEMPFAIL when Fairdesk is down.
        gate = subprocess.run([FAIRDESK, "mailgate", "--port", str(server.smtp_port), "--recipient", SUPPORT, "--sender", "pipe@customer.example"],
                              input=mail("pipe@customer.example", "via the mailgate", "hello"), capture_output=True, timeout=60)
        check("fairdesk mailgate delivers (exit 0)", gate.returncode == 0, gate.stderr.decode())
        check("the mailgate's message is a ticket", any(t["subject"] == "via the mailgate" for t in tickets(server, token)))
        down = subprocess.run([FAIRDESK, "mailgate", "--port", str(free_port()), "--recipient", SUPPORT],
                              input=mail("pipe@customer.example", "down", "x"), capture_output=True, timeout=60)
        check("fairdesk mailgate exits 75 when Fairdesk is down", down.returncode == 75, (down.returncode, down.stderr.decode()))

        # 7. Crash test: send while the server is SIGKILLed and restarted.
        accepted = []
        stop = threading.Event()

        def sender():
            i = 0
            raw = None
            while not stop.is_set() and i < 400:
                # A retry resends the same bytes, as an MTA's queue would.
                raw = raw or mail(f"crash{i}@load.example", f"crash test {i}", f"message {i}")
                try:
                    if send(server.smtp_port, f"crash{i}@load.example", raw) == {}:
                        accepted.append(f"crash test {i}")
                    i += 1
                    raw = None
                except (OSError, smtplib.SMTPException):
                    time.sleep(0.2)   # the server is down: retry the same message, as an MTA would

        thread = threading.Thread(target=sender)
        thread.start()
        time.sleep(3)
        server.kill()
        time.sleep(1)
        server.start()
        time.sleep(3)
        server.kill()
        server.start()
        thread.join(timeout=300)
        stop.set()
        subjects = [t["subject"] for t in tickets_all(server, token) if t["subject"].startswith("crash test")]
        missing = [s for s in accepted if s not in subjects]
        duplicates = len(subjects) - len(set(subjects))
        check(f"crash test: all {len(accepted)} accepted messages stored", not missing and len(accepted) > 0, missing[:5])
        check("crash test: nothing stored twice", duplicates == 0, duplicates)
    finally:
        server.stop()
        relay_controller.stop()
        log = os.path.join(root, "serve.log")
        if os.environ.get("CI") and any(not ok for _, ok in RESULTS):
            os.makedirs(".ci/artifacts", exist_ok=True)
            shutil.copy(log, ".ci/artifacts/e2e-serve.log")
        shutil.rmtree(root, ignore_errors=True)

    passed = sum(1 for _, ok in RESULTS if ok)
    failed = len(RESULTS) - passed
    print(f"e2e: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def tickets_all(server, token):
    found, after = [], None
    while True:
        path = "/api/v1/tickets?limit=200" + (f"&after={after}" if after else "")
        status, page = server.api("GET", path, token)
        if status != 200:
            return found
        found += page["tickets"]
        after = page.get("next")
        if not after:
            return found


if __name__ == "__main__":
    main()
