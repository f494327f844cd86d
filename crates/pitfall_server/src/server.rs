//! The message loop: handshake, dispatch, publishing, shutdown.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use crossbeam_channel::TryRecvError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::line_index::Encoding;
use crate::session::{is_config_file, Session};
use crate::{actions, uri, RuleDocs};

/// How the session ended, as the process exit code the protocol asks for.
pub enum Exit {
    /// `exit` after `shutdown`.
    Clean,
    /// `exit` without `shutdown`, or the client went away.
    Abrupt,
}

pub fn serve(connection: &Connection, docs: RuleDocs) -> Exit {
    let Some((id, params)) = wait_for_initialize(connection) else {
        return Exit::Abrupt;
    };
    let encoding = position_encoding(&params.capabilities);
    let roots = workspace_roots(&params);
    let (session, errors) = Session::new(roots, encoding, docs);
    let result = lsp::InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(lsp::ServerInfo {
            name: "pitfall".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    send(connection, Response::new_ok(id, result));
    let mut server = Server {
        connection,
        session,
        watch_files: params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files)
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false),
        shutdown: false,
    };
    server.show_errors(errors);
    let started = std::time::Instant::now();
    let files = server.guarded("loading the workspace", |s| s.session.warm_up());
    if let Some(files) = files {
        server.log(
            lsp::MessageType::INFO,
            format!(
                "pitfall: {files} files loaded in {} ms",
                started.elapsed().as_millis()
            ),
        );
    }
    server.run()
}

struct Server<'a> {
    connection: &'a Connection,
    session: Session,
    /// The client can watch files for us (dynamic registration).
    watch_files: bool,
    shutdown: bool,
}

