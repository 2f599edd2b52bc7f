"""The "all selected queues" figures of a selection of the floor: an agent logged on to two of
the queues counts once, and today's figures of the queues are combined, not averaged."""

from __future__ import annotations

from msgspec import Struct

from wallboard.model.derive import StateCounts, longest_wait_since
from wallboard.model.state import Floor, Today


class Totals(Struct, frozen=True, kw_only=True):
    waiting: int
    longest_wait_since: int | None
    agents_logged_in: int
    agents_available: int
    agents_on_call: int
    agents_paused: int
    today: Today | None


def combined_today(days: list[Today]) -> Today | None:
    """Today's figures of several queues together: counts add up, the service level is the
    share of all answered-in-target calls, the averages are weighted by the calls answered."""
    if not days:
        return None
    offered = sum(d.offered for d in days)
    answered = sum(d.answered for d in days)
    in_target = sum(d.answered_in_target for d in days)
    basis = days[0].sl_basis
    whole = answered if basis == "answered" else offered
    waited = sum((d.asa_s or 0) * d.answered for d in days)
    targets = {(d.sl_target_pct, d.sl_target_s) for d in days}
    pct, seconds = targets.pop() if len(targets) == 1 else (None, None)
    sl = 100.0 * in_target / whole if whole else None
    return Today(
        offered=offered,
        answered=answered,
        lost=sum(d.lost for d in days),
        answered_in_target=in_target,
        sl=sl,
        sl_basis=basis,
        sl_target_pct=pct,
        sl_target_s=seconds,
        sl_alert="under" if sl is not None and pct is not None and sl < pct else None,
        asa_s=waited / answered if answered else None,
        as_of=min((d.as_of or 0) for d in days) or None,
        stale=any(d.stale for d in days),
    )


def totals(floor: Floor) -> Totals:
    counts = StateCounts.of(floor.agents)
    return Totals(
        waiting=sum(1 for c in floor.calls if c.state == "waiting"),
        longest_wait_since=longest_wait_since(floor.calls),
        agents_logged_in=counts.logged_in,
        agents_available=counts.available,
        agents_on_call=counts.on_call,
        agents_paused=counts.paused,
        today=combined_today([q.today for q in floor.queues if q.today is not None]),
    )
