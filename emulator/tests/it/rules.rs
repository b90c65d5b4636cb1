//! Delete and restore rules: downloads, last (tagged) version, the 30-day
//! window on the injectable clock, namespace reuse, and org admin rights.

use std::time::Duration;

use ghpkg_emulator::{Emulator, PackageSpec, VersionSpec, DEMO_TOKEN, HUBOT_TOKEN};

use crate::common::{delete, get, post};

const DAY: Duration = Duration::from_secs(86_400);
const T: Option<&str> = Some(DEMO_TOKEN);

#[tokio::test]
async fn public_packages_with_popular_versions_cannot_be_deleted() {
    let emu = Emulator::demo().await.unwrap();
    let r = delete(&emu, "/user/packages/npm/hello-world", T).await;
    assert_eq!(r.status, 400);
    assert!(r.message().contains("5000 downloads"), "{}", r.message());
    let r = delete(&emu, "/user/packages/npm/hello-world/versions/10011", T).await;
    assert_eq!(r.status, 400);
    assert!(r.message().contains("5000 downloads"));
    // A less popular version of the same package can go.
    let r = delete(&emu, "/user/packages/npm/hello-world/versions/10012", T).await;
    assert_eq!(r.status, 204);
    // Private packages are not protected by the download rule.
    emu.with_state(|s| {
        s.add_package(
            PackageSpec::new("octocat", "secret-hit", "npm")
                .version(VersionSpec::new("1.0.0").downloads(9_999))
                .version(VersionSpec::new("1.0.1").downloads(9_999)),
        )
    })
    .unwrap();
    let r = get(&emu, "/user/packages/npm/secret-hit/versions", T).await;
    let id = r.json()[0]["id"].as_u64().unwrap();
    assert_eq!(
        delete(
            &emu,
            &format!("/user/packages/npm/secret-hit/versions/{id}"),
            T
        )
        .await
        .status,
        204
    );
    assert_eq!(
        delete(&emu, "/user/packages/npm/secret-hit", T)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn last_version_and_last_tagged_version_are_protected() {
    let emu = Emulator::demo().await.unwrap();
    let r = delete(
        &emu,
        "/orgs/acme/packages/npm/single-version/versions/20091",
        T,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.message(),
        "You cannot delete the last version of a package. You must delete the package instead."
    );
    // Containers: the untagged child goes freely, the last tagged version does not.
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/only-tag/versions/20081",
        T,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.message(),
        "You cannot delete the last tagged version of a package. You must delete the package instead."
    );
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/only-tag/versions/20082",
        T,
    )
    .await;
    assert_eq!(r.status, 204);
    let r = get(&emu, "/orgs/acme/packages/container/only-tag", T).await;
    assert_eq!(r.json()["version_count"], 1);
    // api/server has seven tagged versions: six can go, the seventh cannot.
    for id in [20016, 20015, 20019, 200121, 200130, 200160] {
        let r = delete(
            &emu,
            &format!("/orgs/acme/packages/container/api%2Fserver/versions/{id}"),
            T,
        )
        .await;
        assert_eq!(r.status, 204);
    }
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions/5000000001",
        T,
    )
    .await;
    assert_eq!(r.status, 400);
    // Deleting the whole package works.
    assert_eq!(
        delete(&emu, "/orgs/acme/packages/npm/single-version", T)
            .await
            .status,
        204
    );
    assert_eq!(
        get(&emu, "/orgs/acme/packages/npm/single-version", T)
            .await
            .status,
        404
    );
}

const LAST_VERSION: &str =
    "You cannot delete the last version of a package. You must delete the package instead.";
const LAST_TAGGED: &str =
    "You cannot delete the last tagged version of a package. You must delete the package instead.";

