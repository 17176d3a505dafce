//! `entra-graph-sim` binary: start the simulator, print exactly one JSON line with the
//! connection details, serve until killed (SIGINT/SIGTERM clean up the CA file).

use entra_graph_sim::{SimOptions, SimSecrets, Simulator};
use std::io::Write;
use std::path::PathBuf;

const USAGE: &str = "\
entra-graph-sim: a fake Microsoft Graph + Entra token endpoint over HTTPS on 127.0.0.1

USAGE: entra-graph-sim [OPTIONS]

OPTIONS:
  --port N                 TCP port (0 = any free port) [default: 0]
  --latency-ms N           latency added to each Graph request [default: 0]
  --ca-rate-limit RPS      shared Conditional Access + named locations budget per tenant;
                           beyond it 429 without Retry-After [default: off]
  --fault-rate P           0..1: probability of a fault on a Graph request, picked evenly
                           among 429 with Retry-After: 1, 429 without Retry-After, 503,
                           connection reset, for writes (POST/PATCH/DELETE) commit-then-reset
                           (stored, then the connection is reset), and slow (see below);
                           inner $batch requests get only 429/503 [default: 0]
  --slow-fault-ms N        adds \"slow\" to the --fault-rate mix: the request is carried out
                           and the answer held back N ms, so a client timing out sooner gives
                           up on a request that did happen; 0 = off [default: 0]
  --consistency-lag-ms N   freshly created objects answer 404 on GET for this long [default: 0]
  --time-scale F           0 < F <= 1: run Graph's clock faster for tests; the consistency lag,
                           slow answers and the rate limit's window are multiplied by F; start
                           the provider with ENTRA_TIME_SCALE=F so its waits match [default: 1]
  --seed DIR               load objects from corpus-style folders (auth-contexts/, ca-policies/,
                           named-locations/, auth-strengths/, ...)
  --oidc-request-token T   bearer token /_sim/oidc/token requires (GitHub's
                           ACTIONS_ID_TOKEN_REQUEST_TOKEN) [default: random, not printed]
  --msi-identity-header S  X-IDENTITY-HEADER value /_sim/msi/token requires (App Service's
                           IDENTITY_HEADER) [default: random, not printed]
  -h, --help               print this help

Scripted faults (deterministic, before the random ones), for tests driving the binary:
  POST   /_sim/faults     a rule or an array of rules:
                          {\"method\":\"POST\",\"path_prefix\":\"/identity/conditionalAccess/policies\",
                           \"kind\":\"slow\",\"count\":2,\"delay_ms\":5000}
                          only kind is required (count 1, method and path any; delay_ms is
                          for slow only: default --slow-fault-ms, else 10000); path_prefix is
                          after /v1.0 or /beta; the first matching rule fires and its count
                          goes down. Rules needing a connection (reset, commit_then_reset,
                          slow) or a raw body (html, empty_body, truncated_json) skip inner
                          $batch requests. kinds: throttle,
                          throttle_no_retry_after, unavailable, reset (before processing);
                          commit_then_reset, slow, html, empty_body, truncated_json,
                          extra_fields, unknown_enum (after processing: writes are stored)
  GET    /_sim/faults     the rules still pending
  DELETE /_sim/faults     drop them all
  GET    /_sim/stats      request counts, 429s sent, injected faults by kind

On start prints one JSON line to stdout:
  {\"graph_endpoint\":...,\"authority_host\":...,\"ca_file\":...,\"tenant_id\":...,\"client_id\":...,\"client_secret\":...}
";

fn parse_args() -> Result<(SimOptions, SimSecrets), String> {
    let mut opts = SimOptions::default();
    let mut secrets = SimSecrets::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            print!("{USAGE}");
            std::process::exit(0);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let bad = |v: &str| format!("invalid value '{v}' for {flag}");
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                opts.port = v.parse().map_err(|_| bad(&v))?;
            }
            "--latency-ms" => {
                let v = value()?;
                opts.latency_ms = v.parse().map_err(|_| bad(&v))?;
            }
            "--ca-rate-limit" => {
                let v = value()?;
                let r: f64 = v.parse().map_err(|_| bad(&v))?;
                if r.is_nan() || r <= 0.0 {
                    return Err(bad(&v));
                }
                opts.ca_rate_limit = Some(r);
            }
            "--fault-rate" => {
                let v = value()?;
                let p: f64 = v.parse().map_err(|_| bad(&v))?;
                if !(0.0..=1.0).contains(&p) {
                    return Err(bad(&v));
                }
                opts.fault_rate = p;
            }
            "--slow-fault-ms" => {
                let v = value()?;
                opts.slow_fault_ms = v.parse().map_err(|_| bad(&v))?;
            }
            "--consistency-lag-ms" => {
                let v = value()?;
                opts.consistency_lag_ms = v.parse().map_err(|_| bad(&v))?;
            }
            "--time-scale" => {
                let v = value()?;
                let f: f64 = v.parse().map_err(|_| bad(&v))?;
                if !(f > 0.0 && f <= 1.0) {
                    return Err(bad(&v));
                }
                opts.time_scale = Some(f);
            }
            "--seed" => opts.seed_dir = Some(PathBuf::from(value()?)),
            "--oidc-request-token" => secrets.oidc_request_token = Some(value()?),
            "--msi-identity-header" => secrets.msi_identity_header = Some(value()?),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok((opts, secrets))
}

#[tokio::main]
async fn main() {
    let (opts, secrets) = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let sim = match Simulator::start_with_secrets(opts, secrets).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    };
    {
        let line = serde_json::to_string(sim.info()).expect("SimInfo serializes");
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
    wait_for_signal().await;
    sim.shutdown().await;
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("installing SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
