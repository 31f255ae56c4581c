#!/usr/bin/env python3
"""Generates the FairdeskMail parser fixtures (NAME.eml + NAME.json) in this folder.

Deterministic: no clock, no randomness other than seeded hashes, no network.
Run from anywhere:   python3 make_fixtures.py          (rewrites every fixture)
                     python3 make_fixtures.py --check  (also cross-checks the expectations
                                                         against Python's email package and
                                                         prints every disagreement)
Every .eml is written byte-exact; every expected size/sha256 is computed from the payload
bytes the generator encoded, never from parsing its own output.
"""
import base64
import binascii
import hashlib
import json
import quopri
import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRLF = b"\r\n"
LF = b"\n"
DATE = "Tue, 05 Mar 2024 14:30:00 +0000"
DATE_UTC = "2024-03-05T14:30:00Z"

FIXTURES = []  # (topic, name, bytes, expected dict)

KEY_ORDER = ["note", "message_id", "from", "to", "cc", "reply_to", "subject", "date",
             "in_reply_to", "references", "body", "body_contains", "body_type",
             "html_contains", "attachments", "attachment_count", "has_defects",
             "auto_reply", "urgent", "quote_starts_with", "signature_starts_with"]


def add(topic, name, data, note, **kw):
    """Registers one fixture. `frm` stands for the JSON key `from`."""
    assert isinstance(data, bytes), name
    if "frm" in kw:
        kw["from"] = kw.pop("frm")
    kw["note"] = note
    for k in kw:
        assert k in KEY_ORDER, (name, k)
    assert "subject" in kw or "subject" in note.lower(), name
    assert "from" in kw, name
    exp = {k: kw[k] for k in KEY_ORDER if k in kw}
    for t, n, _, _ in FIXTURES:
        assert (t, n) != (topic, name), name
    assert len(data) < 3_000_000, name
    FIXTURES.append((topic, name, data, exp))


# ---------------------------------------------------------------- small helpers

def B(x, enc="utf-8"):
    return x if isinstance(x, bytes) else x.encode(enc)


def T(s, eol=CRLF, enc="utf-8"):
    """Text with "\\n" line ends -> bytes with `eol` line ends in `enc`."""
    return s.replace("\n", eol.decode()).encode(enc)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def att(filename, ctype, disposition, data):
    return {"filename": filename, "content_type": ctype, "disposition": disposition,
            "size": len(data), "sha256": sha(data)}


def A(name, address):
    return {"name": name, "address": address}


ALICE = A("Alice Example", "alice@example.com")
ALICE_H = "From: Alice Example <alice@example.com>"
SUPPORT = A("Fairdesk Support", "support@fairdesk.test")
SUPPORT_H = "To: Fairdesk Support <support@fairdesk.test>"
SUPPORT_ADDR = A(None, "support@fairdesk.test")


def stream(seed, n):
    """Deterministic pseudo-random bytes."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{i}".encode()).digest()
        i += 1
    return bytes(out[:n])


def png(w, h, seed):
    """A real, valid RGB PNG of w x h pixels with deterministic content."""
    raw = b""
    px = stream(seed, w * h * 3)
    for y in range(h):
        raw += b"\x00" + px[y * w * 3:(y + 1) * w * 3]

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def jpeg_like(seed, n):
    """JPEG-looking bytes (SOI/APP0 ... EOI); not decodable, the parser does not care."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + stream(seed, n) + b"\xff\xd9"


def pdf(text):
    body = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >> endobj\n"
            b"% " + text.encode() + b"\n%%EOF\n")
    return body


def b64(data, width=76, eol=CRLF):
    s = base64.b64encode(data)
    return eol.join(s[i:i + width] for i in range(0, len(s), width))


def qp(text_bytes, eol=CRLF):
    """Quoted-printable with "\\n" in the input as hard line breaks, written with `eol`."""
    enc = quopri.encodestring(text_bytes)
    return enc.replace(b"\n", eol)


def b64w(s, enc="utf-8"):
    return base64.b64encode(s.encode(enc)).decode()


def qw(b):
    """RFC 2047 Q-encoding of bytes."""
    out = ""
    for c in b:
        ch = chr(c)
        if c == 0x20:
            out += "_"
        elif ch.isalnum() and c < 0x80:
            out += ch
        elif ch in "!*+-/" and c < 0x80:
            out += ch
        else:
            out += "=%02X" % c
    return out


# ---------------------------------------------------------------- MIME builder

class Leaf:
    def __init__(self, headers, body=b""):
        self.headers = list(headers)
        self.body = body


class Multi:
    def __init__(self, headers, boundary, parts, preamble=None, epilogue=None, close=True):
        self.headers = list(headers)
        self.boundary = B(boundary)
        self.parts = parts
        self.preamble = preamble
        self.epilogue = epilogue
        self.close = close


def render_headers(headers, eol):
    return b"".join(B(h).replace(b"\n", eol) + eol for h in headers)


def render(node, eol=CRLF):
    """Entity bytes. A Multi ends with its close delimiter (no line end after it)."""
    out = render_headers(node.headers, eol) + eol
    if isinstance(node, Leaf):
        return out + node.body
    if node.preamble is not None:
        out += B(node.preamble) + eol
    for i, p in enumerate(node.parts):
        out += b"--" + node.boundary + eol + render(p, eol)
        if i + 1 < len(node.parts) or node.close:
            out += eol
    if node.close:
        out += b"--" + node.boundary + b"--"
    return out


def message(node, eol=CRLF):
    out = render(node, eol)
    if isinstance(node, Multi):
        if node.close:
            out += eol
        if node.epilogue is not None:
            out += B(node.epilogue)
    return out


def ct_text(charset="utf-8", sub="plain", cte="7bit", extra=""):
    h = [f"Content-Type: text/{sub}; charset={charset}{extra}"]
    if cte:
        h.append(f"Content-Transfer-Encoding: {cte}")
    return h


def text_leaf(s, sub="plain", charset="utf-8", cte=None, eol=CRLF, extra_headers=()):
    """A text leaf; the body text `s` uses "\\n" ends and is written with `eol`."""
    raw = s.replace("\n", "\n").encode(charset if charset not in ("us-ascii",) else "ascii")
    if cte is None:
        cte = "7bit" if all(c < 0x80 for c in raw) else "8bit"
    if cte == "quoted-printable":
        body = qp(raw, eol)
    elif cte == "base64":
        body = b64(raw.replace(b"\n", eol), eol=eol)
    else:
        body = raw.replace(b"\n", eol)
    return Leaf(ct_text(charset, sub, cte) + list(extra_headers), body)


def file_leaf(ctype, data, filename=None, disposition="attachment", name_in_ct=True,
              cte="base64", eol=CRLF, extra=()):
    ctl = f"Content-Type: {ctype}"
    if filename and name_in_ct:
        ctl += f'; name="{filename}"'
    h = [ctl]
    if disposition:
        d = f"Content-Disposition: {disposition}"
        if filename:
            d += f'; filename="{filename}"'
        h.append(d)
    h.append(f"Content-Transfer-Encoding: {cte}")
    h += list(extra)
    body = b64(data, eol=eol) if cte == "base64" else data
    return Leaf(h, body)


def top(subject, name, extra=(), frm=ALICE_H, to=SUPPORT_H, date=DATE, mime=True):
    h = [frm, to, f"Subject: {subject}", f"Date: {date}",
         f"Message-ID: <{name}@fixtures.fairdesk.test>"]
    if mime:
        h.append("MIME-Version: 1.0")
    return h + list(extra)


def mid(name):
    return f"{name}@fixtures.fairdesk.test"


def join_body(*pieces):
    """The continuation rule: every piece but the last gets a "\\n" if it lacks one; joined by "\\n"."""
    ps = [p if p.endswith("\n") else p + "\n" for p in pieces[:-1]] + [pieces[-1]]
    return "\n".join(ps)


def simple(name, subject, body, extra=(), eol=CRLF, charset="us-ascii", frm=ALICE_H, to=SUPPORT_H,
           date=DATE, cte="7bit"):
    h = top(subject, name, frm=frm, to=to, date=date) + [
        f"Content-Type: text/plain; charset={charset}", f"Content-Transfer-Encoding: {cte}"] + list(extra)
    return message(Leaf(h, T(body, eol, "utf-8" if charset.lower() in ("utf-8", "us-ascii") else charset)), eol)


# ================================================================ headers/

def gen_headers():
    t = "headers"
    body = "Hi,\n\nThe printer next to room 3.14 is jammed again.\n\nThanks,\nAlice\n"
    add(t, "basic-crlf", simple("basic-crlf", "Printer on floor 3 is jammed again", body),
        "A clean RFC 5322 message with CRLF line ends: every field and the body as written, no defects.",
        message_id=mid("basic-crlf"), frm=ALICE, to=[SUPPORT], cc=[], subject="Printer on floor 3 is jammed again",
        date=DATE_UTC, in_reply_to=None, references=[], body=body, body_type="text/plain", attachments=[],
        has_defects=False, auto_reply=False, urgent=False)

    add(t, "basic-lf", simple("basic-lf", "Printer on floor 3 is jammed again", body, eol=LF),
        "The same clean message stored with bare LF line ends (as in a Unix mbox or Maildir): parsed identically.",
        message_id=mid("basic-lf"), frm=ALICE, to=[SUPPORT], subject="Printer on floor 3 is jammed again",
        date=DATE_UTC, body=body, body_type="text/plain", attachments=[], auto_reply=False, urgent=False)

    data = (b"From: Alice Example <alice@example.com>\r\n"
            b"To: Fairdesk Support <support@fairdesk.test>\n"
            b"Subject: Mixed line endings\r\n"
            b"Date: Tue, 05 Mar 2024 14:30:00 +0000\n"
            b"Message-ID: <mixed-line-endings@fixtures.fairdesk.test>\r\n"
            b"\n"
            b"line one (CRLF)\r\nline two (LF)\nline three (lone CR)\rline four\r\n")
    add(t, "mixed-line-endings", data,
        "Header lines end in CRLF or LF at random and the separator is a bare LF; in the body CRLF, LF and a lone CR each become one \"\\n\".",
        message_id=mid("mixed-line-endings"), frm=ALICE, to=[SUPPORT], subject="Mixed line endings", date=DATE_UTC,
        body="line one (CRLF)\nline two (LF)\nline three (lone CR)\nline four\n", body_type="text/plain")

    h = top("This is a long subject line that\n continues on a second line\n\tand a tab-indented third", "folded-subject")
    add(t, "folded-subject", message(Leaf(h, T("Body.\n"))),
        "Unfolding removes each CRLF and keeps the space or tab that followed it (RFC 5322 3.2.2), so the tab survives inside the subject.",
        frm=ALICE, subject="This is a long subject line that continues on a second line\tand a tab-indented third",
        body="Body.\n", date=DATE_UTC)

    h = top("Spaced\n      continuation", "folded-multiple-spaces")
    add(t, "folded-multiple-spaces", message(Leaf(h, T("Body.\n"))),
        "A continuation line indented with six spaces: only the CRLF is removed, all six spaces stay.",
        frm=ALICE, subject="Spaced      continuation", body="Body.\n")

    data = T("From: Alice Example <alice@example.com>\n"
             "To: Fairdesk Support <support@fairdesk.test>\n"
             "Subject : Obsolete space before the colon\n"
             "Date\t: Tue, 05 Mar 2024 14:30:00 +0000\n"
             "Message-ID: <space-before-colon@fixtures.fairdesk.test>\n"
             "\n"
             "Body.\n")
    add(t, "space-before-colon", data,
        "RFC 5322 4.5 obs-optional allows WSP between field name and colon ('Subject : x'); the fields are still Subject and Date (Python's email wrongly takes that line as the start of the body).",
        message_id=mid("space-before-colon"), frm=ALICE, subject="Obsolete space before the colon", date=DATE_UTC,
        body="Body.\n", body_type="text/plain")

    data = T("From: Alice Example <alice@example.com>\n"
             "Subject: Header line without a colon\n"
             "Date: Tue, 05 Mar 2024 14:30:00 +0000\n"
             "Message-ID: <no-colon-line@fixtures.fairdesk.test>\n"
             "This line has no colon at all\n"
             "X-After-The-Broken-Line: yes\n"
             "\n"
             "The real body text.\n")
    add(t, "no-colon-line", data,
        "A line without a colon inside the header block is a defect; whether it ends the header block or is skipped, the fields before it and the body text must survive, so only those are asserted.",
        message_id=mid("no-colon-line"), frm=ALICE, subject="Header line without a colon", date=DATE_UTC,
        body_contains=["The real body text."], has_defects=True)

    data = T("From alice@example.com Tue Mar  5 14:30:00 2024\n"
             "Return-Path: <alice@example.com>\n"
             "From: Alice Example <alice@example.com>\n"
             "To: Fairdesk Support <support@fairdesk.test>\n"
             "Subject: Message exported from an mbox\n"
             "Date: Tue, 05 Mar 2024 14:30:00 +0000\n"
             "Message-ID: <mbox-from-line@fixtures.fairdesk.test>\n"
             "\n"
             "First line.\n"
             ">From here on the mbox quoting is left alone.\n", eol=LF)
    add(t, "mbox-from-line", data,
        "An mbox 'From ' envelope line before the first header is junk to skip, not a header (it has no colon right after the name); '>From' in the body is kept verbatim because un-escaping mbox is not the MIME parser's job.",
        message_id=mid("mbox-from-line"), frm=ALICE, to=[SUPPORT], subject="Message exported from an mbox",
        date=DATE_UTC, body="First line.\n>From here on the mbox quoting is left alone.\n", body_type="text/plain")

    data = (b"From: Alice Example <alice@example.com>\r\n"
            b"X-Junk: before\x00after\r\n"
            b"Subject: NUL bytes in the header block and the body\r\n"
            b"Date: Tue, 05 Mar 2024 14:30:00 +0000\r\n"
            b"Message-ID: <nul-bytes@fixtures.fairdesk.test>\r\n"
            b"\r\n"
            b"before the NUL\x00after the NUL byte\r\nlast line\r\n")
    add(t, "nul-bytes", data,
        "NUL bytes must not truncate parsing (no C-string handling): the fields after the NUL-bearing header and the text after the NUL in the body are still there, while what the NUL itself becomes is not asserted.",
        message_id=mid("nul-bytes"), frm=ALICE, subject="NUL bytes in the header block and the body", date=DATE_UTC,
        body_contains=["before the NUL", "after the NUL byte", "last line"])

    data = ("From: Jürgen Groß <juergen@example.de>\r\n"
            "To: Fairdesk Support <support@fairdesk.test>\r\n"
            "Subject: Grüße aus München – ☕ um 10?\r\n"
            "Date: Tue, 05 Mar 2024 14:30:00 +0000\r\n"
            "Message-ID: <raw-utf8-subject@fixtures.fairdesk.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "\r\n"
            "Grüße!\r\n").encode("utf-8")
    add(t, "raw-utf8-subject", data,
        "Raw UTF-8 bytes in Subject and in a display name (RFC 6532 style) are valid UTF-8, so they decode as UTF-8 (Python's email leaves raw header bytes undecoded as surrogates).",
        frm=A("Jürgen Groß", "juergen@example.de"), subject="Grüße aus München – ☕ um 10?", body="Grüße!\n",
        date=DATE_UTC)

    data = (b"From: Ren\xe9 Lef\xe8vre <rene@example.fr>\r\n"
            b"To: Fairdesk Support <support@fairdesk.test>\r\n"
            b"Subject: Caf\xe9 \x93special\x94 costs \x805\r\n"
            b"Date: Tue, 05 Mar 2024 14:30:00 +0000\r\n"
            b"Message-ID: <raw-latin1-subject@fixtures.fairdesk.test>\r\n"
            b"\r\n"
            b"Plain ASCII body.\r\n")
    add(t, "raw-latin1-subject", data,
        "Raw Latin-1/Windows-1252 bytes in headers of a message with no charset parameter anywhere: not valid UTF-8, so Windows-1252 (0x93/0x94 curly quotes, 0x80 euro); Python's email does not decode raw header bytes.",
        frm=A("René Lefèvre", "rene@example.fr"), subject="Café “special” costs €5", body="Plain ASCII body.\n",
        date=DATE_UTC)

    data = (b"From: \xe9\xd7\xc1\xce \xf0\xc5\xd4\xd2\xcf\xd7 <ivan@example.ru>\r\n"
            b"To: Fairdesk Support <support@fairdesk.test>\r\n"
            b"Subject: " + "Привет, мир: заявка номер 5".encode("koi8_r") + b"\r\n"
            b"Date: Tue, 05 Mar 2024 14:30:00 +0300\r\n"
            b"Message-ID: <raw-koi8r-with-charset@fixtures.fairdesk.test>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=koi8-r\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n"
            b"\r\n" + "Здравствуйте!\r\n".encode("koi8_r"))
    assert b"\xe9\xd7\xc1\xce \xf0\xc5\xd4\xd2\xcf\xd7" == "Иван Петров".encode("koi8_r")
    add(t, "raw-koi8r-with-charset", data,
        "Raw KOI8-R bytes in Subject and From (not valid UTF-8) in a message whose top-level charset is koi8-r: headers decode with that charset, not Windows-1252 (Python's email does not decode raw header bytes).",
        frm=A("Иван Петров", "ivan@example.ru"), subject="Привет, мир: заявка номер 5", date="2024-03-05T11:30:00Z",
        body="Здравствуйте!\n", body_type="text/plain")

    data = (b"From: Alice Example <alice@example.com>\r\n"
            b"To: Fairdesk Support <support@fairdesk.test>\r\n"
            b"Subject: \x93Hi\x94 from the \xe9t\xe9 team\r\n"
            b"Date: Tue, 05 Mar 2024 14:30:00 +0000\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=iso-8859-1\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n"
            b"\r\n"
            b"\x93Quoted\x94 \xe9t\xe9.\r\n")
    add(t, "raw-latin1-with-charset", data,
        "Top-level charset iso-8859-1 names the charset for raw header bytes; ISO-8859-1 is read as Windows-1252 (as browsers and mail clients do), so 0x93/0x94 are curly quotes in both the subject and the body (Python's email does not decode raw header bytes).",
        frm=ALICE, subject="“Hi” from the été team", body="“Quoted” été.\n", body_type="text/plain")

    data = T(ALICE_H + "\n" + SUPPORT_H + "\nSubject: No body at all\nDate: " + DATE +
             "\nMessage-ID: <no-body@fixtures.fairdesk.test>\n\n")
    add(t, "no-body", data,
        "Header block, empty line, then end of data: the body is empty but the message is still a text/plain entity.",
        message_id=mid("no-body"), frm=ALICE, subject="No body at all", date=DATE_UTC, body="", body_type="text/plain",
        attachments=[], has_defects=False)

    data = T(ALICE_H + "\n" + SUPPORT_H + "\nSubject: Headers only, no separator line\nDate: " + DATE +
             "\nMessage-ID: <no-blank-line@fixtures.fairdesk.test>\n")
    add(t, "no-blank-line", data,
        "A message that is only header fields (RFC 5322 3.5: the empty line appears only when a body follows): empty text/plain body.",
        message_id=mid("no-blank-line"), frm=ALICE, subject="Headers only, no separator line", date=DATE_UTC,
        body="", body_type="text/plain", attachments=[])

    data = B(ALICE_H + "\r\n" + SUPPORT_H + "\r\nDate: " + DATE + "\r\nSubject: Ends without a newline")
    add(t, "no-final-newline", data,
        "The last header field is cut off without its CRLF at the end of the data: the field is still complete.",
        frm=ALICE, subject="Ends without a newline", date=DATE_UTC, body="")

    data = T(ALICE_H + "\nTo:\nCc:   \nSubject:\nDate:\nMessage-ID:\n\nBody.\n")
    add(t, "empty-values", data,
        "Fields present with empty values: an empty Subject is \"\" (present, trimmed), empty address lists are [], an empty Message-ID or Date is null.",
        message_id=None, frm=ALICE, to=[], cc=[], subject="", date=None, body="Body.\n")

    data = T(ALICE_H + "\n" + SUPPORT_H + "\nSubject: The first subject\nDate: " + DATE +
             "\nSubject: The second subject\n\nBody.\n")
    add(t, "duplicate-subject", data,
        "Two Subject fields: the first one wins.",
        frm=ALICE, subject="The first subject", date=DATE_UTC, body="Body.\n")

    data = ("from: Alice Example <alice@example.com>\r\n"
            "TO: Fairdesk Support <support@fairdesk.test>\r\n"
            "SUBJECT: Field names in odd case\r\n"
            "DATE: " + DATE + "\r\n"
            "MESSAGE-ID: <case-insensitive-names@fixtures.fairdesk.test>\r\n"
            "mime-version: 1.0\r\n"
            "content-type: TEXT/PLAIN; CHARSET=UTF-8\r\n"
            "CONTENT-TRANSFER-ENCODING: QUOTED-PRINTABLE\r\n"
            "\r\n"
            "Gr=C3=BC=C3=9Fe\r\n").encode()
    add(t, "case-insensitive-names", data,
        "Field names, media types, parameter names and encoding names are case-insensitive (RFC 5322 1.2.2, RFC 2045).",
        message_id=mid("case-insensitive-names"), frm=ALICE, to=[SUPPORT], subject="Field names in odd case",
        date=DATE_UTC, body="Grüße\n", body_type="text/plain")

    data = T(ALICE_H + "\nSubject: Message-ID with a comment\nDate: " + DATE +
             "\nMessage-ID:   <abc.123$x@host.example.com>   (generated by hand)\n\nBody.\n")
    add(t, "message-id-comment", data,
        "Message-ID with surrounding whitespace and a trailing comment: the msg-id without angle brackets.",
        message_id="abc.123$x@host.example.com", frm=ALICE, subject="Message-ID with a comment")

    data = T(ALICE_H + "\nSubject: Message-ID without brackets\nDate: " + DATE +
             "\nMessage-ID: bare-id-1234@example.com\n\nBody.\n")
    add(t, "message-id-no-brackets", data,
        "Some broken mailers omit the angle brackets; the id is still usable for threading, so it is returned as written.",
        message_id="bare-id-1234@example.com", frm=ALICE, subject="Message-ID without brackets")

    data = T(ALICE_H + "\n" + SUPPORT_H + "\nSubject: Re: Printer on floor 3\nDate: " + DATE +
             "\nMessage-ID: <reply-2@example.com>\nIn-Reply-To: <reply-1@example.com>\n"
             "References: <root@example.com>\n <reply-0@example.com>\n\t<reply-1@example.com>\n\nThanks.\n")
    add(t, "in-reply-to-references", data,
        "In-Reply-To and a References field folded over three lines: ids without brackets, in order.",
        message_id="reply-2@example.com", frm=ALICE, subject="Re: Printer on floor 3", in_reply_to="reply-1@example.com",
        references=["root@example.com", "reply-0@example.com", "reply-1@example.com"])

    data = T(ALICE_H + "\nSubject: Re: obsolete threading fields\nDate: " + DATE +
             "\nMessage-ID: <obs-3@example.com>\n"
             "In-Reply-To: \"Your message of Mon, 4 Mar 2024 09:00:00\" <obs-2@example.com>\n"
             "References: <obs-1@example.com><obs-2@example.com>\n\n.\n")
    add(t, "obsolete-threading", data,
        "RFC 5322 4.5.4 obs-in-reply-to allows a phrase before the msg-id (old Sendmail/Eudora style); msg-ids in References need not be separated by whitespace.",
        message_id="obs-3@example.com", frm=ALICE, subject="Re: obsolete threading fields",
        in_reply_to="obs-2@example.com", references=["obs-1@example.com", "obs-2@example.com"])

    data = T(ALICE_H + "\nSubject:     padded with spaces and a tab\t   \nDate: " + DATE + "\n\nBody.\n")
    add(t, "subject-trimmed", data,
        "Leading and trailing whitespace around the subject is trimmed; inner whitespace is kept.",
        frm=ALICE, subject="padded with spaces and a tab", body="Body.\n")

    data = T(ALICE_H + "\nSubject: Missing Message-ID and Date\n\nBody.\n")
    add(t, "missing-fields", data,
        "No Message-ID, Date, To, In-Reply-To or References: null/empty values rather than failures.",
        message_id=None, frm=ALICE, to=[], cc=[], reply_to=[], subject="Missing Message-ID and Date", date=None,
        in_reply_to=None, references=[], body="Body.\n")

# ================================================================ addresses/

def addr_msg(name, fields, subject, eol=CRLF):
    h = list(fields) + [f"Subject: {subject}", f"Date: {DATE}", f"Message-ID: <{name}@fixtures.fairdesk.test>"]
    return message(Leaf(h, T("Body.\n", eol)), eol)


