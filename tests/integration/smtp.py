"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 and a free port, in a thread of the
test process. It records what arrives and how many SMTP sessions (EHLO/HELO) were opened,
and can refuse the next DATA with "451 try again" or hold the next DATA until released
(to kill a worker in the middle of sending)."""

import asyncio
import email
import email.policy
import socket
import threading
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """aiosmtpd handler. Thread-safe: the server runs in its own thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self.port: int | None = None
        self.messages: list[email.message.EmailMessage] = []
        self.sessions = 0  # EHLO/HELO greetings: one per SMTP connection that sent mail
        self.refused = 0
        self.refuse_next = 0  # refuse that many DATA commands with 451
        self.unknown: set[str] = set()  # addresses answered with "550 no such user"
        self._hold: threading.Event | None = None
        self.data_held = threading.Event()  # set once a held DATA has arrived

    # --- what the tests configure -------------------------------------------------------

    def hold_next_data(self) -> threading.Event:
        """The next DATA is recorded as received and then not answered until the returned
        event is set (or release() is called)."""
        with self._lock:
            self._hold = threading.Event()
            return self._hold

    def release(self) -> None:
        with self._lock:
            hold, self._hold = self._hold, None
        if hold is not None:
            hold.set()

    # --- what the tests read --------------------------------------------------------------

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def recipients(self) -> list[str]:
        with self._lock:
            return [message["To"] for message in self.messages]

    # --- aiosmtpd hooks ---------------------------------------------------------------------

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self._lock:
            self.sessions += 1
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        with self._lock:
            self.sessions += 1
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.refuse_next:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Try again later"
            # Recorded before answering: a worker killed while waiting for the answer
            # leaves a message the server has (the worst case for a duplicate).
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            hold = self._hold
        if hold is not None:
            self.data_held.set()
            await asyncio.get_running_loop().run_in_executor(None, hold.wait, 120)
        return "250 2.0.0 OK: queued"


@contextmanager
def smtp_server():
    """Yield a RecordingHandler whose ``port`` a real SMTP server listens on."""
    handler = RecordingHandler()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        handler.release()
        controller.stop()
