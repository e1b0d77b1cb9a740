"""What the laboratory tests share: tubes ready for a laboratory (each with a person of its
own, made through the services), result files as the laboratories write them, and
ORU^R01 messages built field by field."""

import datetime
from pathlib import Path

from fangkong.lib import idnumber
from fangkong.people.services import person_create
from fangkong.testing import services
from fangkong.testing.tests.util import at

DATA = Path(__file__).resolve().parent / "data"
HEADER_ZH = "试管编码,检测结果,ORF1ab Ct,N Ct,检测时间"
_sequence = iter(range(100, 999))


def person(t, name="测试"):
    c = t.cast
    return person_create(acting_user=c.admin, name=name, household=c.h201,
                         id_number=idnumber.make("140602", datetime.date(1990, 1, 1),
                                                 next(_sequence)))


def tube(t, barcode, people=None, *, closed=None, received=None, lab=None, user=None):
    """A tube sampled at the 文远 site at 9:00 and closed (at 10:00 unless told); received
    by `lab` (t.lab) when `received` is a time."""
    c = t.cast
    sampler = user or c.caiyang
    made = services.tube_open(acting_user=sampler, test_round=t.round, site=t.site,
                              barcode=barcode, at=at(22, 9))
    for one in people if people is not None else [person(t)]:
        services.sample_add(acting_user=sampler, tube=made, person=one, at=at(22, 9))
    services.tube_close(acting_user=sampler, tube=made, at=closed or at(22, 10))
    if received is not None:
        lab = lab or t.lab
        member = lab.members.first()
        services.tubes_receive(acting_user=member, lab=lab, barcodes=[barcode], at=received)
    made.refresh_from_db()
    return made


def csv_bytes(*lines, header=HEADER_ZH, encoding="utf-8") -> bytes:
    return "\n".join([header, *lines]).encode(encoding)


# --- HL7 ----------------------------------------------------------------------------------

def segment(name: str, values: dict[int, str]) -> str:
    last = max(values, default=0)
    return "|".join([name, *[values.get(n, "") for n in range(1, last + 1)]])


def oru(barcode="LB0001", result="260415000^Not detected^SCT", *, orf=None, n=None,
        analysed="202211222030+0800", observed="", requested="202211220900+0800",
        loinc="94500-6^SARS-CoV-2 RNA Resp Ql NAA+probe^LN", status="F", version="2.5.1",
        kind="ORU^R01^ORU_R01", control="MSG0001", processing="P", spm=True,
        ct_type="NM") -> str:
    """One ORU^R01 message (segments joined by CR), the specimen in SPM-2 and OBR-3."""
    msh = "MSH|^~\\&|" + segment("", {
        1: "LIS", 2: "SZCDC", 3: "FANGKONG", 4: "sz-cdc", 5: "202211222035+0800",
        7: kind, 8: control, 9: processing, 10: version})[1:]
    lines = [
        msh,
        segment("PID", {1: "1", 3: "POOL^^^SZCDC", 5: "POOL^TUBE"}),
        segment("OBR", {1: "1", 3: barcode, 4: "94531-1^SARS-CoV-2 RNA panel^LN",
                        7: requested}),
        segment("OBX", {1: "1", 2: "CWE", 3: loinc, 5: result, 11: status, 14: observed,
                        19: analysed}),
    ]
    for number, (code, value) in enumerate((("94644-2^ORF1ab Ct^LN", orf),
                                            ("94510-5^N gene Ct^LN", n)), start=2):
        if value is not None:
            lines.append(segment("OBX", {1: str(number), 2: ct_type, 3: code, 5: value,
                                         6: "{Ct_value}", 11: "F", 19: analysed}))
    if spm:
        lines.append(segment("SPM", {1: "1", 2: f"{barcode}&SZCDC",
                                     4: "258500001^Nasopharyngeal swab^SCT"}))
    return "\r".join(lines) + "\r"
