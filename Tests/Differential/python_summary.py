#!/usr/bin/env python3
"""What Python's `email` package makes of a message, in `fairdesk mail parse --json` form.

    python_summary.py FILE...

Prints one JSON object per line per file with the same keys as the Swift tool:
file, message_id, from, to, cc, subject, date, in_reply_to, references, body,
body_type, attachments, defects. Exits non-zero only for a file it cannot read.

Parsing is Python's (BytesParser with policy.default, the modern header parser
that decodes RFC 2047 words, RFC 2231 parameters and address lists). On top of
it this file implements only what Python has no opinion about:

* Fairdesk's leaf walk, attachment rule, main body / continuation rule and body
  joining (see README.md);
* line endings of text bodies (CRLF and lone CR become "\\n");
* raw 8-bit bytes in header fields, which Python keeps undecoded
  (surrogate escapes): read as UTF-8 if valid, else Windows-1252;
* a text part whose charset label Python does not know (get_content() raises
  LookupError there): UTF-8 if valid, else Windows-1252;
* message/* leaves: their bytes "as they stand" are cut from the file along the
  structure Python found (Python keeps only the re-parsed message, not its bytes);
* HTML bodies are turned into text with html.parser (compared only loosely).

Everything else — transfer decoding, charset decoding of known labels, header
decoding, filenames, the MIME tree itself — is Python's own reading.
"""

import hashlib
import html.parser
import json
import re
import sys
import traceback
from email import policy
from email.parser import BytesParser

# ---------------------------------------------------------------------------
# Charset helpers


def _win1252_handler(err):
    # Windows-1252 as browsers decode it: the five undefined bytes map to C1 controls.
    bad = err.object[err.start:err.end]
    return "".join(chr(b) for b in bad), err.end


import codecs

codecs.register_error("fairdesk-c1", _win1252_handler)


def decode_windows_1252(data):
    return data.decode("cp1252", errors="fairdesk-c1")


def utf8_else_1252(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_windows_1252(data)


_SURROGATES = re.compile("[\udc80-\udcff]")


def fix_raw_8bit(value):
    """A header value read by BytesParser keeps 8-bit bytes as surrogate escapes."""
    if not isinstance(value, str) or not _SURROGATES.search(value):
        return value
    raw = value.encode("utf-8", "surrogateescape")
    return utf8_else_1252(raw)


def clean(value):
    """Lone surrogates (bytes Python left undecoded) as policy.default's str() shows them:
    the bytes read as UTF-8, U+FFFD where invalid."""
    if isinstance(value, str) and _SURROGATES.search(value):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


def normalize_newlines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------
# HTML to text (for html-derived bodies; compared loosely)

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
          "pre", "hr", "ul", "ol", "dd", "dt", "section", "article", "header", "footer", "td", "th"}
_HIDDEN = {"head", "title", "script", "style", "template"}


class _HTMLText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.hidden = 0
        self.attr_text = []

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self.hidden += 1
        if tag in _BLOCK:
            self.out.append("\n")
        for k, v in attrs:
            if v and k in ("href", "src", "alt", "title"):
                self.attr_text.append(v)

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.out.append(data)


def html_to_text(source):
    """Returns (text, attribute_text): visible text, and href/src/alt/title values."""
    p = _HTMLText()
    try:
        p.feed(source)
        p.close()
    except Exception:  # html.parser is lenient; never let it stop a summary
        pass
    text = "".join(p.out).replace("\u00a0", " ")
    lines = [" ".join(l.split()) for l in text.split("\n")]
    out = []
    for l in lines:
        if l or (out and out[-1]):
            out.append(l)
    return "\n".join(out).strip("\n") + "\n", " ".join(p.attr_text)


# ---------------------------------------------------------------------------
# Raw bytes of message/* leaves, cut along the structure Python found.
# Mirrors email.feedparser's line splitting and boundary matching.

_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_HEADER_RE = re.compile(rb"^(From |[\041-\071\073-\176]*:|[\t ])")
_NLCRE = re.compile(rb"\r\n|\r|\n")
_NLCRE_EOL = re.compile(rb"(\r\n|\r|\n)\Z")


class _StructureMismatch(Exception):
    pass


