//! The go-plugin handshake as Terraform drives it: the environment Terraform hands the provider,
//! the private directory holding the unix socket (TCP on Windows), and the single stdout line
//! announcing it.
//!
//! Everything here is pure or touches only the filesystem, so it can be tested without a
//! Terraform process; `serve` wires it to the real environment and stdout.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
// The socket directory: unix only, as go-plugin listens on TCP on Windows.
#[cfg(unix)]
use std::{
    ffi::OsString,
    fs::{self, DirBuilder},
    io,
    os::unix::fs::{DirBuilderExt, PermissionsExt},
    path::Path,
};

use anyhow::{bail, Context as _, Result};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;

/// Terraform sets this variable to [`MAGIC_COOKIE_VALUE`] when it starts a provider.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Fixed forever by Terraform (`internal/plugin6/serve.go`).
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// The only plugin protocol we speak: tfplugin6.
pub const PROTOCOL_VERSION: u32 = 6;

const PROTOCOL_VERSIONS_KEY: &str = "PLUGIN_PROTOCOL_VERSIONS";
const CLIENT_CERT_KEY: &str = "PLUGIN_CLIENT_CERT";
#[cfg(unix)]
const SOCKET_DIR_KEY: &str = "PLUGIN_UNIX_SOCKET_DIR";
const MIN_PORT_KEY: &str = "PLUGIN_MIN_PORT";
const MAX_PORT_KEY: &str = "PLUGIN_MAX_PORT";

/// File name of the socket inside its private directory; short because `sun_path` is only
/// 104-108 bytes and macOS temp dirs are already long.
#[cfg(unix)]
const SOCKET_FILE_NAME: &str = "plugin.sock";

/// The binary was started by hand rather than by Terraform. Its `Display` is the explanation to
/// print on stderr before exiting with status 1, as go-plugin servers do.
#[derive(Debug, thiserror::Error)]
#[error(
    "This binary is a plugin for Terraform (and OpenTofu). It is not meant to be executed \
     directly: run terraform instead, which starts the provider itself. To debug the provider, \
     start it with --debug. See the README."
)]
pub struct NotLaunchedByTerraform;

/// Checks the magic cookie in this process's environment.
pub fn check_magic_cookie_env() -> Result<(), NotLaunchedByTerraform> {
    check_magic_cookie(std::env::var(MAGIC_COOKIE_KEY).ok().as_deref())
}

/// Checks a magic cookie value (`None` when the variable is unset).
pub fn check_magic_cookie(value: Option<&str>) -> Result<(), NotLaunchedByTerraform> {
    match value {
        Some(MAGIC_COOKIE_VALUE) => Ok(()),
        _ => Err(NotLaunchedByTerraform),
    }
}

