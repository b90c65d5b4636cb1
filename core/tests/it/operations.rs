//! All nine operations for each of the three owners (27 endpoints), over
//! real HTTP against the emulator, checked on both sides: what the client
//! returned and what the server received.

use crate::common::{calls, client, demo};
use ghpkg::{Owner, PackageType, VersionState, Visibility};

/// Runs all nine operations for one owner and checks the wire paths.
async fn exercise(
    owner: Owner,
    prefix: &str,
    name: &str,
    encoded: &str,
    untagged: u64,
    conflict: &str,
) {
    let emu = demo().await;
    let c = client(&emu);
    let ty = PackageType::Container;

    // list packages
    let all = c
        .list_packages(&owner, ty, None)
        .collect_all()
        .await
        .unwrap();
    assert!(
        all.iter().any(|p| p.name == name),
        "{name} listed for {owner}"
    );
    assert!(all.iter().all(|p| p.package_type == ty));

    // get package
    let pkg = c.get_package(&owner, ty, name).await.unwrap();
    assert_eq!(pkg.name, name);
    let before = pkg.version_count;

    // list versions, get version
    let versions = c
        .list_versions(&owner, ty, name, None)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(versions.len() as u64, before);
    let v = c.get_version(&owner, ty, name, untagged).await.unwrap();
    assert_eq!(v.id, untagged);
    assert!(v.is_untagged());
    assert!(v.name.starts_with("sha256:"));

    // delete version, which then shows as deleted, and restore it
    emu.clear_requests();
    c.delete_version(&owner, ty, name, untagged).await.unwrap();
    let deleted = c
        .list_versions(&owner, ty, name, Some(VersionState::Deleted))
        .collect_all()
        .await
        .unwrap();
    let gone = deleted
        .iter()
        .find(|v| v.id == untagged)
        .expect("deleted version listed");
    assert!(gone.deleted_at.is_some());
    c.restore_version(&owner, ty, name, untagged).await.unwrap();
    assert_eq!(
        c.get_package(&owner, ty, name).await.unwrap().version_count,
        before
    );

    // delete package, then restore it
    c.delete_package(&owner, ty, name).await.unwrap();
    let err = c.get_package(&owner, ty, name).await.unwrap_err();
    assert_eq!(err.kind(), ghpkg::ErrorKind::NotFound);
    c.restore_package(&owner, ty, name, None).await.unwrap();
    assert_eq!(c.get_package(&owner, ty, name).await.unwrap().name, name);

    // docker migration conflicts
    let conflicts = c.docker_conflicts(&owner).collect_all().await.unwrap();
    assert!(
        conflicts.iter().any(|p| p.name == conflict),
        "{conflicts:?}"
    );
    assert!(conflicts
        .iter()
        .all(|p| p.package_type == PackageType::Docker));

    let pkg_path = format!("{prefix}/packages/container/{encoded}");
    let wire = calls(&emu);
    let expect = [
        format!("DELETE {pkg_path}/versions/{untagged}"),
        format!("GET {pkg_path}/versions?state=deleted&per_page=100"),
        format!("POST {pkg_path}/versions/{untagged}/restore"),
        format!("GET {pkg_path}"),
        format!("DELETE {pkg_path}"),
        format!("GET {pkg_path}"),
        format!("POST {pkg_path}/restore"),
        format!("GET {pkg_path}"),
        format!("GET {prefix}/docker/conflicts"),
    ];
    assert_eq!(wire, expect);
    for r in emu.requests() {
        assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(r.header("x-github-api-version"), Some("2022-11-28"));
        assert!(r.header("user-agent").unwrap().starts_with("ghpkg/"));
        assert!(r.header("authorization").unwrap().starts_with("Bearer "));
    }
}

#[tokio::test]
async fn all_operations_for_an_org() {
    exercise(
        Owner::org("acme"),
        "/orgs/acme",
        "api/server",
        "api%2Fserver",
        20012,
        "legacy-api",
    )
    .await;
}

#[tokio::test]
async fn all_operations_for_the_authenticated_user() {
    exercise(
        Owner::AuthenticatedUser,
        "/user",
        "what?#hash",
        "what%3F%23hash",
        10102,
        "octo-image",
    )
    .await;
}

