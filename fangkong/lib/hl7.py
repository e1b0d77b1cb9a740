"""HL7 version 2 messages in ER7, the pipe-and-hat encoding (no Django).

A body may hold several messages, each beginning with its MSH segment, with segments ended by
CR, LF or CR LF (the standard says CR; files and HTTP clients often send LF) and optionally
wrapped in MLLP frame characters. Each message declares its own separators in MSH-1 and
MSH-2, so they are read per message and never assumed. Values are split into repetitions,
components and subcomponents first and unescaped afterwards, so an escaped separator (\\F\\,
\\S\\ ...) stays text. Batch envelopes (FHS, BHS, BTS, FTS) are skipped.

`build_ack` writes the original-mode acknowledgement (MSH, MSA, ERR) for one message.
"""

import datetime
import re
from dataclasses import dataclass, field

SEGMENT_BREAK = re.compile(r"\r\n|\r|\n")
SEGMENT_NAME = re.compile(r"^[A-Z][A-Z0-9]{2}$")
MLLP_CHARS = "\x0b\x1c"
BATCH_SEGMENTS = ("FHS", "BHS", "BTS", "FTS")
# DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]
_DTM = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?"
                  r"(?:([+-])(\d{2})(\d{2}))?$")
PRECISION = {"year": 4, "month": 6, "day": 8, "hour": 10, "minute": 12, "second": 14}


class HL7Error(ValueError):
    """Text that is not an HL7 v2 message in ER7."""


@dataclass(frozen=True)
class Encoding:
    """The separators a message declares: MSH-1 and the characters of MSH-2."""

    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"
    truncation: str = ""  # v2.7 added a fifth character; 2.5.1 messages have four

    @property
    def characters(self) -> str:
        """MSH-2 as written."""
        return self.component + self.repetition + self.escape + self.subcomponent + \
            self.truncation

    @classmethod
    def of_header(cls, line: str) -> "Encoding":
        if len(line) < 8 or not line.startswith("MSH"):
            raise HL7Error("the message does not begin with an MSH segment")
        separator = line[3]
        characters = line[4:].split(separator, 1)[0]
        declared = separator + characters
        if (separator.isalnum() or separator.isspace() or len(characters) not in (4, 5)
                or len(set(declared)) != len(declared)
                or any(c.isalnum() or c.isspace() for c in characters)):
            raise HL7Error("MSH-1 and MSH-2 do not declare distinct separator characters")
        return cls(separator, characters[0], characters[1], characters[2], characters[3],
                   characters[4:])

    def unescape(self, text: str) -> str:
        """Resolve escape sequences; an unknown or unterminated one is left as written."""
        esc = self.escape
        if not esc or esc not in text:
            return text
        out, position = [], 0
        while True:
            start = text.find(esc, position)
            if start < 0:
                out.append(text[position:])
                return "".join(out)
            end = text.find(esc, start + 1)
            if end < 0:
                out.append(text[position:])
                return "".join(out)
            out.append(text[position:start])
            out.append(self._sequence(text[start + 1:end], text[start:end + 1]))
            position = end + 1

    def _sequence(self, code: str, written: str) -> str:
        simple = {"F": self.field, "S": self.component, "T": self.subcomponent,
                  "R": self.repetition, "E": self.escape, "P": self.truncation}
        if code in simple:
            return simple[code]
        if code == ".br":
            return "\n"
        if code in ("H", "N") or code.startswith((".", "C", "M")):
            return ""  # highlighting, formatting and character-set switches carry no text
        if code.startswith("X") and re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", code[1:]):
            return bytes.fromhex(code[1:]).decode("utf-8", errors="replace")
        return written

    def escape_text(self, text: str) -> str:
        """Text made safe to place in a field: separators and line ends escaped."""
        esc = self.escape
        text = str(text).replace(esc, f"{esc}E{esc}")
        for char, code in ((self.field, "F"), (self.component, "S"),
                           (self.subcomponent, "T"), (self.repetition, "R"),
                           (self.truncation, "P")):
            if char:
                text = text.replace(char, f"{esc}{code}{esc}")
        line_break = f"{esc}.br{esc}"
        return SEGMENT_BREAK.sub(lambda _match: line_break, text)


