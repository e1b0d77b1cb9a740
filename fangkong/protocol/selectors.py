"""Which rules were in force on a day."""

import datetime

from fangkong.protocol.models import KEYS, ProtocolProfile


class ProfileMissing(LookupError):
    pass


def profile_on(day: datetime.date, disease: str = "covid-19") -> ProtocolProfile:
    profile = (ProtocolProfile.objects.filter(disease=disease, valid_from__lte=day)
               .order_by("-valid_from").first())
    if profile is None:
        raise ProfileMissing(f"no {disease} protocol profile in force on {day.isoformat()}")
    return profile


def rule(day: datetime.date, key: str, disease: str = "covid-19"):
    """One value of the profile in force on `day`; a key the profile lacks is an error."""
    if key not in KEYS:
        raise KeyError(f"unknown protocol key {key!r}")
    profile = profile_on(day, disease)
    try:
        return profile.values[key]
    except KeyError:
        raise ProfileMissing(f"profile {profile.code} has no value for {key!r}") from None


def rules(day: datetime.date, *keys: str, disease: str = "covid-19") -> dict:
    """Several values of the profile in force on `day`, read in one query."""
    unknown = [key for key in keys if key not in KEYS]
    if unknown:
        raise KeyError(f"unknown protocol keys {unknown!r}")
    profile = profile_on(day, disease)
    missing = [key for key in keys if key not in profile.values]
    if missing:
        raise ProfileMissing(f"profile {profile.code} has no value for {missing!r}")
    return {key: profile.values[key] for key in keys}


def profiles(disease: str = "covid-19") -> list[ProtocolProfile]:
    return list(ProtocolProfile.objects.filter(disease=disease))
