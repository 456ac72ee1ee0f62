//! Outgoing webhooks end to end: admins register endpoints; changes reach them as
//! signed JSON from the durable outbox; failures are retried with back-off and logged;
//! redirects are never followed; private addresses are refused at registration and at
//! connect time; deliveries left pending survive a restart; forged and replayed
//! signatures fail the documented check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use copse::services::webhooks::outbox::{self, Outbox};
use copse::services::webhooks::sign;
use copse_shared::endpoints::*;
use copse_shared::library::{CreateLibraryItemRequest, ItemKind};
use copse_shared::webhooks::{DeliveryStatus, RotateWebhookSecretRequest, WebhookPayload, WebhookRequest};
use copse_tests::receiver::{Received, Receiver};
use copse_tests::{TestApp, problem};

/// Long enough for a loaded machine; the wait ends as soon as the request arrives.
const DEADLINE: Duration = Duration::from_secs(20);

fn item(title: &str) -> CreateLibraryItemRequest {
    CreateLibraryItemRequest {
        title: title.into(),
        description: String::new(),
        kind: ItemKind::Link,
        group: None,
        tags: Vec::new(),
        language: None,
        licence: None,
        url: Some("https://example.org/guide".into()),
    }
}

fn hook(url: &str, events: &[&str]) -> WebhookRequest {
    WebhookRequest {
        url: url.into(),
        description: "FAO e-Agriculture".into(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        active: None,
    }
}

/// An app whose worker sends at once (private addresses allowed for the local receiver).
async fn live_app() -> TestApp {
    TestApp::spawn_with(|s| {
        s.webhooks_allow_private = true;
        s.webhook_poll_ms = 20;
    })
    .await
}

/// An app whose worker stays idle (an hour between rounds), so the test drives the
/// outbox itself at chosen instants.
async fn driven_app() -> (TestApp, Outbox) {
    let app = TestApp::spawn_with(|s| {
        s.webhooks_allow_private = true;
        s.webhook_poll_ms = 3_600_000;
    })
    .await;
    let outbox = Outbox::new(&app.settings).unwrap();
    (app, outbox)
}

fn verified(request: &Received, secret: &str) -> WebhookPayload {
    let signature = request.header("copse-signature");
    sign::verify(signature, secret.as_bytes(), &request.body, Utc::now().timestamp(), sign::DEFAULT_TOLERANCE_SECS)
        .unwrap_or_else(|e| panic!("the signature {signature} does not verify: {e:?}"));
    serde_json::from_slice(&request.body).unwrap()
}

#[tokio::test]
async fn changes_reach_a_registered_endpoint_as_signed_events_and_forgeries_are_detectable() {
    let app = live_app().await;
    let admin = app.admin().await;
    let receiver = Receiver::start().await;
    let created = admin.call_with(&CreateWebhook(hook(&receiver.url, &["library_item.created"])), &[]).await.unwrap();
    assert_eq!(created.status, 201);
    let secret = created.body.secret;
    assert!(secret.starts_with("whsec_"));
    assert!(!serde_json::to_string(&admin.call(&ListWebhooks).await.unwrap()).unwrap().contains(&secret));

    let shared = admin.call(&CreateLibraryItem(item("Soil guide"))).await.unwrap();
    let request = receiver.next(DEADLINE).await.expect("the endpoint receives the event");
    let payload = verified(&request, &secret);
    assert_eq!(payload.event_type, "library_item.created");
    assert_eq!(request.header("copse-event-type"), "library_item.created");
    assert_eq!(request.header("copse-event-id"), payload.id);
    let data = payload.data.unwrap();
    assert_eq!(data.id, shared.summary.id);
    assert_eq!(data.path.as_deref(), Some(format!("/api/v1/library/{}", shared.summary.id).as_str()));

    // A forged signature (another secret), a tampered body and a replay later than the
    // tolerance all fail the documented check.
    let header = request.header("copse-signature");
    let now = Utc::now().timestamp();
    assert!(sign::verify(header, b"whsec_not-the-secret", &request.body, now, 300).is_err());
    let mut tampered = request.body.clone();
    tampered.extend_from_slice(b" ");
    assert!(sign::verify(header, secret.as_bytes(), &tampered, now, 300).is_err());
    assert!(sign::verify(header, secret.as_bytes(), &request.body, now + 600, 300).is_err(), "a replay");

    // The item's discussion topic was created too, but the endpoint asked only for
    // library items: the log holds that one delivery, delivered.
    let webhook_id = created.body.webhook.id;
    let log = admin.call(&ListWebhookDeliveries { id: webhook_id.clone(), ..Default::default() }).await.unwrap();
    assert_eq!(log.items.len(), 1, "{log:?}");
    assert_eq!(log.items[0].event_type, "library_item.created");

    // A test event, and a rotation: both secrets sign during the grace period.
    let rotated = admin
        .call(&RotateWebhookSecret {
            id: webhook_id.clone(),
            body: RotateWebhookSecretRequest { grace_hours: Some(1) },
        })
        .await
        .unwrap();
    assert!(rotated.webhook.previous_secret_valid_until.is_some());
    let ping = admin.call_with(&PingWebhook { id: webhook_id.clone() }, &[]).await.unwrap();
    assert_eq!(ping.status, 202);
    let request = receiver.next(DEADLINE).await.expect("the test event arrives");
    assert_eq!(verified(&request, &rotated.secret).event_type, "ping");
    verified(&request, &secret);
}

#[tokio::test]
async fn failures_are_retried_with_back_off_logged_and_redirects_are_never_followed() {
    let (app, outbox) = driven_app().await;
    let admin = app.admin().await;
    let receiver = Receiver::start().await;
    let created = admin.call(&CreateWebhook(hook(&receiver.url, &["library_item.created"]))).await.unwrap();
    let id = created.webhook.id.clone();
    admin.call(&CreateLibraryItem(item("Seed list"))).await.unwrap();
    assert!(outbox::dispatch(&app.db).await.unwrap() > 0);
    assert_eq!(outbox::dispatch(&app.db).await.unwrap(), 0, "each change is queued once");

    // Microseconds: what PostgreSQL keeps of an instant.
    let t0 = Utc::now().trunc_subsecs(6);
    receiver.answer_next(500, None);
    assert_eq!(outbox::deliver_due(&app.db, &outbox, t0).await.unwrap(), 1);
    assert!(receiver.try_next().await.is_some());
    let log = admin.call(&ListWebhookDeliveries { id: id.clone(), ..Default::default() }).await.unwrap();
    let delivery = &log.items[0];
    assert_eq!(delivery.status, DeliveryStatus::Pending);
    assert_eq!(delivery.attempts[0].status_code, Some(500));
    assert_eq!(delivery.attempts[0].error_kind.as_deref(), Some("status"));
    let retry_at = delivery.next_attempt_at.unwrap();
    assert_eq!((retry_at - t0).num_seconds(), 30, "the first retry waits 30 s");
    assert_eq!(outbox::deliver_due(&app.db, &outbox, t0).await.unwrap(), 0, "not due yet");

    // A redirect (here towards the cloud metadata address) is a failure, never followed.
    receiver.answer_next(302, Some("http://169.254.169.254/latest/meta-data/"));
    assert_eq!(outbox::deliver_due(&app.db, &outbox, retry_at).await.unwrap(), 1);
    assert!(receiver.try_next().await.is_some());
    let log = admin.call(&ListWebhookDeliveries { id: id.clone(), ..Default::default() }).await.unwrap();
    let delivery = &log.items[0];
    assert_eq!(delivery.attempts[1].status_code, Some(302));
    assert_eq!(delivery.attempts[1].error_kind.as_deref(), Some("redirect"));
    let second_retry = delivery.next_attempt_at.unwrap();
    assert_eq!((second_retry - retry_at).num_seconds(), 60, "then twice as long");

    assert_eq!(outbox::deliver_due(&app.db, &outbox, second_retry).await.unwrap(), 1);
    let log = admin.call(&ListWebhookDeliveries { id: id.clone(), ..Default::default() }).await.unwrap();
    let delivered = log.items[0].clone();
    assert_eq!(delivered.status, DeliveryStatus::Succeeded);
    assert_eq!(delivered.attempts.len(), 3);
    assert!(delivered.delivered_at.is_some() && delivered.next_attempt_at.is_none());
    let first = receiver.try_next().await.unwrap();
    let webhook = admin.call(&GetWebhook { id: id.clone() }).await.unwrap();
    assert_eq!((webhook.pending, webhook.failed), (0, 0));

    // Redelivery by hand: a new delivery of the same event, same id and body.
    let again =
        admin.call_with(&RedeliverWebhook { id: id.clone(), delivery: delivered.id.clone() }, &[]).await.unwrap();
    assert_eq!((again.status, again.body.event_id.as_str()), (202, delivered.event_id.as_str()));
    outbox::deliver_due(&app.db, &outbox, Utc::now()).await.unwrap();
    let resent = receiver.next(DEADLINE).await.expect("the redelivery arrives");
    assert_eq!(resent.header("copse-event-id"), first.header("copse-event-id"));
    assert_eq!(resent.body, first.body);
    let log = admin.call(&ListWebhookDeliveries { id: id.clone(), limit: Some(1), cursor: None }).await.unwrap();
    assert_eq!(log.items.len(), 1);
    let older =
        admin.call(&ListWebhookDeliveries { id: id.clone(), limit: Some(1), cursor: log.next_cursor }).await.unwrap();
    assert_eq!(older.items[0].id, delivered.id, "the log pages newest first");

    // A paused endpoint is sent nothing; its deliveries wait.
    let mut paused = hook(&receiver.url, &["library_item.created"]);
    paused.active = Some(false);
    admin.call(&UpdateWebhook { id: id.clone(), body: paused }).await.unwrap();
    admin.call(&CreateLibraryItem(item("Paused"))).await.unwrap();
    outbox::dispatch(&app.db).await.unwrap();
    assert_eq!(outbox::deliver_due(&app.db, &outbox, Utc::now()).await.unwrap(), 0);
}

#[tokio::test]
async fn private_addresses_are_refused_when_registering_and_when_connecting() {
    let app = TestApp::spawn_with(|s| s.webhook_poll_ms = 3_600_000).await;
    let admin = app.admin().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://2130706433/hook",
    ] {
        let p = problem(admin.call(&CreateWebhook(hook(url, &["event.created"]))).await);
        assert_eq!((p.status, p.errors[0].code.as_str()), (422, "private_address"), "{url}");
    }
    let p = problem(admin.call(&CreateWebhook(hook("ftp://example.org/", &["event.created"]))).await);
    assert_eq!(p.errors[0].field, "url");
    let p = problem(admin.call(&CreateWebhook(hook("https://example.org/", &["event.exploded"]))).await);
    assert_eq!(p.errors[0].field, "events");

    // A name is only resolved when sending, and what it resolves to is checked then:
    // `localhost` passes registration and is refused at connect time, no connection made.
    let receiver = Receiver::start().await;
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    let created = admin.call(&CreateWebhook(hook(&by_name, &["library_item.created"]))).await.unwrap();
    admin.call(&CreateLibraryItem(item("Guide"))).await.unwrap();
    let guarded = Outbox::new(&app.settings).unwrap();
    assert!(!guarded.allow_private);
    outbox::dispatch(&app.db).await.unwrap();
    assert_eq!(outbox::deliver_due(&app.db, &guarded, Utc::now()).await.unwrap(), 1);
    let log =
        admin.call(&ListWebhookDeliveries { id: created.webhook.id.clone(), ..Default::default() }).await.unwrap();
    assert_eq!(log.items[0].attempts[0].error_kind.as_deref(), Some("refused_address"));
    assert_eq!(log.items[0].status, DeliveryStatus::Pending, "retried later, in case the name changes");
    assert!(receiver.try_next().await.is_none(), "nothing reached the private address");

    // Only admins manage webhooks; keys never do.
    let member = app.member("member@example.org").await;
    assert_eq!(problem(member.call(&ListWebhooks).await).status, 403);
}

