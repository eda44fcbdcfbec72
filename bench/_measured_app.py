"""The app wrapped to count the bytes it sends (status line, headers and body, compressed as
sent) per request, for bench/lighthouse.py: gunicorn "bench._measured_app:app".

Every response adds one line "<bytes> <method> <path>" to the file named by BENCH_BYTES_LOG,
so a benchmark reads how many bytes a page load really cost, the service worker's own
requests included.
"""

from __future__ import annotations

import os

from app import create_app

LOG = os.environ["BENCH_BYTES_LOG"]


class Measured:
    """WSGI middleware: count what goes on the wire for each request."""

    def __init__(self, wsgi):
        self.wsgi = wsgi

    def __call__(self, environ, start_response):
        size = 0

        def counting_start(status, headers, exc_info=None):
            nonlocal size
            size += len("HTTP/1.1 ") + len(status) + 2
            size += sum(len(k) + len(v) + 4 for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        body = self.wsgi(environ, counting_start)
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            line = f"{size} {environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}\n"
            with open(LOG, "a", encoding="utf-8") as log:
                log.write(line)


app = Measured(create_app())
