"""An iCalendar (RFC 5545) file with one event, written by hand: a convocation's session.

Text values are escaped (backslash, semicolon, comma, line breaks), lines end with CRLF and are
folded at 75 octets without cutting a UTF-8 character; times are in UTC, so no time-zone
definition is needed.
"""

from __future__ import annotations

import datetime

PRODID = "-//Ucanss//VAE COS//FR"


def escape(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, each continuation starting with a
    space (RFC 5545, 3.1)."""
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # the leading space counts
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def event(
    *,
    uid: str,
    start: datetime.datetime,
    end: datetime.datetime,
    summary: str,
    location: str = "",
    description: str = "",
    url: str = "",
    sequence: int = 0,
    stamp: datetime.datetime | None = None,
) -> str:
    """A VCALENDAR with one VEVENT; `start`, `end` and `stamp` are aware datetimes. An updated
    event keeps its `uid` and gets a greater `sequence` (RFC 5545, 3.8.7.4): calendars then
    replace the event they hold instead of adding a second one."""
    stamp = stamp or datetime.datetime.now(datetime.UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(start)}",
        f"DTEND:{utc(end)}",
        f"SUMMARY:{escape(summary)}",
    ]
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
