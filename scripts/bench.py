#!/usr/bin/env python3
"""Whole-tenant benchmark: prints a table of wall time, Graph requests, 429s and the provider's
peak memory for the operations a team runs every day, next to the floor Graph's API allows.

It builds the release provider and simulator, starts `entra-graph-sim --latency-ms 100
--ca-rate-limit 1` (Graph's real Conditional Access budget: one request per second per tenant,
429 without Retry-After beyond it), generates a full tenant configuration and runs real
Terraform against it. This is a measurement, never a test: it asserts nothing about timings.

    scripts/bench.py                  # full tenant (a few minutes: the rate limit is the floor)
    scripts/bench.py --small          # a tenth of it, to try the script
    scripts/bench.py --write-docs     # also record the table in docs/performance.md
"""

import argparse
import calendar
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LATENCY_MS = 100
CA_RATE = 1.0

# Built-in directory roles (graph-api.md section 7); their PIM settings are managed.
ROLES = [
    "62e90394-69f5-4237-9190-012177145e10", "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    "194ae4cb-b126-40b2-bd5b-6091b380977d", "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8", "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "4a5d8f65-41da-4de4-8968-e035b65339cf",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "5d6b6bb7-de71-4623-b4af-96380a352509",
    "158c047a-c907-4556-b7ef-446551a6b5f7", "3a2c62db-5318-420d-8d74-23affee5d9d5",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe", "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "cf1c38e5-3621-4004-a7cb-879624dced7c", "0526716b-113d-4c15-b2c8-68e3c22b9f80",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "9360feb5-f418-4baa-8175-e2a00bac4301",
    "fdd7a751-b60b-444a-984c-02652fe8fa1c", "966707d0-3269-4727-9be2-8c3a10f19b9d",
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
    "17315797-102d-40b4-93e0-432062caca18", "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a", "1d336d2c-4ae8-42ef-9711-b3604ce3fc2c",
]
GLASS = "6b1f0e2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"


def tenant(scale):
    """Object counts of the configuration: a full tenant, or a fraction of it."""
    full = {"policies": 195, "contexts": 99, "locations": 100, "strengths": 15, "roles": 30}
    return {k: max(1, round(v * scale)) for k, v in full.items()}


def named_locations_hcl(prefix, count):
    """`count` IP named locations `l0`.. of the provider whose types start with `prefix`."""
    return [f'resource "{prefix}_named_location" "l{i}" {{\n  display_name = "Office {i}"\n'
            f'  ip {{\n    ip_ranges = ["198.{i // 250}.{i % 250}.0/24"]\n  }}\n}}\n' for i in range(count)]


def strengths_hcl(prefix, count):
    """`count` custom authentication strengths `s0`.. (three kinds of combinations)."""
    return [f'resource "{prefix}_authentication_strength_policy" "s{i}" {{\n'
            f'  display_name         = "Strength {i}"\n'
            f'  allowed_combinations = ["fido2", "windowsHelloForBusiness", "password,{["sms", "voice", "softwareOath"][i % 3]}"]\n}}\n'
            for i in range(count)]


def configuration(n):
    """HCL for the tenant: every type, with policies that reference locations and contexts."""
    out = ['terraform {\n  required_providers {\n    entra = { source = "entra-iac/entra" }\n  }\n}\n',
           'provider "entra" {}\n']
    for i in range(1, n["contexts"] + 1):
        out.append(f'resource "entra_authentication_context" "c{i}" {{\n  context_id   = "c{i}"\n'
                   f'  display_name = "Context {i}"\n  is_available = true\n}}\n')
    out += named_locations_hcl("entra", n["locations"])
    out += strengths_hcl("entra", n["strengths"])
    for i in range(n["policies"]):
        kind = i % 3
        users = f'    users {{\n      included_users = ["All"]\n      excluded_users = ["{GLASS}"]\n    }}\n'
        if kind == 0:
            target = '    applications {\n      included_applications = ["All"]\n    }\n'
            extra = f'    locations {{\n      included_locations = ["All"]\n      excluded_locations = [entra_named_location.l{i % n["locations"]}.id]\n    }}\n'
            controls = '  grant_controls {\n    operator          = "OR"\n    built_in_controls = ["mfa"]\n  }\n'
        elif kind == 1:
            target = (f'    applications {{\n      included_authentication_context_class_references = '
                      f'[entra_authentication_context.c{i % n["contexts"] + 1}.context_id]\n    }}\n')
            extra = ""
            controls = '  session_controls {\n    sign_in_frequency_interval = "everyTime"\n  }\n'
        else:
            target = '    applications {\n      included_applications = ["Office365"]\n    }\n'
            extra = ""
            controls = '  grant_controls {\n    operator          = "OR"\n    built_in_controls = ["compliantDevice", "mfa"]\n  }\n'
        out.append(f'resource "entra_conditional_access_policy" "p{i}" {{\n'
                   f'  display_name = "CA{i:03}-Benchmark"\n  state        = "enabledForReportingButNotEnforced"\n'
                   f'  conditions {{\n    client_app_types = ["all"]\n{target}{users}{extra}  }}\n{controls}}}\n')
    for i, role in enumerate(ROLES[: n["roles"]]):
        out.append(f'resource "entra_role_management_policy" "r{i}" {{\n  role_definition_id = "{role}"\n'
                   f'  activation_rules {{\n    maximum_duration      = "PT4H"\n    require_justification = true\n  }}\n}}\n')
    return "\n".join(out)


