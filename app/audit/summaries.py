"""One sentence in French per kind of event, as the account history shows it."""

from __future__ import annotations

from typing import Any

from app.audit.events import EventKind

# `{company}` is the company's name (or nothing for events without a company).
SENTENCES: dict[EventKind, str] = {
    EventKind.ACCOUNT_SIGNED_UP: "Inscription à l'espace professionnel.",
    EventKind.SIGN_UP_WITH_REGISTERED_EMAIL: "Tentative d'inscription avec l'adresse du compte.",
    EventKind.BASIC_SIGN_UP_REFUSED: "Inscription en mode simplifié refusée{for_company}.",
    EventKind.ACTIVATION_CODE_RESENT: "Nouveau code d'activation envoyé.",
    EventKind.BUSINESS_EMAIL_CONFIRMED: "Adresse électronique professionnelle confirmée"
    "{for_company}.",
    EventKind.ACCOUNT_ACTIVATED: "Activation du compte.",
    EventKind.ACCOUNT_EXPIRED: "Inscription expirée faute d'activation dans le délai.",
    EventKind.ACTIVATION_CODE_REJECTED: "Code d'activation refusé.",
    EventKind.PRINCIPAL_ADMINISTRATOR_APPOINTED: "Désignation comme administrateur principal"
    "{for_company}.",
    EventKind.COMPANY_ADDED: "Ajout de l'entreprise{company_name} à l'espace.",
    EventKind.COMPANY_REMOVED: "Retrait de l'entreprise{company_name} de l'espace.",
    EventKind.SERVICE_ACCESS_REQUESTED: "Demande d'adhésion à des services{for_company}.",
    EventKind.ALTERNATE_DESIGNATED: "Désignation d'un administrateur suppléant{for_company}.",
    EventKind.ALTERNATE_SUSPENDED: "Suspension de l'administrateur suppléant{for_company}.",
    EventKind.ALTERNATE_REACTIVATED: "Réactivation de l'administrateur suppléant{for_company}.",
    EventKind.ALTERNATE_REMOVED: "Retrait de l'administrateur suppléant{for_company}.",
    EventKind.DELEGATION_GRANTED: "Délégation accordée{for_company}.",
    EventKind.DELEGATION_UPDATED: "Délégation modifiée{for_company}.",
    EventKind.DELEGATION_REVOKED: "Délégation révoquée{for_company}.",
    EventKind.DELEGATION_REQUESTED: "Demande de délégation{for_company}.",
    EventKind.DELEGATION_REQUEST_DECLINED: "Demande de délégation refusée{for_company}.",
    EventKind.API_TOKEN_CREATED: "Création d'un jeton d'API.",
    EventKind.API_TOKEN_REVOKED: "Révocation d'un jeton d'API.",
    EventKind.API_TOKENS_REVOKED_WITH_PASSWORD: "Jetons d'API révoqués avec le mot de passe.",
    EventKind.LOGIN_SUCCEEDED: "Connexion réussie.",
    EventKind.LOGIN_FAILED: "Échec de connexion.",
    EventKind.LOGIN_LOCKED_OUT: "Connexion bloquée temporairement après plusieurs échecs.",
    EventKind.LOGGED_OUT: "Déconnexion.",
    EventKind.PASSWORD_CHANGED: "Changement du mot de passe.",
    EventKind.PASSWORD_RESET_REQUESTED: "Demande de réinitialisation du mot de passe.",
    EventKind.PASSWORD_RESET: "Réinitialisation du mot de passe.",
    EventKind.STAFF_CREATED: "Création d'un compte agent.",
    EventKind.STAFF_DISABLED: "Désactivation d'un compte agent.",
    EventKind.STAFF_LOGIN_SUCCEEDED: "Connexion d'un agent.",
    EventKind.STAFF_LOGIN_FAILED: "Échec de connexion d'un agent.",
    EventKind.PRINCIPAL_ADMINISTRATOR_REPLACED: "Remplacement de l'administrateur principal par "
    "l'administration{for_company}.",
    EventKind.ACCESS_WITHDRAWN: "Retrait d'accès par l'administration{for_company}.",
    EventKind.COMPANY_REVIEW_ACKNOWLEDGED: "Vérification des délégations et comptes bancaires "
    "confirmée{for_company}.",
    EventKind.MAINTENANCE_SCHEDULED: "Maintenance programmée.",
    EventKind.MAINTENANCE_CANCELLED: "Maintenance annulée.",
    EventKind.SPECIAL_SERVICE_REQUESTED: "Demande d'un service à adhésion spécifique{for_company}.",
    EventKind.SPECIAL_SERVICE_DECIDED: "Décision sur un service à adhésion spécifique"
    "{for_company}.",
    EventKind.PROVISIONAL_ENTITY_REGISTERED: "Enregistrement d'une entité en attente de SIREN.",
    EventKind.SIREN_LINKED: "Rattachement d'un SIREN{for_company}.",
    EventKind.BUSINESS_EMAIL_DESIGNATED: "Désignation d'une adresse électronique "
    "professionnelle{for_company}.",
    EventKind.BANK_ACCOUNT_ADDED: "Ajout d'un compte bancaire {iban}{for_company}.",
    EventKind.BANK_ACCOUNT_REMOVED: "Suppression d'un compte bancaire {iban}{for_company}.",
    EventKind.MESSAGE_THREAD_OPENED: "Envoi d'un message au service des impôts ({reference})"
    "{for_company}.",
    EventKind.MESSAGE_SENT: "Message dans l'échange {reference}{for_company}.",
    EventKind.MESSAGE_THREAD_CLOSED: "Clôture de l'échange {reference}{for_company}.",
    EventKind.SESSION_REVOKED: "Fermeture d'une session.",
    EventKind.IDENTITY_UPDATED: "Modification de l'identité.",
    EventKind.LOGIN_EMAIL_CHANGE_REQUESTED: "Demande de changement de l'adresse de connexion.",
    EventKind.LOGIN_EMAIL_CHANGED: "Changement de l'adresse de connexion.",
    EventKind.EMAIL_PREFERENCES_CHANGED: "Modification des préférences de courriels.",
    EventKind.INFORMATION_EMAIL_SENT: "Envoi d'un courriel d'information.",
}


def summary(kind: str, details: dict[str, Any] | None, company_name: str | None) -> str:
    """The sentence for an event; an unknown kind (a newer process) still reads sensibly."""
    try:
        template = SENTENCES[EventKind(kind)]
    except ValueError:
        return f"Événement {kind}."
    details = details or {}
    return template.format(
        for_company=f" pour {company_name}" if company_name else "",
        company_name=f" {company_name}" if company_name else "",
        iban=details.get("iban", ""),
        reference=details.get("reference", ""),
    )
