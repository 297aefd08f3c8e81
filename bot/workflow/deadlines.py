"""Working days (Monday to Friday, in the bot's time zone) for report ages and the question deadline.

Pitfall: public holidays are not skipped yet (as in Signalen); that comes with a later issue.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

QUESTION_OPEN_DAYS = 5  # Signalen's REACTION_REQUEST_DAYS_OPEN
QUESTION_REMINDER_DAY = 3
REOPEN_REQUEST_DAYS = 14


def working_days_between(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> int:
    """Weekdays after ``start``'s date up to and including ``end``'s date (0 on the same day)."""
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    days = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days
