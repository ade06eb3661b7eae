"""The Stripe stand-in, for importing paying members (the members tests' fixture)."""

from masthead.members.tests.conftest import stripe_world  # noqa: F401 - a fixture
