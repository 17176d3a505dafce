//! Generates the gRPC server (and test client) code for Terraform's plugin protocol.
//!
//! The `.proto` files are parsed by `protox`, a pure-Rust compiler, so a fresh machine needs no
//! `protoc` binary. Every RPC gets a default "unimplemented" stub: Terraform tolerates that for
//! the RPCs a provider does not offer, and it lets us track the newest released protocol file.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = [
        "proto/tfplugin6.proto",
        "proto/plugin/grpc_controller.proto",
        "proto/plugin/grpc_stdio.proto",
        "proto/plugin/grpc_broker.proto",
    ];
    for p in &protos {
        println!("cargo:rerun-if-changed={p}");
    }
    let fds = protox::compile(protos, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .generate_default_stubs(true)
        .compile_fds(fds)?;
    Ok(())
}
