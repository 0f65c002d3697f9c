"""JSON API v1 under /api/v1: personal access tokens, problem+json errors, OpenAPI 3.1. See docs/api.md."""
