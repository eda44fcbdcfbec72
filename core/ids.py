"""Whole numbers from URLs, query strings and forms, within what the database can hold.

Python reads "99999999999999999999" as an int, but SQLite refuses integers beyond 64 bits
and PostgreSQL's id columns are 32-bit, so such a number reaching a query used to end in a
500. Ids and page numbers are therefore read with an upper bound: a path segment beyond it
matches no route (404), a query or form value beyond it counts as absent.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of a PostgreSQL integer column


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in routes, but never above MAX_ID (installed as the app's "int" converter)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_int(value: str) -> int:
    """`type=` for `request.args.get` / `request.form.get`: an int within ±MAX_ID.

    Raises ValueError otherwise, which werkzeug turns into the default value.
    """
    number = int(value)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError("out of range")
    return number
