//! What counts as an http(s) URL for `decision_ground_reference_url`.

/// An `http://` or `https://` URL with a plausible host and no whitespace:
/// what the database's URL rule accepts, short of a full RFC 3986 parser.
pub(crate) fn looks_like_http_url(url: &str) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme_len = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return false;
    };
    let rest = &url[scheme_len..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    match host_port.strip_prefix('[') {
        Some(bracketed) => is_ipv6_host_port(bracketed),
        None => {
            let (host, port) = match host_port.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (host_port, None),
            };
            is_host_name(host) && port.is_none_or(is_port)
        }
    }
}

/// A name or IPv4 address: letters (any script), digits, `-` and `.`, in
/// labels that are not empty and do not start or end with `-`.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// What follows the `[` of an IPv6 literal: `::1]` or `::1]:8080`.
fn is_ipv6_host_port(bracketed: &str) -> bool {
    let Some((ip, after)) = bracketed.split_once(']') else {
        return false;
    };
    let ip_ok = !ip.is_empty()
        && ip
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    ip_ok && (after.is_empty() || after.strip_prefix(':').is_some_and(is_port))
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for good in [
            "https://example.com",
            "http://example.com:8080/terms?x=1#a",
            "HTTPS://Example.COM/terms",
            "https://user@example.com/",
            "https://[2001:db8::1]:443/terms",
            "https://bücher.example/agb",
        ] {
            assert!(looks_like_http_url(good), "{good}");
        }
        for bad in [
            "",
            "example.com/terms",
            "ftp://example.com",
            "https://",
            "https:///terms",
            "https://exa mple.com",
            "https://example.com/terms page",
            "https://example.com:port/",
            "https://.example.com",
            "https://[::1",
            "javascript:alert(1)",
        ] {
            assert!(!looks_like_http_url(bad), "{bad}");
        }
    }
}
