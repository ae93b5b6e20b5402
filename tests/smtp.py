"""A small SMTP server for tests, on 127.0.0.1 and a free port, that accepts, hangs or
refuses. It records every delivered message and, on each new connection, runs a check
(for example: nobody holds a database write lock while the app talks to SMTP)."""

import socket
import socketserver
import threading
import time
from email import message_from_bytes
from email.policy import default


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """mode: "accept" (a plain SMTP conversation), "hang" (accepts the TCP connection
    and never answers), "refuse" (nothing listens on the port)."""

    def __init__(self):
        self.port = free_port()
        self.mode = "refuse"
        self.messages = []
        self.connections = 0
        self.check_on_connect = None
        self.check_failures = []
        self.delay = 0.0  # seconds to wait before accepting each message
        self.recipient_replies = {}  # address -> reply to its RCPT (a 4xx or 5xx refuses it)
        self.quit_reply = "221 bye"  # another reply: the server took the message, then failed to say goodbye
        self._server = None
        self._release = threading.Event()
        self._lock = threading.Lock()

    def set_mode(self, mode: str) -> None:
        assert mode in ("accept", "hang", "refuse")
        self._stop_listening()
        self.mode = mode
        if mode != "refuse":
            self._listen()

    def _listen(self) -> None:
        outer = self
        self._release = threading.Event()

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def handle(self):
                with outer._lock:
                    outer.connections += 1
                if outer.check_on_connect is not None:
                    try:
                        outer.check_on_connect()
                    except Exception as exc:  # reported by the test, not lost in a thread
                        outer.check_failures.append(repr(exc))
                if outer.mode == "hang":
                    outer._release.wait(30)
                    return
                outer._converse(self)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _converse(self, handler) -> None:
        def say(line: str) -> None:
            handler.wfile.write((line + "\r\n").encode())
            handler.wfile.flush()

        say("220 test ESMTP")
        recipients = []
        while True:
            line = handler.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                say("250 test")
            elif verb == "MAIL":
                recipients = []
                say("250 ok")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip(" <>")
                reply = self.recipient_replies.get(address, "250 ok")
                if reply.startswith("250"):
                    recipients.append(address)
                say(reply)
            elif verb == "DATA":
                say("354 go ahead")
                data = b""
                while True:
                    chunk = handler.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                if self.delay:
                    time.sleep(self.delay)
                with self._lock:
                    self.messages.append((recipients, message_from_bytes(data, policy=default)))
                say("250 queued")
            elif verb == "RSET" or verb == "NOOP":
                say("250 ok")
            elif verb == "QUIT":
                say(self.quit_reply)
                return
            else:
                say("502 not implemented")

    def _stop_listening(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def close(self) -> None:
        self._stop_listening()
