//! The online report's gauges on a running server's `/metrics`, over HTTP
//! on loopback: computed at start-up, then every five minutes.

mod common;

use common::{TestServer, THREAT};

#[test]
fn metrics_carry_the_online_gauges_once_computed() {
    let server = TestServer::start();
    server.scan_text("g-1", THREAT);
    // The first refresh runs as the server starts, in the background.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let metrics = loop {
        let m = server.metrics();
        if m.contains("vigil_online_computed_at_seconds ") {
            break m;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no online gauges in\n{m}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    for needle in [
        "# TYPE vigil_online_precision gauge",
        "# TYPE vigil_online_prevalence gauge",
        "# TYPE vigil_online_psi gauge",
        "# TYPE vigil_online_alert gauge",
        "# TYPE vigil_online_latency_us gauge",
    ] {
        assert!(metrics.contains(needle), "no `{needle}` in\n{metrics}");
    }
}
