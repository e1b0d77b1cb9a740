import datetime
import hashlib
import random
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from fangkong.audit.models import AuditEvent
from fangkong.demo.material import uuid_hex
from fangkong.demo.peoplegen import check_character
from fangkong.demo.seeding import CITY_POPULATION, DEFAULT_AS_OF, seed_city
from fangkong.lib import idnumber
from fangkong.people.models import Person, PersonTag, Residency, SpecialTag
from fangkong.places.models import LEVEL_RANK, PATH_STEP, Level, Place, Venue
from fangkong.places.services import place_create

pytestmark = pytest.mark.django_db
TINY = 0.002
DISTRICTS = {"140602": "朔城区", "140603": "平鲁区", "140621": "山阴县", "140622": "应县",
             "140623": "右玉县", "140681": "怀仁市"}


class Rollback(Exception):
    pass


def digest() -> str:
    """Everything a build decides, ids aside: names, codes, paths, ID numbers, UUIDs."""
    sha = hashlib.sha256()
    for row in Place.objects.order_by("path").values_list("uuid", "path", "code", "name",
                                                          "level", "rural"):
        sha.update(repr(row).encode())
    for row in Person.objects.order_by("uuid").values_list(
            "uuid", "name", "id_number", "sex", "birth_date", "phone", "household__path",
            "residency", "worker_role"):
        sha.update(repr(row).encode())
    for row in PersonTag.objects.order_by("person__uuid", "tag").values_list("person__uuid",
                                                                             "tag"):
        sha.update(repr(row).encode())
    for row in Venue.objects.order_by("code").values_list("uuid", "code", "name", "kind",
                                                          "place__path"):
        sha.update(repr(row).encode())
    return sha.hexdigest()


def build_and_forget(seed: int) -> str:
    try:
        with transaction.atomic():
            seed_city(scale=TINY, seed=seed)
            raise Rollback(digest())
    except Rollback as done:
        return done.args[0]


def test_same_seed_builds_identical_rows_and_another_seed_does_not():
    first, second, other = build_and_forget(7), build_and_forget(7), build_and_forget(8)
    assert first == second
    assert first != other


def test_resident_count_follows_the_scale():
    summary = seed_city(scale=0.005, seed=1)
    expected = CITY_POPULATION * 0.005
    assert abs(Person.objects.count() - expected) / expected < 0.04
    assert summary.people == Person.objects.count()
    assert summary.places == Place.objects.count()


def test_the_city_has_the_real_districts_and_coded_subdivisions():
    seed_city(scale=TINY, seed=1)
    city = Place.objects.get(parent=None)
    assert (city.code, city.name, city.level) == ("140600", "朔州市", Level.CITY)
    districts = dict(Place.objects.filter(level=Level.DISTRICT).values_list("code", "name"))
    assert districts == DISTRICTS
    for place in Place.objects.filter(level=Level.SUBDISTRICT).select_related("parent"):
        assert len(place.code) == 9 and place.code.startswith(place.parent.code)
    for place in Place.objects.filter(level=Level.COMMUNITY).select_related("parent"):
        assert len(place.code) == 12 and place.code.startswith(place.parent.code)
        assert place.rural == (place.code[9:] >= "200")
    assert Place.objects.filter(level=Level.SUBDISTRICT, name="北城街道").exists()


def test_every_place_extends_its_parents_path_by_one_segment():
    seed_city(scale=TINY, seed=1)
    for place in Place.objects.exclude(parent=None).select_related("parent"):
        assert place.path.startswith(place.parent.path)
        assert len(place.path) == len(place.parent.path) + PATH_STEP
        assert LEVEL_RANK[place.level] > LEVEL_RANK[place.parent.level]
    villages = Place.objects.filter(level=Level.COMMUNITY, rural=True)
    assert villages.exists()
    assert not Place.objects.filter(parent__in=villages).exclude(level=Level.HOUSEHOLD).exists()


def test_every_household_has_a_resident():
    seed_city(scale=TINY, seed=1)
    households = Place.objects.filter(level=Level.HOUSEHOLD)
    assert households.exists()
    assert not households.filter(people__isnull=True).exists()
    assert not Person.objects.exclude(household__level=Level.HOUSEHOLD).exists()


