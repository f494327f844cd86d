"""End-to-end tests of `pitfall server` driven by a real LSP client
(pytest-lsp, with Visual Studio Code's client capabilities)."""

import asyncio
import statistics
import time

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import SERVER_COMMAND

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
BUILD = "release" if "/release/" in SERVER_COMMAND[0] else "debug"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND))
async def client(lsp_client: LanguageClient, project):
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=project.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="demo")],
    )
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)

    result = await lsp_client.initialize_session(params)
    assert result.server_info.name == "pitfall"
    yield
    await lsp_client.shutdown_session()


def open_document(client, path, text, version=1):
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )
    return uri


def change_document(client, uri, version, changes):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=changes,
        )
    )


def replace_line(line, text):
    """An incremental change replacing the content of zero-based `line`."""
    return types.TextDocumentContentChangePartial(
        range=types.Range(
            start=types.Position(line=line, character=0),
            end=types.Position(line=line, character=10_000),
        ),
        text=text,
    )


def whole(text):
    return types.TextDocumentContentChangeWholeDocument(text=text)


async def wait_for_diagnostics(client, uri, predicate, timeout=10.0):
    """Waits until the diagnostics last published for `uri` satisfy `predicate`."""
    deadline = time.monotonic() + timeout
    while uri not in client.diagnostics or not predicate(client.diagnostics[uri]):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(
                f"diagnostics for {uri} never matched; last: {client.diagnostics.get(uri)}"
            )
        try:
            await asyncio.wait_for(client.wait_for_notification(PUBLISH), remaining)
        except asyncio.TimeoutError:
            pass
    return client.diagnostics[uri]


def codes(diagnostics):
    return [d.code for d in diagnostics]


def utf16_len(text):
    return len(text.encode("utf-16-le")) // 2


