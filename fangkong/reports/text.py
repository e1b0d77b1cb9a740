"""The bulletin in words and as a table, from the dict that `bulletin()` returns.

The words follow the official style and live in the template `reports/bulletin.txt`, which
is written in Chinese whatever the interface language: it is the text the city publishes.
The template may spread a paragraph over many lines for legibility; the lines are joined
without spaces (Chinese needs none) and `{{ paragraph_break }}` separates paragraphs.
"""

import datetime

from django.template.loader import render_to_string

PARAGRAPH_BREAK = "\x1e"

# The district table: (section of the data, key, bucket of the register behind the figure).
DISTRICT_COLUMNS = [
    ("new", "confirmed", "new_confirmed"),
    ("new", "reclassified", "new_reclassified"),
    ("new", "asymptomatic", "new_asymptomatic"),
    ("cumulative", "confirmed", "confirmed"),
    ("cumulative", "asymptomatic", "asymptomatic"),
    ("cumulative", "discharged", "discharged"),
    ("cumulative", "released", "released"),
    ("cumulative", "in_hospital", "in_hospital"),
    ("cumulative", "under_observation", "under_observation"),
    ("cumulative", "deaths", "deaths"),
]
FOUND_COLUMNS = [("new", "in_control", "new_in_control"), ("new", "community", "new_community")]


def _nonzero(by_district: dict, key: str) -> list[tuple[str, int]]:
    return [(name, row[key]) for name, row in by_district.items() if row[key]]


def _context(data: dict) -> dict:
    day = datetime.date.fromisoformat(data["as_of"])
    new, cumulative = data["new"], data["cumulative"]
    return {
        "month": day.month, "day": day.day, "new": new, "cumulative": cumulative,
        "data": data, "paragraph_break": PARAGRAPH_BREAK,
        "new_infections": new["in_control"] + new["community"],
        "new_confirmed_by": _nonzero(new["by_district"], "confirmed"),
        "new_asymptomatic_by": _nonzero(new["by_district"], "asymptomatic"),
        "confirmed_by": _nonzero(cumulative["by_district"], "confirmed"),
        "asymptomatic_by": _nonzero(cumulative["by_district"], "asymptomatic"),
    }


def bulletin_paragraphs(data: dict) -> list[str]:
    rendered = render_to_string("reports/bulletin.txt", _context(data))
    paragraphs = ("".join(line.strip() for line in part.splitlines())
                  for part in rendered.split(PARAGRAPH_BREAK))
    return [p for p in paragraphs if p]


def bulletin_text(data: dict) -> str:
    return "\n\n".join(bulletin_paragraphs(data)) + "\n"


def columns(data: dict, *, found: bool = False) -> list[tuple[str, str, str]]:
    """The district table's columns; deaths only when there are any, as in the text.

    A column is labelled by its bucket (`cases.selectors.bucket_label`).
    """
    chosen = DISTRICT_COLUMNS[:3] + (FOUND_COLUMNS if found else []) + DISTRICT_COLUMNS[3:]
    return [c for c in chosen if c[2] != "deaths" or data["deaths"]]


def _total(data: dict, section: str, key: str) -> int:
    return data[section][key] if section == "new" or key in data[section] else data[key]


def table_rows(data: dict, cols) -> list[dict]:
    """One row per district, then the total: {"district": name or None, "cells": [(bucket, n)]}."""
    rows = [{"district": name,
             "cells": [(bucket, data[section]["by_district"][name][key])
                       for section, key, bucket in cols]}
            for name in data["cumulative"]["by_district"]]
    rows.append({"district": None,
                 "cells": [(bucket, _total(data, section, key)) for section, key, bucket in cols]})
    return rows
