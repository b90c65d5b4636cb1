//! `GET /user`: the authenticated user.

use ghpkg_emulator::{
    Emulator, ACTIONS_TOKEN, APP_TOKEN, DEMO_TOKEN, FINE_GRAINED_TOKEN, HUBOT_TOKEN,
    NO_SCOPES_TOKEN, USER_TO_SERVER_TOKEN,
};

use crate::common::{call, get};

#[tokio::test]
async fn the_token_s_user() {
    let emu = Emulator::demo().await.unwrap();
    let r = get(&emu, "/user", Some(DEMO_TOKEN)).await;
    assert_eq!(r.status, 200);
    let u = r.json();
    assert_eq!(
        (&u["login"], &u["id"], &u["type"], &u["name"]),
        (
            &serde_json::json!("octocat"),
            &serde_json::json!(1),
            &serde_json::json!("User"),
            &serde_json::json!("The Octocat")
        )
    );
    assert_eq!(u["node_id"], "MDQ6VXNlcjE=");
    assert_eq!(u["site_admin"], false);
    assert!(r.header("x-ratelimit-remaining").is_some());
    assert_eq!(r.header("x-accepted-oauth-scopes").as_deref(), Some(""));
    // No scope needed; fine-grained and user-to-server tokens act as their user.
    for (t, login) in [
        (NO_SCOPES_TOKEN, "octocat"),
        (HUBOT_TOKEN, "hubot"),
        (FINE_GRAINED_TOKEN, "octocat"),
        (USER_TO_SERVER_TOKEN, "octocat"),
    ] {
        let r = get(&emu, "/user", Some(t)).await;
        assert_eq!(
            (r.status, r.json()["login"].clone()),
            (200, login.into()),
            "{t}"
        );
    }
}

#[tokio::test]
async fn refusals() {
    let emu = Emulator::demo().await.unwrap();
    let r = get(&emu, "/user", None).await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (401, "Requires authentication")
    );
    let r = get(&emu, "/user", Some("ghp_unknown")).await;
    assert_eq!((r.status, r.message().as_str()), (401, "Bad credentials"));
    for t in [ACTIONS_TOKEN, APP_TOKEN] {
        let r = get(&emu, "/user", Some(t)).await;
        assert_eq!(
            (r.status, r.json()["message"].as_str().unwrap()),
            (403, "Resource not accessible by integration"),
            "{t}"
        );
    }
    assert_eq!(
        call(&emu, "DELETE", "/user", Some(DEMO_TOKEN)).await.status,
        404
    );
    assert_eq!(
        get(&emu, "/users/octocat", Some(DEMO_TOKEN)).await.status,
        404
    );
}
