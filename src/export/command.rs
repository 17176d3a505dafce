//! The `export` subcommand's command line: where to write, signing in exactly as the provider
//! does (the same `ARM_*` and `ENTRA_*` environment variables), progress on stderr.

use crate::provider::EntraProvider;
use crate::resources::graph_errors::ToDiagnostics;
use std::path::PathBuf;

const USAGE: &str = "usage: terraform-provider-entra export --out DIR

Reads the tenant's Conditional Access policies, authentication contexts, named locations,
custom authentication strengths and changed PIM settings of directory roles, and writes them to
DIR as Terraform configuration with import blocks (Terraform 1.5+). Signs in like the provider:
ARM_TENANT_ID, ARM_CLIENT_ID and a credential (ARM_USE_OIDC, ARM_CLIENT_CERTIFICATE_PATH,
ARM_CLIENT_SECRET, ARM_USE_MSI, or the Azure CLI). Existing files in DIR are never overwritten.
Then: cd DIR && terraform init && terraform plan (only imports) && terraform apply.";

/// Runs the command; the process exit code.
pub async fn main(args: &[String]) -> i32 {
    let out = match crate::command_line::options(parse(args), USAGE) {
        Ok(out) => out,
        Err(code) => return code,
    };
    match run(&out).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("export failed: {e}");
            1
        }
    }
}

fn parse(args: &[String]) -> Result<Option<PathBuf>, String> {
    let mut out = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--out" => out = Some(it.next().ok_or("--out needs a directory")?.into()),
            s if s.starts_with("--out=") => out = Some(s["--out=".len()..].into()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    out.map(Some)
        .ok_or_else(|| "--out DIR is required".to_string())
}

async fn run(out: &PathBuf) -> Result<(), String> {
    let provider = EntraProvider::from_environment().await?;
    let client = provider.connection().client().map_err(|d| d.to_string())?;
    let progress = |line: &str| eprintln!("export: {line}");
    let tenant = super::read(client, &progress)
        .await
        .map_err(|e| e.to_diagnostics("read the tenant").to_string())?;
    let export = super::generate(&tenant);
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    if let Some(existing) = export.files.keys().find(|f| out.join(f).exists()) {
        return Err(format!(
            "{} already exists; export into an empty directory",
            out.join(existing).display()
        ));
    }
    for (name, text) in &export.files {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    eprintln!(
        "export: wrote {} files to {}: {}.\nexport: next: cd {} && terraform init && terraform plan (it should show only imports), then terraform apply.",
        export.files.len(),
        out.display(),
        export.summary.join(", "),
        out.display()
    );
    Ok(())
}
