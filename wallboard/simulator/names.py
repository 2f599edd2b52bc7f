"""Deterministic name and number material, so a seeded call center looks like a real one."""

from __future__ import annotations

import random

FIRST_NAMES: tuple[str, ...] = (
    "John", "Mary", "Luca", "Anna", "James", "Sofia", "David", "Emma", "Marco", "Olivia",
    "Paul", "Chiara", "Peter", "Laura", "Thomas", "Giulia", "Daniel", "Sarah", "Michael", "Elena",
    "Robert", "Alice", "Andrea", "Julia", "Mark", "Linda", "Stefan", "Nina", "George", "Karen",
    "Frank", "Helen", "Pierre", "Claire", "Hans", "Ingrid", "Carlos", "Lucia", "Ahmed", "Fatima",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Doe", "Smith", "Rossi", "Bianchi", "Brown", "Ferrari", "Miller", "Esposito", "Wilson",
    "Romano", "Taylor", "Colombo", "Moore", "Ricci", "Clark", "Marino", "Walker", "Greco", "Hall",
    "Bruno", "Allen", "Gallo", "Young", "Conti", "King", "Costa", "Wright", "Fontana", "Lopez",
    "Moretti", "Hill", "Barbieri", "Green", "Lombardi", "Adams", "Giordano", "Baker", "Rinaldi",
    "Nelson", "Caruso", "Weber", "Dubois", "Fischer", "Martin", "Garcia", "Jansen", "Novak",
)  # fmt: skip

QUEUE_NAMES: tuple[str, ...] = (
    "Sales", "Support", "Billing", "Retention", "Technical", "Orders", "Returns", "VIP",
    "Partners", "Renewals", "Onboarding", "Claims", "Bookings", "Helpdesk", "Complaints",
    "Shipping",
)  # fmt: skip

REGIONS: tuple[str, ...] = ("North", "South", "East", "West", "Central", "Export", "Italy", "UK")

GROUPS: tuple[str, ...] = ("Default", "Experienced", "Trainees")
LOCATIONS: tuple[str, ...] = ("Main", "Remote", "Milan")

AREA_CODES: tuple[str, ...] = ("212", "305", "415", "617", "312", "713", "206", "503")


def person_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct "First Last" names (distinct while the combinations last)."""
    combos = [f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(combos)
    return [combos[i % len(combos)] for i in range(count)]


def queue_name(index: int) -> str:
    """A display name for the index-th queue: "Sales", ..., then "Sales North", ..."""
    base = QUEUE_NAMES[index % len(QUEUE_NAMES)]
    round_ = index // len(QUEUE_NAMES)
    if round_ == 0:
        return base
    return f"{base} {REGIONS[(round_ - 1) % len(REGIONS)]}"


def caller_number(rng: random.Random) -> str:
    # QM passes "anonymous" through literally for withheld numbers, so the client must cope.
    if rng.random() < 0.03:
        return "anonymous"
    return f"{rng.choice(AREA_CODES)}555{rng.randint(0, 9999):04d}"
