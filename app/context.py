"""The per-request GraphQL context: runtime, caller, viewer and dataloaders."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from app.dataloaders import Dataloaders
from app.domain.runtime import Caller, Runtime
from app.models import Account, StaffMember


@dataclass
class Context:
    request: Request
    response: Response
    runtime: Runtime
    caller: Caller
    viewer: Account | None
    loaders: Dataloaders


@dataclass
class StaffContext:
    """The staff endpoint's context: no professional viewer; dataloaders for lists of lists."""

    request: Request
    response: Response
    runtime: Runtime
    caller: Caller
    member: StaffMember | None
    loaders: Dataloaders
