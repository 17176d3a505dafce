//! The `sweep` subcommand's command line: signing in exactly as the provider does (the same
//! `ARM_*` and `ENTRA_*` environment variables), then one Graph call per step of the plan, one
//! line per object on stderr.

use super::{Deletion, Kind, Listed, Prefix};
use crate::graph::{GraphClient, GraphError};
use crate::provider::EntraProvider;

const USAGE: &str = "usage: terraform-provider-entra sweep --prefix PREFIX [--dry-run]

Deletes what acceptance tests left behind in a development tenant: every Conditional Access
policy, custom authentication strength, named location and authentication context whose display
name starts with PREFIX (case-sensitive, at least 4 characters, not only whitespace). Policies
go first, since they use the others; a trusted IP location is untrusted and a published
authentication context unpublished just before its delete. An object that a policy outside the
sweep still uses is left alone. Built-in authentication strengths are never touched, and PIM
settings of directory roles are not swept: they cannot be deleted, only changed.
With --dry-run, lists what would be deleted and changes nothing.
Signs in like the provider: ARM_TENANT_ID, ARM_CLIENT_ID and a credential (ARM_USE_OIDC,
ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_SECRET, ARM_USE_MSI, or the Azure CLI).
Exit status: 0 when everything that matched was deleted, 1 when anything failed, 2 for bad
arguments.";

#[derive(Debug, PartialEq)]
struct Options {
    prefix: Prefix,
    dry_run: bool,
}

/// Runs the command; the process exit code.
pub async fn main(args: &[String]) -> i32 {
    let options = match crate::command_line::options(parse(args), USAGE) {
        Ok(options) => options,
        Err(code) => return code,
    };
    match run(&options).await {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("sweep failed, nothing was deleted: {e}");
            1
        }
    }
}

/// The options, or `None` when help was asked for.
fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut prefix = None;
    let mut dry_run = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--dry-run" => {
                dry_run = true;
                continue;
            }
            // A missing value must not turn the next option (`--dry-run`) into the prefix.
            "--prefix" => it
                .next()
                .filter(|v| !v.starts_with("--"))
                .ok_or("--prefix needs a value")?,
            s if s.starts_with("--prefix=") => &s["--prefix=".len()..],
            other => return Err(format!("unknown argument {other:?}")),
        };
        if prefix.is_some() {
            return Err("--prefix is given twice".into());
        }
        prefix = Some(Prefix::new(value)?);
    }
    let prefix = prefix.ok_or("--prefix PREFIX is required")?;
    Ok(Some(Options { prefix, dry_run }))
}

/// Whether every matching object is gone (or, with `--dry-run`, could be deleted). Errors are
/// those before the first change: signing in and listing.
async fn run(options: &Options) -> Result<bool, String> {
    let provider = EntraProvider::from_environment().await?;
    let client = provider.connection().client().map_err(|d| d.to_string())?;
    // Everything is listed before anything is deleted: which objects may go depends on every
    // policy, including those that do not match.
    let listed = list(client).await.map_err(|e| e.to_string())?;
    let plan = super::plan(&listed, &options.prefix);
    let mut failed = 0;
    for d in &plan {
        let label = format!("{} {} {:?}", d.kind.noun(), d.id, d.name);
        if !d.used_by.is_empty() {
            eprintln!(
                "sweep: not deleting {label}: still used by policies outside the sweep: {}",
                d.used_by.join(", ")
            );
            failed += 1;
        } else if options.dry_run {
            eprintln!("sweep: would delete {label}");
        } else {
            match delete(client, d).await {
                Ok(Gone::Now) => eprintln!("sweep: deleted {label}"),
                Ok(Gone::Already) => eprintln!("sweep: deleted {label} (already gone)"),
                Err((doing, e)) => {
                    eprintln!("sweep: could not {doing} {label}: {e}");
                    failed += 1;
                }
            }
        }
    }
    let done = plan.len() - failed;
    let verb = if options.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    eprintln!(
        "sweep: {verb} {done} of {} objects whose display name starts with {:?}; {failed} failed",
        plan.len(),
        options.prefix.as_str()
    );
    Ok(failed == 0)
}

async fn list(client: &GraphClient) -> Result<Listed, GraphError> {
    async fn of<T: serde::de::DeserializeOwned>(
        client: &GraphClient,
        kind: Kind,
    ) -> Result<Vec<T>, GraphError> {
        let (api, path) = kind.collection();
        client.list(api, path).await
    }
    Ok(Listed {
        policies: of(client, Kind::Policy).await?,
        strengths: of(client, Kind::Strength).await?,
        locations: of(client, Kind::Location).await?,
        contexts: of(client, Kind::Context).await?,
    })
}

enum Gone {
    Now,
    /// Graph answered 404: deleted by someone else, or by an earlier, interrupted sweep.
    Already,
}

/// The PATCH the object needs, then its DELETE; on failure, which of the two failed.
async fn delete(client: &GraphClient, d: &Deletion) -> Result<Gone, (&'static str, GraphError)> {
    let (api, _) = d.kind.collection();
    let path = d.path();
    if let Some(prepare) = &d.prepare {
        match client.patch(api, &path, &prepare.body).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => return Ok(Gone::Already),
            Err(e) => return Err((prepare.doing, e)),
        }
    }
    match client.delete(api, &path).await {
        Ok(()) => Ok(Gone::Now),
        Err(e) if e.is_not_found() => Ok(Gone::Already),
        Err(e) => Err(("delete", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<Option<Options>, String> {
        parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    fn options(prefix: &str, dry_run: bool) -> Option<Options> {
        Some(Options {
            prefix: Prefix::new(prefix).unwrap(),
            dry_run,
        })
    }

    #[test]
    fn prefix_and_dry_run() {
        assert_eq!(
            parsed(&["--prefix", "tfacc-"]),
            Ok(options("tfacc-", false))
        );
        assert_eq!(
            parsed(&["--dry-run", "--prefix=tfacc-"]),
            Ok(options("tfacc-", true))
        );
        assert_eq!(
            parsed(&["--prefix", "tf acc ", "--dry-run"]),
            Ok(options("tf acc ", true))
        );
    }

    #[test]
    fn help_is_not_an_error() {
        assert_eq!(parsed(&["--help"]), Ok(None));
        assert_eq!(parsed(&["--prefix", "tfacc-", "-h"]), Ok(None));
    }

    #[test]
    fn bad_arguments_are_refused() {
        let refused = |args: &[&str], why: &str| {
            let e = parsed(args).unwrap_err();
            assert!(e.contains(why), "{args:?}: {e}");
        };
        refused(&[], "--prefix PREFIX is required");
        refused(&["--dry-run"], "--prefix PREFIX is required");
        refused(&["--prefix"], "--prefix needs a value");
        refused(&["--prefix", "--dry-run"], "--prefix needs a value");
        refused(&["--prefix", "abc"], "shorter than 4");
        refused(&["--prefix=    "], "only whitespace");
        refused(&["--prefix=tfacc-", "--prefix=other"], "given twice");
        refused(
            &["--prefix=tfacc-", "--force"],
            "unknown argument \"--force\"",
        );
    }
}
