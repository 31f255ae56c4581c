#!/usr/bin/env python3
"""A real SMTP server for the SMTP client tests, built on aiosmtpd.

Listens on 127.0.0.1 on a port the kernel picks, prints that port as the first line
of stdout, and serves until stdin closes (the test ends) or it gets SIGTERM.

Every accepted message is stored in --maildir as NNNN.eml (the bytes as the server
received them, dot-stuffing removed) with the envelope in NNNN.json.

Needs the PyPI package aiosmtpd (tested with 1.4.6): python3 -m pip install aiosmtpd
"""

import argparse
import json
import os
import signal
import ssl
import sys
import threading

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError:
    print(
        "smtp_peer.py: the Python package aiosmtpd is missing; "
        "install it with: python3 -m pip install aiosmtpd",
        file=sys.stderr,
    )
    sys.exit(3)


class EphemeralPortController(Controller):
    """A Controller that binds port 0 and learns the real port before its self-test."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Recorder:
    def __init__(self, maildir, reject, data_reply):
        self.maildir = maildir
        self.reject = {address.lower() for address in reject}
        self.data_reply = data_reply
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        with self.lock:
            self.count += 1
            name = "%04d" % self.count
        with open(os.path.join(self.maildir, name + ".eml"), "wb") as eml:
            eml.write(envelope.original_content)
        sidecar = {
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            # True after STARTTLS and with implicit TLS alike.
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "authenticated_as": (
                session.auth_data.login.decode("utf-8")
                if isinstance(session.auth_data, LoginPassword)
                else None
            ),
        }
        # Written last and renamed into place, so a reader never sees half a sidecar.
        temporary = os.path.join(self.maildir, name + ".json.tmp")
        with open(temporary, "w") as handle:
            json.dump(sidecar, handle)
        os.rename(temporary, os.path.join(self.maildir, name + ".json"))
        return "250 2.0.0 Ok: queued as %s" % name


def make_authenticator(user, password, mechanisms):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            mechanism in mechanisms
            and isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode("utf-8")
            and auth_data.password == password.encode("utf-8")
        )
        # handled=False makes aiosmtpd send the 535 itself; auth_data is kept in the
        # session for the sidecar.
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return authenticator


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--cert", help="PEM certificate for STARTTLS / implicit TLS")
    parser.add_argument("--key", help="PEM private key for --cert")
    parser.add_argument("--require-starttls", action="store_true", help="refuse everything but EHLO/STARTTLS before TLS")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps)")
    parser.add_argument("--auth-user", help="require AUTH with this user name")
    parser.add_argument("--auth-password", help="... and this password")
    parser.add_argument("--auth-mechanisms", default="PLAIN,LOGIN", help="comma-separated, from PLAIN and LOGIN")
    parser.add_argument("--reject-recipient", action="append", default=[], help="answer RCPT TO for this address with 550")
    parser.add_argument("--data-reply", help='answer the end of DATA with this line, e.g. "451 4.3.0 try later"')
    args = parser.parse_args()

    tls_context = None
    if args.cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)

    smtp_options = dict(
        server_hostname="peer.test",
        decode_data=False,
        enable_SMTPUTF8=True,
        auth_require_tls=False,  # the client itself refuses plain-text AUTH off loopback
    )
    if args.auth_user:
        mechanisms = set(args.auth_mechanisms.upper().split(","))
        smtp_options.update(
            auth_required=True,
            authenticator=make_authenticator(args.auth_user, args.auth_password or "", mechanisms),
            auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m not in mechanisms],
        )
    if tls_context and not args.implicit_tls:
        smtp_options.update(tls_context=tls_context, require_starttls=args.require_starttls)

    controller = EphemeralPortController(
        Recorder(args.maildir, args.reject_recipient, args.data_reply),
        hostname="127.0.0.1",
        port=0,
        # Generous: under a loaded CI machine the controller's self-test can be slow,
        # and a failed start shows up in the Swift test as a closed connection.
        ready_timeout=30,
        ssl_context=tls_context if args.implicit_tls else None,
        **smtp_options,
    )
    controller.start()
    print(controller.port, flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
