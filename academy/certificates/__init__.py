"""Certificates: issued on completion, sealed once, verifiable by anyone.

- completion.py    the rule (a per-app registry of requirements) and the course page's standing
- jobs.py          `notify_progress`, the job other features queue after a commit that may have
                   completed a course (issues once), and the bulk ZIP export
- services.py      issue, revoke, re-issue, suspend, hide details, ask for an export
- achievements.py  certificates of "an achievement" (kind + id) that a higher feature registers
- queries.py       the queries behind the pages (a holder's list, a course's list, exports)
- codes.py         human-friendly codes with a check character; only their hash is stored
- pdf.py           the A4 landscape page (reportlab, embedded DejaVu fonts, QR as one path)
- keys.py          the seal's keys (configured, or a development CA) and their description
- signing.py       the PAdES certification seal (pyHanko) and its offline validation
- verification.py  what verifiers are told, by code or by uploaded PDF
- storage.py       sealed PDFs and ZIP exports on disk, written once
- notify.py        the notifications of holders (issued, revoked)
- hooks.py         per-app issue and status hooks (credentials registers here)
"""
