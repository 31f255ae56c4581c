#!/usr/bin/env python3
"""Deterministic benchmark corpus for MIME parsing.

    make_corpus.py --out DIR [--seed 1] [--count 2000] [--big-mib 25]

Writes
  DIR/mixed/msg-0000.eml ...   --count well-formed messages, 2 KiB to 2 MiB each,
                               about 100 MB in all (help-desk traffic: short replies,
                               text+HTML alternatives, quoted threads, attachments)
  DIR/big-attachment.eml       one message with a --big-mib MiB base64 attachment
  DIR/corpus.json              counts and sizes

Same seed, same bytes (random.Random only; no clock, no os.urandom).
Python 3.11 standard library only.
"""

import argparse
import base64
import json
import math
import os
import random
import sys

WORDS = (
    "the printer on third floor jammed again could you please reset my password locked out "
    "since monday attached crash dump from this morning deployment thanks for quick reply "
    "issue resolved now our invoice shows wrong amount check it vpn drops every ten minutes "
    "when work from home server returns error after update customer cannot log in account "
    "billing question refund order shipping delayed tracking number ticket escalated priority "
    "high low normal agent assigned team support desk weekend schedule maintenance window"
).split()
INTL = [
    "Grüße aus München, die Größe der Datei überschreitet das Limit.",
    "Bonjour, l'imprimante du deuxième étage ne fonctionne plus.",
    "Здравствуйте, принтер на третьем этаже снова не работает.",
    "お世話になっております。三階のプリンターが故障しました。",
    "您好，三楼的打印机又坏了。",
    "“Smart quotes” — and an en dash – cost €5…",
]


def sentence(rng):
    n = rng.randrange(6, 18)
    s = " ".join(rng.choice(WORDS) for _ in range(n))
    return s[0].upper() + s[1:] + rng.choice([".", ".", "?", "!"])


def text_body(rng, size):
    lines, total = [], 0
    while total < size:
        if rng.random() < 0.08:
            line = rng.choice(INTL)
        elif rng.random() < 0.15:
            line = "> " + sentence(rng)
        elif rng.random() < 0.1:
            line = ""
        else:
            line = sentence(rng)
        lines.append(line)
        total += len(line.encode()) + 1
    return "\n".join(lines) + "\n"


def html_of(text):
    paras = []
    for line in text.split("\n"):
        esc = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if esc.startswith("&gt; "):
            paras.append("<blockquote>%s</blockquote>" % esc[5:])
        elif esc:
            paras.append("<p>%s</p>" % esc)
    return ("<html><head><meta charset=\"utf-8\"><style>p{margin:0}</style></head><body>"
            + "\n".join(paras) + "</body></html>\n")


def qp(data):
    out = []
    for line in data.split(b"\n"):
        cur = b""
        for i, b in enumerate(line):
            piece = bytes([b]) if (33 <= b <= 126 and b != 61) or (b == 32 and i < len(line) - 1) else b"=%02X" % b
            if len(cur) + len(piece) > 75:
                out.append(cur + b"=")
                cur = b""
            cur += piece
        out.append(cur)
    return b"\r\n".join(out)


def b64(data):
    enc = base64.b64encode(data)
    return b"\r\n".join(enc[i:i + 76] for i in range(0, len(enc), 76))


def text_part(rng, subtype, text):
    raw = text.encode("utf-8")
    if raw.isascii() and rng.random() < 0.5:
        cte, body = "7bit", raw.replace(b"\n", b"\r\n")
    elif rng.random() < 0.6:
        cte, body = "quoted-printable", qp(raw)
    else:
        cte, body = "base64", b64(raw.replace(b"\n", b"\r\n"))
    head = "Content-Type: text/%s; charset=utf-8\r\nContent-Transfer-Encoding: %s\r\n\r\n" % (subtype, cte)
    return head.encode() + body


ATTACH = [("application/pdf", "report.pdf", b"%PDF-1.7\n"), ("image/png", "screenshot.png", b"\x89PNG\r\n\x1a\n"),
          ("image/jpeg", "photo.jpg", b"\xff\xd8\xff\xe0"), ("application/x-dmp", "crash.dmp", b"MDMP"),
          ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "notes.docx", b"PK\x03\x04"),
          ("text/plain", "server.log", None)]