def gen_addresses():
    t = "addresses"
    add(t, "quoted-with-comma", addr_msg("quoted-with-comma", [
        'From: "Doe, John" <john.doe@example.com>',
        'To: "Smith, Anna (IT)" <anna@example.com>, bob@example.com',
        'Cc: "Support; Tier 2" <tier2@example.com>'], "Quoted display names"),
        "A comma, parentheses or a semicolon inside a quoted display name does not split the list.",
        frm=A("Doe, John", "john.doe@example.com"), to=[A("Smith, Anna (IT)", "anna@example.com"), A(None, "bob@example.com")],
        cc=[A("Support; Tier 2", "tier2@example.com")], subject="Quoted display names")

    add(t, "encoded-name", addr_msg("encoded-name", [
        "From: =?UTF-8?Q?Fran=C3=A7ois_M=C3=BCller?= <francois@example.fr>",
        "To: =?ISO-8859-1?Q?Ren=E9e?= <renee@example.com>, =?UTF-8?B?5bGx55Sw5aSq6YOO?= <yamada@example.jp>"],
        "Encoded display names"),
        "RFC 2047 encoded words in display names (Q and B, UTF-8 and ISO-8859-1).",
        frm=A("François Müller", "francois@example.fr"),
        to=[A("Renée", "renee@example.com"), A("山田太郎", "yamada@example.jp")], subject="Encoded display names")

    add(t, "encoded-name-with-comma", addr_msg("encoded-name-with-comma", [
        "From: Alice Example <alice@example.com>",
        "To: =?UTF-8?Q?Doe=2C_Jane?= <jane@example.com>, =?UTF-8?B?TcO8bGxlciwgSGFucw==?= <hans@example.de>"],
        "Comma inside an encoded display name"),
        "A comma produced by decoding an encoded word is part of the name, never a list separator (decode after splitting).",
        frm=ALICE, to=[A("Doe, Jane", "jane@example.com"), A("Müller, Hans", "hans@example.de")],
        subject="Comma inside an encoded display name")

    add(t, "encoded-in-quotes", addr_msg("encoded-in-quotes", [
        'From: "=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?=" <joerg@example.de>',
        'To: "=?ISO-8859-1?Q?Fr=E9d=E9ric?= (Sales)" <fred@example.fr>'], "Encoded words inside quotes"),
        "RFC 2047 5 forbids encoded words inside quoted strings, but Outlook and others send them and Thunderbird, Apple Mail and Python decode them; so do we.",
        frm=A("Jörg Müller", "joerg@example.de"), to=[A("Frédéric (Sales)", "fred@example.fr")],
        subject="Encoded words inside quotes")

    add(t, "groups", addr_msg("groups", [
        ALICE_H,
        'To: Support Team: carol@example.com, "Bob B." <bob@example.com>;, dave@example.com',
        "Cc: undisclosed-recipients:;"], "Group syntax"),
        "RFC 5322 3.4 groups are flattened into their members; an empty group yields no address.",
        frm=ALICE, to=[A(None, "carol@example.com"), A("Bob B.", "bob@example.com"), A(None, "dave@example.com")],
        cc=[], subject="Group syntax")

    add(t, "comments", addr_msg("comments", [
        "From: Pete(a nice \\) chap) <pete(his account)@silly.example(his host)>",
        "To: john@example.com (John Doe), \"Jane\" <jane@example.com> (Work)"], "Comments in addresses"),
        "Comments are CFWS and vanish (RFC 5322 3.2.2, A.5); when an address has no display name, the old 'addr (Full Name)' comment is used as the name, as Python's email.utils.parseaddr, Perl Mail::Address and nodemailer do (Python's policy.default header objects drop it).",
        frm=A("Pete", "pete@silly.example"), to=[A("John Doe", "john@example.com"), A("Jane", "jane@example.com")],
        subject="Comments in addresses")

    add(t, "obsolete-route", addr_msg("obsolete-route", [
        "From: Route User <@relay1.example,@relay2.example:route@example.com>",
        "To: <@gw.example:support@fairdesk.test>"], "Obsolete source routes"),
        "RFC 5322 4.4 obs-route: the route before the colon is ignored; the address is the addr-spec after it.",
        frm=A("Route User", "route@example.com"), to=[A(None, "support@fairdesk.test")], subject="Obsolete source routes")

    add(t, "missing-angle-close", addr_msg("missing-angle-close", [
        "From: John Doe <john@example.com",
        SUPPORT_H], "Missing closing angle bracket"),
        "The closing '>' is missing at the end of the field: the address is recovered and the defect recorded (Python recovers without recording one).",
        frm=A("John Doe", "john@example.com"), to=[SUPPORT], subject="Missing closing angle bracket", has_defects=True)

    add(t, "bare-addr-spec", addr_msg("bare-addr-spec", [
        "From: alice@example.com",
        "To: support@fairdesk.test,bob@example.com"], "Bare addresses"),
        "Addresses without display names or angle brackets: name is null.",
        frm=A(None, "alice@example.com"), to=[A(None, "support@fairdesk.test"), A(None, "bob@example.com")],
        subject="Bare addresses")

    add(t, "empty-angle", addr_msg("empty-angle", [
        "Return-Path: <>",
        ALICE_H,
        'Cc: <>, "Real Person" <real@example.com>'], "Null address in a list"),
        "'<>' is the null reverse-path, not a mailbox; inside an address list it is skipped and the rest of the list is kept (Python returns '<>' as if it were an address).",
        frm=ALICE, cc=[A("Real Person", "real@example.com")], subject="Null address in a list")

    data = ("From: Jörg Müller <jörg@müller.example>\r\n"
            "To: 用户 <用户@例子.广告>, Ελένη <eleni@παράδειγμα.δοκιμή>\r\n"
            "Subject: UTF-8 addresses\r\nDate: " + DATE + "\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nBody.\r\n").encode()
    add(t, "utf8-addresses", data,
        "RFC 6532 internationalized addresses: raw UTF-8 in local part, domain and name, returned as written (no punycode conversion; Python's email leaves the raw bytes undecoded).",
        frm=A("Jörg Müller", "jörg@müller.example"),
        to=[A("用户", "用户@例子.广告"), A("Ελένη", "eleni@παράδειγμα.δοκιμή")], subject="UTF-8 addresses")

    add(t, "escaped-quotes", addr_msg("escaped-quotes", [
        'From: "John \\"JD\\" Doe" <jd@example.com>',
        'To: "back\\\\slash" <bs@example.com>'], "Quoted pairs in display names"),
        "Quoted pairs inside a quoted string are unescaped: \\\" is a quote and \\\\ is one backslash.",
        frm=A('John "JD" Doe', "jd@example.com"), to=[A("back\\slash", "bs@example.com")],
        subject="Quoted pairs in display names")

    add(t, "obs-phrase-dots", addr_msg("obs-phrase-dots", [
        "From: John Q. Public <jqp@example.com>",
        "To: Dr. Who <who@example.com>"], "Unquoted periods in display names"),
        "RFC 5322 4.1 obs-phrase allows '.' in an unquoted display name.",
        frm=A("John Q. Public", "jqp@example.com"), to=[A("Dr. Who", "who@example.com")],
        subject="Unquoted periods in display names")

    add(t, "quoted-local-part", addr_msg("quoted-local-part", [
        'From: "john doe"@example.com',
        'To: Support <"support desk"@fairdesk.test>'], "Quoted local parts"),
        "A quoted-string local part is kept as written, quotes included.",
        frm=A(None, '"john doe"@example.com'), to=[A("Support", '"support desk"@fairdesk.test')],
        subject="Quoted local parts")

    add(t, "reply-to-multiple", addr_msg("reply-to-multiple", [
        ALICE_H, SUPPORT_H,
        'Reply-To: tickets@example.com, "Ops Team" <ops@example.com>'], "Reply-To with two addresses"),
        "Reply-To is an address list like To.",
        frm=ALICE, to=[SUPPORT], reply_to=[A(None, "tickets@example.com"), A("Ops Team", "ops@example.com")],
        subject="Reply-To with two addresses")

    add(t, "folded-address-list", addr_msg("folded-address-list", [
        ALICE_H,
        "To: Anna One <anna@example.com>,\n  Bob Two <bob@example.com>,\n\t\"Three, Carol\"\n <carol@example.com>"],
        "Folded address list"),
        "An address list folded across lines, including a fold between the display name and the angle address.",
        frm=ALICE, to=[A("Anna One", "anna@example.com"), A("Bob Two", "bob@example.com"), A("Three, Carol", "carol@example.com")],
        subject="Folded address list")

    add(t, "empty-display-name", addr_msg("empty-display-name", [
        'From: "" <nobody@example.com>',
        "To: <support@fairdesk.test>"], "Empty display name"),
        "An empty quoted display name is the same as none: name null.",
        frm=A(None, "nobody@example.com"), to=[A(None, "support@fairdesk.test")], subject="Empty display name")

    add(t, "adjacent-encoded-name", addr_msg("adjacent-encoded-name", [
        "From: =?UTF-8?B?5bGx55Sw?= =?UTF-8?B?5aSq6YOO?= <yamada@example.jp>",
        "To: Dr. =?UTF-8?Q?J=C3=BCrgen?= Schmidt <js@example.de>"], "Adjacent and mixed encoded words in names"),
        "RFC 2047 6.2: whitespace between two adjacent encoded words is dropped, in a phrase too (Python keeps it there, which is wrong); between an encoded word and plain words it is kept.",
        frm=A("山田太郎", "yamada@example.jp"), to=[A("Dr. Jürgen Schmidt", "js@example.de")],
        subject="Adjacent and mixed encoded words in names")

    add(t, "angle-no-space", addr_msg("angle-no-space", [
        "From: Alice Example<alice@example.com>",
        "To: \"Support\"<support@fairdesk.test>,Bob<bob@example.com>"], "No space before the angle bracket"),
        "No whitespace is required between a display name and '<'; the names are still separated correctly.",
        frm=ALICE, to=[A("Support", "support@fairdesk.test"), A("Bob", "bob@example.com")],
        subject="No space before the angle bracket")

# ================================================================ encoded-words/

def subj_msg(name, subject_field, eol=CRLF, extra=()):
    """`subject_field` is the raw field body (may contain "\\n" for folds)."""
    h = [ALICE_H, SUPPORT_H, "Subject: " + subject_field, f"Date: {DATE}",
         f"Message-ID: <{name}@fixtures.fairdesk.test>"] + list(extra)
    return message(Leaf(h, T("Body.\n", eol)), eol)


def gen_encoded_words():
    t = "encoded-words"
    add(t, "q-basic", subj_msg("q-basic", "=?UTF-8?Q?Caf=C3=A9_au_lait_=E2=80=94_2_=E2=82=AC?="),
        "Q encoding: '_' is a space, =XX is a byte.", frm=ALICE, subject="Café au lait — 2 €")

    s = "Ünïcödé ✓ 日本語"
    add(t, "b-basic", subj_msg("b-basic", f"=?UTF-8?B?{b64w(s)}?="),
        "B encoding of UTF-8.", frm=ALICE, subject=s)

    add(t, "lowercase-q-b", subj_msg("lowercase-q-b",
        "=?utf-8?q?caf=c3=a9?= and =?iso-8859-1?b?" + base64.b64encode("naïve".encode("latin-1")).decode() + "?="),
        "Encoding letters, charset names and Q hex digits may be lower-case (RFC 2047 4: encoding is case-insensitive; lower-case hex is accepted as real clients do).",
        frm=ALICE, subject="café and naïve")

    raw = "日本語のテスト".encode()
    w1 = base64.b64encode(raw[:4]).decode()      # ends one byte into the second character
    w2 = base64.b64encode(raw[4:]).decode()
    add(t, "split-multibyte-b", subj_msg("split-multibyte-b", f"=?UTF-8?B?{w1}?=\n =?UTF-8?B?{w2}?="),
        "A mailer split the UTF-8 bytes of one character across two adjacent B words; adjacent words in the same charset are joined as bytes before decoding (as Thunderbird and Python do), giving no replacement characters.",
        frm=ALICE, subject="日本語のテスト")

    add(t, "split-multibyte-q", subj_msg("split-multibyte-q", "=?UTF-8?Q?Gr=C3?= =?UTF-8?Q?=BC=C3=9Fe?="),
        "The same split with Q words: '\u00fc' is C3 BC and its two bytes are in different words.",
        frm=ALICE, subject="Grüße")

    add(t, "adjacent-whitespace-dropped", subj_msg("adjacent-whitespace-dropped",
        "=?UTF-8?Q?Hello?=   =?UTF-8?Q?_World?=\t=?UTF-8?Q?!?="),
        "RFC 2047 6.2: linear whitespace between two adjacent encoded words is ignored; a space inside a word (the '_') is kept.",
        frm=ALICE, subject="Hello World!")

    add(t, "adjacent-folded", subj_msg("adjacent-folded",
        "=?ISO-8859-1?Q?Ol=E1_?=\n =?ISO-8859-1?Q?se=F1or?=\n\t=?ISO-8859-1?Q?_G=F3mez?="),
        "Encoded words separated by folds (CRLF + space/tab): the folding whitespace between them is dropped too.",
        frm=ALICE, subject="Olá señor Gómez")

    add(t, "mixed-with-text", subj_msg("mixed-with-text",
        "Re: [Ticket #42] =?UTF-8?Q?R=C3=A9sum=C3=A9?= attached =?UTF-8?B?4pyU?= done"),
        "Whitespace between an encoded word and ordinary text is kept.",
        frm=ALICE, subject="Re: [Ticket #42] Résumé attached ✔ done")

    add(t, "missing-terminator", subj_msg("missing-terminator", "Status: =?UTF-8?Q?Unterminated_word"),
        "Strictly not an encoded word without the closing '?=' (RFC 2047 2), but mailers that truncate headers send it; "
        "the issue asks for this broken form to be decoded, and the intent is unambiguous. Python keeps it literal.",
        frm=ALICE, subject="Status: Unterminated word", has_defects=True)

    add(t, "unknown-charset", subj_msg("unknown-charset", "=?x-unknown-charset?Q?caf=C3=A9_cr=C3=A8me?="),
        "An unknown charset label over bytes that are valid UTF-8 decodes as UTF-8 (same rule as bodies).",
        frm=ALICE, subject="café crème")

    add(t, "unknown-charset-latin1", subj_msg("unknown-charset-latin1", "=?x-mac-whatever?Q?caf=E9_=93ok=94?="),
        "An unknown charset label over bytes that are not UTF-8 decodes as Windows-1252 (Python gives replacement characters).",
        frm=ALICE, subject="café “ok”")

    add(t, "latin1-as-windows-1252", subj_msg("latin1-as-windows-1252", "=?ISO-8859-1?Q?Price_=80100_=96_=93final=94?="),
        "ISO-8859-1 is read as Windows-1252, so 0x80 is the euro sign, 0x96 an en dash, 0x93/0x94 curly quotes (Python's latin-1 would give C1 controls here).",
        frm=ALICE, subject="Price €100 – “final”")

    add(t, "language-tag", subj_msg("language-tag", "=?UTF-8*en-US?Q?Hello_there?= =?ISO-8859-1*fr?Q?_caf=E9?="),
        "RFC 2231 5 language suffix after the charset ('UTF-8*en-US') is ignored for decoding.",
        frm=ALICE, subject="Hello there café")

    add(t, "q-specials", subj_msg("q-specials", "=?UTF-8?Q?a_b=5Fc=3Dd=3F_=2A?="),
        "Encoded '_', '=', '?' and '*' in Q: only a literal '_' means space.",
        frm=ALICE, subject="a b_c=d? *")

    add(t, "mixed-charsets-adjacent", subj_msg("mixed-charsets-adjacent",
        "=?ISO-8859-1?Q?caf=E9?= =?UTF-8?Q?_=E2=9C=93?= =?KOI8-R?B?" +
        base64.b64encode(" мир".encode("koi8_r")).decode() + "?="),
        "Adjacent words in different charsets: each decoded with its own charset, the whitespace between them dropped.",
        frm=ALICE, subject="café ✓ мир")

    add(t, "koi8r-b", subj_msg("koi8r-b", "=?KOI8-R?B?" + base64.b64encode("Заявка: не работает принтер".encode("koi8_r")).decode() + "?="),
        "A KOI8-R B word, as Russian mailers send.", frm=ALICE, subject="Заявка: не работает принтер")

    long_s = "Invitation: Quarterly review of the support queue – all hands – Ünterföhring office"
    raw = long_s.encode()
    words = []
    i = 0
    while i < len(raw):
        j = min(i + 30, len(raw))
        while j < len(raw) and (raw[j] & 0xC0) == 0x80:
            j += 1
        words.append("=?UTF-8?Q?" + qw(raw[i:j]) + "?=")
        i = j
    add(t, "long-folded", subj_msg("long-folded", "\n ".join(words)),
        "A long subject encoded as several Q words, one per folded line: decodes to the original text without extra spaces.",
        frm=ALICE, subject=long_s)

    add(t, "encoded-in-display-name-and-subject-lf", subj_msg("encoded-in-display-name-and-subject-lf",
        "=?UTF-8?B?" + b64w("Ответ: ваша заявка") + "?=", eol=LF),
        "The same decoding in a message with bare LF line ends.", frm=ALICE, subject="Ответ: ваша заявка")

    png_data = png(2, 2, "ew-filename")
    fname = "Übersicht März.png"
    msgb = message(Multi(top("Encoded word in a filename", "in-filename") +
                         ['Content-Type: multipart/mixed; boundary="ew-b"'], "ew-b", [
        text_leaf("See attachment.\n"),
        Leaf([f'Content-Type: image/png; name="=?UTF-8?B?{b64w(fname)}?="',
              f'Content-Disposition: attachment; filename="=?UTF-8?Q?{qw(fname.encode())}?="',
              "Content-Transfer-Encoding: base64"], b64(png_data))]))
    add(t, "in-filename", msgb,
        "Non-standard but common (Outlook, Gmail web): RFC 2047 encoded words inside quoted name/filename parameters are decoded.",
        frm=ALICE, subject="Encoded word in a filename", body="See attachment.\n", body_type="text/plain",
        attachments=[att(fname, "image/png", "attachment", png_data)])

# ================================================================ mime/

def embedded_message(tag):
    """A complete message to embed as message/rfc822 (its own multipart with an attachment)."""
    inner_png = png(3, 2, "embedded-" + tag)
    m = Multi(["From: Bob Original <bob@example.org>", "To: Alice Example <alice@example.com>",
               f"Subject: Original message {tag}", "Date: Mon, 04 Mar 2024 09:00:00 +0100",
               f"Message-ID: <original-{tag}@example.org>", "MIME-Version: 1.0",
               'Content-Type: multipart/mixed; boundary="inner-orig-b"'], "inner-orig-b", [
        text_leaf(f"This is the original message {tag}.\n"),
        file_leaf("image/png", inner_png, "inside.png")])
    return message(m)


