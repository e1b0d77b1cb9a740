import pytest

from fangkong.lib.envconf import BadSetting, database_from_url, envbool, envint


def test_booleans_and_integers_are_read(monkeypatch):
    monkeypatch.setenv("FK_FLAG", "Yes")
    monkeypatch.setenv("FK_NUMBER", "42")
    assert envbool("FK_FLAG", "false") is True
    assert envint("FK_NUMBER", "1") == 42


@pytest.mark.parametrize("name, value, read", [
    ("FK_FLAG", "maybe", lambda: envbool("FK_FLAG", "false")),
    ("FK_NUMBER", "4x", lambda: envint("FK_NUMBER", "1")),
])
def test_bad_values_are_refused_with_the_variable_named(monkeypatch, name, value, read):
    monkeypatch.setenv(name, value)
    with pytest.raises(BadSetting, match=name):
        read()


def test_database_urls():
    pg = database_from_url("postgres://app:s%40cret@db.local:5433/fangkong")
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "fangkong", "app", "s@cret", "db.local", "5433")
    assert database_from_url("sqlite:////var/lib/fk.sqlite3")["NAME"] == "/var/lib/fk.sqlite3"


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "sqlite:///", "nonsense"])
def test_bad_database_urls_are_refused(url):
    with pytest.raises(BadSetting):
        database_from_url(url)
