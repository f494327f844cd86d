//! PF703 `shell-command-injection`: shell command strings built from values.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{
    argument, callee_in, formatted_string, is_literal_string, is_true, keyword, name_value,
};

pub struct ShellCommandInjection;

static META: RuleMeta = rule_meta(
    "PF703",
    "shell-command-injection",
    Family::Security,
    Tier::Core,
    FixAvailability::None,
    &["S602", "S604", "S605", "S609"],
    "Shell commands built from variables; `os.system`/`os.popen`.",
);

const TARGETS: &[&str] = &[
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
    "asyncio.create_subprocess_shell",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "os.system",
    "os.popen",
];

const HELP: &str =
    "pass an argument list without a shell: `subprocess.run([\"prog\", arg], check=True)`";

impl Rule for ShellCommandInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.calls(&[TARGETS])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Some(target) = callee_in(checker, &call.func, TARGETS) else {
            return;
        };
        let (command, always) = match target {
            "os.system" => (argument(call, Some(0), &["command"]), true),
            "os.popen" | "subprocess.getoutput" | "subprocess.getstatusoutput" => {
                (argument(call, Some(0), &["cmd"]), target.starts_with("os."))
            }
            "asyncio.create_subprocess_shell" => (argument(call, Some(0), &["cmd"]), false),
            _ => {
                if !keyword(call, "shell").is_some_and(is_true) {
                    return;
                }
                (argument(call, Some(0), &["args"]), false)
            }
        };
        let Some(command) = command else { return };
        if command.is_starred_expr() {
            return;
        }
        match command_shape(checker, command, 0) {
            Shape::Built => {
                checker
                    .report(
                        format!("`{target}` runs a command string built from values through the shell: a value containing `;`, `&&` or `$(...)` runs other commands"),
                        command.range(),
                    )
                    .help(HELP);
            }
            Shape::Literal | Shape::Quoted if always => {
                checker
                    .report(
                        format!("`{target}` runs its command through the shell"),
                        call.range(),
                    )
                    .help(HELP);
            }
            _ => {}
        }
    }
}

enum Shape {
    /// A string literal, or a name bound to one.
    Literal,
    /// Built from values, all of them passed through `shlex.quote`.
    Quoted,
    /// Built from values (or a value of unknown origin).
    Built,
    /// Not a string command (an argument list).
    List,
}

fn command_shape(checker: &Checker, command: &Expr, depth: u32) -> Shape {
    if is_literal_string(command) {
        return Shape::Literal;
    }
    if matches!(command, Expr::List(_) | Expr::Tuple(_)) {
        return Shape::List;
    }
    if let Some(formatted) = formatted_string(command) {
        let all_quoted = formatted.values.iter().all(|v| is_quoted(checker, v));
        return if all_quoted {
            Shape::Quoted
        } else {
            Shape::Built
        };
    }
    if is_quoted(checker, command) {
        return Shape::Quoted;
    }
    if let Expr::Name(name) = command {
        if depth < 3 {
            if let Some(value) = name_value(checker, name) {
                return command_shape(checker, value, depth + 1);
            }
        }
    }
    Shape::Built
}

/// `shlex.quote(x)` or `shlex.join(args)`.
fn is_quoted(checker: &Checker, expr: &Expr) -> bool {
    let Expr::Call(call) = expr else { return false };
    callee_in(
        checker,
        &call.func,
        &["shlex.quote", "shlex.join", "pipes.quote"],
    )
    .is_some()
}
