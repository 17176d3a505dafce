//! The go-plugin handshake as Terraform drives it: the environment Terraform hands the provider,
//! the private directory holding the unix socket, and the single stdout line announcing it.
//!
//! Everything here is pure or touches only the filesystem, so it can be tested without a
//! Terraform process; `serve` wires it to the real environment and stdout.

use std::ffi::OsString;
use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
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
const SOCKET_DIR_KEY: &str = "PLUGIN_UNIX_SOCKET_DIR";

/// File name of the socket inside its private directory; short because `sun_path` is only
/// 104-108 bytes and macOS temp dirs are already long.
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
    pub socket_dir: Option<PathBuf>,
}

impl HandshakeConfig {
    /// Reads the variables Terraform sets and checks that it offers protocol 6.
    pub fn from_env() -> Result<Self> {
        negotiate_protocol_version(std::env::var(PROTOCOL_VERSIONS_KEY).ok().as_deref())?;
        Ok(Self {
            client_cert_pem: std::env::var(CLIENT_CERT_KEY)
                .ok()
                .filter(|s| !s.is_empty()),
            socket_dir: socket_dir_from_env(),
        })
    }
}

/// `PLUGIN_UNIX_SOCKET_DIR`, if set and non-empty.
pub fn socket_dir_from_env() -> Option<PathBuf> {
    std::env::var_os(SOCKET_DIR_KEY)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

/// The line Terraform reads from stdout:
/// `CORE|APP|NETWORK|ADDRESS|PROTOCOL|SERVERCERT`. The certificate is DER in base64 *without*
/// padding (Go's `RawStdEncoding`); plaintext servers leave the last field empty.
pub fn handshake_line(socket_path: &Path, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!(
        "1|{PROTOCOL_VERSION}|unix|{}|grpc|{cert}",
        socket_path.display()
    )
}

/// A fresh mode-0700 directory holding the socket, so other local users cannot even reach the
/// socket whatever TLS does. Dropping it removes the socket and the directory.
#[derive(Debug)]
pub struct SocketDir {
    dir: PathBuf,
    socket_path: PathBuf,
}

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

impl Drop for SocketDir {
    fn drop(&mut self) {
        // Best effort: the socket may never have been bound, and nobody is left to tell.
        let _ = fs::remove_file(&self.socket_path);
        let _ = fs::remove_dir(&self.dir);
    }
}

/// `mkdir` with mode 0700 and a random name, retrying on the (unlikely) name clash. `mkdir`
/// fails if the name exists, so an attacker cannot pre-create it for us.
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
        let path = Path::new("/tmp/plugin-1/plugin.sock");
        assert_eq!(
            handshake_line(path, None),
            "1|6|unix|/tmp/plugin-1/plugin.sock|grpc|"
        );
        // One byte encodes to 2 characters unpadded ("AQ"), 4 padded ("AQ==").
        assert_eq!(
            handshake_line(path, Some(&[1])),
            "1|6|unix|/tmp/plugin-1/plugin.sock|grpc|AQ"
        );
    }

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
