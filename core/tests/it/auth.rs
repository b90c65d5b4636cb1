//! Authentication schemes, the environment, token kinds, the scopes
//! preflight, and keeping the token secret (redirects, Debug, errors).

use ghpkg::{Client, ErrorKind, Owner, PackageType, TokenKind};
use ghpkg_emulator::{
    Fault, FaultRule, ACTIONS_TOKEN, APP_TOKEN, DEMO_TOKEN, FINE_GRAINED_TOKEN, NO_SCOPES_TOKEN,
    READ_ONLY_TOKEN, USER_TO_SERVER_TOKEN,
};

use crate::common::{builder, client_with, demo};

const C: PackageType = PackageType::Container;

fn acme() -> Owner {
    Owner::org("acme")
}

#[tokio::test]
async fn bearer_and_basic_auth() {
    let emu = demo().await;
    let bearer = client_with(&emu, DEMO_TOKEN);
    let basic = builder(&emu)
        .basic_auth("octocat", DEMO_TOKEN)
        .build()
        .unwrap();
    for c in [&bearer, &basic] {
        let p = c.get_package(&acme(), C, "api/server").await.unwrap();
        assert_eq!(p.name, "api/server");
    }
    let reqs = emu.requests();
    assert!(reqs[0]
        .header("authorization")
        .unwrap()
        .starts_with("Bearer "));
    assert!(reqs[1]
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));
}

#[tokio::test]
async fn anonymous_calls_need_a_token_even_for_public_packages() {
    // GitHub documents that the Packages API needs a token: an anonymous
    // call is refused with 401 `Requires authentication`, not served public data.
    let emu = demo().await;
    let anon = builder(&emu).build().unwrap();
    assert_eq!(anon.token_kind(), TokenKind::None);
    let e = anon
        .list_packages(&acme(), C, None)
        .collect_all()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.message(), "Requires authentication");
    assert!(e.hint().unwrap().contains("GITHUB_TOKEN"), "{e}");
    // A public package and the authenticated user's packages alike.
    let e = anon.get_package(&acme(), C, "only-tag").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    let e = anon
        .list_packages(&Owner::AuthenticatedUser, C, None)
        .collect_all()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert!(emu
        .requests()
        .iter()
        .all(|r| r.header("authorization").is_none() && r.status == 401));
    // The refusals still count against the anonymous 60 an hour.
    let rl = anon.rate_limit().unwrap();
    assert_eq!(rl.limit, 60);
    assert!(rl.remaining < 60);
}

#[tokio::test]
async fn unsupported_token_kinds_are_explained() {
    let emu = demo().await;
    let fine = client_with(&emu, FINE_GRAINED_TOKEN);
    let e = fine
        .get_package(&acme(), C, "api/server")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert!(e.hint().unwrap().contains("fine-grained"), "{e}");
    assert!(e.to_string().contains("classic personal access token"));
    assert!(!e.to_string().contains(FINE_GRAINED_TOKEN));

    for t in [APP_TOKEN, USER_TO_SERVER_TOKEN] {
        let e = client_with(&emu, t)
            .get_package(&acme(), C, "api/server")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
        assert!(e.hint().unwrap().contains("GitHub App"), "{e}");
    }

    // An Actions token may read its repository's packages but not list.
    let actions = client_with(&emu, ACTIONS_TOKEN);
    actions.get_package(&acme(), C, "api/server").await.unwrap();
    let e = actions
        .list_packages(&acme(), C, None)
        .collect_all()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert_eq!(e.message(), "Invalid argument.");
    assert!(e.hint().unwrap().contains("cannot list packages"), "{e}");
}

