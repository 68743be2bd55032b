"""Receive Easel's webhooks and verify their Standard Webhooks signatures.

    EASEL_WEBHOOK_SECRET=whsec_… python webhook_receiver.py --port 9000

Get the secret from ``GET /api/v1/webhooks/secret``. Verification uses the
``standardwebhooks`` package when it is installed, else the few lines of ``verify``
below, which do the same. Answer 2xx quickly: anything else is retried with backoff.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECONDS = 300


def verify(secret: str, headers: dict[str, str], body: bytes) -> dict[str, object]:
    """Raise ValueError unless the body is signed with the secret and recent."""
    try:
        from standardwebhooks import Webhook
    except ImportError:
        pass
    else:
        payload: dict[str, object] = Webhook(secret).verify(body, headers)
        return payload
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("stale timestamp: a replay?")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    if not any(hmac.compare_digest(expected, s) for s in headers["webhook-signature"].split()):
        raise ValueError("bad signature")
    payload = json.loads(body)
    return payload


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--count", type=int, default=0, help="Exit after this many messages.")
    args = parser.parse_args()
    secret = os.environ["EASEL_WEBHOOK_SECRET"]
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                event = verify(secret, headers, body)
            except Exception as exc:  # whatever fails to verify is refused
                print(f"rejected: {exc}", flush=True)
                self.send_response(400)
                self.end_headers()
                return
            # webhook-id is the same on every retry: use it to process each message once.
            if headers["webhook-id"] not in seen:
                seen.add(headers["webhook-id"])
                data = event["data"]
                assert isinstance(data, dict)
                print(f"verified {event['type']} job={data['job_id']}", flush=True)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on http://127.0.0.1:{args.port}/", flush=True)
    while not args.count or len(seen) < args.count:
        server.handle_request()


if __name__ == "__main__":
    main()