class _RawCutter:
    def __init__(self, data):
        self.data = data
        self.lines = [m.span() for m in _LINE.finditer(data)]
        self.n = len(self.lines)
        self.ranges = {}  # id(part) -> (start, end) of body bytes

    def line(self, i):
        s, e = self.lines[i]
        return self.data[s:e]

    def start_of(self, i):
        return self.lines[i][0] if i < self.n else len(self.data)

    def at_eof(self, i, stack):
        if i >= self.n:
            return True
        line = self.line(i)
        return any(m(line) for m in stack)

    def entity(self, part, i, stack):
        """Parses one entity starting at line i; returns the index after it."""
        # Header block.
        while not self.at_eof(i, stack):
            line = self.line(i)
            if not _HEADER_RE.match(line):
                if _NLCRE.match(line):
                    i += 1
                break
            i += 1
        body_start = i
        ctype = part.get_content_type()
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            i = self.multipart(part, i, stack)
        else:
            while not self.at_eof(i, stack):
                i += 1
        self.ranges[id(part)] = (self.start_of(body_start), self.start_of(i))
        return i

    def multipart(self, part, i, stack):
        boundary = part.get_boundary()
        if boundary is None:
            raise _StructureMismatch("no boundary")
        sep = re.escape(("--" + boundary).encode("utf-8", "surrogateescape"))
        bre = re.compile(b"(?P<sep>" + sep + rb")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")
        children = list(part.get_payload())
        k = 0
        preamble = True
        while not self.at_eof(i, stack):
            line = self.line(i)
            mo = bre.match(line)
            if mo:
                if mo.group("end"):
                    i += 1
                    # epilogue
                    while not self.at_eof(i, stack):
                        i += 1
                    break
                if preamble:
                    preamble = False
                    continue
                i += 1
                while not self.at_eof(i, stack) and bre.match(self.line(i)):
                    i += 1
                if k >= len(children):
                    raise _StructureMismatch("more parts than Python found")
                child = children[k]
                k += 1
                start = i
                i = self.entity(child, i, stack + [bre.match])
                s, e = self.ranges[id(child)]
                chunk = self.data[s:e]
                mo2 = _NLCRE_EOL.search(chunk)
                if mo2:
                    self.ranges[id(child)] = (s, e - len(mo2.group(0)))
            else:
                i += 1
        if k != len(children):
            raise _StructureMismatch("fewer parts than Python found")
        return i


def raw_message_ranges(data, msg):
    cutter = _RawCutter(data)
    cutter.entity(msg, 0, [])
    return cutter.ranges


# ---------------------------------------------------------------------------
# The summary


def _fix_headers(msg):
    """Decodes raw 8-bit header bytes in every part (UTF-8 if valid, else Windows-1252)."""
    stack = [msg]
    while stack:
        part = stack.pop()
        hs = getattr(part, "_headers", None)
        if hs and any(isinstance(v, str) and _SURROGATES.search(v) for _, v in hs):
            part._headers = [(fix_raw_8bit(n), fix_raw_8bit(v)) for n, v in hs]
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend(payload)


def _header_str(msg, name):
    try:
        v = msg[name]
    except Exception:
        v = None
        for n, raw in msg.raw_items():
            if n.lower() == name.lower():
                v = " ".join(raw.split("\n"))
                break
    if v is None:
        return None
    return str(v)


def _legacy_names(raw):
    """Display names via email.utils.getaddresses + email.header.make_header.

    policy.default's address parser decodes each encoded word of a display name on
    its own and puts a space between adjacent ones (RFC 2047 6.2 says to drop it), and
    splits a multi-byte character shared by two words; the legacy API joins them."""
    from email.header import decode_header, make_header
    from email.utils import getaddresses
    out = []
    for name, _ in getaddresses([raw]):
        out.append(str(make_header(decode_header(name))) if name else "")
    return out


def _subject(msg):
    """policy.default's Subject, except for an all-ASCII field with encoded words, where
    the legacy decode_header/make_header is used: it joins the bytes of adjacent words
    of one charset before decoding, so a character split across two words survives
    (policy.default only manages that for UTF-8). Both agree everywhere else."""
    value = _header_str(msg, "subject")
    if value is None:
        return None
    raw = None
    for n, v in msg.raw_items():
        if n.lower() == "subject":
            raw = re.sub(r"\r\n|\r|\n", "", str(v))
            break
    if raw is not None and raw.isascii() and "=?" in raw:
        from email.header import decode_header, make_header
        try:
            value = str(make_header(decode_header(raw)))
        except Exception:
            pass
    return value


