#!/usr/bin/env python3
"""Deterministic random MIME corpus for differential testing of FairdeskMail.

    gen_corpus.py --seed N --count K --out DIR

Writes DIR/msg-00000.eml ... and DIR/manifest.json (per file: the damage applied
and a few notable features, to help explain disagreements). Nothing here is an
expected value: the oracle is Python's email package (python_summary.py).

Every message is built from its own random.Random(f"{seed}-{index}"), so the
same (seed, index) always yields the same bytes, whatever the count.
Python 3.11 standard library only.
"""

import argparse
import base64
import json
import os
import struct
import sys

import random

# ---------------------------------------------------------------------------
# Text material (written for this corpus)

SENTENCES = {
    "en": [
        "Hello team, the printer on the third floor is jammed again.",
        "Could you please reset my password? I have been locked out since Monday.",
        "Attached is the crash dump from this morning's deployment.",
        "Thanks for the quick reply; the issue is resolved now.",
        "Our invoice #4821 shows the wrong amount, please check it.",
        "The VPN drops every ten minutes when I work from home.",
        "Please see the log below & let me know what you think <soon>.",
    ],
    "fr": [
        "Bonjour, l'imprimante du deuxième étage ne fonctionne plus.",
        "Pourriez-vous réinitialiser mon mot de passe ? Merci d'avance.",
        "Ci-joint le journal d'erreurs, voilà ce que j'ai reçu à 9 h.",
        "Le cœur du problème : la connexion échoue « parfois ».",
    ],
    "de": [
        "Guten Tag, der Drucker im Büro funktioniert nicht.",
        "Könnten Sie bitte mein Passwort zurücksetzen? Grüße aus München.",
        "Die Größe der Datei überschreitet das Limit.",
        "„Fehler“ erscheint beim Öffnen der Anwendung.",
    ],
    "es": [
        "¿Podrían ayudarme con la factura? Gracias, señor Núñez.",
        "¡El servidor está caído otra vez!",
        "Adjunto el informe de la mañana.",
    ],
    "pl": [
        "Dzień dobry, drukarka na piętrze nie działa.",
        "Proszę o zresetowanie hasła. Pozdrawiam, Łukasz Żółć.",
    ],
    "cs": [
        "Dobrý den, tiskárna v kanceláři nefunguje.",
        "Příliš žluťoučký kůň úpěl ďábelské ódy.",
    ],
    "hu": ["Jó napot, a nyomtató nem működik. Üdvözlettel, Gőz Ödön."],
    "ru": [
        "Здравствуйте, принтер на третьем этаже снова не работает.",
        "Пожалуйста, сбросьте мой пароль. Спасибо!",
        "Во вложении журнал ошибок с сервера.",
    ],
    "uk": ["Добрий день, у мене не працює пошта. Дякую за допомогу, Ґалина."],
    "el": [
        "Καλημέρα, ο εκτυπωτής δεν λειτουργεί.",
        "Παρακαλώ επαναφέρετε τον κωδικό μου. Ευχαριστώ!",
    ],
    "zh_cn": ["您好，三楼的打印机又坏了。", "请帮我重置密码，谢谢！", "附件是今天早上的错误日志。"],
    "zh_tw": ["您好，三樓的印表機又壞了。", "請幫我重設密碼，謝謝！", "附件是今天早上的錯誤記錄。"],
    "ja": [
        "お世話になっております。三階のプリンターが故障しました。",
        "パスワードの再設定をお願いします。よろしくお願いいたします。",
        "添付ファイルは今朝のエラーログです。",
    ],
    "ja_wave": ["営業時間は9時〜18時です。"],
    "ko": ["안녕하세요, 3층 프린터가 또 고장났습니다.", "비밀번호를 재설정해 주세요. 감사합니다!"],
    "cp1252": ["“Smart quotes” — and an en dash – cost €5… ‘single’ too.", "Résumé attached • see page 2™."],
    "latin9": ["Le prix est de 20 € TTC, œuvre incluse."],
    "emoji": ["Thanks 🙏 the fix works 🎉", "Status: ✅ done, ⚠️ pending"],
    "mixed": ["Café ☕ and Привет and 你好"],
}

NAMES = {
    "en": ["Alice Martin", "Bob O'Neil", "Smith, John", "Dr. Jane Doe", "Support Team", "Carol (IT)"],
    "fr": ["Émilie Dupré", "François Lefèvre"],
    "de": ["Jürgen Müller", "Bärbel Groß"],
    "es": ["José Núñez"],
    "pl": ["Łukasz Żółć"],
    "cs": ["Jiří Dvořák"],
    "hu": ["Gőz Ödön"],
    "ru": ["Иван Петров", "Мария Смирнова"],
    "uk": ["Олена Ґудзь"],
    "el": ["Γιώργος Παπαδόπουλος"],
    "zh_cn": ["张伟", "王芳"],
    "zh_tw": ["陳美玲"],
    "ja": ["山田太郎", "佐藤花子"],
    "ko": ["김민수"],
    "cp1252": ["Zoë “Zed” Smith"],
    "emoji": ["Team 🚀"],
}

FILE_STEMS = {
    "en": ["report", "crash dump", "invoice 4821", "screen shot", "very long file name " * 4],
    "fr": ["rapport_été", "reçu de paiement"],
    "de": ["Übersicht März", "Größenangaben"],
    "ru": ["отчёт", "журнал ошибок"],
    "el": ["αναφορά"],
    "zh_cn": ["日志", "报告"],
    "zh_tw": ["報告"],
    "ja": ["報告書", "エラーログ"],
    "ko": ["보고서"],
    "pl": ["sprawozdanie_źródło"],
    "emoji": ["notes 📝"],
}

CHARSETS = [
    "utf-8", "iso-8859-1", "iso-8859-2", "iso-8859-5", "iso-8859-7", "iso-8859-15",
    "windows-1251", "windows-1252", "koi8-r", "gb2312", "big5", "shift_jis",
    "euc-jp", "iso-2022-jp", "euc-kr",
]

