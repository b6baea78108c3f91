"""Helpers every resolver module uses: the viewer's id and the keys behind global IDs."""

from __future__ import annotations

import strawberry

from app.domain.errors import NotAuthenticatedError
from app.resolvers.errors import top_level
from app.schema.nodes import from_global_id


def global_pk(global_id: str, type_name: str) -> int | None:
    """The primary key behind a global ID of this type; None for anything else."""
    decoded = from_global_id(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else None


def viewer_id(info: strawberry.Info) -> int:
    if info.context.viewer is None:
        raise top_level(NotAuthenticatedError())
    return info.context.viewer.id