def apply_edits(text, edits):
    """Applies LSP text edits (UTF-16 positions), last first."""
    lines = text.splitlines(keepends=True)

    def offset(position):
        prefix = "".join(lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for i, ch in enumerate(line):
            if units >= position.character:
                return len(prefix) + i
            units += utf16_len(ch)
        return len(prefix) + len(line.rstrip("\r\n"))

    spans = sorted(
        ((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


async def code_actions(client, uri, diagnostic):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )


BLOCKING = 'import time\n\nasync def handler():\n    label = "π𝄞"; time.sleep(1)\n'


async def test_diagnostics_on_open(client: LanguageClient, project):
    uri = open_document(client, project / "app.py", BLOCKING)
    (diagnostic,) = await wait_for_diagnostics(client, uri, lambda d: len(d) > 0)
    assert diagnostic.code == "PF101"
    assert diagnostic.source == "pitfall"
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.code_description.href.endswith("/PF101-blocking-call-in-async.md")
    assert "time.sleep" in diagnostic.message
    # Columns are UTF-16 code units (VS Code's encoding): `π` is one, `𝄞` two.
    start = utf16_len('    label = "π𝄞"; ')
    assert diagnostic.range == types.Range(
        start=types.Position(line=3, character=start),
        end=types.Position(line=3, character=start + len("time.sleep(1)")),
    )


async def test_syntax_error_is_a_diagnostic(client: LanguageClient, project):
    uri = open_document(client, project / "broken.py", "def broken(:\n    pass\n")
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: len(d) > 0)
    assert "PF001" in codes(diagnostics)
    assert all(d.severity == types.DiagnosticSeverity.Error for d in diagnostics)
    # The server is still there, and fixing the file clears the error.
    change_document(client, uri, 2, [replace_line(0, "def broken():")])
    await wait_for_diagnostics(client, uri, lambda d: len(d) == 0)


HELPER = """import time


def helper():
    return 1


async def handler():
    helper()
"""


def assert_chain(diagnostics, call_line, names, helper):
    """One PF101 at the coroutine's call on `call_line`, its message naming
    `names`, its one related location the blocking call on line 4 of `helper`."""
    (diagnostic,) = diagnostics
    assert diagnostic.range.start.line == call_line, "the call in the coroutine"
    assert names in diagnostic.message
    (step,) = diagnostic.related_information
    assert step.location.uri == helper
    assert step.location.range.start.line == 4, "the blocking call in the helper"


async def toggle_blocking_call(client, edited, watched, check=None, timeout=10.0):
    """Edits line 4 of `edited` 20 times, to `time.sleep(1)` and back, and
    waits each time for the diagnostics of `watched` to follow (one PF101,
    then none), handing the PF101 ones to `check`. Returns the latencies."""
    latencies = []
    for version in range(2, 22):
        blocking = version % 2 == 0
        started = time.perf_counter()
        change_document(
            client,
            edited,
            version,
            [replace_line(4, "    time.sleep(1)" if blocking else "    return 1")],
        )
        diagnostics = await wait_for_diagnostics(
            client,
            watched,
            (lambda d: codes(d) == ["PF101"]) if blocking else (lambda d: len(d) == 0),
            timeout=timeout,
        )
        latencies.append(time.perf_counter() - started)
        if blocking and check:
            check(diagnostics)
    return latencies


@pytest.fixture
async def app_and_helpers(client: LanguageClient, project):
    """`app.py` and `helpers.py` of the project opened as on disk, once the
    coroutine in `app.py` is known to be clean."""
    app, helpers = (
        open_document(client, project / name, (project / name).read_text())
        for name in ("app.py", "helpers.py")
    )
    await wait_for_diagnostics(client, app, lambda d: len(d) == 0, timeout=120)
    return app, helpers


async def test_edit_to_a_helper_updates_its_coroutine(client: LanguageClient, project, capsys):
    uri = open_document(client, project / "service.py", HELPER)
    await wait_for_diagnostics(client, uri, lambda d: len(d) == 0)

    latencies = await toggle_blocking_call(
        client, uri, uri, lambda d: assert_chain(d, call_line=8, names="helper", helper=uri)
    )
    with capsys.disabled():
        print(
            f"\nLSP edit-to-publish latency (same module, {len(latencies)} edits): "
            f"median {statistics.median(latencies) * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms"
        )


HELPERS_AND_APP = {
    "helpers.py": "import time\n\n\ndef fetch():\n    return 1\n",
    "app.py": "from helpers import fetch\n\n\nasync def handler():\n    fetch()\n",
}


@pytest.mark.files(HELPERS_AND_APP)
async def test_edit_in_one_module_updates_a_coroutine_in_another(
    client: LanguageClient, app_and_helpers, capsys
):
    app, helpers = app_and_helpers

    latencies = await toggle_blocking_call(
        client,
        helpers,
        app,
        lambda d: assert_chain(d, call_line=4, names="fetch (helpers.py:4)", helper=helpers),
    )
    with capsys.disabled():
        print(
            f"\nLSP edit-to-publish latency (cross-module, {len(latencies)} edits): "
            f"median {statistics.median(latencies) * 1000:.1f} ms"
        )


def large_project(modules=2000):
    """A project of `modules` filler modules (each importing its neighbour)
    plus a helper module and the coroutine module that calls it."""
    files = dict(HELPERS_AND_APP)
    for i in range(modules):
        neighbour = f"from pkg{(i - 1) // 100}.mod{i - 1} import work{i - 1}\n" if i else ""
        files[f"pkg{i // 100}/__init__.py"] = ""
        files[f"pkg{i // 100}/mod{i}.py"] = (
            f"{neighbour}\n\ndef work{i}(items):\n    total = 0\n"
            f"    for item in items:\n        total += item\n    return total\n\n\n"
            f"async def serve{i}(items):\n    return work{i}(items)\n"
        )
    return files


@pytest.mark.files(large_project())
async def test_latency_on_a_large_project(client: LanguageClient, app_and_helpers, capsys):
    app, helpers = app_and_helpers
    latencies = await toggle_blocking_call(client, helpers, app)
    with capsys.disabled():
        print(
            f"\nLSP edit-to-publish latency (cross-module, {len(large_project())} files, "
            f"{BUILD} build, {len(latencies)} edits): "
            f"median {statistics.median(latencies) * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms"
        )


BARE_EXCEPT = "try:\n    pass\nexcept:  # noqa: E722\n    pass\n"


async def test_code_actions_fix_and_suppress(client: LanguageClient, project):
    uri = open_document(client, project / "handlers.py", BARE_EXCEPT)
    (diagnostic,) = await wait_for_diagnostics(client, uri, lambda d: len(d) > 0)
    assert diagnostic.code == "PF201"
    actions = await code_actions(client, uri, diagnostic)
    by_title = {a.title: a for a in actions}
    fix = next(a for t, a in by_title.items() if "except Exception" in t)
    suppress = next(a for t, a in by_title.items() if t.startswith("Suppress PF201"))
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.diagnostics[0].code == "PF201"

    (fixed,) = [apply_edits(BARE_EXCEPT, edits) for edits in fix.edit.changes.values()]
    assert fixed == "try:\n    pass\nexcept Exception:  # noqa: E722\n    pass\n"
    # Suppression merges into the line's `# noqa:` list.
    (suppressed,) = [apply_edits(BARE_EXCEPT, edits) for edits in suppress.edit.changes.values()]
    assert suppressed == "try:\n    pass\nexcept:  # noqa: E722, PF201\n    pass\n"

    change_document(client, uri, 2, [whole(suppressed)])
    await wait_for_diagnostics(client, uri, lambda d: len(d) == 0)
    change_document(client, uri, 3, [whole(fixed)])
    await wait_for_diagnostics(client, uri, lambda d: len(d) == 0)


async def test_fix_all_applies_the_safe_fixes(client: LanguageClient, project):
    text = "def f(x):\n    if x is 1:\n        return x is not 'a'\n    return None\n"
    uri = open_document(client, project / "compare.py", text)
    await wait_for_diagnostics(client, uri, lambda d: len(d) == 2)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Source]),
        )
    )
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.pitfall"
    (edits,) = fix_all.edit.changes.values()
    expected = "def f(x):\n    if x == 1:\n        return x != 'a'\n    return None\n"
    assert apply_edits(text, edits) == expected
    # Asked for quick fixes only, the source action is not offered.
    diagnostic = client.diagnostics[uri][0]
    quick = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(
                diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]
            ),
        )
    )
    assert quick and all(a.kind == types.CodeActionKind.QuickFix for a in quick)