# Python codec used to produce the bytes for a label.
CODEC = {"windows-1251": "cp1251", "windows-1252": "cp1252"}


def codec_of(label):
    return CODEC.get(label, label)


def encodable(text, charset):
    try:
        text.encode(codec_of(charset))
        return True
    except UnicodeError:
        return False


# Languages a real mailer would send in each charset (filtered by what encodes).
NATURAL = {
    "utf-8": None,
    "iso-8859-1": ["en", "fr", "de", "es"],
    "iso-8859-2": ["en", "pl", "cs", "hu", "de"],
    "iso-8859-5": ["en", "ru", "uk"],
    "iso-8859-7": ["en", "el"],
    "iso-8859-15": ["en", "fr", "de", "es", "latin9"],
    "windows-1251": ["en", "ru", "uk"],
    "windows-1252": ["en", "fr", "de", "es", "cp1252", "latin9"],
    "koi8-r": ["en", "ru"],
    "gb2312": ["en", "zh_cn"],
    "big5": ["en", "zh_tw"],
    "shift_jis": ["en", "ja", "ja_wave"],
    "euc-jp": ["en", "ja", "ja_wave"],
    "iso-2022-jp": ["en", "ja", "ja_wave"],
    "euc-kr": ["en", "ko"],
}


def langs_for(charset, table):
    allowed = NATURAL[charset]
    return sorted(l for l, items in table.items()
                  if (allowed is None or l in allowed) and any(encodable(s, charset) for s in items))


LANGS_FOR_CHARSET = {cs: langs_for(cs, SENTENCES) for cs in CHARSETS}
NAME_LANGS_FOR_CHARSET = {cs: langs_for(cs, NAMES) for cs in CHARSETS}


class Ctx:
    """Per-message state: RNG, line ending, damage and features recorded."""

    def __init__(self, rng, nl):
        self.rng = rng
        self.nl = nl
        self.damage = []
        self.features = []
        self.boundary_counter = 0

    def feature(self, name):
        if name not in self.features:
            self.features.append(name)


# ---------------------------------------------------------------------------
# Model. Header values and text use "\n" for line breaks; the serializer turns
# them into the message's line ending.

class Leaf:
    def __init__(self, headers, body):
        self.headers = headers  # list of (name, bytes value)
        self.body = body  # bytes, already transfer-encoded, "\n" line breaks
        self.cte = None
        self.kind = None


class Multipart:
    def __init__(self, headers, subtype, boundary, children):
        self.headers = headers
        self.subtype = subtype
        self.boundary = boundary
        self.children = children
        self.preamble = None
        self.epilogue = None
        self.no_close = False
        self.padding = b""


class Rfc822:
    def __init__(self, headers, message):
        self.headers = headers
        self.message = message  # a Message


class Message:
    def __init__(self, headers, root):
        self.headers = headers  # top-level RFC 5322 headers (list of (name, bytes))
        self.root = root  # entity whose MIME headers are appended to self.headers


# ---------------------------------------------------------------------------
# Encodings

def qp_encode(data, header=False):
    """Quoted-printable (RFC 2045 6.7), "\n" hard breaks, 76-char soft breaks."""
    out = []
    for line in data.split(b"\n"):
        cur = b""
        for i, byte in enumerate(line):
            ch = bytes([byte])
            last = i == len(line) - 1
            if (33 <= byte <= 126 and byte != 61) or (byte in (32, 9) and not last):
                piece = ch
            else:
                piece = b"=%02X" % byte
            if len(cur) + len(piece) > 75:
                out.append(cur + b"=")
                cur = b""
            cur += piece
        out.append(cur)
    return b"\n".join(out)


def b64_lines(data, width=76):
    enc = base64.b64encode(data)
    return b"\n".join(enc[i:i + width] for i in range(0, len(enc), width)) if enc else b""


Q_SAFE = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/")


def q_word(data):
    out = []
    for b in data:
        if b == 32:
            out.append(b"_")
        elif b in Q_SAFE:
            out.append(bytes([b]))
        else:
            out.append(b"=%02X" % b)
    return b"".join(out)


def encoded_words(ctx, text, charset, max_len=75, allow_byte_split=True, label=None):
    """Encodes `text` in `charset` as one or more RFC 2047 words (list of bytes),
    labelled `label` (default: the charset itself)."""
    rng = ctx.rng
    enc = rng.choice("QB") if rng.random() < 0.9 else rng.choice("qb")
    label = label or (charset if rng.random() < 0.8 else charset.upper())
    codec = codec_of(charset)
    prefix = b"=?" + label.encode() + b"?" + enc.encode() + b"?"

    def word(raw):
        payload = base64.b64encode(raw) if enc in "Bb" else q_word(raw)
        return prefix + payload + b"?="

    # Split by characters into chunks whose words stay within max_len.
    chunks = []
    cur = ""
    for ch in text:
        trial = cur + ch
        if cur and (len(word(trial.encode(codec))) > max_len or rng.random() < 0.04):
            chunks.append(cur)
            cur = ch
        else:
            cur = trial
    if cur:
        chunks.append(cur)
    stateless = codec not in ("iso-2022-jp",)
    raws = [c.encode(codec) for c in chunks]
    if allow_byte_split and stateless and len(raws) >= 1 and rng.random() < 0.08:
        # Real mailers sometimes split a multi-byte character across two words.
        joined = b"".join(raws)
        if len(joined) > 3 and any(b >= 0x80 for b in joined):
            cut = rng.randrange(1, len(joined))
            raws = [joined[:cut], joined[cut:]]
            ctx.feature("ew-split-bytes")
    return [word(r) for r in raws if r]


def join_words(ctx, words, fold=True):
    """Adjacent encoded words, separated by a space or a fold."""
    out = b""
    for i, w in enumerate(words):
        if i:
            out += b"\n " if (fold and ctx.rng.random() < 0.5) else b" "
        out += w
    return out


# ---------------------------------------------------------------------------
# Random pieces

def pick_charset(ctx):
    rng = ctx.rng
    if rng.random() < 0.45:
        return "utf-8"
    return rng.choice(CHARSETS)


