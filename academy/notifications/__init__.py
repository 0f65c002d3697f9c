"""Notifications: the outbox, in-app list, e-mail delivery, digests and preferences."""
