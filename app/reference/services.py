"""The catalogue of online services (DESIGN.md §2) and the rights each supports."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Right(enum.StrEnum):
    CONSULT = "CONSULT"
    DECLARE = "DECLARE"
    PAY = "PAY"


@dataclass(frozen=True)
class OnlineService:
    code: str
    name: str
    rights: tuple[Right, ...]
    requires_separate_signup: bool = False


_C, _D, _P = Right.CONSULT, Right.DECLARE, Right.PAY


def _separate_signup(code: str, name: str, rights: tuple[Right, ...]) -> OnlineService:
    """A service with its own request (requestSpecialService), decided by the tax department."""
    return OnlineService(code, name, rights, requires_separate_signup=True)


CATALOGUE: tuple[OnlineService, ...] = (
    OnlineService("CONSULTER_COMPTE_FISCAL", "Consulter le compte fiscal", (_C,)),
    OnlineService("DECLARER_TVA", "Déclarer la TVA", (_C, _D)),
    OnlineService("PAYER_TVA", "Payer la TVA", (_C, _P)),
    OnlineService("DECLARER_RESULTAT", "Déclarer le résultat", (_C, _D)),
    OnlineService("PAYER_IS", "Payer l'impôt sur les sociétés", (_C, _P)),
    OnlineService("PAYER_TS", "Payer la taxe sur les salaires", (_C, _P)),
    OnlineService("PAYER_CFE", "Payer la CFE-IFER", (_C, _P)),
    OnlineService("DECLARER_LOYERS", "Déclarer les loyers", (_C, _D)),
    OnlineService("MESSAGERIE", "Messagerie sécurisée", (_C, _D)),
    # Rights of the separate-sign-up services (ours to define): a refund claim is consulted and
    # filed; DAC6 arrangements and platform reports are declared; the EU VAT one-stop shop is
    # declared and paid.
    _separate_signup("REMBOURSEMENT_TVA_UE", "Remboursement de TVA UE", (_C, _D)),
    _separate_signup("DECLARER_DAC6", "Déclarer dispositif DAC6", (_C, _D)),
    _separate_signup("GUICHET_TVA_UE", "Guichet de TVA UE", (_C, _D, _P)),
    _separate_signup("ECONOMIE_COLLABORATIVE", "Économie collaborative", (_C, _D)),
)

BY_CODE: dict[str, OnlineService] = {service.code: service for service in CATALOGUE}
STANDARD_SERVICES: tuple[OnlineService, ...] = tuple(
    service for service in CATALOGUE if not service.requires_separate_signup
)
