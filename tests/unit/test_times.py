"""Times are shown in the viewer's own zone and always name it."""

from datetime import date, datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from mentormatch.web.times import local_time
from mentormatch.zones import zone_of

WINTER_NOON_UTC = datetime(2026, 12, 3, 14, 0, tzinfo=timezone.utc)


def person(zone):
    return SimpleNamespace(profile=SimpleNamespace(time_zone=zone))


def test_a_utc_time_reads_in_each_persons_zone_with_the_zone_named():
    assert local_time(WINTER_NOON_UTC, zone=zone_of(person("America/New_York"))) == "3 Dec 2026, 09:00 EST"
    assert local_time(WINTER_NOON_UTC, zone=zone_of(person("America/Los_Angeles"))) == "3 Dec 2026, 06:00 PST"
    assert local_time(WINTER_NOON_UTC, "time", zone=ZoneInfo("Europe/London")) == "14:00 GMT"


def test_summer_time_is_applied():
    july = datetime(2026, 7, 1, 14, 0, tzinfo=timezone.utc)
    assert local_time(july, zone=ZoneInfo("America/Chicago")) == "1 Jul 2026, 09:00 CDT"


def test_a_naive_time_read_back_from_sqlite_counts_as_utc():
    assert local_time(datetime(2026, 12, 3, 14, 0), zone=ZoneInfo("UTC")) == "3 Dec 2026, 14:00 UTC"


def test_people_without_a_profile_or_with_an_unknown_zone_see_utc():
    assert zone_of(SimpleNamespace(profile=None)) == ZoneInfo("UTC")
    assert zone_of(person("Mars/Olympus_Mons")) == ZoneInfo("UTC")
    assert zone_of(None) == ZoneInfo("UTC")


def test_dates_have_no_zone_and_nothing_reads_as_empty():
    assert local_time(date(2026, 12, 3)) == "3 Dec 2026"
    assert local_time(None) == ""
    assert local_time(WINTER_NOON_UTC, "date", zone=ZoneInfo("Asia/Tokyo")) == "3 Dec 2026"