#[tokio::test]
async fn containers_keep_a_last_version_and_a_last_tagged_version() {
    let emu = Emulator::demo().await.unwrap();
    let untagged_only = emu
        .with_state(|s| {
            s.add_package(
                PackageSpec::new("acme", "scratch", "container")
                    .version(VersionSpec::new("sha256:0001").id(90001)),
            )
        })
        .unwrap();
    assert!(untagged_only > 0);
    // The only version of a container, untagged: the last-version rule.
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/scratch/versions/90001",
        T,
    )
    .await;
    assert_eq!((r.status, r.message().as_str()), (400, LAST_VERSION));
    // The only version of a container, tagged: the last-version rule too.
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/org-repo%2Fsub%2Fimage/versions/20111",
        T,
    )
    .await;
    assert_eq!((r.status, r.message().as_str()), (400, LAST_VERSION));
    // The last tagged version while untagged ones remain.
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/only-tag/versions/20081",
        T,
    )
    .await;
    assert_eq!((r.status, r.message().as_str()), (400, LAST_TAGGED));
    // An untagged version beside a tagged one may go; then the tagged one
    // is the last version.
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/only-tag/versions/20082",
        T,
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/only-tag/versions/20081",
        T,
    )
    .await;
    assert_eq!((r.status, r.message().as_str()), (400, LAST_VERSION));
    // A tagged version beside another tagged one may go.
    let r = delete(
        &emu,
        "/users/octocat/packages/container/hello-container/versions/10061",
        T,
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    // Refusals change nothing.
    for (path, count) in [
        ("/orgs/acme/packages/container/scratch", 1),
        ("/orgs/acme/packages/container/org-repo%2Fsub%2Fimage", 1),
        ("/orgs/acme/packages/container/only-tag", 1),
        ("/users/octocat/packages/container/hello-container", 2),
    ] {
        assert_eq!(
            get(&emu, path, T).await.json()["version_count"],
            count,
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_npm_package_keeps_its_last_version() {
    let emu = Emulator::demo().await.unwrap();
    let r = delete(
        &emu,
        "/orgs/acme/packages/npm/single-version/versions/20091",
        T,
    )
    .await;
    assert_eq!((r.status, r.message().as_str()), (400, LAST_VERSION));
    // Two versions: one may go, the other is then the last.
    let r = delete(
        &emu,
        "/users/octocat/packages/npm/100%25-pure/versions/10092",
        T,
    )
    .await;
    assert_eq!(r.status, 204);
    let r = delete(
        &emu,
        "/users/octocat/packages/npm/100%25-pure/versions/10091",
        T,
    )
    .await;
    assert_eq!((r.status, r.message().as_str()), (400, LAST_VERSION));
}

#[tokio::test]
async fn deleted_versions_are_listed_and_restorable_for_30_days() {
    let emu = Emulator::demo().await.unwrap();
    let base = "/orgs/acme/packages/container/api%2Fserver";
    let before = emu.now();
    assert_eq!(
        delete(&emu, &format!("{base}/versions/20012"), T)
            .await
            .status,
        204
    );
    assert_eq!(
        get(&emu, &format!("{base}/versions/20012"), T).await.status,
        404
    );
    let active = get(&emu, &format!("{base}/versions"), T).await;
    assert!(!active
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["id"] == 20012));
    let deleted = get(&emu, &format!("{base}/versions?state=deleted"), T).await;
    let ids: Vec<u64> = deleted
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_u64().unwrap())
        .collect();
    assert!(ids.contains(&20012) && ids.contains(&20017));
    let v = deleted
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == 20012)
        .unwrap()
        .clone();
    let deleted_at =
        chrono::DateTime::parse_from_rfc3339(v["deleted_at"].as_str().unwrap()).unwrap();
    assert!((deleted_at.timestamp() - before.timestamp()).abs() <= 1);
    assert_eq!(get(&emu, base, T).await.json()["version_count"], 18);

    // A deleted version cannot be deleted again; an active one cannot be restored.
    assert_eq!(
        delete(&emu, &format!("{base}/versions/20012"), T)
            .await
            .status,
        404
    );
    assert_eq!(
        post(&emu, &format!("{base}/versions/20013/restore"), T)
            .await
            .status,
        404
    );

    emu.advance_clock(29 * DAY);
    assert_eq!(
        post(&emu, &format!("{base}/versions/20012/restore"), T)
            .await
            .status,
        204
    );
    assert_eq!(
        get(&emu, &format!("{base}/versions/20012"), T).await.status,
        200
    );

    // Past 30 days it is gone for good; the demo's old deleted version too.
    assert_eq!(
        delete(&emu, &format!("{base}/versions/20012"), T)
            .await
            .status,
        204
    );
    emu.advance_clock(31 * DAY);
    let r = post(&emu, &format!("{base}/versions/20012/restore"), T).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        post(&emu, &format!("{base}/versions/20017/restore"), T)
            .await
            .status,
        404
    );
    emu.with_state(|s| {
        let p = s.package("acme", "container", "api/server").unwrap();
        assert!(p.version(20012).unwrap().is_deleted());
        assert!(!p.version(5_000_000_001).unwrap().is_deleted());
    });
}

