//! The catalog of known blocking APIs (PF101), matched against resolved
//! qualified names such as `time.sleep` or `requests.Session().get`.

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BlockingCategory {
    Sleep,
    Http,
    File,
    Subprocess,
    Database,
    Other,
}

impl BlockingCategory {
    /// The category as a noun phrase: "a blocking HTTP call".
    pub fn describe(self) -> &'static str {
        match self {
            BlockingCategory::Sleep => "a blocking sleep",
            BlockingCategory::Http => "a blocking HTTP call",
            BlockingCategory::File => "blocking file I/O",
            BlockingCategory::Subprocess => "a blocking subprocess call",
            BlockingCategory::Database => "a blocking database call",
            BlockingCategory::Other => "a blocking call",
        }
    }

    /// What to use instead, for the help line.
    pub fn advice(self) -> &'static str {
        match self {
            BlockingCategory::Sleep => "use `await asyncio.sleep(...)`",
            BlockingCategory::Http => {
                "use an async client (`httpx.AsyncClient`, `aiohttp`) or `await asyncio.to_thread(...)`"
            }
            BlockingCategory::File => {
                "use `aiofiles` or move the file work to `await asyncio.to_thread(...)`"
            }
            BlockingCategory::Subprocess => "use `asyncio.create_subprocess_exec(...)`",
            BlockingCategory::Database => {
                "use an async driver (`asyncpg`, `aiosqlite`, SQLAlchemy's `AsyncSession`) or `await asyncio.to_thread(...)`"
            }
            BlockingCategory::Other => "move the call to `await asyncio.to_thread(...)` or use an async API",
        }
    }
}

const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

const DB_METHODS: &[&str] = &[
    "execute",
    "executemany",
    "fetchone",
    "fetchall",
    "fetchmany",
    "commit",
    "rollback",
    "query",
    "scalars",
    "get",
];

const DB_CONNECTS: &[&str] = &[
    "sqlite3.connect",
    "psycopg2.connect",
    "pymysql.connect",
    "MySQLdb.connect",
    "mysql.connector.connect",
    "pymongo.MongoClient",
    "redis.Redis",
];

/// Receivers whose `execute`/`fetch*`/`commit`/... methods block.
const DB_RECEIVERS: &[&str] = &[
    "sqlite3.connect()",
    "psycopg2.connect()",
    "pymysql.connect()",
    "MySQLdb.connect()",
    "mysql.connector.connect()",
    "pymongo.MongoClient()",
    "redis.Redis()",
    "sqlalchemy.orm.Session()",
    "sqlalchemy.orm.sessionmaker()()",
    "sqlalchemy.create_engine().connect()",
];

/// The category of a call to `qualified`, if it is a known blocking API.
pub fn classify(qualified: &str) -> Option<BlockingCategory> {
    use BlockingCategory::*;
    let q = qualified;
    if q == "time.sleep" {
        return Some(Sleep);
    }
    if let Some((receiver, method)) = q.rsplit_once('.') {
        // HTTP
        if (receiver == "requests" || receiver == "httpx") && HTTP_VERBS.contains(&method)
            || receiver == "httpx" && method == "stream"
            || (receiver == "requests.Session()" || receiver == "requests.session()")
                && (HTTP_VERBS.contains(&method) || method == "send")
            || receiver == "httpx.Client()"
                && (HTTP_VERBS.contains(&method) || matches!(method, "send" | "stream"))
            || receiver == "urllib.request" && matches!(method, "urlopen" | "urlretrieve")
            || matches!(
                receiver,
                "http.client.HTTPConnection()" | "http.client.HTTPSConnection()"
            ) && matches!(method, "request" | "getresponse" | "connect" | "send")
            || receiver == "urllib3" && method == "request"
            || matches!(
                receiver,
                "urllib3.PoolManager()"
                    | "urllib3.HTTPConnectionPool()"
                    | "urllib3.HTTPSConnectionPool()"
                    | "urllib3.connection_from_url()"
            ) && matches!(
                method,
                "request" | "urlopen" | "request_encode_url" | "request_encode_body"
            )
        {
            return Some(Http);
        }
        // File
        if matches!(q, "builtins.open" | "io.open" | "codecs.open" | "os.fdopen")
            || matches!(
                receiver,
                "pathlib.Path()" | "pathlib.PosixPath()" | "pathlib.WindowsPath()"
            ) && matches!(
                method,
                "open" | "read_text" | "read_bytes" | "write_text" | "write_bytes"
            )
            || receiver == "shutil"
                && (method.starts_with("copy") || matches!(method, "move" | "rmtree"))
        {
            return Some(File);
        }
        // Subprocess
        if receiver == "subprocess"
            && matches!(
                method,
                "run" | "call" | "check_call" | "check_output" | "getoutput" | "getstatusoutput"
            )
            || receiver == "subprocess.Popen()" && matches!(method, "wait" | "communicate")
            || receiver == "os"
                && (matches!(method, "system" | "popen") || method.starts_with("wait"))
        {
            return Some(Subprocess);
        }
        // Database
        if DB_CONNECTS.contains(&q) {
            return Some(Database);
        }
        if DB_METHODS.contains(&method) {
            let base = receiver.strip_suffix(".cursor()").unwrap_or(receiver);
            if DB_RECEIVERS.contains(&base) {
                return Some(Database);
            }
        }
        // Other
        if q == "builtins.input"
            || receiver == "socket.socket()"
                && matches!(
                    method,
                    "recv" | "recv_into" | "recvfrom" | "accept" | "connect" | "sendall"
                )
            || method == "result"
                && receiver.starts_with("concurrent.futures.")
                && (receiver.ends_with(".submit()") || receiver == "concurrent.futures.Future()")
            || matches!(
                receiver,
                "multiprocessing.Pool()"
                    | "multiprocessing.pool.Pool()"
                    | "multiprocessing.pool.ThreadPool()"
            ) && matches!(method, "map" | "starmap" | "apply")
        {
            return Some(Other);
        }
    }
    None
}

