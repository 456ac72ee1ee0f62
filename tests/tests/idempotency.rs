//! `Idempotency-Key` on creates: a retried request returns the first answer and
//! creates nothing twice, even when the retries race.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use copse_shared::ErrorCode;
use copse_shared::endpoints::{CreateGroup, ListGroups};
use copse_shared::groups::{CreateGroupRequest, GroupVisibility};
use copse_tests::{TestApp, problem};

fn create(name: &str) -> CreateGroup {
    CreateGroup(CreateGroupRequest {
        name: name.into(),
        slug: None,
        description: String::new(),
        visibility: GroupVisibility::Public,
    })
}

#[tokio::test]
async fn a_retried_create_returns_the_first_answer_and_creates_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = [("Idempotency-Key", "3f1c1f0e-create-soil")];

    let first = admin.call_with(&create("Soil"), &key).await.unwrap();
    let second = admin.call_with(&create("Soil"), &key).await.unwrap();
    assert_eq!(first.status, 201);
    assert_eq!(second.status, 201);
    assert_eq!(first.body, second.body, "the same group, not a second one");
    assert!(first.headers.get("idempotent-replayed").is_none());
    assert_eq!(second.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(second.headers.get("location"), first.headers.get("location"));

    let all = admin.call(&ListGroups::default()).await.unwrap();
    assert_eq!(all.items.len(), 1);

    // Without a key, the same request creates again (with the next free slug).
    let again = admin.call(&create("Soil")).await.unwrap();
    assert_eq!(again.slug, "soil-2");
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = [("Idempotency-Key", "key-1")];
    admin.call_with(&create("Soil"), &key).await.unwrap();
    let reused = problem(admin.call_with(&create("Water"), &key).await);
    assert_eq!((reused.status, reused.code), (422, ErrorCode::IdempotencyKeyReused));
    let long = "k".repeat(256);
    let invalid = problem(admin.call_with(&create("Seeds"), &[("Idempotency-Key", &long)]).await);
    assert_eq!(invalid.status, 400);
}

#[tokio::test]
async fn keys_belong_to_one_member() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let member = app.member("m@example.org").await;
    let key = [("Idempotency-Key", "shared-key")];
    admin.call_with(&create("Soil"), &key).await.unwrap();
    // The member's own request with the same key is a different request of theirs,
    // refused by the policy (members cannot create groups), not replayed.
    let refused = problem(member.call_with(&create("Soil"), &key).await);
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn racing_retries_create_exactly_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = [("Idempotency-Key", "race")];
    let request = create("Race");
    let (a, b, c) =
        tokio::join!(admin.call_with(&request, &key), admin.call_with(&request, &key), admin.call_with(&request, &key));
    let mut created = 0;
    for outcome in [a, b, c] {
        match outcome {
            Ok(answer) => {
                assert_eq!(answer.status, 201);
                assert_eq!(answer.body.slug, "race");
                created += 1;
            }
            Err(error) => {
                let problem = error.problem().cloned().unwrap();
                assert_eq!(
                    (problem.status, problem.code),
                    (409, ErrorCode::Conflict),
                    "only 'still in progress' may fail"
                );
            }
        }
    }
    assert!(created >= 1);
    let all = admin.call(&ListGroups::default()).await.unwrap();
    assert_eq!(all.items.len(), 1, "exactly one group, whatever the interleaving");
}
