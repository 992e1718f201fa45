"""Second review, finding 2: the x402 apps read HTTP bodies without a cap while they arrive.
The agents' paid service checked only a ``Content-Length`` it was told, and the facilitator
nothing: a chunked body (no ``Content-Length``) of any size was read whole into memory, then
answered 402 / 400. The paying client read an agent service's reply whole the same way (a service
streaming 100 MB held 100 MB of the payer's memory before anything was checked).

Now the apps count each body while it arrives and answer 413 past 1 MiB (and still serve the
honest request after it); the payer refuses a reply past its cap with one clear sentence.
"""

from __future__ import annotations

import httpx
import pytest
from payments_world import payments_world
from review2_helpers import post_server

from hashtrust.payments.client import PaymentRefused, _request

BODY = b'{"text": "pay me"}'


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with payments_world(tmp_path_factory.mktemp("x402-bodies")) as w:
        yield w


def _chunked(total: int, piece: int = 64 * 1024):
    sent = 0
    while sent < total:
        n = min(piece, total - sent)
        sent += n
        yield b" " * n


@pytest.mark.parametrize("target", ["paid-service", "facilitator-verify", "facilitator-settle"])
def test_a_chunked_body_over_the_cap_is_refused_while_it_arrives(world, target):
    url = {"paid-service": world.endpoint(world.summarizer), "facilitator-verify": world.fac_srv.url + "/verify",
           "facilitator-settle": world.fac_srv.url + "/settle"}[target]
    with httpx.Client(timeout=60) as http:
        r = http.post(url, content=_chunked(5 << 20), headers={"Content-Type": "application/json"})  # no Content-Length
        assert "content-length" not in {k.lower() for k in r.request.headers}
        assert r.status_code == 413, (r.status_code, r.text[:200])
        assert "above 1048576 bytes" in r.json()["error"]
        # the same app still serves an honest request
        honest = http.post(url, content=BODY, headers={"Content-Type": "application/json"})
        assert honest.status_code in (402, 400), honest.status_code  # 402: pay first; 400: the facilitator's own refusal of a non-payment
        assert honest.status_code != 413


def test_an_honest_chunked_body_under_the_cap_still_reaches_the_service(world):
    with httpx.Client(timeout=60) as http:
        r = http.post(world.endpoint(world.summarizer), content=iter([b'{"text": ', b'"in pieces"}']), headers={"Content-Type": "application/json"})
    assert r.status_code == 402  # read, then asked for payment as usual


def test_the_payer_refuses_a_reply_over_its_cap():
    big = [b"x" * (1 << 20)] * 100  # 100 MB streamed, no Content-Length
    with post_server(lambda _p, _r: (402, {"Content-Type": "application/json"}, big, 0.0)) as (url, _seen):
        with httpx.Client(timeout=30) as http, pytest.raises(PaymentRefused, match="larger than 8,388,608 bytes"):
            _request(http, "POST", url + "/agents/1/summarize", BODY)
    with post_server(lambda _p, _r: (402, {"Content-Type": "application/json", "Content-Length": str(200 << 20)}, b"", )) as (url, _seen):
        with httpx.Client(timeout=30) as http, pytest.raises(PaymentRefused, match="larger than"):
            _request(http, "POST", url + "/x", BODY)
    with post_server(lambda _p, _r: (402, {"Content-Type": "application/json"}, b'{"error": "pay"}')) as (url, _seen):
        with httpx.Client(timeout=30) as http:
            r = _request(http, "POST", url + "/x", BODY)
    assert r.status_code == 402 and r.json() == {"error": "pay"}