def gen_mime():
    t = "mime"
    plain = "Hello,\n\nthis is the plain text alternative.\n"
    html = "<html><body><p>Hello,</p><p>this is the <b>HTML</b> alternative.</p></body></html>\n"
    m = Multi(top("Plain and HTML alternatives", "alternative-plain-html") +
              ['Content-Type: multipart/alternative; boundary="alt-1"'], "alt-1",
              [text_leaf(plain), text_leaf(html, "html")])
    add(t, "alternative-plain-html", message(m),
        "multipart/alternative with text/plain then text/html: the plain part is the body and nothing is an attachment.",
        frm=ALICE, subject="Plain and HTML alternatives", body=plain, body_type="text/plain", attachments=[],
        has_defects=False)

    m = Multi(top("HTML alternative first", "alternative-html-first") +
              ['Content-Type: multipart/alternative; boundary="alt-2"'], "alt-2",
              [text_leaf(html, "html"), text_leaf(plain)])
    add(t, "alternative-html-first", message(m),
        "The alternatives in the wrong order (HTML first): the body is still the first text/plain leaf.",
        frm=ALICE, subject="HTML alternative first", body=plain, body_type="text/plain", attachments=[])

    logo = png(8, 4, "logo")
    report = pdf("quarterly report")
    m = Multi(top("Nested multiparts", "nested-mixed-alt-related") +
              ['Content-Type: multipart/mixed; boundary="mixed-b"'], "mixed-b", [
        Multi(['Content-Type: multipart/alternative; boundary="alt-b"'], "alt-b", [
            text_leaf("See the logo and the report.\n"),
            Multi(['Content-Type: multipart/related; boundary="rel-b"; type="text/html"'], "rel-b", [
                text_leaf('<p>See the logo <img src="cid:logo@fairdesk.test"> and the report.</p>\n', "html"),
                file_leaf("image/png", logo, "logo.png", "inline", extra=["Content-ID: <logo@fairdesk.test>"])])]),
        file_leaf("application/pdf", report, "report.pdf")])
    add(t, "nested-mixed-alt-related", message(m),
        "mixed > alternative > related > (html, inline image) plus a PDF: leaves in document order; the inline image and the PDF are attachments.",
        frm=ALICE, subject="Nested multiparts", body="See the logo and the report.\n", body_type="text/plain",
        attachments=[att("logo.png", "image/png", "inline", logo), att("report.pdf", "application/pdf", "attachment", report)],
        has_defects=False)

    notes = b"Notes line 1\r\nNotes line 2\r\n"
    m = Multi(top("Preamble and epilogue", "preamble-epilogue") +
              ['Content-Type: multipart/mixed; boundary="pe-b"'], "pe-b", [
        text_leaf("Only this is the body.\n"),
        file_leaf("text/plain", notes, "notes.txt", cte="7bit")],
        preamble="This is a multi-part message in MIME format.\r\nIf you see this, your mailer is old.",
        epilogue="This epilogue is not part of any entity.\r\n")
    add(t, "preamble-epilogue", message(m),
        "Text before the first delimiter (preamble) and after the close delimiter (epilogue) belongs to no part; the 7bit text attachment keeps its own final CRLF because the CRLF before the next delimiter belongs to the delimiter.",
        frm=ALICE, subject="Preamble and epilogue", body="Only this is the body.\n", body_type="text/plain",
        attachments=[att("notes.txt", "text/plain", "attachment", notes)])

    data_pdf = pdf("unterminated")
    m = Multi(top("Missing closing boundary", "missing-closing-boundary") +
              ['Content-Type: multipart/mixed; boundary="mc-b"'], "mc-b", [
        text_leaf("The close delimiter never comes.\n"),
        file_leaf("application/pdf", data_pdf, "unterminated.pdf")], close=False)
    add(t, "missing-closing-boundary", message(m) + CRLF,
        "No close delimiter: the last part runs to the end of the data (its trailing CRLF is whitespace to base64), and the missing delimiter is a defect.",
        frm=ALICE, subject="Missing closing boundary", body="The close delimiter never comes.\n", body_type="text/plain",
        attachments=[att("unterminated.pdf", "application/pdf", "attachment", data_pdf)], has_defects=True)

    m = Multi(top("Wrong closing boundary", "wrong-closing-boundary") +
              ['Content-Type: multipart/mixed; boundary="Part_Boundary_01"'], "Part_Boundary_01", [
        text_leaf("First part."), text_leaf("Second part.\n")], close=False)
    data = message(m) + b"\r\n--Part_Boundary_02--\r\n"
    add(t, "wrong-closing-boundary", data,
        "The close line names another boundary, so it is ordinary text of the last part, which runs to the end of the data including its final CRLF (no delimiter follows to claim it; Python drops it); both text parts are body pieces (the first lacks a final newline, so one is added before the join).",
        frm=ALICE, subject="Wrong closing boundary",
        body=join_body("First part.", "Second part.\n\n--Part_Boundary_02--\n"), body_type="text/plain",
        attachments=[], has_defects=True)

    report2 = pdf("inner missing close")
    m = Multi(top("Inner multipart not closed", "inner-missing-close") +
              ['Content-Type: multipart/mixed; boundary="outer-b"'], "outer-b", [
        Multi(['Content-Type: multipart/alternative; boundary="inner-b"'], "inner-b", [
            text_leaf("Plain alternative.\n"), text_leaf("<p>HTML alternative.</p>\n", "html")], close=False),
        file_leaf("application/pdf", report2, "after-inner.pdf")])
    add(t, "inner-missing-close", message(m),
        "The inner alternative is never closed; the outer delimiter ends it (an enclosing boundary terminates every open inner multipart), so the PDF after it is still found.",
        frm=ALICE, subject="Inner multipart not closed", body="Plain alternative.\n", body_type="text/plain",
        attachments=[att("after-inner.pdf", "application/pdf", "attachment", report2)], has_defects=True)

    csv = b"id,name\r\n1,printer\r\n"
    bd = "'()+_,-./:=?"
    m = Multi(top("Boundary with special characters", "boundary-special-chars") +
              [f'Content-Type: multipart/mixed; boundary="{bd}"'], bd, [
        text_leaf("All of RFC 2046's bcharsnospace.\n"), file_leaf("text/csv", csv, "data.csv", cte="7bit")])
    add(t, "boundary-special-chars", message(m),
        "A boundary made of every special character RFC 2046 allows (' ( ) + _ , - . / : = ?), quoted in the parameter.",
        frm=ALICE, subject="Boundary with special characters", body="All of RFC 2046's bcharsnospace.\n",
        body_type="text/plain", attachments=[att("data.csv", "text/csv", "attachment", csv)], has_defects=False)

    m = Multi(top("Boundary with a space", "boundary-with-space") +
              ['Content-Type: multipart/mixed; boundary="simple boundary"'], "simple boundary", [
        text_leaf("Body with a spaced boundary.\n"), file_leaf("text/csv", csv, "data.csv", cte="7bit")])
    add(t, "boundary-with-space", message(m),
        "A space inside a quoted boundary is allowed (not at the end); delimiter lines carry it.",
        frm=ALICE, subject="Boundary with a space", body="Body with a spaced boundary.\n", body_type="text/plain",
        attachments=[att("data.csv", "text/csv", "attachment", csv)])

    tricky = "Line one\n--frontier-not-a-delimiter\n--frontierX\n-- frontier\n ----frontier\nLast line\n"
    m = Multi(top("Boundary as a prefix of body lines", "boundary-prefix-in-body") +
              ['Content-Type: multipart/mixed; boundary="frontier"'], "frontier", [
        text_leaf(tricky), file_leaf("text/csv", csv, "data.csv", cte="7bit")])
    add(t, "boundary-prefix-in-body", message(m),
        "Lines that merely start with '--frontier' are not delimiters: a delimiter line is '--' + boundary + optional '--' + optional whitespace only, the whole-line match Thunderbird, MimeKit and Python use (RFC 2046 5.1.1's prefix-match note assumes senders never produce such lines; real mail does).",
        frm=ALICE, subject="Boundary as a prefix of body lines", body=tricky, body_type="text/plain",
        attachments=[att("data.csv", "text/csv", "attachment", csv)])

    img = png(4, 4, "prefix-nested")
    m = Multi(top("Nested boundary sharing a prefix", "nested-prefix-boundaries") +
              ['Content-Type: multipart/mixed; boundary="=_b"'], "=_b", [
        Multi(['Content-Type: multipart/alternative; boundary="=_b_alt"'], "=_b_alt", [
            text_leaf("Inner plain.\n"), text_leaf("<p>Inner html.</p>\n", "html")]),
        file_leaf("image/png", img, "pic.png")])
    add(t, "nested-prefix-boundaries", message(m),
        "The inner boundary '=_b_alt' starts with the outer '=_b'; matching whole delimiter lines keeps the structure intact (a prefix matcher would cut the message apart).",
        frm=ALICE, subject="Nested boundary sharing a prefix", body="Inner plain.\n", body_type="text/plain",
        attachments=[att("pic.png", "image/png", "attachment", img)])

    emb = embedded_message("A")
    m = Multi(top("Fwd: Original message A", "message-rfc822-part") +
              ['Content-Type: multipart/mixed; boundary="fwd-b"'], "fwd-b", [
        text_leaf("Forwarding the message below.\n"),
        Leaf(["Content-Type: message/rfc822"], emb)])
    add(t, "message-rfc822-part", message(m),
        "A message/rfc822 part is one attachment (the walk does not descend into it), its bytes the embedded message exactly; the image inside it is not a separate attachment.",
        frm=ALICE, subject="Fwd: Original message A", body="Forwarding the message below.\n", body_type="text/plain",
        attachments=[att(None, "message/rfc822", None, emb)], has_defects=False)

    m1 = T("From: Carol <carol@example.net>\nSubject: Digest item one\nDate: Mon, 04 Mar 2024 10:00:00 +0000\n\nFirst item.\n")
    m2 = T("From: Dan <dan@example.net>\nSubject: Digest item two\nDate: Mon, 04 Mar 2024 11:00:00 +0000\n"
           "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nSecond item.\n")
    m = Multi(top("Support list digest, Vol 7, Issue 3", "digest") +
              ['Content-Type: multipart/digest; boundary="dig-b"'], "dig-b", [
        Leaf(["Content-Type: text/plain; charset=us-ascii"], T("Today's topics:\n  1. Digest item one\n  2. Digest item two\n")),
        Leaf([], m1), Leaf([], m2)])
    add(t, "digest", message(m),
        "In multipart/digest a part without Content-Type is message/rfc822 (RFC 2046 5.1.5): the two items are message attachments, the explicit text/plain part is the body.",
        frm=ALICE, subject="Support list digest, Vol 7, Issue 3",
        body="Today's topics:\n  1. Digest item one\n  2. Digest item two\n", body_type="text/plain",
        attachments=[att(None, "message/rfc822", None, m1), att(None, "message/rfc822", None, m2)])

    data = T(ALICE_H + "\n" + SUPPORT_H + "\nSubject: No Content-Type at all\nDate: " + DATE +
             "\nMessage-ID: <no-content-type@fixtures.fairdesk.test>\n\nPlain old RFC 822 mail.\n")
    add(t, "no-content-type", data,
        "No MIME fields at all: the default is text/plain; charset=us-ascii (RFC 2045 5.2).",
        frm=ALICE, subject="No Content-Type at all", body="Plain old RFC 822 mail.\n", body_type="text/plain",
        attachments=[], has_defects=False)

    data = message(Leaf(top("Content-Type without a subtype", "content-type-no-subtype") +
                        ["Content-Type: text", "Content-Transfer-Encoding: 7bit"], T("Treated as plain text.\n")))
    add(t, "content-type-no-subtype", data,
        "'Content-Type: text' is syntactically invalid; RFC 2045 5.2 says to assume text/plain; charset=us-ascii, and the recovery is a defect (Python recovers silently).",
        frm=ALICE, subject="Content-Type without a subtype", body="Treated as plain text.\n", body_type="text/plain",
        attachments=[], has_defects=True)

    head = render_headers(top("Transport padding after delimiters", "transport-padding") +
                          ['Content-Type: multipart/mixed; boundary="tp-b"'], CRLF) + CRLF
    data = (head + b"--tp-b \t \r\n" + render(text_leaf("Padded delimiters.\n")) + b"\r\n--tp-b\t\r\n" +
            render(file_leaf("text/csv", csv, "data.csv", cte="7bit")) + b"\r\n--tp-b--   \r\n")
    add(t, "transport-padding", data,
        "RFC 2046 allows linear whitespace (transport padding) after a delimiter or close delimiter; those lines are still delimiters.",
        frm=ALICE, subject="Transport padding after delimiters", body="Padded delimiters.\n", body_type="text/plain",
        attachments=[att("data.csv", "text/csv", "attachment", csv)])

    img2 = png(5, 3, "lf-multipart")
    m = Multi(top("Multipart with bare LF line ends", "lf-multipart") +
              ['Content-Type: multipart/mixed; boundary="lf-b"'], "lf-b", [
        text_leaf("Stored with LF only.\n", eol=LF), file_leaf("image/png", img2, "lf.png", eol=LF)])
    add(t, "lf-multipart", message(m, LF),
        "A whole multipart message with bare LF line ends (Maildir export): delimiters, headers and base64 work the same.",
        frm=ALICE, subject="Multipart with bare LF line ends", body="Stored with LF only.\n", body_type="text/plain",
        attachments=[att("lf.png", "image/png", "attachment", img2)])

    m = Multi(top("Part without headers", "part-without-headers") +
              ['Content-Type: multipart/mixed; boundary="nh-b"'], "nh-b", [
        Leaf([], T("This part has no header fields.\n")), file_leaf("text/csv", csv, "data.csv", cte="7bit")])
    add(t, "part-without-headers", message(m),
        "A part with an empty header block defaults to text/plain; charset=us-ascii and is the body.",
        frm=ALICE, subject="Part without headers", body="This part has no header fields.\n", body_type="text/plain",
        attachments=[att("data.csv", "text/csv", "attachment", csv)])

    bd = "----=_NextPart_000_0012_01DA6F3B.5C2E1A40"
    m = Multi(top("Unquoted boundary with equals signs", "unquoted-boundary") +
              [f"Content-Type: multipart/alternative; boundary={bd}"], bd, [
        text_leaf("Unquoted boundary.\n"), text_leaf("<p>Unquoted boundary.</p>\n", "html")])
    add(t, "unquoted-boundary", message(m),
        "Some mailers leave a boundary containing '=' unquoted (invalid: '=' is a tspecial); lenient parsing takes the value up to ';' or the end, as all major clients do (Python's email fails to split this one).",
        frm=ALICE, subject="Unquoted boundary with equals signs", body="Unquoted boundary.\n", body_type="text/plain",
        attachments=[])

    inner = text_leaf("Five levels down.\n")
    for i in range(4, 0, -1):
        inner = Multi([f'Content-Type: multipart/mixed; boundary="lvl-{i}"'], f"lvl-{i}", [inner])
    m = Multi(top("Five levels of nesting", "nesting-5") + ['Content-Type: multipart/mixed; boundary="lvl-0"'],
              "lvl-0", [inner])
    add(t, "nesting-5", message(m),
        "Five nested multipart/mixed levels with the text at the bottom: well within the nesting limit.",
        frm=ALICE, subject="Five levels of nesting", body="Five levels down.\n", body_type="text/plain", attachments=[],
        has_defects=False)

    emb = embedded_message("B")
    data = message(Leaf(top("A whole message as the top-level entity", "top-level-rfc822") +
                        ["Content-Type: message/rfc822"], emb))
    add(t, "top-level-rfc822", data,
        "The top-level entity itself is message/rfc822: it is the one (attachment) leaf, there is no text body; its bytes run to the end of the data.",
        frm=ALICE, subject="A whole message as the top-level entity", body="", body_type=None,
        attachments=[att(None, "message/rfc822", None, emb)])

    logo2 = png(6, 6, "related-html-only")
    m = Multi(top("HTML with an inline image only", "related-html-only") +
              ['Content-Type: multipart/related; boundary="rho-b"'], "rho-b", [
        text_leaf("<html><body><p>Our new <b>logo</b>:</p><img src=\"cid:logo2@fairdesk.test\"></body></html>\n", "html"),
        file_leaf("image/png", logo2, None, "inline", extra=["Content-ID: <logo2@fairdesk.test>"])])
    add(t, "related-html-only", message(m),
        "multipart/related with HTML and a cid image and no text/plain: the HTML is the body (converted), the image an inline attachment without a filename.",
        frm=ALICE, subject="HTML with an inline image only", body_contains=["Our new", "logo"], body_type="text/html",
        html_contains=['<img src="cid:logo2@fairdesk.test">', "<b>logo</b>"],
        attachments=[att(None, "image/png", "inline", logo2)])

    head = render_headers(top("Parameters with whitespace and comments", "ct-params-whitespace") +
                          ['Content-Type: multipart/mixed (a comment) ; boundary = "ws-b" ;\n\tx-extra = value'], CRLF) + CRLF
    data = (head + b"--ws-b\r\n" + render(Leaf(["Content-Type: text/plain ; charset = \"utf-8\"",
                                                "Content-Transfer-Encoding: 8bit"], "Ünïcode text.\r\n".encode()))
            + b"\r\n--ws-b--\r\n")
    add(t, "ct-params-whitespace", data,
        "RFC 2045 parameters may have whitespace and comments around ';' and '=' (RFC 822 lexical rules): boundary and charset are still found.",
        frm=ALICE, subject="Parameters with whitespace and comments", body="Ünïcode text.\n", body_type="text/plain",
        attachments=[])

    data = message(Multi([ALICE_H, SUPPORT_H, "Subject: Multipart without MIME-Version", f"Date: {DATE}",
                          'Content-Type: multipart/mixed; boundary="nv-b"'], "nv-b", [
        text_leaf("No MIME-Version header.\n"), file_leaf("text/csv", csv, "data.csv", cte="7bit")]))
    add(t, "no-mime-version", data,
        "MIME-Version is missing but Content-Type says multipart: every real client still parses the MIME structure.",
        frm=ALICE, subject="Multipart without MIME-Version", body="No MIME-Version header.\n", body_type="text/plain",
        attachments=[att("data.csv", "text/csv", "attachment", csv)])

# ================================================================ transfer-encoding/

def uuencode(data, name, mode="644", eol="\n"):
    lines = [f"begin {mode} {name}"]
    for i in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[i:i + 45], backtick=True).decode().rstrip("\n"))
    lines += ["`", "end"]
    return eol.join(lines) + eol


def one_part(name, subject, ctype_lines, body, eol=CRLF):
    return message(Leaf(top(subject, name) + list(ctype_lines), body), eol)


