"""Resolvers of the staff endpoint."""
