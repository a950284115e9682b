"""The executive's rollout pages under /rollout/: executives and admins only.

`base.require_executive` guards the whole blueprint; a learner or trainer gets 403 on
every page.
"""

# Each module adds its pages to the blueprint defined in base.
from portal.adoption import views_dashboard  # noqa: F401, E402 - adoption pages, same guard
from portal.rollout.views import phases, plans, strategy, waves  # noqa: F401
from portal.rollout.views.base import bp

__all__ = ["bp"]
