//! `ghpkg._native`: the Python front door of the ghpkg core. It converts
//! Python arguments into core calls and core results into Python objects;
//! the behaviour lives in the core. The Python package `ghpkg` (under
//! `python/ghpkg/`) re-exports these classes, defines the exceptions and
//! enums, and wraps `AsyncCore` in coroutine methods.

use pyo3::prelude::*;

mod aio;
mod client;
mod convert;
mod emulator;
mod errors;
mod handle;
mod listing;
mod models;
mod ops;
mod retention;
mod runtime;

/// Every catalog resource with its fields and methods, as plain data (the
/// core's serialization of the catalog).
#[pyfunction]
fn catalog_resources(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let value = serde_json::to_value(ghpkg::catalog::resources())
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    convert::from_json(py, &value)
}

/// The values the core accepts for each enum, so the Python enums can be
/// checked against them.
#[pyfunction]
fn enum_values() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "PackageType",
            ghpkg::PackageType::ALL.iter().map(|t| t.as_str()).collect(),
        ),
        (
            "Visibility",
            ghpkg::Visibility::ALL.iter().map(|t| t.as_str()).collect(),
        ),
        (
            "VersionState",
            ghpkg::VersionState::ALL
                .iter()
                .map(|t| t.as_str())
                .collect(),
        ),
    ]
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("API_VERSION", ghpkg::API_VERSION)?;
    m.add("DEFAULT_BASE_URL", ghpkg::DEFAULT_BASE_URL)?;
    m.add("USER_AGENT", ghpkg::USER_AGENT)?;
    m.add("MAX_PAGED_ITEMS", ghpkg::MAX_PAGED_ITEMS)?;
    m.add_class::<client::Client>()?;
    m.add_class::<aio::AsyncCore>()?;
    m.add_class::<listing::PackageListing>()?;
    m.add_class::<listing::VersionListing>()?;
    m.add_class::<listing::AsyncPackageListing>()?;
    m.add_class::<listing::AsyncVersionListing>()?;
    m.add_class::<models::PyPackage>()?;
    m.add_class::<models::PyPackageVersion>()?;
    m.add_class::<models::PySimpleUser>()?;
    m.add_class::<models::PyMinimalRepository>()?;
    m.add_class::<models::PyTokenScopes>()?;
    m.add_class::<models::PyRateLimit>()?;
    m.add_class::<emulator::EmulatorServer>()?;
    m.add_class::<retention::Plan>()?;
    m.add_class::<retention::ApplyEvents>()?;
    m.add_class::<retention::AsyncApplyEvents>()?;
    for f in [
        wrap_pyfunction!(retention::policy_check, m)?,
        wrap_pyfunction!(retention::policy_import, m)?,
        wrap_pyfunction!(retention::import_tools, m)?,
        wrap_pyfunction!(retention::schemas, m)?,
        wrap_pyfunction!(retention::plan, m)?,
        wrap_pyfunction!(retention::apply_events, m)?,
        wrap_pyfunction!(retention::undo, m)?,
        wrap_pyfunction!(retention::recover, m)?,
        wrap_pyfunction!(retention::verify, m)?,
        wrap_pyfunction!(retention::plan_async, m)?,
        wrap_pyfunction!(retention::apply_events_async, m)?,
        wrap_pyfunction!(retention::undo_async, m)?,
        wrap_pyfunction!(retention::recover_async, m)?,
        wrap_pyfunction!(retention::verify_async, m)?,
    ] {
        m.add_function(f)?;
    }
    m.add_function(wrap_pyfunction!(errors::error_table, m)?)?;
    m.add_function(wrap_pyfunction!(catalog_resources, m)?)?;
    m.add_function(wrap_pyfunction!(enum_values, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::at_exit, m)?)?;
    m.add_function(wrap_pyfunction!(emulator::emulator_tokens, m)?)?;
    Ok(())
}
