"""Load through the emulator: a hundred residents at once (``make load`` runs a thousand and prints figures).

Nothing here is timed: the test asserts that everyone is answered, nothing errs, every filed report has its
one card in the right group, every staff message reaches its resident, and nobody sees another's text.
"""

from __future__ import annotations

import math

import pytest

from bot.dev.load import run_load
from bot.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The production rate limiter, group pace included (the other e2e tests lift the group pace)."""
    return settings.model_copy(
        update={"telegram_group_rate_limit": Settings.model_fields["telegram_group_rate_limit"].default}
    )


async def test_a_hundred_residents_and_staff_at_once(settings: Settings) -> None:
    result = await run_load(settings, 100, timeout=120, report_every=20)
    # 4 steps each, one resident starts with a crisis, and 5 reporters take 7 more steps to file.
    assert result.steps == 401 + 5 * 7
    assert result.answered == result.steps
    assert result.errors == 0
    assert not math.isnan(result.crisis_max_ms)  # the crisis was answered
    assert result.p50_ms <= result.p99_ms
    assert result.reporters == result.reports_filed == 5
    assert result.cards_ok == 5  # exactly one card each, in its own municipality's group
    assert result.staff_messages_delivered == 5  # taken on and messaged; the resident got it
    assert result.staff_stalled == {}
    assert result.crosstalk == 0