async def test_suppress_adds_a_comment(client: LanguageClient, project):
    text = "def f(items=[]):\n    return items\n"
    uri = open_document(client, project / "defaults.py", text)
    (diagnostic,) = await wait_for_diagnostics(client, uri, lambda d: len(d) > 0)
    actions = await code_actions(client, uri, diagnostic)
    (suppress,) = [a for a in actions if a.title.startswith("Suppress")]
    (edits,) = suppress.edit.changes.values()
    expected = f"def f(items=[]):  # noqa: {diagnostic.code}\n    return items\n"
    assert apply_edits(text, edits) == expected


async def test_hover_shows_the_rule_documentation(client: LanguageClient, project):
    uri = open_document(client, project / "handlers.py", BARE_EXCEPT)
    (diagnostic,) = await wait_for_diagnostics(client, uri, lambda d: len(d) > 0)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=3),
        )
    )
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("# PF201")
    assert "## Example" in hover.contents.value
    assert hover.range == diagnostic.range
    nothing = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=4),
        )
    )
    assert nothing is None


async def test_configuration_is_reloaded(client: LanguageClient, project):
    uri = open_document(client, project / "app.py", BLOCKING)
    await wait_for_diagnostics(client, uri, lambda d: codes(d) == ["PF101"])
    # The server asked the client to watch configuration files.
    (registration,) = client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = [w["globPattern"] for w in registration.register_options["watchers"]]
    assert "**/pyproject.toml" in globs and "**/pitfall.toml" in globs
    config = project / "pyproject.toml"
    config.write_text('[project]\nname = "demo"\n\n[tool.pitfall]\nignore = ["PF101"]\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await wait_for_diagnostics(client, uri, lambda d: len(d) == 0)
    # A broken configuration is reported, and the server goes on.
    config.write_text("[tool.pitfall]\nselect = 3\n")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config.as_uri()))
    )
    await asyncio.sleep(0)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=0),
        )
    )
    assert hover is None
    assert any("pyproject.toml" in m.message for m in client.messages)


@pytest.mark.files(
    {"app.py": "from later import fetch\n\n\nasync def handler():\n    fetch()\n"}
)
async def test_a_module_created_on_disk_joins_the_project(client: LanguageClient, project):
    app = open_document(client, project / "app.py", (project / "app.py").read_text())
    await wait_for_diagnostics(client, app, lambda d: len(d) == 0)
    later = project / "later.py"
    later.write_text("import time\n\n\ndef fetch():\n    time.sleep(1)\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=later.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    await wait_for_diagnostics(client, app, lambda d: codes(d) == ["PF101"])
    later.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=later.as_uri(), type=types.FileChangeType.Deleted)]
        )
    )
    await wait_for_diagnostics(client, app, lambda d: len(d) == 0)


async def test_close_clears_diagnostics(client: LanguageClient, project):
    uri = open_document(client, project / "app.py", BLOCKING)
    await wait_for_diagnostics(client, uri, lambda d: len(d) > 0)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_for_diagnostics(client, uri, lambda d: len(d) == 0)
