"""Serves the provider over HTTP on a listening socket handed over by the fixture.

    python -m tests.oidc_provider.serve <fd>

The fixture binds 127.0.0.1 port 0 itself, so it knows the port (and thus the issuer)
before this process starts and no other process can take the port in between; this
process inherits the socket (subprocess pass_fds) and accepts on it. Each request in a
thread of its own: the portal's token request arrives while a test's browser session
may still be talking to the provider.

Started with a pipe as standard input, it also ends when that pipe reaches end of file:
the fixture holds the other end, so a test run that is killed (no teardown) does not
leave a provider behind."""

import os
import socket
import socketserver
import stat
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def __init__(self, listening: socket.socket):
        super().__init__(listening.getsockname(), WSGIRequestHandler, bind_and_activate=False)
        # Replace the socket TCPServer made with the inherited, already listening one,
        # and do what server_bind would have done apart from binding (no reverse DNS
        # look-up of the host name: it can take seconds on a machine without DNS).
        self.socket.close()
        self.socket = listening
        self.server_address = listening.getsockname()
        self.server_name, self.server_port = self.server_address[:2]
        self.setup_environ()


def _exit_when_stdin_closes() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


def main(fd: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    from tests.oidc_provider.wsgi import application  # noqa: PLC0415 -- only after the settings module is set

    listening = socket.socket(fileno=fd)
    server = ThreadingWSGIServer(listening)
    server.set_app(application)
    if stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
        # Started by the fixture (not by hand from a terminal).
        threading.Thread(target=_exit_when_stdin_closes, name="parent-watch", daemon=True).start()
    print(f"serving on http://{server.server_name}:{server.server_port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
