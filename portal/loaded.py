"""Rows read on the connection, made into ORM instances as a query would have loaded them.

For the few statements every request runs (the signed-in user, the open exercise beside
the sandbox), setting up an ORM load of the entities costs more than the statement itself.
Those read plain rows and hand each entity's columns to `as_loaded`.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict
from sqlalchemy.orm.util import identity_key

from portal.extensions import db


def as_loaded(model: type, values: Mapping[str, object]):
    """The `model` instance with these column values (by attribute name, its `id` among
    them), clean and persistent in the session, as if a query had loaded it: changes are
    tracked from here and attributes not given load on first use. If the session holds
    that row already, its own instance, untouched (unsaved changes and all), as a query
    would return it."""
    known = db.session.identity_map.get(identity_key(model, values["id"]))
    if known is not None:
        return known
    instance = inspect(model).class_manager.new_instance()
    instance_dict(instance).update(values)  # what the ORM's loader fills: no history
    make_transient_to_detached(instance)
    db.session.add(instance)
    return instance
