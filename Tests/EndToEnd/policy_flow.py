#!/usr/bin/env python3
"""End-to-end test of the support policy through the real entry points (SMTP in, the
JSON API, an aiosmtpd relay out), against the real `fairdesk serve`.

- Two tickets sent over SMTP, the second claiming urgency, come out of "Next" in arrival
  order; the urgent sender receives the policy's explanation once, however often they
  insist.
- An out-of-order answer without a reason is refused, and nothing goes out.
- An information request mail lists only the missing items (the customer already named
  their OS); the customer's reply with a minidump attachment ticks that item.
- With FAIRDESK_DATABASE_URL=postgres://… also the concurrency test: two server processes
  on one database, 8 agents pressing Next at the same moment, never the same ticket.

Usage: policy_flow.py PATH_TO_FAIRDESK
Prints `policy e2e: N passed, M failed` and exits non-zero on any failure.
"""
import base64
import os
import struct
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from email_loop import Controller, Relay, Server, SUPPORT, RESULTS, check, free_port, mail, send  # noqa: E402


def minidump():
    """A minidump header as Windows writes it: MDMP, version 0xA793, stream directory."""
    header = b"MDMP" + struct.pack("<IIIIII", 0xA793, 3, 32, 0, 1763800000, 0) + struct.pack("<Q", 0)
    return header + bytes(96)


def mail_with_attachment(sender, subject, body, name, payload, extra=""):
    encoded = base64.encodebytes(payload).decode().replace("\n", "\r\n")
    return (f"From: {sender}\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\nMessage-ID: <{os.urandom(8).hex()}@customer.example>\r\n"
            f"{extra}Date: Sun, 22 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=part\r\n\r\n"
            f"--part\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            f"--part\r\nContent-Type: application/octet-stream; name={name}\r\n"
            f"Content-Disposition: attachment; filename={name}\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}"
            "--part--\r\n").encode()


def agent(server, email_address):
    created = server.cli("user", "create", "--role", "agent", "--email", email_address, "--password", "correct horse battery")
    made = server.cli("token", "create", "--email", email_address)
    token = made.stdout.decode().strip()
    check(f"agent {email_address} and a token", created.returncode == 0 and token.startswith("fd_"), created.stderr.decode())
    return token


