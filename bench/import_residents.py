"""Benchmark of the resident import: a fresh database, N valid rows in one .xlsx, timed.

    python bench/import_residents.py --rows 100000 [--db sqlite|postgres] [--reimport]

SQLite uses a file in a temporary directory; PostgreSQL the database
`fangkong_bench_import` on postgres://postgres@127.0.0.1:5432 (dropped and recreated).
The last line printed is one JSON object with the figures.
"""

import argparse
import datetime
import io
import json
import platform
import time

from _setup import add_database_arguments, start_django

PG_DATABASE = "fangkong_bench_import"
STREETS, COMMUNITIES, COMPOUNDS, BUILDINGS, UNITS = 4, 5, 5, 10, 4
PEOPLE_PER_HOUSEHOLD = 2.5


def build_tree():
    """City › district › streets › communities, and a district user to import with."""
    from fangkong.accounts.roles import Role
    from fangkong.accounts.services import user_create
    from fangkong.places.models import Level
    from fangkong.places.services import place_create

    def add(parent, level, code, name):
        return place_create(acting_user=None, parent=parent, level=level, code=code, name=name)

    city = add(None, Level.CITY, "140600", "City")
    district = add(city, Level.DISTRICT, "140602", "District")
    areas = []
    for s in range(STREETS):
        street = add(district, Level.SUBDISTRICT, f"S{s}", f"Street {s}")
        areas += [("District", street.name, add(street, Level.COMMUNITY, f"C{c}",
                                                f"Community {s}-{c}").name)
                  for c in range(COMMUNITIES)]
    user = user_create(acting_user=None, username="bench", password=None, role=Role.DISTRICT,
                       scope=district)
    return user, areas


def person_cells(index: int, areas, labels) -> list:
    from fangkong.lib import idnumber

    birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=index % 29000)
    number = idnumber.make("140602", birth, index // 29000 + 1)
    household = int(index / PEOPLE_PER_HOUSEHOLD)
    per_community = COMPOUNDS * BUILDINGS * UNITS * 10
    community, rest = divmod(household, per_community)
    compound, rest = divmod(rest, BUILDINGS * UNITS * 10)
    building, rest = divmod(rest, UNITS * 10)
    unit, home = divmod(rest, 10)
    district, street, community_name = areas[community % len(areas)]
    tag = labels["tags"][index % 40] if index % 40 < len(labels["tags"]) else ""
    return [f"Resident {index}", "", number, "", "", f"139{index:08d}", district, street,
            community_name, f"Compound {compound}", f"{building + 1}", f"{unit + 1}",
            f"{(home // 2 + 1) * 100 + home % 2 + 1}", labels["residency"], tag, ""]


def make_workbook(rows: int, areas) -> bytes:
    import openpyxl

    from fangkong.people.importing import columns

    values = columns.spec()["values"]
    labels = {"tags": list(values["tags"]), "residency": next(iter(values["residency"]))}
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(columns.template_headers())
    for index in range(rows):
        sheet.append(person_cells(index, areas, labels))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed_import(user, data: bytes):
    from fangkong.people.importing import import_residents

    started = time.perf_counter()
    report = import_residents(acting_user=user, data=data, filename="bench.xlsx")
    return report, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    add_database_arguments(parser)
    parser.add_argument("--reimport", action="store_true",
                        help="also time importing the same file again (all unchanged)")
    parser.set_defaults(db="sqlite")
    args = parser.parse_args()
    start_django(args.db, name=PG_DATABASE, server=args.server)
    user, areas = build_tree()
    started = time.perf_counter()
    data = make_workbook(args.rows, areas)
    print(f"workbook: {len(data) / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    report, seconds = timed_import(user, data)
    print(f"import: {report.counts()} in {seconds:.2f} s "
          f"({args.rows / seconds:,.0f} rows/s)")
    result = {"bench": "import_residents", "db": args.db, "rows": args.rows,
              "rows_per_s": round(args.rows / seconds), "seconds": round(seconds, 2),
              "created": report.created, "rejected": report.rejected_rows,
              "places_created": report.places_created, "python": platform.python_version()}
    if args.reimport:
        again, reseconds = timed_import(user, data)
        print(f"re-import: {again.counts()} in {reseconds:.2f} s")
        result["reimport_seconds"] = round(reseconds, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
