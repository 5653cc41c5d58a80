//! The reviewer's web page: `GET /review` and its scripts and style sheet,
//! compiled into the binary so `vigil serve` needs no files beside it.
//!
//! The page is plain HTML, CSS and JavaScript modules (no build step, no
//! CDN) talking to the review API under `/v1/review/...` with the
//! reviewer's API key, which it keeps in the tab's `sessionStorage`. The
//! assets themselves are open: they hold no data, and every call they make
//! carries the key. Each answer carries a strict Content-Security-Policy
//! (scripts only from this server, no inline script, no outside origin),
//! a second wall behind the page's rule of writing content only as text.
//! `docs/review-ui.md` describes the views and shortcuts.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use vigil_core::{Action, Category, QueueReason};

/// One file of the page, as served.
struct Asset {
    /// The path under which it is served.
    path: &'static str,
    /// Its `Content-Type`.
    content_type: &'static str,
    /// Its bytes, compiled in.
    body: &'static str,
}

/// Every file of the page. The scripts are ES modules that import one
/// another by these paths.
const ASSETS: [Asset; 8] = [
    Asset {
        path: "/review",
        content_type: "text/html; charset=utf-8",
        body: include_str!("../ui/index.html"),
    },
    Asset {
        path: "/review/style.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../ui/style.css"),
    },
    Asset {
        path: "/review/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../ui/app.js"),
    },
    Asset {
        path: "/review/api.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../ui/api.js"),
    },
    Asset {
        path: "/review/dom.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../ui/dom.js"),
    },
    Asset {
        path: "/review/queue.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../ui/queue.js"),
    },
    Asset {
        path: "/review/item.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../ui/item.js"),
    },
    Asset {
        path: "/review/media.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../ui/media.js"),
    },
];

/// The page's policy: everything from this origin only, media as `blob:`
/// URLs the page makes from the item's bytes, nothing inline, no frames,
/// no forms posted anywhere.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' blob:; media-src 'self' blob:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The vocabulary the page needs, from `vigil-core`'s own lists so the
/// page cannot name a category, action or reason the server does not know.
#[derive(Debug, Serialize)]
struct Vocabulary {
    categories: Vec<&'static str>,
    actions: Vec<&'static str>,
    reasons: Vec<&'static str>,
}

fn vocabulary() -> Vocabulary {
    Vocabulary {
        categories: Category::ALL.iter().map(|c| c.as_str()).collect(),
        actions: Action::ALL.iter().map(|a| a.as_str()).collect(),
        reasons: QueueReason::ALL.iter().map(|r| r.as_str()).collect(),
    }
}

/// The routes of the page, for any router state (they read none).
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let mut router = Router::new();
    for asset in &ASSETS {
        let (content_type, body) = (asset.content_type, asset.body);
        router = router.route(
            asset.path,
            get(move || async move { serve(content_type, body.as_bytes().to_vec()) }),
        );
    }
    router
        .route("/review/", get(|| async { Redirect::permanent("/review") }))
        .route(
            "/review/vocabulary.json",
            get(|| async {
                // Serialising three lists of static strings cannot fail.
                let body = serde_json::to_vec(&vocabulary()).unwrap_or_default();
                serve("application/json", body)
            }),
        )
}

/// An asset with the headers every page file carries.
fn serve(content_type: &'static str, body: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        // The page is small and changes with the binary; a stale copy
        // would talk to an API it was not written for.
        (header::CACHE_CONTROL, "no-cache"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ways a script can turn a string into markup or code. Item text
    /// is hostile, so the page builds every node with `textContent` and
    /// attributes; none of these may appear in it.
    const MARKUP_SINKS: [&str; 7] = [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "createContextualFragment",
    ];

    #[test]
    fn no_script_writes_markup_from_strings() {
        for asset in ASSETS.iter().filter(|a| a.path.ends_with(".js")) {
            for sink in MARKUP_SINKS {
                assert!(
                    !asset.body.contains(sink),
                    "{} uses {sink}; build nodes with dom.js instead",
                    asset.path
                );
            }
        }
    }

    #[test]
    fn every_imported_module_is_served() {
        let served: Vec<&str> = ASSETS.iter().map(|a| a.path).collect();
        for asset in ASSETS.iter().filter(|a| a.path.ends_with(".js")) {
            for line in asset.body.lines().filter(|l| l.starts_with("import ")) {
                let Some(path) = line.split(['"', '\'']).nth(1) else {
                    panic!("{}: an import without a quoted path: {line}", asset.path);
                };
                let absolute = path.replacen("./", "/review/", 1);
                assert!(
                    served.contains(&absolute.as_str()),
                    "{} imports {path}, which is not served",
                    asset.path
                );
            }
        }
    }

    #[test]
    fn the_page_loads_only_served_files() {
        let page = ASSETS[0].body;
        for reference in page
            .split(['"', '\''])
            .filter(|s| s.starts_with("/review/"))
        {
            assert!(
                ASSETS.iter().any(|a| a.path == reference),
                "index.html loads {reference}, which is not served"
            );
        }
        assert!(
            !page.contains("<script>"),
            "no inline script: the CSP forbids it"
        );
        assert!(
            !page.contains("style="),
            "no inline style: the CSP forbids it"
        );
    }

    #[test]
    fn the_vocabulary_is_core_s() {
        let v = vocabulary();
        assert_eq!(v.categories.len(), Category::ALL.len());
        assert!(v.categories.contains(&"hate"));
        assert_eq!(v.actions, ["allow", "review", "restrict", "block"]);
        assert!(v.reasons.contains(&"appeal"));
    }
}
