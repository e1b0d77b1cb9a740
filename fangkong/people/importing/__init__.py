"""Importing residents from .xlsx and .csv files (`import_residents`)."""

from fangkong.people.importing.columns import template_headers
from fangkong.people.importing.report import ImportFileError, ImportReport, Rejection
from fangkong.people.importing.service import import_residents

__all__ = ["ImportFileError", "ImportReport", "Rejection", "import_residents",
           "template_headers"]