def _mailboxes(msg, name):
    """Addresses from policy.default; display names from the legacy API when both agree
    on the number of mailboxes."""
    try:
        h = msg[name]
    except Exception:
        h = None
    if h is None:
        return []
    raw = None
    for n, v in msg.raw_items():
        if n.lower() == name:
            raw = re.sub(r"\r\n|\r|\n", "", str(v))
            break
    out = []
    try:
        for a in h.addresses:
            out.append({"name": clean(a.display_name) or None, "address": clean(a.addr_spec)})
    except Exception:
        from email.utils import getaddresses
        return [{"name": n or None, "address": a} for n, a in getaddresses([str(h)]) if a or n]
    if raw is not None:
        try:
            names = _legacy_names(raw)
        except Exception:
            names = None
        if names is not None and len(names) == len(out):
            for box, legacy in zip(out, names):
                box["name"] = legacy.strip() or None
    return out


_ID = re.compile(r"<([^<>]*)>")


def _ids(value):
    if value is None:
        return []
    return _ID.findall(value)


def _first_id(value):
    if value is None:
        return None
    ids = _ids(value)
    if ids:
        return ids[0].strip()
    v = value.strip()
    return v or None


def _date(msg):
    try:
        h = msg["date"]
        if h is None:
            return None
        dt = h.datetime
        if dt is None:
            return None
        import datetime
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=datetime.timezone.utc)
        return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except Exception:
        return None


def _filename(part):
    """The filename (Content-Disposition filename, else Content-Type name).

    Read with the legacy (compat32) parameter code on the raw fields: it joins the
    percent-decoded bytes of all RFC 2231 continuation sections before decoding them
    with the charset, where policy.default decodes each section on its own and breaks
    a character split across two sections. RFC 2047 words in a quoted value
    (non-standard but common) are then decoded, as policy.default also does."""
    from email import message
    from email.header import decode_header, make_header
    try:
        legacy = message.Message()
        for n, v in part.raw_items():
            if n.lower() in ("content-disposition", "content-type"):
                legacy[n] = str(v)
        name = legacy.get_filename()
        if name and "=?" in name:
            try:
                name = str(make_header(decode_header(name)))
            except Exception:
                pass
        return name
    except Exception:
        try:
            return part.get_filename()
        except Exception:
            return None


def _leaves(part, ancestors=()):
    """Leaves in document order; message/* parts are leaves (never descended)."""
    if part.get_content_maintype() == "multipart" and part.is_multipart():
        for child in part.get_payload():
            yield from _leaves(child, ancestors + (part,))
    else:
        yield part, ancestors


def _payload(part, hooks):
    data = part.get_payload(decode=True)
    if data is None:
        data = b""
    if hooks and "payload" in hooks:
        data = hooks["payload"](part, data)
    return data


def _text_of(part, notes, hooks=None):
    data = _payload(part, hooks)
    charset = part.get_content_charset()
    if hooks and "charset" in hooks:
        text = hooks["charset"](part, data, charset)
        if text is not None:
            return normalize_newlines(text)
    try:
        text = data.decode(charset or "us-ascii", errors="replace")
    except LookupError:
        notes.append("python_summary.unknown-charset:%s" % charset)
        text = utf8_else_1252(data)
    return normalize_newlines(text)


