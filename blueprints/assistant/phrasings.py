"""How a question compares with one passage's phrasings (an entry's question and its
alternatives, a section's title and heading), each phrasing taken on its own: the folded
question field holds them separated by `analysis.PHRASING_SEPARATOR`. Any number matches any
number here: "75 điểm xếp loại gì" is asked as "90 điểm là xuất sắc?". The engine decides what
these measures are worth (`engine._rescored`)."""

from __future__ import annotations

from blueprints.assistant.analysis import PHRASING_SEPARATOR, STOPWORDS


def number_class(word: str) -> str:
    """A number as one class ("0"), any other word as itself."""
    return "0" if word.isdigit() else word


def phrasing_words(phrasing: str) -> set[str]:
    """The content words of one phrasing, any number as one class."""
    return {number_class(t) for t in phrasing.split() if t not in STOPWORDS}


def best_phrasing(qtext: str, content: list[str], idf: dict) -> float:
    """How closely the question matches the nearest of the passage's phrasings (an entry's
    question or one of its alternatives; a section's title or heading): the idf-weighted Dice
    overlap of their content words, the glossary applied to both. Coverage alone favours the
    entry with the most phrasings on a topic; this also counts what a phrasing asks that the
    question does not ("thẻ đảng viên điện tử" for "thẻ đảng viên để làm gì"). Here any
    number matches any number: "75 điểm xếp loại gì" is asked as "90 điểm là xuất sắc?"."""
    weight = {number_class(w): idf[w] for w in content}
    wanted = set(weight)
    mass = sum(weight.values())
    unknown = mass / len(weight)  # a word of the phrasing only: weighed as an average one
    best = 0.0
    for phrasing in qtext.split(PHRASING_SEPARATOR):
        own = phrasing_words(phrasing)
        if own:
            common = sum(weight[w] for w in own & wanted)
            best = max(best, 2 * common / (mass + sum(weight.get(w, unknown) for w in own)))
    return best


def held_shares(qtext: str, content: list[str]) -> list[tuple[int, float]]:
    """For each phrasing with content words: how many it has, and the share of them the
    question holds (the engine reads from these how much of an entry's question was asked,
    and whether a whole phrasing was)."""
    wanted = {number_class(w) for w in content}
    held = []
    for phrasing in qtext.split(PHRASING_SEPARATOR):
        own = phrasing_words(phrasing)
        if own:
            held.append((len(own), len(own & wanted) / len(own)))
    return held
