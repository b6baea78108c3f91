"""Thin resolvers: read the context, call the domain or the loaders, map to schema types."""
