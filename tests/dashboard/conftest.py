"""The dashboard tests share the rollout tests' course, evidence builder and plan."""

from tests.rollout.conftest import course, evidence, executive, plan  # noqa: F401
