"""Origins: GB/T 2260 divisions from python-stdnum's cn/loc.dat, as they were in a year."""

from fangkong.arrivals import origins


def names(divisions):
    return [d.name for d in divisions]


def test_the_provinces_of_2022():
    provinces = origins.provinces(2022)
    assert len(provinces) == 34
    assert provinces[0] == origins.Division("110000", "北京市")
    assert "山西省" in names(provinces) and "香港特别行政区" in names(provinces)


def test_the_cities_of_a_province_and_the_counties_of_a_city():
    assert "朔州市" in names(origins.cities("140000", 2022))
    assert names(origins.counties("140600", 2022)) == [
        "朔城区", "平鲁区", "山阴县", "应县", "右玉县", "怀仁市"]
    assert origins.cities("", 2022) == () and origins.counties("", 2022) == ()


def test_divisions_follow_the_year():
    assert "怀仁县" in names(origins.counties("140600", 2017))  # 怀仁县 became 怀仁市 in 2018
    assert "怀仁市" not in names(origins.counties("140600", 2017))
    assert origins.name_of("130602", 2010) == "新市区"
    assert origins.name_of("130602", 2022) == "竞秀区"
    assert origins.name_of("140624", 2022) is None and origins.name_of("140624") == "怀仁县"


def test_unknown_or_malformed_codes_have_no_name():
    for code in ("999999", "14060", "abcdef", "", None):
        assert origins.name_of(code) is None
        assert not origins.is_finest(code, 2022)


def test_the_finest_division_a_traveller_can_name():
    assert origins.is_finest("140622", 2022)  # 应县
    assert not origins.is_finest("140600", 2022)  # 朔州市 has counties
    assert not origins.is_finest("140000", 2022)
    assert origins.is_finest("441900", 2022)  # 东莞市 has none
    assert origins.is_finest("810000", 2022)  # 香港 has no cities
    assert not origins.is_finest("140601", 2022)  # "市辖区" is no place to come from


def test_full_names_skip_the_municipal_district_step():
    assert origins.full_name("140622") == "山西省朔州市应县"
    assert origins.full_name("110105") == "北京市朝阳区"
    assert origins.full_name("441900") == "广东省东莞市"
    assert origins.level_of("140000") == origins.PROVINCE
    assert origins.level_of("140600") == origins.CITY
    assert origins.level_of("140622") == origins.COUNTY


def test_lists_are_read_once_and_cached():
    assert origins.counties("140600", 2022) is origins.counties("140600", 2022)
    origins.provinces(2022)
    assert origins._table.cache_info().currsize == 1
