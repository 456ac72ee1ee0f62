//! The Partner guide (`docs/partners.md`) is executed: its `sh` blocks run, in order,
//! in bash against a running server, with a real key and a real signed webhook
//! delivery; and its verification block rejects a forged body and a replay.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use chrono::Utc;
use copse::services::webhooks::sign;
use copse_shared::endpoints::*;
use copse_shared::library::{CreateLibraryItemRequest, ItemKind};
use copse_shared::partners::{CreateApiKeyRequest, Scope};
use copse_shared::webhooks::WebhookRequest;
use copse_tests::TestApp;
use copse_tests::receiver::Receiver;

/// The `sh` blocks of the guide, in order.
fn shell_blocks() -> Vec<String> {
    let guide = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/partners.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in guide.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    blocks
}

fn bash(script: &str, env: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new("bash");
    command.arg("-euo").arg("pipefail").arg("-c").arg(script);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("bash runs (curl, jq and openssl come from `cargo xtask install`)")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_guides_examples_run_against_a_live_server() {
    let app = TestApp::spawn_with(|s| {
        s.webhooks_allow_private = true;
        s.webhook_poll_ms = 20;
    })
    .await;
    let admin = app.admin().await;
    let key = admin
        .call(&CreateApiKey(CreateApiKeyRequest {
            name: "FAO e-Agriculture".into(),
            scopes: vec![Scope::LibraryWrite, Scope::EventsRead],
            groups: Vec::new(),
            expires_at: None,
        }))
        .await
        .unwrap()
        .secret;
    let receiver = Receiver::start().await;
    let secret = admin
        .call(&CreateWebhook(WebhookRequest {
            url: receiver.url.clone(),
            description: "FAO e-Agriculture".into(),
            events: vec!["library_item.created".into()],
            active: None,
        }))
        .await
        .unwrap()
        .secret;
    // A real delivery, for the verification example.
    let shared = admin
        .call(&CreateLibraryItem(CreateLibraryItemRequest {
            title: "Soil health handbook".into(),
            description: String::new(),
            kind: ItemKind::Link,
            group: None,
            tags: Vec::new(),
            language: None,
            licence: None,
            url: Some("https://example.org/soil".into()),
        }))
        .await
        .unwrap();
    let delivery = receiver.next(Duration::from_secs(20)).await.expect("a delivery arrives");
    let dir = tempfile::tempdir().unwrap();
    let body_file = dir.path().join("body.json");
    std::fs::write(&body_file, &delivery.body).unwrap();
    let body_path = body_file.display().to_string();
    let signature = delivery.header("copse-signature").to_owned();

    let blocks = shell_blocks();
    assert!(blocks.len() >= 4, "the guide has its examples: {}", blocks.len());
    let env = |signature: &str, body: &str| {
        [
            ("COPSE_URL", app.base_url.clone()),
            ("COPSE_KEY", key.clone()),
            ("WEBHOOK_SECRET", secret.clone()),
            ("SIGNATURE", signature.to_owned()),
            ("BODY_FILE", body.to_owned()),
        ]
    };
    let vars = env(&signature, &body_path);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = bash(&blocks.join("\n"), &vars);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "the guide's examples fail:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("FAO e-Agriculture"), "the upsert shows its provenance:\n{stdout}");
    assert!(stdout.contains(&format!("created library_item {}", shared.summary.id)), "{stdout}");
    assert!(stdout.contains("signature valid"), "{stdout}");

    // The pushed item exists once, with its provenance, however often the guide ran.
    let again = bash(&blocks.join("\n"), &vars);
    assert!(again.status.success());
    let items = admin.call(&ListLibraryItems::default()).await.unwrap().items;
    let pushed: Vec<_> = items.iter().filter(|i| i.title == "Drip irrigation for smallholders").collect();
    assert_eq!(pushed.len(), 1);
    let pushed = admin.call(&GetLibraryItem { id: pushed[0].id.clone() }).await.unwrap();
    assert_eq!(pushed.provenance.unwrap().external_id, "doc-42");

    // The verification example refuses a tampered body and a correctly signed replay.
    let verify = blocks.iter().find(|b| b.contains("openssl dgst")).unwrap();
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, [delivery.body.as_slice(), b" "].concat()).unwrap();
    let forged = env(&signature, &tampered.display().to_string());
    let out = bash(verify, &forged.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("forged"));
    let old = sign::sign(&[secret.as_bytes()], Utc::now().timestamp() - 600, &delivery.body);
    let replayed = env(&old, &body_path);
    let out = bash(verify, &replayed.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("replayed"));
}
