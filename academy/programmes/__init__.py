"""Certified training programmes: learning paths across courses and sessions, with a programme certificate."""
