"""The baseline of bench/live_version.py: a bare Flask view answering 204 (plus /healthz)."""

from flask import Flask, Response

app = Flask(__name__)


@app.get("/nothing")
def nothing():
    return Response(status=204)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
