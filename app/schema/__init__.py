"""Strawberry types, inputs, payloads and enums; `root.py` builds the schema. No SQL here."""
