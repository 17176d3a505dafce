//! The provider binary Terraform starts. Everything interesting lives in the library; this
//! wires the pieces together in the order the plugin protocol needs.

use std::sync::Arc;
use terraform_provider_entra::plugin::{handshake, log, serve, server};
use terraform_provider_entra::provider::EntraProvider;
use terraform_provider_entra::{export, sweep};
use tokio_util::sync::CancellationToken;

fn main() {
    log::install_panic_hook();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("export") => std::process::exit(command(export::main(&args[1..]))),
        Some("sweep") => std::process::exit(command(sweep::main(&args[1..]))),
        _ => {}
    }
    let debug = std::env::args()
        .skip(1)
        .any(|a| a == "--debug" || a == "-debug");
    if !debug {
        if let Err(e) = handshake::check_magic_cookie_env() {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(async {
        // rustls needs one process-wide crypto provider; aws-lc-rs also verifies the P-521
        // certificate Terraform presents.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let shutdown = CancellationToken::new();
        let routes = server::routes(Arc::new(EntraProvider::default()), shutdown.clone());
        if debug {
            serve::serve_debug(routes, shutdown).await
        } else {
            serve::serve(routes, shutdown).await
        }
    });
    // Do not wait for lingering tasks (an idle stdio stream, a cancelled request): Terraform
    // kills a provider that has not exited two seconds after asking it to.
    runtime.shutdown_background();
    if let Err(e) = result {
        log::error(
            "provider stopped with an error",
            &[("error", &format!("{e:#}"))],
        );
        eprintln!("[ERROR] {e:#}");
        std::process::exit(1);
    }
}

/// Runs a subcommand a person starts (`export`, `sweep`), not Terraform: its exit code.
fn command(main: impl std::future::Future<Output = i32>) -> i32 {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(main),
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            1
        }
    }
}