def attachment_part(rng, size):
    ctype, name, magic = rng.choice(ATTACH)
    if magic is None:
        data = text_body(rng, size).encode()[:size]
    else:
        data = (magic + rng.randbytes(max(0, size - len(magic))))[:size]
    head = ('Content-Type: %s; name="%s"\r\nContent-Transfer-Encoding: base64\r\n'
            'Content-Disposition: attachment; filename="%s"\r\n\r\n' % (ctype, name, name))
    return head.encode() + b64(data)


def multipart(rng, subtype, parts):
    boundary = "----=_Part_%d_%d" % (rng.getrandbits(32), rng.getrandbits(32))
    out = [("Content-Type: multipart/%s; boundary=\"%s\"\r\n\r\n" % (subtype, boundary)).encode()]
    for p in parts:
        out.append(b"--" + boundary.encode() + b"\r\n" + p + b"\r\n")
    out.append(b"--" + boundary.encode() + b"--\r\n")
    return b"".join(out)


def headers(rng, i):
    return ("From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <juergen%d@example.com>\r\n"
            "To: Support <support@example.org>\r\n"
            "Subject: =?utf-8?b?%s?=\r\n"
            "Date: Mon, %d Jan 2026 %02d:%02d:00 +0100\r\n"
            "Message-ID: <%08x.%d@example.com>\r\n"
            "MIME-Version: 1.0\r\n" % (
                i, base64.b64encode(("Ticket #%d: %s" % (i, sentence(rng))).encode()).decode(),
                1 + i % 28, i % 24, i % 60, rng.getrandbits(32), i)).encode()


def target_size(rng):
    r = rng.random()
    if r < 0.75:
        lo, hi = 2 * 1024, 24 * 1024
    elif r < 0.97:
        lo, hi = 24 * 1024, 256 * 1024
    else:
        lo, hi = 256 * 1024, 2 * 1024 * 1024
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def message(rng, i):
    size = target_size(rng)
    head = headers(rng, i)
    text_size = min(size - len(head) - 600, rng.randrange(800, 12000)) if size > 3000 else max(200, size - len(head) - 900)
    text = text_body(rng, max(1800, text_size // 2))
    body = multipart(rng, "alternative", [text_part(rng, "plain", text), text_part(rng, "html", html_of(text))]) \
        if rng.random() < 0.6 else text_part(rng, "plain", text)
    remaining = size - len(head) - len(body) - 200
    atts = []
    while remaining > 1500:
        n = rng.randrange(1, 4) if not atts else 1
        raw = min(remaining * 3 // 4, max(1024, remaining * 3 // 4 // n))
        atts.append(attachment_part(rng, raw))
        remaining -= len(atts[-1]) + 200
        if len(atts) >= 4:
            break
    if atts:
        return head + multipart(rng, "mixed", [body] + atts)
    return head + body


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--big-mib", type=int, default=25)
    args = ap.parse_args(argv)
    mixed = os.path.join(args.out, "mixed")
    os.makedirs(mixed, exist_ok=True)
    total = 0
    sizes = []
    for i in range(args.count):
        rng = random.Random("fairdesk-bench-%d-%d" % (args.seed, i))
        data = message(rng, i)
        with open(os.path.join(mixed, "msg-%04d.eml" % i), "wb") as f:
            f.write(data)
        total += len(data)
        sizes.append(len(data))
    rng = random.Random("fairdesk-bench-big-%d" % args.seed)
    text = text_body(rng, 3000)
    big_data = b"MDMP" + rng.randbytes(args.big_mib * 1024 * 1024 - 4)
    big = headers(rng, 0) + multipart(rng, "mixed", [text_part(rng, "plain", text), attachment_part_exact(big_data)])
    with open(os.path.join(args.out, "big-attachment.eml"), "wb") as f:
        f.write(big)
    info = {"seed": args.seed, "mixed_messages": args.count, "mixed_bytes": total,
            "min_bytes": min(sizes), "max_bytes": max(sizes), "big_attachment_bytes": len(big_data),
            "big_message_bytes": len(big)}
    with open(os.path.join(args.out, "corpus.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info))
    return 0


def attachment_part_exact(data):
    head = (b'Content-Type: application/x-dmp; name="crash-full.dmp"\r\nContent-Transfer-Encoding: base64\r\n'
            b'Content-Disposition: attachment; filename="crash-full.dmp"\r\n\r\n')
    return head + b64(data)


if __name__ == "__main__":
    sys.exit(main())
