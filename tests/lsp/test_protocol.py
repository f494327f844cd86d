"""What a well-behaved client never sends: malformed frames, unknown
methods, bad parameters, and the exit status the protocol asks for."""

from conftest import SERVER_COMMAND
from raw_client import RawClient


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def hover(client, uri):
    return client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
    )


def test_malformed_messages_do_not_stop_the_server(project):
    client = RawClient(SERVER_COMMAND)
    client.initialize(project.as_uri())
    uri = (project / "app.py").as_uri()

    client.send_bytes(frame(b"{not json"))
    error = client.wait_for(lambda m: "error" in m and m.get("id") is None)
    assert error["error"]["code"] == -32700
    client.send_bytes(frame(b'{"jsonrpc": "2.0", "method": 42}'))
    error = client.wait_for(lambda m: "error" in m and m.get("id") is None)
    assert error["error"]["code"] == -32600
    client.send_bytes(b"X-Unknown-Header: 1\r\n\r\n")
    client.send_bytes(frame("{\"jsonrpc\": \"2.0\", \"method\": \"ünïcode/\udc80\"}".encode("utf-8", "surrogatepass")))

    assert client.request("pitfall/unknown")["error"]["code"] == -32601
    client.notify("pitfall/unknownNotification", {"x": 1})
    bad = client.request("textDocument/hover", {"textDocument": 5})
    assert bad["error"]["code"] == -32602
    client.notify("textDocument/didOpen", {"textDocument": "nonsense"})
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": []})

    # Still serving.
    assert hover(client, uri)["result"] is None
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "x = (\n"}},
    )
    published = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert [d["code"] for d in published["params"]["diagnostics"]] == ["PF001"]

    assert client.request("shutdown")["result"] is None
    assert client.request("textDocument/hover", {})["error"]["code"] == -32600
    client.notify("exit")
    assert client.wait() == 0


def test_exit_without_shutdown_is_an_error(project):
    client = RawClient(SERVER_COMMAND)
    client.initialize(project.as_uri())
    client.notify("exit")
    assert client.wait() == 1


def test_requests_before_initialize_are_refused(project):
    client = RawClient(SERVER_COMMAND)
    assert client.request("textDocument/hover", {})["error"]["code"] == -32002
    client.send_bytes(frame(b"[]"))
    client.initialize(project.as_uri())
    assert client.request("shutdown")["result"] is None
    client.notify("exit")
    assert client.wait() == 0


def test_end_of_input_ends_the_server(project):
    client = RawClient(SERVER_COMMAND)
    client.initialize(project.as_uri())
    client.process.stdin.close()
    assert client.wait() == 1


def test_pathological_files_are_diagnosed_not_fatal(project):
    client = RawClient(SERVER_COMMAND)
    client.initialize(project.as_uri())
    cases = {
        "deep.py": ("x = " + "(" * 5000 + ")" * 5000 + "\n", ["PF003"]),
        "long.py": ("x = " + " + ".join(["1"] * 20000) + "\n", []),
        "calls.py": ("f" + "()" * 20000 + "\n", []),
        "nul.py": ("x = '\0'\n\ufffd = 1\n", ["PF001"]),
        "empty.py": ("", []),
    }
    for name, (text, expected) in cases.items():
        uri = (project / name).as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        published = client.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri,
            timeout=60,
        )
        assert sorted({d["code"] for d in published["params"]["diagnostics"]}) == expected, name
    assert client.request("shutdown")["result"] is None
    client.notify("exit")
    assert client.wait() == 0
