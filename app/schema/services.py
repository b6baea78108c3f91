"""Online services, rights, service requests and the authorization decision."""

from __future__ import annotations

import enum
import functools
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.models import ServiceRequest as ServiceRequestModel
from app.reference.services import BY_CODE
from app.reference.services import OnlineService as CatalogueEntry
from app.schema.errors import UserError
from app.schema.nodes import Node, to_global_id
from app.security.permissions import CompaniesRead

if TYPE_CHECKING:
    from app.schema.companies import Company

CompanyRef = Annotated["Company", strawberry.lazy("app.schema.companies")]


@strawberry.enum(description="What an account may do on an online service.")
class Right(enum.Enum):
    CONSULT = strawberry.enum_value("CONSULT", description="Read the company's data.")
    DECLARE = strawberry.enum_value("DECLARE", description="File declarations.")
    PAY = strawberry.enum_value("PAY", description="Pay taxes.")


@strawberry.enum(description="In what capacity an account asks for a company's services.")
class Capacity(enum.Enum):
    LEGAL_REPRESENTATIVE = strawberry.enum_value(
        "LEGAL_REPRESENTATIVE", description="The company's legal representative."
    )
    MANDATED_PERSON = strawberry.enum_value(
        "MANDATED_PERSON", description="A person mandated by the company."
    )


@strawberry.type(description="An online service of the catalogue.")
class OnlineService:
    code: str = strawberry.field(description="Stable code, e.g. DECLARER_TVA.")
    name: str = strawberry.field(description="Name shown to users.")
    supported_rights: list[Right] = strawberry.field(description="Rights the service supports.")
    requires_separate_signup: bool = strawberry.field(
        description="Granted only through its own request, decided by the tax department."
    )

    @classmethod
    def from_entry(cls, entry: CatalogueEntry) -> OnlineService:
        """One object per catalogue entry, shared: the catalogue never changes while serving."""
        return _online_service(entry)


@functools.cache
def rights_of(rights: tuple[str, ...]) -> tuple[Right, ...]:
    """The schema's rights for catalogue rights, one shared tuple per combination (immutable,
    so that execution completes each combination once per request: app/schema/planning.py)."""
    return tuple(Right[right] for right in rights)


@functools.cache
def _online_service(entry: CatalogueEntry) -> OnlineService:
    return OnlineService(
        code=entry.code,
        name=entry.name,
        supported_rights=[Right[right] for right in entry.rights],
        requires_separate_signup=entry.requires_separate_signup,
    )


@strawberry.enum(description="Where a service request stands.")
class ServiceRequestStatus(enum.Enum):
    PENDING = strawberry.enum_value("PENDING", description="Waiting for the posted code.")
    ACTIVATED = strawberry.enum_value("ACTIVATED", description="Activated with its code.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="The code's 60 days have passed.")
    CANCELLED = strawberry.enum_value(
        "CANCELLED", description="The company was removed from the account."
    )


@strawberry.type(description="A request for online services on one company (expert mode).")
class ServiceRequest(Node):
    status: ServiceRequestStatus = strawberry.field(description="Where the request stands.")
    capacity: Capacity = strawberry.field(description="Capacity the account claimed.")
    services: list[OnlineService] = strawberry.field(description="The services requested.")
    created_at: datetime = strawberry.field(description="When the request was made.")
    expires_at: datetime = strawberry.field(
        description="End of the code's validity: end of the 60th day, Europe/Paris."
    )
    company_id: strawberry.Private[int]
    account_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, request: ServiceRequestModel, now: datetime) -> ServiceRequest:
        return cls(
            id=to_global_id("ServiceRequest", request.id),
            status=ServiceRequestStatus[request.effective_status(now)],
            capacity=Capacity[request.capacity],
            services=[OnlineService.from_entry(BY_CODE[code]) for code in request.service_codes],
            created_at=request.created_at,
            expires_at=request.expires_at,
            company_id=request.company_id,
            account_id=request.account_id,
        )

    @strawberry.field(
        description="The company the request is for.", permission_classes=[CompaniesRead]
    )
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        from app.schema.companies import Company

        loaders = info.context.loaders
        company = await loaders.companies_by_id.load(self.company_id)
        role = await loaders.roles_by_account_and_company.load((self.account_id, self.company_id))
        return Company.from_model(company, role, self.account_id) if company else None


@strawberry.input(description="Attach a company to the account by SIREN or IDSP; no rights yet.")
class AddCompanyInput:
    identifier: str = strawberry.field(
        description="SIREN (9 digits, spaces allowed) or IDSP (P and 9 digits)."
    )


@strawberry.enum(description="Codes of payload warnings: the operation succeeded anyway.")
class WarningCode(enum.Enum):
    RECOMMENDED_IDENTIFIER_LIMIT_EXCEEDED = strawberry.enum_value(
        "RECOMMENDED_IDENTIFIER_LIMIT_EXCEEDED",
        description="More than the 100 SIREN/IDSP per account the administration recommends.",
    )