impl Server<'_> {
    fn run(&mut self) -> Exit {
        // Changes are applied as they come; diagnostics are published once
        // the queue is empty, so a burst of keystrokes costs one re-lint.
        let mut dirty = false;
        loop {
            let message = if dirty {
                match self.connection.receiver.try_recv() {
                    Ok(m) => m,
                    Err(TryRecvError::Empty) => {
                        self.guarded("publishing diagnostics", |s| s.publish());
                        dirty = false;
                        continue;
                    }
                    Err(TryRecvError::Disconnected) => return Exit::Abrupt,
                }
            } else {
                match self.connection.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Exit::Abrupt,
                }
            };
            match message {
                Message::Request(request) => self.request(request),
                Message::Notification(n) if n.method == "exit" => {
                    return if self.shutdown {
                        Exit::Clean
                    } else {
                        Exit::Abrupt
                    };
                }
                Message::Notification(n) => {
                    let method = n.method.clone();
                    dirty |= self
                        .guarded(&method, |s| s.notification(n))
                        .unwrap_or(false);
                }
                Message::Response(_) => {}
            }
        }
    }

    /// Runs `f`; a panic (a bug) is reported to the client instead of
    /// ending the server.
    fn guarded<T>(&mut self, what: &str, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
        match catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(value) => Some(value),
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("unknown cause");
                self.log(
                    lsp::MessageType::ERROR,
                    format!("pitfall: internal error while handling {what}: {reason}"),
                );
                None
            }
        }
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        if self.shutdown {
            return self.error(id, ErrorCode::InvalidRequest, "the server is shutting down");
        }
        let method = request.method.clone();
        let outcome = self.guarded(&method, |s| s.dispatch(request));
        let response = match outcome {
            Some(Ok(value)) => Response::new_ok(id, value),
            Some(Err((code, message))) => Response::new_err(id, code as i32, message),
            None => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("internal error while handling {method}"),
            ),
        };
        send(self.connection, response);
    }

    fn dispatch(&mut self, request: Request) -> Result<Value, (ErrorCode, String)> {
        match request.method.as_str() {
            lsp::request::Shutdown::METHOD => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            lsp::request::CodeActionRequest::METHOD => {
                let params: lsp::CodeActionParams = params(request.params)?;
                let Some(path) = uri::to_path(&params.text_document.uri) else {
                    return Ok(Value::Null);
                };
                let actions = actions::code_actions(
                    &mut self.session,
                    &params.text_document.uri,
                    &path,
                    params.range,
                    params.context.only.as_deref(),
                );
                Ok(serde_json::to_value(actions).expect("serialisable"))
            }
            lsp::request::HoverRequest::METHOD => {
                let params: lsp::HoverParams = params(request.params)?;
                let position = params.text_document_position_params;
                let Some(path) = uri::to_path(&position.text_document.uri) else {
                    return Ok(Value::Null);
                };
                let hover = actions::hover(&mut self.session, &path, position.position);
                Ok(serde_json::to_value(hover).expect("serialisable"))
            }
            method => Err((
                ErrorCode::MethodNotFound,
                format!("pitfall does not handle `{method}`"),
            )),
        }
    }

    /// Applies a notification; `true` when diagnostics may have changed.
    fn notification(&mut self, n: Notification) -> bool {
        use lsp::notification as note;
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidOpenTextDocumentParams>(n.params) else {
                    return false;
                };
                let doc = p.text_document;
                let Some(path) = uri::to_path(&doc.uri) else {
                    return false;
                };
                if doc.language_id != "python" && !is_python_path(&path) {
                    return false;
                }
                self.session.open(doc.uri, path, doc.text, doc.version);
                true
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidChangeTextDocumentParams>(n.params) else {
                    return false;
                };
                let Some(path) = uri::to_path(&p.text_document.uri) else {
                    return false;
                };
                self.session
                    .change(&path, p.content_changes, p.text_document.version);
                true
            }
            note::DidCloseTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidCloseTextDocumentParams>(n.params) else {
                    return false;
                };
                let Some(path) = uri::to_path(&p.text_document.uri) else {
                    return false;
                };
                if let Some(uri) = self.session.close(&path) {
                    self.notify::<note::PublishDiagnostics>(lsp::PublishDiagnosticsParams {
                        uri,
                        diagnostics: Vec::new(),
                        version: None,
                    });
                }
                true
            }
            note::DidSaveTextDocument::METHOD => {
                let Ok(p) = params::<lsp::DidSaveTextDocumentParams>(n.params) else {
                    return false;
                };
                match uri::to_path(&p.text_document.uri) {
                    Some(path) if is_config_file(&path) => {
                        self.reload_config();
                        true
                    }
                    _ => false,
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                let Ok(p) = params::<lsp::DidChangeWatchedFilesParams>(n.params) else {
                    return false;
                };
                let paths: Vec<PathBuf> = p
                    .changes
                    .iter()
                    .filter_map(|c| uri::to_path(&c.uri))
                    .collect();
                for path in &paths {
                    self.session.disk_changed(path);
                }
                if paths.iter().any(|p| is_config_file(p)) {
                    self.reload_config();
                } else {
                    let errors = self.session.sync_members();
                    self.show_errors(errors);
                }
                !paths.is_empty()
            }
            note::DidChangeWorkspaceFolders::METHOD => {
                let Ok(p) = params::<lsp::DidChangeWorkspaceFoldersParams>(n.params) else {
                    return false;
                };
                let added = p
                    .event
                    .added
                    .iter()
                    .filter_map(|f| uri::to_path(&f.uri))
                    .collect();
                let removed: Vec<PathBuf> = p
                    .event
                    .removed
                    .iter()
                    .filter_map(|f| uri::to_path(&f.uri))
                    .collect();
                let errors = self.session.set_roots(added, &removed);
                self.show_errors(errors);
                true
            }
            note::Initialized::METHOD => {
                self.register_watchers();
                false
            }
            // `$/cancelRequest` (requests are answered in order, at once),
            // `$/setTrace`, `workspace/didChangeConfiguration`, and the rest.
            _ => false,
        }
    }

    fn reload_config(&mut self) {
        let errors = self.session.reload_config();
        self.show_errors(errors);
    }

    /// Asks the client to tell us about Python and configuration files
    /// changed outside the editor (a `git checkout`, a formatter).
    fn register_watchers(&mut self) {
        if !self.watch_files {
            return;
        }
        let watchers = [
            "**/*.py",
            "**/*.pyi",
            "**/pyproject.toml",
            "**/pitfall.toml",
        ]
        .into_iter()
        .map(|glob| lsp::FileSystemWatcher {
            glob_pattern: lsp::GlobPattern::String(glob.to_string()),
            kind: None,
        })
        .collect();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "pitfall-watched-files".to_string(),
                method: lsp::notification::DidChangeWatchedFiles::METHOD.to_string(),
                register_options: Some(serde_json::to_value(options).expect("serialisable")),
            }],
        };
        send(
            self.connection,
            Request::new(
                RequestId::from("pitfall-register-watchers".to_string()),
                lsp::request::RegisterCapability::METHOD.to_string(),
                params,
            ),
        );
    }

    fn publish(&mut self) {
        for params in self.session.changed_diagnostics() {
            self.notify::<lsp::notification::PublishDiagnostics>(params);
        }
    }

    fn show_errors(&mut self, errors: Vec<String>) {
        for error in errors {
            self.log(lsp::MessageType::ERROR, format!("pitfall: {error}"));
            self.notify::<lsp::notification::ShowMessage>(lsp::ShowMessageParams {
                typ: lsp::MessageType::ERROR,
                message: format!("pitfall: {error}"),
            });
        }
    }

    fn log(&self, typ: lsp::MessageType, message: String) {
        eprintln!("{message}");
        self.notify::<lsp::notification::LogMessage>(lsp::LogMessageParams { typ, message });
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        send(
            self.connection,
            Notification::new(N::METHOD.to_string(), params),
        );
    }

    fn error(&self, id: RequestId, code: ErrorCode, message: &str) {
        send(
            self.connection,
            Response::new_err(id, code as i32, message.to_string()),
        );
    }
}

