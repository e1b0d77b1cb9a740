"""Laboratory results as HL7 v2.5.1 ORU^R01 messages, and the ACKs we answer with.

One message carries one tube: its specimen ID (SPM-2, else the filler order number OBR-3),
one OBX with LOINC 94500-6 (SARS-CoV-2 RNA [Presence] in Respiratory specimen by NAA with
probe detection) whose coded value is a SNOMED CT qualifier, and the Ct values as numeric
OBX where the laboratory sends them. Each message becomes a `ResultRow` (line "message N")
or problems of its own; like a file, a body is recorded all or nothing, and every message
gets an acknowledgement: AA accepted, AR rejected (not a message we take: type, version,
processing ID, or not recorded because others were refused), AE errors in its content.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.lib import hl7
from fangkong.testing.models import TubeResult
from fangkong.testing.result_rules import ResultRow, parse_ct

TZ = ZoneInfo("Asia/Shanghai")  # an HL7 time without an offset is Shuozhou time
APPLICATION = "FANGKONG"
VERSION = "2.5.1"
SARS_COV_2_NAA = "94500-6"
LOINC_SYSTEMS = ("LN", "")
SNOMED_SYSTEMS = ("SCT", "SNM", "SNOMED", "SNOMEDCT", "")
FINAL_STATUSES = ("F", "C")  # OBX-11: final, or a correction of it
# SNOMED CT qualifier values (the CDC/APHL COVID-19 value set; the EU DCC uses the first two).
RESULT_CODES = {
    "260373001": TubeResult.POSITIVE,   # Detected (qualifier value)
    "260415000": TubeResult.NEGATIVE,   # Not detected (qualifier value)
    "419984006": TubeResult.RESAMPLE,   # Inconclusive (qualifier value): sample again
}
# LOINC [Cycle Threshold #] terms by target (checked against loinc.org and the HL7 COVID-19
# FHIR profile library, LOINC 2.72). The CDC N1/N2 primer-set terms (94311-8, 94312-6) are
# left out: a laboratory sending both would give two N values.
CT_CODES = {
    "94644-2": "ct_orf1ab",  # ORF1ab region, Respiratory specimen
    "94511-3": "ct_orf1ab",  # ORF1ab region, unspecified specimen
    "96899-0": "ct_orf1ab",  # ORF1ab region, oropharyngeal wash
    "94510-5": "ct_n",       # N gene, unspecified specimen
    "96898-2": "ct_n",       # N gene, oropharyngeal wash
}
# Local OBX-3 codes (any coding system but LN) that Chinese laboratory systems send for the
# two targets of the national kits; compared without regard to case.
LOCAL_CT_CODES = {
    "ORF1AB": "ct_orf1ab", "ORF1AB-CT": "ct_orf1ab", "ORF1AB_CT": "ct_orf1ab",
    "CT-ORF1AB": "ct_orf1ab", "N": "ct_n", "N-CT": "ct_n", "N_CT": "ct_n", "CT-N": "ct_n",
}
# Where a problem the results service names by field lies in a message (ERR-2) and its
# HL7 table 0357 code.
SERVICE_CODES = {"barcode": "204", "result": "207", "ct_orf1ab": "207", "ct_n": "207",
                 "tested_at": "207"}


def message_label(number: int) -> str:
    return _("message %(n)s") % {"n": number}


@dataclass
class Received:
    """One message of a body: what it said, the row it gave, and what was wrong with it."""

    number: int
    message: hl7.Message | None
    row: ResultRow | None = None
    problems: list[dict] = field(default_factory=list)
    errors: list[hl7.AckError] = field(default_factory=list)
    rejected: bool = False  # AR: not a message we take, rather than one with bad content
    specimen: str = ""
    locations: dict[str, tuple] = field(default_factory=dict)

    @property
    def line(self) -> str:
        return message_label(self.number)

    def refuse(self, where: str, message: str, code: str, location: tuple = (),
               reject: bool = False) -> None:
        self.problems.append({"line": self.line, "barcode": self.specimen,
                              "field": where, "message": message})
        self.errors.append(hl7.AckError(code, message, location))
        self.rejected = self.rejected or reject


@dataclass
class Upload:
    received: list[Received]

    @property
    def rows(self) -> list[ResultRow]:
        return [r.row for r in self.received if r.row is not None]

    @property
    def problems(self) -> list[dict]:
        return [p for r in self.received for p in r.problems]


def read_oru(body: bytes | str) -> Upload:
    """Every message of a body read into a row, or refused with its reasons."""
    text = hl7.decode(body) if isinstance(body, bytes) else body
    parsed = hl7.parse_messages(text)
    if not parsed:
        empty = Received(1, None)
        empty.refuse("MSH", _("The body holds no HL7 message."), "100", ("MSH",), reject=True)
        return Upload([empty])
    received = []
    for number, item in enumerate(parsed, start=1):
        if isinstance(item, hl7.HL7Error):
            one = Received(number, None)
            one.refuse("MSH", _("This is not an HL7 v2 message (%(reason)s).")
                       % {"reason": item}, "100", ("MSH",), reject=True)
        else:
            one = Received(number, item)
            _read(one)
        received.append(one)
    return Upload(received)


def _read(one: Received) -> None:
    message = one.message
    if not _header_ok(one, message):
        return
    one.specimen = _specimen_id(one, message)
    result_obx, cts, obr = _observations(one, message)
    if result_obx is None:
        one.refuse("OBX-3", _("No SARS-CoV-2 observation: an OBX with LOINC %(code)s is "
                              "required.") % {"code": SARS_COV_2_NAA}, "100", ("OBX",))
        return
    result = _result(one, result_obx)
    tested_at = _tested_at(one, result_obx, obr)
    if one.specimen and result and tested_at and not one.problems:
        one.row = ResultRow(line=one.line, barcode=one.specimen, result=result,
                            ct_orf1ab=cts.get("ct_orf1ab"), ct_n=cts.get("ct_n"),
                            tested_at=tested_at)


def _header_ok(one: Received, message: hl7.Message) -> bool:
    code, trigger, _structure = message.message_type
    if (code, trigger) != ("ORU", "R01"):
        one.refuse("MSH-9", _("The message type is %(type)s; only ORU^R01 (observation "
                              "results) is taken here.") % {"type": f"{code}^{trigger}"},
                   "200" if code != "ORU" else "201", ("MSH", "1", "9"), reject=True)
        return False
    if message.version != VERSION:
        one.refuse("MSH-12", _("HL7 version %(version)s is not taken: send version "
                               "%(wanted)s.") % {"version": message.version or "—",
                                                  "wanted": VERSION},
                   "203", ("MSH", "1", "12"), reject=True)
        return False
    if message.processing_id != "P":
        one.refuse("MSH-11", _("Processing ID %(id)s: only production messages (P) are "
                               "recorded.") % {"id": message.processing_id or "—"},
                   "202", ("MSH", "1", "11"), reject=True)
        return False
    return True


def _loinc(obx: hl7.Segment) -> str:
    parts = obx.components(3) + [""] * 6
    for code, system in ((parts[0], parts[2]), (parts[3], parts[5])):
        if code and system.upper() in LOINC_SYSTEMS:
            return code
    return ""


def _local_target(obx: hl7.Segment) -> str | None:
    parts = obx.components(3) + [""] * 3
    if parts[2].upper() == "LN":
        return None
    return LOCAL_CT_CODES.get(parts[0].strip().upper())


def _observations(one, message) -> tuple[hl7.Segment | None, dict, hl7.Segment | None]:
    """The result OBX, the Ct values by target, and the OBR above the result."""
    result_obx, result_obr, obr, cts = None, None, None, {}
    for seg in message.segments:
        if seg.name == "OBR":
            obr = seg
        if seg.name != "OBX":
            continue
        code = _loinc(seg)
        target = CT_CODES.get(code) or _local_target(seg)
        if code == SARS_COV_2_NAA:
            if result_obx is not None:
                one.refuse("OBX-3", _("Several SARS-CoV-2 results in one message: send one "
                                      "specimen per message."), "205",
                           ("OBX", str(seg.occurrence), "3"))
            result_obx, result_obr = seg, obr
        elif target:
            _ct(one, seg, target, cts)
    return result_obx, cts, result_obr


def _ct(one: Received, obx: hl7.Segment, target: str, cts: dict) -> None:
    where = ("OBX", str(obx.occurrence), "5")
    label = {"ct_orf1ab": "ORF1ab", "ct_n": "N"}[target]
    kind = obx.value(2)
    text = obx.value(5, 2) if kind == "SN" and not obx.value(5, 1) else obx.value(5)
    try:
        value = parse_ct(text)
    except ValueError:
        one.refuse("OBX-5", _("The %(target)s Ct value %(value)s is not a number.")
                   % {"target": label, "value": obx.raw(5)}, "102", where)
        return
    if target in cts:
        one.refuse("OBX-3", _("Two %(target)s Ct values in one message.") % {"target": label},
                   "205", ("OBX", str(obx.occurrence), "3"))
        return
    cts[target] = value
    one.locations[target] = where


def _specimen_id(one: Received, message: hl7.Message) -> str:
    spm, obr = message.first("SPM"), message.first("OBR")
    for seg, n, components, location in ((spm, 2, (1, 2), ("SPM", "1", "2")),
                                         (obr, 3, (1,), ("OBR", "1", "3"))):
        for component in components:
            value = seg.value(n, component) if seg else ""
            if value:
                one.locations["barcode"] = location
                return value
    one.refuse("SPM-2", _("The specimen (tube) ID is missing: send it in SPM-2, or as the "
                          "filler order number in OBR-3."), "101", ("SPM", "1", "2"))
    return ""


def _result(one: Received, obx: hl7.Segment) -> str | None:
    where = ("OBX", str(obx.occurrence), "5")
    one.locations["result"] = where
    status = obx.value(11)
    if status not in FINAL_STATUSES:
        one.refuse("OBX-11", _("Result status %(status)s: only final results (F, or C for a "
                               "correction) are recorded.") % {"status": status or "—"},
                   "103", ("OBX", str(obx.occurrence), "11"))
    parts = obx.components(5) + [""] * 6
    for code, system in ((parts[0], parts[2]), (parts[3], parts[5])):
        if code in RESULT_CODES and system.upper() in SNOMED_SYSTEMS:
            return RESULT_CODES[code]
    one.refuse("OBX-5", _("Unknown result code %(code)s: send SNOMED CT 260373001 (Detected), "
                          "260415000 (Not detected) or 419984006 (Inconclusive).")
               % {"code": parts[0] or "—"}, "103", where)
    return None


def _tested_at(one: Received, obx: hl7.Segment,
               obr: hl7.Segment | None) -> datetime.datetime | None:
    """OBX-19 (date/time of the analysis), else OBX-14 (of the observation), else OBR-7."""
    for seg, n, name in ((obx, 19, "OBX"), (obx, 14, "OBX"), (obr, 7, "OBR")):
        text = seg.value(n) if seg else ""
        if not text:
            continue
        location = (name, str(seg.occurrence), str(n))
        one.locations["tested_at"] = location
        try:
            return hl7.parse_dtm(text, TZ)
        except ValueError:
            one.refuse(f"{name}-{n}", _("The test time %(value)s is not an HL7 date and time "
                                        "to the minute (YYYYMMDDHHMM[SS][+ZZZZ]).")
                       % {"value": text}, "102", location)
            return None
    one.refuse("OBX-19", _("The test time is missing: send it in OBX-19, OBX-14 or OBR-7."),
               "101", ("OBX", str(obx.occurrence), "19"))
    return None


def refuse_all(upload: Upload, where: str, message: str) -> Upload:
    """Every message rejected for a reason outside them (the laboratory is not the
    caller's)."""
    for one in upload.received:
        one.row = None
        one.refuse(where, message, "204", ("MSH", "1", "6"), reject=True)
    return upload


# --- acknowledgements ---------------------------------------------------------------------

def acknowledge(upload: Upload, *, recorded: bool, refused: list[dict] | None = None,
                now: datetime.datetime | None = None, facility: str = "") -> str:
    """One ACK per message. `refused` holds the results service's problems (by line) when
    it refused rows that read well; `recorded` says whether the body was recorded."""
    now = timezone.localtime(now or timezone.now())
    by_line: dict[str, list[dict]] = {}
    for problem in refused or []:
        by_line.setdefault(problem["line"], []).append(problem)
    out = []
    for number, one in enumerate(upload.received, start=1):
        ack = _ack_of(one, by_line.get(one.line, []), recorded)
        control_id = f"{now:%Y%m%d%H%M%S}{number:04d}"
        out.append(hl7.build_ack(one.message, ack, control_id=control_id, now=now,
                                 application=APPLICATION, facility=facility))
    return "".join(out)


def _ack_of(one: Received, service_problems: list[dict], recorded: bool) -> hl7.Ack:
    if one.errors:
        return hl7.Ack("AR" if one.rejected else "AE", one.errors[0].text, list(one.errors))
    if service_problems:
        errors = [hl7.AckError(SERVICE_CODES.get(p["field"], "207"), p["message"],
                               one.locations.get(p["field"], ())) for p in service_problems]
        return hl7.Ack("AE", errors[0].text, errors)
    if recorded:
        return hl7.Ack("AA")
    return hl7.Ack("AR", _("Not recorded: other messages of this upload were refused."), [
        hl7.AckError("207", _("Nothing of this upload was recorded because other messages "
                              "in it were refused: send it again with them corrected."))])