/// Every final name (function or method) that [`classify`] can accept: a
/// cheap filter before resolving a callee to its qualified name.
pub fn may_block_by_name(name: &str) -> bool {
    HTTP_VERBS.contains(&name)
        || DB_METHODS.contains(&name)
        || name.starts_with("wait")
        || name.starts_with("copy")
        || matches!(
            name,
            "sleep"
                | "send"
                | "stream"
                | "urlopen"
                | "urlretrieve"
                | "getresponse"
                | "connect"
                | "request_encode_url"
                | "request_encode_body"
                | "open"
                | "fdopen"
                | "read_text"
                | "read_bytes"
                | "write_text"
                | "write_bytes"
                | "move"
                | "rmtree"
                | "run"
                | "call"
                | "check_call"
                | "check_output"
                | "getoutput"
                | "getstatusoutput"
                | "communicate"
                | "system"
                | "popen"
                | "MongoClient"
                | "Redis"
                | "input"
                | "recv"
                | "recv_into"
                | "recvfrom"
                | "accept"
                | "sendall"
                | "result"
                | "map"
                | "starmap"
                | "apply"
        )
}

/// A blocking API name for messages: `requests.Session().get` → `requests.Session.get`.
pub fn display_name(qualified: &str) -> String {
    let trimmed = qualified.strip_prefix("builtins.").unwrap_or(qualified);
    trimmed.replace("().", ".").replace("()", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_each_category() {
        assert_eq!(classify("time.sleep"), Some(BlockingCategory::Sleep));
        assert_eq!(classify("requests.get"), Some(BlockingCategory::Http));
        assert_eq!(
            classify("requests.Session().post"),
            Some(BlockingCategory::Http)
        );
        assert_eq!(classify("builtins.open"), Some(BlockingCategory::File));
        assert_eq!(
            classify("pathlib.Path().read_text"),
            Some(BlockingCategory::File)
        );
        assert_eq!(
            classify("subprocess.run"),
            Some(BlockingCategory::Subprocess)
        );
        assert_eq!(
            classify("sqlite3.connect().cursor().execute"),
            Some(BlockingCategory::Database)
        );
        assert_eq!(classify("builtins.input"), Some(BlockingCategory::Other));
        assert_eq!(classify("asyncio.sleep"), None);
        assert_eq!(classify("aiofiles.open"), None);
        assert_eq!(classify("httpx.AsyncClient().get"), None);
        assert_eq!(classify("requests.Session().close"), None);
    }

    #[test]
    fn name_filter_accepts_everything_classify_accepts() {
        let examples = [
            "time.sleep",
            "requests.get",
            "requests.Session().send",
            "httpx.stream",
            "httpx.Client().stream",
            "urllib.request.urlopen",
            "urllib.request.urlretrieve",
            "http.client.HTTPConnection().getresponse",
            "urllib3.PoolManager().request_encode_body",
            "builtins.open",
            "os.fdopen",
            "pathlib.Path().write_bytes",
            "shutil.copyfile",
            "shutil.move",
            "shutil.rmtree",
            "subprocess.check_output",
            "subprocess.getstatusoutput",
            "subprocess.Popen().communicate",
            "os.waitpid",
            "os.system",
            "os.popen",
            "sqlite3.connect",
            "pymongo.MongoClient",
            "redis.Redis",
            "redis.Redis().get",
            "psycopg2.connect().cursor().fetchmany",
            "sqlalchemy.orm.Session().scalars",
            "builtins.input",
            "socket.socket().recv_into",
            "socket.socket().sendall",
            "concurrent.futures.ThreadPoolExecutor().submit().result",
            "multiprocessing.Pool().starmap",
        ];
        for q in examples {
            assert!(classify(q).is_some(), "{q} is blocking");
            let last = q.rsplit('.').next().unwrap();
            assert!(may_block_by_name(last), "{q}: filter must accept `{last}`");
        }
    }

    #[test]
    fn display_names_drop_calls() {
        assert_eq!(
            display_name("requests.Session().get"),
            "requests.Session.get"
        );
        assert_eq!(display_name("builtins.open"), "open");
    }
}
