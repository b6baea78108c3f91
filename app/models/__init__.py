"""SQLAlchemy models, one module per aggregate."""

from app.models.accounts import (
    Account,
    AccountMode,
    AccountStatus,
    CodePurpose,
    LoginEmailChange,
    OneTimeCode,
    UnsubscribeLink,
)
from app.models.audit import AuditEvent
from app.models.bank_accounts import BankAccount
from app.models.companies import Company, CompanyRole, CompanyService, Role
from app.models.delegations import (
    ChangeKind,
    Delegation,
    DelegationChange,
    DelegationRequest,
    DelegationRequestStatus,
    DelegationStatus,
)
from app.models.maintenance import MaintenanceNotice
from app.models.messaging import (
    BusinessEmail,
    BusinessEmailConfirmation,
    Message,
    MessageAttachment,
    MessageThread,
    ThreadRead,
    ThreadStatus,
)
from app.models.notifications import OutboxMessage
from app.models.security import ApiToken, CostBudget, RateLimitHit, Session, ThrottleState
from app.models.services import Capacity, ServiceRequest, ServiceRequestStatus
from app.models.special_services import SpecialServiceRequest, SpecialServiceRequestStatus
from app.models.staff import StaffMember, StaffSession

__all__ = [
    "Account",
    "AccountMode",
    "AccountStatus",
    "ApiToken",
    "AuditEvent",
    "BankAccount",
    "BusinessEmail",
    "BusinessEmailConfirmation",
    "Capacity",
    "ChangeKind",
    "CodePurpose",
    "Company",
    "CompanyRole",
    "CompanyService",
    "CostBudget",
    "Delegation",
    "DelegationChange",
    "DelegationRequest",
    "DelegationRequestStatus",
    "DelegationStatus",
    "LoginEmailChange",
    "MaintenanceNotice",
    "Message",
    "MessageAttachment",
    "MessageThread",
    "OneTimeCode",
    "OutboxMessage",
    "RateLimitHit",
    "Role",
    "ServiceRequest",
    "ServiceRequestStatus",
    "Session",
    "SpecialServiceRequest",
    "SpecialServiceRequestStatus",
    "StaffMember",
    "StaffSession",
    "ThreadRead",
    "ThreadStatus",
    "ThrottleState",
    "UnsubscribeLink",
]
