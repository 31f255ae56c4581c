"""What compare.py compares, and how: shared by compare.py and known_differences.py.

Fields (each counted once per message):

  subject                   exact string (or both null)
  from.address, from.name   exact (from: null on both sides agrees on both)
  attachments.count         same number of attachments
  attachments.content_type  per attachment, in order (only when counts agree)
  attachments.filename      per attachment, in order
  attachments.data          per attachment: size and sha256
  body_type                 "text/plain" | "text/html" | null
  body                      exact for text/plain; for html-derived bodies loosely:
                            every word of Python's text of the HTML appears in
                            Fairdesk's body, and Fairdesk adds few words of its own
"""

import json
import os
import re

FIELDS = [
    "subject", "from.address", "from.name",
    "attachments.count", "attachments.content_type", "attachments.filename", "attachments.data",
    "body_type", "body",
]

_WORD = re.compile(r"\w+")


def words(text):
    return _WORD.findall((text or "").lower())


def loose_html_equal(py_text, fd_text, attr_text=""):
    """Words of Python's HTML text all appear in Fairdesk's; Fairdesk's extras are few."""
    pw = words(py_text)
    fw = words(fd_text)
    fd_set = set(fw)
    fd_concat = "".join(fw)
    missing = [w for w in pw if w not in fd_set and w not in fd_concat]
    if missing:
        return False
    allowed = set(pw) | set(words(attr_text))
    py_concat = "".join(pw)
    extra = [w for w in fw if w not in allowed and w not in py_concat]
    return len(extra) <= max(3, len(fw) // 20)


def _att(summary, i):
    atts = summary.get("attachments") or []
    return atts[i] if i is not None and i < len(atts) else None


def value(summary, field, index=None):
    """The value a field has in a summary (what a report shows)."""
    if field == "subject":
        return summary.get("subject")
    if field.startswith("from."):
        f = summary.get("from")
        return None if f is None else f.get(field[5:])
    if field == "attachments.count":
        return [(a.get("content_type"), a.get("filename"), a.get("size")) for a in summary.get("attachments") or []]
    if field.startswith("attachments."):
        a = _att(summary, index)
        if a is None:
            return None
        if field == "attachments.data":
            return {"size": a.get("size"), "sha256": a.get("sha256")}
        return a.get(field[12:])
    if field == "body_type":
        return summary.get("body_type")
    if field == "body":
        return summary.get("body")
    raise KeyError(field)


def agrees(field, index, py, fd):
    """Whether `py` and `fd` (whole summaries) agree on one field (at one attachment index)."""
    if field == "from.address":
        a, b = py.get("from"), fd.get("from")
        if a is None or b is None:
            return a is None and b is None
        return a.get("address") == b.get("address")
    if field == "from.name":
        a, b = py.get("from"), fd.get("from")
        if a is None or b is None:
            return True  # counted under from.address
        return a.get("name") == b.get("name")
    if field == "attachments.count":
        pa, fa = py.get("attachments") or [], fd.get("attachments") or []
        if len(pa) != len(fa):
            return False
        return all(agrees(f, i, py, fd) for i in range(len(pa))
                   for f in ("attachments.content_type", "attachments.filename", "attachments.data"))
    if field == "attachments.data":
        return value(py, field, index) == value(fd, field, index)
    if field == "body":
        if py.get("body_type") != fd.get("body_type"):
            return True  # counted under body_type
        if py.get("body_type") == "text/html":
            return loose_html_equal(py.get("body"), fd.get("body"), py.get("_html_attr_text", ""))
        return py.get("body") == fd.get("body")
    return value(py, field, index) == value(fd, field, index)


def disagreements(py, fd):
    """[(field, index)] where the two summaries disagree; attachments per index."""
    out = []
    for field in ("subject", "from.address", "from.name"):
        if not agrees(field, None, py, fd):
            out.append((field, None))
    pa, fa = py.get("attachments") or [], fd.get("attachments") or []
    if len(pa) != len(fa):
        out.append(("attachments.count", None))
    else:
        for field in ("attachments.content_type", "attachments.filename", "attachments.data"):
            for i in range(len(pa)):
                if not agrees(field, i, py, fd):
                    out.append((field, i))
    for field in ("body_type", "body"):
        if not agrees(field, None, py, fd):
            out.append((field, None))
    return out


class Case:
    """One message: both summaries, its bytes, its manifest entry, alternative readings."""

    def __init__(self, path, py, fd, manifest=None):
        self.path = path
        self.py = py
        self.fd = fd
        self.manifest = manifest or {}
        self._data = None
        self._alts = {}

    @property
    def data(self):
        if self._data is None:
            with open(self.path, "rb") as f:
                self._data = f.read()
        return self._data

    @property
    def damage(self):
        return self.manifest.get("damage", [])

    def alt(self, key, data=None, hooks=None):
        """Python's summary of `data` (default: this file) with `hooks`, cached by key."""
        if key not in self._alts:
            import python_summary
            self._alts[key] = python_summary.summarize_safely(self.data if data is None else data, self.path, True, hooks)
        return self._alts[key]


class Disagreement:
    def __init__(self, case, field, index):
        self.case = case
        self.field = field
        self.index = index

    @property
    def py(self):
        return value(self.case.py, self.field, self.index)

    @property
    def fd(self):
        return value(self.case.fd, self.field, self.index)

    def resolved_by(self, alt_summary):
        """Whether an alternative Python reading agrees with Fairdesk on this field."""
        return agrees(self.field, self.index, alt_summary, self.case.fd)

    def kind(self):
        return self.field


def load_manifest(corpus):
    path = os.path.join(corpus, "manifest.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f).get("files", {})
