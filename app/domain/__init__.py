"""Business rules: plain async functions that raise `DomainError`; no Strawberry here."""
