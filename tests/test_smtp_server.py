"""The tests' SMTP server (tests/smtp.py) keeps the port the system gave it, even through an outage."""

import errno
import smtplib
import socket

import pytest

from tests.smtp import HOST, SmtpServer


def greets(port):
    with smtplib.SMTP(HOST, port, timeout=5) as client:
        return client.noop()[0] == 250


def test_the_server_holds_its_port_from_creation_to_close_and_refuses_connections_while_stopped():
    server = SmtpServer()
    try:
        taken = socket.socket()
        with taken, pytest.raises(OSError) as refused:  # held before the server even starts
            taken.bind((HOST, server.port))
        assert refused.value.errno == errno.EADDRINUSE
        server.start()
        assert greets(server.port)

        server.stop()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((HOST, server.port), timeout=5).close()
        taken = socket.socket()
        with taken, pytest.raises(OSError) as refused:  # still held during the outage
            taken.bind((HOST, server.port))
        assert refused.value.errno == errno.EADDRINUSE

        server.start()
        assert greets(server.port)
    finally:
        server.close()
