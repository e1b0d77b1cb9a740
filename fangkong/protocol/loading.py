"""Load the shipped profiles from data/*.json (used by the data migration and tests)."""

import datetime
import json
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


def shipped_profiles() -> list[dict]:
    rows = []
    for path in sorted(DATA_DIR.glob("*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            rows.append({**row, "valid_from": datetime.date.fromisoformat(row["valid_from"])})
    return rows


def load_profiles(model) -> int:
    """Create or update the shipped profiles by code; `model` may be a historical model."""
    for row in shipped_profiles():
        code = row.pop("code")
        model.objects.update_or_create(code=code, defaults=row)
    return len(shipped_profiles())
