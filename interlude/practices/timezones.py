"""Time zones people can find: the likely ones for a country first, then a search over all.

A 600-entry list sorted A to Z puts "Africa/Abidjan" first for a practice in Ohio. The zones a
client is likely in are those of their country, so those come first, with the names people say
("Eastern time (New York)"). The map is curated rather than read from tzdata's zone1970.tab,
which lists zones by rule history, not by how many people live there (it has 29 zones for the
United States, and none named Amsterdam since 2022), and ordered by how many people use each.
Every zone here is checked against `zoneinfo.available_timezones()` by the tests.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

# The countries a practice or client can choose (code, name); forms offer them, the crisis page
# names them. Kept here, in the tenancy, so pages and selectors share one list.
COUNTRIES: list[tuple[str, str]] = [
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("AU", "Australia"),
    ("DE", "Germany"),
    ("NL", "Netherlands"),
]
COUNTRY_NAMES = dict(COUNTRIES)

# Country code -> (zone, what people call it), most people first. Countries match COUNTRIES.
COUNTRY_ZONES: dict[str, tuple[tuple[str, str], ...]] = {
    "US": (
        ("America/New_York", "Eastern time (New York)"),
        ("America/Chicago", "Central time (Chicago)"),
        ("America/Denver", "Mountain time (Denver)"),
        ("America/Phoenix", "Arizona (no daylight saving)"),
        ("America/Los_Angeles", "Pacific time (Los Angeles)"),
        ("America/Anchorage", "Alaska (Anchorage)"),
        ("Pacific/Honolulu", "Hawaii (Honolulu)"),
        ("America/Puerto_Rico", "Atlantic time (Puerto Rico)"),
    ),
    "CA": (
        ("America/Toronto", "Eastern time (Toronto, Ottawa, Montréal)"),
        ("America/Vancouver", "Pacific time (Vancouver)"),
        ("America/Edmonton", "Mountain time (Edmonton, Calgary)"),
        ("America/Winnipeg", "Central time (Winnipeg)"),
        ("America/Halifax", "Atlantic time (Halifax)"),
        ("America/Regina", "Saskatchewan (Regina)"),
        ("America/St_Johns", "Newfoundland (St. John's)"),
        ("America/Whitehorse", "Yukon (Whitehorse)"),
    ),
    "GB": (("Europe/London", "United Kingdom"),),
    "IE": (("Europe/Dublin", "Ireland"),),
    "AU": (
        ("Australia/Sydney", "New South Wales (Sydney)"),
        ("Australia/Melbourne", "Victoria (Melbourne)"),
        ("Australia/Brisbane", "Queensland (Brisbane)"),
        ("Australia/Perth", "Western Australia (Perth)"),
        ("Australia/Adelaide", "South Australia (Adelaide)"),
        ("Australia/Hobart", "Tasmania (Hobart)"),
        ("Australia/Darwin", "Northern Territory (Darwin)"),
    ),
    "DE": (("Europe/Berlin", "Germany"),),
    "NL": (("Europe/Amsterdam", "Netherlands"),),
}


@cache
def all_time_zones() -> tuple[str, ...]:
    """Every zone a person could live in, A to Z: no "Etc/GMT+5" or bare "EST" aliases."""
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")))


def likely_time_zones(country: str | None) -> list[tuple[str, str]]:
    """(zone, label) for the country's zones, most people first; empty if we have none."""
    return list(COUNTRY_ZONES.get((country or "").upper(), ()))


def time_zone_options(country: str | None) -> list[tuple[str, str]]:
    """Every zone once, the country's likely ones first with their labels, then A to Z."""
    likely = likely_time_zones(country)
    seen = {zone for zone, _ in likely}
    return likely + [(zone, "") for zone in all_time_zones() if zone not in seen]


def _key(text: str) -> str:
    return text.strip().replace(" ", "_").casefold()


@cache
def _by_key() -> dict[str, str]:
    return {_key(zone): zone for zone in available_timezones()}


@cache
def _by_city() -> dict[str, str | None]:
    """'new_york' -> 'America/New_York'; None where two zones share a city name."""
    cities: dict[str, str | None] = {}
    for zone in all_time_zones():
        city = _key(zone.rsplit("/", 1)[-1])
        cities[city] = None if city in cities else zone
    return cities


def time_zone_parse(text: str | None) -> str | None:
    """The zone someone typed, forgiving case, spaces for underscores and a city alone.

    "europe/london", "America/New York" and "Berlin" all name a zone; anything else is None.
    """
    if not text or not text.strip():
        return None
    key = _key(text)
    return _by_key().get(key) or _by_city().get(key)