def sentence(ctx, lang, charset="utf-8"):
    return ctx.rng.choice([s for s in SENTENCES[lang] if encodable(s, charset)])


def text_for_charset(ctx, charset, n_sentences):
    """Returns (text, lang) with text encodable in charset."""
    rng = ctx.rng
    langs = LANGS_FOR_CHARSET[charset]
    lang = rng.choice(langs)
    parts = []
    for _ in range(n_sentences):
        l = lang if rng.random() < 0.8 else rng.choice(langs)
        if rng.random() < 0.3:
            l = "en"
        parts.append(sentence(ctx, l, charset))
    return parts, lang


def make_paragraph_text(ctx, sentences):
    rng = ctx.rng
    lines = []
    cur = []
    for s in sentences:
        cur.append(s)
        r = rng.random()
        if r < 0.35:
            lines.append(" ".join(cur))
            cur = []
        elif r < 0.45:
            lines.append(" ".join(cur))
            lines.append("")
            cur = []
    if cur:
        lines.append(" ".join(cur))
    if rng.random() < 0.2:
        lines += ["", "-- ", "Alice Martin", "Example Corp. Support"]
    if rng.random() < 0.15:
        lines += ["", "On Mon, 5 Jan 2026, Bob wrote:", "> earlier text", "> more"]
    text = "\n".join(lines)
    if rng.random() < 0.8:
        text += "\n"
    return text


def flowed(text, width=60):
    out = []
    for line in text.split("\n"):
        while len(line) > width and " " in line[:width]:
            cut = line.rfind(" ", 0, width)
            out.append(line[:cut + 1])  # trailing space: soft break
            line = line[cut + 1:]
        out.append(line)
    return "\n".join(out)


def rand_addr(ctx):
    rng = ctx.rng
    local = rng.choice(["alice.martin", "support+tag", "j_doe", "bob", "no-reply", "ops-team", "x"])
    if rng.random() < 0.03:
        local = '"john smith"'
    dom = rng.choice(["example.com", "example.org", "mail.example.net", "EXAMPLE.com", "sub.example.co.uk"])
    suffix = str(rng.randrange(100)) if rng.random() < 0.5 else ""
    if local.startswith('"'):
        return f'"john smith{suffix}"@{dom}'
    return f"{local}{suffix}@{dom}"


def display_name_value(ctx, allow_raw8=False):
    """Returns bytes for a display name (possibly empty) in one of many styles."""
    rng = ctx.rng
    r = rng.random()
    if r < 0.15:
        return b"", None
    lang = rng.choice(sorted(NAMES))
    name = rng.choice(NAMES[lang])
    cands = [c for c in CHARSETS if lang in NAME_LANGS_FOR_CHARSET[c] and encodable(name, c)]
    if all(ord(c) < 128 for c in name):
        if any(c in name for c in ",().:;<>@[]\\\"") or rng.random() < 0.3:
            return b'"' + name.replace("\\", "\\\\").replace('"', '\\"').encode() + b'"', name
        return name.encode(), name
    if allow_raw8:
        ctx.damage.append("8bit-header:from")
        cs = "utf-8" if rng.random() < 0.6 or not encodable(name, "windows-1252") else "windows-1252"
        return b'"' + name.encode(codec_of(cs)) + b'"' if rng.random() < 0.5 else name.encode(codec_of(cs)), name
    cs = "utf-8" if rng.random() < 0.5 else rng.choice(cands)
    label = None
    if lang == "cp1252" and rng.random() < 0.3:
        cs, label = "windows-1252", "iso-8859-1"  # Windows-1252 labelled ISO-8859-1
        ctx.feature("ew-cp1252-labelled-iso-8859-1")
    elif rng.random() < 0.01:
        cs, label = "utf-8", "x-unknown-charset"
        ctx.feature("ew-unknown-charset")
    words = encoded_words(ctx, name, cs, label=label)
    v = join_words(ctx, words, fold=False)
    if rng.random() < 0.05:
        ctx.feature("ew-in-quoted-display-name")
        v = b'"' + v + b'"'
    elif rng.random() < 0.15:
        # Encoded words mixed with plain atoms.
        v = b"Dr. " + v
    return v, name


def mailbox(ctx, allow_raw8=False):
    rng = ctx.rng
    dn, _ = display_name_value(ctx, allow_raw8)
    addr = rand_addr(ctx)
    if not dn:
        if rng.random() < 0.5:
            return f"<{addr}>".encode()
        return addr.encode()
    return dn + b" <" + addr.encode() + b">"


def subject_value(ctx, allow_raw8=False):
    rng = ctx.rng
    prefix = rng.choice(["", "", "", "Re: ", "Fwd: ", "AW: ", "[Ticket #%d] " % rng.randrange(99999), "RE: Re: "])
    charset = pick_charset(ctx)
    parts, _ = text_for_charset(ctx, charset, rng.choice([1, 1, 1, 2]))
    text = " ".join(parts)
    if rng.random() < 0.05:
        text = "  " + text + "  "
    if all(ord(c) < 128 for c in text):
        v = (prefix + text).encode()
        if len(v) > 60 and rng.random() < 0.5:
            # fold at a space
            cut = v.rfind(b" ", 20, 60)
            if cut > 0:
                v = v[:cut] + b"\n" + v[cut:]
        return v
    if allow_raw8 and rng.random() < 0.7:
        ctx.damage.append("8bit-header:subject")
        cs = "utf-8" if rng.random() < 0.6 or not encodable(text, "windows-1252") else "windows-1252"
        return (prefix + text).encode(codec_of(cs))
    label = None
    r = rng.random()
    if r < 0.04:
        # Windows-1252 text labelled ISO-8859-1, as Outlook and others send it.
        text = rng.choice(SENTENCES["cp1252"])
        charset, label = "windows-1252", "iso-8859-1"
        ctx.feature("ew-cp1252-labelled-iso-8859-1")
    elif r < 0.06:
        charset = rng.choice(["utf-8", "windows-1252"])
        text = rng.choice([t for l in ("fr", "de", "es") for t in SENTENCES[l] if encodable(t, "windows-1252")])
        label = "x-unknown-charset"
        ctx.feature("ew-unknown-charset:" + charset)
    words = encoded_words(ctx, text, charset, label=label)
    style = rng.random()
    if style < 0.2 and prefix == "":
        # plain ASCII words before the encoded part
        return b"Ticket " + join_words(ctx, words)
    if style < 0.3:
        return prefix.encode() + join_words(ctx, words) + b" (urgent)"
    return prefix.encode() + join_words(ctx, words)


DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def date_value(ctx):
    rng = ctx.rng
    y = rng.randrange(2000, 2031)
    mo = rng.randrange(12)
    d = rng.randrange(1, 29)
    import datetime
    wd = DAYS[datetime.date(y, mo + 1, d).weekday()]
    hh, mm, ss = rng.randrange(24), rng.randrange(60), rng.randrange(60)
    off = rng.choice(["+0000", "-0500", "+0100", "+0530", "-0800", "+0900", "GMT", "-0000", "+1345"])
    s = f"{d} {MONTHS[mo]} {y} {hh:02d}:{mm:02d}:{ss:02d} {off}"
    if rng.random() < 0.8:
        s = f"{wd}, " + s
    if rng.random() < 0.1:
        s += " (CET)"
    return s.encode()


def msg_id(ctx):
    return b"<%08x.%d@%s>" % (ctx.rng.getrandbits(32), ctx.rng.randrange(10**6), ctx.rng.choice([b"example.com", b"mx.example.org"]))


def new_boundary(ctx):
    rng = ctx.rng
    ctx.boundary_counter += 1
    n = ctx.boundary_counter
    style = rng.randrange(6)
    if style == 0:
        b = "----=_Part_%d_%d.%d" % (n, rng.getrandbits(30), rng.getrandbits(40))
    elif style == 1:
        b = "=_%032x" % rng.getrandbits(128) + str(n)
    elif style == 2:
        b = "b%d_%x" % (n, rng.getrandbits(24))
    elif style == 3:
        b = "------------%024d" % (rng.getrandbits(70) + n)
    elif style == 4:
        b = "Apple-Mail=_%08X-%04X-%d" % (rng.getrandbits(32), rng.getrandbits(16), n)
    else:
        b = "odd '()+_,-./:=? boundary %d" % n
    return b


# ---------------------------------------------------------------------------
# Leaves

def ct_header(ctype, params):
    v = ctype
    for p in params:
        v += "; " + p
    return v


def text_leaf(ctx, subtype="plain", force_charset=None):
    rng = ctx.rng
    charset = force_charset or pick_charset(ctx)
    sentences, lang = text_for_charset(ctx, charset, rng.randrange(1, 25))
    text = make_paragraph_text(ctx, sentences)
    label = charset
    codec = codec_of(charset)
    r = rng.random()
    if r < 0.02:
        # Windows-1252 text labelled ISO-8859-1: the most common mislabel in real mail.
        sentences, _ = text_for_charset(ctx, "windows-1252", rng.randrange(1, 6))
        sentences.append(SENTENCES["cp1252"][0])
        text = make_paragraph_text(ctx, sentences)
        codec, label = "cp1252", "iso-8859-1"
        ctx.feature("cp1252-labelled-iso-8859-1")
    elif r < 0.04:
        sentences, _ = text_for_charset(ctx, "windows-1252", rng.randrange(1, 6))
        sentences.append(SENTENCES["cp1252"][0])
        text = make_paragraph_text(ctx, sentences)
        codec, label = "cp1252", "us-ascii"
        ctx.feature("8bit-in-us-ascii")
    elif r < 0.06:
        codec = "utf-8" if rng.random() < 0.5 else "cp1252"
        sentences, _ = text_for_charset(ctx, "windows-1252", rng.randrange(1, 6))
        text = make_paragraph_text(ctx, sentences)
        label = "x-unknown-charset"
        ctx.feature("unknown-charset:" + codec)
    elif r < 0.08:
        label = None  # no charset parameter
        codec = "utf-8" if rng.random() < 0.5 else "us-ascii"
        if codec == "us-ascii":
            text = make_paragraph_text(ctx, [sentence(ctx, "en") for _ in range(3)])
        else:
            ctx.feature("no-charset-8bit")
    elif rng.random() < 0.15 and label:
        label = label.upper()
    if subtype == "html":
        text = to_html(ctx, text)
    params = []
    if label is not None:
        params.append(f'charset="{label}"' if rng.random() < 0.5 else f"charset={label}")
    body_text = text
    if subtype == "plain" and rng.random() < 0.08:
        body_text = flowed(text)
        params.append("format=flowed")
        if rng.random() < 0.3:
            params.append("delsp=yes")
        ctx.feature("format-flowed")
    raw = body_text.encode(codec)
    ascii_only = all(b < 128 for b in raw)
    choices = ["7bit", "quoted-printable", "base64"] if ascii_only else ["8bit", "quoted-printable", "base64"]
    cte = rng.choice(choices)
    if rng.random() < 0.05 and cte in ("7bit", "8bit"):
        cte = None  # no CTE header at all
    if cte == "base64" and rng.random() < 0.05:
        ctx.feature("lone-cr-in-base64-text")
        raw = raw.replace(b"\n", b"\r", 1)
    if cte == "base64":
        if rng.random() < 0.5:
            raw = raw.replace(b"\n", b"\r\n")
        body = b64_lines(raw)
    elif cte == "quoted-printable":
        body = qp_encode(raw)
    else:
        body = raw
    headers = [("Content-Type", ct_header(f"text/{subtype}", params).encode())]
    if cte:
        headers.append(("Content-Transfer-Encoding", (cte if rng.random() < 0.8 else cte.title()).encode()))
    if rng.random() < 0.1:
        headers.append(("Content-Disposition", b"inline"))
    leaf = Leaf(headers, body)
    leaf.cte = cte
    leaf.kind = "text/" + subtype
    return leaf


