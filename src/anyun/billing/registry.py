"""The payable-kind registry: how billing takes payment for things it knows nothing about.

Billing sits below the apps whose things are paid for (prescribing, orders, ...), so it never
imports them. Each such app registers one `PayableKind` per kind of thing in its
`AppConfig.ready`::

    from anyun.billing.registry import PayableKind, register

    register(
        PayableKind(
            name="prescription",             # stored on the order; stable, [a-z_]
            label=_("Prescription"),          # shown to her and to finance staff
            describe=payable.describe,        # (ref, woman, options) -> Payable; raises
            is_payable=payable.is_payable,    # (ref) -> bool, checked again before payment
            on_paid=payable.on_paid,          # (ref, order) inside billing's transaction
            on_refunded=payable.on_refunded,  # (ref, order) inside billing's transaction
            can_refund=payable.can_refund,    # (ref) -> bool; default: always
            ready_for=payable.ready_for,      # (woman) -> [Ready]: her things to pay now
            link=payable.link,                # (ref) -> her page of the thing, or ""
        )
    )

The contract, callback by callback:

- ``describe(ref, woman, options)`` is called when she asks for an order. ``ref`` is the
  thing's public id as a string; ``options`` a small mapping from her request (today
  ``{"delivery": bool}``). It returns a `Payable` (its title and its lines, each amount in
  integer fen, every line > 0 fen except a free one) or raises ``anyun.core.errors.NotFound``
  when the thing is missing or not hers, ``DomainError("not_payable", ...)`` when it exists but
  cannot be paid now (an unreviewed or expired prescription). It must not write.
- ``is_payable(ref)`` is asked again before payment starts and when the provider says the money
  came in; a thing no longer payable by then is refunded automatically.
- ``on_paid(ref, order)`` and ``on_refunded(ref, order)`` run inside billing's transaction
  with the order row locked; they mark the thing (e.g. ``Prescription.paid_at``) and must be
  idempotent and quick (no external calls). Raising rolls the payment back: do not raise for
  a rule, only for a broken invariant.
- ``can_refund(ref)`` says whether a paid thing may still be refunded on her request
  (a dispensed prescription may not).
- ``ready_for(woman)`` lists what she could pay for now, for her orders page.

One order per thing: billing keeps at most one live (pending, paid or refunding) order per
``(kind, ref)``, by a database constraint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext


@dataclass(frozen=True)
class PayableLine:
    """One line of a bill: what it is, in words her language shows, and its amount in fen."""

    label: str
    amount_fen: int
    quantity: int = 1
    # "delivery" for the delivery fee (shown in her language); else the label as written.
    code: str = ""


@dataclass(frozen=True)
class Payable:
    """What a kind says about one thing she is about to pay for."""

    title: str
    lines: Sequence[PayableLine]

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)


@dataclass(frozen=True)
class Ready:
    """A thing of hers that can be paid now (her orders page offers it)."""

    ref: str
    title: str
    amount_fen: int
    delivery_offered: bool = False


def _always(ref: str) -> bool:
    return True


def _nothing(woman: Any) -> list[Ready]:
    return []


def _no_link(ref: str) -> str:
    return ""


@dataclass(frozen=True)
class PayableKind:
    name: str
    label: Promise | str
    describe: Callable[[str, Any, Mapping[str, Any]], Payable]
    is_payable: Callable[[str], bool]
    on_paid: Callable[[str, Any], None]
    on_refunded: Callable[[str, Any], None]
    can_refund: Callable[[str], bool] = field(default=_always)
    ready_for: Callable[[Any], list[Ready]] = field(default=_nothing)
    link: Callable[[str], str] = field(default=_no_link)


KINDS: dict[str, PayableKind] = {}


def register(kind: PayableKind) -> None:
    """Add a kind (in the owning app's `AppConfig.ready`). Registering the same name again
    replaces it (a reloaded app), so a name belongs to one app only."""
    if not kind.name or not kind.name.replace("_", "").isalpha() or not kind.name.islower():
        raise ValueError(f"A payable kind is named in lower-case letters and _: {kind.name!r}")
    KINDS[kind.name] = kind


def kind_of(name: str) -> PayableKind | None:
    return KINDS.get(name)


def kinds() -> list[PayableKind]:
    return sorted(KINDS.values(), key=lambda k: k.name)


def kind_label(name: str) -> str:
    kind = KINDS.get(name)
    return str(kind.label) if kind is not None else gettext("Payment")
