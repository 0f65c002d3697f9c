"""Words for generated data: Interreg-flavoured names, titles and bodies, picked by a seeded RNG."""

from __future__ import annotations

import hashlib

from academy.certificates import codes

FIRST_NAMES = (
    "Anna", "Jonas", "Marta", "Lukas", "Sofia", "Mateusz", "Elena", "Pieter", "Ines", "Tomas", "Katrin",
    "Dragan", "Aino", "Luca", "Zsófia", "Nikos", "Eva", "Jakub", "Camille", "Mihai", "Łucja", "Sven",
    "Ana", "Rasmus", "Dóra", "Bernard", "Ieva", "Marco", "Hanna", "Óscar",
)  # fmt: skip
LAST_NAMES = (
    "Novak", "Schmidt", "Rossi", "Kowalska", "Jansen", "Dubois", "Papadopoulos", "Horvath", "Virtanen",
    "García", "Popescu", "Kovač", "Berzins", "Nielsen", "Silva", "Müller", "Szabó", "Lindqvist",
    "Kask", "Petrović", "Murphy", "Fischer", "Costa", "Marek", "Hoxha",
)  # fmt: skip
ORGANISATIONS = (
    "Interreg Alpine Space JS", "Interreg Baltic Sea Region MA", "Interreg Danube JS",
    "Interreg France-Italy ALCOTRA", "Interreg North Sea MA", "Interreg Central Europe JS",
    "Interreg Euro-MED", "Interreg NEXT Black Sea Basin", "Interact Office Vienna", "Interreg Europe",
    "Interreg Poland-Slovakia", "Interreg Greater Region", "Interreg Upper Rhine", "Interreg Aurora",
)  # fmt: skip
COUNTRIES = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
             "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "NO", "CH")  # fmt: skip
TOPICS = ("jems", "simplified-costs", "controls", "audit", "communication", "state-aid", "keep-eu", "index")
COURSE_SUBJECTS = (
    "Simplified cost options", "Jems for programme staff", "First-level control", "Audit of operations",
    "Communicating results", "State aid in Interreg", "keep.eu for project search", "INDEX indicators",
    "Cooperation Day planning", "Interreg branding", "Small project funds", "Programme closure",
)  # fmt: skip
MODULE_SUBJECTS = (
    "The legal basis", "Planning the work", "Documents and evidence", "Common mistakes", "Case study",
    "Checklists", "Reporting", "Working with partners", "Data and indicators", "Looking back",
)  # fmt: skip
LESSON_BODY = """## {title}

Interreg programmes bring partners from several countries to one table. This lesson walks through
**{subject}** step by step, with the questions a joint secretariat hears most often.

1. Read the programme manual's chapter on the topic before the partners ask.
2. Check what the regulation allows and what the programme decided on top of it.
3. Write the answer down once, in the FAQ, and link it from Jems.

> A flat rate is agreed before the costs occur; nobody checks the invoices behind it.

| step | who | when |
|---|---|---|
| prepare | lead partner | before the call closes |
| check | controller | within three months |
| pay | managing authority | after the report |

The case of a partner in a border region shows why: the same staff cost can be declared three ways,
and only one of them survives an audit. Try the calculation yourself before the next lesson.
"""
POST_BODIES = (
    "How do you handle the **flat rate for office costs** when a partner joins late? Our controllers "
    "disagree on the starting date.",
    "We used the keep.eu export to map all projects on circular economy in our area. Happy to share "
    "the spreadsheet with anyone who asks.",
    "In Jems, the partner report stays locked after the controller reopened it. Did anyone see this "
    "after the last release?",
    "Cooperation Day 2026: we plan a bike tour across the border with three projects. Ideas for "
    "a rainy-day plan are welcome.",
    "The *INDEX* indicator guidance says to count organisations once per project. Does that hold for "
    "associated partners too?",
    "Thanks, that answered it. We now apply the 15 % rate from the first day of the partnership agreement.",
)
THREAD_TITLES = (
    "Flat rate for a partner who joined late", "Sharing a keep.eu export", "Jems report stays locked",
    "Cooperation Day bike tour", "Counting organisations in INDEX", "Staff costs on an hourly basis",
    "Branding on small project fund posters", "Audit sampling for small programmes",
)  # fmt: skip
COMMUNITY_NAMES = (
    "ICON", "Finance", "Monitoring systems & Jems", "Finance: first-level control",
    "Finance: audit", "Communication officers", "Joint secretariats", "Managing authorities",
    "Capitalisation", "Small project funds", "State aid", "Evaluation", "NEXT programmes",
    "Cooperation Day", "Indicators", "Programme closure", "Harmonised tools", "Legal questions",
    "Youth and volunteers", "Macro-regional strategies",
)  # fmt: skip


def person_name(index: int) -> str:
    """A name for user number `index`; the same index always gets the same name."""
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


def certificate_code(seed: int, index: int) -> str:
    """The grouped code of generated certificate `index`: derived from the seed, so a bench can recompute it."""
    digest = hashlib.sha256(f"academy-bench:{seed}:{index}".encode()).digest()
    number = int.from_bytes(digest[:12], "big")
    body = "".join(codes.ALPHABET[(number >> (5 * i)) & 31] for i in range(codes.RANDOM_CHARS))
    return codes.group(body + codes.check_character(body))
