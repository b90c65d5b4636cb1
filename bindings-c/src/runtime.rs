//! The one tokio runtime every blocking call of the C ABI runs on.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{EnterGuard, Handle, Runtime};

use crate::fail::Fail;
use crate::status::GHPKG_RUNTIME;

fn runtime() -> Result<&'static Runtime, Fail> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("ghpkg-runtime")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Fail::abi(GHPKG_RUNTIME, format!("cannot start ghpkg's runtime: {e}")))
}

/// Runs `fut` to completion on the shared runtime, blocking the calling
/// thread. Many threads may block at once. From inside an async runtime
/// this is a `GHPKG_RUNTIME` failure instead of tokio's panic.
pub(crate) fn block_on<F: Future>(fut: F) -> Result<F::Output, Fail> {
    if Handle::try_current().is_ok() {
        return Err(Fail::abi(
            GHPKG_RUNTIME,
            "a blocking ghpkg call was made from inside an async runtime; \
             call it from a plain thread (e.g. tokio's spawn_blocking)",
        ));
    }
    Ok(runtime()?.block_on(fut))
}

/// Runs `fut` on the shared runtime in the background. Does not block, so
/// it may be called from anywhere.
pub(crate) fn spawn<F>(fut: F) -> Result<(), Fail>
where
    F: Future<Output = ()> + Send + 'static,
{
    drop(runtime()?.spawn(fut));
    Ok(())
}

/// Enters the shared runtime's context, so that dropping I/O resources
/// (a listing with requests in flight) finds the reactor. `None` if the
/// runtime could not start, in which case nothing was ever in flight.
pub(crate) fn enter() -> Option<EnterGuard<'static>> {
    runtime().ok().map(Runtime::enter)
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;
    use std::ptr;

    use ghpkg_emulator::{Emulator, Fixture, DEMO_TOKEN};

    use crate::client::{
        ghpkg_client, ghpkg_client_free, ghpkg_client_new, ghpkg_client_options_default,
    };
    use crate::enums::{GHPKG_OWNER_ORG, GHPKG_PACKAGE_TYPE_CONTAINER};
    use crate::models::{ghpkg_package, ghpkg_package_free, ghpkg_package_id};
    use crate::ops::ghpkg_client_get_package;
    use crate::status::{ghpkg_status, GHPKG_OK, GHPKG_RUNTIME};

    fn get(client: *const ghpkg_client) -> (ghpkg_status, *mut ghpkg_package) {
        let mut pkg = ptr::null_mut();
        let status = ghpkg_client_get_package(
            client,
            GHPKG_OWNER_ORG,
            c"acme".as_ptr(),
            GHPKG_PACKAGE_TYPE_CONTAINER,
            c"api/server".as_ptr(),
            &mut pkg,
            ptr::null_mut(),
        );
        (status, pkg)
    }

    #[test]
    fn blocking_calls_work_outside_and_fail_inside_a_runtime() {
        let emu = Emulator::builder()
            .fixture(Fixture::demo())
            .start_blocking()
            .unwrap();
        let url = CString::new(emu.url()).unwrap();
        let token = CString::new(DEMO_TOKEN).unwrap();
        let mut opts = ghpkg_client_options_default();
        opts.base_url = url.as_ptr();
        opts.token = token.as_ptr();
        let mut client = ptr::null_mut();
        assert_eq!(
            ghpkg_client_new(&opts, &mut client, ptr::null_mut()),
            GHPKG_OK
        );

        let (status, pkg) = get(client);
        assert_eq!(status, GHPKG_OK);
        assert_eq!(ghpkg_package_id(pkg), 2001);
        ghpkg_package_free(pkg);

        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (status, pkg) = rt.block_on(async { get(client) });
        assert_eq!(status, GHPKG_RUNTIME);
        assert!(pkg.is_null());
        ghpkg_client_free(client);
    }
}