def floors(n):
    """The fewest Graph requests each operation can take, and the time they need at the
    configured latency and CA rate. Writes: one per object (a PIM role needs one rule PATCH
    here). Reads: one listing per type (five types). CA policies and named locations share the
    rate limit, so their requests are at least one second apart; everything else overlaps."""
    writes = sum(n.values())
    ca_family_writes = n["policies"] + n["locations"]
    listings, ca_family_listings = 5, 2
    latency = LATENCY_MS / 1000
    return {
        "apply from empty": (writes, max(ca_family_writes - 1, 0) / CA_RATE + latency),
        "plan, no change": (listings, max(ca_family_listings - 1, 0) / CA_RATE + latency),
        "plan -refresh-only": (listings, max(ca_family_listings - 1, 0) / CA_RATE + latency),
        "change one policy": (listings + 1, ca_family_listings / CA_RATE + latency),
    }


def start_simulator():
    sim = subprocess.Popen([os.path.join(ROOT, "target/release/entra-graph-sim"), "--latency-ms", str(LATENCY_MS),
                            "--ca-rate-limit", str(CA_RATE)], stdout=subprocess.PIPE, text=True)
    info = json.loads(sim.stdout.readline())
    return sim, info


def stats(info, reset=False):
    ctx = ssl.create_default_context(cafile=info["ca_file"])
    url = info["graph_endpoint"] + ("/_sim/stats/reset" if reset else "/_sim/stats")
    req = urllib.request.Request(url, method="POST" if reset else "GET")
    with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
        return None if reset else json.load(r)


def provider_wrapper(work):
    """dev_overrides points at this directory: a wrapper that runs the real provider with debug
    logs (its RPC timings) going to a file, and records per provider process its start and end,
    CPU time and peak resident memory (getrusage of the child), one JSON line each."""
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir)
    os.makedirs(os.path.join(work, "logs"))
    wrapper = os.path.join(bindir, "terraform-provider-entra")
    with open(wrapper, "w") as f:
        f.write(f"""#!/usr/bin/env python3
import json, os, resource, subprocess, sys, time
log = os.path.join({os.path.join(work, "logs")!r}, str(os.getpid()) + ".log")
start = time.time()
with open(log, "w") as err:
    p = subprocess.run([{os.path.join(ROOT, "target/release/terraform-provider-entra")!r}] + sys.argv[1:],
                       env=dict(os.environ, TF_LOG_PROVIDER="debug"), stderr=err)
end = time.time()
use = resource.getrusage(resource.RUSAGE_CHILDREN)
with open({os.path.join(work, "processes.log")!r}, "a") as out:
    out.write(json.dumps({{"start": start, "end": end, "log": log, "rss_kib": use.ru_maxrss,
                          "cpu": use.ru_utime + use.ru_stime}}) + "\\n")
sys.exit(p.returncode)
""")
    os.chmod(wrapper, 0o755)
    return bindir


def unix_seconds(stamp):
    """hclog's `2026-11-23T09:00:00.123456Z` as seconds since the epoch."""
    day, clock = stamp.rstrip("Z").split("T")
    whole, _, frac = clock.partition(".")
    t = time.strptime(f"{day}T{whole}", "%Y-%m-%dT%H:%M:%S")
    return calendar.timegm(t) + float("0." + (frac or "0"))


def provider_figures(work):
    """For the provider processes since the last call: the time Terraform spent waiting on the
    provider (the union of every process's start-up until its first RPC and of all RPC spans,
    Graph's latency included), their CPU time, peak memory and slowest GetProviderSchema."""
    path = os.path.join(work, "processes.log")
    if not os.path.exists(path):
        return {"busy": 0.0, "cpu": 0.0, "rss": 0.0, "schema_ms": 0.0}
    with open(path) as f:
        procs = [json.loads(line) for line in f if line.strip()]
    os.remove(path)
    spans, schema_ms = [], 0.0
    for proc in procs:
        rpcs = []
        with open(proc["log"]) as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("@message") != "rpc":
                    continue
                end = unix_seconds(entry["@timestamp"])
                elapsed = int(entry["elapsed_us"]) / 1e6
                rpcs.append((end - elapsed, end))
                if entry.get("method") == "GetProviderSchema":
                    schema_ms = max(schema_ms, elapsed * 1000)
        os.remove(proc["log"])
        first = min((a for a, _ in rpcs), default=proc["end"])
        spans.append((proc["start"], first))
        spans.extend(rpcs)
    busy, reach = 0.0, None
    for a, b in sorted(spans):
        if reach is None or a > reach:
            busy += b - a
            reach = b
        elif b > reach:
            busy += b - reach
            reach = b
    return {"busy": busy, "cpu": sum(p["cpu"] for p in procs),
            "rss": max(p["rss_kib"] for p in procs) / 1024, "schema_ms": schema_ms}