@dataclass
class Segment:
    """One segment; `fields[n]` is field n as written (HL7 numbering, `fields[0]` the name).
    For MSH, `fields[1]` is the field separator and `fields[2]` the encoding characters."""

    name: str
    fields: list[str]
    encoding: Encoding
    number: int = 0  # position in its message, from 1
    occurrence: int = 1  # the how-manieth segment of this name in its message (ERR-2)

    def raw(self, n: int) -> str:
        return self.fields[n] if 0 <= n < len(self.fields) else ""

    def repetitions(self, n: int) -> list[str]:
        """The repetitions of field n as written (escaped)."""
        if self.name == "MSH" and n in (1, 2):
            return [self.raw(n)]
        text = self.raw(n)
        return text.split(self.encoding.repetition) if text else []

    def components(self, n: int, repetition: int = 0) -> list[str]:
        """The unescaped components of field n (first subcomponent of each)."""
        reps = self.repetitions(n)
        if repetition >= len(reps):
            return []
        enc = self.encoding
        return [enc.unescape(part.split(enc.subcomponent)[0])
                for part in reps[repetition].split(enc.component)]

    def value(self, n: int, component: int = 1, subcomponent: int = 1,
              repetition: int = 0) -> str:
        """One unescaped value of field n, by HL7 numbering (components from 1)."""
        if self.name == "MSH" and n in (1, 2):
            return self.raw(n)
        reps = self.repetitions(n)
        if repetition >= len(reps):
            return ""
        parts = reps[repetition].split(self.encoding.component)
        if component > len(parts):
            return ""
        subs = parts[component - 1].split(self.encoding.subcomponent)
        if subcomponent > len(subs):
            return ""
        return self.encoding.unescape(subs[subcomponent - 1]).strip()


@dataclass
class Message:
    segments: list[Segment]
    encoding: Encoding

    @property
    def header(self) -> Segment:
        return self.segments[0]

    def all(self, name: str) -> list[Segment]:
        return [s for s in self.segments if s.name == name]

    def first(self, name: str) -> Segment | None:
        return next((s for s in self.segments if s.name == name), None)

    @property
    def message_type(self) -> tuple[str, str, str]:
        """MSH-9: message code, trigger event, message structure."""
        return (self.header.value(9, 1), self.header.value(9, 2), self.header.value(9, 3))

    @property
    def control_id(self) -> str:
        return self.header.value(10)

    @property
    def processing_id(self) -> str:
        return self.header.value(11)

    @property
    def version(self) -> str:
        return self.header.value(12)


