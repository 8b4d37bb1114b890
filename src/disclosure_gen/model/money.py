"""Decimal arithmetic for display: half-up rounding, shares, changes."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def r2(x) -> Decimal:
    """Round half-up to 2 decimals (the displayed 万元 figure)."""
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part, whole) -> Decimal:
    """part/whole in percent, from the displayed (rounded) figures, rounded half-up."""
    w = r2(whole)
    if w == 0:
        return ZERO
    return r2(r2(part) / w * HUNDRED)


def shares(parts, whole=None, force_total: bool = False) -> list[Decimal]:
    """Percent shares of one whole: each displayed part ÷ the displayed whole, rounded half-up,
    so that a reader can recompute every printed share (they may add to 100.01 or 99.99).

    `force_total` (style option `numbers.force_shares_total`): when the parts make up the whole,
    move the rounding residue by the largest-remainder rule so that the shares add to exactly
    100.00 (only ever 0.01 steps, on the parts whose dropped remainder was largest/smallest).
    """
    parts = [r2(p) for p in parts]
    total = r2(whole) if whole is not None else sum(parts, ZERO)
    if total == 0:
        return [ZERO for _ in parts]
    exact = [p / total * HUNDRED for p in parts]
    rounded = [r2(e) for e in exact]
    if not force_total or sum(parts, ZERO) != total:
        return rounded
    diff = HUNDRED - sum(rounded, ZERO)
    steps = int((diff / CENT).to_integral_value())
    if steps:
        sign = 1 if steps > 0 else -1
        # candidates: non-zero parts, ordered by how much rounding took from (or gave to) them
        order = sorted((i for i, p in enumerate(parts) if p != 0),
                       key=lambda i: (exact[i] - rounded[i]) * sign, reverse=True)
        for i in order[: abs(steps)]:
            rounded[i] += CENT * sign
    return rounded


@dataclass(frozen=True)
class Change:
    """Year-over-year change of a displayed figure."""
    current: Decimal
    prior: Decimal

    @property
    def delta(self) -> Decimal:
        return r2(self.current) - r2(self.prior)

    @property
    def amount(self) -> Decimal:
        return abs(self.delta)

    @property
    def sign(self) -> int:
        d = self.delta
        return (d > 0) - (d < 0)

    @property
    def prior_zero(self) -> bool:
        return r2(self.prior) == 0

    @property
    def percent(self) -> Decimal | None:
        """|Δ| / prior × 100, or None when the prior year was zero."""
        if self.prior_zero:
            return None
        return r2(self.amount / r2(self.prior) * HUNDRED)