#[tokio::test]
async fn scopes_preflight() {
    let emu = demo().await;
    let full = client_with(&emu, DEMO_TOKEN).scopes().await.unwrap();
    assert_eq!(full.token_kind, TokenKind::Classic);
    assert!(full.can_read && full.can_delete && full.can_restore && full.has_repo);
    assert!(full.scopes.unwrap().contains(&"delete:packages".to_owned()));

    let ro = client_with(&emu, READ_ONLY_TOKEN).scopes().await.unwrap();
    assert!(ro.can_read && !ro.can_delete && !ro.can_restore);
    assert_eq!(
        ro.scopes.as_deref(),
        Some(&["read:packages".to_owned()][..])
    );

    let none = client_with(&emu, NO_SCOPES_TOKEN).scopes().await.unwrap();
    assert!(!none.can_read && !none.can_delete);
    assert!(none.problem.is_some());

    let fine = client_with(&emu, FINE_GRAINED_TOKEN)
        .scopes()
        .await
        .unwrap();
    assert!(!fine.can_read);
    assert!(fine.problem.unwrap().contains("fine-grained"));

    let e = client_with(&emu, "ghp_wrong").scopes().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
}

#[tokio::test]
async fn redirects_keep_the_token_at_home() {
    let home = demo().await;
    let elsewhere = demo().await;
    let c = client_with(&home, DEMO_TOKEN);
    // Same origin: followed with the token.
    home.inject(
        FaultRule::new(Fault::Redirect {
            location: format!("{}/orgs/acme/packages/container/only-tag", home.url()),
            status: 307,
        })
        .path("api%2Fserver"),
    );
    let p = c.get_package(&acme(), C, "api/server").await.unwrap();
    assert_eq!(p.name, "only-tag");
    assert!(home
        .requests()
        .iter()
        .all(|r| r.header("authorization").is_some()));

    // Another origin (another port): followed without the token.
    for status in [301, 302, 307, 308] {
        elsewhere.clear_requests();
        home.inject(FaultRule::new(Fault::Redirect {
            location: format!("{}/orgs/acme/packages/container/only-tag", elsewhere.url()),
            status,
        }));
        let _ = c.get_package(&acme(), C, "api/server").await;
        let there = elsewhere.requests();
        assert_eq!(there.len(), 1, "{status}");
        assert!(
            there[0].header("authorization").is_none(),
            "token leaked on {status}"
        );
    }
}

#[tokio::test]
async fn plain_http_is_refused_off_loopback() {
    let e = Client::builder()
        .base_url("http://ghe.example.com/api/v3")
        .token(DEMO_TOKEN)
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("clear text"));
    Client::builder()
        .base_url("http://ghe.example.com/api/v3")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let e = Client::builder().per_page(0).build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = Client::builder().token("").build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn the_token_never_shows() {
    let emu = demo().await;
    let c = client_with(&emu, DEMO_TOKEN);
    assert!(!format!("{c:?}").contains(DEMO_TOKEN));
    let basic = builder(&emu)
        .basic_auth("octocat", DEMO_TOKEN)
        .build()
        .unwrap();
    assert!(!format!("{basic:?}").contains(DEMO_TOKEN));
    // Errors of every shape.
    emu.inject(FaultRule::new(Fault::DropConnection).forever());
    let e = builder(&emu)
        .token(DEMO_TOKEN)
        .max_retries(0)
        .build()
        .unwrap()
        .restore_package(&acme(), C, "x", Some("restore-secret"))
        .await
        .unwrap_err();
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(
            !text.contains(DEMO_TOKEN) && !text.contains("restore-secret"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn redirects_to_plain_http_elsewhere_are_refused() {
    let emu = demo().await;
    let c = client_with(&emu, DEMO_TOKEN);
    // 192.0.2.0/24 is reserved for documentation: the client must refuse
    // before connecting anywhere.
    emu.inject(FaultRule::new(Fault::Redirect {
        location: "http://192.0.2.1/orgs/acme/packages/container/x".to_owned(),
        status: 302,
    }));
    let e = c.get_package(&acme(), C, "api/server").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(e.message().contains("neither https"), "{e}");
    assert_eq!(e.status(), Some(302));
    emu.inject(FaultRule::new(Fault::Redirect {
        location: "ftp://example.com/x".to_owned(),
        status: 301,
    }));
    let r = c.get_package(&acme(), C, "api/server").await;
    let log: Vec<_> = emu
        .requests()
        .iter()
        .map(|r| (r.path.clone(), r.status))
        .collect();
    let e = r.map(|p| p.name).expect_err(&format!("{log:?}"));
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
}
