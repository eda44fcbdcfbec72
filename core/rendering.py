"""The one helper that decides "htmx fragment or full page".

A full page template includes the same partial that an htmx request gets back, so markup is
written once. History restores and boosted navigations always get the full page, so every URL
pushed to the browser history also works on its own.
"""

from __future__ import annotations

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """True for an htmx request that expects a fragment."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def render(full_page: str, partial: str | None = None, status: int = 200, **context):
    """Render `partial` for htmx requests, else `full_page`; the response varies on HX-Request."""
    template = partial if partial and is_htmx() else full_page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
