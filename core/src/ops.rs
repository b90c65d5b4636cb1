//! The nine operations, each for the three kinds of [`Owner`] (27 endpoints).

use reqwest::Method;
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::Call;
use crate::models::{Package, PackageType, PackageVersion, VersionState, Visibility};
use crate::pagination::{paginate, Listing};
use crate::path::{package_path, Owner};

/// `{package}/versions/{id}{suffix}`, encoded; id 0 is `InvalidArgument`.
fn version_path(
    owner: &Owner,
    package_type: PackageType,
    name: &str,
    id: u64,
    suffix: &str,
) -> Result<String> {
    if id == 0 {
        return Err(Error::invalid(
            "package version id must be a positive integer",
        ));
    }
    let package = package_path(owner, package_type, name)?;
    Ok(format!("{package}/versions/{id}{suffix}"))
}

impl Client {
    fn listing_url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url> {
        let mut url = self.endpoint(path)?;
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
            q.append_pair("per_page", &self.inner.per_page.to_string());
        }
        Ok(url)
    }

    /// Lists the packages of one type that `owner` has and the caller can see,
    /// optionally only those of one `visibility`.
    ///
    /// Lazy: nothing is sent until the stream is polled. GitHub serves at most
    /// 10,000 packages through one listing; filter by visibility to see beyond.
    /// Needs `read:packages` (plus `repo` for the repository-scoped registries,
    /// maven and docker).
    pub fn list_packages(
        &self,
        owner: &Owner,
        package_type: PackageType,
        visibility: Option<Visibility>,
    ) -> Listing<Package> {
        let url = owner.prefix().and_then(|prefix| {
            let mut q = vec![("package_type", package_type.as_str())];
            if let Some(v) = visibility {
                q.push(("visibility", v.as_str()));
            }
            self.listing_url(&format!("{prefix}/packages"), &q)
        });
        match url {
            Ok(url) => paginate(self, url, Call::ListPackages, "package list"),
            Err(e) => Listing::failed(e),
        }
    }

    /// Gets one package by type and name (names may contain `/`).
    pub async fn get_package(
        &self,
        owner: &Owner,
        package_type: PackageType,
        name: &str,
    ) -> Result<Package> {
        let url = self.endpoint(&package_path(owner, package_type, name)?)?;
        self.execute(Method::GET, url, Call::Other)
            .await?
            .json("package")
    }

    /// Deletes a whole package. It can be restored for 30 days.
    ///
    /// GitHub refuses (`Rejected`) for a public package with a version over
    /// 5,000 downloads. Needs `read:packages` and `delete:packages`, and org
    /// admin rights for org packages. Not retried after a 5xx (not idempotent
    /// in effect: a retry could report 404 for a delete that happened).
    pub async fn delete_package(
        &self,
        owner: &Owner,
        package_type: PackageType,
        name: &str,
    ) -> Result<()> {
        let url = self.endpoint(&package_path(owner, package_type, name)?)?;
        self.execute(Method::DELETE, url, Call::Other)
            .await
            .map(drop)
    }

    /// Restores a package deleted in the last 30 days, unless its name has
    /// been reused since. `token` is GitHub's optional package token
    /// query parameter. Needs `read:packages` and `write:packages`.
    pub async fn restore_package(
        &self,
        owner: &Owner,
        package_type: PackageType,
        name: &str,
        token: Option<&str>,
    ) -> Result<()> {
        let mut url = self.endpoint(&format!(
            "{}/restore",
            package_path(owner, package_type, name)?
        ))?;
        if let Some(t) = token {
            if t.is_empty() {
                return Err(Error::invalid("the restore token must not be empty"));
            }
            url.query_pairs_mut().append_pair("token", t);
        }
        self.execute(Method::POST, url, Call::Other).await.map(drop)
    }

    /// Lists a package's versions: active ones by default, or those deleted
    /// in the last 30 days with `Some(VersionState::Deleted)`. Lazy, like
    /// [`Client::list_packages`]; pages the user-owned listing too.
    pub fn list_versions(
        &self,
        owner: &Owner,
        package_type: PackageType,
        name: &str,
        state: Option<VersionState>,
    ) -> Listing<PackageVersion> {
        let url = package_path(owner, package_type, name).and_then(|path| {
            let q: Vec<(&str, &str)> = state.iter().map(|s| ("state", s.as_str())).collect();
            self.listing_url(&format!("{path}/versions"), &q)
        });
        match url {
            Ok(url) => paginate(self, url, Call::Other, "package version list"),
            Err(e) => Listing::failed(e),
        }
    }

    /// Gets one version of a package by id.
    pub async fn get_version(
        &self,
        owner: &Owner,
        package_type: PackageType,
        name: &str,
        version_id: u64,
    ) -> Result<PackageVersion> {
        let url = self.endpoint(&version_path(owner, package_type, name, version_id, "")?)?;
        self.execute(Method::GET, url, Call::Other)
            .await?
            .json("package version")
    }

    /// Deletes one version. GitHub refuses (`Rejected`) the last version (for
    /// containers, the last tagged version) and a public version with over
    /// 5,000 downloads. Restorable for 30 days.
    pub async fn delete_version(
        &self,
        owner: &Owner,
        package_type: PackageType,
        name: &str,
        version_id: u64,
    ) -> Result<()> {
        let url = self.endpoint(&version_path(owner, package_type, name, version_id, "")?)?;
        self.execute(Method::DELETE, url, Call::Other)
            .await
            .map(drop)
    }

    /// Restores a version deleted in the last 30 days.
    pub async fn restore_version(
        &self,
        owner: &Owner,
        package_type: PackageType,
        name: &str,
        version_id: u64,
    ) -> Result<()> {
        let path = version_path(owner, package_type, name, version_id, "/restore")?;
        let url = self.endpoint(&path)?;
        self.execute(Method::POST, url, Call::Other).await.map(drop)
    }

    /// The user the credentials belong to (`GET /user`). Retention records
    /// it in plans and checks it before applying one. Anonymous calls are an
    /// `Authentication` error; tokens GitHub does not let read users (an
    /// Actions `GITHUB_TOKEN`) are `PermissionDenied`.
    pub async fn authenticated_user(&self) -> Result<crate::models::SimpleUser> {
        let url = self.endpoint("/user")?;
        self.execute(Method::GET, url, Call::Other)
            .await?
            .json("user")
    }

    /// Lists docker packages whose migration to the Container registry
    /// conflicts with an existing package. Lazy; follows `link` if GitHub pages it.
    pub fn docker_conflicts(&self, owner: &Owner) -> Listing<Package> {
        let url = owner
            .prefix()
            .and_then(|p| self.endpoint(&format!("{p}/docker/conflicts")));
        match url {
            Ok(url) => paginate(self, url, Call::Other, "package list"),
            Err(e) => Listing::failed(e),
        }
    }
}