#[tokio::test]
async fn all_operations_for_a_user() {
    exercise(
        Owner::user("octocat"),
        "/users/octocat",
        "hello-container",
        "hello-container",
        10063,
        "octo-image",
    )
    .await;
}

#[tokio::test]
async fn models_are_typed_and_keep_raw_json() {
    let emu = demo().await;
    let c = client(&emu);
    let acme = Owner::org("acme");
    let pkg = c
        .get_package(&acme, PackageType::Container, "api/server")
        .await
        .unwrap();
    assert_eq!(pkg.visibility, Visibility::Private);
    assert_eq!(pkg.owner.as_ref().unwrap().login, "acme");
    assert_eq!(pkg.owner.as_ref().unwrap().kind, "Organization");
    assert_eq!(pkg.repository.as_ref().unwrap().full_name, "acme/api");
    assert!(pkg.created_at <= pkg.updated_at);
    // Fields ghpkg does not model stay reachable.
    let raw = pkg.to_json();
    assert!(raw["owner"]["node_id"].is_string(), "{raw}");
    assert!(raw["repository"]["archive_url"].is_string());

    // 64-bit ids and container tags.
    let v = c
        .get_version(&acme, PackageType::Container, "api/server", 5_000_000_001)
        .await
        .unwrap();
    assert_eq!(v.id, 5_000_000_001);
    let mut tags = v.tags().to_vec();
    tags.sort();
    assert_eq!(tags, ["1.2.0", "latest"]);
    assert_eq!(
        v.metadata.as_ref().unwrap().package_type,
        PackageType::Container
    );

    // Docker metadata.
    let dv = c
        .list_versions(&acme, PackageType::Docker, "legacy-api", None)
        .collect_all()
        .await
        .unwrap();
    assert!(dv.iter().any(|v| v.tags() == ["latest"]), "{dv:?}");
}

#[tokio::test]
async fn every_package_type_and_visibility_filter() {
    let emu = demo().await;
    let c = client(&emu);
    for owner in [Owner::org("acme"), Owner::AuthenticatedUser] {
        for ty in PackageType::ALL {
            let list = c
                .list_packages(&owner, *ty, None)
                .collect_all()
                .await
                .unwrap();
            assert!(!list.is_empty(), "{owner} has {ty} packages");
            assert!(list.iter().all(|p| p.package_type == *ty));
        }
    }
    let acme = Owner::org("acme");
    let public = c
        .list_packages(&acme, PackageType::Container, Some(Visibility::Public))
        .collect_all()
        .await
        .unwrap();
    let private = c
        .list_packages(&acme, PackageType::Container, Some(Visibility::Private))
        .collect_all()
        .await
        .unwrap();
    assert!(public.iter().all(|p| p.visibility == Visibility::Public));
    assert!(private.iter().all(|p| p.visibility == Visibility::Private));
    let all = c
        .list_packages(&acme, PackageType::Container, None)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(public.len() + private.len(), all.len());
    assert!(all.len() > 250);
    let q = emu
        .requests()
        .iter()
        .filter(|r| {
            r.query
                .as_deref()
                .unwrap_or("")
                .contains("visibility=public")
        })
        .count();
    assert!(q >= 1);
}

#[tokio::test]
async fn restore_token_is_sent_as_query_parameter() {
    let emu = demo().await;
    let c = client(&emu);
    let acme = Owner::org("acme");
    c.delete_package(&acme, PackageType::Container, "only-tag")
        .await
        .unwrap();
    emu.clear_requests();
    c.restore_package(
        &acme,
        PackageType::Container,
        "only-tag",
        Some("pkg token/1"),
    )
    .await
    .unwrap();
    let r = &emu.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.query.as_deref(), Some("token=pkg+token%2F1"));
}

#[tokio::test]
async fn user_owned_version_listing_is_paged() {
    let emu = demo().await;
    let c = crate::common::builder(&emu)
        .token(ghpkg_emulator::DEMO_TOKEN)
        .per_page(2)
        .build()
        .unwrap();
    let owner = Owner::user("octocat");
    let v = c
        .list_versions(&owner, PackageType::Container, "hello-container", None)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(v.len(), 3);
    let reqs = emu.requests();
    assert_eq!(reqs.len(), 2, "{:?}", calls(&emu));
    assert!(reqs
        .iter()
        .all(|r| crate::common::query_param(r, "per_page").as_deref() == Some("2")));
}