def decode(data: bytes) -> str:
    """The body as text: UTF-8, else GB18030 (what Chinese laboratory systems write)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def split_messages(text: str) -> list[list[str]]:
    """The segment lines of each message in a body, in order. Lines before the first MSH
    form a message of their own, so the caller can refuse it as one."""
    messages: list[list[str]] = []
    for line in SEGMENT_BREAK.split(text.strip(MLLP_CHARS + "\r\n\t ")):
        line = line.strip(MLLP_CHARS)
        if not line.strip() or line[:3] in BATCH_SEGMENTS:
            continue
        if line.startswith("MSH") or not messages:
            messages.append([line])
        else:
            messages[-1].append(line)
    return messages


def parse_message(lines: list[str]) -> Message:
    encoding = Encoding.of_header(lines[0])
    segments, seen = [], {}
    for number, line in enumerate(lines, start=1):
        fields = line.split(encoding.field)
        name = fields[0]
        if not SEGMENT_NAME.match(name):
            raise HL7Error(f"segment {number} has no valid segment name: {line[:20]!r}")
        if name == "MSH":
            if number > 1:
                raise HL7Error(f"segment {number} is a second MSH")
            fields = ["MSH", encoding.field, *fields[1:]]
        seen[name] = seen.get(name, 0) + 1
        segments.append(Segment(name, fields, encoding, number, seen[name]))
    return Message(segments, encoding)


def parse_messages(text: str) -> list[Message | HL7Error]:
    """Every message of a body, or the reason it could not be read, in order."""
    out: list[Message | HL7Error] = []
    for lines in split_messages(text):
        try:
            out.append(parse_message(lines))
        except HL7Error as error:
            out.append(error)
    return out


def parse_dtm(text: str, default_tz: datetime.tzinfo, *,
              least: str = "minute") -> datetime.datetime:
    """An HL7 DTM (or the first component of a TS) as an aware datetime; without an offset
    the time is taken in `default_tz`. Refuses a value less precise than `least`."""
    match = _DTM.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    digits = len("".join(p for p in (year, month, day, hour, minute, second) if p))
    if digits < PRECISION[least]:
        raise ValueError(text)
    tz = default_tz
    if sign:
        offset = datetime.timedelta(hours=int(off_h), minutes=int(off_m))
        tz = datetime.timezone(-offset if sign == "-" else offset)
    micro = int((fraction or "0").ljust(6, "0")[:6])
    return datetime.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                             int(minute or 0), int(second or 0), micro, tzinfo=tz)


def format_dtm(moment: datetime.datetime) -> str:
    """YYYYMMDDHHMMSS+ZZZZ."""
    return moment.strftime("%Y%m%d%H%M%S%z")


def segment(name: str, fields: list, encoding: Encoding) -> str:
    """A segment from its fields; a field given as a list is joined as components, and
    every value is escaped. (MSH is written by `build_ack`: its MSH-2 is never escaped.)"""
    parts = [name]
    for value in fields:
        if isinstance(value, (list, tuple)):
            parts.append(encoding.component.join(encoding.escape_text(v) for v in value))
        else:
            parts.append(encoding.escape_text(value if value is not None else ""))
    return encoding.field.join(parts).rstrip(encoding.field)


@dataclass
class AckError:
    """One ERR segment: an HL7 table 0357 code, where (ERR-2: segment, sequence, field) and
    what to tell the sender."""

    code: str
    text: str
    location: tuple = ()
    severity: str = "E"


CODE_NAMES = {"0": "Message accepted", "100": "Segment sequence error",
              "101": "Required field missing", "102": "Data type error",
              "103": "Table value not found", "200": "Unsupported message type",
              "201": "Unsupported event code", "202": "Unsupported processing id",
              "203": "Unsupported version id", "204": "Unknown key identifier",
              "205": "Duplicate key identifier", "207": "Application internal error"}


@dataclass
class Ack:
    code: str  # AA accepted, AE error, AR rejected
    text: str = ""
    errors: list[AckError] = field(default_factory=list)


def build_ack(message: Message | None, ack: Ack, *, control_id: str, now: datetime.datetime,
              application: str, facility: str = "", version: str = "2.5.1") -> str:
    """The acknowledgement of `message` (None when it could not even be read), with the
    sender's separators and its sending application as the receiver."""
    encoding = message.encoding if message else Encoding()
    header = message.header if message else None

    def theirs(n):
        return header.components(n) if header else [""]

    trigger = header.value(9, 2) if header else ""
    rest = segment("MSH", [
        application, facility, theirs(3), theirs(4), format_dtm(now), "",
        ["ACK", trigger, "ACK"], control_id, (header.value(11) if header else "") or "P",
        version], encoding)
    msh = "MSH" + encoding.field + encoding.characters + rest[3:]
    lines = [msh, segment("MSA", [ack.code, message.control_id if message else "",
                                  ack.text[:80]], encoding)]
    for error in ack.errors:
        lines.append(segment("ERR", [
            "", list(error.location), [error.code, CODE_NAMES.get(error.code, ""), "HL70357"],
            error.severity, "", "", "", error.text], encoding))
    return "\r".join(lines) + "\r"
