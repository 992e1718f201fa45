"""Third review, finding 2 (severity Medium): `hashtrust.bitcoin.rpc.BitcoinRPC` sends the node's
``user:password`` (from ``--bitcoin-rpc http://user:pass@host``) as a Basic ``Authorization``
header added with ``Request.add_header``, and calls ``urllib.request.urlopen``, whose default
redirect handler follows a 302 to ANY host, copying every header but the content ones. A node (or
anyone on the path of a plain-http RPC URL) answering ``302 Location: http://elsewhere/`` gets the
Bitcoin Core RPC password delivered to a host of its choosing (with it: the wallet RPCs).

Suggested fix: build an opener without redirects (a ``HTTPRedirectHandler`` whose
``redirect_request`` returns None, or ``http.client`` directly as `hashtrust.chain.fetch` does) and
refuse a 3xx reply with one clear `BitcoinRPCError` ("the bitcoin node redirected to ...; not
followed"): a JSON-RPC endpoint has no reason to redirect.
"""

from __future__ import annotations

import pytest
from review2_helpers import post_server

from hashtrust.bitcoin.rpc import BitcoinRPC, BitcoinRPCError


def test_the_rpc_password_is_not_sent_to_the_host_a_redirect_names():
    got: list[dict] = []

    def elsewhere(_path, _req):
        return 200, {"Content-Type": "application/json"}, b'{"result":"' + b"0" * 64 + b'","error":null,"id":1}'

    with post_server(elsewhere) as (other_url, _):
        # the "node": every request is redirected to another host (localhost vs 127.0.0.1)
        other = other_url.replace("127.0.0.1", "localhost")

        def node(_path, _req):
            return 302, {"Location": other + "/steal"}, b""

        # what urllib sends on: the requests its redirect handler builds
        with post_server(node) as (node_url, _seen):
            rpc = BitcoinRPC(node_url.replace("http://", "http://alice:s3cret@"), timeout=5)
            import urllib.request

            opened: list[urllib.request.Request] = []
            real = urllib.request.HTTPRedirectHandler.redirect_request

            def spy(self, req, fp, code, msg, headers, newurl):
                new = real(self, req, fp, code, msg, headers, newurl)
                if new is not None:
                    opened.append(new)
                return new

            mp = pytest.MonkeyPatch()
            mp.setattr(urllib.request.HTTPRedirectHandler, "redirect_request", spy)
            try:
                try:
                    rpc.call("getblockhash", 1)
                except BitcoinRPCError:
                    pass
            finally:
                mp.undo()
            for r in opened:
                got.append({"url": r.full_url, "auth": r.get_header("Authorization")})
    leaked = [g for g in got if g["auth"]]
    assert not leaked, f"the Basic credentials were sent on to the redirect target: {leaked[0]['url']} got Authorization {leaked[0]['auth']}"


def test_a_redirect_is_refused_and_the_target_hears_nothing():
    def elsewhere(_path, _req):
        return 200, {"Content-Type": "application/json"}, b'{"result":"' + b"0" * 64 + b'","error":null,"id":1}'

    with post_server(elsewhere) as (other_url, other_seen):
        with post_server(lambda _p, _r: (307, {"Location": other_url + "/steal"}, b"")) as (node_url, _seen):
            rpc = BitcoinRPC(node_url.replace("http://", "http://alice:s3cret@"), timeout=5)
            with pytest.raises(BitcoinRPCError, match="redirected getblockhash to .*not followed"):
                rpc.call("getblockhash", 1)
        assert not other_seen, "the redirect target was contacted"
