"""Median time of document merges (academy.community.documents.merge) on large texts, worst cases included.

Run: `.venv/bin/python -m bench.merge`. The cases: a 230,000-character document whose different
paragraphs changed (line step only); one 190,000-character paragraph whose different sentences
changed (sentence step); one sentence near the word step's limit changed in two places (word
step, every word repeated, difflib's worst input).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from academy.community.documents.merge import MAX_WORD_CHARS, merge

RUNS = 15


def _cases() -> dict[str, tuple[str, str, str]]:
    sentence = " ".join(f"Sentence number {i} talks about costs and audits of partners." for i in range(150))
    document = "\n\n".join(f"Paragraph {i} {sentence}" for i in range(25)) + "\n"
    long_paragraph = " ".join(f"Sentence number {i} talks about costs and audits of partners." for i in range(3000))
    words = " ".join(f"w{i % 50}" for i in range(MAX_WORD_CHARS // 12)) + "\n"  # base + both sides just fit
    return {
        "paragraphs (230 kB)": (
            document,
            document.replace("Paragraph 3 Sentence number 10 talks", "Paragraph 3 Sentence number 10 now talks"),
            document.replace("Paragraph 20 Sentence number 140", "Paragraph 20 Sentence numbered 140"),
        ),
        "sentences of one paragraph (190 kB)": (
            long_paragraph + "\n",
            long_paragraph.replace("number 10 talks", "number 10 now talks") + "\n",
            long_paragraph.replace("number 2900 talks", "number 2900 speaks") + "\n",
        ),
        "words of one sentence (worst case)": (words, words.replace("w3 w4", "w3 x w4", 1), words[:-20] + " y\n"),
    }


def _median(run: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print the median merge time of each case in milliseconds, and whether it merged cleanly."""
    for name, (base, theirs, mine) in _cases().items():
        clean = merge(base, theirs, mine).clean
        print(f"{name:40} {_median(lambda b=base, t=theirs, m=mine: merge(b, t, m)) * 1000:8.1f} ms  clean={clean}")


if __name__ == "__main__":
    main()
