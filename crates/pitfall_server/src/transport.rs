//! JSON-RPC framing over stdio. lsp-server's own stdio transport ends its
//! reader thread on the first malformed message, which would end the server:
//! this one answers such a message with a JSON-RPC error and reads on.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{select, unbounded, Receiver, Sender};
use lsp_server::{Connection, Message};

/// The reader and writer threads behind a [`Connection`].
pub struct IoThreads {
    writer: thread::JoinHandle<()>,
}

impl IoThreads {
    /// Waits until everything sent has been written. The reader is left to
    /// the process exit: it may be blocked on standard input.
    pub fn join(self) {
        let _ = self.writer.join();
    }
}

/// A connection over this process's standard input and output.
pub fn stdio() -> (Connection, IoThreads) {
    let (to_client, outgoing) = unbounded::<Message>();
    let (raw_to_client, raw_outgoing) = unbounded::<String>();
    let (incoming_sender, incoming) = unbounded::<Message>();
    let writer = thread::Builder::new()
        .name("pitfall-lsp-writer".into())
        .spawn(move || write_loop(io::stdout(), outgoing, raw_outgoing))
        .expect("spawn writer");
    thread::Builder::new()
        .name("pitfall-lsp-reader".into())
        .spawn(move || read_loop(io::stdin().lock(), incoming_sender, raw_to_client))
        .expect("spawn reader");
    (
        Connection {
            sender: to_client,
            receiver: incoming,
        },
        IoThreads { writer },
    )
}

/// `Message` serializes without the `jsonrpc` member; the frame needs it.
#[derive(serde::Serialize)]
struct JsonRpc<'a> {
    jsonrpc: &'static str,
    #[serde(flatten)]
    message: &'a Message,
}

fn to_json(message: &Message) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&JsonRpc {
        jsonrpc: "2.0",
        message,
    })
}

fn write_loop(out: io::Stdout, messages: Receiver<Message>, raw: Receiver<String>) {
    let write = |body: &[u8]| -> io::Result<()> {
        let mut out = out.lock();
        write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
        out.write_all(body)?;
        out.flush()
    };
    let mut raw_open = true;
    loop {
        let body = if raw_open {
            select! {
                recv(messages) -> m => match m {
                    Ok(m) => to_json(&m),
                    Err(_) => return,
                },
                recv(raw) -> r => match r {
                    Ok(r) => Ok(r.into_bytes()),
                    Err(_) => { raw_open = false; continue; }
                },
            }
        } else {
            match messages.recv() {
                Ok(m) => to_json(&m),
                Err(_) => return,
            }
        };
        let Ok(body) = body else { continue };
        if write(&body).is_err() {
            return;
        }
    }
}

/// What one frame of input was.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    /// Not JSON, or not a JSON-RPC message: the error to answer with.
    Invalid {
        code: i32,
        message: String,
    },
    /// A header block without a usable `Content-Length`.
    BadHeader(String),
}

/// Reads frames until end of input, forwarding messages and answering bad ones.
pub fn read_loop(mut input: impl BufRead, messages: Sender<Message>, errors: Sender<String>) {
    loop {
        match read_frame(&mut input) {
            Ok(None) | Err(_) => return,
            Ok(Some(Frame::Message(m))) => {
                if messages.send(m).is_err() {
                    return;
                }
            }
            Ok(Some(Frame::Invalid { code, message })) => {
                let response = serde_json::json!({
                    "jsonrpc": "2.0",
                    "id": null,
                    "error": { "code": code, "message": message },
                });
                let _ = errors.send(response.to_string());
            }
            Ok(Some(Frame::BadHeader(message))) => {
                eprintln!("pitfall server: skipping input: {message}");
            }
        }
    }
}

/// JSON-RPC's parse error and invalid request codes.
const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;
/// A body larger than this is refused (and skipped) rather than buffered.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// One frame: header lines up to an empty line, then `Content-Length` bytes.
/// `Ok(None)` at the end of input.
pub fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length `{}`", value.trim())),
                );
            }
        }
    }
    let length = match length {
        None => return Ok(Some(Frame::BadHeader("no Content-Length header".into()))),
        Some(Err(e)) => return Ok(Some(Frame::BadHeader(e))),
        Some(Ok(n)) if n > MAX_BODY => {
            io::copy(&mut input.take(n as u64), &mut io::sink())?;
            return Ok(Some(Frame::BadHeader(format!(
                "message of {n} bytes is too large"
            ))));
        }
        Some(Ok(n)) => n,
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(parse_body(&body)))
}

fn parse_body(body: &[u8]) -> Frame {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Frame::Invalid {
                code: PARSE_ERROR,
                message: format!("invalid JSON: {e}"),
            }
        }
    };
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Frame::Message(m),
        Err(e) => Frame::Invalid {
            code: INVALID_REQUEST,
            message: format!("not a JSON-RPC message: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Frame> {
        let mut input = io::Cursor::new(input.as_bytes().to_vec());
        std::iter::from_fn(|| read_frame(&mut input).ok().flatten()).collect()
    }

    #[test]
    fn bad_frames_do_not_stop_reading() {
        let ok = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let not_rpc = r#"{"method": 5}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{oops\
             Content-Length: {}\r\n\r\n{not_rpc}\
             X-Other: 1\r\n\r\n\
             Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{ok}",
            not_rpc.len(),
            ok.len()
        );
        let got = frames(&input);
        assert!(
            matches!(
                got[0],
                Frame::Invalid {
                    code: PARSE_ERROR,
                    ..
                }
            ),
            "{got:?}"
        );
        assert!(
            matches!(
                got[1],
                Frame::Invalid {
                    code: INVALID_REQUEST,
                    ..
                }
            ),
            "{got:?}"
        );
        assert!(matches!(got[2], Frame::BadHeader(_)), "{got:?}");
        assert!(
            matches!(&got[3], Frame::Message(Message::Notification(n)) if n.method == "initialized")
        );
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn written_messages_name_the_protocol() {
        let note = lsp_server::Notification::new("x".into(), serde_json::json!({}));
        let json: serde_json::Value =
            serde_json::from_slice(&to_json(&Message::Notification(note)).unwrap()).unwrap();
        assert_eq!(json["jsonrpc"], "2.0");
        assert_eq!(json["method"], "x");
    }

    #[test]
    fn truncated_input_ends_cleanly() {
        assert!(frames("Content-Length: 50\r\n\r\n{}").is_empty());
        assert!(frames("").is_empty());
    }
}
