"""Running Academy for real: health and readiness, request logs, metrics, backups and wiping the demo."""
