"""GraphQL API gateway for the professional space of impots.gouv.fr."""
