"""Texts of the emails and letters. Codes and links stand on a line of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.clock import PARIS

SIGNATURE = "\n\n-- \nEspace professionnel, impots.gouv.fr\nThis message was sent automatically.\n"


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str
    code: str


def _paris(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M (heure de Paris)")


def _quoted(text: str) -> str:
    """Text a user typed, marked as theirs so that nobody reads it as the administration's."""
    return f"«{text}» (as typed by its holder)"


# Emails to an address nobody has confirmed yet carry no text a user typed (names included): the
# address may be anyone's, and the gateway must not carry a stranger's words under its name.


def activation_code_email(code: str, expires_at: datetime, registration_number: str) -> Message:
    return Message(
        "Your activation code",
        "Hello,\n\n"
        "Here is the code that activates your professional account:\n\n"
        f"{code}\n\n"
        f"It can be used once, until {_paris(expires_at)}.\n"
        f"Your registration number is {registration_number}.\n"
        "If you did not sign up, ignore this message." + SIGNATURE,
    )


def business_email_confirmation(link: str, expires_at: datetime) -> Message:
    return Message(
        "Confirm your business email address",
        "Hello,\n\n"
        "A professional account is being created with this business email address.\n"
        "Open this link to confirm it:\n\n"
        f"{link}\n\n"
        f"The link works once, until {_paris(expires_at)}. An activation code will then be "
        "posted to the company's registered office." + SIGNATURE,
    )


def postal_activation_letter(company_name: str, code: str, expires_at: datetime) -> Letter:
    return Letter(
        subject="Activation code for your professional space",
        body=(
            f"A professional account has been opened for {company_name}.\n"
            "To activate it, enter this code in your professional space:\n\n"
            f"{code}\n\n"
            f"The code can be used once, until {_paris(expires_at)}.\n"
            "If nobody in your company asked for it, contact your tax office."
        ),
        code=code,
    )


def service_activation_letter(
    company_name: str, service_names: list[str], code: str, expires_at: datetime
) -> Letter:
    services = "\n".join(f"- {name}" for name in service_names)
    return Letter(
        subject="Activation code for online services",
        body=(
            f"Access to these online services was requested for {company_name}:\n{services}\n\n"
            "To activate it, the person who asked enters this code in the professional space:\n\n"
            f"{code}\n\n"
            f"The code can be used once, until {_paris(expires_at)}.\n"
            "If nobody in your company asked for it, contact your tax office."
        ),
        code=code,
    )


def alternate_designated_email(first_name: str, company_name: str) -> Message:
    return Message(
        "You are now alternate administrator",
        f"Hello {first_name},\n\n"
        f"The principal administrator of {company_name} designated you as its alternate "
        "administrator in the professional space: you can now manage its delegations." + SIGNATURE,
    )


DELEGATION_VERBS = {"GRANTED": "granted to", "UPDATED": "changed for", "REVOKED": "revoked for"}


def delegation_email(
    first_name: str,
    kind: str,
    *,
    company_name: str,
    delegate_name: str,
    services: dict[str, list[str]],
    starts_at: datetime,
    ends_at: datetime | None,
) -> Message:
    lines = "\n".join(f"- {code}: {', '.join(rights)}" for code, rights in services.items())
    until = f" until {_paris(ends_at)}" if ends_at else ""
    return Message(
        f"Delegation {kind.lower()}: {company_name}",
        f"Hello {first_name},\n\n"
        f"A delegation on {company_name} was {DELEGATION_VERBS[kind]} the account "
        f"{_quoted(delegate_name)}.\n"
        f"Services and rights:\n{lines}\n"
        f"Valid from {_paris(starts_at)}{until}." + SIGNATURE,
    )


def delegation_requested_email(first_name: str, company_name: str) -> Message:
    return Message(
        f"Delegation request: {company_name}",
        f"Hello {first_name},\n\n"
        f"An account asks you for a delegation on {company_name}. See the request in your "
        "professional space and accept or decline it within 30 days." + SIGNATURE,
    )


def delegation_request_declined_email(first_name: str, company_name: str) -> Message:
    return Message(
        f"Delegation request declined: {company_name}",
        f"Hello {first_name},\n\n"
        f"The administrators of {company_name} declined your delegation request." + SIGNATURE,
    )


