//! Typed result objects. Each wraps the core's model and builds Python
//! values only when an attribute is read; nested objects (`owner`,
//! `repository`) are built on first access and then kept.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};
use ghpkg::{MinimalRepository, Package, PackageVersion, RateLimit, SimpleUser, TokenScopes};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use pyo3::{PyClass, PyClassInitializer};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::convert::{from_json, object, to_json};
use crate::errors::invalid;

static PACKAGE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static VISIBILITY: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The member of a `ghpkg` enum for a value the core produced.
fn member<'py>(
    py: Python<'py>,
    cell: &PyOnceLock<Py<PyType>>,
    class: &str,
    value: &str,
) -> PyResult<Bound<'py, PyAny>> {
    cell.import(py, "ghpkg.enums", class)?.call1((value,))
}

fn json_of<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn dict_of<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    from_json(py, &json_of(value))
}

fn extra<'py>(
    py: Python<'py>,
    map: &serde_json::Map<String, Value>,
) -> PyResult<Bound<'py, PyDict>> {
    object(py, map)
}

/// Builds a model from a dict shaped like GitHub's JSON.
fn from_dict<T: DeserializeOwned>(what: &str, data: &Bound<'_, PyAny>) -> PyResult<T> {
    let value = to_json("data", data, 0)?;
    serde_json::from_value(value)
        .map_err(|e| invalid(data.py(), format!("not a valid {what}: {e}")))
}

/// `(cls.from_dict, (self.to_dict(),))`, the pickle recipe of every model.
fn reduce<'py>(slf: &Bound<'py, PyAny>, dict: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    let rebuild = slf.get_type().getattr("from_dict")?;
    PyTuple::new(
        slf.py(),
        [rebuild, PyTuple::new(slf.py(), [dict])?.into_any()],
    )
}

/// A `str` as Python's `repr()` shows it.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn quote_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_owned(), quote)
}

fn boolean(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn hash_of(parts: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

/// A nested model (`owner`, `repository`), built on first access and then
/// kept, so that reading it twice gives the same object.
fn nested<M, P>(
    py: Python<'_>,
    cell: &PyOnceLock<Option<Py<P>>>,
    value: &Option<M>,
) -> PyResult<Option<Py<P>>>
where
    M: Clone,
    P: PyClass + From<M> + Into<PyClassInitializer<P>>,
{
    let built = cell.get_or_try_init(py, || {
        value.clone().map(|v| Py::new(py, P::from(v))).transpose()
    })?;
    Ok(built.as_ref().map(|o| o.clone_ref(py)))
}

/// The `#[pymethods]` of a model that wraps the core's `$model` (and has
/// the Python name `$model`): the getters and `__repr__` in `$body`, plus
/// what every such model has: `extra`, `to_dict()` (the JSON `$to_json`
/// gives), `from_dict()`, pickling, `==` on the whole model and a hash of
/// the `$hash` fields.
macro_rules! json_model {
    (
        $class:ident, $model:ident, hash = ($($hash:ident),+), to_json = $to_json:path,
        { $($body:tt)* }
    ) => {
        #[pymethods]
        impl $class {
            $($body)*

            #[getter]
            fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                extra(py, &self.inner.extra)
            }
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                from_json(py, &$to_json(&self.inner))
            }
            #[classmethod]
            fn from_dict(_cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
                from_dict::<$model>(stringify!($model), data).map(Self::from)
            }
            fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
                let dict = slf.get().to_dict(slf.py())?;
                reduce(slf.as_any(), dict)
            }
            fn __eq__(&self, other: PyRef<'_, Self>) -> bool {
                self.inner == other.inner
            }
            fn __hash__(&self) -> u64 {
                hash_of(($(&self.inner.$hash,)+))
            }
        }
    };
}

/// A GitHub user or organization.
#[pyclass(module = "ghpkg", name = "SimpleUser", frozen)]
pub(crate) struct PySimpleUser {
    inner: SimpleUser,
}

impl From<SimpleUser> for PySimpleUser {
    fn from(inner: SimpleUser) -> Self {
        PySimpleUser { inner }
    }
}

json_model!(
    PySimpleUser,
    SimpleUser,
    hash = (login, id),
    to_json = json_of,
    {
        #[getter]
        fn login(&self) -> &str {
            &self.inner.login
        }
        #[getter]
        fn id(&self) -> u64 {
            self.inner.id
        }
        /// `User` or `Organization`.
        #[getter]
        fn r#type(&self) -> &str {
            &self.inner.kind
        }
        #[getter]
        fn html_url(&self) -> &str {
            &self.inner.html_url
        }
        #[getter]
        fn avatar_url(&self) -> &str {
            &self.inner.avatar_url
        }
        #[getter]
        fn site_admin(&self) -> bool {
            self.inner.site_admin
        }
        fn __repr__(&self) -> String {
            format!(
                "SimpleUser(login={}, id={}, type={})",
                quote(&self.inner.login),
                self.inner.id,
                quote(&self.inner.kind)
            )
        }
    }
);