fn send(connection: &Connection, message: impl Into<Message>) {
    // The writer is gone only when the client is; the loop ends on its own then.
    let _ = connection.sender.send(message.into());
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(value)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

fn is_python_path(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "py" || e == "pyi")
}

/// Waits for `initialize`, answering other requests as the protocol asks.
fn wait_for_initialize(connection: &Connection) -> Option<(RequestId, lsp::InitializeParams)> {
    loop {
        match connection.receiver.recv().ok()? {
            Message::Request(r) if r.method == lsp::request::Initialize::METHOD => {
                match serde_json::from_value(r.params) {
                    Ok(params) => return Some((r.id, params)),
                    Err(e) => send(
                        connection,
                        Response::new_err(
                            r.id,
                            ErrorCode::InvalidParams as i32,
                            format!("invalid initialize params: {e}"),
                        ),
                    ),
                }
            }
            Message::Request(r) => send(
                connection,
                Response::new_err(
                    r.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "expected `initialize` first".to_string(),
                ),
            ),
            Message::Notification(n) if n.method == "exit" => return None,
            _ => {}
        }
    }
}

/// UTF-8 when the client offers it (no conversion), else the default UTF-16.
fn position_encoding(capabilities: &lsp::ClientCapabilities) -> Encoding {
    let offered = capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_deref())
        .unwrap_or_default();
    if offered.contains(&lsp::PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if offered.contains(&lsp::PositionEncodingKind::UTF16) || offered.is_empty() {
        Encoding::Utf16
    } else if offered.contains(&lsp::PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

fn workspace_roots(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri::to_path(&f.uri))
        .collect();
    #[allow(deprecated)] // the fallbacks older clients send
    if roots.is_empty() {
        if let Some(root) = params.root_uri.as_ref().and_then(uri::to_path) {
            roots.push(root);
        } else if let Some(root) = &params.root_path {
            roots.push(PathBuf::from(root));
        }
    }
    if roots.is_empty() {
        roots.extend(std::env::current_dir().ok());
    }
    roots
}

fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
            Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(false),
                    },
                )),
                ..Default::default()
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    actions::fix_all_kind(),
                ]),
                resolve_provider: Some(false),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        workspace: Some(lsp::WorkspaceServerCapabilities {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}
