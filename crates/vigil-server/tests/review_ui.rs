//! The reviewer's web page, driven in headless Chromium over WebDriver
//! against the real server on loopback: sign in with a key, claim with
//! `n`, reveal the veiled media with `r` (the blur is checked in the
//! computed style before and after), label and choose the action with
//! the keyboard, submit with Enter, and find the verdict through the API;
//! overturn an appeal; and show a hostile `<script>` as text.
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium`,
//! `chromium-driver`, installed by `scripts/setup.sh`); without them the
//! tests skip with a message, unless `CI` is set. Screenshots of each
//! step are saved under `target/review-ui-screenshots/`.

#[path = "review_ui/browser.rs"]
mod browser;
mod common;

use browser::{programs_or_skip, Browser, Keystroke};
use common::{base64, TestServer, THREAT};
use serde_json::{json, Value};

/// Adds a gold item (admin key) and returns its review item id.
fn add_gold(server: &TestServer, item: Value, labels: Value, priority: f64) -> String {
    let reply = server.post_json(
        "/v1/review/gold",
        Some(&server.keys.admin),
        &json!({"item": item, "labels": labels, "priority": priority}),
    );
    reply.expect_status(201);
    reply.json()["id"]
        .as_str()
        .expect("a gold item has an id")
        .to_owned()
}

/// The review item as an admin sees it: with its reviews.
fn review_item(server: &TestServer, id: &str) -> Value {
    let reply = server.get(&format!("/v1/review/items/{id}"), Some(&server.keys.admin));
    reply.expect_status(200);
    reply.json()
}

/// A 160×120 PNG of coloured bands: something to blur.
fn picture() -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(160, 120, |x, y| {
        image::Rgb([(x * 255 / 160) as u8, (y * 255 / 120) as u8, 160])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    pixels
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("the picture encodes");
    png.into_inner()
}

/// Opens the page, signs in with `key` and waits for the queue.
fn sign_in(browser: &mut Browser, server: &TestServer, key: &str) {
    browser.goto(&server.url("/review"));
    browser.wait_for("#api-key");
    browser.screenshot("sign-in");
    browser.type_into("#api-key", key);
    browser.click("#sign-in");
    browser.wait_for("#claim-next");
}

/// The CSS `filter` of the first media element of the item on the page.
fn media_filter(browser: &Browser) -> String {
    browser.computed_style("#media img", "filter")
}

fn assert_veiled(browser: &Browser) {
    let filter = media_filter(browser);
    assert!(
        filter.contains("blur(") && filter.contains("grayscale("),
        "media is blurred and grey before it is revealed, got filter `{filter}`"
    );
}

#[test]
fn the_page_and_its_modules_are_served_with_a_strict_policy() {
    let server = TestServer::start();
    let page = server.get("/review", None);
    page.expect_status(200);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    assert!(page.body.contains("/review/app.js"), "{}", page.body);
    let headers = server
        .client()
        .get(server.url("/review/app.js"))
        .send()
        .expect("the server answers");
    assert_eq!(headers.status(), 200);
    let header = |name: &str| {
        headers
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("text/javascript"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    let csp = header("content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "the CSP has {directive}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let vocabulary = server.get("/review/vocabulary.json", None);
    vocabulary.expect_status(200);
    assert_eq!(
        vocabulary.json()["actions"],
        json!(["allow", "review", "restrict", "block"])
    );
    let slash = server.get("/review/", None);
    assert_eq!(slash.status, 200, "/review/ leads to the page");
    assert!(slash.body.contains("/review/app.js"));
    server
        .get("/review/missing.js", None)
        .expect_error(404, "not_found");
}

#[test]
fn a_reviewer_claims_reveals_labels_and_blocks_with_the_keyboard() {
    let Some(programs) = programs_or_skip() else {
        return;
    };
    let server = TestServer::start();
    let media = json!([{"kind": "image", "mime": "image/png", "data_base64": base64(&picture())}]);
    let first = add_gold(
        &server,
        json!({"id": "post-1", "text": "These people are vermin and should be driven out", "media": media}),
        json!({"hate": true}),
        0.9,
    );
    let second = add_gold(
        &server,
        json!({"id": "post-2", "text": "A second post with a picture", "media": media}),
        json!({"hate": false}),
        0.4,
    );
    let mut browser = Browser::start(&programs, "keyboard");
    sign_in(&mut browser, &server, &server.keys.review);
    browser.wait_for(&format!("tr[data-id='{first}']"));
    browser.screenshot("queue");

    browser.press(&Keystroke::chars("n"));
    browser.wait_for("#verdict");
    assert!(browser.text("#view-title").contains("post-1"));
    browser.wait_until(
        "the image to load",
        "const i = document.querySelector('#media img'); return !!i && i.complete && i.naturalWidth === 160;",
    );
    assert_veiled(&browser);
    browser.screenshot("claimed-veiled");

    browser.press(&Keystroke::chars("r"));
    // The filter eases out over a moment; it must end at none.
    browser.wait_until(
        "the revealed media to be shown as it is",
        "return getComputedStyle(document.querySelector('#media img')).filter === 'none';",
    );
    browser.screenshot("revealed");

    // 1 = hate: positive. 5 = violence: positive, then negative. b = block.
    browser.press(&Keystroke::chars("155b"));
    assert!(browser.is_checked("#label-hate-positive"));
    assert!(browser.is_checked("#label-violence-negative"));
    assert!(browser.is_checked("#label-sexual-unknown"));
    assert!(browser.is_checked("#action-block"));
    browser.type_into("#note", "dehumanising a group");
    // Esc leaves the note; Enter then submits.
    browser.press(&[Keystroke::Escape]);
    browser.screenshot("labelled");
    browser.press(&[Keystroke::Enter]);
    browser.wait_until(
        "the verdict to be recorded",
        "return document.getElementById('status').textContent.startsWith('Verdict recorded');",
    );
    browser.wait_for(&format!("tr[data-id='{second}']"));
    browser.screenshot("submitted");

    let judged = review_item(&server, &first);
    assert_eq!(judged["status"], "done", "{judged}");
    let reviews = judged["reviews"]
        .as_array()
        .expect("an admin sees the reviews");
    assert_eq!(reviews.len(), 1, "{judged}");
    assert_eq!(
        reviews[0]["verdict"],
        json!({"labels": {"hate": 1, "violence": 0}, "action": "block", "note": "dehumanising a group"}),
        "categories not judged stay unknown: {judged}"
    );

    // The next item is veiled again: revealing is per item.
    browser.press(&Keystroke::chars("n"));
    browser.wait_until(
        "the second item",
        "return document.getElementById('view-title').textContent.includes('post-2');",
    );
    assert_veiled(&browser);
    browser.screenshot("next-item-veiled");
}

#[test]
fn an_appeal_is_overturned_through_the_page() {
    let Some(programs) = programs_or_skip() else {
        return;
    };
    let server = TestServer::start();
    let decision = server.scan_text("post-9", THREAT);
    assert_eq!(decision["action"], "block", "{decision}");
    let decision_id = decision["id"].as_str().expect("a decision id");
    let appeal = server.post_json(
        &format!("/v1/decisions/{decision_id}/appeals"),
        Some(&server.keys.scan),
        &json!({
            "statement": "A line from a film review, not a threat.",
            "item": {"id": "post-9", "text": THREAT},
        }),
    );
    appeal.expect_status(201);
    let review_id = appeal.json()["review_item"]
        .as_str()
        .expect("the appeal's review item")
        .to_owned();

    let mut browser = Browser::start(&programs, "appeal");
    sign_in(&mut browser, &server, &server.keys.review);
    let row = format!("tr[data-id='{review_id}']");
    assert_eq!(
        browser.text(&format!("{row} .reason")),
        "appeal",
        "the queue shows why the item is there"
    );
    browser.screenshot("queue");
    browser.click(&format!("{row} button.open"));
    browser.wait_for("#appeal");
    assert_eq!(browser.text("#original-action"), "block");
    assert_eq!(
        browser.text("#appeal-statement"),
        "A line from a film review, not a threat."
    );
    assert_eq!(browser.text("#item-text"), THREAT);
    let spans = count_text_spans(&decision);
    let marks = browser.eval(
        "return document.querySelectorAll('#item-text mark.evidence').length;",
        vec![],
    );
    assert_eq!(
        marks.as_u64().map(|n| n > 0),
        Some(spans > 0),
        "evidence spans are highlighted ({spans} in the decision, {marks} marks)"
    );
    browser.screenshot("appeal");

    browser.press(&Keystroke::chars("oa"));
    assert!(browser.is_checked("#outcome-overturned"));
    assert!(browser.is_checked("#action-allow"));
    browser.screenshot("overturning");
    browser.press(&[Keystroke::Enter]);
    browser.wait_until(
        "the verdict to be recorded",
        "return document.getElementById('status').textContent.startsWith('Verdict recorded');",
    );
    browser.screenshot("overturned");

    let judged = review_item(&server, &review_id);
    let reviews = judged["reviews"]
        .as_array()
        .expect("an admin sees the reviews");
    assert_eq!(reviews.len(), 1, "{judged}");
    assert_eq!(reviews[0]["outcome"], "overturned", "{judged}");
    assert_eq!(reviews[0]["verdict"]["action"], "allow", "{judged}");
    assert_eq!(judged["appeal"]["outcome"], "overturned", "{judged}");
}

/// How many text spans the decision's evidence points at.
fn count_text_spans(decision: &Value) -> usize {
    decision["categories"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["evidence"].as_array().into_iter().flatten())
        .filter(|e| e["location"]["type"] == "span" && e.get("media_index").is_none())
        .count()
}

#[test]
fn hostile_markup_in_item_text_is_shown_as_text() {
    let Some(programs) = programs_or_skip() else {
        return;
    };
    let server = TestServer::start();
    let hostile = "<script>window.__vigilPwned = 1</script><img src=x onerror=\"window.__vigilPwned = 2\"> hello";
    let id = add_gold(
        &server,
        json!({"id": "post-evil", "text": hostile}),
        json!({"hate": false}),
        0.5,
    );
    let mut browser = Browser::start(&programs, "hostile");

    // A key without the review scope is refused at the sign-in form.
    browser.goto(&server.url("/review"));
    browser.type_into("#api-key", &server.keys.scan);
    browser.click("#sign-in");
    browser.wait_until(
        "the refusal",
        "return document.getElementById('status').textContent.includes('no review scope');",
    );
    browser.screenshot("refused");

    sign_in(&mut browser, &server, &server.keys.review);
    browser.press(&Keystroke::chars("n"));
    browser.wait_for("#item-text");
    assert_eq!(
        browser.text("#item-text"),
        hostile,
        "the markup is shown literally"
    );
    let injected = browser.eval(
        "return [typeof window.__vigilPwned, document.querySelectorAll('#item-text *').length];",
        vec![],
    );
    assert_eq!(
        injected,
        json!(["undefined", 0]),
        "no script ran and no element was made from the text"
    );
    browser.screenshot("hostile-text");

    // Esc releases the item: back in the queue, and no one holds it.
    browser.press(&[Keystroke::Escape]);
    browser.wait_for(&format!("tr[data-id='{id}']"));
    browser.screenshot("released");
    let item = review_item(&server, &id);
    assert_eq!(item["claim"], Value::Null, "{item}");
    assert_eq!(item["status"], "open", "{item}");
}