/// A repository a package is linked to.
#[pyclass(module = "ghpkg", name = "MinimalRepository", frozen)]
pub(crate) struct PyMinimalRepository {
    inner: MinimalRepository,
    owner: PyOnceLock<Option<Py<PySimpleUser>>>,
}

impl From<MinimalRepository> for PyMinimalRepository {
    fn from(inner: MinimalRepository) -> Self {
        PyMinimalRepository {
            inner,
            owner: PyOnceLock::new(),
        }
    }
}

json_model!(
    PyMinimalRepository,
    MinimalRepository,
    hash = (full_name, id),
    to_json = json_of,
    {
        #[getter]
        fn id(&self) -> u64 {
            self.inner.id
        }
        #[getter]
        fn name(&self) -> &str {
            &self.inner.name
        }
        #[getter]
        fn full_name(&self) -> &str {
            &self.inner.full_name
        }
        #[getter]
        fn private(&self) -> bool {
            self.inner.private
        }
        #[getter]
        fn html_url(&self) -> &str {
            &self.inner.html_url
        }
        #[getter]
        fn owner(&self, py: Python<'_>) -> PyResult<Option<Py<PySimpleUser>>> {
            nested(py, &self.owner, &self.inner.owner)
        }
        fn __repr__(&self) -> String {
            format!(
                "MinimalRepository(full_name={}, id={})",
                quote(&self.inner.full_name),
                self.inner.id
            )
        }
    }
);

/// A package in a GitHub Packages registry.
#[pyclass(module = "ghpkg", name = "Package", frozen)]
pub(crate) struct PyPackage {
    inner: Package,
    owner: PyOnceLock<Option<Py<PySimpleUser>>>,
    repository: PyOnceLock<Option<Py<PyMinimalRepository>>>,
}

impl From<Package> for PyPackage {
    fn from(inner: Package) -> Self {
        PyPackage {
            inner,
            owner: PyOnceLock::new(),
            repository: PyOnceLock::new(),
        }
    }
}

json_model!(
    PyPackage,
    Package,
    hash = (id, name),
    to_json = Package::to_json,
    {
        #[getter]
        fn id(&self) -> u64 {
            self.inner.id
        }
        #[getter]
        fn name(&self) -> &str {
            &self.inner.name
        }
        #[getter]
        fn package_type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            member(
                py,
                &PACKAGE_TYPE,
                "PackageType",
                self.inner.package_type.as_str(),
            )
        }
        #[getter]
        fn visibility<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            member(
                py,
                &VISIBILITY,
                "Visibility",
                self.inner.visibility.as_str(),
            )
        }
        #[getter]
        fn url(&self) -> &str {
            &self.inner.url
        }
        #[getter]
        fn html_url(&self) -> &str {
            &self.inner.html_url
        }
        #[getter]
        fn version_count(&self) -> u64 {
            self.inner.version_count
        }
        #[getter]
        fn owner(&self, py: Python<'_>) -> PyResult<Option<Py<PySimpleUser>>> {
            nested(py, &self.owner, &self.inner.owner)
        }
        #[getter]
        fn repository(&self, py: Python<'_>) -> PyResult<Option<Py<PyMinimalRepository>>> {
            nested(py, &self.repository, &self.inner.repository)
        }
        #[getter]
        fn created_at(&self) -> DateTime<Utc> {
            self.inner.created_at
        }
        #[getter]
        fn updated_at(&self) -> DateTime<Utc> {
            self.inner.updated_at
        }
        fn __repr__(&self) -> String {
            format!(
                "Package(id={}, name={}, package_type={}, visibility={}, version_count={})",
                self.inner.id,
                quote(&self.inner.name),
                quote(self.inner.package_type.as_str()),
                quote(self.inner.visibility.as_str()),
                self.inner.version_count
            )
        }
    }
);

/// A version of a package; for containers `name` is the manifest digest.
#[pyclass(module = "ghpkg", name = "PackageVersion", frozen)]
pub(crate) struct PyPackageVersion {
    inner: PackageVersion,
}

impl From<PackageVersion> for PyPackageVersion {
    fn from(inner: PackageVersion) -> Self {
        PyPackageVersion { inner }
    }
}