def to_html(ctx, text):
    rng = ctx.rng
    paras = [p for p in text.split("\n") if p.strip()]
    body = []
    for p in paras:
        esc = p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        r = rng.random()
        if r < 0.5:
            body.append(f"<p>{esc}</p>")
        elif r < 0.7:
            body.append(f"<div>{esc}<br></div>")
        elif r < 0.8:
            body.append(f'<p><a href="https://example.com/t/{rng.randrange(999)}">{esc}</a></p>')
        else:
            body.append(f"<p><b>{esc}</b> &nbsp;</p>")
    head = "<head><meta http-equiv=\"Content-Type\" content=\"text/html\"><title>Ticket update</title>"
    head += "<style>p { margin: 0 } .x { color: red }</style></head>"
    script = "<script>var hidden = 'scriptwords';</script>" if rng.random() < 0.1 else ""
    return "<html>" + head + "<body>" + script + "\n".join(body) + "</body></html>\n"


def rand_size(ctx):
    rng = ctx.rng
    r = rng.random()
    if r < 0.05:
        return 0
    if r < 0.35:
        return rng.randrange(1, 1024)
    if r < 0.85:
        return rng.randrange(1024, 20 * 1024)
    if r < 0.99:
        return rng.randrange(20 * 1024, 200 * 1024)
    return 200 * 1024


def log_bytes(ctx, size):
    rng = ctx.rng
    out = []
    total = 0
    i = 0
    while total < size:
        lvl = rng.choice(["INFO", "WARN", "ERROR", "DEBUG"])
        line = f"2026-01-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z {lvl} worker[{rng.randrange(9999)}]: request {rng.getrandbits(32):08x} took {rng.randrange(5000)} ms\n"
        out.append(line)
        total += len(line)
        i += 1
    return "".join(out).encode()[:size] if size else b""


ATTACHMENT_KINDS = [
    # kind, content type, extension, weight
    ("binary", "application/octet-stream", ".bin", 4),
    ("minidump", "application/x-dmp", ".dmp", 3),
    ("log", "text/plain", ".log", 4),
    ("png", "image/png", ".png", 3),
    ("jpeg", "image/jpeg", ".jpg", 2),
    ("gif", "image/gif", ".gif", 1),
    ("pdf", "application/pdf", ".pdf", 3),
    ("zip", "application/zip", ".zip", 1),
    ("csv", "text/csv", ".csv", 1),
    ("ics", "text/calendar", ".ics", 1),
    ("htmlfile", "text/html", ".html", 1),
    ("json", "application/json", ".json", 1),
]


