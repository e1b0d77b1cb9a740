import datetime

import pytest

from fangkong.places.models import Place
from fangkong.places.selectors import (
    ancestors,
    breadcrumbs,
    children_with_counts,
    place_labels,
    place_totals,
)
from fangkong.places.services import PlaceError, place_create

TODAY = datetime.date(2022, 11, 28)


def test_subtree_is_a_path_prefix(cast):
    names = set(Place.objects.subtree(cast.beicheng).values_list("name", flat=True))
    assert {"北城街道", "文远社区", "新建社区", "开发区小区", "1号楼"} <= names
    assert "应县" not in names and "金城镇" not in names


def test_each_child_path_extends_its_parent_by_one_segment(cast):
    for place in Place.objects.exclude(parent=None).select_related("parent"):
        assert place.path.startswith(place.parent.path)
        assert place.depth == place.parent.depth + 1


def test_ancestors_and_breadcrumbs_stop_at_the_users_scope(cast):
    assert [p.name for p in ancestors(cast.h101)] == [
        "朔州市", "朔城区", "北城街道", "文远社区", "开发区小区", "1号楼", "1单元"]
    assert [p.name for p in breadcrumbs(cast.wangge, cast.unit1)] == [
        "文远社区", "开发区小区", "1号楼", "1单元"]


def test_children_carry_residents_households_and_special_population(cast):
    rows = {row.place.name: row for row in children_with_counts(cast.city, today=TODAY)}
    shuocheng = rows["朔城区"]
    assert (shuocheng.residents, shuocheng.households, shuocheng.special) == (4, 4, 1)
    assert (rows["应县"].residents, rows["应县"].households, rows["应县"].special) == (1, 1, 0)
    totals = place_totals(cast.city, today=TODAY)
    assert (totals.residents, totals.households) == (5, 5)


def test_counts_are_four_queries_whatever_the_number_of_children(
        cast, django_assert_num_queries):
    with django_assert_num_queries(4):
        children_with_counts(cast.wenyuan, today=TODAY)


def test_a_level_cannot_stand_under_a_lower_one(cast):
    with pytest.raises(PlaceError):
        place_create(acting_user=cast.admin, parent=cast.unit1, level="building", code="9",
                     name="9号楼")


def test_labels_read_as_addresses(cast):
    labels = place_labels([cast.h101], below=cast.wenyuan)
    assert labels[cast.h101.pk] == "开发区小区 1号楼 1单元 101"
