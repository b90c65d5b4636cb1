//! The client's logs (tracing events at every level) never carry a token,
//! in success, failure, retry, redirect and rate-limit paths.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ghpkg::{Owner, PackageType};
use ghpkg_emulator::{Fault, FaultRule, DEMO_TOKEN};

#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_never_contain_the_token() {
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emu = common::demo().await;
    let c = common::builder(&emu)
        .basic_auth("octocat", DEMO_TOKEN)
        .build()
        .unwrap();
    let acme = Owner::org("acme");
    let ty = PackageType::Container;
    c.get_package(&acme, ty, "api/server").await.unwrap();
    emu.inject(FaultRule::new(Fault::Status(502)));
    emu.inject(FaultRule::new(Fault::SecondaryRateLimit {
        retry_after_seconds: Some(0),
        status: 429,
    }));
    c.get_package(&acme, ty, "api/server").await.unwrap();
    emu.inject(FaultRule::new(Fault::Redirect {
        location: format!("{}/orgs/acme/packages/container/only-tag", emu.url()),
        status: 302,
    }));
    c.get_package(&acme, ty, "api/server").await.unwrap();
    c.delete_package(&acme, ty, "only-tag").await.unwrap();
    c.restore_package(&acme, ty, "only-tag", Some("restore-token-value"))
        .await
        .unwrap();
    let _ = c.get_package(&acme, ty, "missing").await;
    tokio::time::sleep(Duration::from_millis(10)).await;

    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("ghpkg: request"),
        "the test sees the client's logs:\n{text}"
    );
    assert!(text.contains("ghpkg: retrying"), "{text}");
    assert!(text.contains("following redirect"), "{text}");
    assert!(!text.contains(DEMO_TOKEN), "token in logs:\n{text}");
    assert!(
        !text.contains("restore-token-value"),
        "restore token in logs:\n{text}"
    );
    // Basic credentials are base64 on the wire; make sure that form is absent too.
    assert!(!text.contains("Basic "), "{text}");
}
