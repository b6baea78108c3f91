"""The account history."""
