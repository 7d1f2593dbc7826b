"""A real SMTP server for tests: aiosmtpd on a loopback port the system picks, keeping every message it accepts.

The ``smtp_server`` fixture (tests/conftest.py) starts one, points settings.MAILERS at it and stops it
afterwards. ``stop()`` and ``start()`` simulate an outage; ``refuse`` names recipients the server rejects.

The port is never chosen first and bound later (another process could take it in between): a socket bound
to port 0 holds the port the system gave for as long as the server exists, and the server listens on that
port beside it (SO_REUSEPORT). While stopped, nothing listens, so a connection is refused, and the port
stays held for the restart.
"""

import logging
import socket
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
# aiosmtpd narrates every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class Received:
    recipients: list
    message: EmailMessage

    @property
    def subject(self):
        return self.message["subject"]

    @property
    def body(self):
        return self.message.get_body(preferencelist=("plain",)).get_content()


class Collector:
    """Accepts every message (but for refused recipients) and keeps it; subclasses may hold or refuse more."""

    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        if address in self.server.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.server.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _port_holder():
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    holder.bind((HOST, 0))
    return holder


class _SharedPortController(Controller):
    """aiosmtpd's controller, listening with SO_REUSEPORT so it may share the held port."""

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, host=self.hostname, port=self.port, reuse_port=True)


class SmtpServer:
    collector = Collector

    def __init__(self):
        self._holder = _port_holder()
        self.port = self._holder.getsockname()[1]
        self.received = []
        self.refuse = set()
        self._controller = None

    def start(self):
        # A stopped controller cannot start again: each start listens anew on the held port.
        self._controller = _SharedPortController(self.collector(self), hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def close(self):
        self.stop()
        self._holder.close()

    def to(self, address):
        """The messages delivered to one address."""
        return [received for received in self.received if address in received.recipients]

    @property
    def mailer(self):
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": HOST, "port": self.port, "timeout": 5},
        }
