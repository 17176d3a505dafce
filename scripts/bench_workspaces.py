#!/usr/bin/env python3
"""Parallel workspaces benchmark: N Terraform root modules of one tenant, applied side by side
on one machine, as Terragrunt's run-all or parallel CI jobs on one runner do. Each workspace
holds 10 named locations and 10 Conditional Access policies, all in the Conditional Access
request budget (one request per second per tenant, 429 without Retry-After beyond it). Prints
the 429s Graph (the simulator) answered and the wall time against the floor the budget allows:
every budgeted request the run made, one second apart. A measurement, never a test.

    scripts/bench_workspaces.py                 # 10 workspaces (about four minutes)
    scripts/bench_workspaces.py --workspaces 3  # a quicker look
    scripts/bench_workspaces.py --write-docs    # also record the table in docs/performance.md
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import CA_RATE, LATENCY_MS, ROOT, start_simulator, stats  # noqa: E402

PER_WORKSPACE = 10


def configuration(w):
    out = ['terraform {\n  required_providers {\n    entra = { source = "entra-iac/entra" }\n  }\n}\n',
           'provider "entra" {}\n']
    for i in range(PER_WORKSPACE):
        out.append(f'resource "entra_named_location" "l{i}" {{\n  display_name = "W{w:02} office {i}"\n'
                   f'  ip {{\n    ip_ranges = ["10.{w}.{i}.0/24"]\n  }}\n}}\n')
        out.append(f'resource "entra_conditional_access_policy" "p{i}" {{\n'
                   f'  display_name = "CA-W{w:02}-{i:02}"\n  state        = "disabled"\n'
                   '  conditions {\n    client_app_types = ["all"]\n'
                   '    applications {\n      included_applications = ["All"]\n    }\n'
                   '    users {\n      included_users = ["None"]\n    }\n'
                   f'    locations {{\n      included_locations = [entra_named_location.l{i}.id]\n    }}\n'
                   '  }\n  grant_controls {\n    operator          = "OR"\n    built_in_controls = ["mfa"]\n  }\n}\n')
    return "".join(out)


def budgeted(route):
    return re.search(r"/identity/conditionalAccess/(policies|namedLocations)", route) is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspaces", type=int, default=10)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--write-docs", action="store_true", help="record the table in docs/performance.md")
    opts = ap.parse_args()
    if not opts.skip_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--workspace", "--bins"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="entra-bench-ws-")
    budget_dir = tempfile.mkdtemp(prefix="entra-bench-tmp-")
    sim, info = start_simulator()
    try:
        bindir = os.path.join(ROOT, "target/release")
        cli = os.path.join(work, "cli.tfrc")
        with open(cli, "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n'
                    f'    "registry.terraform.io/entra-iac/entra" = "{bindir}"\n  }}\n  direct {{}}\n}}\n')
        # TMPDIR: a budget directory of this run's own, so no earlier run's slots count.
        env = dict(os.environ, TF_CLI_CONFIG_FILE=cli, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1",
                   TMPDIR=budget_dir, SSL_CERT_FILE=info["ca_file"], ENTRA_GRAPH_ENDPOINT=info["graph_endpoint"],
                   ENTRA_AUTHORITY_HOST=info["authority_host"], ARM_TENANT_ID=info["tenant_id"],
                   ARM_CLIENT_ID=info["client_id"], ARM_CLIENT_SECRET=info["client_secret"])
        dirs = []
        for w in range(opts.workspaces):
            d = os.path.join(work, f"w{w:02}")
            os.makedirs(d)
            with open(os.path.join(d, "main.tf"), "w") as f:
                f.write(configuration(w))
            dirs.append(d)
        stats(info, reset=True)

        def apply(d):
            p = subprocess.run(["terraform", "apply", "-auto-approve", "-input=false", "-no-color"], cwd=d,
                               env=env, capture_output=True, text=True)
            if p.returncode != 0:
                sys.stderr.write(p.stdout[-3000:] + p.stderr[-3000:])
            return p.returncode

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=opts.workspaces) as pool:
            codes = list(pool.map(apply, dirs))
        wall = time.monotonic() - started
        s = stats(info)
    finally:
        sim.terminate()
        sim.wait()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(budget_dir, ignore_errors=True)
    if any(codes):
        raise SystemExit(f"{sum(1 for c in codes if c)} of {len(codes)} applies failed")
    in_budget = sum(n for route, n in s["requests"].items() if budgeted(route))
    floor = max(in_budget - 1, 0) / CA_RATE + LATENCY_MS / 1000
    table = ("| workspaces | objects | Graph requests | in the CA budget | 429s | wall time (s) | floor (s) "
             "| ratio |\n|---|---|---|---|---|---|---|---|\n"
             f"| {opts.workspaces} | {opts.workspaces * PER_WORKSPACE * 2} | {s['total']} | {in_budget} "
             f"| {s.get('throttled', 0)} | {wall:.1f} | {floor:.1f} | {wall / floor:.2f} |\n")
    print(table)
    if opts.write_docs:
        path = os.path.join(ROOT, "docs/performance.md")
        with open(path) as f:
            text = f.read()
        heading = "## Workspaces side by side"
        section = (f"{heading}\n\nMeasured with `scripts/bench_workspaces.py`: {opts.workspaces} root modules of "
                   f"one tenant ({PER_WORKSPACE} named locations and {PER_WORKSPACE} policies each) applied at the same "
                   f"time on this machine, simulator at {LATENCY_MS} ms latency and {CA_RATE:g} request/s. The floor "
                   "is every request the run made in the Conditional Access budget, one second apart.\n\n" + table)
        text = text.split(heading)[0].rstrip() + "\n\n" + section
        with open(path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
