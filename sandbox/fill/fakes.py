"""Faker set up for the organisation's language, seeded so the same seed gives the same
people: sandbox customers here, and the demo organisation's staff in seed/."""

from __future__ import annotations

from faker import Faker

# Faker locales for an organisation's language. Urdu has no Faker locale: Pakistani
# English names are the closest; English organisations get South Asian names as well.
FAKER_LOCALES = {"hi": ("hi_IN",), "ur": ("en_PK",)}
DEFAULT_LOCALES = ("en_PK", "en_IN")


def faker_locales(language: str) -> tuple[str, ...]:
    """The Faker locales fake people are made in, for an organisation's language."""
    return FAKER_LOCALES.get(language, DEFAULT_LOCALES)


def make_faker(seed: int, locales: tuple[str, ...] = DEFAULT_LOCALES) -> Faker:
    """A Faker that gives the same people for the same seed."""
    faker = Faker(list(locales))
    faker.seed_instance(seed)
    return faker
