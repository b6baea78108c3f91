"""SQLAlchemy models, one module per aggregate."""

from app.models.accounts import Account, AccountMode, AccountStatus, CodePurpose, OneTimeCode
from app.models.audit import AuditEvent
from app.models.companies import Company, CompanyRole, CompanyService, Role
from app.models.notifications import OutboxMessage
from app.models.security import RateLimitHit, Session, ThrottleState

__all__ = [
    "Account",
    "AccountMode",
    "AccountStatus",
    "AuditEvent",
    "CodePurpose",
    "Company",
    "CompanyRole",
    "CompanyService",
    "OneTimeCode",
    "OutboxMessage",
    "RateLimitHit",
    "Role",
    "Session",
    "ThrottleState",
]
