"""moto_server for luckydraw's tests and local runs, on loopback.

Same app as `moto_server` (PyPI moto[server]), with two differences that matter here:
- DynamoDB requests are applied one at a time: moto's threaded server does not isolate
  TransactWriteItems (it snapshots and restores whole tables around each one), while
  DynamoDB's transactions are serializable; one at a time restores that. Other services
  (SQS long polls in particular) run concurrently as usual;
- `--port 0` picks a free port, printed as `listening on HOST:PORT`, and the server stops
  when its standard input closes, so a test harness never leaves one behind.

Usage: .venv/bin/python infra/moto/serve.py [--host 127.0.0.1] [--port 0]
"""

import argparse
import os
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server


class DynamoDbOneAtATime:
    """Runs the wrapped WSGI app for one DynamoDB request at a time."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))


def stop_when_stdin_closes():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keep-running", action="store_true", help="ignore standard input closing")
    args = parser.parse_args()
    app = DynamoDbOneAtATime(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    os.environ["MOTO_PORT"] = str(server.server_port)
    print(f"listening on {args.host}:{server.server_port}", flush=True)
    if not args.keep_running:
        threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
