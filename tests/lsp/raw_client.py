"""A minimal LSP client over stdio, for what a well-behaved client cannot
send: malformed frames, and the exit status of the server process."""

import json
import subprocess
import threading
import queue


class RawClient:
    def __init__(self, command, cwd=None):
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        self.messages = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.process.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            self.messages.put(json.loads(out.read(length)))

    def send_bytes(self, data: bytes):
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict):
        body = json.dumps(message).encode()
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params=None):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params=None, timeout=30):
        """Sends a request and returns its response (other messages are kept)."""
        id_ = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": id_, "method": method, "params": params})
        return self.wait_for(lambda m: m.get("id") == id_ and "method" not in m, timeout)

    def wait_for(self, predicate, timeout=30):
        seen = []
        try:
            while True:
                message = self.messages.get(timeout=timeout)
                if message is None:
                    raise EOFError("server closed its output")
                if predicate(message):
                    for m in seen:
                        self.messages.put(m)
                    return message
                seen.append(message)
        except queue.Empty:
            raise TimeoutError(f"no matching message; saw {seen}") from None

    def initialize(self, root_uri):
        response = self.request(
            "initialize",
            {"processId": None, "rootUri": root_uri, "capabilities": {}},
        )
        self.notify("initialized", {})
        return response

    def wait(self, timeout=30):
        return self.process.wait(timeout=timeout)
