"""moto server that handles one request at a time.

moto's threaded server checks a DynamoDB ConditionExpression and then writes without a lock, so two racing
conditional writes can both succeed, which real DynamoDB never allows. Serialising requests restores the
atomicity the job-status transitions rely on. Usage: python moto_serialized_server.py HOST PORT
"""

import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

application = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()


def serialized(environ, start_response):
    with lock:
        # The body is read inside the lock, so a streamed response cannot interleave with another request.
        return list(application(environ, start_response))


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    run_simple(host, port, serialized, threaded=True, request_handler=MotoRequestHandler)