def gen_transfer_encoding():
    t = "transfer-encoding"
    txt = "Grüße aus Köln.\nZweite Zeile.\n"
    add(t, "base64-text", one_part("base64-text", "Base64 text body",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"], b64(T(txt))),
        "A base64 text/plain body: decoded, then UTF-8, then CRLF to \"\\n\".",
        frm=ALICE, subject="Base64 text body", body=txt, body_type="text/plain", attachments=[], has_defects=False)

    raw = b"one\rtwo\r\nthree\nfour"
    add(t, "base64-text-line-ends", one_part("base64-text-line-ends", "Line ends inside base64",
        ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: base64"], b64(raw)),
        "Line ends are normalized after decoding: a lone CR, CRLF and LF inside the decoded text each become \"\\n\"; no newline is added at the end.",
        frm=ALICE, subject="Line ends inside base64", body="one\ntwo\nthree\nfour", body_type="text/plain")

    data = stream("b64-garbage", 300)
    enc = base64.b64encode(data).decode()
    garbage = ""
    for i, ch in enumerate(enc):
        garbage += ch
        if i % 37 == 5:
            garbage += "!"
        if i % 53 == 7:
            garbage += " *\t"
        if i % 71 == 3:
            garbage += "#."
        if i % 60 == 59:
            garbage += "\r\n"
    m = Multi(top("Base64 with garbage characters", "base64-garbage") +
              ['Content-Type: multipart/mixed; boundary="g-b"'], "g-b", [
        text_leaf("Attachment has junk in its base64.\n"),
        Leaf(['Content-Type: application/octet-stream; name="junk.bin"',
              'Content-Disposition: attachment; filename="junk.bin"', "Content-Transfer-Encoding: base64"],
             garbage.encode())])
    add(t, "base64-garbage", message(m),
        "RFC 2045 6.8: characters outside the base64 alphabet ('!', '*', '#', '.', spaces, tabs) are ignored; the decoded bytes are exact.",
        frm=ALICE, subject="Base64 with garbage characters", body="Attachment has junk in its base64.\n",
        body_type="text/plain", attachments=[att("junk.bin", "application/octet-stream", "attachment", data)])

    data = stream("b64-nopad", 301)
    enc = base64.b64encode(data)
    assert enc.endswith(b"==")
    m = Multi(top("Base64 without padding", "base64-missing-padding") +
              ['Content-Type: multipart/mixed; boundary="np-b"'], "np-b", [
        Leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"],
             base64.b64encode("Body with a missing pad: ok!".encode()).rstrip(b"=")),
        Leaf(['Content-Type: application/octet-stream; name="nopad.bin"',
              'Content-Disposition: attachment; filename="nopad.bin"', "Content-Transfer-Encoding: base64"],
             CRLF.join(enc.rstrip(b"=")[i:i + 76] for i in range(0, len(enc.rstrip(b"=")), 76)))])
    assert len("Body with a missing pad: ok!".encode()) % 3 != 0
    add(t, "base64-missing-padding", message(m),
        "The final '=' padding is missing in the body and in the attachment: the last partial group still decodes (2 chars -> 1 byte, 3 chars -> 2 bytes); the missing padding is a defect.",
        frm=ALICE, subject="Base64 without padding", body="Body with a missing pad: ok!", body_type="text/plain",
        attachments=[att("nopad.bin", "application/octet-stream", "attachment", data)], has_defects=True)

    data = stream("b64-breaks", 500)
    enc = base64.b64encode(data).decode()
    pattern = [1, 5, 77, 3, 100, 4, 13, 2, 64, 9]
    pieces = []
    i = k = 0
    while i < len(enc):
        n = pattern[k % len(pattern)]
        pieces.append(enc[i:i + n])
        i += n
        k += 1
    seps = ["\r\n", "\n", "\r\n\r\n", "\r\n "]
    body = ""
    for j, p in enumerate(pieces):
        body += p + (seps[j % len(seps)] if j + 1 < len(pieces) else "")
    m = Multi(top("Base64 broken into lines anywhere", "base64-breaks-anywhere") +
              ['Content-Type: multipart/mixed; boundary="br-b"'], "br-b", [
        text_leaf("Odd base64 line lengths.\n"),
        Leaf(['Content-Type: application/octet-stream; name="odd.bin"',
              'Content-Disposition: attachment; filename="odd.bin"', "Content-Transfer-Encoding: base64"],
             body.encode())])
    add(t, "base64-breaks-anywhere", message(m),
        "Line breaks at arbitrary places (inside 4-character groups, lines of 1 to 100 characters, LF and CRLF, blank lines, leading spaces) are whitespace to the decoder.",
        frm=ALICE, subject="Base64 broken into lines anywhere", body="Odd base64 line lengths.\n", body_type="text/plain",
        attachments=[att("odd.bin", "application/octet-stream", "attachment", data)])

    big = stream("b64-one-line", 4000)
    m = Multi(top("Base64 on one very long line", "base64-one-long-line") +
              ['Content-Type: multipart/mixed; boundary="ol-b"'], "ol-b", [
        text_leaf("One line of base64.\n"),
        Leaf(['Content-Type: application/octet-stream; name="long.bin"',
              'Content-Disposition: attachment; filename="long.bin"', "Content-Transfer-Encoding: base64"],
             base64.b64encode(big))])
    add(t, "base64-one-long-line", message(m),
        "All base64 on one 5,336-character line (some web mailers): decodes exactly.",
        frm=ALICE, subject="Base64 on one very long line", body="One line of base64.\n", body_type="text/plain",
        attachments=[att("long.bin", "application/octet-stream", "attachment", big)])

    qpbody = (b"This is a long line that was wrapped by the encoder =\r\n"
              b"because it exceeded seventy-six characters; the soft =\r\n"
              b"breaks vanish.\r\n"
              b"Second line with an equals sign =3D and a tab=09here.\r\n"
              b"No newline at the end=\r\n")
    add(t, "qp-soft-breaks", one_part("qp-soft-breaks", "Quoted-printable soft breaks",
        ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: quoted-printable"], qpbody),
        "'=' at the end of a line is a soft break and disappears with its CRLF; the last line ends in a soft break, so the text has no final newline.",
        frm=ALICE, subject="Quoted-printable soft breaks",
        body="This is a long line that was wrapped by the encoder because it exceeded seventy-six characters; the soft breaks vanish.\n"
             "Second line with an equals sign = and a tab\there.\nNo newline at the end",
        body_type="text/plain", has_defects=False)

    qpbody = (b"Bad escape =ZZ stays.\r\n"
              b"Half escape =4G stays.\r\n"
              b"Equals before space = here.\r\n"
              b"Ends with =4\r\n"
              b"Good one: caf=C3=A9.\r\n")
    add(t, "qp-bad-escapes", one_part("qp-bad-escapes", "Quoted-printable with bad escapes",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"], qpbody),
        "RFC 2045 6.7 note (1): an '=' not followed by two hex digits or a line end is kept as is, with the characters after it; valid escapes around it still decode.",
        frm=ALICE, subject="Quoted-printable with bad escapes",
        body="Bad escape =ZZ stays.\nHalf escape =4G stays.\nEquals before space = here.\nEnds with =4\nGood one: café.\n",
        body_type="text/plain", has_defects=True)

    add(t, "qp-lowercase-hex", one_part("qp-lowercase-hex", "Quoted-printable with lower-case hex",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
        b"caf=c3=a9 cr=C3=a8me =e2=82=ac\r\n"),
        "Lower-case hex digits after '=' are decoded (RFC 2045 6.7 (2) asks robust decoders to accept them).",
        frm=ALICE, subject="Quoted-printable with lower-case hex", body="café crème €\n", body_type="text/plain")

    add(t, "qp-trailing-whitespace", one_part("qp-trailing-whitespace", "Quoted-printable with trailing whitespace",
        ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: quoted-printable"],
        b"Trailing spaces here   \r\nTrailing tab\t\r\nSoft break with padding= \t\r\ncontinues.\r\nEncoded space=20\r\n"),
        "RFC 2045 6.7 (3): unencoded trailing whitespace on a line was added in transport and must be deleted, which also turns '= ' + CRLF into a soft break; an encoded =20 is kept (Python's quopri wrongly keeps the whitespace).",
        frm=ALICE, subject="Quoted-printable with trailing whitespace",
        body="Trailing spaces here\nTrailing tab\nSoft break with paddingcontinues.\nEncoded space \n", body_type="text/plain")

    add(t, "qp-lf-only", one_part("qp-lf-only", "Quoted-printable with LF line ends",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
        b"Soft=\nbreak with LF only, caf=C3=A9.\nSecond line.\n", eol=LF),
        "In a bare-LF message '=' + LF is a soft break too.",
        frm=ALICE, subject="Quoted-printable with LF line ends", body="Softbreak with LF only, café.\nSecond line.\n",
        body_type="text/plain")

    data = bytearray(stream("binary", 1500))
    data[100:106] = b"\r\n\x00\r\x00\n"
    data = bytes(data).replace(b"\n--", b"\n-+").replace(b"\r--", b"\r-+")
    if data[-1:] in (b"\r", b"\n"):
        data = data[:-1] + b"Z"
    m = Multi(top("Binary transfer encoding", "binary-attachment") +
              ['Content-Type: multipart/mixed; boundary="bin-boundary-7Qz"'], "bin-boundary-7Qz", [
        text_leaf("A binary part follows.\n"),
        Leaf(['Content-Type: application/octet-stream; name="raw.bin"',
              'Content-Disposition: attachment; filename="raw.bin"', "Content-Transfer-Encoding: binary"], data)])
    add(t, "binary-attachment", message(m),
        "Content-Transfer-Encoding: binary: the part's bytes (with CR, LF, NUL and high bytes) are taken as they stand, up to the CRLF before the next delimiter.",
        frm=ALICE, subject="Binary transfer encoding", body="A binary part follows.\n", body_type="text/plain",
        attachments=[att("raw.bin", "application/octet-stream", "attachment", data)])

    eight = "Ünïcödé with an 8bit part.\nŻółć.\n"
    add(t, "8bit-text", one_part("8bit-text", "8bit text body",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"], T(eight)),
        "8bit: raw UTF-8 bytes taken as they stand, then charset-decoded.",
        frm=ALICE, subject="8bit text body", body=eight, body_type="text/plain", has_defects=False)

    add(t, "7bit-with-8bit-bytes", one_part("7bit-with-8bit-bytes", "Declared 7bit but carries UTF-8",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit"], T("Déclaré 7bit.\n")),
        "The body says 7bit but contains 8-bit bytes: they are not stripped or altered; the declared charset decodes them.",
        frm=ALICE, subject="Declared 7bit but carries UTF-8", body="Déclaré 7bit.\n", body_type="text/plain")

    log = "2024-03-05 14:00:01 INFO service started\n2024-03-05 14:00:07 ERROR disk full on /var\n" * 3
    logb = log.encode()
    uu = uuencode(logb, "service.log")
    text = "Hi,\n\nthe log is attached below.\n\n"
    add(t, "uuencode-in-plain", one_part("uuencode-in-plain", "Log file (uuencoded)",
        ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 7bit"], T(text + uu)),
        "A uuencoded block ('begin 644 name' ... 'end') at the end of a text/plain body becomes an attachment named by the begin line; the body keeps the text before it (the block's lines are removed; Python's email does no uudecoding).",
        frm=ALICE, subject="Log file (uuencoded)", body=text, body_type="text/plain",
        attachments=[att("service.log", "application/octet-stream", "attachment", logb)])

    f1 = stream("uu-1", 200)
    f2 = png(3, 3, "uu-2")
    txt = ("Two files, old style.\n\n" + uuencode(f1, "first.bin") + "\nAnd the second one:\n\n" +
           uuencode(f2, "second image.png", "600") + "\nRegards,\nOld Mailer\n")
    add(t, "uuencode-two-blocks", one_part("uuencode-two-blocks", "Two uuencoded files",
        ["Content-Type: text/plain; charset=us-ascii"], T(txt, LF), LF),
        "Two uuencoded blocks inside a text body (bare LF message): two attachments in order (the second file name contains a space and mode 600), and the text around both blocks stays in the body.",
        frm=ALICE, subject="Two uuencoded files",
        body_contains=["Two files, old style.", "And the second one:", "Regards,\nOld Mailer"], body_type="text/plain",
        attachments=[att("first.bin", "application/octet-stream", "attachment", f1),
                     att("second image.png", "application/octet-stream", "attachment", f2)])

    rawpart = b"H4sIAAAAAAAAA8tIzcnJBwCGphA2BQAAAA==\r\nnot really decodable by us\r\n"
    m = Multi(top("Unknown transfer encoding", "unknown-cte") +
              ['Content-Type: multipart/mixed; boundary="u-b"'], "u-b", [
        text_leaf("The next part uses x-gzip64.\n"),
        Leaf(["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: x-gzip64"], rawpart)])
    add(t, "unknown-cte", message(m),
        "RFC 2045 6.4: an entity with an unrecognized Content-Transfer-Encoding must be treated as application/octet-stream whatever its Content-Type says, so it is an opaque attachment with its raw bytes, not body text (Python reads it as text).",
        frm=ALICE, subject="Unknown transfer encoding", body="The next part uses x-gzip64.\n", body_type="text/plain",
        attachments=[att(None, "application/octet-stream", None, rawpart)])

    bin2 = stream("upper-cte", 120)
    m = Multi(top("Encoding names in odd case", "cte-case-whitespace") +
              ['Content-Type: multipart/mixed; boundary="c-b"'], "c-b", [
        Leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding:   Quoted-Printable  "],
             b"Stra=C3=9Fe\r\n"),
        Leaf(['Content-Type: application/octet-stream; name="up.bin"', "Content-Transfer-Encoding: BASE64",
              'Content-Disposition: attachment; filename="up.bin"'], b64(bin2))])
    add(t, "cte-case-whitespace", message(m),
        "Transfer-encoding names are case-insensitive and surrounding whitespace is ignored.",
        frm=ALICE, subject="Encoding names in odd case", body="Straße\n", body_type="text/plain",
        attachments=[att("up.bin", "application/octet-stream", "attachment", bin2)])

    qbin = b"\x00\x01binary=\xff\xfe\r\nline two\tend \r\n" + stream("qp-bin", 80)
    enc = binascii.b2a_qp(qbin, istext=False).replace(b"\n", CRLF)
    m = Multi(top("Quoted-printable attachment", "qp-attachment") +
              ['Content-Type: multipart/mixed; boundary="qa-b"'], "qa-b", [
        text_leaf("A QP-encoded binary attachment.\n"),
        Leaf(['Content-Type: application/octet-stream; name="qp.bin"',
              'Content-Disposition: attachment; filename="qp.bin"', "Content-Transfer-Encoding: quoted-printable"], enc)])
    add(t, "qp-attachment", message(m),
        "A binary attachment in quoted-printable with CR and LF encoded as =0D/=0A: decoding gives the bytes exactly, and the soft breaks add nothing.",
        frm=ALICE, subject="Quoted-printable attachment", body="A QP-encoded binary attachment.\n", body_type="text/plain",
        attachments=[att("qp.bin", "application/octet-stream", "attachment", qbin)])

# ================================================================ rfc2231/

def param_msg(name, subject, part_headers, data, extra_parts=(), top_extra=()):
    m = Multi(top(subject, name) + list(top_extra) + [f'Content-Type: multipart/mixed; boundary="p-{name}"'],
              f"p-{name}", [text_leaf("See the attachment.\n"), Leaf(list(part_headers) +
                                                                   ["Content-Transfer-Encoding: base64"], b64(data))]
              + list(extra_parts))
    return message(m)


def gen_rfc2231():
    t = "rfc2231"
    d = pdf("continuations")
    add(t, "continuations", param_msg("continuations", "RFC 2231 continuations", [
        "Content-Type: application/pdf",
        'Content-Disposition: attachment;\n filename*0="quarterly-support-queue-";\n filename*1="statistics-for-";\n filename*2="march-2024.pdf"'], d),
        "RFC 2231 3: filename*0, *1, *2 are joined in order.",
        frm=ALICE, subject="RFC 2231 continuations", body="See the attachment.\n",
        attachments=[att("quarterly-support-queue-statistics-for-march-2024.pdf", "application/pdf", "attachment", d)])

    d = b"rates\r\n"
    add(t, "charset-language", param_msg("charset-language", "RFC 2231 charset and language", [
        "Content-Type: text/plain",
        "Content-Disposition: attachment; filename*=iso-8859-1'en'%A3%20rates%20%80.txt"], d),
        "RFC 2231 4: charset'language'percent-encoded; ISO-8859-1 read as Windows-1252, so %80 is the euro sign (Python's latin-1 gives U+0080).",
        frm=ALICE, subject="RFC 2231 charset and language",
        attachments=[att("£ rates €.txt", "text/plain", "attachment", d)])

    d = pdf("utf8")
    add(t, "utf8-percent", param_msg("utf8-percent", "RFC 2231 UTF-8 filename", [
        "Content-Type: application/pdf; name*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf",
        "Content-Disposition: attachment; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf"], d),
        "UTF-8 with an empty language, as Thunderbird and Apple Mail send it.",
        frm=ALICE, subject="RFC 2231 UTF-8 filename",
        attachments=[att("naïve résumé.pdf", "application/pdf", "attachment", d)])

    d = stream("mixed-seg", 64)
    add(t, "mixed-segments", param_msg("mixed-segments", "RFC 2231 encoded and plain segments", [
        "Content-Type: application/octet-stream",
        "Content-Disposition: attachment;\n filename*0*=UTF-8''%E6%97%A5%E6%9C%AC;\n filename*1=\" plain \";\n filename*2*=%E8%AA%9E.bin"], d),
        "Only the first segment carries charset'language'; later segments with '*' are percent-encoded, those without are literal (quoted) text; bytes are joined, then decoded.",
        frm=ALICE, subject="RFC 2231 encoded and plain segments",
        attachments=[att("日本 plain 語.bin", "application/octet-stream", "attachment", d)])

    d = stream("split-seg", 32)
    add(t, "split-multibyte-segments", param_msg("split-multibyte-segments", "RFC 2231 character split across segments", [
        "Content-Type: application/octet-stream; name*0*=UTF-8''%E6%97; name*1*=%A5.bin"], d),
        "A UTF-8 character's bytes are split across two percent-encoded segments: join bytes first, decode after (only the Content-Type name is given).",
        frm=ALICE, subject="RFC 2231 character split across segments",
        attachments=[att("日.bin", "application/octet-stream", None, d)])

    d = b"a-b\r\n"
    add(t, "out-of-order", param_msg("out-of-order", "RFC 2231 segments out of order", [
        "Content-Type: text/plain",
        'Content-Disposition: attachment; filename*2="c.txt"; filename*0="a-"; filename*1="b-"'], d),
        "Segments listed out of order are joined by their numbers, not by their position (parameter order is not significant).",
        frm=ALICE, subject="RFC 2231 segments out of order",
        attachments=[att("a-b-c.txt", "text/plain", "attachment", d)])

    d = b"euro\r\n"
    add(t, "plain-and-extended", param_msg("plain-and-extended", "Both filename and filename*", [
        'Content-Type: text/plain; name="fallback.txt"',
        "Content-Disposition: attachment; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC-real.txt"], d),
        "When both filename and filename* are present the RFC 2231 form wins (it carries the real name; the plain one is a fallback for old readers, cf. RFC 6266 4.3); Python returns the plain one.",
        frm=ALICE, subject="Both filename and filename*",
        attachments=[att("€-real.txt", "text/plain", "attachment", d)])

    d = pdf("raw utf8")
    data = param_msg("raw-utf8-name", "Raw UTF-8 in a name parameter", [
        'Content-Type: application/pdf; name="résumé – 2024.pdf"',
        'Content-Disposition: attachment; filename="résumé – 2024.pdf"'], d)
    add(t, "raw-utf8-name", data,
        "Non-standard but common (Gmail, many web mailers): raw UTF-8 bytes inside a quoted filename, decoded as UTF-8.",
        frm=ALICE, subject="Raw UTF-8 in a name parameter",
        attachments=[att("résumé – 2024.pdf", "application/pdf", "attachment", d)])

    d = b"caf\xe9\r\n"
    data = param_msg("raw-latin1-name", "Raw Latin-1 in a name parameter", [
        b'Content-Type: text/plain; name="caf\xe9 \x93menu\x94.txt"',
        b'Content-Disposition: attachment; filename="caf\xe9 \x93menu\x94.txt"'], d)
    add(t, "raw-latin1-name", data,
        "Raw 8-bit bytes in a filename that are not UTF-8, in a message with no top-level charset: Windows-1252 (Python gives replacement characters).",
        frm=ALICE, subject="Raw Latin-1 in a name parameter",
        attachments=[att("café “menu”.txt", "text/plain", "attachment", d)])

    d = pdf("encoded word")
    fn = "Angebot für Müller & Söhne.pdf"
    add(t, "encoded-word-name", param_msg("encoded-word-name", "Encoded word in name", [
        f'Content-Type: application/pdf; name="=?ISO-8859-1?Q?{qw(fn.encode("latin-1"))}?="'], d),
        "An RFC 2047 encoded word inside the Content-Type name (Outlook style), no Content-Disposition: decoded, disposition null.",
        frm=ALICE, subject="Encoded word in name",
        attachments=[att(fn, "application/pdf", None, d)])

    d = b"which name wins\r\n"
    add(t, "disposition-vs-ctype-name", param_msg("disposition-vs-ctype-name", "Different names in two places", [
        'Content-Type: text/plain; name="from-content-type.txt"',
        'Content-Disposition: attachment; filename="from-disposition.txt"'], d),
        "Content-Disposition filename takes precedence over Content-Type name (RFC 2183; every client does this).",
        frm=ALICE, subject="Different names in two places",
        attachments=[att("from-disposition.txt", "text/plain", "attachment", d)])

    d = b"semicolons\r\n"
    add(t, "semicolon-in-quoted", param_msg("semicolon-in-quoted", "Specials inside a quoted filename", [
        'Content-Type: text/plain; name="a;b=c, \\"d\\".txt"',
        'Content-Disposition: attachment; filename="a;b=c, \\"d\\".txt"; size=12'], d),
        "';', '=' and ',' inside a quoted-string are part of the value; quoted pairs are unescaped; the parameter after it still parses.",
        frm=ALICE, subject="Specials inside a quoted filename",
        attachments=[att('a;b=c, "d".txt', "text/plain", "attachment", d)])

    d = b"summer\r\n"
    add(t, "encoded-first-plain-second", param_msg("encoded-first-plain-second", "Encoded then plain continuation", [
        "Content-Type: text/plain",
        "Content-Disposition: attachment; filename*0*=utf-8''%C3%A9t%C3%A9; filename*1=\"-2024.txt\""], d),
        "Lower-case charset name, first segment encoded, second plain.",
        frm=ALICE, subject="Encoded then plain continuation",
        attachments=[att("été-2024.txt", "text/plain", "attachment", d)])

    fn = "会議の議事録と来期の予算案についての資料（最終版）.xlsx"
    trips = ["%%%02X" % c for c in fn.encode()]
    fixed = ["".join(trips[i:i + 20]) for i in range(0, len(trips), 20)]  # cuts characters in half on purpose
    lines = ";\n ".join(("filename*%d*=UTF-8''%s" % (i, s)) if i == 0 else ("filename*%d*=%s" % (i, s))
                        for i, s in enumerate(fixed))
    d = stream("xlsx", 700)
    add(t, "long-japanese", param_msg("long-japanese", "Long Japanese filename", [
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition: attachment;\n " + lines], d),
        f"A long Japanese filename in {len(fixed)} percent-encoded continuations of 20 bytes each, several cutting a character in two: bytes are joined before UTF-8 decoding.",
        frm=ALICE, subject="Long Japanese filename",
        attachments=[att(fn, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment", d)])

    d = b"ascii\r\n"
    add(t, "empty-charset", param_msg("empty-charset", "RFC 2231 with empty charset", [
        "Content-Type: text/plain",
        "Content-Disposition: attachment; filename*=''%41bc%20file.txt"], d),
        "An empty charset and language in an extended value: the percent-decoded bytes are ASCII anyway.",
        frm=ALICE, subject="RFC 2231 with empty charset",
        attachments=[att("Abc file.txt", "text/plain", "attachment", d)])

# ================================================================ charsets/

def cs_msg(name, label_param, body_bytes, cte, subject, subject_field=None):
    h = top(subject_field or subject, name) + [f"Content-Type: text/plain; {label_param}",
                                               f"Content-Transfer-Encoding: {cte}"]
    if cte == "base64":
        body = b64(body_bytes)
    elif cte == "quoted-printable":
        body = qp(body_bytes.replace(b"\r\n", b"\n"))
    else:
        body = body_bytes
    return message(Leaf(h, body))


def gen_charsets():
    t = "charsets"

    def cs(name, label, text, codec=None, cte="8bit", note="", raw=None, subject_word=False, param=None):
        codec = codec or label
        body_bytes = raw if raw is not None else text.replace("\n", "\r\n").encode(codec)
        subject = f"Charset {label}"
        sf = None
        exp_subject = subject
        if subject_word:
            first = text.split("\n")[0]
            sf = f"=?{label}?B?" + base64.b64encode(first.encode(codec)).decode() + "?="
            exp_subject = first
        add(t, name, cs_msg(name, param or f"charset={label}", body_bytes, cte, subject, sf), note,
            frm=ALICE, subject=exp_subject, body=text, body_type="text/plain", attachments=[])

    cs("utf-8", "utf-8", "UTF-8: Grüße, 你好, Привет, 🙂 and a ZWJ 👩‍💻.\n",
       note="Plain UTF-8 with 4-byte sequences and a ZWJ emoji sequence.", subject_word=True)
    cs("us-ascii", "us-ascii", "Plain 7-bit text.\n", cte="7bit", note="US-ASCII, the default.")
    cs("iso-8859-1-as-windows-1252", "iso-8859-1", "Café “quoted” costs € 5 … done ™\n",
       raw=b"Caf\xe9 \x93quoted\x94 costs \x80 5 \x85 done \x99\r\n",
       note="ISO-8859-1 is decoded as Windows-1252 (WHATWG; what every mail client does): 0x80 is €, 0x93/0x94 curly quotes, 0x85 …, 0x99 ™ (Python's latin-1 would give C1 control characters).")
    cs("latin1-label-qp", "latin1", "Crème brûlée € 3\n", raw=b"Cr\xe8me br\xfbl\xe9e \x80 3\r\n", cte="quoted-printable",
       note="The 'latin1' alias, quoted-printable with =80: the euro sign again (Windows-1252).")
    cs("iso-8859-2", "iso-8859-2", "Zażółć gęślą jaźń\n", codec="iso8859_2", note="Polish in ISO-8859-2.", subject_word=True)
    cs("iso-8859-5", "iso-8859-5", "Привет из Москвы\n", codec="iso8859_5", note="Cyrillic in ISO-8859-5.")
    cs("iso-8859-7", "iso-8859-7", "Καλημέρα κόσμε\n", codec="iso8859_7", note="Greek in ISO-8859-7.", subject_word=True)
    cs("iso-8859-15", "iso-8859-15", "Prix : 5 €, œuvre, Šárka, Ÿvonne\n", codec="iso8859_15",
       note="ISO-8859-15 differs from Latin-1 at 0xA4 (€), 0xA6 (Š), 0xBD (œ), 0xBE (Ÿ): it must not be read as Windows-1252.")
    cs("windows-1250", "windows-1250", "Příliš žluťoučký kůň úpěl ďábelské ódy\n", codec="cp1250",
       note="Czech in Windows-1250 (0x9A š, 0x9D ť, 0x9E ž differ from ISO-8859-2).")
    cs("windows-1251", "windows-1251", "Здравствуйте, это тест — №1\n", codec="cp1251",
       note="Russian in Windows-1251 including 0x97 (em dash) and 0xB9 (numero sign).", subject_word=True)
    cs("windows-1252", "windows-1252", "“Smart” quotes… – ™ € Š\n", codec="cp1252",
       note="Windows-1252 punctuation in 0x80-0x9F.")
    cs("koi8-r", "koi8-r", "Съешь же ещё этих мягких французских булок\n", codec="koi8_r",
       note="Russian in KOI8-R, including ё (0xA3).", subject_word=True)
    cs("koi8-u", "koi8-u", "Ґанок, їжак, єдність, і\n", codec="koi8_u",
       note="Ukrainian in KOI8-U: Ґ, ї, є, і are where KOI8-R has box-drawing characters.")
    cs("gb2312", "gb2312", "中文邮件测试：打印机坏了。\n", codec="gb2312", cte="base64",
       note="Simplified Chinese in GB2312, base64 as Chinese mailers send it.", subject_word=True)
    cs("gb2312-label-gbk-bytes", "gb2312", "朱镕基与褚时健\n", codec="gbk", cte="base64",
       note="Labelled GB2312 but contains 镕, which exists only in GBK: decoders treat GB2312 as GBK (WHATWG, Thunderbird, Outlook), so it decodes cleanly.")
    cs("gbk", "gbk", "这是GBK编码：繁體字也可以\n", codec="gbk", note="GBK with traditional characters (second byte 0x77 'w' is ASCII-range).")
    cs("gb18030", "gb18030", "GB18030：😀 and 㐀 and €\n", codec="gb18030", cte="base64",
       note="GB18030 four-byte sequences (an emoji and a CJK Extension A ideograph) and € as A2E3.")
    cs("big5", "big5", "繁體中文郵件測試。許功蓋\n", codec="big5", cte="base64",
       note="Traditional Chinese in Big5, including 許功蓋 whose second bytes are 0x5C (backslash).", subject_word=True)
    cs("shift_jis", "shift_jis", "日本語のメールです。\n", codec="shift_jis", cte="base64",
       note="Japanese in Shift_JIS.", subject_word=True)
    cs("shift_jis-label-cp932-bytes", "shift_jis", "①②③ ㈱ ⅰⅱ 髙\n",
       raw=b"\x87@\x87A\x87B \x87\x8a \xfa\x40\xfa\x41 \xfb\xfc\r\n", cte="base64",
       note="Labelled Shift_JIS but written by Windows (CP932): NEC row 13 (circled digits, ㈱) and IBM extensions (small roman numerals, 髙) decode because Shift_JIS is read as CP932 (WHATWG, all clients).")
    cs("windows-31j", "windows-31j", "①番の件です。\n", codec="cp932", note="The IANA name Windows-31J for CP932.")
    cs("euc-jp", "euc-jp", "こんにちは、世界。\n", codec="euc_jp", note="Japanese in EUC-JP, 8bit.")
    cs("iso-2022-jp", "iso-2022-jp", "日本語のメールです。よろしくお願いします。\n", codec="iso2022_jp", cte="7bit",
       note="ISO-2022-JP (7-bit, escape sequences), the traditional Japanese mail encoding; subject in an ISO-2022-JP B word.",
       subject_word=True)
    raw = (b"\x1b$B" + "半角".encode("iso2022_jp")[3:-3] + b"\x1b(I" + bytes([0x36, 0x40, 0x36, 0x45]) +
           b"\x1b$B" + "と".encode("iso2022_jp")[3:-3] + b"\x2d\x21" + "番".encode("iso2022_jp")[3:-3] + b"\x1b(B\r\n")
    cs("iso-2022-jp-cp50220-extensions", "iso-2022-jp", "半角ｶﾀｶﾅと①番\n", raw=raw, cte="7bit",
       note="ISO-2022-JP as Windows (CP50220/50221) writes it: half-width katakana after ESC ( I and ① from NEC row 13 (0x2D21); the WHATWG ISO-2022-JP decoder and iconv's CP50221 accept both and keep the katakana half-width.")
    cs("euc-kr", "euc-kr", "한국어 메일입니다. 감사합니다.\n", codec="euc_kr", cte="base64",
       note="Korean in EUC-KR.", subject_word=True)
    cs("euc-kr-label-cp949-bytes", "euc-kr", "똠방각하 똠양꿍\n", codec="cp949", cte="base64",
       note="Labelled EUC-KR but 똠 (0x8C63) exists only in CP949/UHC: EUC-KR is read as CP949 (WHATWG, Outlook), so it decodes cleanly.")
    cs("ks_c_5601-1987", "ks_c_5601-1987", "안녕하세요, 고객지원팀입니다.\n", codec="cp949", cte="base64",
       note="Outlook's label ks_c_5601-1987 for Korean means CP949.")
    cs("cp949", "cp949", "똠방각하, 고객지원팀입니다.\n", codec="cp949", note="The label cp949 itself (Unified Hangul Code).")
    cs("cp932", "cp932", "①番の件、㈱フェアデスク\n", codec="cp932", note="The label cp932 itself.")
    cs("iso-8859-9", "iso-8859-9", "İstanbul'da güzel bir gün, şimdi ığdır\n", codec="cp1254",
       note="Turkish in ISO-8859-9 (bytes 0xA0-0xFF, where it equals Windows-1254).")
    cs("tis-620", "tis-620", "สวัสดีครับ\n", codec="tis_620", note="Thai in TIS-620.")

    s = "UTF-16 text: Grüße 😀\nLine two\n"
    cs("utf-16-le-bom", "utf-16", s, raw=b"\xff\xfe" + s.replace("\n", "\r\n").encode("utf-16-le"), cte="base64",
       note="UTF-16 with a little-endian BOM, base64: the BOM selects the byte order and is not part of the text; CRLF (0D 00 0A 00) becomes \"\\n\" after decoding.")
    cs("utf-16-be-bom", "utf-16", s, raw=b"\xfe\xff" + s.replace("\n", "\r\n").encode("utf-16-be"), cte="base64",
       note="UTF-16 with a big-endian BOM.")
    cs("utf-7", "utf-7", "Hi Mom -☺-! A≢Α. 日本語\n", codec="utf-7", cte="7bit",
       note="UTF-7 (RFC 2152), still sent by some old gateways.")
    cs("unknown-label-utf8-bytes", "x-unknown-charset", "Ünknown label, UTF-8 bytes: ☃\n", codec="utf-8",
       note="An unknown charset label over valid UTF-8 bytes decodes as UTF-8.")
    cs("unknown-label-latin1-bytes", "x-mystery-8bit", "Ünknown label, “Latin-1” bytes €\n",
       raw=b"\xdcnknown label, \x93Latin-1\x94 bytes \x80\r\n",
       note="An unknown charset label over bytes that are not UTF-8 decodes as Windows-1252.")
    cs("utf8-label-latin1-bytes", "utf-8", "Café “ok” – mislabelled\n", raw=b"Caf\xe9 \x93ok\x94 \x96 mislabelled\r\n",
       note="Labelled utf-8 but the bytes are Windows-1252 (invalid UTF-8): the whole text is decoded as Windows-1252 instead of getting replacement characters.")
    cs("utf8-no-dash", "utf8", "Label without a dash: Grüße\n", codec="utf-8", note="'utf8' is a common alias of UTF-8.")
    cs("quoted-uppercase-label", "UTF-8", "Quoted upper-case label: ✓\n", codec="utf-8", param='CHARSET="UTF-8"',
       note="Parameter name and charset name are case-insensitive; the value may be quoted.")

    data = message(Leaf(top("No charset parameter, UTF-8 bytes", "no-charset-utf8-bytes") +
                        ["Content-Type: text/plain", "Content-Transfer-Encoding: 8bit"], T("Naïve café, no charset given.\n")))
    add(t, "no-charset-utf8-bytes", data,
        "No charset parameter means us-ascii, but the 8-bit bytes are valid UTF-8: like an unknown label, non-ASCII bytes under us-ascii are decoded as UTF-8 when valid (else Windows-1252), as Thunderbird and Gmail display them.",
        frm=ALICE, subject="No charset parameter, UTF-8 bytes", body="Naïve café, no charset given.\n", body_type="text/plain")

    data = message(Leaf(top("us-ascii label, Latin-1 bytes", "us-ascii-label-latin1-bytes") +
                        ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 8bit"],
                        b"Caf\xe9 \x93us-ascii\x94 lie\r\n"))
    add(t, "us-ascii-label-latin1-bytes", data,
        "Labelled us-ascii with 8-bit bytes that are not UTF-8: Windows-1252 (WHATWG maps the us-ascii label to windows-1252).",
        frm=ALICE, subject="us-ascii label, Latin-1 bytes", body="Café “us-ascii” lie\n", body_type="text/plain")

    # Subject in HTML-only message with charset in a quoted-printable HTML part
    html = "<html><head><meta charset=\"windows-1251\"></head><body><p>Привет, <b>мир</b></p></body></html>\n"
    data = message(Leaf(top("Windows-1251 HTML", "windows-1251-html") +
                        ["Content-Type: text/html; charset=windows-1251", "Content-Transfer-Encoding: quoted-printable"],
                        qp(html.encode("cp1251"))))
    add(t, "windows-1251-html", data,
        "An HTML-only body in Windows-1251, quoted-printable: the charset applies before HTML conversion.",
        frm=ALICE, subject="Windows-1251 HTML", body_contains=["Привет, мир"], body_type="text/html",
        html_contains=["<b>мир</b>"])

# ================================================================ bodies/

def gen_bodies():
    t = "bodies"
    html = ("<html><head><title>Ignored title</title><style>p { color: red; }</style></head>\n"
            "<body><p>Hello <b>World</b></p>\n<script>var x = 1;</script>\n"
            "<p>Second&nbsp;paragraph &amp; more</p>\n<ul><li>first item</li><li>second item</li></ul></body></html>\n")
    data = message(Leaf(top("HTML only", "html-only") + ["Content-Type: text/html; charset=utf-8",
                                                         "Content-Transfer-Encoding: quoted-printable"], qp(html.encode())))
    add(t, "html-only", data,
        "A single text/html entity: body_type text/html, the body is its text rendering (exact whitespace is the converter's business).",
        frm=ALICE, subject="HTML only", body_contains=["Hello World", "Second", "paragraph & more", "first item", "second item"],
        body_type="text/html", html_contains=["<b>World</b>", "<p>Second&nbsp;paragraph &amp; more</p>"], attachments=[])

    html = "<p>&lt;tag&gt; caf&eacute; &#8364; &#x2603; &quot;q&quot; AT&amp;T</p>\n"
    data = message(Leaf(top("HTML entities", "html-entities") + ["Content-Type: text/html; charset=us-ascii"], T(html)))
    add(t, "html-entities", data,
        "Named, decimal and hex character references are decoded in the text rendering.",
        frm=ALICE, subject="HTML entities", body_contains=["<tag>", "café", "€", "☃", '"q"', "AT&T"], body_type="text/html")

    m = Multi(top("HTML part first in mixed", "plain-preferred-in-mixed") +
              ['Content-Type: multipart/mixed; boundary="pp-b"'], "pp-b", [
        text_leaf("<p>An HTML leaf that is not an attachment.</p>\n", "html"), text_leaf("The plain text leaf.\n")])
    add(t, "plain-preferred-in-mixed", message(m),
        "The first non-attachment text/plain leaf wins even when an HTML leaf comes first; the HTML leaf is not a continuation (different type) and not an attachment.",
        frm=ALICE, subject="HTML part first in mixed", body="The plain text leaf.\n", body_type="text/plain", attachments=[])

    img = png(4, 3, "cont-mixed")
    m = Multi(top("Text, image, text", "continuations-mixed") + ['Content-Type: multipart/mixed; boundary="cm-b"'],
              "cm-b", [text_leaf("Part one.\n"), file_leaf("image/png", img, "shot.png"), text_leaf("Part two.\n")])
    add(t, "continuations-mixed", message(m),
        "A later non-attachment text/plain leaf is a continuation: pieces joined by \"\\n\" (a blank line between paragraphs).",
        frm=ALICE, subject="Text, image, text", body=join_body("Part one.\n", "Part two.\n"), body_type="text/plain",
        attachments=[att("shot.png", "image/png", "attachment", img)])

    d = pdf("between alternatives")
    m = Multi(top("Two alternatives in one mixed", "continuations-separate-alternatives") +
              ['Content-Type: multipart/mixed; boundary="sa-b"'], "sa-b", [
        Multi(['Content-Type: multipart/alternative; boundary="sa-1"'], "sa-1", [
            text_leaf("First block, plain.\n"), text_leaf("<p>First block, html.</p>\n", "html")]),
        file_leaf("application/pdf", d, "middle.pdf"),
        Multi(['Content-Type: multipart/alternative; boundary="sa-2"'], "sa-2", [
            text_leaf("Second block, plain.\n"), text_leaf("<p>Second block, html.</p>\n", "html")])])
    add(t, "continuations-separate-alternatives", message(m),
        "The plain part of a second, separate multipart/alternative is a continuation (it is not in the main part's alternative); the HTML alternatives are not.",
        frm=ALICE, subject="Two alternatives in one mixed", body=join_body("First block, plain.\n", "Second block, plain.\n"),
        body_type="text/plain", attachments=[att("middle.pdf", "application/pdf", "attachment", d)])

    m = Multi(top("Join rule for continuation pieces", "continuation-newline-rule") +
              ['Content-Type: multipart/mixed; boundary="nr-b"'], "nr-b", [
        text_leaf("Alpha"), text_leaf("Beta\n"), text_leaf("Gamma")])
    add(t, "continuation-newline-rule", message(m),
        "Pieces without a final newline get one before the join, then pieces are joined with \"\\n\": Alpha -> 'Alpha\\n', joined -> 'Alpha\\n\\nBeta\\n\\nGamma'; the last piece is left as is.",
        frm=ALICE, subject="Join rule for continuation pieces", body="Alpha\n\nBeta\n\nGamma", body_type="text/plain")

    img = png(2, 5, "html-cont")
    m = Multi(top("HTML, image, HTML", "html-continuations") + ['Content-Type: multipart/mixed; boundary="hc-b"'],
              "hc-b", [text_leaf("<p>Top HTML piece.</p>\n", "html"), file_leaf("image/png", img, "mid.png", "inline"),
                       text_leaf("<p>Bottom HTML piece.</p>\n", "html")])
    add(t, "html-continuations", message(m),
        "With no text/plain anywhere the first HTML leaf is the body and later HTML leaves are its continuations.",
        frm=ALICE, subject="HTML, image, HTML", body_contains=["Top HTML piece.", "Bottom HTML piece."], body_type="text/html",
        html_contains=["<p>Top HTML piece.</p>"], attachments=[att("mid.png", "image/png", "inline", img)])

    log = b"12:00:01 started\r\n12:00:02 crashed\r\n"
    m = Multi(top("Text attachment before an HTML body", "text-attachment-not-body") +
              ['Content-Type: multipart/mixed; boundary="ta-b"'], "ta-b", [
        Leaf(["Content-Type: text/plain; charset=us-ascii", "Content-Disposition: attachment",
              "Content-Transfer-Encoding: 7bit"], log),
        text_leaf("<p>The log is attached.</p>\n", "html")])
    add(t, "text-attachment-not-body", message(m),
        "A text/plain leaf with Content-Disposition: attachment (no filename) is an attachment, not the body, so the HTML leaf is the body.",
        frm=ALICE, subject="Text attachment before an HTML body", body_contains=["The log is attached."], body_type="text/html",
        attachments=[att(None, "text/plain", "attachment", log)])

    d1, d2 = pdf("only one"), png(3, 3, "only two")
    m = Multi(top("Only attachments", "only-attachments") + ['Content-Type: multipart/mixed; boundary="oa-b"'], "oa-b", [
        file_leaf("application/pdf", d1, "one.pdf"), file_leaf("image/png", d2, "two.png")])
    add(t, "only-attachments", message(m),
        "No text leaf at all: body is \"\" and body_type null.",
        frm=ALICE, subject="Only attachments", body="", body_type=None,
        attachments=[att("one.pdf", "application/pdf", "attachment", d1), att("two.png", "image/png", "attachment", d2)])

    m = Multi(top("Empty plain alternative", "empty-plain-alternative") +
              ['Content-Type: multipart/alternative; boundary="ep-b"'], "ep-b", [
        text_leaf(""), text_leaf("<p>Only the HTML has content.</p>\n", "html")])
    add(t, "empty-plain-alternative", message(m),
        "The rule takes the first non-attachment text/plain leaf even when it is empty: body \"\" with body_type text/plain (the HTML alternative is not consulted).",
        frm=ALICE, subject="Empty plain alternative", body="", body_type="text/plain", attachments=[])

    flowed = "This is a flowed \nparagraph that \ncontinues here.\n\n> quoted flowed \n> text\n\nSig line\n"
    data = message(Leaf(top("Format flowed", "format-flowed-kept") +
                        ["Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no",
                         "Content-Transfer-Encoding: 7bit"], T(flowed)))
    add(t, "format-flowed-kept", data,
        "format=flowed (RFC 3676) is not unflowed: the body keeps the lines and their trailing spaces exactly as sent.",
        frm=ALICE, subject="Format flowed", body=flowed, body_type="text/plain")

    data = T(ALICE_H + "\nSubject: Classic Mac line ends\nDate: " + DATE + "\n\n") + b"Line one\rLine two\r\rLine four\r"
    add(t, "old-mac-cr", data,
        "A body whose lines end in lone CRs (classic Mac OS): each CR becomes \"\\n\".",
        frm=ALICE, subject="Classic Mac line ends", body="Line one\nLine two\n\nLine four\n", body_type="text/plain")

    def quote_fixture(name, subject, body, qsw, ssw="omit", note=""):
        kw = {}
        if qsw != "omit":
            kw["quote_starts_with"] = qsw
        if ssw != "omit":
            kw["signature_starts_with"] = ssw
        add(t, name, simple(name, subject, body, charset="utf-8", cte="8bit"), note,
            frm=ALICE, subject=subject, body=body, body_type="text/plain", **kw)

    quote_fixture("quote-gmail", "Re: Printer offline",
                  "Thanks, restarting the service fixed it.\n\n"
                  "On Mon, Mar 4, 2024 at 10:15 AM Jane Agent <jane@fairdesk.test> wrote:\n\n"
                  "> Could you try restarting the print spooler service?\n>\n> Jane\n>\n",
                  "On Mon, Mar 4, 2024 at 10:15 AM Jane Agent <jane@fairdesk.test> wrote:", None,
                  "Gmail's reply layout: the quote segment starts at the 'On ... wrote:' attribution line; there is no signature.")
    quote_fixture("quote-gmail-wrapped-attribution", "Re: Logs",
                  "Sure, I'll send the logs tomorrow.\n\n"
                  "On Mon, Mar 4, 2024 at 10:15 AM Jane Agent from the Fairdesk Support Team <\n"
                  "support-team@fairdesk.test> wrote:\n\n> Please send us the logs.\n",
                  "On Mon, Mar 4, 2024 at 10:15 AM Jane Agent from the Fairdesk Support Team <",
                  note="Gmail wraps a long attribution line inside the angle brackets; the quote still starts at its first line.")
    quote_fixture("quote-outlook", "RE: Printer offline",
                  "Yes, it works now.\n\n-----Original Message-----\nFrom: Jane Agent <jane@fairdesk.test>\n"
                  "Sent: Monday, March 4, 2024 10:15 AM\nTo: Alice Example <alice@example.com>\nSubject: RE: Printer offline\n\n"
                  "Could you try restarting the print spooler service?\n",
                  "-----Original Message-----", None,
                  "Outlook's plain-text reply: the quote starts at '-----Original Message-----' and covers the unprefixed header block and text after it.")
    quote_fixture("quote-german", "AW: Drucker offline",
                  "Danke, jetzt geht es wieder.\n\nAm 04.03.2024 um 10:15 schrieb Jane Agent <jane@fairdesk.test>:\n"
                  "> Könnten Sie den Druckdienst neu starten?\n",
                  "Am 04.03.2024 um 10:15 schrieb Jane Agent <jane@fairdesk.test>:",
                  note="German attribution ('Am ... schrieb ...:') as Thunderbird and Apple Mail write it in German.")
    quote_fixture("quote-thunderbird-bottom", "Re: Update",
                  "On 04.03.24 10:15, Jane Agent wrote:\n> Did the update install?\n\nYes, it did.\n",
                  "On 04.03.24 10:15, Jane Agent wrote:",
                  note="Bottom-posting: the quote (attribution plus '>' lines) comes first, the new text after it.")
    quote_fixture("quote-plain-gt", "Re: VPN",
                  "> Is the VPN down?\n> It fails since 9:00.\n\nYes, we are working on it.\n",
                  "> Is the VPN down?", note="'>' quoting without an attribution line: the quote starts at the first '>' line.")
    quote_fixture("signature-dash-dash-space", "Password reset",
                  "Hello,\n\nplease reset my password.\n\n-- \nAlice Example\nAccounting, ACME Corp.\n",
                  None, "-- ", "The RFC 3676 4.3 signature separator '-- ' starts the signature segment; there is no quote.")
    quote_fixture("signature-then-quote", "Re: Works now",
                  "Works now, thanks!\n\n-- \nAlice Example\n\n"
                  "On Mon, Mar 4, 2024 at 10:15 AM Jane Agent <jane@fairdesk.test> wrote:\n> Try again please.\n",
                  "On Mon, Mar 4, 2024 at 10:15 AM Jane Agent <jane@fairdesk.test> wrote:", "-- ",
                  "Gmail puts the signature above the quote when top-posting: both segments are found.")
    quote_fixture("no-quote-no-signature", "Plans for Monday",
                  "On Monday I will install the new printer.\nPrice: 200 -- 250 EUR.\nSee you then.\n",
                  None, None, "Sentences that merely start with 'On' or contain '--' are not quotes or signatures (null: no such segment).")

# ================================================================ attachments/

def gen_attachments():
    t = "attachments"

    def mixed(name, subject, parts, body="See attached.\n"):
        return message(Multi(top(subject, name) + [f'Content-Type: multipart/mixed; boundary="a-{name}"'],
                             f"a-{name}", [text_leaf(body)] + parts))

    d = pdf("invoice 2024-031")
    add(t, "pdf-attachment", mixed("pdf-attachment", "Invoice attached", [file_leaf("application/pdf", d, "invoice-2024-031.pdf")]),
        "The everyday case: a text body and a base64 PDF with name and filename.",
        message_id=mid("pdf-attachment"), frm=ALICE, to=[SUPPORT], subject="Invoice attached", date=DATE_UTC,
        body="See attached.\n", body_type="text/plain",
        attachments=[att("invoice-2024-031.pdf", "application/pdf", "attachment", d)], has_defects=False,
        auto_reply=False, urgent=False)

    d = stream("name-only", 333)
    add(t, "name-only", mixed("name-only", "Content-Type name only", [
        file_leaf("application/zip", d, "archive.zip", disposition=None)]),
        "The filename comes only from the Content-Type name parameter; there is no Content-Disposition, so disposition is null.",
        frm=ALICE, subject="Content-Type name only", attachments=[att("archive.zip", "application/zip", None, d)])

    d = stream("filename-only", 210)
    add(t, "filename-only", mixed("filename-only", "Disposition filename only", [
        file_leaf("application/octet-stream", d, "data.bin", name_in_ct=False)]),
        "The filename comes only from Content-Disposition.",
        frm=ALICE, subject="Disposition filename only", attachments=[att("data.bin", "application/octet-stream", "attachment", d)])

    d = jpeg_like("inline-jpeg", 400)
    add(t, "inline-with-filename", mixed("inline-with-filename", "Inline image with a filename", [
        file_leaf("image/jpeg", d, "IMG_0042.JPG", "inline")]),
        "An image with disposition inline and a filename is an attachment whose disposition is inline.",
        frm=ALICE, subject="Inline image with a filename", attachments=[att("IMG_0042.JPG", "image/jpeg", "inline", d)])

    d = png(7, 7, "no-filename")
    add(t, "image-no-filename", mixed("image-no-filename", "Image without filename or disposition", [
        file_leaf("image/png", d, None, None)]),
        "A leaf whose type is not text/plain or text/html is an attachment even with no filename and no disposition.",
        frm=ALICE, subject="Image without filename or disposition", attachments=[att(None, "image/png", None, d)])

    d = b"line 1\r\nline 2\r\n"
    add(t, "text-plain-attachment-no-filename", mixed("text-plain-attachment-no-filename", "Text attachment without filename", [
        Leaf(["Content-Type: text/plain; charset=us-ascii", "Content-Disposition: attachment"], d)]),
        "text/plain with Content-Disposition: attachment is an attachment even without a filename; its 7bit bytes keep their CRLFs.",
        frm=ALICE, subject="Text attachment without filename", body="See attached.\n", body_type="text/plain",
        attachments=[att(None, "text/plain", "attachment", d)])

    d = b"notes inline\r\n"
    add(t, "text-plain-inline-with-filename", mixed("text-plain-inline-with-filename", "Inline text with a filename", [
        Leaf(['Content-Type: text/plain; charset=us-ascii; name="notes.txt"', 'Content-Disposition: inline; filename="notes.txt"'], d)]),
        "text/plain marked inline but with a filename is an attachment (having a filename is enough), not a body continuation.",
        frm=ALICE, subject="Inline text with a filename", body="See attached.\n", body_type="text/plain",
        attachments=[att("notes.txt", "text/plain", "inline", d)])

    d = T("<html><body><h1>Saved page</h1></body></html>\n")
    add(t, "html-attachment", mixed("html-attachment", "HTML file attached", [
        Leaf(['Content-Type: text/html; charset=utf-8; name="page.html"', 'Content-Disposition: attachment; filename="page.html"',
              "Content-Transfer-Encoding: base64"], b64(d))]),
        "An HTML file sent as an attachment is not the body.",
        frm=ALICE, subject="HTML file attached", body="See attached.\n", body_type="text/plain",
        attachments=[att("page.html", "text/html", "attachment", d)])

    add(t, "zero-byte", mixed("zero-byte", "Empty attachment", [file_leaf("application/octet-stream", b"", "empty.dat")]),
        "A zero-byte attachment: size 0 and the SHA-256 of the empty string.",
        frm=ALICE, subject="Empty attachment", attachments=[att("empty.dat", "application/octet-stream", "attachment", b"")])

    d1, d2 = png(2, 2, "same-1"), png(2, 2, "same-2")
    add(t, "same-name-twice", mixed("same-name-twice", "Two files with one name", [
        file_leaf("image/png", d1, "image.png"), file_leaf("image/png", d2, "image.png")]),
        "Two different attachments with the same filename are both kept, in order.",
        frm=ALICE, subject="Two files with one name",
        attachments=[att("image.png", "image/png", "attachment", d1), att("image.png", "image/png", "attachment", d2)])

    d = stream("upper", 90)
    add(t, "uppercase-disposition", mixed("uppercase-disposition", "Upper-case disposition", [
        Leaf(['Content-Type: APPLICATION/OCTET-STREAM', 'Content-Disposition: ATTACHMENT; FILENAME="UP.DAT"',
              "Content-Transfer-Encoding: base64"], b64(d))]),
        "Disposition type, parameter names and media types are case-insensitive; content_type and disposition are reported lower-case, the filename as written.",
        frm=ALICE, subject="Upper-case disposition", attachments=[att("UP.DAT", "application/octet-stream", "attachment", d)])

    d = T("<bold>Enriched</bold> text\n")
    add(t, "text-enriched", mixed("text-enriched", "text/enriched part", [Leaf(["Content-Type: text/enriched"], d)]),
        "text/enriched is neither text/plain nor text/html, so it is an attachment (no filename, no disposition).",
        frm=ALICE, subject="text/enriched part", body="See attached.\n", body_type="text/plain",
        attachments=[att(None, "text/enriched", None, d)])

    d = "Ünïcode in an 8bit octet-stream\r\n".encode()
    add(t, "octet-stream-8bit", mixed("octet-stream-8bit", "8bit attachment", [
        file_leaf("application/octet-stream", d, "raw.txt", cte="8bit")]),
        "An 8bit attachment: bytes as they stand, including the final CRLF (the one before the delimiter is not part of it).",
        frm=ALICE, subject="8bit attachment", attachments=[att("raw.txt", "application/octet-stream", "attachment", d)])

    d = b'{"ticket": 42, "status": "open"}'
    add(t, "json-7bit", mixed("json-7bit", "JSON attachment", [file_leaf("application/json", d, "ticket.json", cte="7bit")]),
        "A 7bit application/json attachment without a final newline.",
        frm=ALICE, subject="JSON attachment", attachments=[att("ticket.json", "application/json", "attachment", d)])

    d = b"%PDF-1.4 fake"
    m = Multi(top("Only an HTML attachment", "html-attachment-only") + ['Content-Type: multipart/mixed; boundary="hao-b"'],
              "hao-b", [Leaf(['Content-Type: text/html; charset=us-ascii', 'Content-Disposition: attachment; filename="x.html"'],
                             b"<p>attached page</p>"),
                        file_leaf("application/pdf", d, "x.pdf")])
    add(t, "html-attachment-only", message(m),
        "The only text leaf is an HTML attachment: there is no body.",
        frm=ALICE, subject="Only an HTML attachment", body="", body_type=None,
        attachments=[att("x.html", "text/html", "attachment", b"<p>attached page</p>"), att("x.pdf", "application/pdf", "attachment", d)])


# ================================================================ signals/

def gen_signals():
    t = "signals"

    def sig(name, subject, extra, note, frm_h=ALICE_H, frm=ALICE, ctype=None, **kw):
        h = top(subject, name, frm=frm_h) + list(extra)
        h += ctype or ["Content-Type: text/plain; charset=us-ascii"]
        add(t, name, message(Leaf(h, T("Body.\n"))), note, frm=frm, subject=subject, **kw)

    sig("plain-human", "A normal question", [], "No automation or priority headers: neither auto_reply nor urgent.",
        auto_reply=False, urgent=False)
    sig("auto-submitted-auto-replied", "Automatic reply: Out of office", ["Auto-Submitted: auto-replied"],
        "RFC 3834 Auto-Submitted: auto-replied.", auto_reply=True, urgent=False)
    sig("auto-submitted-auto-generated", "Your order has shipped", ["Auto-Submitted: auto-generated"],
        "RFC 3834 Auto-Submitted: auto-generated.", auto_reply=True)
    sig("auto-submitted-with-comment", "Vacation", ["Auto-Submitted: Auto-Replied (vacation)"],
        "Keyword case-insensitive, trailing comment ignored.", auto_reply=True)
    sig("auto-submitted-no", "A person wrote this", ["Auto-Submitted: no"],
        "Auto-Submitted: no explicitly means NOT automatic (RFC 3834 5).", auto_reply=False)
    sig("auto-submitted-no-uppercase", "Also a person", ["Auto-Submitted: No"],
        "'No' in another case is still 'no'.", auto_reply=False)
    sig("precedence-bulk", "Newsletter", ["Precedence: bulk"], "Precedence: bulk marks automated mail.", auto_reply=True)
    sig("precedence-list", "List post", ["Precedence: list"], "Precedence: list.", auto_reply=True)
    sig("precedence-junk", "Junk", ["Precedence: junk"], "Precedence: junk.", auto_reply=True)
    sig("x-autoreply", "Away", ["X-Autoreply: yes"], "X-Autoreply (Postfix vacation, many responders).", auto_reply=True)
    sig("x-autorespond", "Thanks for your message", ["X-Autorespond: Thanks for your message"],
        "X-Autorespond (cPanel/Exim autoresponders).", auto_reply=True)
    sig("list-id", "[users] Printer question", ["List-Id: Users list <users.lists.example.org>"],
        "List-Id marks mailing-list traffic, which RFC 3834 2 says responders should not answer.", auto_reply=True)
    sig("list-unsubscribe", "Our March newsletter", ["List-Unsubscribe: <mailto:unsub@news.example.com>, <https://news.example.com/u/1>"],
        "List-Unsubscribe marks bulk/list mail.", auto_reply=True)
    sig("from-mailer-daemon", "Undelivered Mail Returned to Sender", [],
        "Mail from MAILER-DAEMON is a bounce (local part compared case-insensitively).",
        frm_h="From: Mail Delivery System <MAILER-DAEMON@mx.example.net>", frm=A("Mail Delivery System", "MAILER-DAEMON@mx.example.net"),
        auto_reply=True)
    sig("from-postmaster", "Delivery Status Notification", [],
        "Mail from postmaster@ is treated like MAILER-DAEMON.",
        frm_h="From: postmaster@example.net", frm=A(None, "postmaster@example.net"), auto_reply=True)
    sig("from-mailer-daemon-lowercase", "failure notice", [],
        "mailer-daemon in lower case (Gmail's bounces).",
        frm_h="From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        frm=A("Mail Delivery Subsystem", "mailer-daemon@googlemail.com"), auto_reply=True)
    dsn = T("Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; gone@example.com\nAction: failed\nStatus: 5.1.1\n")
    m = Multi(top("Delivery failure", "multipart-report") +
              ['Content-Type: multipart/report; report-type=delivery-status; boundary="rep-b"'], "rep-b", [
        text_leaf("Your message could not be delivered.\n"), Leaf(["Content-Type: message/delivery-status"], dsn)])
    add(t, "multipart-report", message(m),
        "multipart/report; report-type=delivery-status is a DSN (RFC 3464) even from an ordinary-looking sender.",
        frm=ALICE, subject="Delivery failure", body="Your message could not be delivered.\n", body_type="text/plain",
        attachments=[att(None, "message/delivery-status", None, dsn)], auto_reply=True)

    sig("x-priority-1", "Server down", ["X-Priority: 1 (Highest)"], "X-Priority 1 is urgent.", urgent=True, auto_reply=False)
    sig("x-priority-2", "Need this today", ["X-Priority: 2 (High)"], "X-Priority 2 is urgent too.", urgent=True)
    sig("x-priority-3", "Normal request", ["X-Priority: 3"], "X-Priority 3 is normal.", urgent=False)
    sig("x-priority-5", "Whenever", ["X-Priority: 5 (Lowest)"], "X-Priority 5 is low.", urgent=False)
    sig("importance-high", "Important", ["Importance: high"], "Importance: high (Outlook).", urgent=True)
    sig("importance-high-capitalized", "Important too", ["Importance: High", "X-MSMail-Priority: High"],
        "Importance is case-insensitive.", urgent=True)
    sig("importance-low", "Not important", ["Importance: low"], "Importance: low is not urgent.", urgent=False)
    sig("priority-urgent", "Urgent", ["Priority: urgent"], "Priority: urgent (RFC 2156).", urgent=True)
    sig("priority-non-urgent", "Not urgent", ["Priority: non-urgent"], "Priority: non-urgent is not urgent.", urgent=False)
    sig("auto-reply-and-urgent", "Automatic reply: URGENT outage", ["Auto-Submitted: auto-replied", "X-Priority: 1"],
        "The two signals are independent: an auto-reply can carry a high priority.", auto_reply=True, urgent=True)

# ================================================================ dates/

def gen_dates():
    t = "dates"

    def dt(name, field, expected, note, eol=CRLF):
        h = [ALICE_H, SUPPORT_H, f"Subject: Date test {name}", "Date: " + field if field is not None else "X-No-Date: yes",
             f"Message-ID: <{name}@fixtures.fairdesk.test>"]
        add(t, name, message(Leaf(h, T("Body.\n", eol)), eol), note, frm=ALICE, subject=f"Date test {name}", date=expected)

    dt("standard-offset", "Tue, 05 Mar 2024 14:30:00 +0100", "2024-03-05T13:30:00Z", "RFC 5322 date-time with a positive offset, converted to UTC.")
    dt("negative-offset", "Tue, 5 Mar 2024 14:30:00 -0800", "2024-03-05T22:30:00Z", "A negative offset and a one-digit day.")
    dt("no-weekday", "5 Mar 2024 14:30:00 -0800", "2024-03-05T22:30:00Z", "The day-of-week is optional.")
    dt("two-digit-year-24", "Tue, 5 Mar 24 14:30:00 +0000", "2024-03-05T14:30:00Z",
       "RFC 5322 4.3: a two-digit year 00-49 is 2000-2049.")
    dt("two-digit-year-98", "Fri, 13 Mar 98 09:00:00 +0000", "1998-03-13T09:00:00Z",
       "RFC 5322 4.3: a two-digit year 50-99 is 1950-1999.")
    dt("two-digit-year-61", "Sat, 4 Nov 61 12:00:00 +0000", "1961-11-04T12:00:00Z",
       "RFC 5322 4.3 puts 61 in 1961; Python's email.utils uses a 69 pivot and says 2061, which is wrong here.")
    dt("three-digit-year", "Thu, 5 Feb 104 10:00:00 +0000", "2004-02-05T10:00:00Z",
       "RFC 5322 4.3: a three-digit year gets 1900 added (old software printing tm_year); Python does not handle it.")
    dt("obsolete-zone-est", "Mon, 4 Mar 2024 09:00:00 EST", "2024-03-04T14:00:00Z", "RFC 5322 4.3 obs-zone EST is -0500.")
    dt("obsolete-zone-pdt", "Fri, 12 Jul 2024 08:15:00 PDT", "2024-07-12T15:15:00Z", "obs-zone PDT is -0700.")
    dt("obsolete-zone-cst", "Mon, 4 Mar 2024 09:00:00 CST", "2024-03-04T15:00:00Z", "obs-zone CST is -0600.")
    dt("obsolete-zone-gmt", "Tue, 5 Mar 2024 14:30:00 GMT", "2024-03-05T14:30:00Z", "obs-zone GMT is +0000.")
    dt("obsolete-zone-ut", "Tue, 5 Mar 2024 14:30:00 UT", "2024-03-05T14:30:00Z", "obs-zone UT is +0000.")
    dt("utc-comment", "Tue, 5 Mar 2024 14:30:00 +0000 (UTC)", "2024-03-05T14:30:00Z", "A trailing comment after the zone is CFWS.")
    dt("cet-comment", "Tue, 5 Mar 2024 15:30:00 +0100 (CET)", "2024-03-05T14:30:00Z", "The offset counts, not the comment.")
    dt("missing-seconds", "Tue, 5 Mar 2024 14:30 +0100", "2024-03-05T13:30:00Z", "Seconds are optional (RFC 5322 3.3).")
    dt("garbage", "yesterday at noon", None, "Nothing date-like: null.")
    dt("garbage-numbers", "32/13/2024 25:61", None, "Numbers that are not an RFC 5322 date: null.")
    dt("empty", "", None, "An empty Date field: null.")
    dt("missing", None, None, "No Date field: null.")
    dt("folded", "Tue, 5 Mar 2024\n 14:30:00 +0200", "2024-03-05T12:30:00Z", "A Date field folded over two lines.")
    dt("year-boundary", "Mon, 1 Jan 2024 00:30:00 +0200", "2023-12-31T22:30:00Z", "Conversion to UTC crosses into the previous year.")
    dt("leap-day", "Thu, 29 Feb 2024 23:59:59 -0100", "2024-03-01T00:59:59Z", "A leap day, and conversion to UTC crosses into March.")
    dt("half-hour-offset", "Tue, 5 Mar 2024 10:00:00 +0530", "2024-03-05T04:30:00Z", "India's +0530.")
    dt("quarter-hour-offset", "Tue, 5 Mar 2024 10:00:00 +0545", "2024-03-05T04:15:00Z", "Nepal's +0545.")
    dt("negative-half-hour", "Tue, 5 Mar 2024 10:00:00 -0330", "2024-03-05T13:30:00Z", "Newfoundland's -0330.")
    dt("minus-zero", "Tue, 5 Mar 2024 14:30:00 -0000", "2024-03-05T14:30:00Z", "-0000 (RFC 5322 3.3: UTC, local zone unknown).")
    dt("lowercase-names", "tue, 5 mar 2024 14:30:00 +0000", "2024-03-05T14:30:00Z", "Day and month names are case-insensitive (ABNF strings).")
    dt("odd-spacing", "Tue,5 Mar  2024   14:30:00   +0000", "2024-03-05T14:30:00Z",
       "No space after the comma and runs of spaces are all FWS.")
    dt("wrong-weekday", "Mon, 5 Mar 2024 14:30:00 +0000", "2024-03-05T14:30:00Z",
       "The weekday does not match the date (5 March 2024 was a Tuesday); lenient parsing ignores the weekday.")
    dt("lf-message", "Tue, 5 Mar 2024 14:30:00 +0000", "2024-03-05T14:30:00Z", "A bare-LF message.", eol=LF)


# ================================================================ broken/

def gen_broken():
    t = "broken"
    data = message(Leaf(top("Multipart without a boundary", "multipart-no-boundary") + ["Content-Type: multipart/mixed"],
                        T("This should still be readable.\n")))
    add(t, "multipart-no-boundary", data,
        "multipart/mixed without a boundary parameter cannot be split; the content must not be lost, so it is read as text (RFC 2045 5.2's default for an invalid Content-Type), and that is a defect (Python returns no text at all here).",
        frm=ALICE, subject="Multipart without a boundary", body_contains=["This should still be readable."], has_defects=True)

    data = message(Leaf(top("Boundary never appears", "boundary-never-appears") +
                        ['Content-Type: multipart/mixed; boundary="never-used"'], T("--not-the-boundary\nSome text.\n")))
    add(t, "boundary-never-appears", data,
        "The declared boundary never occurs, so there are no parts at all; only the defect and the header fields are asserted.",
        frm=ALICE, subject="Boundary never appears", has_defects=True)

    d = stream("truncated", 600)
    enc = base64.b64encode(d)
    cut = enc[:403]  # 403 chars: 100 full groups + 3 chars -> 302 bytes
    m = Multi(top("Truncated attachment", "truncated-base64") + ['Content-Type: multipart/mixed; boundary="tr-b"'], "tr-b", [
        text_leaf("The connection dropped.\n"),
        Leaf(['Content-Type: application/octet-stream; name="cut.bin"', 'Content-Disposition: attachment; filename="cut.bin"',
              "Content-Transfer-Encoding: base64"], CRLF.join(cut[i:i + 76] for i in range(0, len(cut), 76)))], close=False)
    add(t, "truncated-base64", message(m),
        "The message stops in the middle of a base64 attachment: no close delimiter, no padding; what is there decodes (100 groups and a 3-character tail = 302 bytes).",
        frm=ALICE, subject="Truncated attachment", body="The connection dropped.\n", body_type="text/plain",
        attachments=[att("cut.bin", "application/octet-stream", "attachment", base64.b64decode(cut + b"="))], has_defects=True)

    data = (B(ALICE_H) + b"\r\nX-Garbage: \xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\r\n" + B(SUPPORT_H) +
            b"\r\nSubject: Garbage bytes in another header\r\nDate: " + B(DATE) + b"\r\n\r\nStill fine.\r\n")
    add(t, "garbage-header-bytes", data,
        "Invalid UTF-8 sequences in an unrelated header field do not disturb the other fields or the body.",
        frm=ALICE, to=[SUPPORT], subject="Garbage bytes in another header", date=DATE_UTC, body="Still fine.\n")

    d = pdf("no closes at all")
    m = Multi(top("No close delimiters at all", "nested-missing-all-closes") + ['Content-Type: multipart/mixed; boundary="o-b"'],
              "o-b", [Multi(['Content-Type: multipart/alternative; boundary="i-b"'], "i-b", [
                  text_leaf("Plain.\n"), text_leaf("<p>HTML.</p>\n", "html")], close=False),
                  file_leaf("application/pdf", d, "last.pdf")], close=False)
    add(t, "nested-missing-all-closes", message(m) + CRLF,
        "Neither the inner nor the outer multipart is closed: the outer delimiter still ends the inner part and the last part runs to the end.",
        frm=ALICE, subject="No close delimiters at all", body="Plain.\n", body_type="text/plain",
        attachments=[att("last.pdf", "application/pdf", "attachment", d)], has_defects=True)

    add(t, "empty-file", b"",
        "Zero bytes: no fields (subject and from null), an empty text body, no crash.",
        message_id=None, frm=None, to=[], subject=None, date=None, body="", attachments=[])

    add(t, "body-only", b"\r\nJust a body, no header fields.\r\n",
        "The data starts with an empty line: an empty header block (subject and from null) and a body.",
        frm=None, subject=None, body="Just a body, no header fields.\n", body_type="text/plain")

    add(t, "encoded-word-utf8-label-latin1", subj_msg("encoded-word-utf8-label-latin1", "=?UTF-8?Q?Caf=E9_=93menu=94?="),
        "An encoded word labelled UTF-8 whose bytes are Windows-1252: decoded as Windows-1252 rather than with replacement characters (same rule as bodies; Python gives replacement characters).",
        frm=ALICE, subject="Café “menu”")

    line = "".join(f"word{i} " for i in range(1500)).strip()
    add(t, "long-body-line", simple("long-body-line", "A very long body line", line + "\n"),
        f"A {len(line)}-character body line (over the 998 limit of RFC 5322 2.1.1): kept whole.",
        frm=ALICE, subject="A very long body line", body=line + "\n", body_type="text/plain")

    m = Multi(top("Part header block without a body", "part-headers-no-body") + ['Content-Type: multipart/mixed; boundary="hb-b"'],
              "hb-b", [text_leaf("Main text.\n"), Leaf(['Content-Type: application/pdf; name="ghost.pdf"'], b"")])
    raw = message(m).replace(b'name="ghost.pdf"\r\n\r\n\r\n', b'name="ghost.pdf"\r\n')
    add(t, "part-headers-no-body", raw,
        "The last part has a header field but no empty line and no body before the close delimiter: an empty attachment.",
        frm=ALICE, subject="Part header block without a body", body="Main text.\n", body_type="text/plain",
        attachments=[att("ghost.pdf", "application/pdf", None, b"")])

# ================================================================ limits/

def gen_limits():
    t = "limits"
    body = "The body after a hostile header block.\n"

    hs = top("2,100 header fields", "header-count-2100", mime=False)
    hs += [f"X-Filler-{i:04d}: value {i}" for i in range(2100 - len(hs))]
    assert len(hs) == 2100
    add(t, "header-count-2100", message(Leaf(hs, T(body))),
        "2,100 header fields, over the 2,000-field limit; From, Subject and Message-ID come first and must survive.",
        message_id=mid("header-count-2100"), frm=ALICE, subject="2,100 header fields", has_defects=True)

    long_subject = "Very long subject " + "abcdefghij" * (300 * 1024 // 10)
    h = [ALICE_H, SUPPORT_H, f"Date: {DATE}", f"Message-ID: <subject-300k@fixtures.fairdesk.test>", "Subject: " + long_subject]
    add(t, "subject-300k", message(Leaf(h, T(body))),
        "A single 300 KiB Subject line, over the 256 KiB field limit: it is truncated (so its value is not asserted) and everything else, including the body, must survive.",
        message_id=mid("subject-300k"), frm=ALICE, to=[SUPPORT], date=DATE_UTC, body=body, has_defects=True)

    h = [ALICE_H, "X-Long: " + "0123456789" * (300 * 1024 // 10), "Subject: After a 300 KiB field",
         SUPPORT_H, f"Date: {DATE}"]
    add(t, "long-field-then-subject", message(Leaf(h, T(body))),
        "A 300 KiB X-Long field is truncated; the Subject and To after it are still read.",
        frm=ALICE, to=[SUPPORT], subject="After a 300 KiB field", date=DATE_UTC, body=body, has_defects=True)

    h = top("Header block over 1 MiB", "header-block-over-1mib", mime=False)
    pad = "\n ".join(["x" * 70] * 13)  # about 1,000 bytes per field
    h += [f"X-Pad-{i:04d}: {pad}" for i in range(1200)]
    data = message(Leaf(h, T(body)))
    assert len(data) > (1 << 20) + 50_000
    add(t, "header-block-over-1mib", data,
        f"A {len(data):,}-byte header block (1,200 folded fields of about 1,000 bytes, under the field-count limit) over the 1 MiB header limit; the fields at the top must survive.",
        message_id=mid("header-block-over-1mib"), frm=ALICE, subject="Header block over 1 MiB", has_defects=True)

    def nested(depth, leaf_text, tag):
        inner = text_leaf(leaf_text)
        for i in range(depth, 0, -1):
            inner = Multi([f'Content-Type: multipart/mixed; boundary="{tag}-{i:02d}"'], f"{tag}-{i:02d}", [inner])
        return inner

    m = Multi(top("Nesting depth 40", "nesting-depth-40") + ['Content-Type: multipart/mixed; boundary="deep-00"'], "deep-00", [
        text_leaf("The body comes before the deep nest.\n"), nested(39, "Forty levels down.\n", "deep")])
    add(t, "nesting-depth-40", message(m),
        "Multiparts nested 40 deep, over the depth limit of 32: the deep part is cut off (kept opaque) and recorded; the text before it is the whole body.",
        frm=ALICE, subject="Nesting depth 40", body="The body comes before the deep nest.\n", body_type="text/plain", has_defects=True)

    m = Multi(top("Nesting depth 30", "nesting-depth-30") + ['Content-Type: multipart/mixed; boundary="ok-00"'], "ok-00", [
        nested(29, "Thirty levels down.\n", "ok")])
    add(t, "nesting-depth-30", message(m),
        "Control: 30 nested multiparts (the text at level 31 counting the top as 1) are within the limit of 32, so the text is found and nothing is a defect.",
        frm=ALICE, subject="Nesting depth 30", body="Thirty levels down.\n", body_type="text/plain", attachments=[],
        has_defects=False)

    def many(n):
        return [Leaf([f'Content-Type: application/octet-stream; name="p{i:04d}.bin"',
                      f'Content-Disposition: attachment; filename="p{i:04d}.bin"', "Content-Transfer-Encoding: base64"],
                     b64(f"part {i}\n".encode())) for i in range(n)]

    m = Multi(top("1,100 MIME parts", "parts-1100") + ['Content-Type: multipart/mixed; boundary="many-b"'], "many-b",
              [text_leaf("Body before 1,099 attachments.\n")] + many(1099))
    add(t, "parts-1100", message(m),
        "1,101 entities (the multipart, a text part, 1,099 attachments), over the 1,000-part limit: the body and the first attachments are read, the rest kept opaque, and that is a defect.",
        frm=ALICE, subject="1,100 MIME parts", body="Body before 1,099 attachments.\n", body_type="text/plain", has_defects=True)

    m = Multi(top("900 MIME parts", "parts-900") + ['Content-Type: multipart/mixed; boundary="ok-many-b"'], "ok-many-b",
              [text_leaf("Body before 898 attachments.\n")] + many(898))
    add(t, "parts-900", message(m),
        "Control: 900 entities are within the limit: every attachment is there and nothing is a defect.",
        frm=ALICE, subject="900 MIME parts", body="Body before 898 attachments.\n", body_type="text/plain",
        attachment_count=898, has_defects=False)

    addrs = [f"u{i:04d}@example.com" for i in range(6000)]
    lines = [", ".join(addrs[i:i + 4]) for i in range(0, 6000, 4)]
    h = [ALICE_H, "To: " + ",\n ".join(lines), 'Cc: "After The List" <after@example.com>, second@example.com',
         "Subject: 6,000 recipients", f"Date: {DATE}"]
    add(t, "to-6000", message(Leaf(h, T(body))),
        "A To field with 6,000 addresses, over the 5,000-per-field limit (the field itself is about 120 KB, under the field-size limit): the Cc after it is still read.",
        frm=ALICE, cc=[A("After The List", "after@example.com"), A(None, "second@example.com")], subject="6,000 recipients",
        has_defects=True)

    addrs = [f"r{i:04d}@example.com" for i in range(1200)]
    h = [ALICE_H, "To: " + ",\n ".join(", ".join(addrs[i:i + 4]) for i in range(0, 1200, 4)),
         "Subject: 1,200 recipients", f"Date: {DATE}"]
    add(t, "to-1200", message(Leaf(h, T(body))),
        "Control: 1,200 addresses are within the limit and all come back, in order.",
        frm=ALICE, to=[A(None, a) for a in addrs], subject="1,200 recipients", has_defects=False)

# ================================================================ real-world/

def ics(method, uid):
    return T("BEGIN:VCALENDAR\nPRODID:-//Fairdesk Fixtures//Calendar 1.0//EN\nVERSION:2.0\nCALSCALE:GREGORIAN\n"
             f"METHOD:{method}\nBEGIN:VEVENT\nDTSTART:20240312T090000Z\nDTEND:20240312T100000Z\n"
             "DTSTAMP:20240305T143000Z\nORGANIZER;CN=Jane Agent:mailto:jane@fairdesk.test\n"
             f"UID:{uid}\nATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE\n"
             " ;CN=Alice Example:mailto:alice@example.com\nSUMMARY:Quarterly support review\n"
             "LOCATION:Room 3.14\nSEQUENCE:0\nSTATUS:CONFIRMED\nEND:VEVENT\nEND:VCALENDAR\n")


def gen_real_world():
    t = "real-world"

    # ---- Outlook: alternative, QP, Windows-1252 bytes under an iso-8859-1 label, Original Message quote
    plain = ("Hallo,\n\ndie VPN-Verbindung bricht weiterhin ab – siehe „Protokoll“ im Anhang.\n\nGruß\nHans\n\n"
             "-----Original Message-----\nFrom: Fairdesk Support <support@fairdesk.test>\n"
             "Sent: Monday, March 4, 2024 5:02 PM\nTo: Müller, Hans <hans.mueller@contoso.example>\n"
             "Subject: Ticket #1234 - VPN disconnects\n\nBitte starten Sie den Client neu.\n")
    html = ("<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\">\n"
            "<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">\n"
            "<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt;} --></style>\n</head>\n"
            "<body lang=\"DE\" link=\"#0563C1\"><div class=\"WordSection1\">\n"
            "<p class=\"MsoNormal\">Hallo,<o:p></o:p></p>\n<p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>\n"
            "<p class=\"MsoNormal\">die VPN-Verbindung bricht weiterhin ab &#8211; siehe &#8222;Protokoll&#8220; im Anhang.<o:p></o:p></p>\n"
            "</div>\n</body>\n</html>\n")
    bd = "_000_AM0PR06MB1234ABCD5678EF90AM0PR06MB1234eurp_"
    m = Multi(['From: =?iso-8859-1?Q?M=FCller=2C_Hans?= <hans.mueller@contoso.example>',
               "To: Fairdesk Support <support@fairdesk.test>",
               "Subject: RE: Ticket #1234 - VPN disconnects",
               "Thread-Topic: Ticket #1234 - VPN disconnects",
               "Thread-Index: AdpvO1wuGq3n4kV5TNa1dQ2dWq8t2w==",
               "Date: Tue, 5 Mar 2024 14:30:00 +0000",
               "Message-ID: <AM0PR06MB1234ABCD5678EF90@AM0PR06MB1234.eurprd06.prod.outlook.example>",
               "References: <ticket-1234@fairdesk.test>",
               "In-Reply-To: <ticket-1234@fairdesk.test>",
               "Accept-Language: de-DE, en-US", "Content-Language: de-DE", "X-MS-Has-Attach:",
               "X-MS-TNEF-Correlator:", "x-ms-publictraffictype: Email",
               f'Content-Type: multipart/alternative;\n\tboundary="{bd}"', "MIME-Version: 1.0"], bd, [
        Leaf(['Content-Type: text/plain; charset="iso-8859-1"', "Content-Transfer-Encoding: quoted-printable"],
             qp(plain.encode("cp1252"))),
        Leaf(['Content-Type: text/html; charset="iso-8859-1"', "Content-Transfer-Encoding: quoted-printable"],
             qp(html.encode("cp1252")))])
    add(t, "outlook-alternative", message(m),
        "Outlook/Exchange reply: alternative with QP parts labelled iso-8859-1 that carry Windows-1252 bytes (– „ “), an encoded 'Last, First' From, threading headers, and an '-----Original Message-----' quote.",
        message_id="AM0PR06MB1234ABCD5678EF90@AM0PR06MB1234.eurprd06.prod.outlook.example",
        frm=A("Müller, Hans", "hans.mueller@contoso.example"), to=[SUPPORT], subject="RE: Ticket #1234 - VPN disconnects",
        date=DATE_UTC, in_reply_to="ticket-1234@fairdesk.test", references=["ticket-1234@fairdesk.test"],
        body=plain, body_type="text/plain", attachments=[], auto_reply=False, urgent=False,
        quote_starts_with="-----Original Message-----")

    # ---- Outlook RTF mail: winmail.dat
    tnef = b"\x78\x9f\x3e\x22" + b"\x01\x00" + stream("tnef", 1800)
    bd = "_002_DB9PR02MB7XYZ_"
    m = Multi(["From: Peter Fox <peter.fox@contoso.example>", SUPPORT_H, "Subject: Printer settings (RTF)",
               "Date: Tue, 5 Mar 2024 14:30:00 +0000", "Message-ID: <DB9PR02MB7XYZ@DB9PR02MB7.eurprd02.prod.outlook.example>",
               "X-MS-Has-Attach: yes", "X-MS-TNEF-Correlator: <DB9PR02MB7XYZ@DB9PR02MB7.eurprd02.prod.outlook.example>",
               f'Content-Type: multipart/mixed;\n\tboundary="{bd}"', "MIME-Version: 1.0"], bd, [
        Leaf(['Content-Type: text/plain; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"],
             b"The printer settings are in the attached document.\r\n"),
        Leaf(['Content-Type: application/ms-tnef; name="winmail.dat"', "Content-Description: winmail.dat",
              'Content-Disposition: attachment; filename="winmail.dat";\n\tsize=1806; creation-date="Tue, 05 Mar 2024 14:29:58 GMT";\n\tmodification-date="Tue, 05 Mar 2024 14:29:58 GMT"',
              "Content-Transfer-Encoding: base64"], b64(tnef))])
    add(t, "outlook-winmail-dat", message(m),
        "Outlook rich-text mail: the real content is in a TNEF winmail.dat attachment (application/ms-tnef), with size/date parameters on the disposition.",
        frm=A("Peter Fox", "peter.fox@contoso.example"), subject="Printer settings (RTF)", date=DATE_UTC,
        body="The printer settings are in the attached document.\n", body_type="text/plain",
        attachments=[att("winmail.dat", "application/ms-tnef", "attachment", tnef)])

    # ---- Calendar invite (Google Calendar layout)
    inv = ics("REQUEST", "7kq2p8r3s9@google.example")
    m = Multi(["From: Jane Agent <jane@fairdesk.test>", "To: alice@example.com",
               "Subject: Invitation: Quarterly support review @ Tue Mar 12, 2024 10am - 11am (CET) (alice@example.com)",
               "Date: Tue, 05 Mar 2024 14:30:00 +0000", "Message-ID: <calendar-7kq2p8r3s9@google.example>",
               "Reply-To: Jane Agent <jane@fairdesk.test>", "Sender: Google Calendar <calendar-notification@google.example>",
               "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="000000000000c1d2e3f405f6a7b8"'],
              "000000000000c1d2e3f405f6a7b8", [
        Multi(['Content-Type: multipart/alternative; boundary="000000000000c1d2e3f405f6a7b6"'], "000000000000c1d2e3f405f6a7b6", [
            Leaf(['Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes', "Content-Transfer-Encoding: base64"],
                 b64(T("You have been invited to the following event.\n\nTitle: Quarterly support review\nWhen: Tue Mar 12, 2024 10am – 11am (CET)\n"))),
            Leaf(['Content-Type: text/html; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"],
                 qp("<p>You have been invited to the following event.</p>\n".encode())),
            Leaf(['Content-Type: text/calendar; charset="UTF-8"; method=REQUEST', "Content-Transfer-Encoding: 7bit"], inv)]),
        Leaf(['Content-Type: application/ics; name="invite.ics"', 'Content-Disposition: attachment; filename="invite.ics"',
              "Content-Transfer-Encoding: base64"], b64(inv))])
    add(t, "calendar-invite", message(m),
        "Google Calendar invitation: the text/calendar alternative is an attachment (not text/plain or text/html; 7bit bytes as they stand, final CRLF included) and invite.ics repeats it; the plain alternative is the body (format=flowed kept as sent).",
        frm=A("Jane Agent", "jane@fairdesk.test"), to=[A(None, "alice@example.com")], reply_to=[A("Jane Agent", "jane@fairdesk.test")],
        subject="Invitation: Quarterly support review @ Tue Mar 12, 2024 10am - 11am (CET) (alice@example.com)",
        body="You have been invited to the following event.\n\nTitle: Quarterly support review\nWhen: Tue Mar 12, 2024 10am – 11am (CET)\n",
        body_type="text/plain",
        attachments=[att(None, "text/calendar", None, inv), att("invite.ics", "application/ics", "attachment", inv)],
        auto_reply=False)

    # ---- Gmail: alternative with UTF-8 QP and a quote
    plain = ("Hi team,\n\nthe new laptop still won’t connect to the Wi‑Fi.\n\nCheers,\nAlice\n\n"
             "On Mon, Mar 4, 2024 at 5:02 PM Fairdesk Support <support@fairdesk.test> wrote:\n\n"
             "> Please try forgetting the network and joining again.\n>\n")
    html = ('<div dir="ltr"><div>Hi team,</div><div><br></div><div>the new laptop still won’t connect to the Wi‑Fi.</div>'
            '<div><br></div><div>Cheers,</div><div>Alice</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
            'On Mon, Mar 4, 2024 at 5:02 PM Fairdesk Support &lt;<a href="mailto:support@fairdesk.test">support@fairdesk.test</a>&gt; wrote:<br></div>'
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
            '<div dir="ltr">Please try forgetting the network and joining again.</div></blockquote></div>\n')
    m = Multi(["MIME-Version: 1.0", "References: <ticket-77@fairdesk.test>", "In-Reply-To: <ticket-77@fairdesk.test>",
               "From: Alice Example <alice@example.com>", "Date: Tue, 5 Mar 2024 15:30:00 +0100",
               "Message-ID: <CAB4x9kP0q+7Zm3nQ_r5TtUvW8yA1bC2dE3fG4hJ5kL6mN7oP8q@mail.gmail.example>",
               "Subject: =?UTF-8?Q?Re=3A_Wi=E2=80=91Fi_doesn=E2=80=99t_work_=5BTicket_=2377=5D?=",
               "To: Fairdesk Support <support@fairdesk.test>",
               'Content-Type: multipart/alternative; boundary="0000000000004f5e6d7c8b9a0b1c"'],
              "0000000000004f5e6d7c8b9a0b1c", [
        Leaf(['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"], qp(plain.encode())),
        Leaf(['Content-Type: text/html; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"], qp(html.encode()))])
    add(t, "gmail-alternative", message(m),
        "Gmail reply: UTF-8 quoted-printable alternatives (non-breaking hyphen, curly apostrophe), a Q-encoded subject with encoded '#', '[' and ':', and Gmail's 'On ... wrote:' quote.",
        message_id="CAB4x9kP0q+7Zm3nQ_r5TtUvW8yA1bC2dE3fG4hJ5kL6mN7oP8q@mail.gmail.example", frm=ALICE, to=[SUPPORT],
        subject="Re: Wi‑Fi doesn’t work [Ticket #77]", date=DATE_UTC, in_reply_to="ticket-77@fairdesk.test",
        references=["ticket-77@fairdesk.test"], body=plain, body_type="text/plain", attachments=[],
        quote_starts_with="On Mon, Mar 4, 2024 at 5:02 PM Fairdesk Support <support@fairdesk.test> wrote:")

    # ---- Gmail with a PDF attachment
    d = pdf("scan of the delivery note")
    m = Multi(["MIME-Version: 1.0", "From: Alice Example <alice@example.com>", "Date: Tue, 5 Mar 2024 14:30:00 +0000",
               "Message-ID: <CAB4x9kPattachment@mail.gmail.example>", "Subject: Delivery note", SUPPORT_H,
               'Content-Type: multipart/mixed; boundary="000000000000aa11bb22cc33dd44"'], "000000000000aa11bb22cc33dd44", [
        Multi(['Content-Type: multipart/alternative; boundary="000000000000aa11bb22cc33dd42"'], "000000000000aa11bb22cc33dd42", [
            Leaf(['Content-Type: text/plain; charset="UTF-8"'], T("Scan attached.\n")),
            Leaf(['Content-Type: text/html; charset="UTF-8"'], T('<div dir="ltr">Scan attached.</div>\n'))]),
        Leaf(['Content-Type: application/pdf; name="Lieferschein März.pdf"',
              'Content-Disposition: attachment; filename="Lieferschein März.pdf"', "Content-Transfer-Encoding: base64",
              "Content-ID: <f_lt2k3j4h0>", "X-Attachment-Id: f_lt2k3j4h0"], b64(d))])
    add(t, "gmail-attachment", message(m),
        "Gmail with an attachment: mixed > alternative + PDF; Gmail writes the non-ASCII filename as raw UTF-8 in quotes.",
        frm=ALICE, subject="Delivery note", body="Scan attached.\n", body_type="text/plain",
        attachments=[att("Lieferschein März.pdf", "application/pdf", "attachment", d)])

    # ---- Gmail inline image
    img = png(16, 9, "gmail-inline")
    m = Multi(["MIME-Version: 1.0", ALICE_H, "Date: Tue, 5 Mar 2024 14:30:00 +0000",
               "Message-ID: <CAB4x9kPinline@mail.gmail.example>", "Subject: Error dialog", SUPPORT_H,
               'Content-Type: multipart/related; boundary="000000000000ee55ff66aa77bb88"'], "000000000000ee55ff66aa77bb88", [
        Multi(['Content-Type: multipart/alternative; boundary="000000000000ee55ff66aa77bb86"'], "000000000000ee55ff66aa77bb86", [
            Leaf(['Content-Type: text/plain; charset="UTF-8"'], T("This pops up every morning:\n\n[image: error.png]\n")),
            Leaf(['Content-Type: text/html; charset="UTF-8"'],
                 T('<div dir="ltr">This pops up every morning:<div><img src="cid:ii_lt2m9x0a0" alt="error.png" width="16" height="9"></div></div>\n'))]),
        Leaf(['Content-Type: image/png; name="error.png"', 'Content-Disposition: inline; filename="error.png"',
              "Content-Transfer-Encoding: base64", "Content-ID: <ii_lt2m9x0a0>", "X-Attachment-Id: ii_lt2m9x0a0"], b64(img))])
    add(t, "gmail-inline-image", message(m),
        "Gmail inline image: related > (alternative, image with Content-ID and disposition inline); the plain alternative holds Gmail's '[image: ...]' placeholder.",
        frm=ALICE, subject="Error dialog", body="This pops up every morning:\n\n[image: error.png]\n", body_type="text/plain",
        attachments=[att("error.png", "image/png", "inline", img)])

    # ---- Apple Mail, plain text with an inline image between two text parts
    img = png(10, 10, "apple-inline")
    bd = "Apple-Mail=_5F3C1E2A-7B8D-4E9F-A0B1-C2D3E4F5A6B7"
    m = Multi(["From: Alice Example <alice@example.com>", f'Content-Type: multipart/mixed;\n\tboundary="{bd}"',
               "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.400.31\\))", "Subject: Screenshot of the error",
               "Message-Id: <5F3C1E2A-7B8D-4E9F-A0B1-C2D3E4F5A6B7@example.com>", "Date: Tue, 5 Mar 2024 15:30:00 +0100",
               SUPPORT_H, "X-Mailer: Apple Mail (2.3774.400.31)"], bd, [
        Leaf(["Content-Transfer-Encoding: 7bit", "Content-Type: text/plain;\n\tcharset=us-ascii"], T("Here is the screenshot:\n")),
        Leaf(["Content-Disposition: inline;\n\tfilename=Screenshot.png", "Content-Type: image/png;\n\tx-unix-mode=0644;\n\tname=\"Screenshot.png\"",
              "Content-Transfer-Encoding: base64"], b64(img)),
        Leaf(["Content-Transfer-Encoding: 7bit", "Content-Type: text/plain;\n\tcharset=us-ascii"], T("\n\nThanks,\nAlice\n"))])
    add(t, "apple-mail-inline-plain", message(m),
        "Apple Mail plain text with an inline image in the middle: the text after the image is a continuation of the body (pieces joined with \"\\n\"); the unquoted filename parameter is read.",
        message_id="5F3C1E2A-7B8D-4E9F-A0B1-C2D3E4F5A6B7@example.com", frm=ALICE, subject="Screenshot of the error",
        body=join_body("Here is the screenshot:\n", "\n\nThanks,\nAlice\n"), body_type="text/plain",
        attachments=[att("Screenshot.png", "image/png", "inline", img)])

    # ---- Apple Mail rich text: alternative > (plain, mixed > (html, image, html))
    img = png(6, 4, "apple-rich")
    bd1 = "Apple-Mail=_A1B2C3D4-0000-1111-2222-333344445555"
    bd2 = "Apple-Mail=_A1B2C3D4-0000-1111-2222-333344445566"
    m = Multi(["From: Alice Example <alice@example.com>", f'Content-Type: multipart/alternative;\n\tboundary="{bd1}"',
               "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.400.31\\))", "Subject: Rich text with a picture",
               "Date: Tue, 5 Mar 2024 14:30:00 +0000", SUPPORT_H], bd1, [
        Leaf(["Content-Transfer-Encoding: quoted-printable", "Content-Type: text/plain;\n\tcharset=utf-8"],
             qp("Before the picture.\n\n\nAfter the picture — done.\n".encode())),
        Multi([f'Content-Type: multipart/mixed;\n\tboundary="{bd2}"'], bd2, [
            Leaf(["Content-Transfer-Encoding: 7bit", "Content-Type: text/html;\n\tcharset=us-ascii"],
                 T('<html><head></head><body style="overflow-wrap: break-word;">Before the picture.<div></div></body></html>')),
            Leaf(["Content-Disposition: inline;\n\tfilename=photo.png", "Content-Type: image/png;\n\tx-unix-mode=0644;\n\tname=\"photo.png\"",
                  "Content-Transfer-Encoding: base64"], b64(img)),
            Leaf(["Content-Transfer-Encoding: 7bit", "Content-Type: text/html;\n\tcharset=utf-8"],
                 T('<html><head></head><body style="overflow-wrap: break-word;"><div>After the picture &mdash; done.</div></body></html>'))])])
    add(t, "apple-mail-rich-inline", message(m),
        "Apple Mail rich text: the plain alternative is the body; the HTML pieces around the inline image are inside the same alternative, so they are neither body nor continuation; the image is an inline attachment.",
        frm=ALICE, subject="Rich text with a picture", body="Before the picture.\n\n\nAfter the picture — done.\n",
        body_type="text/plain", attachments=[att("photo.png", "image/png", "inline", img)])

    # ---- Thunderbird, format=flowed, 8bit
    body = ("On 04.03.24 17:02, Fairdesk Support wrote:\n> Please restart the client and tell us whether the \n"
            "> problem persists.\n\nI restarted it twice and the problem persists. The log says \n"
            "“connection reset by peer”.\n\n-- \nAlice Example\n")
    data = ("Message-ID: <9b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0@example.com>\r\nDate: Tue, 5 Mar 2024 15:30:00 +0100\r\n"
            "MIME-Version: 1.0\r\nUser-Agent: Mozilla Thunderbird\r\nSubject: Re: Client crashes\r\nContent-Language: en-US\r\n"
            "To: Fairdesk Support <support@fairdesk.test>\r\nReferences: <ticket-88@fairdesk.test>\r\n"
            "From: Alice Example <alice@example.com>\r\nIn-Reply-To: <ticket-88@fairdesk.test>\r\n"
            "Content-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").encode() + T(body)
    add(t, "thunderbird-flowed", data,
        "Thunderbird reply: format=flowed UTF-8 8bit, bottom-posted with its 'On ..., X wrote:' attribution and a '-- ' signature; flowed trailing spaces are kept.",
        message_id="9b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0@example.com", frm=ALICE, subject="Re: Client crashes", date=DATE_UTC,
        in_reply_to="ticket-88@fairdesk.test", body=body, body_type="text/plain",
        quote_starts_with="On 04.03.24 17:02, Fairdesk Support wrote:", signature_starts_with="-- ")

    # ---- Thunderbird attachment with RFC 2231 filename and an encoded-word name
    d = pdf("Prüfbericht")
    bd = "------------0a1B2c3D4e5F6g7H8i9J0k1L"
    m = Multi(["Content-Type: multipart/mixed; boundary=\"" + bd + "\"", "Message-ID: <tb-attach-0001@example.com>",
               "Date: Tue, 5 Mar 2024 14:30:00 +0000", "MIME-Version: 1.0", "User-Agent: Mozilla Thunderbird",
               "Content-Language: de-DE", SUPPORT_H, ALICE_H, "Subject: =?UTF-8?Q?Pr=C3=BCfbericht_anbei?="], bd, [
        Leaf(["Content-Type: text/plain; charset=UTF-8; format=flowed", "Content-Transfer-Encoding: 7bit"], T("Siehe Anhang.\n")),
        Leaf(['Content-Type: application/pdf; name="=?UTF-8?Q?Pr=C3=BCfbericht_2024=2Epdf?="',
              "Content-Disposition: attachment; filename*=UTF-8''Pr%C3%BCfbericht%202024.pdf", "Content-Transfer-Encoding: base64"],
             b64(d))], preamble="This is a multi-part message in MIME format.")
    add(t, "thunderbird-attachment", message(m),
        "Thunderbird attachment: RFC 2231 filename* on the disposition and an encoded word in the Content-Type name, both decoding to the same name.",
        frm=ALICE, subject="Prüfbericht anbei", body="Siehe Anhang.\n", body_type="text/plain",
        attachments=[att("Prüfbericht 2024.pdf", "application/pdf", "attachment", d)])

    # ---- Japanese ISO-2022-JP mailer
    body = "田中です。\nお世話になっております。\nプリンターが動きません。\n確認をお願いします。\n"
    subj = "プリンターの故障について"

    def jis_word(s):
        return "=?ISO-2022-JP?B?" + base64.b64encode(s.encode("iso2022_jp")).decode() + "?="
    data = (f"From: {jis_word('田中太郎')} <tanaka@example.jp>\r\nTo: support@fairdesk.test\r\nSubject: {jis_word(subj)}\r\n"
            "Date: Tue, 05 Mar 2024 23:30:00 +0900\r\nMessage-Id: <20240305233000.A1B2.TANAKA@example.jp>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n"
            "X-Mailer: Becky! ver. 2.81.04 [ja]\r\n\r\n").encode() + body.replace("\n", "\r\n").encode("iso2022_jp")
    add(t, "japanese-iso-2022-jp", data,
        "A classic Japanese mailer: ISO-2022-JP body (7bit) and ISO-2022-JP B words in Subject and From; +0900 converted to UTC.",
        message_id="20240305233000.A1B2.TANAKA@example.jp", frm=A("田中太郎", "tanaka@example.jp"),
        to=[A(None, "support@fairdesk.test")], subject=subj, date=DATE_UTC, body=body, body_type="text/plain")

    # ---- Russian KOI8-R (The Bat!)
    body = "Здравствуйте!\n\nНе печатает принтер в бухгалтерии.\n\nС уважением,\nИван\n"
    data = ("From: =?KOI8-R?B?" + base64.b64encode("Иван Петров".encode("koi8_r")).decode() + "?= <ivan@example.ru>\r\n"
            "To: support@fairdesk.test\r\nSubject: =?KOI8-R?B?" + base64.b64encode("Не печатает принтер".encode("koi8_r")).decode() +
            "?=\r\nDate: Tue, 5 Mar 2024 17:30:00 +0300\r\nX-Mailer: The Bat! (v9.4.5) Professional\r\n"
            "Message-ID: <1234567890.20240305173000@example.ru>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").encode() + T(body, enc="koi8_r")
    add(t, "russian-koi8-r", data,
        "The Bat! in KOI8-R: B-encoded KOI8-R From and Subject, 8bit KOI8-R body.",
        frm=A("Иван Петров", "ivan@example.ru"), subject="Не печатает принтер", date=DATE_UTC, body=body, body_type="text/plain")

    # ---- Chinese GB2312 (Foxmail), alternative with base64 parts
    body = "您好：\n\n打印机无法连接网络，请帮忙处理。\n\n谢谢！\n张伟\n"
    bd = "----=_NextPart_65E7A1B2_0A1B2C3D_4E5F6A7B"
    m = Multi(["From: =?gb2312?B?" + base64.b64encode("张伟".encode("gb2312")).decode() + "?= <zhangwei@example.cn>",
               "To: =?gb2312?B?" + base64.b64encode("技术支持".encode("gb2312")).decode() + "?= <support@fairdesk.test>",
               "Subject: =?gb2312?B?" + base64.b64encode("打印机故障".encode("gb2312")).decode() + "?=",
               "Date: Tue, 5 Mar 2024 22:30:00 +0800", "Message-ID: <tencent_65E7A1B2@qq.example>", "X-Mailer: Foxmail 7.2.25.228[cn]",
               "Mime-Version: 1.0", f'Content-Type: multipart/alternative;\n\tboundary="{bd}"'], bd, [
        Leaf(['Content-Type: text/plain;\n\tcharset="gb2312"', "Content-Transfer-Encoding: base64"], b64(T(body, enc="gb2312"))),
        Leaf(['Content-Type: text/html;\n\tcharset="gb2312"', "Content-Transfer-Encoding: base64"],
             b64(T("<div>您好：</div><div>打印机无法连接网络，请帮忙处理。</div>\n", enc="gb2312")))], preamble="This is a multi-part message in MIME format.")
    add(t, "chinese-gb2312", message(m),
        "Foxmail in GB2312: B-encoded names and subject, base64 GB2312 alternatives.",
        frm=A("张伟", "zhangwei@example.cn"), to=[A("技术支持", "support@fairdesk.test")], subject="打印机故障", date=DATE_UTC,
        body=body, body_type="text/plain", attachments=[])

    # ---- Chinese Big5
    body = "您好：\n\n印表機無法連線，請協助處理。許功蓋\n\n謝謝\n陳小明\n"
    data = ("From: =?big5?B?" + base64.b64encode("陳小明".encode("big5")).decode() + "?= <chen@example.tw>\r\n"
            "To: support@fairdesk.test\r\nSubject: =?big5?B?" + base64.b64encode("印表機故障".encode("big5")).decode() + "?=\r\n"
            "Date: Tue, 5 Mar 2024 22:30:00 +0800\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=\"big5\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n").encode() + \
        qp(body.encode("big5"))
    add(t, "chinese-big5", data,
        "Traditional Chinese in Big5 with quoted-printable (0x5C second bytes stay literal backslashes in QP).",
        frm=A("陳小明", "chen@example.tw"), subject="印表機故障", date=DATE_UTC, body=body, body_type="text/plain")

    # ---- Korean Outlook: ks_c_5601-1987
    body = "안녕하세요.\n\n프린터가 작동하지 않습니다. 확인 부탁드립니다.\n\n김민수 드림\n"
    bd = "_000_SL2P216MB1234KOR_"
    m = Multi(["From: =?ks_c_5601-1987?B?" + base64.b64encode("김민수".encode("cp949")).decode() + "?= <minsu.kim@example.kr>",
               SUPPORT_H, "Subject: =?ks_c_5601-1987?B?" + base64.b64encode("프린터 고장 문의".encode("cp949")).decode() + "?=",
               "Date: Tue, 5 Mar 2024 23:30:00 +0900", "Message-ID: <SL2P216MB1234KOR@SL2P216MB1234.KORP216.PROD.OUTLOOK.example>",
               "Content-Language: ko-KR", f'Content-Type: multipart/alternative;\n\tboundary="{bd}"', "MIME-Version: 1.0"], bd, [
        Leaf(['Content-Type: text/plain; charset="ks_c_5601-1987"', "Content-Transfer-Encoding: base64"], b64(T(body, enc="cp949"))),
        Leaf(['Content-Type: text/html; charset="ks_c_5601-1987"', "Content-Transfer-Encoding: base64"],
             b64(T("<html><body><p>안녕하세요.</p></body></html>\n", enc="cp949")))])
    add(t, "korean-outlook", message(m),
        "Korean Outlook: the label ks_c_5601-1987 (meaning CP949) on encoded words and base64 parts.",
        frm=A("김민수", "minsu.kim@example.kr"), subject="프린터 고장 문의", date=DATE_UTC, body=body, body_type="text/plain")

    # ---- Korean webmail in EUC-KR
    body = "안녕하세요,\n\n로그인이 되지 않습니다. 비밀번호를 초기화해 주세요.\n\n이영희 드림\n"
    data = ("From: =?EUC-KR?B?" + base64.b64encode("이영희".encode("euc_kr")).decode() + "?= <younghee@example.kr>\r\n"
            "To: <support@fairdesk.test>\r\nSubject: =?EUC-KR?B?" + base64.b64encode("로그인 문제".encode("euc_kr")).decode() +
            "?=\r\nDate: Tue, 5 Mar 2024 23:30:00 +0900\r\nMessage-ID: <20240305233000.webmail.younghee@example.kr>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"EUC-KR\"\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode() + \
        b64(T(body, enc="euc_kr")) + CRLF
    add(t, "korean-euc-kr-webmail", data,
        "Korean webmail in EUC-KR: B-encoded name and subject, base64 body.",
        frm=A("이영희", "younghee@example.kr"), to=[SUPPORT_ADDR], subject="로그인 문제", date=DATE_UTC, body=body,
        body_type="text/plain")

    # ---- Forward as attachment
    emb = embedded_message("C")
    m = Multi([ALICE_H, SUPPORT_H, "Subject: Fwd: Original message C", "Date: Tue, 5 Mar 2024 14:30:00 +0000",
               "Message-ID: <fwd-attach@example.com>", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="------------fwd0123456789"'],
              "------------fwd0123456789", [
        Leaf(["Content-Type: text/plain; charset=UTF-8; format=flowed", "Content-Transfer-Encoding: 7bit"], T("See the forwarded message.\n")),
        Leaf(['Content-Type: message/rfc822; name="Original message C.eml"', "Content-Transfer-Encoding: 7bit",
              'Content-Disposition: attachment; filename="Original message C.eml"'], emb)])
    add(t, "forward-as-attachment", message(m),
        "Forward as attachment (Thunderbird): one message/rfc822 attachment with a filename; its bytes are the embedded message exactly, and the image inside it is not listed.",
        frm=ALICE, subject="Fwd: Original message C", body="See the forwarded message.\n", body_type="text/plain",
        attachments=[att("Original message C.eml", "message/rfc822", "attachment", emb)], auto_reply=False)

    # ---- Inline forward (Gmail style) — plain text, no attachment
    body = ("FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Bob Original <bob@example.org>\n"
            "Date: Mon, Mar 4, 2024 at 9:00 AM\nSubject: Printer\nTo: Alice Example <alice@example.com>\n\n"
            "The printer is broken.\n")
    add(t, "gmail-inline-forward", simple("gmail-inline-forward", "Fwd: Printer", body, charset="utf-8"),
        "Gmail's inline forward is ordinary body text: no attachment.",
        frm=ALICE, subject="Fwd: Printer", body=body, body_type="text/plain", attachments=[])

    # ---- Postfix bounce (DSN)
    orig = T("From: Alice Example <alice@example.com>\nTo: gone@example.net\nSubject: Hello\n"
             "Date: Tue, 05 Mar 2024 14:00:00 +0000\nMessage-ID: <hello-1@example.com>\n\nHello there.\n")
    dsn = T("Reporting-MTA: dns; mx.example.net\nX-Postfix-Queue-ID: 4TqR2x0kZ3z9rs\nX-Postfix-Sender: rfc822; alice@example.com\n"
            "Arrival-Date: Tue,  5 Mar 2024 14:00:01 +0000 (UTC)\n\nFinal-Recipient: rfc822; gone@example.net\n"
            "Original-Recipient: rfc822;gone@example.net\nAction: failed\nStatus: 5.1.1\n"
            "Remote-MTA: dns; mail.example.net\nDiagnostic-Code: smtp; 550 5.1.1 <gone@example.net>: Recipient address rejected\n")
    notice = ("This is the mail system at host mx.example.net.\n\nI'm sorry to have to inform you that your message could not\n"
              "be delivered to one or more recipients. It's attached below.\n\n                   The mail system\n\n"
              "<gone@example.net>: host mail.example.net said: 550 5.1.1 <gone@example.net>:\n    Recipient address rejected\n")
    bd = "4TqR2x0kZ3z9rs.1709647201/mx.example.net"
    m = Multi(["Return-Path: <>", "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)",
               "Subject: Undelivered Mail Returned to Sender", "To: alice@example.com", "Auto-Submitted: auto-replied",
               "MIME-Version: 1.0", f'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="{bd}"',
               "Content-Transfer-Encoding: 7bit", "Message-Id: <20240305140001.5E1A2B3C4D@mx.example.net>",
               "Date: Tue,  5 Mar 2024 14:00:01 +0000 (UTC)"], bd, [
        Leaf(["Content-Description: Notification", "Content-Type: text/plain; charset=us-ascii"], T(notice)),
        Leaf(["Content-Description: Delivery report", "Content-Type: message/delivery-status"], dsn),
        Leaf(["Content-Description: Undelivered Message", "Content-Type: message/rfc822"], orig)],
        preamble="This is a MIME-encapsulated message.")
    add(t, "postfix-bounce", message(m),
        "Postfix DSN: From MAILER-DAEMON with the name in a trailing comment (used as the name, see addresses/comments), multipart/report; report-type=delivery-status, Auto-Submitted; the delivery-status and the returned message are attachments.",
        message_id="20240305140001.5E1A2B3C4D@mx.example.net", frm=A("Mail Delivery System", "MAILER-DAEMON@mx.example.net"),
        subject="Undelivered Mail Returned to Sender", date="2024-03-05T14:00:01Z", body=notice, body_type="text/plain",
        attachments=[att(None, "message/delivery-status", None, dsn), att(None, "message/rfc822", None, orig)],
        auto_reply=True, urgent=False)

    # ---- Exchange NDR with text/rfc822-headers
    hdrs = T("From: Alice Example <alice@example.com>\nTo: <nobody@contoso.example>\nSubject: Question\n"
             "Date: Tue, 5 Mar 2024 14:00:00 +0000\nMessage-ID: <question-1@example.com>\n")
    ds = T("Reporting-MTA: dns;AM0PR06MB1234.eurprd06.prod.outlook.example\nReceived-From-MTA: dns;example.com\n"
           "Arrival-Date: Tue, 5 Mar 2024 14:00:02 +0000\n\nFinal-Recipient: rfc822;nobody@contoso.example\n"
           "Action: failed\nStatus: 5.1.10\nDiagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\n")
    bd1, bd2 = "_004_AM0PR06MB1234NDR_", "_000_AM0PR06MB1234NDR_"
    plain = "Your message to nobody@contoso.example couldn't be delivered.\n\nnobody wasn't found at contoso.example.\n"
    m = Multi(["From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.example>",
               "To: <alice@example.com>", "Date: Tue, 5 Mar 2024 14:00:03 +0000", "MIME-Version: 1.0",
               f'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="{bd1}"',
               "X-MS-Exchange-Message-Is-Ndr:", "Content-Language: en-US", "Message-ID: <ndr-1@AM0PR06MB1234.outlook.example>",
               "In-Reply-To: <question-1@example.com>", "References: <question-1@example.com>", "Subject: Undeliverable: Question"], bd1, [
        Multi([f'Content-Type: multipart/alternative; differences=Content-Type;\n\tboundary="{bd2}"'], bd2, [
            Leaf(['Content-Type: text/plain; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"], qp(plain.encode())),
            Leaf(['Content-Type: text/html; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"],
                 qp(b"<html><body><p>Your message to nobody@contoso.example couldn't be delivered.</p></body></html>\n"))]),
        Leaf(["Content-Type: message/delivery-status"], ds),
        Leaf(["Content-Type: text/rfc822-headers"], hdrs)])
    add(t, "exchange-ndr", message(m),
        "Exchange non-delivery report: multipart/report (delivery-status) from a non-MAILER-DAEMON address; text/rfc822-headers is an attachment (not text/plain).",
        frm=A("Microsoft Outlook", "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.example"),
        subject="Undeliverable: Question", in_reply_to="question-1@example.com", body=plain, body_type="text/plain",
        attachments=[att(None, "message/delivery-status", None, ds), att(None, "text/rfc822-headers", None, hdrs)],
        auto_reply=True)

    # ---- Exchange out-of-office
    plain = "I am out of the office until March 11 with limited access to email.\n\nFor urgent matters contact support@fairdesk.test.\n"
    bd = "_000_OOF_AM0PR06MB9999_"
    m = Multi(["From: Peter Fox <peter.fox@contoso.example>", "To: Fairdesk Support <support@fairdesk.test>",
               "Subject: Automatic reply: Ticket #1234 - VPN disconnects", "Thread-Topic: Ticket #1234 - VPN disconnects",
               "Date: Tue, 5 Mar 2024 14:30:00 +0000", "Message-ID: <oof-9999@AM0PR06MB9999.outlook.example>",
               "In-Reply-To: <ticket-1234-reply@fairdesk.test>", "Auto-Submitted: auto-generated",
               "X-Auto-Response-Suppress: All", "X-MS-Exchange-Inbox-Rules-Loop: peter.fox@contoso.example",
               f'Content-Type: multipart/alternative;\n\tboundary="{bd}"', "MIME-Version: 1.0"], bd, [
        Leaf(['Content-Type: text/plain; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"], qp(plain.encode())),
        Leaf(['Content-Type: text/html; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"],
             qp(b"<html><body><p>I am out of the office until March 11.</p></body></html>\n"))])
    add(t, "exchange-out-of-office", message(m),
        "Exchange out-of-office reply: Auto-Submitted: auto-generated (and X-Auto-Response-Suppress) mark it automatic.",
        frm=A("Peter Fox", "peter.fox@contoso.example"), subject="Automatic reply: Ticket #1234 - VPN disconnects",
        in_reply_to="ticket-1234-reply@fairdesk.test", body=plain, body_type="text/plain", attachments=[],
        auto_reply=True, urgent=False)

    # ---- Mailman list post with a footer part
    post = "Has anyone seen the printer driver crash on the new laptops?\n"
    footer = "_______________________________________________\nusers mailing list -- users@lists.example.org\nTo unsubscribe send an email to users-leave@lists.example.org\n"
    m = Multi(["From: Carol Lister <carol@example.net>", "To: users@lists.example.org", "Subject: [users] Printer driver crash",
               "Date: Tue, 5 Mar 2024 14:30:00 +0000", "Message-ID: <list-post-1@example.net>", "MIME-Version: 1.0",
               "List-Id: Users of the product <users.lists.example.org>", "List-Post: <mailto:users@lists.example.org>",
               "List-Unsubscribe: <mailto:users-leave@lists.example.org>", "List-Help: <mailto:users-request@lists.example.org?subject=help>",
               "Precedence: list", "Sender: users-bounces@lists.example.org", "Errors-To: users-bounces@lists.example.org",
               'Content-Type: multipart/mixed; boundary="===============8012345678901234567=="'],
              "===============8012345678901234567==", [
        Leaf(["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 7bit"], T(post)),
        Leaf(['Content-Type: text/plain; charset="us-ascii"', "MIME-Version: 1.0", "Content-Transfer-Encoding: 7bit",
              "Content-Disposition: inline"], T(footer))])
    add(t, "mailman-list-post", message(m),
        "Mailman list post: the list footer is a second inline text/plain part, so it is a continuation of the body; List-Id, List-Unsubscribe and Precedence: list make it automated for the help desk.",
        frm=A("Carol Lister", "carol@example.net"), to=[A(None, "users@lists.example.org")], subject="[users] Printer driver crash",
        body=join_body(post, footer), body_type="text/plain", attachments=[], auto_reply=True)

    # ---- Crash report with a minidump
    dump = b"MDMP\x93\xa7\x00\x00" + struct.pack("<III", 12, 32, 0) + stream("minidump", 24000)
    m = Multi(["From: Crash Reporter <crashes@app.example.com>", SUPPORT_H, "Subject: Crash report: FairApp 3.2.1 (Windows 11)",
               "Date: Tue, 5 Mar 2024 14:30:00 +0000", "Message-ID: <crash-20240305-143000@app.example.com>", "MIME-Version: 1.0",
               "X-Mailer: FairApp CrashReporter 3.2", 'Content-Type: multipart/mixed; boundary="crash-boundary-0001"'],
              "crash-boundary-0001", [
        text_leaf("FairApp crashed at 2024-03-05 14:29:51 UTC.\nException: 0xC0000005 (access violation)\n"),
        Leaf(['Content-Type: application/octet-stream; name="FairApp-20240305-142951.dmp"',
              'Content-Disposition: attachment; filename="FairApp-20240305-142951.dmp"', "Content-Transfer-Encoding: base64"], b64(dump))])
    add(t, "crash-minidump", message(m),
        "An application's crash report with a 24 KB minidump (starts with 'MDMP') in base64.",
        frm=A("Crash Reporter", "crashes@app.example.com"), subject="Crash report: FairApp 3.2.1 (Windows 11)",
        body="FairApp crashed at 2024-03-05 14:29:51 UTC.\nException: 0xC0000005 (access violation)\n", body_type="text/plain",
        attachments=[att("FairApp-20240305-142951.dmp", "application/octet-stream", "attachment", dump)])

    # ---- Logs: a text/plain log file and a gzip
    log = "".join(f"2024-03-05T14:{i // 60:02d}:{i % 60:02d}Z worker[{1000 + i % 7}] level={'ERROR' if i % 13 == 0 else 'INFO'} msg=\"tick {i}\"\n"
                  for i in range(400)).encode()
    gz = zlib.compress(log, 9)
    m = Multi([ALICE_H, SUPPORT_H, "Subject: Logs from the sync service", "Date: Tue, 5 Mar 2024 14:30:00 +0000",
               "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="logs-b"'], "logs-b", [
        text_leaf("Here are the logs you asked for.\n"),
        Leaf(['Content-Type: text/plain; charset=us-ascii; name="sync.log"', 'Content-Disposition: attachment; filename="sync.log"',
              "Content-Transfer-Encoding: quoted-printable"], qp(log)),
        Leaf(['Content-Type: application/gzip; name="sync.log.z"', 'Content-Disposition: attachment; filename="sync.log.z"',
              "Content-Transfer-Encoding: base64"], b64(gz))])
    add(t, "logs-attached", message(m),
        "A log sent as a quoted-printable text/plain attachment (decoded with CRLF line ends, since QP hard breaks are CRLF) and a compressed copy; neither is body text.",
        frm=ALICE, subject="Logs from the sync service", body="Here are the logs you asked for.\n", body_type="text/plain",
        attachments=[att("sync.log", "text/plain", "attachment", log.replace(b"\n", b"\r\n")),
                     att("sync.log.z", "application/gzip", "attachment", gz)])

    # ---- HTML with two cid images (Outlook style), no plain part
    i1, i2 = png(12, 3, "cid-1"), png(3, 12, "cid-2")
    bd = "_004_AM0PR06MB5555CID_"
    html = ('<html><body><p>The error appears here:</p><p><img width="12" height="3" src="cid:image001.png@01DA6F3B.5C2E1A40"></p>'
            '<p>and then here:</p><p><img src="cid:image002.png@01DA6F3B.5C2E1A40"></p></body></html>\n')
    m = Multi(["From: Peter Fox <peter.fox@contoso.example>", SUPPORT_H, "Subject: Screenshots", "Date: Tue, 5 Mar 2024 14:30:00 +0000",
               "MIME-Version: 1.0", f'Content-Type: multipart/related;\n\tboundary="{bd}";\n\ttype="text/html"'], bd, [
        Leaf(['Content-Type: text/html; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"], qp(html.encode())),
        Leaf(['Content-Type: image/png; name="image001.png"', "Content-Description: image001.png",
              'Content-Disposition: inline; filename="image001.png"; size=120;\n\tcreation-date="Tue, 05 Mar 2024 14:29:00 GMT"',
              "Content-ID: <image001.png@01DA6F3B.5C2E1A40>", "Content-Transfer-Encoding: base64"], b64(i1)),
        Leaf(['Content-Type: image/png; name="image002.png"', "Content-ID: <image002.png@01DA6F3B.5C2E1A40>",
              "Content-Transfer-Encoding: base64"], b64(i2))])
    add(t, "html-cid-images", message(m),
        "HTML-only mail with two cid-referenced images: the HTML is the body; one image has disposition inline, the other none (null).",
        frm=A("Peter Fox", "peter.fox@contoso.example"), subject="Screenshots", body_contains=["The error appears here:", "and then here:"],
        body_type="text/html", html_contains=['src="cid:image001.png@01DA6F3B.5C2E1A40"'],
        attachments=[att("image001.png", "image/png", "inline", i1), att("image002.png", "image/png", None, i2)])

    # ---- S/MIME detached signature
    sigbytes = b"\x30\x82\x0b\x5a\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x82\x0b\x4b" + stream("smime-sig", 2900)
    bd = "----=_smime_2Fk9qL0pWm7Rt3Xz"
    inner = Leaf(['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"],
                 qp("Signed message: please confirm the new VPN certificate fingerprint.\n— Security team\n".encode()))
    m = Multi(["From: Security Team <security@contoso.example>", SUPPORT_H, "Subject: Signed: VPN certificate change",
               "Date: Tue, 5 Mar 2024 14:30:00 +0000", "Message-ID: <smime-1@contoso.example>", "MIME-Version: 1.0",
               f'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;\n\tboundary="{bd}"'], bd, [
        inner,
        Leaf(['Content-Type: application/pkcs7-signature; name="smime.p7s"', "Content-Transfer-Encoding: base64",
              'Content-Disposition: attachment; filename="smime.p7s"', "Content-Description: S/MIME Cryptographic Signature"],
             b64(sigbytes))], preamble="This is a cryptographically signed message in MIME format.")
    add(t, "smime-signed", message(m),
        "S/MIME detached signature (multipart/signed): the signed text is the body and smime.p7s an attachment (the signature bytes are a placeholder; nothing here verifies it).",
        frm=A("Security Team", "security@contoso.example"), subject="Signed: VPN certificate change",
        body="Signed message: please confirm the new VPN certificate fingerprint.\n— Security team\n", body_type="text/plain",
        attachments=[att("smime.p7s", "application/pkcs7-signature", "attachment", sigbytes)])

    # ---- S/MIME opaque signed-data (.p7m)
    p7m = b"\x30\x82\x10\x00\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" + stream("smime-p7m", 4000)
    data = message(Leaf(["From: Security Team <security@contoso.example>", SUPPORT_H, "Subject: Opaque signed message",
                         "Date: Tue, 5 Mar 2024 14:30:00 +0000", "MIME-Version: 1.0",
                         'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"',
                         "Content-Transfer-Encoding: base64", 'Content-Disposition: attachment; filename="smime.p7m"'], b64(p7m)))
    add(t, "smime-opaque", data,
        "Opaque S/MIME (application/pkcs7-mime): the whole message is one attachment and there is no readable body.",
        frm=A("Security Team", "security@contoso.example"), subject="Opaque signed message", body="", body_type=None,
        attachments=[att("smime.p7m", "application/pkcs7-mime", "attachment", p7m)])

    # ---- iPhone
    m = Multi(["Content-Type: multipart/alternative; boundary=Apple-Mail-3C4D5E6F-7A8B-9C0D-1E2F-3A4B5C6D7E8F",
               "Content-Transfer-Encoding: 7bit", "From: Alice Example <alice@example.com>", "Mime-Version: 1.0 (1.0)",
               "Date: Tue, 5 Mar 2024 15:30:00 +0100", "Subject: Re: Ticket #99", "Message-Id: <3C4D5E6F-iphone@example.com>",
               "In-Reply-To: <ticket-99@fairdesk.test>", SUPPORT_H, "X-Mailer: iPhone Mail (21D61)"],
              "Apple-Mail-3C4D5E6F-7A8B-9C0D-1E2F-3A4B5C6D7E8F", [
        Leaf(["Content-Type: text/plain;\n\tcharset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
             qp("Yes, that’s fine.\n\nSent from my iPhone\n".encode())),
        Leaf(["Content-Type: text/html;\n\tcharset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
             qp('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">Yes, that’s fine.<br><br><div dir="ltr">Sent from my iPhone</div></body></html>'.encode()))])
    add(t, "iphone-reply", message(m),
        "iPhone Mail reply: unquoted boundary parameter, QP UTF-8 alternatives.",
        frm=ALICE, subject="Re: Ticket #99", date=DATE_UTC, in_reply_to="ticket-99@fairdesk.test",
        body="Yes, that’s fine.\n\nSent from my iPhone\n", body_type="text/plain", attachments=[])

    # ---- SaaS notification, HTML only, bulk signals
    html = ('<!DOCTYPE html><html><head><style>.btn{color:#fff}</style></head><body>'
            '<table role="presentation"><tr><td><h1>Your invoice is ready</h1><p>Invoice INV-2024-0042 for &euro;149.00 is now available.</p>'
            '<p><a class="btn" href="https://billing.example.com/inv/42">View invoice</a></p></td></tr></table></body></html>\n')
    data = message(Leaf(["From: Example Billing <no-reply@billing.example.com>", "To: support@fairdesk.test",
                         "Subject: Your invoice INV-2024-0042 is ready", "Date: Tue, 5 Mar 2024 14:30:00 +0000",
                         "Message-ID: <0100018e0f3f4a2b-billing@email.example.com>", "MIME-Version: 1.0",
                         "List-Unsubscribe: <https://billing.example.com/unsub?u=42>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                         "Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: quoted-printable"], qp(html.encode())))
    add(t, "saas-notification-html", data,
        "A transactional HTML-only notification with one-click List-Unsubscribe: body from HTML, automated.",
        frm=A("Example Billing", "no-reply@billing.example.com"), subject="Your invoice INV-2024-0042 is ready",
        body_contains=["Your invoice is ready", "Invoice INV-2024-0042 for €149.00 is now available.", "View invoice"],
        body_type="text/html", html_contains=['<a class="btn" href="https://billing.example.com/inv/42">'], attachments=[],
        auto_reply=True)

# ================================================================ writing and cross-checking

GENERATORS = [gen_headers, gen_addresses, gen_encoded_words, gen_mime, gen_transfer_encoding,
              gen_rfc2231, gen_charsets, gen_bodies, gen_attachments, gen_signals, gen_dates, gen_broken,
              gen_limits, gen_real_world]


def write_all():
    topics = sorted({t for t, _, _, _ in FIXTURES})
    for d in sorted(p for p in HERE.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        for f in list(d.glob("*.eml")) + list(d.glob("*.json")):
            f.unlink()
    for t in topics:
        (HERE / t).mkdir(exist_ok=True)
    for t, n, data, exp in FIXTURES:
        (HERE / t / f"{n}.eml").write_bytes(data)
        (HERE / t / f"{n}.json").write_text(json.dumps(exp, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for d in sorted(p for p in HERE.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        if not any(d.iterdir()):
            d.rmdir()


# --- An independent reading of the rules on top of Python's email package. It shares no
# --- code with the expectations above; every disagreement is printed for a human to judge.

WHATWG = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "iso8859-1": "cp1252",
          "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252", "cp1252": "cp1252",
          "gb2312": "gbk", "gbk": "gbk", "x-gbk": "gbk", "shift_jis": "cp932", "shift-jis": "cp932",
          "sjis": "cp932", "windows-31j": "cp932", "cp932": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
          "cp949": "cp949", "big5": "big5hkscs", "utf8": "utf-8", "iso-2022-jp": "x-iso2022jp"}


def ref_iso2022jp(b):
    out = []
    mode = "ascii"
    i = 0
    while i < len(b):
        if b[i] == 0x1B:
            seq = b[i:i + 3]
            mode = {b"\x1b(B": "ascii", b"\x1b(J": "ascii", b"\x1b$B": "jis", b"\x1b$@": "jis", b"\x1b(I": "kana"}[seq]
            i += 3
            continue
        if mode == "ascii" or b[i] in (0x0A, 0x0D):
            out.append(chr(b[i]))
            i += 1
        elif mode == "kana":
            out.append(chr(0xFF61 + b[i] - 0x21))
            i += 1
        else:
            j1, j2 = b[i], b[i + 1]
            euc = bytes([j1 | 0x80, j2 | 0x80])
            # JIS row 13 (NEC specials) is not in EUC-JP: go through CP932
            s1 = (j1 + 1) // 2 + (0x70 if j1 <= 0x5E else 0xB0)
            s2 = j2 + (0x1F if j1 % 2 else 0x7E)
            if s2 >= 0x7F and j1 % 2:
                s2 += 1
            try:
                out.append(bytes([s1, s2]).decode("cp932"))
            except UnicodeDecodeError:
                out.append(euc.decode("euc_jp"))
            i += 2
    return "".join(out)


def ref_decode(b, label):
    label = (label or "us-ascii").strip().strip('"').lower()
    codec = WHATWG.get(label, label)
    if codec == "x-iso2022jp":
        return ref_iso2022jp(b)
    if codec == "cp1252" and label in ("us-ascii", "ascii"):
        try:
            return b.decode("ascii")
        except UnicodeDecodeError:
            pass
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return b.decode("cp1252", "replace")
    try:
        if codec.startswith("utf-16"):
            return b.decode("utf-16")
        return b.decode(codec)
    except (LookupError, UnicodeDecodeError):
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return b.decode("cp1252", "replace")


def ref_qp(b):
    out = bytearray()
    lines = b.split(b"\n")
    for n, line in enumerate(lines):
        last = n == len(lines) - 1
        line = line.rstrip(b"\r").rstrip(b" \t")
        soft = line.endswith(b"=")
        if soft:
            line = line[:-1]
        i = 0
        while i < len(line):
            c = line[i:i + 1]
            if c == b"=" and i + 2 < len(line) + 1 and all(x in b"0123456789abcdefABCDEF" for x in line[i + 1:i + 3]) and len(line[i + 1:i + 3]) == 2:
                out.append(int(line[i + 1:i + 3], 16))
                i += 3
            else:
                out += c
                i += 1
        if not soft and not last:
            out += b"\r\n"
    return bytes(out)


def ref_payload(part):
    cte = (part.get("content-transfer-encoding") or "7bit").strip().lower()
    raw = part.get_payload(decode=False)
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    if cte == "base64":
        s = bytes(c for c in raw if c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        s = s[: len(s) - (len(s) % 4 == 1)]
        return base64.b64decode(s + b"=" * (-len(s) % 4))
    if cte == "quoted-printable":
        return ref_qp(raw)
    return part.get_payload(decode=True)


def ref_walk(msg):
    out = []

    def rec(p, alts):
        mt = p.get_content_maintype()
        if mt == "multipart" and p.is_multipart():
            a = alts + ((id(p),) if p.get_content_type() == "multipart/alternative" else ())
            for sub in p.iter_parts():
                rec(sub, a)
        else:
            out.append((p, alts))
    rec(msg, ())
    return out


def ref_text(b, part):
    s = ref_decode(b, part.get_param("charset"))
    return s.replace("\r\n", "\n").replace("\r", "\n")


def html_text(h):
    import html as H
    import re
    h = re.sub(r"(?is)<(script|style|head).*?</\1>", "", h)
    h = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</h\d>|</li>", "\n", h)
    h = re.sub(r"<[^>]+>", "", h)
    return H.unescape(h)


def reference(data):
    import email
    import email.policy
    import email.utils
    from datetime import timezone
    msg = email.message_from_bytes(data, policy=email.policy.default)
    got = {}

    def addrs(field):
        v = msg[field]
        if v is None:
            return []
        try:
            return [A(a.display_name or None, a.addr_spec) for a in v.addresses]
        except Exception as e:  # noqa
            return f"<error {e!r}>"
    try:
        s = msg["subject"]
        got["subject"] = None if s is None else str(s).strip()
    except Exception as e:  # noqa
        got["subject"] = f"<error {e!r}>"
    f = addrs("from")
    got["from"] = f[0] if isinstance(f, list) and f else (None if f == [] else f)
    for k, field in (("to", "to"), ("cc", "cc"), ("reply_to", "reply-to")):
        got[k] = addrs(field)
    try:
        d = msg["date"]
        dt = d.datetime if d is not None else None
        got["date"] = None if dt is None else dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except Exception:
        got["date"] = None
    import re
    mid_ = msg.get("message-id")
    ids = re.findall(r"<([^>]*)>", str(mid_)) if mid_ is not None else []
    got["message_id"] = ids[0] if ids else (str(mid_).strip() or None if mid_ is not None else None)
    irt = msg.get("in-reply-to")
    ids = re.findall(r"<([^>]*)>", str(irt)) if irt is not None else []
    got["in_reply_to"] = ids[0] if ids else None
    got["references"] = re.findall(r"<([^>]*)>", str(msg.get("references") or ""))
    leaves = ref_walk(msg)
    atts = []
    texts = []
    for p, alts in leaves:
        ct = p.get_content_type()
        disp = p.get_content_disposition()
        fn = p.get_filename()
        if disp == "attachment" or fn is not None or ct not in ("text/plain", "text/html"):
            if ct == "message/rfc822" or (p.get_content_maintype() == "message"):
                atts.append({"filename": fn, "content_type": ct, "disposition": disp, "size": "?", "sha256": "?"})
            else:
                b = ref_payload(p) or b""
                atts.append(att(fn, ct, disp, b))
        else:
            texts.append((p, alts, ct))
    main = next((x for x in texts if x[2] == "text/plain"), None) or next((x for x in texts if x[2] == "text/html"), None)
    if main is None:
        got["body"], got["body_type"] = "", None
    else:
        idx = texts.index(main)
        pieces = [main] + [x for x in texts[idx + 1:] if x[2] == main[2] and not (set(x[1]) & set(main[1]))]
        strs = [ref_text(ref_payload(x[0]) or b"", x[0]) for x in pieces]
        if main[2] == "text/html":
            got["html"] = strs[0]
            strs = [html_text(s) for s in strs]
        got["body"] = join_body(*strs)
        got["body_type"] = main[2]
    got["attachments"] = atts
    got["attachment_count"] = len(atts)
    got["defects"] = [type(d).__name__ for p in msg.walk() for d in p.defects]
    return got


def check():
    bad = 0
    for t, n, data, exp in FIXTURES:
        try:
            got = reference(data)
        except Exception as e:  # noqa
            print(f"{t}/{n}: reference parser crashed: {e!r}")
            bad += 1
            continue
        diffs = []
        for k, v in exp.items():
            if k in ("note", "has_defects", "auto_reply", "urgent", "quote_starts_with", "signature_starts_with"):
                continue
            if k == "body_contains":
                for s in v:
                    if s not in got.get("body", ""):
                        diffs.append(f"body_contains {s!r} not in {got.get('body')!r}")
                continue
            if k == "html_contains":
                for s in v:
                    if s not in got.get("html", ""):
                        diffs.append(f"html_contains {s!r} missing")
                continue
            if k == "attachments":
                g = got["attachments"]
                if len(g) != len(v):
                    diffs.append(f"attachments: {len(v)} expected, python sees {len(g)}: {[(a['filename'], a['content_type']) for a in g]}")
                    continue
                for a, b in zip(v, g):
                    for kk in a:
                        if b[kk] != "?" and a[kk] != b[kk]:
                            diffs.append(f"attachment {a['filename']}: {kk} {a[kk]!r} != python {b[kk]!r}")
                continue
            if k in got and got[k] != v:
                diffs.append(f"{k}: expected {v!r}\n        python   {got[k]!r}")
        if "has_defects" in exp and exp["has_defects"] != bool(got["defects"]):
            diffs.append(f"has_defects {exp['has_defects']} but python defects {got['defects']}")
        if diffs:
            bad += 1
            print(f"--- {t}/{n}")
            for d in diffs:
                print("    " + d)
    print(f"{bad} fixtures where Python's reading differs (each must be explained by its note)")


def main():
    for g in GENERATORS:
        g()
    write_all()
    counts = {}
    for t, _, _, _ in FIXTURES:
        counts[t] = counts.get(t, 0) + 1
    print(f"{len(FIXTURES)} fixtures: " + ", ".join(f"{t} {c}" for t, c in sorted(counts.items())))
    if "--check" in sys.argv:
        check()


if __name__ == "__main__":
    main()
