"""What staff cards and bot messages show, before Telegram: text and abstract buttons (handlers encode them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.storage.models import Report

ButtonKind = Literal["staff", "resident"]


@dataclass(frozen=True)
class Button:
    """An inline button, before encoding: handlers turn it into typed callback data (handlers/callbacks.py)."""

    label: str
    kind: ButtonKind
    action: str
    report_id: int
    status: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "action": self.action,
            "report": self.report_id,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Button:
        kind: ButtonKind = "resident" if data.get("kind") == "resident" else "staff"
        return cls(str(data["label"]), kind, str(data["action"]), int(data["report"]), str(data.get("status", "")))


Buttons = list[list[Button]]


def buttons_to_json(rows: Buttons) -> list[list[dict[str, Any]]]:
    return [[b.to_json() for b in row] for row in rows]


def buttons_from_json(rows: object) -> Buttons:
    if not isinstance(rows, list):
        return []
    return [[Button.from_json(b) for b in row] for row in rows if isinstance(row, list)]


@dataclass(frozen=True)
class CardView:
    text: str
    buttons: Buttons


CardRenderer = Callable[[Report, str], Awaitable[CardView]]
"""Renders a report's card as the staff chat of the given municipality should show it now."""
