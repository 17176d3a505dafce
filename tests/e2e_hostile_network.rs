//! A hostile network and a hostile pull request (issue 19): a login host or Graph that
//! redirects, echoes secrets, hands out absurd tokens, pages forever or answers without end,
//! and a provider block that points sign-in at a host of its choosing. The library tests drive
//! the Graph client against a scripted HTTPS server; the end-to-end ones run Terraform.

mod common;

use common::{terraform_binaries, Sim, Tf};
use serde_json::{json, Value as Json};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use terraform_provider_entra::graph::credentials::{self, AuthSettings};
use terraform_provider_entra::graph::{http, Api, GraphClient, GraphError};
use terraform_provider_entra::plugin::log;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

const TENANT: &str = "contoso.onmicrosoft.com";
const CLIENT_ID: &str = "11111111-1111-1111-1111-111111111111";
const CONTEXTS: &str = "/identity/conditionalAccess/authenticationContextClassReferences";

/// One request as the hostile server saw it.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    head: String,
    body: String,
}

impl Seen {
    fn is_token_request(&self) -> bool {
        self.path.ends_with("/oauth2/v2.0/token")
    }
}

/// An answer: the status line and headers, then a body written as given or `repeat` times.
struct Reply {
    head: String,
    body: Vec<u8>,
    repeat: usize,
}

fn reply(status: &str, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
    let body = body.into();
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    Reply {
        head,
        body,
        repeat: 1,
    }
}

fn json_reply(status: &str, body: Json) -> Reply {
    reply(
        status,
        &[("Content-Type", "application/json")],
        body.to_string(),
    )
}

fn token_reply(token: &str, expires_in: Json) -> Reply {
    json_reply(
        "200 OK",
        json!({"token_type": "Bearer", "expires_in": expires_in, "access_token": token}),
    )
}

/// A scripted HTTPS server (HTTP/1.1, one request per connection) trusted through its own CA.
struct Hostile {
    url: String,
    ca_pem: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Hostile {
        let tls = entra_graph_sim::tls::generate().unwrap();
        let mut config = (*tls.server_config).clone();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (handler, log) = (Arc::new(handler), seen.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        continue;
                    };
                    let (acceptor, handler, log) = (acceptor.clone(), handler.clone(), log.clone());
                    tokio::spawn(async move {
                        let Ok(mut conn) = acceptor.accept(tcp).await else {
                            return;
                        };
                        let Some(seen) = read_request(&mut conn).await else {
                            return;
                        };
                        log.lock().unwrap().push(seen.clone());
                        let r = handler(&seen);
                        if conn.write_all(r.head.as_bytes()).await.is_err()
                            || conn.write_all(b"\r\n").await.is_err()
                        {
                            return;
                        }
                        for _ in 0..r.repeat {
                            if conn.write_all(&r.body).await.is_err() {
                                return;
                            }
                        }
                        let _ = conn.shutdown().await;
                    });
                }
            });
        });
        Hostile {
            url,
            ca_pem: tls.ca_pem,
            seen,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_request(conn: &mut (impl AsyncReadExt + Unpin)) -> Option<Seen> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        let n = conn.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = conn.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let path = head.split(' ').nth(1).unwrap_or_default().to_string();
    Some(Seen {
        path,
        head,
        body: String::from_utf8_lossy(&data[head_end..]).to_string(),
    })
}

/// A plain-HTTP listener that only records what arrives: where a redirect to `http://` would
/// deliver the secret in clear text.
struct Trap {
    port: u16,
    got: Arc<Mutex<Vec<u8>>>,
}

impl Trap {
    fn start() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let sink = got.clone();
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                conn.set_read_timeout(Some(Duration::from_millis(500))).ok();
                let mut buf = [0u8; 4096];
                while let Ok(n) = conn.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock().unwrap().extend_from_slice(&buf[..n]);
                }
                let _ = conn.write_all(b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
            }
        });
        Trap { port, got }
    }

    fn received(&self) -> String {
        String::from_utf8_lossy(&self.got.lock().unwrap()).to_string()
    }
}

/// The Graph client as ConfigureProvider builds it, signing in with `secret` at `login` and
/// reading Graph at `graph`, trusting both servers' CAs.
fn client(login: &Hostile, graph: &Hostile, secret: &str) -> GraphClient {
    let pem = format!("{}\n{}", login.ca_pem, graph.ca_pem);
    let http = http::client_trusting(Some(pem.as_bytes()), Duration::from_secs(20)).unwrap();
    let settings = AuthSettings {
        tenant_id: TENANT.into(),
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(secret.into()),
        authority_host: login.url.clone(),
        ..Default::default()
    };
    for s in settings.secrets() {
        log::redact_also(s);
    }
    let (cred, _) = credentials::build(&settings, &http).unwrap();
    GraphClient::new(http, &graph.url, TENANT, cred, CancellationToken::new())
}

