"""Helpers shared by the import tests (no tests here): rows, files and a runner."""

import csv
import datetime
import io

import openpyxl

from fangkong.lib import idnumber
from fangkong.people.importing import import_residents

HEADER = ["姓名", "身份证号", "手机号", "区县", "街道", "社区", "小区", "楼栋", "单元", "户号",
          "人员类别", "特殊人群"]


def new_id(sequence: int, birth=datetime.date(1990, 5, 6), region="140602") -> str:
    return idnumber.make(region, birth, sequence)


def row(name="孙明", id_number=None, phone="13512345678", district="朔城区",
        subdistrict="北城街道", community="文远社区", compound="开发区小区", building="1号楼",
        unit="1单元", household="101", residency="户籍人口", tags=""):
    return [name, id_number or new_id(101), phone, district, subdistrict, community, compound,
            building, unit, household, residency, tags]


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in [header, *rows]:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(user, rows=None, *, data=None, filename="residents.csv", **options):
    data = data if data is not None else csv_bytes(rows)
    return import_residents(acting_user=user, data=data, filename=filename, **options)
