"""Rate limiting: requests counted per token (and per address for failed authentications) in
fixed windows, in the database so that several application servers share the counts.

API_RATE_LIMIT reads like "120/min": so many requests per second, minute, hour or day.
"""

from __future__ import annotations

import datetime
import math
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from vaecos.api.models import RateCounter

UNITS = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
DEFAULT_RATE = "120/min"
# Counters older than this are removed whenever a key opens a new window.
KEEP = datetime.timedelta(days=1)


def parse_rate(rate: str) -> tuple[int, int]:
    """(requests, seconds) from "120/min"; the default for a malformed value."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*([a-z]+)\s*", (rate or "").lower())
    if match is None or match.group(2) not in UNITS or int(match.group(1)) < 1:
        match = re.fullmatch(r"(\d+)/([a-z]+)", DEFAULT_RATE)
        assert match is not None
    return int(match.group(1)), UNITS[match.group(2)]


def current_rate() -> tuple[int, int]:
    return parse_rate(getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE))


def hit(key: str, now: datetime.datetime | None = None) -> int | None:
    """Count one request for `key`: None if within the limit, else the seconds to wait until
    the window ends."""
    limit, period = current_rate()
    now = now or timezone.now()
    epoch = int(now.timestamp())
    start = epoch - epoch % period
    window_start = datetime.datetime.fromtimestamp(start, tz=datetime.UTC)
    key = key[:80]
    counters = RateCounter.objects.filter(key=key, window_start=window_start)
    if not counters.update(hits=F("hits") + 1):
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window_start=window_start, hits=1)
        except IntegrityError:  # another server opened the window at the same moment
            counters.update(hits=F("hits") + 1)
        else:
            # Every key's old windows (an address seen once would otherwise stay for good).
            RateCounter.objects.filter(window_start__lt=now - KEEP).delete()
            return None  # the first request of the window (limits are at least 1)
    hits = counters.values_list("hits", flat=True).first() or 0
    if hits <= limit:
        return None
    return max(1, math.ceil(start + period - now.timestamp()))