def summarize(data, path, extended=False, hooks=None):
    """Summary dict for one message. With extended=True, adds private "_" keys.

    `hooks` (used by known_differences.py to compute alternative readings) may hold
    "payload": f(part, bytes) -> bytes, replacing Python's transfer decoding, and
    "charset": f(part, bytes, label) -> str or None, replacing its charset decoding;
    "nearest_alternative": True, to exclude from the continuations only the leaves under
    the main part's nearest multipart/alternative (instead of under any of them).
    """
    notes = []
    msg = BytesParser(policy=policy.default).parsebytes(data)
    _fix_headers(msg)

    subject = _subject(msg)
    if subject is not None:
        subject = clean(subject).strip(" \t\r\n")
    froms = _mailboxes(msg, "from")
    out = {
        "file": path,
        "message_id": _first_id(_header_str(msg, "message-id")),
        "from": froms[0] if froms else None,
        "to": _mailboxes(msg, "to"),
        "cc": _mailboxes(msg, "cc"),
        "subject": subject,
        "date": _date(msg),
        "in_reply_to": _first_id(_header_str(msg, "in-reply-to")),
        "references": _ids(_header_str(msg, "references")),
    }

    leaves = list(_leaves(msg))
    ranges = None
    info = []
    for part, anc in leaves:
        ctype = part.get_content_type()
        try:
            disp = part.get_content_disposition()
        except Exception:
            disp = None
        filename = clean(_filename(part))
        is_att = disp == "attachment" or filename is not None or ctype not in ("text/plain", "text/html")
        info.append((part, anc, ctype, disp, filename, is_att))

    main = None
    for wanted in ("text/plain", "text/html"):
        for k, (part, anc, ctype, disp, filename, is_att) in enumerate(info):
            if not is_att and ctype == wanted:
                main = k
                break
        if main is not None:
            break

    pieces = []
    html_attr_text = []
    body_type = None
    if main is not None:
        body_type = info[main][2]
        nearest = bool(hooks and hooks.get("nearest_alternative"))

        def alts_of(ancestors):
            ids = [id(a) for a in ancestors if a.get_content_subtype() == "alternative"]
            return set(ids[-1:]) if nearest else set(ids)

        main_alts = alts_of(info[main][1])
        chosen = [main]
        for k in range(main + 1, len(info)):
            part, anc, ctype, disp, filename, is_att = info[k]
            if is_att or ctype != body_type:
                continue
            if alts_of(anc) & main_alts:
                continue
            chosen.append(k)
        for k in chosen:
            text = _text_of(info[k][0], notes, hooks)
            if body_type == "text/html":
                text, attrs = html_to_text(text)
                html_attr_text.append(attrs)
            pieces.append(text)
    # Every piece but the last ends in "\n" before the join, so pieces are separated by
    # a blank line (Message.fullText; the last piece is left as it is).
    body = "\n".join([p if p.endswith("\n") else p + "\n" for p in pieces[:-1]] + pieces[-1:])

    attachments = []
    attachment_headers = []
    for part, anc, ctype, disp, filename, is_att in info:
        if not is_att:
            continue
        attachment_headers.append([(n, str(v)) for n, v in part.raw_items()])
        if part.get_content_maintype() == "message":
            if ranges is None:
                try:
                    ranges = raw_message_ranges(data, msg)
                except _StructureMismatch as e:
                    notes.append("python_summary.raw-cut-failed:%s" % e)
                    ranges = {}
            if id(part) in ranges:
                s, e = ranges[id(part)]
                payload = data[s:e]
            else:
                inner = part.get_payload()
                payload = inner[0].as_bytes() if isinstance(inner, list) and inner else (part.get_payload(decode=True) or b"")
                notes.append("python_summary.rfc822-regenerated")
        else:
            payload = _payload(part, hooks)
        attachments.append({
            "filename": filename,
            "content_type": ctype,
            "disposition": disp,
            "size": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        })

    defects = []
    for part in msg.walk():
        for d in getattr(part, "defects", []):
            name = type(d).__name__
            if name not in defects:
                defects.append(name)
    out.update({"body": body, "body_type": body_type, "attachments": attachments, "defects": defects + notes})
    if extended:
        out["_html_attr_text"] = " ".join(html_attr_text)
        out["_headers"] = [(n, str(v)) for n, v in msg.raw_items()]
        out["_attachment_headers"] = attachment_headers
    return out


def summarize_safely(data, path, extended=False, hooks=None):
    try:
        return summarize(data, path, extended, hooks)
    except Exception as e:  # never crash: report what broke
        return {
            "file": path, "message_id": None, "from": None, "to": [], "cc": [], "subject": None,
            "date": None, "in_reply_to": None, "references": [], "body": "", "body_type": None,
            "attachments": [], "defects": ["python_summary.exception:%s: %s" % (type(e).__name__, e)],
            **({"_traceback": traceback.format_exc()} if extended else {}),
        }


def main(argv):
    status = 0
    for path in argv:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print("python_summary: %s: %s" % (path, e), file=sys.stderr)
            status = 1
            continue
        summary = summarize_safely(data, path)
        try:
            line = json.dumps(summary, ensure_ascii=False)
            line.encode("utf-8")
        except UnicodeError:  # a lone surrogate somewhere: escape it
            line = json.dumps(summary)
        sys.stdout.write(line + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
