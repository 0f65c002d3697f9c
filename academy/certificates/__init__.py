"""Certificates: issued on completion, sealed once, verifiable by anyone.

- completion.py    the rule (a registry of requirements) and `notify_progress`, the job other
                   features queue after a commit that may have completed a course
- services.py      issue, revoke, re-issue, hide details; queries for the pages
- codes.py         human-friendly codes with a check character; only their hash is stored
- pdf.py           the A4 landscape page (reportlab, embedded DejaVu fonts, QR as one path)
- signing.py       the PAdES certification seal (pyHanko) and its offline validation
- verification.py  what verifiers are told, by code or by uploaded PDF
- storage.py       sealed PDFs and ZIP exports on disk, written once
- notify.py        signals for the notifications feature (issued, revoked)
"""