json_model!(
    PyPackageVersion,
    PackageVersion,
    hash = (id, name),
    to_json = PackageVersion::to_json,
    {
        #[getter]
        fn id(&self) -> u64 {
            self.inner.id
        }
        #[getter]
        fn name(&self) -> &str {
            &self.inner.name
        }
        #[getter]
        fn url(&self) -> &str {
            &self.inner.url
        }
        #[getter]
        fn package_html_url(&self) -> &str {
            &self.inner.package_html_url
        }
        #[getter]
        fn html_url(&self) -> Option<&str> {
            self.inner.html_url.as_deref()
        }
        #[getter]
        fn license(&self) -> Option<&str> {
            self.inner.license.as_deref()
        }
        #[getter]
        fn description(&self) -> Option<&str> {
            self.inner.description.as_deref()
        }
        #[getter]
        fn created_at(&self) -> DateTime<Utc> {
            self.inner.created_at
        }
        #[getter]
        fn updated_at(&self) -> DateTime<Utc> {
            self.inner.updated_at
        }
        #[getter]
        fn deleted_at(&self) -> Option<DateTime<Utc>> {
            self.inner.deleted_at
        }
        /// Registry-specific metadata as GitHub sent it, or `None`.
        #[getter]
        fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
            self.inner
                .metadata
                .as_ref()
                .map(|m| dict_of(py, m))
                .transpose()
        }
        /// Container or docker tags; empty for other registries and untagged versions.
        #[getter]
        fn tags(&self) -> Vec<String> {
            self.inner.tags().to_vec()
        }
        #[getter]
        fn is_untagged(&self) -> bool {
            self.inner.is_untagged()
        }
        fn __repr__(&self) -> String {
            format!(
                "PackageVersion(id={}, name={}, tags={})",
                self.inner.id,
                quote(&self.inner.name),
                list(self.inner.tags())
            )
        }
    }
);

/// What the configured token can do with GitHub Packages.
#[pyclass(module = "ghpkg", name = "TokenScopes", frozen)]
pub(crate) struct PyTokenScopes {
    inner: TokenScopes,
}

impl From<TokenScopes> for PyTokenScopes {
    fn from(inner: TokenScopes) -> Self {
        PyTokenScopes { inner }
    }
}

#[pymethods]
impl PyTokenScopes {
    /// `classic`, `oauth`, `fine_grained`, `app`, `user_to_server`, `unknown` or `none`.
    #[getter]
    fn token_kind(&self) -> &'static str {
        self.inner.token_kind.as_str()
    }
    #[getter]
    fn scopes(&self) -> Option<Vec<String>> {
        self.inner.scopes.clone()
    }
    #[getter]
    fn can_read(&self) -> bool {
        self.inner.can_read
    }
    #[getter]
    fn can_delete(&self) -> bool {
        self.inner.can_delete
    }
    #[getter]
    fn can_restore(&self) -> bool {
        self.inner.can_restore
    }
    #[getter]
    fn has_repo(&self) -> bool {
        self.inner.has_repo
    }
    #[getter]
    fn problem(&self) -> Option<&str> {
        self.inner.problem.as_deref()
    }
    /// The core's JSON form as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(&self.inner)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        crate::convert::from_json(py, &value)
    }
    fn __repr__(&self) -> String {
        format!(
            "TokenScopes(token_kind={}, scopes={}, can_read={}, can_delete={}, can_restore={}, has_repo={}, problem={})",
            quote(self.token_kind()),
            self.inner.scopes.as_deref().map_or_else(|| "None".to_owned(), list),
            boolean(self.inner.can_read),
            boolean(self.inner.can_delete),
            boolean(self.inner.can_restore),
            boolean(self.inner.has_repo),
            quote_opt(self.problem())
        )
    }
}

/// GitHub's `x-ratelimit-*` headers from one response.
#[pyclass(module = "ghpkg", name = "RateLimit", frozen)]
pub(crate) struct PyRateLimit {
    inner: RateLimit,
}

impl From<RateLimit> for PyRateLimit {
    fn from(inner: RateLimit) -> Self {
        PyRateLimit { inner }
    }
}

#[pymethods]
impl PyRateLimit {
    #[getter]
    fn limit(&self) -> u64 {
        self.inner.limit
    }
    #[getter]
    fn remaining(&self) -> u64 {
        self.inner.remaining
    }
    #[getter]
    fn used(&self) -> u64 {
        self.inner.used
    }
    #[getter]
    fn reset(&self) -> DateTime<Utc> {
        self.inner.reset
    }
    #[getter]
    fn resource(&self) -> Option<&str> {
        self.inner.resource.as_deref()
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("limit", self.inner.limit)?;
        d.set_item("remaining", self.inner.remaining)?;
        d.set_item("used", self.inner.used)?;
        d.set_item("reset", self.inner.reset)?;
        d.set_item("resource", self.resource())?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "RateLimit(limit={}, remaining={}, used={}, reset={}, resource={})",
            self.inner.limit,
            self.inner.remaining,
            self.inner.used,
            quote(&self.inner.reset.to_rfc3339()),
            quote_opt(self.resource())
        )
    }
}
