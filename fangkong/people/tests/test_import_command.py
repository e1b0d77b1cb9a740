"""`fangkong import residents FILE --user U`: report printed, exit status 1 on rejections."""

import pytest
from django.core.management import CommandError, call_command

from fangkong.people.models import Person
from fangkong.people.tests.test_import_support import csv_bytes, new_id, row, xlsx_bytes


def _file(tmp_path, rows, name="residents.csv"):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows))
    return str(path)


def test_clean_file_imports_and_exits_zero(cast, tmp_path, capsys):
    path = _file(tmp_path, [row("孙明", new_id(101))], "residents.xlsx")
    call_command("import", "residents", path, "--user", "wangge")
    assert Person.objects.filter(name="孙明").exists()
    assert "1" in capsys.readouterr().out


def test_rejected_rows_give_exit_status_one(cast, tmp_path, capsys):
    path = _file(tmp_path, [row("孙明", new_id(101)), row("周红", new_id(103), phone="1")])
    with pytest.raises(CommandError) as error:
        call_command("import", "residents", path, "--user", "wangge")
    assert error.value.returncode == 1
    assert "手机号" in capsys.readouterr().out
    assert Person.objects.filter(name="孙明").exists()


def test_dry_run_and_all_or_nothing_flags(cast, tmp_path):
    path = _file(tmp_path, [row("孙明", new_id(101)), row("周红", new_id(103), phone="1")])
    with pytest.raises(CommandError):
        call_command("import", "residents", path, "--user", "wangge", "--all-or-nothing")
    call_command("import", "residents", _file(tmp_path, [row("孙明", new_id(101))]),
                 "--user", "wangge", "--dry-run")
    assert not Person.objects.filter(name="孙明").exists()


def test_refusals_are_command_errors(cast, tmp_path):
    path = _file(tmp_path, [row()])
    for user in ("louzhang", "nobody"):
        with pytest.raises(CommandError) as error:
            call_command("import", "residents", path, "--user", user)
        assert error.value.returncode == 1
    with pytest.raises(CommandError):
        call_command("import", "residents", str(tmp_path / "missing.csv"), "--user", "wangge")
