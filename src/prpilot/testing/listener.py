"""A TCP server on the host's 127.0.0.1 that records who reached it: does a sandboxed command have the network?"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class Listener:
    """Listen on 127.0.0.1; ``heard`` holds the first bytes of each connection, in order."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self.heard: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):  # the server closed at the end
            while True:
                connection, _ = self._server.accept()
                said = b""
                with connection, contextlib.suppress(OSError):  # one slow or broken client ends only itself
                    connection.settimeout(30)
                    while len(said) < 64 and (chunk := connection.recv(64 - len(said))):
                        said += chunk
                self.heard.append(said.decode())  # a client that reached us counts, whatever it managed to say

    def reach(self, who: str) -> str:
        """A command line that connects here and says ``who``; it fails without the network."""
        return (f"python3 -c \"import socket; s = socket.create_connection(('127.0.0.1', {self.port}), timeout=5); "
                f"s.sendall(b'{who}'); s.close(); print('reached')\"")

    def close(self) -> None:
        self._server.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
