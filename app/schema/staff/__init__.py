"""The tax department's endpoint, `/staff/graphql`: its own schema, exported to staff.graphql."""
