"""Outbox, message texts, and delivery of emails and letters."""
