//! Gives `libghpkg.so` a versioned soname on Linux, so programs linked
//! against one release load a compatible one: `libghpkg.so.MAJOR`, or
//! `libghpkg.so.0.MINOR` while the major version is 0 (where a minor
//! release may break the ABI).

fn main() {
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    let minor = env!("CARGO_PKG_VERSION_MINOR");
    let soname = if major == "0" {
        format!("libghpkg.so.0.{minor}")
    } else {
        format!("libghpkg.so.{major}")
    };
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
