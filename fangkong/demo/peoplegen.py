"""Residents of the demo city, generated household by household.

This is the hot loop of `seed-city` (1.6 million people at scale 1), so it trades a little
elegance for speed: weighted draws are table lookups, birth dates and check-character
partial sums are cached, and the GB 11643 check character is computed here rather than by
python-stdnum (a test asserts both agree).
"""

import datetime

from fangkong.demo.material import (
    HEAD_MIN_AGE,
    age_table,
    household_size_table,
    load,
    surname_table,
    uuid_hex,
)
from fangkong.people.models import IdType, Residency, Sex, SpecialTag, WorkerRole

PERSON_COLUMNS = ("id", "uuid", "created_at", "updated_at", "name", "id_type", "id_number", "sex",
                  "birth_date", "phone", "household_id", "residency", "worker_role")
TAG_COLUMNS = ("person_id", "tag")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
DAYS_PER_YEAR = 365.2425
# Real sequence numbers do not start at 001 every day; spread the start deterministically.
SEQUENCE_SPREAD = 60
MAX_SEQUENCE_INDEX = 498

# Shares per household or per person; see the brief in BENCHMARKS.md and the tests.
FLOATING_HOUSEHOLD = {False: 0.09, True: 0.02}  # urban, rural
HEAD_MALE = 0.6
CHILD_MALE = 0.515
COUPLE_OF_TWO = 0.75
# Three-generation homes: older couples often live with grandchildren (留守儿童 included).
GRANDCHILD_WITH_OLDER_HEAD = 0.5
PHONE_BY_AGE = ((14, 0.0), (18, 0.5), (70, 0.95), (200, 0.6))  # (below age, share)
WORKER_SHARE = 0.012
WORKER_ROLES = (
    (WorkerRole.VOLUNTEER, 35), (WorkerRole.COMMUNITY_WORKER, 20), (WorkerRole.MEDICAL, 15),
    (WorkerRole.POLICE, 8), (WorkerRole.SAMPLER, 8), (WorkerRole.BUILDING_LEADER, 8),
    (WorkerRole.TRACER, 3), (WorkerRole.OTHER, 3),
)
# Plain strings, bound once: enum member lookups in the hot loop cost more than locals.
MAINLAND, MALE, FEMALE = IdType.MAINLAND.value, Sex.MALE.value, Sex.FEMALE.value
RESIDENT, FLOATING = Residency.RESIDENT.value, Residency.FLOATING.value
INFANT, CHRONIC = SpecialTag.INFANT.value, SpecialTag.CHRONIC.value
ALONE, PREGNANT = SpecialTag.ELDERLY_ALONE.value, SpecialTag.PREGNANT.value
DISABLED_TAG, DIALYSIS = SpecialTag.DISABLED.value, SpecialTag.DIALYSIS.value
BEDRIDDEN = SpecialTag.BEDRIDDEN.value
CHRONIC_OVER_60 = 0.10
ALONE_OVER_65 = 0.42  # of over-65s living in one-person households: about 5% of all over-65s
PREGNANT_WOMEN_20_40 = 0.01
DISABLED = 0.02
DIALYSIS_ADULTS = 0.0006
BEDRIDDEN_OVER_75 = 0.003
MOBILE_PREFIXES = ("134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157",
                   "158", "159", "178", "182", "183", "187", "188", "198", "130", "131", "132",
                   "155", "156", "166", "175", "176", "185", "186", "133", "153", "173", "177",
                   "180", "181", "189", "199")