#[tokio::test]
async fn deliveries_left_pending_are_sent_by_the_next_server_on_the_same_database() {
    let (app, outbox) = driven_app().await;
    let admin = app.admin().await;
    let receiver = Receiver::start().await;
    let created = admin.call(&CreateWebhook(hook(&receiver.url, &["event.created", "library_item.created"]))).await;
    let secret = created.unwrap().secret;
    let shared = admin.call(&CreateLibraryItem(item("Field notes"))).await.unwrap();
    // The first server queues the event but stops before sending it.
    assert!(outbox::dispatch(&app.db).await.unwrap() > 0);
    drop(outbox);

    // A new server on the same database: its worker sends the waiting delivery at start.
    let mut settings = app.settings.clone();
    settings.bind = "127.0.0.1:0".into();
    settings.webhook_poll_ms = 20;
    let restarted = copse::Application::build(settings).await.unwrap();
    tokio::spawn(restarted.run_until_stopped());
    let request = receiver.next(DEADLINE).await.expect("the waiting event is delivered after the restart");
    let payload = verified(&request, &secret);
    assert_eq!(payload.data.unwrap().id, shared.summary.id);
}

/// The whole partner story with the typed client: a key, the feed, an upsert sent
/// twice, a signed webhook verified on the partner's side, and the key revoked.
#[tokio::test]
async fn a_partner_syncs_end_to_end_with_the_typed_client() {
    use copse_shared::partners::{
        ChangeOp, ChangeType, CreateApiKeyRequest, Scope, SourceInfo, UpsertLibraryItemRequest,
    };
    let app = live_app().await;
    let admin = app.admin().await;
    let key = admin
        .call(&CreateApiKey(CreateApiKeyRequest {
            name: "KM4Dev hub".into(),
            scopes: vec![Scope::LibraryWrite],
            groups: Vec::new(),
            expires_at: None,
        }))
        .await
        .unwrap();
    let partner = app.with_token(&key.secret);
    let receiver = Receiver::start().await;
    let secret = admin.call(&CreateWebhook(hook(&receiver.url, &["library_item.created"]))).await.unwrap().secret;

    let start = partner.call(&ListChanges::default()).await.unwrap().next_cursor;
    let upsert = UpsertLibraryItem {
        source: "km4dev".into(),
        external_id: "toolkit-9".into(),
        body: UpsertLibraryItemRequest {
            item: item("Facilitation toolkit"),
            source: SourceInfo { source_name: "KM4Dev".into(), source_url: None },
        },
    };
    let first = partner.call_with(&upsert, &[]).await.unwrap();
    let second = partner.call_with(&upsert, &[]).await.unwrap();
    assert_eq!((first.status, second.status), (201, 200));
    assert_eq!(first.body.summary.id, second.body.summary.id);

    let page = partner.call(&ListChanges { cursor: Some(start), ..Default::default() }).await.unwrap();
    let mine: Vec<_> = page.changes.iter().filter(|c| c.id == first.body.summary.id).collect();
    assert_eq!(mine.len(), 1, "one item, one change, however often it is sent");
    assert_eq!((mine[0].kind, mine[0].op), (ChangeType::LibraryItem, ChangeOp::Created));

    let request = receiver.next(DEADLINE).await.expect("the webhook arrives");
    let payload = verified(&request, &secret);
    assert_eq!(payload.data.unwrap().id, first.body.summary.id);

    admin.call(&RevokeApiKey { id: key.key.id }).await.unwrap();
    assert_eq!(problem(partner.call(&ListChanges::default()).await).status, 401);
}