def api_token_created_email(first_name: str, name: str, at: datetime) -> Message:
    return Message(
        "A new API token was created",
        f"Hello {first_name},\n\n"
        f"An API token named {_quoted(name)} was created for your professional account on "
        f"{_paris(at)}.\n"
        "If it was not you, revoke it and change your password at once." + SIGNATURE,
    )


def password_reset_email(first_name: str, link: str, expires_at: datetime) -> Message:
    return Message(
        "Reset your password",
        f"Hello {first_name},\n\n"
        "Open this link to choose a new password:\n\n"
        f"{link}\n\n"
        f"The link works once, until {_paris(expires_at)}.\n"
        "If you did not ask for it, ignore this message: your password stays as it is." + SIGNATURE,
    )


def password_changed_email(first_name: str, at: datetime, revoked_tokens: int) -> Message:
    tokens = (
        f"Its {revoked_tokens} API token(s) were revoked: create new ones for your software.\n"
        if revoked_tokens
        else ""
    )
    return Message(
        "Your password was changed",
        f"Hello {first_name},\n\n"
        f"The password of your professional account was changed on {_paris(at)}.\n"
        "Your other sessions were closed and earlier password-reset links no longer work.\n"
        f"{tokens}"
        "If it was not you, reset your password at once and contact your tax office." + SIGNATURE,
    )


def sign_up_with_registered_email() -> Message:
    return Message(
        "Sign-up attempt with your email address",
        "Hello,\n\n"
        "Someone tried to open a professional account with this email address, which already "
        "has one. Nothing was changed.\n"
        "If it was you, log in, or reset your password if you forgot it. Otherwise ignore "
        "this message." + SIGNATURE,
    )


def basic_sign_up_refused(company_name: str) -> Message:
    return Message(
        "Basic-mode sign-up not available",
        "Hello,\n\n"
        "A basic-mode professional account was asked for with this business email address for "
        f"{company_name}. That company already has a user of the online services, so basic mode "
        "is not available for it. Sign up in expert mode and ask its administrator for a "
        "delegation." + SIGNATURE,
    )


def company_sign_up_attempt_email(first_name: str, company_name: str) -> Message:
    return Message(
        f"Basic-mode sign-up attempt: {company_name}",
        f"Hello {first_name},\n\n"
        f"Someone asked for a basic-mode professional account for {company_name}, of which you "
        "are the principal administrator. It was refused: the company already has users. If a "
        "colleague needs access, grant them a delegation." + SIGNATURE,
    )


def account_locked_email(until: datetime) -> Message:
    return Message(
        "Log-in attempts blocked",
        "Hello,\n\n"
        "Several wrong passwords were entered for your professional account. Log-in from "
        f"the address concerned is blocked until {_paris(until)}.\n"
        "If it was not you, consider changing your password." + SIGNATURE,
    )


def principal_appointed_by_staff_email(first_name: str, company_name: str) -> Message:
    return Message(
        f"You are now principal administrator: {company_name}",
        f"Hello {first_name},\n\n"
        f"The tax department made you the principal administrator of {company_name} in the "
        "professional space, for every service the company holds.\n"
        "Check its delegations and bank accounts now: they stay as your predecessor left them. "
        "Then confirm in your space that you reviewed them (acknowledgeCompanyReview)." + SIGNATURE,
    )


def principal_replaced_email(first_name: str, company_name: str) -> Message:
    return Message(
        f"You are no longer principal administrator: {company_name}",
        f"Hello {first_name},\n\n"
        f"The tax department appointed another principal administrator of {company_name}. "
        "If you did not expect it, contact your tax office." + SIGNATURE,
    )


def access_withdrawn_email(first_name: str, company_name: str) -> Message:
    return Message(
        f"Access withdrawn: {company_name}",
        f"Hello {first_name},\n\n"
        f"The tax department withdrew your administrator role on {company_name}. Delegations "
        "you may hold are unchanged. If you did not expect it, contact your tax office."
        + SIGNATURE,
    )