def check_character(first17: str) -> str:
    """GB 11643 MOD 11-2 check character (the same as fangkong.lib.idnumber's)."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _weighted_digits(digits: str, weights) -> int:
    return sum(int(c) * w for c, w in zip(digits, weights, strict=True))


class PeopleGenerator:
    """Emits person rows and their tag rows; one instance per build, so ID sequences stay
    unique per (region, birth date) across districts."""

    def __init__(self, *, as_of: datetime.date, stamp: str, first_person_id: int):
        self.as_of_ord = as_of.toordinal()
        self.stamp = stamp
        self.next_id = first_person_id
        self.surnames = surname_table()
        names = load("names")
        self.given = {True: tuple(names["given_male"]), False: tuple(names["given_female"])}
        self.single_share = names["single_character_share"]
        self.ages, self.head_ages = age_table(), age_table(HEAD_MIN_AGE)
        self.sizes = household_size_table()
        self.roles = tuple(role.value for role, weight in WORKER_ROLES for _ in range(weight))
        self.births: dict[int, tuple] = {}
        self.regions: dict[str, tuple[int, int]] = {}
        self.counters: dict[int, list[int]] = {}
        self.sequences = [(f"{n:03d}", _weighted_digits(f"{n:03d}", ID_WEIGHTS[14:]))
                          for n in range(1000)]
        self.phone_share = [next(share for below, share in PHONE_BY_AGE if age < below)
                            for age in range(120)]
        self.count = 0

    # --- a household -------------------------------------------------------------------

    def household(self, rng, household_id: int, home_region, floating_region: str | None,
                  emit, emit_tag) -> None:
        """`home_region(year)` gives a registered resident's region code by birth year."""
        members = self._members(rng)
        household = str(household_id)
        alone = len(members) == 1
        for age, male, surname in members:
            region = floating_region or home_region
            self._person(rng, household, age, male, surname, region, floating_region is not None,
                         alone, emit, emit_tag)

    def _members(self, rng) -> list[tuple[int, bool, str]]:
        """(age, male, surname) for a plausible family: a head, a spouse, children, and in
        large households grandparents or grandchildren."""
        r = rng.random
        size = self.sizes[int(r() * len(self.sizes))]
        head = self.head_ages[int(r() * len(self.head_ages))]
        male = r() < HEAD_MALE
        family = self.surnames[int(r() * len(self.surnames))]
        members = [(head, male, family)]
        if size == 1:
            return members
        if size > 2 or r() < COUPLE_OF_TWO or head < HEAD_MIN_AGE + 4:
            spouse = max(HEAD_MIN_AGE, head - 6 + int(r() * 11))
            members.append((spouse, not male, self.surnames[int(r() * len(self.surnames))]))
        for index in range(len(members), size):
            members.append((self._relative_age(rng, head, index), r() < CHILD_MALE, family))
        return members

    def _relative_age(self, rng, head: int, index: int) -> int:
        r = rng.random
        if index >= 4 and head < 55:
            return min(99, head + 24 + int(r() * 9))  # a grandparent
        if head >= 48 and (index >= 4 or r() < GRANDCHILD_WITH_OLDER_HEAD):
            age = head - 46 - int(r() * 15)  # a grandchild
            return age if age >= 0 else 1 + int(r() * 12)
        if head < HEAD_MIN_AGE + 4:
            return max(0, head - 4 + int(r() * 9))  # a sibling: too young for children
        gap = HEAD_MIN_AGE + 2 + int(r() * (min(36, head) - HEAD_MIN_AGE - 1))
        return head - gap  # a child

    # --- a person ----------------------------------------------------------------------

    def _person(self, rng, household: str, age: int, male: bool, surname: str, region,
                floating: bool, alone: bool, emit, emit_tag) -> None:
        r = rng.random
        birth_ord = self.as_of_ord - int((age + r()) * DAYS_PER_YEAR)
        iso, ymd, birth_sum, year = self.births.get(birth_ord) or self._birth(birth_ord)
        code = region if isinstance(region, str) else region(year)
        id_number = self._id_number(code, birth_ord, ymd, birth_sum, male)
        person_id = self.next_id
        self.next_id += 1
        self.count += 1
        emit((str(person_id), uuid_hex(rng.getrandbits), self.stamp, self.stamp,
              self._name(r, surname, male), MAINLAND, id_number, MALE if male else FEMALE, iso,
              self._phone(r, age), household, FLOATING if floating else RESIDENT,
              self._worker_role(r, age)))
        for tag in self._tags(r, age, male, alone):
            emit_tag((str(person_id), tag))

    def _birth(self, birth_ord: int) -> tuple:
        birth = datetime.date.fromordinal(birth_ord)
        ymd = f"{birth:%Y%m%d}"
        cached = (birth.isoformat(), ymd, _weighted_digits(ymd, ID_WEIGHTS[6:14]), birth.year)
        self.births[birth_ord] = cached
        return cached

    def _id_number(self, code: str, birth_ord: int, ymd: str, birth_sum: int, male: bool) -> str:
        region_index, region_sum = self.regions.get(code) or self._region(code)
        key = region_index * 10_000_000 + birth_ord
        counter = self.counters.get(key)
        if counter is None:
            start = (birth_ord * 7 + region_index * 13) % SEQUENCE_SPREAD
            counter = self.counters[key] = [start, start]
        index = counter[0 if male else 1]
        if index > MAX_SEQUENCE_INDEX:
            raise OverflowError(f"ID sequences exhausted for {code} {ymd}")
        counter[0 if male else 1] = index + 1
        sequence, sequence_sum = self.sequences[2 * index + 1 if male else 2 * index + 2]
        return f"{code}{ymd}{sequence}{ID_CHECK[(region_sum + birth_sum + sequence_sum) % 11]}"

    def _region(self, code: str) -> tuple[int, int]:
        self.regions[code] = (len(self.regions), _weighted_digits(code, ID_WEIGHTS[:6]))
        return self.regions[code]

    def _name(self, r, surname: str, male: bool) -> str:
        chars = self.given[male]
        first = chars[int(r() * len(chars))]
        if r() < self.single_share:
            return surname + first
        return surname + first + chars[int(r() * len(chars))]

    def _phone(self, r, age: int) -> str:
        if r() >= self.phone_share[age]:
            return ""
        return f"{MOBILE_PREFIXES[int(r() * len(MOBILE_PREFIXES))]}{int(r() * 1e8):08d}"

    def _worker_role(self, r, age: int) -> str:
        if age < 18 or age >= 65 or r() >= WORKER_SHARE:
            return ""
        return self.roles[int(r() * len(self.roles))]

    def _tags(self, r, age: int, male: bool, alone: bool) -> list[str]:
        tags = []
        if age == 0:
            tags.append(INFANT)
        if age >= 60 and r() < CHRONIC_OVER_60:
            tags.append(CHRONIC)
        if age >= 65 and alone and r() < ALONE_OVER_65:
            tags.append(ALONE)
        if not male and 20 <= age <= 40 and r() < PREGNANT_WOMEN_20_40:
            tags.append(PREGNANT)
        if r() < DISABLED:
            tags.append(DISABLED_TAG)
        if age >= 18 and r() < DIALYSIS_ADULTS:
            tags.append(DIALYSIS)
        if age >= 75 and r() < BEDRIDDEN_OVER_75:
            tags.append(BEDRIDDEN)
        return tags