def attachment_data(ctx, kind, size):
    rng = ctx.rng
    if kind == "minidump":
        hdr = b"MDMP" + struct.pack("<HHIIII", 0xA793, 0, rng.randrange(4, 16), 32, 0, rng.getrandbits(32))
        return (hdr + rng.randbytes(max(0, size - len(hdr))))[:max(size, len(hdr))]
    if kind == "log":
        return log_bytes(ctx, size)
    if kind == "csv":
        rows = ["id,name,amount"] + [f"{i},item {i},{rng.randrange(10000) / 100}" for i in range(max(1, size // 20))]
        return ("\n".join(rows) + "\n").encode()[:size]
    if kind == "ics":
        return b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:Maintenance window\nDTSTART:20260102T100000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    if kind == "htmlfile":
        return to_html(ctx, "Exported ticket\nLine two\n").encode()
    if kind == "json":
        return json.dumps({"ticket": rng.randrange(99999), "tags": ["a", "b"], "note": "Grüße"}).encode()
    magic = {"png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
             "gif": b"GIF89a", "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "zip": b"PK\x03\x04"}.get(kind, b"")
    if size == 0:
        return b""
    return (magic + rng.randbytes(max(0, size - len(magic))))[:size]


def filename_params(ctx, fname):
    """Returns (disposition params, content-type params) carrying `fname` in a random style."""
    rng = ctx.rng
    ascii_name = all(ord(c) < 128 for c in fname)
    styles = ["plain"] if ascii_name else []
    styles += ["rfc2231", "rfc2231-cont"]
    if not ascii_name:
        styles += ["rfc2047", "rfc2047", "raw8"]
    else:
        styles += ["plain", "plain", "rfc2231-cont-plain"]
    style = rng.choice(styles)
    ctx.feature("filename:" + style)

    def quoted(s):
        return b'"' + s.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'

    def render(param):
        if style == "plain":
            raw = fname.encode()
            if all(c not in fname for c in ' ()<>@,;:\\"/[]?=') and rng.random() < 0.4:
                return [param.encode() + b"=" + raw]
            return [param.encode() + b"=" + quoted(raw)]
        if style == "raw8":
            return [param.encode() + b"=" + quoted(fname.encode("utf-8"))]
        if style == "rfc2047":
            cs = "utf-8"
            for c in ["iso-8859-1", "windows-1251", "shift_jis", "gb2312", "koi8-r"]:
                if encodable(fname, c) and rng.random() < 0.3:
                    cs = c
            words = encoded_words(ctx, fname, cs, allow_byte_split=False)
            return [param.encode() + b"=" + quoted(b" ".join(words))]
        # RFC 2231
        cs = "utf-8"
        for c in ["iso-8859-1", "windows-1251", "shift_jis", "euc-kr", "iso-8859-2"]:
            if encodable(fname, c) and rng.random() < 0.25:
                cs = c
        lang = rng.choice(["", "", "en", "ja"])
        raw = fname.encode(codec_of(cs))
        pct = "".join(chr(b) if (chr(b).isalnum() and b < 128) or chr(b) in "-._~" else "%%%02X" % b for b in raw).encode()
        label = (cs if rng.random() < 0.8 else cs.upper()).encode()
        if style == "rfc2231":
            return [param.encode() + b"*=" + label + b"'" + lang.encode() + b"'" + pct]
        if style == "rfc2231-cont-plain":
            raw = fname.encode()
            n = rng.randrange(2, 4)
            step = max(1, len(raw) // n + 1)
            chunks = [raw[i:i + step] for i in range(0, len(raw), step)]
            return [param.encode() + b"*%d=" % i + quoted(c) for i, c in enumerate(chunks)]
        # continuations of a percent-encoded value, never splitting a %XX
        tokens = []
        i = 0
        while i < len(pct):
            if pct[i:i + 1] == b"%":
                tokens.append(pct[i:i + 3])
                i += 3
            else:
                tokens.append(pct[i:i + 1])
                i += 1
        n = rng.randrange(2, 5)
        step = max(1, len(tokens) // n + 1)
        chunks = [b"".join(tokens[i:i + step]) for i in range(0, len(tokens), step)]
        out = []
        for i, c in enumerate(chunks):
            if i == 0:
                out.append(param.encode() + b"*0*=" + label + b"'" + lang.encode() + b"'" + c)
            else:
                out.append(param.encode() + b"*%d*=" % i + c)
        return out

    where = rng.random()
    disp, ct = [], []
    if where < 0.45:
        disp = render("filename")
    elif where < 0.7:
        ct = render("name")
    else:
        disp = render("filename")
        ct = render("name")
    return disp, ct


def join_params(ctx, first, params):
    v = first
    for p in params:
        v += b";\n\t" + p if ctx.rng.random() < 0.5 else b"; " + p
    return v


def attachment_leaf(ctx):
    rng = ctx.rng
    weights = [k[3] for k in ATTACHMENT_KINDS]
    kind, ctype, ext, _ = rng.choices(ATTACHMENT_KINDS, weights)[0]
    size = rand_size(ctx)
    data = attachment_data(ctx, kind, size)
    textual = kind in ("log", "csv", "ics", "htmlfile", "json")
    lang = rng.choice(sorted(FILE_STEMS)) if rng.random() < 0.6 else "en"
    stem = rng.choice(FILE_STEMS[lang]).strip()
    fname = stem + ext
    has_name = rng.random() < 0.9 or not textual
    disp_params, ct_params = filename_params(ctx, fname) if has_name else ([], [])
    if kind in ("png", "jpeg", "gif") and rng.random() < 0.15:
        disp_params, ct_params = [], []  # inline image without a name
    if rng.random() < 0.03:
        ctype = ctype.upper()
    ct_params = ([b'charset="utf-8"'] if textual and rng.random() < 0.5 else []) + ct_params
    headers = [("Content-Type", join_params(ctx, ctype.encode(), ct_params))]
    if textual and rng.random() < 0.5:
        cte = rng.choice(["7bit", "quoted-printable", "base64"] if all(b < 128 for b in data) else ["8bit", "quoted-printable", "base64"])
    else:
        cte = "base64"
    if cte == "base64":
        body = b64_lines(data, rng.choice([76, 76, 76, 64, 72]))
    elif cte == "quoted-printable":
        body = qp_encode(data)
    else:
        body = data
    headers.append(("Content-Transfer-Encoding", cte.encode()))
    r = rng.random()
    if r < 0.75 or disp_params:
        disp = rng.choice([b"attachment", b"attachment", b"attachment", b"inline", b"Attachment"]) if disp_params else b"attachment"
        headers.append(("Content-Disposition", join_params(ctx, disp, disp_params)))
    if rng.random() < 0.2:
        headers.append(("Content-ID", b"<part%d@example.com>" % rng.getrandbits(20)))
    leaf = Leaf(headers, body)
    leaf.cte = cte
    leaf.kind = kind
    return leaf


def image_leaf(ctx):
    rng = ctx.rng
    data = attachment_data(ctx, "png", rng.randrange(64, 8192))
    headers = [("Content-Type", b"image/png"), ("Content-Transfer-Encoding", b"base64"),
               ("Content-ID", b"<img%d@example.com>" % rng.getrandbits(20))]
    if rng.random() < 0.5:
        headers.append(("Content-Disposition", b'inline; filename="image%03d.png"' % rng.randrange(1000)))
    leaf = Leaf(headers, b64_lines(data))
    leaf.cte = "base64"
    leaf.kind = "png"
    return leaf


def rfc822_part(ctx, depth):
    rng = ctx.rng
    inner = build_message(ctx, depth + 1, embedded=True)
    params = [b'name="forwarded.eml"'] if rng.random() < 0.3 else []
    headers = [("Content-Type", join_params(ctx, b"message/rfc822", params))]
    if rng.random() < 0.6:
        headers.append(("Content-Disposition", b'attachment; filename="original message.eml"' if rng.random() < 0.5 else b"inline"))
    return Rfc822(headers, inner)


# ---------------------------------------------------------------------------
# Structure

def multipart(ctx, subtype, children):
    rng = ctx.rng
    b = new_boundary(ctx)
    quoted = rng.random() < 0.7 or any(c in b for c in " '()+,/:=?")
    bval = b'"' + b.encode() + b'"' if quoted else b.encode()
    v = b"multipart/" + (subtype.upper().encode() if rng.random() < 0.03 else subtype.encode())
    v += (b";\n\tboundary=" if rng.random() < 0.5 else b"; boundary=") + bval
    if subtype == "related" and rng.random() < 0.5:
        v += b'; type="multipart/alternative"'
    m = Multipart([("Content-Type", v)], subtype, b.encode(), children)
    if rng.random() < 0.3:
        m.preamble = b"This is a multi-part message in MIME format."
    if rng.random() < 0.15:
        m.epilogue = b"epilogue text\n"
    if rng.random() < 0.05:
        m.padding = b"  "
    return m


def alternative(ctx):
    cs = pick_charset(ctx)
    kids = [text_leaf(ctx, "plain", cs), text_leaf(ctx, "html", cs)]
    if ctx.rng.random() < 0.05:
        kids.reverse()
        ctx.feature("alternative-html-first")
    return multipart(ctx, "alternative", kids)


def random_tree(ctx, depth, max_depth, allow_rfc822):
    rng = ctx.rng
    if depth >= max_depth or rng.random() < 0.35 + 0.1 * depth:
        r = rng.random()
        if r < 0.35:
            return text_leaf(ctx, "plain")
        if r < 0.5:
            return text_leaf(ctx, "html")
        if r < 0.58 and allow_rfc822:
            return rfc822_part(ctx, depth)
        return attachment_leaf(ctx)
    sub = rng.choice(["mixed", "mixed", "alternative", "related"])
    kids = [random_tree(ctx, depth + 1, max_depth, allow_rfc822) for _ in range(rng.randrange(1, 5))]
    return multipart(ctx, sub, kids)


def build_root(ctx, depth, embedded):
    rng = ctx.rng
    atts = lambda lo, hi: [attachment_leaf(ctx) for _ in range(rng.randrange(lo, hi))]
    allow_rfc822 = depth < 2
    templates = [
        ("single-plain", 22), ("single-html", 5), ("single-attachment", 2), ("alt", 14),
        ("mixed", 14), ("mixed-alt", 14), ("related", 7), ("continuation", 6),
        ("forward", 5 if allow_rfc822 else 0), ("random", 11),
    ]
    if embedded:
        templates = [(n, w) for n, w in templates if n not in ("related",)]
    t = rng.choices([n for n, _ in templates], [w for _, w in templates])[0]
    if not embedded:
        ctx.feature("shape:" + t)
    if t == "single-plain":
        return text_leaf(ctx, "plain")
    if t == "single-html":
        return text_leaf(ctx, "html")
    if t == "single-attachment":
        return attachment_leaf(ctx)
    if t == "alt":
        return alternative(ctx)
    if t == "mixed":
        return multipart(ctx, "mixed", [text_leaf(ctx, "plain")] + atts(1, 4))
    if t == "mixed-alt":
        return multipart(ctx, "mixed", [alternative(ctx)] + atts(1, 4))
    if t == "related":
        rel = multipart(ctx, "related", [alternative(ctx)] + [image_leaf(ctx) for _ in range(rng.randrange(1, 3))])
        return multipart(ctx, "mixed", [rel] + atts(0, 3)) if rng.random() < 0.7 else rel
    if t == "continuation":
        kids = []
        for _ in range(rng.randrange(2, 4)):
            kids.append(text_leaf(ctx, "plain"))
            kids += atts(0, 2)
        if rng.random() < 0.3:
            kids.append(alternative(ctx))
        return multipart(ctx, "mixed", kids)
    if t == "forward":
        return multipart(ctx, "mixed", [text_leaf(ctx, "plain"), rfc822_part(ctx, depth)] + atts(0, 2))
    return random_tree(ctx, 1, 5, allow_rfc822)


def build_message(ctx, depth=0, embedded=False, damaged=()):
    rng = ctx.rng
    raw8 = "8bit-header" in damaged
    from_raw8 = raw8 and rng.random() < 0.5
    headers = []
    if rng.random() < 0.03 and not embedded:
        headers.append(("Return-Path", b"<bounce@example.com>"))
        headers.append(("Received", b"from mx.example.org (mx.example.org [192.0.2.1])\n\tby mail.example.com with ESMTPS id abc123;\n\t" + date_value(ctx)))
    headers.append(("From", mailbox(ctx, allow_raw8=from_raw8)))
    tos = [mailbox(ctx) for _ in range(rng.randrange(1, 4))]
    headers.append(("To", b",\n ".join(tos) if rng.random() < 0.5 else b", ".join(tos)))
    if rng.random() < 0.3:
        headers.append(("Cc", b", ".join(mailbox(ctx) for _ in range(rng.randrange(1, 3)))))
    if rng.random() < 0.97:
        headers.append(("Subject", subject_value(ctx, allow_raw8=raw8 and not from_raw8)))
    headers.append(("Date", date_value(ctx)))
    headers.append(("Message-ID", msg_id(ctx)))
    if rng.random() < 0.3:
        parent = msg_id(ctx)
        headers.append(("In-Reply-To", parent))
        headers.append(("References", msg_id(ctx) + b"\n " + parent))
    if rng.random() < 0.9:
        headers.append(("MIME-Version", b"1.0"))
    if rng.random() < 0.1:
        rng.shuffle(headers)
    root = build_root(ctx, depth, embedded)
    return Message(headers, root)


# ---------------------------------------------------------------------------
# Serialization

def fold_value(name, value):
    return name.encode() + b": " + value


def ser_headers(headers):
    return b"\n".join(fold_value(n, v) for n, v in headers) + b"\n"


def ser_entity(e):
    """Serialized entity with "\n" line breaks: headers, blank line, body."""
    if isinstance(e, Leaf):
        return ser_headers(e.headers) + b"\n" + e.body
    if isinstance(e, Rfc822):
        return ser_headers(e.headers) + b"\n" + ser_message(e.message)
    out = ser_headers(e.headers) + b"\n"
    if e.preamble is not None:
        out += e.preamble + b"\n"
    for child in e.children:
        out += b"--" + e.boundary + e.padding + b"\n" + ser_entity(child) + b"\n"
    if not e.no_close:
        out += b"--" + e.boundary + b"--" + e.padding + b"\n"
        if e.epilogue:
            out += e.epilogue
    return out


def ser_message(m):
    root = m.root
    body = ser_entity(root)
    # Top-level headers come first, then the root entity's MIME headers.
    return ser_headers(m.headers) + body


# ---------------------------------------------------------------------------
# Damage

def leaves(e):
    if isinstance(e, Leaf):
        yield e
    elif isinstance(e, Multipart):
        for c in e.children:
            yield from leaves(c)


def multiparts(e):
    if isinstance(e, Multipart):
        yield e
        for c in e.children:
            yield from multiparts(c)


DAMAGE_KINDS = [
    "truncated-base64", "missing-padding", "base64-garbage", "bad-qp", "missing-close-boundary",
    "bare-lf", "header-no-colon", "8bit-header", "duplicate-headers", "long-line",
]


def damage_model(ctx, msg, kinds):
    rng = ctx.rng
    all_leaves = list(leaves(msg.root))
    b64 = [l for l in all_leaves if l.cte == "base64"]
    qp = [l for l in all_leaves if l.cte == "quoted-printable"]
    mps = list(multiparts(msg.root))
    for k in kinds:
        if k == "truncated-base64" and b64:
            l = rng.choice(b64)
            flat = l.body.replace(b"\n", b"")
            if len(flat) > 2:
                cut = rng.randrange(1, len(flat))
                l.body = b64_cut(l.body, cut)
                ctx.damage.append("truncated-base64:%d" % (cut % 4))
        elif k == "missing-padding" and b64:
            padded = [l for l in b64 if l.body.endswith(b"=")]
            if padded:
                l = rng.choice(padded)
                l.body = l.body.rstrip(b"=")
                ctx.damage.append(k)
        elif k == "base64-garbage" and b64:
            l = rng.choice(b64)
            body = bytearray(l.body)
            chars = [b"!", b"*", b"#", b"~", b".", b"\xff", b"\x00", b"-", b"_", b"^"]
            used = []
            for _ in range(rng.randrange(1, 6)):
                c = rng.choice(chars)
                used.append(c.decode("latin-1"))
                pos = rng.randrange(0, len(body) + 1)
                body[pos:pos] = c
            l.body = bytes(body)
            ctx.damage.append("base64-garbage:" + "".join(sorted(set(used))).encode("unicode_escape").decode())
        elif k == "bad-qp" and qp:
            l = rng.choice(qp)
            body = bytearray(l.body)
            bad = rng.choice([b"=ZZ", b"=G1", b"= x", b"=e9", b"=3", b"=  \n", b"=\t\n"])
            # after a space or at a line start: never inside an existing escape, nor
            # inside an ISO-2022-JP escape sequence (its text would be lost either way)
            spots = [i + 1 for i, c in enumerate(body) if c in (0x20, 0x0A)] or [len(body)]
            pos = rng.choice(spots)
            body[pos:pos] = bad
            l.body = bytes(body)
            ctx.damage.append("bad-qp:" + bad.decode().replace("\n", "\\n").replace("\t", "\\t"))
        elif k == "missing-close-boundary" and mps:
            m = rng.choice(mps)
            m.no_close = True
            ctx.damage.append("missing-close-boundary:" + ("top" if m is msg.root else "nested"))
        elif k == "long-line":
            if rng.random() < 0.5:
                words = " ".join(sentence(ctx, "en") for _ in range(rng.randrange(20, 60)))
                msg.headers = [(n, v) for n, v in msg.headers if n != "Subject"] + [("Subject", words.encode())]
                ctx.damage.append("long-line:subject")
            else:
                texts = [l for l in all_leaves if l.cte in ("7bit", "8bit", None) and (l.kind or "").startswith("text/plain")]
                if texts:
                    l = rng.choice(texts)
                    line = b" ".join(sentence(ctx, "en").encode() for _ in range(rng.randrange(20, 120)))
                    l.body = l.body + b"\n" + line + b"\n"
                    ctx.damage.append("long-line:body")
        elif k == "duplicate-headers":
            name = rng.choice(["Subject", "From", "Date", "Message-ID", "To"])
            if name == "Subject":
                v = subject_value(ctx)
            elif name == "From":
                v = mailbox(ctx)
            elif name == "Date":
                v = date_value(ctx)
            elif name == "Message-ID":
                v = msg_id(ctx)
            else:
                v = mailbox(ctx)
            msg.headers.insert(rng.randrange(len(msg.headers) + 1), (name, v))
            ctx.damage.append("duplicate-headers:" + name)


def b64_cut(body, n_chars):
    """Keeps the first n_chars base64 characters of a line-broken body."""
    out = bytearray()
    count = 0
    for b in body:
        if b != 10:
            if count == n_chars:
                break
            count += 1
        out.append(b)
    return bytes(out).rstrip(b"\n")


def damage_bytes(ctx, data, kinds):
    rng = ctx.rng
    for k in kinds:
        if k == "header-no-colon":
            head_end = data.find(b"\n\n")
            lines = data[:head_end].split(b"\n")
            # insert after the first header line, never inside a folded header
            positions = [i for i in range(1, len(lines)) if lines[i][:1] not in (b" ", b"\t")]
            if positions:
                pos = rng.choice(positions)
                junk = rng.choice([b"This line has no colon", b"X-Broken-Header value", b"garbage", b"Mailer Outlook 16.0"])
                lines.insert(pos, junk)
                data = b"\n".join(lines) + data[head_end:]
                ctx.damage.append(k)
    return data


def to_line_endings(ctx, data, kinds):
    if ctx.nl == b"\n":
        return data
    if "bare-lf" in kinds:
        rng = ctx.rng
        out = bytearray()
        frac = rng.choice([0.02, 0.1, 0.5])
        for piece in data.split(b"\n")[:-1]:
            out += piece + (b"\n" if rng.random() < frac else b"\r\n")
        out += data.split(b"\n")[-1]
        ctx.damage.append("bare-lf")
        return bytes(out)
    return data.replace(b"\n", b"\r\n")


# ---------------------------------------------------------------------------

def generate_one(seed, index):
    rng = random.Random(f"fairdesk-corpus-{seed}-{index}")
    nl = b"\r\n" if rng.random() < 0.5 else b"\n"
    ctx = Ctx(rng, nl)
    kinds = []
    if rng.random() < 0.3:
        kinds = rng.sample(DAMAGE_KINDS, rng.choice([1, 1, 1, 2]))
        if "bare-lf" in kinds and nl == b"\n":
            kinds.remove("bare-lf")
    msg = build_message(ctx, damaged=kinds)
    damage_model(ctx, msg, kinds)
    data = ser_message(msg)
    data = damage_bytes(ctx, data, kinds)
    data = to_line_endings(ctx, data, kinds)
    info = {"line_endings": "CRLF" if nl == b"\r\n" else "LF", "damage": ctx.damage, "features": ctx.features}
    return data, info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    manifest = {"seed": args.seed, "count": args.count, "files": {}}
    width = max(5, len(str(args.count - 1)))
    for i in range(args.count):
        data, info = generate_one(args.seed, i)
        name = f"msg-{i:0{width}d}.eml"
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        manifest["files"][name] = info
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