def policy_flow(server, relay):
    token = agent(server, "agent@fairdesk.test")

    # Two tickets, the second claiming urgency in words and headers.
    send(server.smtp_port, "ann@one.example", mail("Ann <ann@one.example>", "Export is slow", "Exports take a minute."))
    send(server.smtp_port, "bob@two.example",
         mail("Bob <bob@two.example>", "URGENT: printing broken", "Please fix this ASAP!", extra="X-Priority: 1 (Highest)\r\n"))
    explanation = relay.wait_for(lambda m: "[#2]" in m["Subject"] and "order" in m.get_body(("plain",)).get_content().lower()
                                 and m["Auto-Submitted"] == "auto-replied" and "received your message" not in m.get_body(("plain",)).get_content())
    check("the urgent sender receives the policy's explanation", explanation is not None)
    status, detail = server.api("GET", "/api/v1/tickets/2", token)
    check("the urgent ticket is flagged", status == 200 and "urgency-claimed" in detail["ticket"]["flags"], detail)

    # Insisting again changes nothing: the explanation went out once.
    send(server.smtp_port, "bob@two.example", mail("bob@two.example", "Re: URGENT: printing broken [#2]", "This is an emergency, answer immediately!"))
    status, detail = server.api("GET", "/api/v1/tickets/2", token)
    claims = [e for e in detail["timeline"] if e.get("event") == "urgency.claimed"] if status == 200 else []
    explained = [e for e in detail["timeline"] if e.get("event") == "policy.urgency_explained"] if status == 200 else []
    check("the second claim is recorded", len(claims) == 2, claims)
    check("the explanation is sent once per ticket", len(explained) == 1, explained)

    # An answer to #2 before #1 without a reason is refused, and nothing goes out.
    before = len(relay.messages)
    status, body = server.api("POST", "/api/v1/tickets/2/reply", token, {"body": "Jumping the queue."})
    check("an out-of-order answer without a reason is refused", status == 422 and "#1" in str(body), (status, body))
    status, detail = server.api("GET", "/api/v1/tickets/2", token)
    outbound = [e for e in detail["timeline"] if e.get("kind") == "outbound" and "Jumping" in (e.get("body") or "")]
    check("the refused answer left nothing behind", not outbound and len(relay.messages) == before, outbound)

    # Next: arrival order, whatever the urgency.
    status, first = server.api("POST", "/api/v1/queue/next", token)
    check("Next gives the oldest ticket first", status == 200 and first["number"] == 1, first)
    status, _ = server.api("POST", "/api/v1/tickets/1/reply", token, {"body": "Here is how to make exports faster."})
    check("the agent answers it", status == 201, status)
    status, second = server.api("POST", "/api/v1/queue/next", token)
    check("then Next gives the urgent one, in its turn", status == 200 and second["number"] == 2, second)

    # Minimum information: the customer already named the OS; only the minidump is asked.
    send(server.smtp_port, "cleo@three.example",
         mail("Cleo <cleo@three.example>", "Crash on start", "The tool crashes on start. I am on Windows 11 23H2."))
    # #2 is still in the agent's hand; answer it, then take the next.
    server.api("POST", "/api/v1/tickets/2/reply", token, {"body": "Printing is fixed in 4.2.1."})
    status, third = server.api("POST", "/api/v1/queue/next", token)
    number = third.get("number") if isinstance(third, dict) else None
    check("the third ticket comes next", number == 3, third)
    status, result = server.api("POST", f"/api/v1/tickets/{number}/info-requests", token,
                                {"items": ["os", "minidump"], "note": "Thank you for the report."})
    check("the information request is sent", status == 201 and result.get("asked") == ["minidump"], (status, result))
    check("the OS is left out, with its evidence",
          isinstance(result, dict) and [x["key"] for x in result.get("alreadyProvided", [])] == ["os"], result)
    request = relay.wait_for(lambda m: f"[#{number}]" in m["Subject"] and "Thank you for the report" in m.get_body(("plain",)).get_content())
    text = request.get_body(("plain",)).get_content() if request is not None else ""
    check("the request mail reached the customer", request is not None)
    check("the mail asks for the minidump", "minidump" in text.lower(), text[:400])
    check("the mail does not ask for the operating system again", "operating system" not in text.lower(), text[:400])

    send(server.smtp_port, "cleo@three.example",
         mail_with_attachment("cleo@three.example", f"Re: Crash on start [#{number}]", "Here is the dump.", "app.dmp", minidump(),
                              extra=f"In-Reply-To: {request['Message-ID'] if request is not None else '<x@y>'}\r\n"))
    status, checklist = server.api("GET", f"/api/v1/tickets/{number}/info-requests", token)
    items = {item["key"]: item for item in checklist.get("items", [])} if status == 200 else {}
    check("the customer's minidump ticks the item", items.get("minidump", {}).get("status") == "provided", checklist)
    check("with the attachment as evidence", "app.dmp" in (items.get("minidump", {}).get("evidence") or ""), items.get("minidump"))


def concurrency(server, data_dir, relay_port):
    """Two processes on one PostgreSQL database; 8 agents press Next at the same moment."""
    second = Server(data_dir, relay_port)
    second.start()
    try:
        tokens = [agent(server, f"racer{index}@fairdesk.test") for index in range(8)]
        # Enough for three rounds of eight (plus what the flow above left waiting).
        for index in range(24):
            send(server.smtp_port if index % 2 else second.smtp_port, f"c{index}@race.example",
                 mail(f"c{index}@race.example", f"Race {index}", "Hello."))
        for round_number in range(3):
            barrier = threading.Barrier(8)
            got = [None] * 8

            def press(index):
                target = server if index % 2 else second
                barrier.wait()
                status, summary = target.api("POST", "/api/v1/queue/next", tokens[index])
                got[index] = summary.get("number") if status == 200 and isinstance(summary, dict) else status

            threads = [threading.Thread(target=press, args=(index,)) for index in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            check(f"round {round_number + 1}: 8 agents on two processes got 8 different tickets",
                  len(set(got)) == 8 and all(isinstance(n, int) for n in got), got)
            # Everyone answers what they got, so the next round takes new tickets.
            for index, number in enumerate(got):
                if isinstance(number, int):
                    (server if index % 2 else second).api("POST", f"/api/v1/tickets/{number}/reply", tokens[index], {"body": "Done."})
    finally:
        second.stop()


def main():
    root = tempfile.mkdtemp(prefix="fairdesk-policy-")
    relay = Relay()
    relay_controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    relay_controller.start()
    data_dir = os.path.join(root, "data")
    os.makedirs(data_dir)
    server = Server(data_dir, relay_controller.port)
    try:
        server.start()
        policy_flow(server, relay)
        if os.environ.get("FAIRDESK_DATABASE_URL", "").startswith("postgres"):
            concurrency(server, data_dir, relay_controller.port)
    finally:
        server.stop()
        relay_controller.stop()
    passed = sum(1 for _, ok in RESULTS if ok)
    print(f"policy e2e: {passed} passed, {len(RESULTS) - passed} failed")
    sys.exit(0 if passed == len(RESULTS) else 1)


if __name__ == "__main__":
    main()
