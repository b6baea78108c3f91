"""Requests for the separate-sign-up services: the types both endpoints show."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from app.models import SpecialServiceRequest as SpecialServiceRequestModel
from app.reference.services import BY_CODE
from app.schema.errors import UserError
from app.schema.nodes import to_global_id
from app.schema.services import OnlineService


@strawberry.enum(description="Where a special service request stands.")
class SpecialServiceRequestStatus(enum.Enum):
    PENDING = strawberry.enum_value("PENDING", description="Awaiting the tax department.")
    APPROVED = strawberry.enum_value("APPROVED", description="Granted: the company holds it.")
    REFUSED = strawberry.enum_value("REFUSED", description="Refused by the tax department.")


@strawberry.type(description="A request for a separate-sign-up service, decided by staff.")
class SpecialServiceRequest:
    id: strawberry.ID = strawberry.field(description="Global ID, for the staff's decision.")
    service: OnlineService = strawberry.field(description="The service asked for.")
    justification: str = strawberry.field(description="Why the company needs it.")
    status: SpecialServiceRequestStatus = strawberry.field(description="Where it stands.")
    created_at: datetime = strawberry.field(description="When it was asked for.")
    decided_at: datetime | None = strawberry.field(description="When it was decided, if it was.")

    @classmethod
    def from_model(cls, request: SpecialServiceRequestModel) -> SpecialServiceRequest:
        return cls(
            id=to_global_id("SpecialServiceRequest", request.id),
            service=OnlineService.from_entry(BY_CODE[request.service_code]),
            justification=request.justification,
            status=SpecialServiceRequestStatus[request.status],
            created_at=request.created_at,
            decided_at=request.decided_at,
        )


@strawberry.input(description="Ask the tax department for a separate-sign-up service.")
class RequestSpecialServiceInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")
    service_code: str = strawberry.field(
        description="REMBOURSEMENT_TVA_UE, DECLARER_DAC6, GUICHET_TVA_UE or ECONOMIE_COLLABORATIVE."
    )
    justification: str = strawberry.field(description="Why the company needs it (10-2,000 chars).")


@strawberry.type(description="Result of a special service request.")
class RequestSpecialServicePayload:
    special_service_request: SpecialServiceRequest | None = strawberry.field(
        description="The request, awaiting the tax department's decision."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was asked.")
