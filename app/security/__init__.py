"""Passwords, secrets, sessions and throttling."""
