//! Where a store lives: reading the URL given to [`crate::Store::open`].

use std::path::PathBuf;

use crate::StoreError;

/// A store location the library knows how to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A SQLite database file, created if missing.
    SqliteFile(PathBuf),
}

/// Reads a store URL: `sqlite://PATH`, `sqlite:PATH` or a bare file path.
///
/// The path is taken verbatim (no percent-decoding, no query parameters), so
/// `sqlite:///var/lib/vigil/vigil.db` is an absolute path and
/// `sqlite://.vigil/vigil.db` a relative one.
pub(crate) fn parse(url: &str) -> Result<Location, StoreError> {
    if url.is_empty() {
        return Err(invalid(
            url,
            "it is empty; give sqlite://PATH or a file path",
        ));
    }
    if let Some(path) = strip_scheme(url, "sqlite") {
        return sqlite_file(url, path);
    }
    if strip_scheme(url, "postgres").is_some() || strip_scheme(url, "postgresql").is_some() {
        return Err(StoreError::Unsupported {
            url: url.to_owned(),
            reason: "PostgreSQL support is planned but not yet available; \
                     use a SQLite file (sqlite://PATH) for now"
                .to_owned(),
        });
    }
    if let Some((scheme, _)) = url.split_once("://") {
        if looks_like_scheme(scheme) {
            return Err(StoreError::Unsupported {
                url: url.to_owned(),
                reason: format!(
                    "unknown scheme `{scheme}`; the store opens sqlite://PATH \
                     (PostgreSQL support is planned)"
                ),
            });
        }
    }
    sqlite_file(url, url)
}

/// The rest of `url` after `scheme://` or `scheme:`, ignoring the scheme's case.
fn strip_scheme<'a>(url: &'a str, scheme: &str) -> Option<&'a str> {
    let head = url.get(..scheme.len())?;
    if !head.eq_ignore_ascii_case(scheme) {
        return None;
    }
    let rest = &url[scheme.len()..];
    rest.strip_prefix("://").or_else(|| rest.strip_prefix(':'))
}

/// Whether `s` is a URL scheme (RFC 3986: a letter, then letters, digits,
/// `+`, `-` or `.`). One letter alone is taken for a Windows drive instead.
fn looks_like_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    starts_with_letter
        && s.len() > 1
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn sqlite_file(url: &str, path: &str) -> Result<Location, StoreError> {
    if path.is_empty() {
        return Err(invalid(url, "it names no file; give sqlite://PATH"));
    }
    if path == ":memory:" || path.starts_with("file::memory:") {
        return Err(StoreError::Unsupported {
            url: url.to_owned(),
            reason: "in-memory databases are not supported: every pooled connection would see \
                     its own empty database, and all of it is lost on close; use a file \
                     (a temporary file in tests)"
                .to_owned(),
        });
    }
    Ok(Location::SqliteFile(PathBuf::from(path)))
}

fn invalid(url: &str, reason: &str) -> StoreError {
    StoreError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(url: &str) -> PathBuf {
        match parse(url) {
            Ok(Location::SqliteFile(path)) => path,
            Err(e) => panic!("`{url}` should parse: {e}"),
        }
    }

    #[test]
    fn sqlite_urls_and_bare_paths_name_files() {
        assert_eq!(
            file("sqlite:///var/lib/vigil.db"),
            PathBuf::from("/var/lib/vigil.db")
        );
        assert_eq!(
            file("sqlite://.vigil/vigil.db"),
            PathBuf::from(".vigil/vigil.db")
        );
        assert_eq!(file("sqlite:vigil.db"), PathBuf::from("vigil.db"));
        assert_eq!(file("SQLite://vigil.db"), PathBuf::from("vigil.db"));
        assert_eq!(file("/tmp/vigil.db"), PathBuf::from("/tmp/vigil.db"));
        assert_eq!(file("vigil.db"), PathBuf::from("vigil.db"));
        assert_eq!(
            file(r"C:\vigil\vigil.db"),
            PathBuf::from(r"C:\vigil\vigil.db")
        );
    }

    #[test]
    fn postgres_is_refused_with_a_plan() {
        for url in ["postgres://localhost/vigil", "postgresql://u@h:5432/vigil"] {
            match parse(url) {
                Err(e @ StoreError::Unsupported { .. }) => {
                    let message = e.to_string();
                    assert!(
                        message.contains("PostgreSQL support is planned"),
                        "{message}"
                    );
                }
                other => panic!("`{url}` should be unsupported, got {other:?}"),
            }
        }
    }

    #[test]
    fn other_schemes_memory_and_empty_are_refused() {
        assert!(matches!(
            parse("mysql://localhost/vigil"),
            Err(StoreError::Unsupported { .. })
        ));
        assert!(matches!(
            parse("sqlite::memory:"),
            Err(StoreError::Unsupported { .. })
        ));
        assert!(matches!(parse(""), Err(StoreError::InvalidUrl { .. })));
        assert!(matches!(
            parse("sqlite://"),
            Err(StoreError::InvalidUrl { .. })
        ));
    }
}
