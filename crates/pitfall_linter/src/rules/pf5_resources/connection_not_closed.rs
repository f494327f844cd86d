//! PF505 `connection-not-closed`: DB connections, sessions and HTTP clients
//! created in a function and not closed on every path.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::meta::{Family, FixAvailability, RuleMeta, Tier};
use crate::registry::rule_meta;
use crate::rule::{Interests, Rule};
use crate::rules::common::{enclosing_function, qualified_callee};
use crate::rules::pf5_resources::ownership::{leak_of, Leak};

pub struct ConnectionNotClosed;

static META: RuleMeta = rule_meta(
    "PF505",
    "connection-not-closed",
    Family::Resources,
    Tier::Core,
    FixAvailability::None,
    &[],
    "DB connections, sessions and HTTP clients not closed on every path.",
);

const CONNECTIONS: &[&str] = &[
    "sqlite3.connect",
    "psycopg2.connect",
    "psycopg.connect",
    "pymysql.connect",
    "mysql.connector.connect",
    "asyncpg.connect",
    "asyncpg.create_pool",
    "aiosqlite.connect",
    "aiomysql.create_pool",
    "sqlalchemy.orm.Session",
    "sqlalchemy.orm.sessionmaker()",
    "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.async_sessionmaker()",
    "sqlalchemy.create_engine().connect",
    "sqlalchemy.ext.asyncio.create_async_engine().connect",
    "requests.Session",
    "requests.session",
    "httpx.Client",
    "httpx.AsyncClient",
    "aiohttp.ClientSession",
];

/// Drivers whose connection's `with` ends a transaction and leaves it open.
const TRANSACTION_WITH: &[&str] = &["sqlite3.connect", "psycopg2.connect"];

/// The last names worth resolving: the walk hands the rule only calls to
/// these (or to aliases).
const CALLEES: &[&str] = &[
    "connect",
    "create_pool",
    "Session",
    "AsyncSession",
    "session",
    "Client",
    "AsyncClient",
    "ClientSession",
];

fn may_match(name: &str) -> bool {
    CALLEES.contains(&name)
}

impl Rule for ConnectionNotClosed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn interests(&self) -> Interests {
        Interests::NONE.calls(&[CALLEES])
    }

    fn check_expr(&self, checker: &mut Checker, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        // Module-level engines, pools and clients are long-lived by design.
        if enclosing_function(checker).is_none() {
            return;
        }
        let Some(q) = qualified_callee(checker, &call.func, may_match) else {
            return;
        };
        let Some(target) = CONNECTIONS.iter().copied().find(|t| *t == q) else {
            return;
        };
        let with_closes = !TRANSACTION_WITH.contains(&target);
        let Some(leak) = leak_of(checker, call, with_closes) else {
            return;
        };
        let what = target.replace("()", "(...)");
        let (how, help) = match leak {
            Leak::TransactionWith => (
                "is used as a `with` item, which only commits or rolls back: the connection stays open",
                "wrap it in `contextlib.closing(...)`, or close it in a `finally`",
            ),
            Leak::Attribute => (
                "is stored on `self` in a class with no `close`/`__exit__`",
                "give the class a `close()` (or `__exit__`) that closes it",
            ),
            Leak::Local | Leak::Temporary => (
                "is not closed on every path: an exception before `close()` leaks it",
                "use `with` / `async with` (or `contextlib.closing(...)`), or close it in a `finally`",
            ),
        };
        checker
            .report(
                format!("`{what}` {how}; the pool or server runs out of connections under load"),
                call.range(),
            )
            .help(help);
    }
}
