//! The exception classes pitfall knows the bases of: the builtin hierarchy
//! and common standard-library exceptions, by qualified name.

/// `builtins.IOError` → `builtins.OSError`: names that are the same class.
pub fn canonical(qualified: &str) -> &str {
    match qualified {
        "builtins.IOError"
        | "builtins.EnvironmentError"
        | "socket.error"
        | "select.error"
        | "os.error" => "builtins.OSError",
        "json.decoder.JSONDecodeError" => "json.JSONDecodeError",
        "asyncio.exceptions.CancelledError" => "asyncio.CancelledError",
        "sqlite3.dbapi2.Error" => "sqlite3.Error",
        other => other,
    }
}

/// The direct bases of a known exception class (canonical names); `None` if unknown.
pub fn bases(class: &str) -> Option<&'static [&'static str]> {
    const BASE: &[&str] = &["builtins.BaseException"];
    const EXC: &[&str] = &["builtins.Exception"];
    const OS: &[&str] = &["builtins.OSError"];
    const VALUE: &[&str] = &["builtins.ValueError"];
    const WARNING: &[&str] = &["builtins.Warning"];
    Some(match class {
        "builtins.BaseException" => &[],
        "builtins.SystemExit"
        | "builtins.KeyboardInterrupt"
        | "builtins.GeneratorExit"
        | "builtins.Exception"
        | "builtins.BaseExceptionGroup"
        | "asyncio.CancelledError" => BASE,
        "builtins.ExceptionGroup" => &["builtins.BaseExceptionGroup", "builtins.Exception"],
        "builtins.ArithmeticError"
        | "builtins.AssertionError"
        | "builtins.AttributeError"
        | "builtins.BufferError"
        | "builtins.EOFError"
        | "builtins.ImportError"
        | "builtins.LookupError"
        | "builtins.MemoryError"
        | "builtins.NameError"
        | "builtins.OSError"
        | "builtins.ReferenceError"
        | "builtins.RuntimeError"
        | "builtins.StopAsyncIteration"
        | "builtins.StopIteration"
        | "builtins.SyntaxError"
        | "builtins.SystemError"
        | "builtins.TypeError"
        | "builtins.ValueError"
        | "builtins.Warning"
        | "subprocess.SubprocessError"
        | "asyncio.InvalidStateError"
        | "asyncio.LimitOverrunError"
        | "zipfile.BadZipFile"
        | "tarfile.TarError"
        | "struct.error"
        | "pickle.PickleError"
        | "configparser.Error"
        | "csv.Error"
        | "sqlite3.Error"
        | "sqlite3.Warning"
        | "http.client.HTTPException"
        | "queue.Empty"
        | "queue.Full"
        | "re.error"
        | "locale.Error"
        | "getopt.GetoptError"
        | "argparse.ArgumentError"
        | "argparse.ArgumentTypeError"
        | "xml.parsers.expat.ExpatError"
        | "zlib.error"
        | "email.errors.MessageError"
        | "copy.Error" => EXC,
        "builtins.FloatingPointError"
        | "builtins.OverflowError"
        | "builtins.ZeroDivisionError"
        | "decimal.DecimalException" => &["builtins.ArithmeticError"],
        "builtins.ModuleNotFoundError" => &["builtins.ImportError"],
        "importlib.metadata.PackageNotFoundError" => &["builtins.ModuleNotFoundError"],
        "builtins.IndexError" | "builtins.KeyError" => &["builtins.LookupError"],
        "builtins.UnboundLocalError" => &["builtins.NameError"],
        "builtins.BlockingIOError"
        | "builtins.ChildProcessError"
        | "builtins.ConnectionError"
        | "builtins.FileExistsError"
        | "builtins.FileNotFoundError"
        | "builtins.InterruptedError"
        | "builtins.IsADirectoryError"
        | "builtins.NotADirectoryError"
        | "builtins.PermissionError"
        | "builtins.ProcessLookupError"
        | "builtins.TimeoutError"
        | "socket.gaierror"
        | "socket.herror"
        | "ssl.SSLError"
        | "urllib.error.URLError"
        | "shutil.Error"
        | "smtplib.SMTPException"
        | "http.cookiejar.LoadError" => OS,
        "builtins.BrokenPipeError"
        | "builtins.ConnectionAbortedError"
        | "builtins.ConnectionRefusedError"
        | "builtins.ConnectionResetError" => &["builtins.ConnectionError"],
        "builtins.NotImplementedError" | "builtins.RecursionError" => &["builtins.RuntimeError"],
        "builtins.IndentationError" | "xml.etree.ElementTree.ParseError" => {
            &["builtins.SyntaxError"]
        }
        "builtins.TabError" => &["builtins.IndentationError"],
        "builtins.UnicodeError"
        | "json.JSONDecodeError"
        | "binascii.Error"
        | "tomllib.TOMLDecodeError" => VALUE,
        "builtins.UnicodeDecodeError"
        | "builtins.UnicodeEncodeError"
        | "builtins.UnicodeTranslateError" => &["builtins.UnicodeError"],
        "builtins.BytesWarning"
        | "builtins.DeprecationWarning"
        | "builtins.EncodingWarning"
        | "builtins.FutureWarning"
        | "builtins.ImportWarning"
        | "builtins.PendingDeprecationWarning"
        | "builtins.ResourceWarning"
        | "builtins.RuntimeWarning"
        | "builtins.SyntaxWarning"
        | "builtins.UnicodeWarning"
        | "builtins.UserWarning" => WARNING,
        "subprocess.CalledProcessError" | "subprocess.TimeoutExpired" => {
            &["subprocess.SubprocessError"]
        }
        "ssl.SSLCertVerificationError" => &["ssl.SSLError", "builtins.ValueError"],
        "ssl.SSLZeroReturnError"
        | "ssl.SSLWantReadError"
        | "ssl.SSLWantWriteError"
        | "ssl.SSLSyscallError"
        | "ssl.SSLEOFError" => &["ssl.SSLError"],
        "urllib.error.HTTPError" | "urllib.error.ContentTooShortError" => {
            &["urllib.error.URLError"]
        }
        "asyncio.IncompleteReadError" => &["builtins.EOFError"],
        "shutil.SameFileError" => &["shutil.Error"],
        "tarfile.ReadError"
        | "tarfile.CompressionError"
        | "tarfile.StreamError"
        | "tarfile.ExtractError"
        | "tarfile.HeaderError" => &["tarfile.TarError"],
        "pickle.PicklingError" | "pickle.UnpicklingError" => &["pickle.PickleError"],
        "configparser.NoSectionError"
        | "configparser.NoOptionError"
        | "configparser.DuplicateSectionError"
        | "configparser.ParsingError" => &["configparser.Error"],
        "sqlite3.InterfaceError" | "sqlite3.DatabaseError" => &["sqlite3.Error"],
        "sqlite3.OperationalError"
        | "sqlite3.IntegrityError"
        | "sqlite3.ProgrammingError"
        | "sqlite3.DataError"
        | "sqlite3.InternalError"
        | "sqlite3.NotSupportedError" => &["sqlite3.DatabaseError"],
        "decimal.InvalidOperation" | "decimal.Inexact" | "decimal.Rounded" => {
            &["decimal.DecimalException"]
        }
        "decimal.DivisionByZero" => &["decimal.DecimalException", "builtins.ZeroDivisionError"],
        _ => return None,
    })
}

/// Whether known class `class` is `ancestor` or derives from it.
pub fn derives_from(class: &str, ancestor: &str) -> bool {
    if class == ancestor {
        return true;
    }
    bases(class).is_some_and(|bs| bs.iter().any(|b| derives_from(b, ancestor)))
}
