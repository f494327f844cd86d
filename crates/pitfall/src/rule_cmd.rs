//! `pitfall rule CODE|NAME` and `pitfall rule --all`.

use std::io::Write;

use pitfall_linter::{RuleId, RuleMeta};
use serde::Serialize;

use crate::args::{RuleArgs, RuleFormat};
use crate::ExitStatus;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// The Markdown documentation of a rule, embedded at build time.
pub fn rule_doc(meta: &RuleMeta) -> Option<&'static str> {
    let stem = format!("{}-{}", meta.code, meta.name);
    RULE_DOCS
        .iter()
        .find(|(s, _)| *s == stem)
        .map(|(_, doc)| *doc)
}

/// Where a rule's documentation is published.
pub fn rule_url(meta: &RuleMeta) -> String {
    format!("{}{}-{}.md", crate::DOCS_BASE_URL, meta.code, meta.name)
}

#[derive(Serialize)]
struct RuleRecord<'a> {
    code: &'a str,
    name: &'a str,
    family: &'a str,
    tier: pitfall_linter::Tier,
    default: bool,
    summary: &'a str,
    peers: &'a [&'a str],
    fix: pitfall_linter::FixAvailability,
    options: Vec<&'a str>,
    url: String,
}

fn record(meta: &'static RuleMeta) -> RuleRecord<'static> {
    RuleRecord {
        code: meta.code,
        name: meta.name,
        family: meta.family.name(),
        tier: meta.tier,
        default: meta.default_enabled,
        summary: meta.summary,
        peers: meta.peers,
        fix: meta.fix,
        options: meta.options.iter().map(|o| o.name).collect(),
        url: rule_url(meta),
    }
}

pub fn run(args: &RuleArgs) -> ExitStatus {
    let mut out = std::io::stdout().lock();
    if args.all {
        let metas: Vec<&'static RuleMeta> = RuleId::iter().map(RuleId::meta).collect();
        let result = match args.output_format {
            RuleFormat::Json => {
                let records: Vec<_> = metas.into_iter().map(record).collect();
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&records).expect("serialisable")
                )
            }
            RuleFormat::Text => metas.into_iter().try_for_each(|m| {
                let default = if m.default_enabled { "on " } else { "off" };
                writeln!(out, "{}  {:<36} {default}  {}", m.code, m.name, m.summary)
            }),
        };
        return match result {
            Ok(()) => ExitStatus::Success,
            Err(_) => ExitStatus::Error,
        };
    }
    let Some(query) = &args.rule else {
        eprintln!("error: name a rule (`pitfall rule PF401`) or pass `--all`");
        return ExitStatus::Error;
    };
    let Some(id) = RuleId::from_code_or_name(query) else {
        let hint = pitfall_linter::RuleSelector::suggest(query)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        eprintln!("error: unknown rule `{query}`{hint}");
        return ExitStatus::Error;
    };
    let meta = id.meta();
    let result = match args.output_format {
        RuleFormat::Json => {
            let mut value = serde_json::to_value(record(meta)).expect("serialisable");
            value["explanation"] = rule_doc(meta).unwrap_or_default().into();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&value).expect("serialisable")
            )
        }
        RuleFormat::Text => match rule_doc(meta) {
            Some(doc) => write!(out, "{doc}"),
            None => writeln!(out, "# {} `{}`\n\n{}", meta.code, meta.name, meta.summary),
        },
    };
    match result {
        Ok(()) => ExitStatus::Success,
        Err(_) => ExitStatus::Error,
    }
}
