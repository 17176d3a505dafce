//! Our own thin layer over Terraform's plugin protocol (tfplugin6 over go-plugin's gRPC
//! transport). It has no Entra knowledge: resources plug in through the traits in `resource`.

pub mod codec;
pub mod diag;
pub mod goplugin;
pub mod handshake;
pub mod log;
pub mod plan;
pub mod proto;
pub mod resource;
pub mod schema;
pub mod serve;
pub mod server;
pub mod timeouts;
mod timing;
pub mod tls;
pub mod value;