/// Picks protocol 6 from `PLUGIN_PROTOCOL_VERSIONS` (a comma list in random order, e.g. `5,6` or
/// `6,5`). Absent or blank means an old client that did not negotiate: assume 6, as go-plugin does.
pub fn negotiate_protocol_version(offered: Option<&str>) -> Result<u32> {
    let Some(offered) = offered.filter(|s| !s.trim().is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    // Entries that are not numbers are skipped, like go-plugin does; they cannot be 6 anyway.
    let speaks_ours = offered
        .split(',')
        .filter_map(|v| v.trim().parse::<u32>().ok())
        .any(|v| v == PROTOCOL_VERSION);
    if !speaks_ours {
        bail!(
            "Terraform offered plugin protocol versions {offered:?}, but this provider only speaks \
             protocol {PROTOCOL_VERSION}; use Terraform 1.0 or later"
        );
    }
    Ok(PROTOCOL_VERSION)
}

/// What the handshake needs from the environment, passed explicitly so tests need not touch the
/// process environment.
#[derive(Clone, Debug, Default)]
pub struct HandshakeConfig {
    /// PEM from `PLUGIN_CLIENT_CERT`: the certificate Terraform will present (AutoMTLS). `None`
    /// means serve plaintext (`TF_DISABLE_PLUGIN_TLS=1`).
    pub client_cert_pem: Option<String>,
    /// Parent for the socket's private directory (`PLUGIN_UNIX_SOCKET_DIR`); `None` means the
    /// system temp dir.
    #[cfg(unix)]
    pub socket_dir: Option<PathBuf>,
    /// The ports to try on 127.0.0.1 (`PLUGIN_MIN_PORT`, `PLUGIN_MAX_PORT`).
    #[cfg(windows)]
    pub ports: PortRange,
}

impl HandshakeConfig {
    /// Reads the variables Terraform sets and checks that it offers protocol 6.
    pub fn from_env() -> Result<Self> {
        negotiate_protocol_version(std::env::var(PROTOCOL_VERSIONS_KEY).ok().as_deref())?;
        Ok(Self {
            client_cert_pem: std::env::var(CLIENT_CERT_KEY)
                .ok()
                .filter(|s| !s.is_empty()),
            #[cfg(unix)]
            socket_dir: socket_dir_from_env(),
            #[cfg(windows)]
            ports: PortRange::from_env()?,
        })
    }
}

/// `PLUGIN_UNIX_SOCKET_DIR`, if set and non-empty.
#[cfg(unix)]
pub fn socket_dir_from_env() -> Option<PathBuf> {
    std::env::var_os(SOCKET_DIR_KEY)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

/// The ports a TCP listener tries on 127.0.0.1, in order, from `PLUGIN_MIN_PORT` and
/// `PLUGIN_MAX_PORT` (Terraform sets 10000 and 25000). As in go-plugin, an unset bound is 0, so
/// with neither set the system picks a free port. Only Windows listens on TCP, but this is pure
/// and so is tested everywhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortRange {
    /// The lowest port to try; 0 lets the system pick.
    pub min: u16,
    /// The highest port to try.
    pub max: u16,
}

impl PortRange {
    /// Reads `PLUGIN_MIN_PORT` and `PLUGIN_MAX_PORT`.
    pub fn from_env() -> Result<Self> {
        let var = |key| std::env::var(key).ok();
        Self::parse(var(MIN_PORT_KEY).as_deref(), var(MAX_PORT_KEY).as_deref())
    }

    /// The range from the two variables' values (`None` when unset); refused, as go-plugin
    /// does, when a value is not a number or the bounds are the wrong way round.
    pub fn parse(min: Option<&str>, max: Option<&str>) -> Result<Self> {
        let range = Self {
            min: parse_port(MIN_PORT_KEY, min)?,
            max: parse_port(MAX_PORT_KEY, max)?,
        };
        if range.min > range.max {
            bail!(
                "{MIN_PORT_KEY} ({}) is greater than {MAX_PORT_KEY} ({})",
                range.min,
                range.max
            );
        }
        Ok(range)
    }
}

fn parse_port(key: &str, value: Option<&str>) -> Result<u16> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(0),
        Some(v) => v
            .parse()
            .with_context(|| format!("{key} is not a port number: {v:?}")),
    }
}

/// Where the provider listens, as go-plugin announces it: a unix socket everywhere but Windows,
/// TCP on 127.0.0.1 there. Terraform connects to either.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PluginAddr {
    /// The socket's path.
    Unix(PathBuf),
    /// An address on 127.0.0.1.
    Tcp(SocketAddr),
}

impl PluginAddr {
    /// The network as go-plugin names it.
    pub fn network(&self) -> &'static str {
        match self {
            Self::Unix(_) => "unix",
            Self::Tcp(_) => "tcp",
        }
    }
}

/// The address as go-plugin writes it: the socket's path, or `127.0.0.1:PORT`.
impl fmt::Display for PluginAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => path.display().fmt(f),
            Self::Tcp(addr) => addr.fmt(f),
        }
    }
}

/// The line Terraform reads from stdout:
/// `CORE|APP|NETWORK|ADDRESS|PROTOCOL|SERVERCERT`. The certificate is DER in base64 *without*
/// padding (Go's `RawStdEncoding`); plaintext servers leave the last field empty.
pub fn handshake_line(addr: &PluginAddr, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    let network = addr.network();
    format!("1|{PROTOCOL_VERSION}|{network}|{addr}|grpc|{cert}")
}

/// A fresh mode-0700 directory holding the socket, so other local users cannot even reach the
/// socket whatever TLS does. Dropping it removes the socket and the directory.
#[cfg(unix)]
#[derive(Debug)]
pub struct SocketDir {
    dir: PathBuf,
    socket_path: PathBuf,
}

#[cfg(unix)]
impl SocketDir {
    /// Creates `plugin-<random>` under `parent` (or the system temp dir).
    pub fn create(parent: Option<&Path>) -> io::Result<Self> {
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let dir = create_private_dir(&parent)?;
        Ok(Self {
            socket_path: dir.join(SOCKET_FILE_NAME),
            dir,
        })
    }

    /// Where to bind the listener.
    pub fn socket_path(&self) -> &Path {
        &self.socket_path
    }
}

#[cfg(unix)]
impl Drop for SocketDir {
    fn drop(&mut self) {
        // Best effort: the socket may never have been bound, and nobody is left to tell.
        let _ = fs::remove_file(&self.socket_path);
        let _ = fs::remove_dir(&self.dir);
    }
}

