"""Callback data for inline buttons: short, versionless prefixes, validated against Telegram's 64 bytes.

Formats (``:``-separated; ids never contain ``:``):
``lang:<nl|en>``, ``theme:<theme>``, ``topic:<topic-id>``, ``fb:<topic-id>:<1|0>``, ``rep:<category|->``,
``menu``. Report-flow buttons use ``r:<step>:<value>``.

Pitfall: the limit is 64 *bytes*; keep values ASCII ids, never resident text.
"""

from __future__ import annotations

MAX_BYTES = 64


def pack(*parts: str) -> str:
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> list[str]:
    return (data or "").split(":")