/// A server that signs in with `token` and answers Graph with `graph`.
fn login_and_graph(
    token: &'static str,
    graph: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
) -> Hostile {
    Hostile::start(move |r| {
        if r.is_token_request() {
            token_reply(token, json!(3599))
        } else {
            graph(r)
        }
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs a Graph call with a time limit: the failures these tests guard against hang or loop.
fn within<T>(limit: Duration, f: impl std::future::Future<Output = T>) -> T {
    runtime()
        .block_on(async { tokio::time::timeout(limit, f).await })
        .expect("the call should end promptly")
}

#[test]
fn sign_in_follows_no_redirect_and_the_secret_never_goes_out_in_clear_text() {
    let trap = Trap::start();
    let target = format!("http://127.0.0.1:{}/steal?client_secret=x", trap.port);
    let login = Hostile::start(move |_| {
        reply(
            "307 Temporary Redirect",
            &[("Location", target.as_str())],
            "",
        )
    });
    let c = client(&login, &login, "redirected-secret-0123456789");
    let err = within(Duration::from_secs(30), c.get::<Json>(Api::V1, CONTEXTS)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HTTP 307") && text.contains(&format!("http://127.0.0.1:{}", trap.port)),
        "{text}"
    );
    assert!(
        !text.contains("steal"),
        "the target's path and query: {text}"
    );
    assert!(
        trap.received().is_empty(),
        "the token request was re-sent in clear text:\n{}",
        trap.received()
    );
}

#[test]
fn graph_follows_no_redirect_to_another_origin() {
    let elsewhere = Hostile::start(|_| json_reply("200 OK", json!({"value": []})));
    let target = format!("{}/v1.0{CONTEXTS}?leak=1", elsewhere.url);
    let graph = login_and_graph("eyJredirect.token.value", move |_| {
        reply("302 Found", &[("Location", target.as_str())], "")
    });
    let c = client(&graph, &graph, "graph-redirect-secret-0123456789");
    let err = within(Duration::from_secs(30), c.get::<Json>(Api::V1, CONTEXTS)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HTTP 302") && text.contains(&elsewhere.url),
        "{text}"
    );
    assert!(!text.contains("leak"), "{text}");
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
    assert!(matches!(err, GraphError::Transport { .. }), "{err:?}");
}

#[test]
fn secrets_a_server_echoes_are_redacted_from_errors() {
    let secret = "echoed-client-secret+/0123456789";
    // The login host quotes the whole form it was sent, and the secret as written.
    let login = Hostile::start(move |r| {
        json_reply(
            "401 Unauthorized",
            json!({
                "error": "invalid_client",
                "error_description": format!("AADSTS7000215: bad secret {secret}; you sent {}", r.body),
                "error_codes": [7000215]
            }),
        )
    });
    let c = client(&login, &login, secret);
    let err = within(Duration::from_secs(30), c.get::<Json>(Api::V1, CONTEXTS)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("AADSTS7000215"), "{text}");
    assert!(
        !text.contains("echoed-client-secret"),
        "the secret was echoed: {text}"
    );

    // Graph quotes the bearer token back, in a JSON error and in an HTML gateway page.
    let token = "eyJechoed.bearer-token.0123456789";
    let graph = login_and_graph(token, |r| {
        let auth = r
            .head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization"))
            .unwrap_or_default()
            .to_string();
        if r.head.starts_with("GET") {
            json_reply(
                "400 Bad Request",
                json!({"error": {"code": "BadRequest", "message": format!("bad header {auth}")}}),
            )
        } else {
            reply(
                "502 Bad Gateway",
                &[("Content-Type", "text/html")],
                format!("<html><pre>{auth}</pre></html>"),
            )
        }
    });
    let c = client(&graph, &graph, "graph-echo-secret-0123456789");
    for err in within(Duration::from_secs(30), async {
        [
            c.get::<Json>(Api::V1, CONTEXTS).await.unwrap_err(),
            c.post::<Json>(Api::V1, CONTEXTS, &json!({}))
                .await
                .unwrap_err(),
        ]
    }) {
        let text = err.to_string();
        assert!(text.contains("Bearer"), "{text}");
        assert!(
            !text.contains("bearer-token"),
            "the token was echoed: {text}"
        );
    }
}

#[test]
fn an_absurd_token_lifetime_neither_crashes_nor_sticks() {
    let login = Hostile::start(|r| {
        if r.is_token_request() {
            token_reply("eyJlong.lived.token", json!(9_007_199_254_740_991u64))
        } else {
            json_reply("200 OK", json!({"id": "c1"}))
        }
    });
    let c = client(&login, &login, "lifetime-secret-0123456789");
    let got: Json = within(
        Duration::from_secs(30),
        c.get(Api::V1, &format!("{CONTEXTS}/c1")),
    )
    .unwrap();
    assert_eq!(got["id"], "c1");
}

#[test]
fn a_token_with_a_line_break_fails_at_once() {
    let login = Hostile::start(|r| {
        if r.is_token_request() {
            token_reply("eyJa.b\r\nX-Injected: 1", json!(3599))
        } else {
            json_reply("200 OK", json!({"id": "c1"}))
        }
    });
    let c = client(&login, &login, "linebreak-secret-0123456789");
    let started = Instant::now();
    let err = within(
        Duration::from_secs(20),
        c.get::<Json>(Api::V1, &format!("{CONTEXTS}/c1")),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("cannot be sent in an HTTP header"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        login.seen().iter().all(Seen::is_token_request),
        "no Graph request is sent with it"
    );
}

#[test]
fn a_next_link_loop_is_detected_and_endless_paging_is_capped() {
    // Page 2 leads back to page 1.
    let looping = Arc::new(Mutex::new(String::new()));
    let base = looping.clone();
    let graph = login_and_graph("eyJpaging.token.value", move |r| {
        let root = base.lock().unwrap().clone();
        let next = if r.path.contains("skiptoken") {
            format!("{root}/v1.0{CONTEXTS}")
        } else {
            format!("{root}/v1.0{CONTEXTS}?$skiptoken=2")
        };
        json_reply(
            "200 OK",
            json!({"value": [{"id": "c1"}], "@odata.nextLink": next}),
        )
    });
    *looping.lock().unwrap() = graph.url.clone();
    let c = client(&graph, &graph, "paging-secret-0123456789");
    let err = within(Duration::from_secs(30), c.list::<Json>(Api::V1, CONTEXTS)).unwrap_err();
    assert!(err.to_string().contains("page already read"), "{err}");
    assert_eq!(graph.seen().len(), 3, "a token and two pages");

    // Every page names a new next page.
    let endless = Arc::new(Mutex::new(String::new()));
    let base = endless.clone();
    let graph = login_and_graph("eyJpaging.token.value", move |r| {
        let page: u64 = r
            .path
            .rsplit_once("skiptoken=")
            .map_or(0, |(_, n)| n.parse().unwrap_or(0));
        let next = format!(
            "{}/v1.0{CONTEXTS}?$skiptoken={}",
            base.lock().unwrap(),
            page + 1
        );
        json_reply("200 OK", json!({"value": [], "@odata.nextLink": next}))
    });
    *endless.lock().unwrap() = graph.url.clone();
    let c = client(&graph, &graph, "paging-secret-0123456789");
    let err = within(Duration::from_secs(120), c.list::<Json>(Api::V1, CONTEXTS)).unwrap_err();
    assert!(err.to_string().contains("after 1000 pages"), "{err}");
}

#[test]
fn an_endless_answer_is_refused_once_past_the_cap() {
    // 320 MiB without a Content-Length: read until the connection closes, unless refused.
    let graph = login_and_graph("eyJhuge.token.value", |_| Reply {
        head: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n".into(),
        body: vec![b' '; 1024 * 1024],
        repeat: 320,
    });
    let c = client(&graph, &graph, "huge-secret-0123456789");
    let err = within(
        Duration::from_secs(60),
        c.get::<Json>(Api::V1, &format!("{CONTEXTS}/c1")),
    )
    .unwrap_err();
    assert!(err.to_string().contains("larger than 16 MiB"), "{err}");
    assert_eq!(
        graph.seen().len(),
        2,
        "a token and one read: the same answer is not asked for again"
    );

    // With a Content-Length that says so, nothing of it is read.
    let graph = login_and_graph("eyJhuge.token.value", |_| Reply {
        head: format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n",
            300u64 << 20
        ),
        body: Vec::new(),
        repeat: 0,
    });
    let c = client(&graph, &graph, "huge-secret-0123456789");
    let err = within(
        Duration::from_secs(30),
        c.get::<Json>(Api::V1, &format!("{CONTEXTS}/c1")),
    )
    .unwrap_err();
    assert!(err.to_string().contains("larger than 16 MiB"), "{err}");
}

/// Writes both servers' CAs into one file for `SSL_CERT_FILE`.
fn ca_file(dir: &std::path::Path, pems: &[&str]) -> String {
    let path = dir.join("ca.pem");
    std::fs::write(&path, pems.join("\n")).unwrap();
    path.to_str().unwrap().to_string()
}

const READ_C1: &str = r#"data "entra_authentication_context" "c1" { context_id = "c1" }"#;

#[test]
fn secrets_a_server_echoes_reach_neither_terraform_output_nor_the_provider_log() {
    let secret = "e2e-echoed-client-secret-0123456789";
    let token = "eyJe2e.echoed-bearer-token.0123456789";
    let graph = Hostile::start(move |r| {
        if r.is_token_request() {
            token_reply(token, json!(3599))
        } else {
            let auth = r
                .head
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("authorization"))
                .unwrap_or_default()
                .to_string();
            json_reply(
                "400 Bad Request",
                json!({"error": {"code": "BadRequest", "message": format!("{auth}; secret {secret}")}}),
            )
        }
    });
    let login = Hostile::start(move |r| {
        json_reply(
            "401 Unauthorized",
            json!({"error": "invalid_client", "error_description": format!("AADSTS7000215: {} {secret}", r.body)}),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    for bin in terraform_binaries() {
        for (login, what) in [(&graph, "Graph echoes"), (&login, "the login host echoes")] {
            let log_path = dir.path().join("tf.log");
            let _ = std::fs::remove_file(&log_path);
            let env: Vec<(String, String)> = [
                (
                    "SSL_CERT_FILE",
                    ca_file(dir.path(), &[&graph.ca_pem, &login.ca_pem]),
                ),
                ("ENTRA_GRAPH_ENDPOINT", graph.url.clone()),
                ("ENTRA_AUTHORITY_HOST", login.url.clone()),
                ("ARM_TENANT_ID", TENANT.into()),
                ("ARM_CLIENT_ID", CLIENT_ID.into()),
                ("ARM_CLIENT_SECRET", secret.into()),
                ("TF_LOG_PROVIDER", "TRACE".into()),
                ("TF_LOG_PATH", log_path.to_str().unwrap().into()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            let tf = Tf::new(&bin, env);
            tf.config(READ_C1);
            let r = tf.plan_code(&[]);
            assert_eq!(r.code, 1, "{what}: {}", r.text());
            let expected = if what == "Graph echoes" {
                "HTTP 400"
            } else {
                "AADSTS7000215"
            };
            assert!(r.text().contains(expected), "{what}: {}", r.text());
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            for (text, place) in [(r.text(), "output"), (log, "log")] {
                for needle in [secret, token, "echoed-bearer-token", "e2e-echoed-client"] {
                    assert!(
                        !text.contains(needle),
                        "{what}: {needle} in the {place} with {}:\n{text}",
                        bin.display()
                    );
                }
            }
        }
    }
}

#[test]
fn endpoints_in_the_provider_block_need_the_environments_consent() {
    let sim = Sim::start();
    sim.graph(
        "PATCH",
        &format!("/v1.0{CONTEXTS}/c1"),
        Some(json!({"displayName": "Tier 0"})),
    );
    let attacker = Hostile::start(|r| {
        if r.is_token_request() {
            token_reply("eyJattacker.token.value", json!(3599))
        } else {
            json_reply("200 OK", json!({"id": "c1", "displayName": "x"}))
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let cas = ca_file(
        dir.path(),
        &[
            &std::fs::read_to_string(&sim.info().ca_file).unwrap(),
            &attacker.ca_pem,
        ],
    );
    let env = |extra: &[(&str, &str)]| {
        let mut env: Vec<(String, String)> = sim
            .provider_env()
            .into_iter()
            .filter(|(k, _)| k != "SSL_CERT_FILE")
            .collect();
        env.push(("SSL_CERT_FILE".into(), cas.clone()));
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        env
    };
    let secret = sim.info().client_secret.clone();
    for bin in terraform_binaries() {
        for name in ["authority_host", "graph_endpoint"] {
            let tf = Tf::new(&bin, env(&[]));
            tf.raw_config(&format!(
                "{}\nprovider \"entra\" {{\n  {name} = \"{}\"\n}}\n{READ_C1}\n",
                common::PROVIDER_HEADER,
                attacker.url
            ));
            let r = tf.plan_code(&[]);
            assert_eq!(r.code, 1, "{name}: {}", r.text());
            assert!(
                r.flat().contains("ENTRA_ALLOWED_HOSTS"),
                "{name}: {}",
                r.text()
            );
            assert!(
                attacker.seen().is_empty(),
                "{name}: the pull request reached its host: {:?}",
                attacker.seen()
            );
        }
        // Listed by the environment, the simulator's own login host is honoured from the block.
        let host = url::Url::parse(&sim.info().authority_host).unwrap();
        let listed = format!("{}:{}", host.host_str().unwrap(), host.port().unwrap());
        let tf = Tf::new(&bin, env(&[("ENTRA_ALLOWED_HOSTS", &listed)]));
        tf.raw_config(&format!(
            "{}\nprovider \"entra\" {{\n  authority_host = \"{}\"\n}}\n{READ_C1}\n",
            common::PROVIDER_HEADER,
            sim.info().authority_host
        ));
        let r = tf.plan_code(&[]);
        assert_eq!(r.code, 0, "{}", r.text());
        assert!(!r.text().contains(&secret));
    }
}