def test_every_id_number_is_valid_and_matches_the_person():
    seed_city(scale=TINY, seed=1)
    people = Person.objects.values_list("id_number", "birth_date", "sex", "residency",
                                        "household__path")
    district_by_path = {p.path: p.code for p in Place.objects.filter(level=Level.DISTRICT)}
    for number, birth, sex, residency, path in people:
        facts = idnumber.parse(number, today=DEFAULT_AS_OF)
        assert (facts.birth_date, facts.sex) == (birth, sex)
        if residency == Residency.RESIDENT:
            district = district_by_path[path[:2 * PATH_STEP]]
            assert facts.region_code == expected_region(district, birth)


def expected_region(district: str, birth: datetime.date) -> str:
    if district == "140681" and birth.year < 2018:
        return "140624"  # 怀仁县 became 怀仁市 in 2018; older residents keep the old code
    return district


def test_huairen_shows_both_the_old_and_the_new_code():
    seed_city(scale=TINY, seed=1)
    huairen = Place.objects.get(level=Level.DISTRICT, code="140681")
    numbers = Person.objects.filter(household__path__startswith=huairen.path,
                                    residency=Residency.RESIDENT).values_list("id_number",
                                                                              flat=True)
    codes = {number[:6] for number in numbers}
    assert codes == {"140624", "140681"}


def test_special_population_tags_follow_age_and_sex():
    seed_city(scale=0.005, seed=1)
    as_of = DEFAULT_AS_OF
    for tag, birth, sex in PersonTag.objects.values_list("tag", "person__birth_date",
                                                         "person__sex"):
        age = (as_of - birth).days // 365.2425
        if tag == SpecialTag.INFANT:
            assert age < 1
        if tag == SpecialTag.PREGNANT:
            assert sex == "female" and 20 <= age <= 41
        if tag == SpecialTag.ELDERLY_ALONE:
            assert age >= 64
    assert PersonTag.objects.filter(tag=SpecialTag.INFANT).exists()
    assert PersonTag.objects.filter(tag=SpecialTag.CHRONIC).exists()
    assert Person.objects.filter(residency=Residency.FLOATING).exists()
    assert Person.objects.exclude(worker_role="").exists()


def test_venues_have_unique_codes_inside_communities():
    seed_city(scale=TINY, seed=1)
    venues = Venue.objects.select_related("place")
    assert venues.exists()
    assert all(v.place.level == Level.COMMUNITY and v.code.startswith("V") for v in venues)


def test_one_summary_audit_event_is_written():
    summary = seed_city(scale=TINY, seed=1)
    event = AuditEvent.objects.get(action="demo.seed")
    assert event.actor is None
    assert event.changes["people"] == [None, summary.people]
    assert AuditEvent.objects.count() == 1


def test_places_can_be_added_after_the_bulk_load():
    seed_city(scale=TINY, seed=1)
    community = Place.objects.filter(level=Level.COMMUNITY).order_by("path").first()
    place = place_create(acting_user=None, parent=community, level=Level.COMPOUND, code="99",
                         name="new")
    assert place.pk > Place.objects.exclude(pk=place.pk).order_by("-pk").first().pk


def test_if_empty_refuses_to_build_twice():
    call_command("seed_city", scale=TINY, seed=1, if_empty=True, stderr=StringIO(),
                 stdout=StringIO())
    places = Place.objects.count()
    out = StringIO()
    call_command("seed_city", scale=TINY, seed=1, if_empty=True, stdout=out)
    assert Place.objects.count() == places
    assert out.getvalue().strip()
    with pytest.raises(CommandError):
        call_command("seed_city", scale=TINY, seed=1, stdout=StringIO())


def test_fast_check_character_agrees_with_the_library():
    rng = random.Random(3)
    for _ in range(2000):
        first17 = f"{rng.randrange(10**17):017d}"
        assert check_character(first17) == idnumber.check_character(first17)


def test_uuid_hex_is_a_version_4_uuid_of_the_same_bits():
    bits = random.Random(5).getrandbits(128)
    assert uuid_hex(lambda _n: bits) == uuid.UUID(int=bits, version=4).hex
