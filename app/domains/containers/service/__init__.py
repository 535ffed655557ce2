"""Containers use cases: containers, images and the audit trail they write."""
