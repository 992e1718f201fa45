"""A small local HTTP server answering Bitcoin Core's JSON-RPC with the result shapes Core
documents (`getblockhash`, `getblockheader hash false`, `getblock hash 2`), serving given blocks.
Errors come back as Core sends them: HTTP 500 with ``{"result": null, "error": {code, message}}``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hashtrust.bitcoin.consensus import display, sha256d


class BitcoindStub:
    def __init__(self, headers: dict[int, bytes], txs: dict[int, list[tuple[str, str]]] | None = None, *, user: str = "u", password: str = "p"):
        self.headers = headers
        self.txs = txs or {}
        self.by_hash = {display(sha256d(raw)): h for h, raw in headers.items()}
        self.calls: list[str] = []
        self.auth = (user, password)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_POST(self):
                import base64

                want = "Basic " + base64.b64encode(f"{stub.auth[0]}:{stub.auth[1]}".encode()).decode()
                if self.headers.get("Authorization") != want:
                    self.send_response(401)
                    self.end_headers()
                    return
                req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.calls.append(req["method"])
                try:
                    result = stub.answer(req["method"], req.get("params", []))
                    body, code = {"result": result, "error": None, "id": req.get("id")}, 200
                except KeyError as exc:
                    body, code = {"result": None, "error": {"code": exc.args[0], "message": exc.args[1]}, "id": req.get("id")}, 500
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.auth[0]}:{self.auth[1]}@127.0.0.1:{self.server.server_address[1]}"

    def answer(self, method: str, params: list):
        if method == "getblockcount":  # the height of the best chain's tip
            return max(self.headers)
        if method == "getblockhash":
            h = params[0]
            if h not in self.headers:
                raise KeyError(-8, "Block height out of range")
            return display(sha256d(self.headers[h]))
        if method in ("getblockheader", "getblock"):
            if params[0] not in self.by_hash:
                raise KeyError(-5, "Block not found")
            h = self.by_hash[params[0]]
            if method == "getblockheader":
                if params[1] is not False:
                    raise KeyError(-1, "stub serves verbose=false only")
                return self.headers[h].hex()
            if params[1] != 2:
                raise KeyError(-1, "stub serves verbosity 2 only")
            if h not in self.txs:
                raise KeyError(-1, "Block not available (pruned data)")
            return {"hash": params[0], "height": h, "tx": [{"txid": t, "hex": x} for t, x in self.txs[h]]}
        raise KeyError(-32601, "Method not found")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
