//! Writes are rate-limited per member and report their allowance in `RateLimit-*`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use copse_shared::ErrorCode;
use copse_shared::endpoints::{CreateGroup, GetMe};
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
async fn writes_beyond_the_limit_get_429_and_reads_are_not_counted() {
    let app = TestApp::spawn_with(|settings| settings.writes_per_minute = 3).await;
    let admin = app.admin().await;
    let mut remaining = Vec::new();
    for n in 0..3 {
        let answer = admin.call_with(&create(&format!("Group {n}")), &[]).await.unwrap();
        assert_eq!(answer.headers.get("ratelimit-limit").unwrap(), "3");
        remaining.push(answer.headers.get("ratelimit-remaining").unwrap().to_str().unwrap().to_owned());
        // Reads in between do not use up the allowance.
        admin.call(&GetMe).await.unwrap();
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let refused = admin.call_with(&create("One too many"), &[]).await;
    let retry_after = match &refused {
        Err(copse_shared::client::ClientError::Problem(_)) => {
            // Re-issue raw to read the headers of the 429.
            let raw = app
                .client
                .http()
                .post(app.url("/api/v1/groups"))
                .bearer_auth(admin.token().unwrap())
                .json(&serde_json::json!({"name": "Again", "visibility": "public"}))
                .send()
                .await
                .unwrap();
            assert_eq!(raw.status().as_u16(), 429);
            raw.headers().get("retry-after").unwrap().to_str().unwrap().parse::<u64>().unwrap()
        }
        other => panic!("expected 429, got {other:?}"),
    };
    assert!((1..=60).contains(&retry_after));
    assert_eq!(problem(refused).code, ErrorCode::RateLimited);

    // Another member has their own allowance.
    let member = app.member("m@example.org").await;
    let theirs = problem(member.call(&create("Not allowed anyway")).await);
    assert_eq!(theirs.status, 403, "the member is limited by the policy, not by the admin's writes");
}
