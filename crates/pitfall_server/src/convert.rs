//! pitfall's diagnostics as LSP diagnostics.

use std::str::FromStr;

use lsp_types as lsp;
use pitfall_linter::{Diagnostic, Tier};

use crate::line_index::Encoding;
use crate::session::Snapshot;
use crate::RuleDocs;

/// The diagnostic's `source`, which editors show beside the message.
pub const SOURCE: &str = "pitfall";

pub fn diagnostic(
    d: &Diagnostic,
    snapshot: &Snapshot,
    encoding: Encoding,
    docs: &RuleDocs,
    related: Vec<lsp::DiagnosticRelatedInformation>,
) -> lsp::Diagnostic {
    let meta = d.rule.meta();
    // pitfall's own findings (syntax errors, unreadable files) are errors;
    // a rule's finding is a warning: the code runs, but likely not as meant.
    let severity = match meta.tier {
        Tier::Tool if meta.code != "PF004" => lsp::DiagnosticSeverity::ERROR,
        _ => lsp::DiagnosticSeverity::WARNING,
    };
    let tags = (meta.code == "PF004").then(|| vec![lsp::DiagnosticTag::UNNECESSARY]);
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    lsp::Diagnostic {
        range: snapshot.index.range(d.range, &snapshot.text, encoding),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(meta.code.to_string())),
        code_description: lsp::Uri::from_str(&(docs.url)(meta))
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags,
        data: Some(serde_json::json!({ "name": meta.name })),
    }
}
