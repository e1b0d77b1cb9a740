"""The raw material of the demo city: the JSON name data and the statistical tables.

Weighted draws in the generator's inner loops are table lookups (`table[int(r * len)]`)
rather than `random.choices`, which is several times slower per call.
"""

import json
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLE_SIZE = 20000

# China 2020 census, share of the population (per mille) by five-year age group from 0-4.
AGE_GROUPS_PER_MILLE = (
    55, 64, 61, 53, 53, 61, 88, 70, 66, 82, 84, 71, 52, 50, 34, 22, 15, 8, 3, 1,
)
HEAD_MIN_AGE = 20

# Household sizes 1-6, mean about 2.6 (2020 census: 2.62).
HOUSEHOLD_SIZE_WEIGHTS = (24, 30, 22, 14, 6, 4)


@cache
def load(name: str) -> dict:
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def weighted_table(items, weights, size: int = TABLE_SIZE) -> tuple:
    """A tuple in which each item fills a share of slots proportional to its weight."""
    total = sum(weights)
    table, cumulative = [], 0.0
    for item, weight in zip(items, weights, strict=True):
        cumulative += weight
        table.extend([item] * (round(cumulative / total * size) - len(table)))
    return tuple(table)


def age_table(min_age: int = 0) -> tuple:
    ages, weights = [], []
    for group, per_mille in enumerate(AGE_GROUPS_PER_MILLE):
        for age in range(group * 5, group * 5 + 5):
            if age >= min_age:
                ages.append(age)
                weights.append(per_mille)
    return weighted_table(ages, weights)


def surname_table() -> tuple:
    pairs = load("names")["surnames"]
    return weighted_table([s for s, _ in pairs], [w for _, w in pairs])


def household_size_table() -> tuple:
    return weighted_table(range(1, 7), HOUSEHOLD_SIZE_WEIGHTS)


_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


def uuid_hex(getrandbits) -> str:
    """A version-4 UUID from 128 seeded random bits, as the 32 hex digits both databases
    accept; the same bits as `uuid.UUID(int=..., version=4)` without building the object."""
    return f"{getrandbits(128) & _UUID_CLEAR | _UUID_SET:032x}"