def special_service_decided_email(
    first_name: str, company_name: str, service_name: str, *, approved: bool
) -> Message:
    outcome = (
        f"approved: {company_name} now holds it, and you hold its rights as principal administrator"
        if approved
        else "refused. Your tax office can tell you why"
    )
    return Message(
        f"{service_name}: request {'approved' if approved else 'refused'}",
        f"Hello {first_name},\n\n"
        f"Your request for {service_name} for {company_name} was {outcome}." + SIGNATURE,
    )


def company_principal_replaced(company_name: str) -> Message:
    return Message(
        f"New principal administrator: {company_name}",
        "Hello,\n\n"
        f"The tax department appointed a new principal administrator of {company_name} in the "
        "professional space. If the company did not ask for it, contact your tax office."
        + SIGNATURE,
    )


def bank_account_changed_email(
    company_name: str, masked_iban: str, mandate_reference: str, at: datetime, *, added: bool
) -> Message:
    change = "added to" if added else "removed from"
    return Message(
        f"Bank account {'added' if added else 'removed'}: {company_name}",
        "Hello,\n\n"
        f"The bank account {masked_iban} (mandate reference {mandate_reference}) was {change} "
        f"the payment accounts of {company_name} by its principal administrator on {_paris(at)}.\n"
        "If the company did not ask for this change, contact your tax office at once." + SIGNATURE,
    )


def business_email_designation(company_name: str, link: str, expires_at: datetime) -> Message:
    return Message(
        "Confirm the business email address of a company",
        "Hello,\n\n"
        "This address was designated as the business email of a company in the professional "
        f"space of impots.gouv.fr ({company_name}).\n"
        "Open this link to confirm it:\n\n"
        f"{link}\n\n"
        f"The link works once, until {_paris(expires_at)}. If you do not expect this, ignore "
        "this message: nothing changes without the confirmation." + SIGNATURE,
    )


def business_email_replacement_notice(company_name: str) -> Message:
    return Message(
        f"New business email designated: {company_name}",
        "Hello,\n\n"
        f"The principal administrator of {company_name} designated a new business email address. "
        "This address stays in force until the new one is confirmed. If the company did not ask "
        "for this change, contact your tax office." + SIGNATURE,
    )


def message_acknowledgement(
    company_name: str, reference: str, subject: str, at: datetime
) -> Message:
    return Message(
        f"Acknowledgement of receipt {reference}",
        "Hello,\n\n"
        f"Your tax office received the message {reference} of {company_name} on {_paris(at)}.\n"
        f"Subject: {_quoted(subject)}\n"
        "Read the exchange in the secure messaging of the professional space; quote the "
        "reference in any exchange about it." + SIGNATURE,
    )


def office_replied_email(company_name: str, reference: str) -> Message:
    return Message(
        f"Your tax office replied: {reference}",
        "Hello,\n\n"
        f"Your tax office replied to the message {reference} of {company_name}. For the "
        "confidentiality of your affairs, the reply is not in this email: read it in the secure "
        "messaging of the professional space." + SIGNATURE,
    )


def login_email_change_link(link: str, expires_at: datetime) -> Message:
    return Message(
        "Confirm your new login email address",
        "Hello,\n\n"
        "A professional account of impots.gouv.fr asked to use this address to log in.\n"
        "Open this link to confirm it:\n\n"
        f"{link}\n\n"
        f"The link works once, until {_paris(expires_at)}. If you did not ask for this, ignore "
        "this message: nothing changes without the confirmation." + SIGNATURE,
    )


def login_email_change_notice(first_name: str) -> Message:
    return Message(
        "Change of your login email requested",
        f"Hello {first_name},\n\n"
        "A change of your login email address was requested. It happens only when the link sent "
        "to the new address is used; until then, log in with this address. If you did not ask "
        "for it, change your password at once." + SIGNATURE,
    )


def login_email_changed_notice(first_name: str) -> Message:
    return Message(
        "Your login email was changed",
        f"Hello {first_name},\n\n"
        "Your professional account now logs in with another address: this one no longer "
        "works. If you did not ask for it, contact your tax office at once." + SIGNATURE,
    )


def information_email(subject: str, body: str, unsubscribe_link: str) -> Message:
    return Message(
        subject,
        "Hello,\n\n"
        f"{body}\n\n"
        "You receive this general-information email because you asked for them. To stop "
        "receiving them, open this link (no log-in needed):\n\n"
        f"{unsubscribe_link}\n" + SIGNATURE,
    )
