"""Community services: membership, threads, files, search, watching, moderation.

Each takes plain values and models, flushes and never commits; the caller owns the transaction.
"""
