"""ER7 reading and writing: each message's own separators, escape sequences, several
messages in one body whatever the line ends, times with and without offsets, and ACKs."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from fangkong.lib import hl7

SH = ZoneInfo("Asia/Shanghai")
MSG = ("MSH|^~\\&|LIS|SZCDC|FANGKONG|sz-cdc|202211222035+0800||ORU^R01^ORU_R01|C1|P|2.5.1\r"
       "OBR|1||LB0001\r"
       "OBX|1|CWE|94500-6^SARS-CoV-2 RNA^LN||260415000^Not detected^SCT||||||F\r"
       "SPM|1|LB0001&SZCDC~OTHER\r")


def one(text):
    [message] = hl7.parse_messages(text)
    assert isinstance(message, hl7.Message), message
    return message


def test_fields_components_subcomponents_and_repetitions_by_hl7_numbering():
    message = one(MSG)
    assert message.message_type == ("ORU", "R01", "ORU_R01")
    assert (message.control_id, message.processing_id, message.version) == ("C1", "P", "2.5.1")
    assert message.header.value(1) == "|" and message.header.value(2) == "^~\\&"
    obx = message.first("OBX")
    assert obx.value(3) == "94500-6" and obx.value(3, 3) == "LN"
    assert obx.components(5) == ["260415000", "Not detected", "SCT"]
    spm = message.first("SPM")
    assert spm.value(2) == "LB0001" and spm.value(2, 1, 2) == "SZCDC"
    assert spm.value(2, repetition=1) == "OTHER" and spm.value(2, repetition=2) == ""
    assert obx.value(40) == "" and obx.value(3, 9) == ""


def test_a_message_declaring_other_separators_is_read_with_them():
    text = ("MSH#*!?$#LIS#SZCDC#####ORU*R01#C2#P#2.5.1\n"
            "OBX#1#CWE#94500-6*SARS-CoV-2 RNA*LN##260373001*Detected|positive*SCT\n")
    message = one(text)
    assert message.encoding == hl7.Encoding("#", "*", "!", "?", "$")
    assert message.message_type[:2] == ("ORU", "R01")
    obx = message.first("OBX")
    assert obx.components(5) == ["260373001", "Detected|positive", "SCT"]


def test_escape_sequences_resolve_after_splitting():
    message = one("MSH|^~\\&|A|B|||||C3|P|2.5.1\r"
                  "NTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X4869\\g\\.br\\h\\H\\i\\N\\\r"
                  "NTE|2||unknown \\Q\\ and unterminated \\F")
    first, second = message.all("NTE")
    assert first.value(3) == "a|b^c&d~e\\fHig\nhi"
    assert second.value(3) == "unknown \\Q\\ and unterminated \\F"
    assert second.occurrence == 2 and second.number == 3


def test_escaping_round_trips():
    encoding = hl7.Encoding()
    text = "a|b^c&d~e\\f\ng"
    line = hl7.segment("NTE", ["1", "", text], encoding)
    assert line == "NTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g"
    assert one("MSH|^~\\&|A|B|||||C|P|2.5.1\r" + line).first("NTE").value(3) == text


@pytest.mark.parametrize("join", ["\r", "\n", "\r\n"])
def test_several_messages_in_one_body_whatever_the_line_ends(join):
    body = "\x0b" + (MSG + MSG.replace("C1", "C2")).replace("\r", join) + "\x1c\r"
    messages = hl7.parse_messages(body)
    assert [m.control_id for m in messages] == ["C1", "C2"]
    assert [s.name for s in messages[1].segments] == ["MSH", "OBR", "OBX", "SPM"]


def test_batch_envelopes_are_skipped():
    body = "FHS|^~\\&\rBHS|^~\\&\r" + MSG + "BTS|1\rFTS|1\r"
    assert [m.control_id for m in hl7.parse_messages(body)] == ["C1"]


@pytest.mark.parametrize("text", [
    "hello world",
    "MSH|^~|A|B",                      # two encoding characters
    "MSH|^^\\&|A|B|||||C|P|2.5.1",      # a separator twice
    "MSHA^~\\&|A",                      # a letter as the field separator
    "MSH|^~\\&|A|B|||||C|P|2.5.1\robx|1",  # not a segment name
])
def test_garbage_is_refused_with_a_reason(text):
    [result] = hl7.parse_messages(text)
    assert isinstance(result, hl7.HL7Error) and str(result)


def test_lines_before_the_first_header_are_a_message_of_their_own():
    results = hl7.parse_messages("garbage\r" + MSG)
    assert isinstance(results[0], hl7.HL7Error) and isinstance(results[1], hl7.Message)


def test_an_empty_body_has_no_messages():
    assert hl7.parse_messages(" \r\n\x0b\x1c") == []


def test_decode_takes_utf8_or_gb18030():
    assert hl7.decode("检测".encode()) == "检测"
    assert hl7.decode("检测".encode("gb18030")) == "检测"


@pytest.mark.parametrize("text, expected", [
    ("202211222030+0800", datetime.datetime(2022, 11, 22, 20, 30, tzinfo=SH)),
    ("20221122203015", datetime.datetime(2022, 11, 22, 20, 30, 15, tzinfo=SH)),
    ("202211221230-0000", datetime.datetime(2022, 11, 22, 20, 30, tzinfo=SH)),
    ("20221122203015.25+0800", datetime.datetime(2022, 11, 22, 20, 30, 15, 250000, tzinfo=SH)),
])
def test_times_with_and_without_offset(text, expected):
    assert hl7.parse_dtm(text, SH) == expected


@pytest.mark.parametrize("text", ["2022112220", "20221122", "2022-11-22 20:30", "202213222030",
                                  "202211222030+08", ""])
def test_times_too_vague_or_malformed_are_refused(text):
    with pytest.raises(ValueError):
        hl7.parse_dtm(text, SH)


def test_an_acceptance_answers_with_the_senders_separators():
    message = one(MSG.replace("^~\\&", "^~\\&#"))  # a v2.7 truncation character
    now = datetime.datetime(2022, 11, 22, 20, 40, tzinfo=SH)
    ack = hl7.build_ack(message, hl7.Ack("AA"), control_id="A1", now=now,
                        application="FANGKONG", facility="sz-cdc")
    assert ack == ("MSH|^~\\&#|FANGKONG|sz-cdc|LIS|SZCDC|20221122204000+0800||ACK^R01^ACK|A1|P|"
                   "2.5.1\rMSA|AA|C1\r")
    assert one(ack).message_type == ("ACK", "R01", "ACK")


def test_an_error_ack_has_text_and_err_segments():
    message = one(MSG)
    now = datetime.datetime(2022, 11, 22, 20, 40, tzinfo=SH)
    ack = hl7.build_ack(message, hl7.Ack("AE", "Bad | time", [
        hl7.AckError("102", "Bad | time", ("OBX", "1", "19"))]), control_id="A2", now=now,
        application="FANGKONG")
    read = one(ack)
    msa, err = read.first("MSA"), read.first("ERR")
    assert (msa.value(1), msa.value(2), msa.value(3)) == ("AE", "C1", "Bad | time")
    assert err.components(2) == ["OBX", "1", "19"]
    assert err.components(3) == ["102", "Data type error", "HL70357"]
    assert (err.value(4), err.value(8)) == ("E", "Bad | time")


def test_an_ack_for_what_could_not_be_read():
    now = datetime.datetime(2022, 11, 22, 20, 40, tzinfo=SH)
    ack = hl7.build_ack(None, hl7.Ack("AR", "not HL7"), control_id="A3", now=now,
                        application="FANGKONG")
    read = one(ack)
    assert read.first("MSA").components(1) == ["AR"]
    assert read.first("MSA").value(2) == "" and read.processing_id == "P"
