"""Load through the emulator: a hundred residents at once (``make load`` runs a thousand and prints figures).

Nothing here is timed: the test asserts that everyone is answered and nothing errs.
"""

from __future__ import annotations

from bot.dev.load import run_load
from bot.settings import Settings


async def test_a_hundred_residents_at_once_are_all_answered(settings: Settings) -> None:
    result = await run_load(settings, 100, timeout=120)
    assert result.steps == 401  # 4 steps each, and one resident starts with a crisis
    assert result.answered == result.steps
    assert result.errors == 0
    assert result.crisis_max_ms == result.crisis_max_ms  # the crisis was answered (not NaN)
    assert result.p50_ms <= result.p99_ms