/// `mkdir` with mode 0700 and a random name, retrying on the (unlikely) name clash. `mkdir`
/// fails if the name exists, so an attacker cannot pre-create it for us.
#[cfg(unix)]
fn create_private_dir(parent: &Path) -> io::Result<PathBuf> {
    const ATTEMPTS: usize = 16;
    for _ in 0..ATTEMPTS {
        let dir = parent.join(random_dir_name());
        match DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {
                // The umask can only remove bits; reassert 0700 in case it removed ours.
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
                return Ok(dir);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "could not create a fresh socket directory in {}",
            parent.display()
        ),
    ))
}

#[cfg(unix)]
fn random_dir_name() -> OsString {
    format!("plugin-{:016x}", rand::random::<u64>()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_must_match_exactly() {
        assert!(check_magic_cookie(Some(MAGIC_COOKIE_VALUE)).is_ok());
        assert!(check_magic_cookie(None).is_err());
        assert!(check_magic_cookie(Some("")).is_err());
        assert!(check_magic_cookie(Some(&MAGIC_COOKIE_VALUE[1..])).is_err());
        let message = NotLaunchedByTerraform.to_string();
        assert!(message.starts_with("This binary is a plugin for Terraform"));
        assert!(message.contains("run terraform instead"));
    }

    #[test]
    fn versions_in_any_order_pick_6() {
        for offered in ["5,6", "6,5", "6", " 5 , 6 ", "4,x,6"] {
            assert_eq!(negotiate_protocol_version(Some(offered)).unwrap(), 6);
        }
    }

    #[test]
    fn absent_versions_assume_6() {
        assert_eq!(negotiate_protocol_version(None).unwrap(), 6);
        assert_eq!(negotiate_protocol_version(Some("")).unwrap(), 6);
    }

    #[test]
    fn versions_without_6_are_refused() {
        for offered in ["5", "4,5", "7", "56", "x"] {
            let err = negotiate_protocol_version(Some(offered)).unwrap_err();
            assert!(err.to_string().contains("only speaks protocol 6"), "{err}");
        }
    }

    #[test]
    fn handshake_line_shapes() {
        let path = PluginAddr::Unix("/tmp/plugin-1/plugin.sock".into());
        assert_eq!(
            handshake_line(&path, None),
            "1|6|unix|/tmp/plugin-1/plugin.sock|grpc|"
        );
        // One byte encodes to 2 characters unpadded ("AQ"), 4 padded ("AQ==").
        assert_eq!(
            handshake_line(&path, Some(&[1])),
            "1|6|unix|/tmp/plugin-1/plugin.sock|grpc|AQ"
        );
        // Windows, as go-plugin prints it there.
        let tcp = PluginAddr::Tcp("127.0.0.1:10000".parse().unwrap());
        assert_eq!(
            handshake_line(&tcp, Some(&[1])),
            "1|6|tcp|127.0.0.1:10000|grpc|AQ"
        );
    }

    #[test]
    fn port_range_follows_go_plugin() {
        let range = |min, max| PortRange::parse(min, max).map(|r| (r.min, r.max));
        assert_eq!(range(Some("10000"), Some("25000")).unwrap(), (10000, 25000));
        // Unset or empty is 0: any free port.
        assert_eq!(range(None, None).unwrap(), (0, 0));
        assert_eq!(range(Some(""), Some("")).unwrap(), (0, 0));
        assert_eq!(range(None, Some("25000")).unwrap(), (0, 25000));
        assert_eq!(range(Some("10000"), Some("10000")).unwrap(), (10000, 10000));
        for (min, max) in [(Some("x"), None), (None, Some("70000")), (Some("-1"), None)] {
            assert!(range(min, max).is_err(), "{min:?} {max:?}");
        }
        let err = range(Some("25000"), Some("10000")).unwrap_err();
        assert!(
            err.to_string().contains("greater than PLUGIN_MAX_PORT"),
            "{err}"
        );
        // A lone minimum is above the maximum that defaults to 0, as in go-plugin.
        assert!(range(Some("10000"), None).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn socket_dir_is_private_and_removed_on_drop() {
        let parent = tempfile::tempdir().unwrap();
        let socket_dir = SocketDir::create(Some(parent.path())).unwrap();
        let dir = socket_dir.socket_path().parent().unwrap().to_path_buf();
        assert_eq!(dir.parent().unwrap(), parent.path());
        let mode = fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        fs::write(socket_dir.socket_path(), b"").unwrap();
        drop(socket_dir);
        assert!(!dir.exists());
    }
}
