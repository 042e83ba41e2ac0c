"""The time zones a person can choose: the common ones first, then every place zone, no obsolete aliases.

The list is the tz database's ``zone.tab`` (one row per place zone, the table it
publishes for pickers like this one), read from the ``tzdata`` package so it is
the same on every host. Names such as "US/Eastern", "EST5EDT", "Etc/GMT+5" or
"Asia/Calcutta" are backward-compatibility links: they are hidden from the list,
but a profile that stored one keeps working and is told the current name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from zoneinfo import available_timezones

# The network's people are in the US, Canada, the UK and Ireland, the EU, Australia and New Zealand.
COMMON = (
    ("America/New_York", "Eastern time (New York)"),
    ("America/Chicago", "Central time (Chicago)"),
    ("America/Denver", "Mountain time (Denver)"),
    ("America/Phoenix", "Mountain time without daylight saving (Phoenix)"),
    ("America/Los_Angeles", "Pacific time (Los Angeles)"),
    ("America/Anchorage", "Alaska time (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii time (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic time (Puerto Rico)"),
    ("America/Toronto", "Eastern time (Toronto)"),
    ("America/Winnipeg", "Central time (Winnipeg)"),
    ("America/Regina", "Central time without daylight saving (Regina)"),
    ("America/Edmonton", "Mountain time (Edmonton)"),
    ("America/Vancouver", "Pacific time (Vancouver)"),
    ("America/Halifax", "Atlantic time (Halifax)"),
    ("America/St_Johns", "Newfoundland time (St. John’s)"),
    ("Europe/London", "UK time (London)"),
    ("Europe/Dublin", "Irish time (Dublin)"),
    ("Europe/Paris", "Central European time (Paris)"),
    ("Europe/Berlin", "Central European time (Berlin)"),
    ("Europe/Madrid", "Central European time (Madrid)"),
    ("Europe/Rome", "Central European time (Rome)"),
    ("Europe/Amsterdam", "Central European time (Amsterdam)"),
    ("Europe/Athens", "Eastern European time (Athens)"),
    ("Australia/Sydney", "Australian Eastern time (Sydney)"),
    ("Australia/Melbourne", "Australian Eastern time (Melbourne)"),
    ("Australia/Brisbane", "Australian Eastern time without daylight saving (Brisbane)"),
    ("Australia/Adelaide", "Australian Central time (Adelaide)"),
    ("Australia/Darwin", "Australian Central time without daylight saving (Darwin)"),
    ("Australia/Perth", "Australian Western time (Perth)"),
    ("Australia/Hobart", "Australian Eastern time (Hobart)"),
    ("Pacific/Auckland", "New Zealand time (Auckland)"),
    ("UTC", "UTC, Coordinated Universal Time"),
)
COMMON_LABELS = dict(COMMON)


@dataclass(frozen=True)
class Zones:
    """The zones on offer and what the tz database says of the names it keeps for compatibility."""

    common: tuple[str, ...]
    others: tuple[str, ...]  # every other place zone, alphabetical
    current_name: dict[str, str]  # an obsolete alias -> the zone it now points to
    aliases: dict[str, tuple[str, ...]]  # a zone on offer -> the obsolete names that point to it
    names: frozenset[str]  # common and others
    known: frozenset[str]  # every name zoneinfo can load, obsolete ones included

    def offered(self, name: str) -> bool:
        return name in self.names


def _tz_file(name: str) -> str:
    return (resources.files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def zones() -> Zones:
    """The zones, read once from the tz database."""
    known = available_timezones()
    places = {line.split("\t")[2] for line in _tz_file("zone.tab").splitlines()
              if line and not line.startswith("#")}
    offered = (places & known) | {"UTC"}
    links = {}
    for line in _tz_file("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    current_name = {}
    for alias, target in links.items():
        while target in links and target not in offered:  # a link to a link
            target = links[target]
        if alias not in offered and target in offered:
            current_name[alias] = target
    aliases: dict[str, list[str]] = {}
    for alias, target in sorted(current_name.items()):
        aliases.setdefault(target, []).append(alias)
    common = tuple(name for name, _ in COMMON if name in offered)
    return Zones(common=common, others=tuple(sorted(offered - set(common))), current_name=current_name,
                 aliases={name: tuple(found) for name, found in aliases.items()}, names=frozenset(offered),
                 known=frozenset(known))


def zone_label(name: str | None) -> str:
    """How a zone reads in the list and on the profile: 'Central time (Chicago)', 'Asia/Ho Chi Minh'."""
    if not name:
        return ""
    return COMMON_LABELS.get(name) or name.replace("_", " ")


def legacy_note(name: str | None) -> str:
    """For a stored obsolete name: what to tell the person; '' for a zone on offer (or no zone at all)."""
    if not name or zones().offered(name) or name not in zones().known:
        return ""
    current = zones().current_name.get(name)
    if current:
        return f"“{name}” is an old name for {zone_label(current)}; choose it from the list when you next save."
    return f"“{name}” is an old time zone name; choose your zone from the list when you next save."