def run(work, env, args, expect):
    started = time.monotonic()
    p = subprocess.run(["terraform"] + args, cwd=work, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if p.returncode not in expect:
        sys.stderr.write(p.stdout[-4000:] + p.stderr[-4000:])
        raise SystemExit(f"terraform {' '.join(args)} exited {p.returncode}")
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="a tenth of a tenant")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--write-docs", action="store_true", help="record the table in docs/performance.md")
    ap.add_argument("--breakdown", action="store_true", help="also print the requests per Graph route")
    opts = ap.parse_args()
    n = tenant(0.1 if opts.small else 1.0)
    if not opts.skip_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--workspace", "--bins"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="entra-bench-")
    sim, info = start_simulator()
    try:
        bindir = provider_wrapper(work)
        with open(os.path.join(work, "cli.tfrc"), "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n'
                    f'    "registry.terraform.io/entra-iac/entra" = "{bindir}"\n  }}\n  direct {{}}\n}}\n')
        with open(os.path.join(work, "main.tf"), "w") as f:
            f.write(configuration(n))
        env = dict(os.environ, TF_CLI_CONFIG_FILE=os.path.join(work, "cli.tfrc"), CHECKPOINT_DISABLE="1",
                   TF_IN_AUTOMATION="1", SSL_CERT_FILE=info["ca_file"], ENTRA_GRAPH_ENDPOINT=info["graph_endpoint"],
                   ENTRA_AUTHORITY_HOST=info["authority_host"], ARM_TENANT_ID=info["tenant_id"],
                   ARM_CLIENT_ID=info["client_id"], ARM_CLIENT_SECRET=info["client_secret"])
        steps = [
            ("apply from empty", ["apply", "-auto-approve", "-input=false"], {0}),
            ("plan, no change", ["plan", "-detailed-exitcode", "-input=false"], {0}),
            ("plan -refresh-only", ["plan", "-refresh-only", "-detailed-exitcode", "-input=false"], {0}),
            ("change one policy", ["apply", "-auto-approve", "-input=false"], {0}),
        ]
        floor = floors(n)
        rows = []
        for name, args, expect in steps:
            if name == "change one policy":
                with open(os.path.join(work, "main.tf")) as f:
                    text = f.read().replace('"CA000-Benchmark"', '"CA000-Benchmark-renamed"')
                with open(os.path.join(work, "main.tf"), "w") as f:
                    f.write(text)
            stats(info, reset=True)
            provider_figures(work)
            seconds = run(work, env, args, expect)
            s = stats(info)
            if opts.breakdown:
                print(f"{name}:", file=sys.stderr)
                for route, count in sorted(s["requests"].items(), key=lambda kv: -kv[1]):
                    print(f"  {count:5}  {route}", file=sys.stderr)
            req_floor, time_floor = floor[name]
            rows.append((name, seconds, time_floor, s["total"], req_floor, s.get("throttled", 0),
                         provider_figures(work)))
    finally:
        sim.terminate()
        sim.wait()
        shutil.rmtree(work, ignore_errors=True)
    objects = ", ".join(f"{v} {k}" for k, v in n.items())
    header = (f"Tenant: {objects}. Simulator: {LATENCY_MS} ms latency per Graph request, Conditional Access "
              f"budget {CA_RATE:g} request/s. Terraform parallelism 10.\n\n"
              "| operation | wall time (s) | floor (s) | ratio | Graph requests | floor | ratio | 429s "
              "| provider busy (s) | provider CPU (s) | provider peak RSS (MiB) |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|\n")
    lines = [f"| {name} | {t:.1f} | {tf:.1f} | {t / tf:.2f} | {r} | {rf} | {r / rf:.2f} | {thr} "
             f"| {p['busy']:.1f} | {p['cpu']:.1f} | {p['rss']:.1f} |"
             for name, t, tf, r, rf, thr, p in rows]
    schema_ms = max(p["schema_ms"] for *_, p in rows)
    lines.append(f"\nSlowest GetProviderSchema answer: {schema_ms:.1f} ms. \"Provider busy\" is the time "
                 "Terraform waited on a provider process: its start-up and every RPC it served, Graph's "
                 "answers included.")
    table = header + "\n".join(lines) + "\n"
    print(table)
    if opts.write_docs:
        with open(os.path.join(ROOT, "docs/performance.md"), "w") as f:
            f.write("# Performance\n\nMeasured with `scripts/bench.py` (see its header for what it does) on the "
                    "project's 2-core machine. Floors are the fewest Graph requests the API allows for each "
                    "operation and the time those take at the simulator's latency and the Conditional Access "
                    "rate limit; the wall time includes Terraform itself and one provider process per "
                    "Terraform phase.\n\n" + table)


if __name__ == "__main__":
    main()
