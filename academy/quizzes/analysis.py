"""Item analysis for trainers, with Moodle's definitions.

Over the graded attempts of a quiz:
- facility index of a question: its mean score divided by its maximum score (0..1);
- discrimination index: Pearson's correlation between the score on the question and the score
  on the rest of the attempt (attempt total minus that question), over the attempts that
  included it;
- Cronbach's alpha of the quiz: k/(k-1) * (1 - sum of item variances / variance of totals),
  with items taken by position in the attempt (random slots make positions, not questions, the
  stable items), over the attempts holding the usual number of questions.
Questions are flagged when facility < 0.2 (hard), > 0.95 (easy) or discrimination < 0.2.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.csvutil import rows_to_csv, safe_cell
from academy.extensions import db
from academy.quizzes.models import Attempt, AttemptState, Quiz, Response

FACILITY_LOW = 0.2
FACILITY_HIGH = 0.95
DISCRIMINATION_LOW = 0.2


@dataclass
class QuestionStats:
    """Statistics of one question of the quiz."""

    question_id: int
    title: str
    qtype: str
    count: int
    max_points: float
    mean_score: float
    facility: float
    sd: float  # population standard deviation of the fraction scored
    discrimination: float | None
    flags: list[str] = field(default_factory=list)


@dataclass
class QuizStats:
    """Statistics of a quiz."""

    attempts: int
    mean_percent: float | None
    bins: list[tuple[str, int]]
    alpha: float | None
    questions: list[QuestionStats]


def mean(values: list[float]) -> float:
    """Arithmetic mean."""
    return sum(values) / len(values)


def variance(values: list[float]) -> float:
    """Population variance (the n in the denominator cancels in both ratios we use)."""
    m = mean(values)
    return sum((v - m) ** 2 for v in values) / len(values)


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r, or None when either side does not vary or there are fewer than two pairs."""
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def cronbach_alpha(matrix: list[list[float]]) -> float | None:
    """Alpha for rows of item scores (one row per attempt, same items in each)."""
    if len(matrix) < 2 or not matrix[0] or len(matrix[0]) < 2:
        return None
    k = len(matrix[0])
    item_var = sum(variance([row[i] for row in matrix]) for i in range(k))
    total_var = variance([sum(row) for row in matrix])
    if total_var <= 1e-12:
        return None
    return k / (k - 1) * (1 - item_var / total_var)


def histogram(percents: list[float], *, bins: int = 10) -> list[tuple[str, int]]:
    """Counts of attempts per band of 10 percentage points (100% falls in the top band)."""
    width = 100 / bins
    counts = [0] * bins
    for p in percents:
        counts[min(bins - 1, max(0, int(p // width)))] += 1
    labels = [f"{int(i * width)}–{int((i + 1) * width)}%" for i in range(bins)]
    return list(zip(labels, counts, strict=True))


def graded_attempts(quiz: Quiz) -> list[Attempt]:
    """Graded attempts of the quiz with responses and versions, oldest first."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.GRADED)
            .options(selectinload(Attempt.responses).joinedload(Response.version))
            .order_by(Attempt.id)
        )
    )


def analyse(quiz: Quiz, attempts: list[Attempt] | None = None) -> QuizStats:
    """Item analysis of the quiz's graded attempts."""
    if attempts is None:
        attempts = graded_attempts(quiz)
    percents = [a.percent or 0.0 for a in attempts]
    per_question: dict[int, list[tuple[Response, float]]] = defaultdict(list)
    for attempt in attempts:
        total = sum(r.score or 0.0 for r in attempt.responses)
        for response in attempt.responses:
            per_question[response.question_id].append((response, total))
    stats = []
    for question_id, entries in per_question.items():
        latest = entries[-1][0].version
        fractions = [r.fraction or 0.0 for r, _t in entries]
        scores = [r.score or 0.0 for r, _t in entries]
        rest = [t - (r.score or 0.0) for r, t in entries]
        facility = mean(fractions)
        item = QuestionStats(
            question_id=question_id,
            title=latest.title,
            qtype=str(latest.type),
            count=len(entries),
            max_points=max(r.max_points for r, _t in entries),
            mean_score=mean(scores),
            facility=facility,
            sd=math.sqrt(variance(fractions)),
            discrimination=correlation(scores, rest),
        )
        if facility < FACILITY_LOW:
            item.flags.append(_("Very hard"))
        if facility > FACILITY_HIGH:
            item.flags.append(_("Very easy"))
        if item.discrimination is not None and item.discrimination < DISCRIMINATION_LOW:
            item.flags.append(_("Low discrimination"))
        stats.append(item)
    stats.sort(key=lambda s: s.title.casefold())
    return QuizStats(
        attempts=len(attempts),
        mean_percent=round(mean(percents), 1) if percents else None,
        bins=histogram(percents),
        alpha=cronbach_alpha(_position_matrix(attempts)),
        questions=stats,
    )


def _position_matrix(attempts: list[Attempt]) -> list[list[float]]:
    sizes = Counter(len(a.responses) for a in attempts)
    if not sizes:
        return []
    usual = sizes.most_common(1)[0][0]
    return [[r.score or 0.0 for r in a.responses] for a in attempts if len(a.responses) == usual]


def histogram_svg(bins: list[tuple[str, int]], *, title: str, description: str) -> Markup:
    """An accessible SVG bar chart of the histogram, drawn on the server."""
    width, height, pad, base = 640, 260, 36, 220
    peak = max((c for _l, c in bins), default=0) or 1
    bar_w = (width - 2 * pad) / max(1, len(bins))
    parts = [
        f'<svg class="histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="hist-title hist-desc">',
        f'<title id="hist-title">{escape(title)}</title>',
        f'<desc id="hist-desc">{escape(description)}</desc>',
        f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" class="histogram__axis"/>',
    ]
    for i, (label, count) in enumerate(bins):
        h = round((base - 20) * count / peak, 1)
        x = round(pad + i * bar_w + 4, 1)
        parts.append(
            f'<rect x="{x}" y="{round(base - h, 1)}" width="{round(bar_w - 8, 1)}" height="{h}" class="histogram__bar">'
            f"<title>{escape(label)}: {count}</title></rect>"
        )
        parts.append(
            f'<text x="{round(x + (bar_w - 8) / 2, 1)}" y="{base + 16}" class="histogram__label" '
            f'text-anchor="middle">{escape(label.split("–")[0])}</text>'
        )
        if count:
            parts.append(
                f'<text x="{round(x + (bar_w - 8) / 2, 1)}" y="{round(base - h - 4, 1)}" class="histogram__count" '
                f'text-anchor="middle">{count}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)


csv_cell = safe_cell  # kept for callers; the one rule lives in academy.csvutil


def stats_csv(quiz: Quiz, stats: QuizStats) -> str:
    """The item analysis as CSV, one row per question, then the test's summary; every cell quoted and defused."""
    header = ["quiz", "question", "type", "attempts", "max points", "mean score", "facility", "sd",
              "discrimination", "flags"]  # fmt: skip
    rows: list[list[object]] = [
        [
            quiz.title,
            item.title,
            item.qtype,
            item.count,
            item.max_points,
            item.mean_score,
            item.facility,
            item.sd,
            item.discrimination,
            "; ".join(item.flags),
        ]
        for item in stats.questions
    ]
    rows += [[], ["attempts", stats.attempts], ["cronbach alpha", stats.alpha]]
    return rows_to_csv(header, rows)