@strawberry.type(description="Something worth knowing about a successful operation.")
class Warning:  # noqa: A001  (the contract's word)
    code: WarningCode = strawberry.field(description="Stable warning code.")
    message: str = strawberry.field(description="Explanation for a person.")


@strawberry.type(description="Result of addCompany.")
class AddCompanyPayload:
    company: CompanyRef | None = strawberry.field(description="The company, now on the account.")
    warnings: list[Warning] = strawberry.field(description="Warnings; the company was added.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was added.")


@strawberry.input(description="Detach a company the account holds no role on.")
class RemoveCompanyInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")


@strawberry.type(description="Result of removeCompany.")
class RemoveCompanyPayload:
    user_errors: list[UserError] = strawberry.field(description="Why nothing was removed.")


@strawberry.input(description="Ask for services on added companies; a code is posted to each.")
class RequestServiceAccessInput:
    company_ids: list[strawberry.ID] = strawberry.field(
        description="Global IDs of companies added to the account (at most 100)."
    )
    service_codes: list[str] = strawberry.field(
        description="Codes of standard services (see `onlineServices`)."
    )
    capacity: Capacity = strawberry.field(description="Capacity in which the account asks.")


@strawberry.type(description="Result of requestServiceAccess: one request per company.")
class RequestServiceAccessPayload:
    requests: list[ServiceRequest] = strawberry.field(description="The new requests.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was requested.")


@strawberry.input(description="Activate a service request with the code posted to the company.")
class ActivateServiceAccessInput:
    request_id: strawberry.ID = strawberry.field(description="Global ID of the service request.")
    code: str = strawberry.field(description="The code from the letter, dashes and case optional.")


@strawberry.type(description="Result of activateServiceAccess.")
class ActivateServiceAccessPayload:
    company: CompanyRef | None = strawberry.field(
        description="The company, of which the account is now principal administrator."
    )
    user_errors: list[UserError] = strawberry.field(description="Why the code was refused.")


@strawberry.enum(description="Why `authorize` answered as it did.")
class AuthorizationReason(enum.Enum):
    PRINCIPAL_ADMINISTRATOR = strawberry.enum_value(
        "PRINCIPAL_ADMINISTRATOR",
        description="Allowed: principal administrator of a service the company holds.",
    )
    INVALID_COMPANY_IDENTIFIER = strawberry.enum_value(
        "INVALID_COMPANY_IDENTIFIER", description="Not a SIREN nor an IDSP."
    )
    NO_ROLE_ON_COMPANY = strawberry.enum_value(
        "NO_ROLE_ON_COMPANY", description="No role giving rights on this company (or no company)."
    )
    UNKNOWN_SERVICE = strawberry.enum_value("UNKNOWN_SERVICE", description="No such service.")
    RIGHT_NOT_SUPPORTED = strawberry.enum_value(
        "RIGHT_NOT_SUPPORTED", description="The service does not support this right."
    )
    SERVICE_NOT_HELD = strawberry.enum_value(
        "SERVICE_NOT_HELD", description="The company is not signed up for this service."
    )
    ALTERNATE_ADMINISTRATOR = strawberry.enum_value(
        "ALTERNATE_ADMINISTRATOR",
        description="Allowed: active alternate administrator of a service the company holds.",
    )
    DELEGATION = strawberry.enum_value(
        "DELEGATION", description="Allowed: an active delegation grants this right."
    )
    ALTERNATE_SUSPENDED = strawberry.enum_value(
        "ALTERNATE_SUSPENDED", description="The account is a suspended alternate administrator."
    )
    DELEGATION_NOT_ACTIVE = strawberry.enum_value(
        "DELEGATION_NOT_ACTIVE", description="The delegation is scheduled, expired or revoked."
    )
    BANK_ACCOUNT_NOT_FOUND = strawberry.enum_value(
        "BANK_ACCOUNT_NOT_FOUND",
        description="authorizePayment only: no such bank account in force for this company.",
    )
    RIGHT_NOT_DELEGATED = strawberry.enum_value(
        "RIGHT_NOT_DELEGATED", description="The delegation does not include this right."
    )
    UNDER_MAINTENANCE = strawberry.enum_value(
        "UNDER_MAINTENANCE",
        description="A maintenance window of the tax department covers this service now "
        "(see serviceStatus).",
    )


@strawberry.input(description="The question a downstream online service asks the gateway.")
class AuthorizeInput:
    company_identifier: str = strawberry.field(description="SIREN or IDSP of the company.")
    service_code: str = strawberry.field(description="Service code, e.g. DECLARER_TVA.")
    right: Right = strawberry.field(description="The right to exercise.")


@strawberry.type(description="The decision, for the authenticated account.")
class AuthorizePayload:
    allowed: bool = strawberry.field(description="Whether the account may do it.")
    reason: AuthorizationReason = strawberry.field(description="Why.")
