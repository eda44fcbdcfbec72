"""The assistant's misses, for analysis: each question whose first answer is wrong, with the
three best candidates (id, score, confidence), and the figures of each half of the set (odd
and even lines), so that a change to the method can be checked on both halves.

Usage: .venv/bin/python bench/assistant_misses.py [--eval bench/assistant_eval.jsonl]
(SQLite in a temporary folder, or DATABASE_URL as bench/assistant.py, which it reuses.)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.assistant import _app, _load  # noqa: E402


def _label(passage) -> str:
    if passage.kind == "qa":
        return passage.entry.slug
    return "handbook:" + (passage.article.slug or passage.article.doc_number)


def _top(question: str) -> tuple[list[tuple[str, float, float]], bool]:
    """The three best candidates before the threshold, and whether the question is answered."""
    from blueprints.assistant import engine
    from blueprints.assistant.models import Passage
    from core.extensions import db

    scored = engine.scored_candidates(question)[1]
    rows = [(db.session.get(Passage, i), s, c) for s, c, i in scored[:3]]
    answered = bool(engine.search(question).hits)
    return [(_label(p), s, c) for p, s, c in rows], answered


def _figures(counts: Counter) -> str:
    n, o = counts["in"] or 1, counts["out"] or 1
    return (
        f"top-1 {100 * counts['top1'] / n:.1f}%  top-3 {100 * counts['top3'] / n:.1f}%  "
        f"refused {100 * counts['refused'] / n:.1f}%  out refused {100 * counts['out_ok'] / o:.1f}%"
    )


def _count(counts: Counter, item: dict, ids: list[str]) -> bool:
    expect = set(item["expect"])
    if not expect:
        counts["out"] += 1
        counts["out_ok"] += not ids
        return not ids
    counts["in"] += 1
    counts["top1"] += bool(ids) and ids[0] in expect
    counts["top3"] += bool(expect & set(ids[:3]))
    counts["refused"] += not ids
    return bool(ids) and ids[0] in expect


def main() -> None:
    from blueprints.assistant.engine import ranked_ids

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", default=str(ROOT / "bench" / "assistant_eval.jsonl"))
    parser.add_argument(
        "--documents", type=int, default=60, help="province documents added (0: as make run's demo)"
    )
    args = parser.parse_args()
    lines = Path(args.eval).read_text("utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    app = _app()
    halves = [Counter(), Counter()]
    with app.app_context():
        _load(app, args.documents)
        with app.test_request_context():
            for n, item in enumerate(questions):
                ids = ranked_ids(item["q"])
                if _count(halves[n % 2], item, ids):
                    continue
                top, _answered = _top(item["q"])
                shown = "  ".join(f"{i} {s:.2f}/{c:.2f}" for i, s, c in top)
                print(f"MISS {n} [{item['kind']}] {item['q']!r} want {item['expect']}\n   {shown}")
    for name, counts in zip(("even", "odd"), halves, strict=True):
        print(f"{name} half: {_figures(counts)}")
    print(f"all: {_figures(halves[0] + halves[1])}")


if __name__ == "__main__":
    main()