#[tokio::test]
async fn deleted_packages_disappear_and_restore_within_30_days() {
    let emu = Emulator::demo().await.unwrap();
    let path = "/orgs/acme/packages/npm/ui-kit";
    assert_eq!(delete(&emu, path, T).await.status, 204);
    assert_eq!(get(&emu, path, T).await.status, 404);
    assert_eq!(get(&emu, &format!("{path}/versions"), T).await.status, 404);
    let listed = get(&emu, "/orgs/acme/packages?package_type=npm", T).await;
    assert!(!listed.names().contains(&"ui-kit".to_owned()));
    assert_eq!(delete(&emu, path, T).await.status, 404, "already deleted");

    emu.advance_clock(10 * DAY);
    // Restoring with a (ignored) token parameter works.
    let r = post(&emu, &format!("{path}/restore?token=registry-token"), T).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = get(&emu, path, T).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["version_count"], 3);

    assert_eq!(delete(&emu, path, T).await.status, 204);
    emu.advance_clock(30 * DAY + Duration::from_secs(1));
    let r = post(&emu, &format!("{path}/restore"), T).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "Package not found.");
    // Never-deleted packages cannot be restored either.
    assert_eq!(
        post(&emu, "/orgs/acme/packages/npm/never-existed/restore", T)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_reused_namespace_blocks_the_restore() {
    let emu = Emulator::demo().await.unwrap();
    let path = "/users/octocat/packages/container/hello-container";
    assert_eq!(delete(&emu, path, T).await.status, 204);
    let new_id = emu
        .with_state(|s| {
            s.add_package(
                PackageSpec::new("octocat", "hello-container", "container")
                    .visibility("public")
                    .version(VersionSpec::new("sha256:new").tags(&["latest"])),
            )
        })
        .unwrap();
    let r = get(&emu, path, T).await;
    assert_eq!(r.json()["id"], new_id);
    let r = post(&emu, &format!("{path}/restore"), T).await;
    assert_eq!(r.status, 400);
    assert!(r.message().contains("namespace"), "{}", r.message());
    // Once the new package is deleted too, the most recently deleted one comes back.
    emu.advance_clock(DAY);
    assert_eq!(delete(&emu, path, T).await.status, 204);
    assert_eq!(post(&emu, &format!("{path}/restore"), T).await.status, 204);
    assert_eq!(get(&emu, path, T).await.json()["id"], new_id);
    emu.with_state(|s| {
        let all: Vec<_> = s
            .packages_named("octocat", "container", "hello-container")
            .collect();
        assert_eq!(all.len(), 2);
        assert!(all.iter().any(|p| p.id == 1006 && p.is_deleted()));
    });
    // Adding a package whose live namespace is taken fails.
    let dup = emu
        .with_state(|s| s.add_package(PackageSpec::new("octocat", "hello-container", "container")));
    assert!(dup.is_err());
}

#[tokio::test]
async fn org_deletes_need_an_admin_and_user_deletes_the_owner() {
    let emu = Emulator::demo().await.unwrap();
    let r = delete(
        &emu,
        "/orgs/acme/packages/container/service-001",
        Some(HUBOT_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = post(
        &emu,
        "/orgs/acme/packages/container/api%2Fserver/versions/20017/restore",
        Some(HUBOT_TOKEN),
    )
    .await;
    assert_eq!(r.status, 404, "20017 is past its window");
    // octocat (admin) deletes, hubot (member) cannot restore, octocat can.
    assert_eq!(
        delete(&emu, "/orgs/acme/packages/container/service-001", T)
            .await
            .status,
        204
    );
    let r = post(
        &emu,
        "/orgs/acme/packages/container/service-001/restore",
        Some(HUBOT_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        post(&emu, "/orgs/acme/packages/container/service-001/restore", T)
            .await
            .status,
        204
    );
    // /users/{u}: only u.
    let r = delete(
        &emu,
        "/users/octocat/packages/npm/100%25-pure/versions/10092",
        Some(HUBOT_TOKEN),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = delete(
        &emu,
        "/users/octocat/packages/npm/100%25-pure/versions/10092",
        T,
    )
    .await;
    assert_eq!(r.status, 204);
    let r = get(&emu, "/users/octocat/packages/npm/100%25-pure", T).await;
    assert_eq!(r.json()["version_count"], 1);
}

#[tokio::test]
async fn a_read_shows_every_change_made_since_the_last_one() {
    let emu = Emulator::demo().await.unwrap();
    let path = "/users/octocat/packages/container/hello-container";
    let version = format!("{path}/versions/10061");
    let before = get(&emu, path, T).await.json();
    assert_eq!(get(&emu, path, T).await.json(), before, "read again");
    assert_eq!(get(&emu, &version, T).await.status, 200);
    // A change over HTTP: the package's count and the version's read follow.
    assert_eq!(delete(&emu, &version, T).await.status, 204);
    let count = before["version_count"].as_u64().unwrap();
    assert_eq!(get(&emu, path, T).await.json()["version_count"], count - 1);
    assert_eq!(get(&emu, &version, T).await.status, 404);
    assert_eq!(
        post(&emu, &format!("{version}/restore"), T).await.status,
        204
    );
    assert_eq!(get(&emu, path, T).await.json()["version_count"], count);
    let tags = |r: serde_json::Value| r["metadata"]["container"]["tags"].clone();
    assert_eq!(
        tags(get(&emu, &version, T).await.json()),
        serde_json::json!(["1.0"])
    );
    // A change made on the state directly shows too.
    let id = before["id"].as_u64().unwrap();
    emu.with_state(|s| {
        let p = s.package_by_id_mut(id).unwrap();
        p.visibility = "private".into();
        p.versions.iter_mut().find(|v| v.id == 10061).unwrap().tags = vec!["v9".into()];
    });
    assert_eq!(get(&emu, path, T).await.json()["visibility"], "private");
    assert_eq!(
        tags(get(&emu, &version, T).await.json()),
        serde_json::json!(["v9"])
    );
}
