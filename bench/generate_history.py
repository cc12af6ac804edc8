#!/usr/bin/env python3
"""Writes a realistic Gantry history into an SQLite file that already has the
project's schema (run `gantry migrate` on it first), and a matching list of
allocation queries.

  generate_history.py DB QUERIES [--jobs 100000] [--packages 2000] [--seed 6]

History: jobs spread over packages with a Zipf-like skew (a few packages have
thousands of builds, most have a handful), each package with a few versions,
compilers and variant configurations mixing cheap variants (+shared, ~debug,
build_system=..., patches=a,b) and the expensive ones the predictor keys on
(cuda, mpi, rocm, ...). 70% of jobs are on `develop`, the rest on PR refs.
About 5% of jobs finish in the same second as an earlier build of the same
package, so ties in `end` are common, as they are in CI.

Queries (one URL path per line, for wrk; beside them QUERIES.batch-1000.json and
QUERIES.batch-10000.json, the same specs as bodies for POST /v1/allocations): exact
matches, partial matches (an unseen version or compiler version), expensive-variant
fallbacks (cheap variants nobody built) and unknown packages.
"""
import argparse
import json
import random
import sqlite3
import sys
import urllib.parse

EXPENSIVE = ["sycl", "mpi", "rocm", "cuda", "python", "fortran", "openmp", "hdf5"]
CHEAP_BOOLS = ["shared", "pic", "debug", "ipo", "static", "tests", "docs", "lto", "threads", "zlib"]
BUILD_SYSTEMS = ["cmake", "autotools", "makefile", "python_pip", "meson"]
COMPILERS = [("gcc", "11.4.0"), ("gcc", "12.3.0"), ("gcc", "13.2.0"), ("clang", "16.0.6"),
             ("oneapi", "2024.0.0"), ("nvhpc", "23.11")]
ARCHES = ["linux-ubuntu22.04-x86_64_v3", "linux-ubuntu22.04-neoverse_v1", "linux-amzn2-x86_64_v4"]
STACKS = ["e4s", "e4s-cuda", "e4s-rocm", "ml-linux-x86_64-cpu", "data-vis-sdk"]
START = 1_700_000_000


def package_names(n, rng):
    heads = ["py-torch", "llvm", "gcc", "paraview", "trilinos", "petsc", "hdf5", "openmpi", "cmake", "boost",
             "vtk-m", "kokkos", "hypre", "mfem", "py-tensorflow", "py-jax", "rust", "qt", "mesa", "openblas"]
    syll = ["ar", "bo", "ce", "da", "el", "fi", "go", "hu", "io", "ka", "lu", "mo", "ne", "or", "pi", "ra",
            "si", "tu", "ve", "xa", "zo"]
    names, seen = [], set()
    for h in heads[:n]:
        names.append(h)
        seen.add(h)
    while len(names) < n:
        name = "".join(rng.choice(syll) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.3:
            name = "py-" + name
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def variant_configs(rng):
    """A package's variant configurations, each an ordered list of (name, value)."""
    bools = rng.sample(CHEAP_BOOLS, rng.randint(1, 5))
    expensive = rng.sample(EXPENSIVE, rng.choice([0, 0, 1, 1, 2, 3]))
    has_build_system = rng.random() < 0.8
    has_patches = rng.random() < 0.1
    configs = []
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 6])):
        items = []
        names = sorted(bools + expensive)  # Spack prints boolean variants sorted
        for name in names:
            items.append((name, rng.random() < 0.5))
        if has_build_system:
            items.append(("build_system", rng.choice(BUILD_SYSTEMS)))
        if "cuda" in expensive and dict(items)["cuda"]:
            items.append(("cuda_arch", rng.choice(["70", "80", "90"])))
        if "rocm" in expensive and dict(items)["rocm"]:
            items.append(("amdgpu_target", rng.choice(["gfx90a", "gfx942"])))
        if has_patches:
            items.append(("patches", ["0a1b2c", "3d4e5f"]))
        if items not in configs:
            configs.append(items)
    return configs


def variants_json(items):
    return json.dumps(dict(items))


def variants_spec(items):
    """The spec's variant text that parses back to the same ordered dict."""
    flags = "".join(("+" if v else "~") + k for k, v in items if isinstance(v, bool))
    pairs = " ".join(k + "=" + (",".join(v) if isinstance(v, list) else v) for k, v in items if not isinstance(v, bool))
    return " ".join(p for p in (flags, pairs) if p)


def spec(name, version, items, arch, compiler, compiler_version):
    return f"{name}@{version} {variants_spec(items)} arch={arch}%{compiler}@{compiler_version}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db")
    ap.add_argument("queries")
    ap.add_argument("--jobs", type=int, default=100_000)
    ap.add_argument("--packages", type=int, default=2_000)
    ap.add_argument("--query-count", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    names = package_names(args.packages, rng)
    packages = []
    for name in names:
        versions = [f"{rng.randint(0, 12)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}" for _ in range(rng.randint(1, 5))]
        compilers = rng.sample(COMPILERS, rng.randint(1, 3))
        packages.append({
            "name": name,
            "versions": sorted(set(versions)),
            "compilers": compilers,
            "configs": variant_configs(rng),
            "cpu": rng.lognormvariate(0.5, 1.0),
            "mem": rng.lognormvariate(21, 1.2),
            "arch": rng.choice(ARCHES),
            "stack": rng.choice(STACKS),
        })
    # Zipf-like skew: package i is built about 1/(i+1) as often as the most popular one
    weights = [1.0 / (i + 1) for i in range(len(packages))]

    db = sqlite3.connect(args.db)
    if db.execute("SELECT count(*) FROM sqlite_master WHERE name='jobs'").fetchone()[0] != 1:
        sys.exit(f"{args.db} has no jobs table: run `gantry migrate` on it first")
    if db.execute("SELECT count(*) FROM jobs").fetchone()[0] != 0:
        sys.exit(f"{args.db} already holds jobs")
    nodes = [(i + 1, f"uuid-{i:04d}", f"ip-10-0-{i // 256}-{i % 256}.ec2.internal", 32.0, 128e9, "amd64", "linux",
              "m5.8xlarge") for i in range(50)]
    db.executemany("INSERT INTO nodes VALUES (?,?,?,?,?,?,?,?)", nodes)

    chosen = rng.choices(range(len(packages)), weights=weights, k=args.jobs)
    last_end = {}
    rows = []
    develop_rows = []
    t = START
    for i, p_index in enumerate(chosen):
        p = packages[p_index]
        t += rng.randint(0, 600)
        end = t
        if p_index in last_end and rng.random() < 0.05:
            end = last_end[p_index]  # same second as an earlier build: a tie in ORDER BY end
        last_end[p_index] = end
        start = end - rng.randint(60, 7200)
        version = rng.choice(p["versions"])
        compiler, compiler_version = rng.choice(p["compilers"])
        items = rng.choice(p["configs"])
        ref = "develop" if rng.random() < 0.7 else f"pr{rng.randint(40000, 49999)}_{rng.choice(['fix', 'feature', 'bump'])}"
        cpu_mean = p["cpu"] * rng.uniform(0.7, 1.3)
        mem_mean = p["mem"] * rng.uniform(0.7, 1.3)
        row = (i + 1, f"runner-{i:07d}-project-2-concurrent-0", rng.randint(1, 50), start, end, 100_000_000 + i,
               "success", ref, p["name"], version, variants_json(items), compiler, compiler_version, p["arch"],
               p["stack"], 16, 2.0, None, cpu_mean, cpu_mean * 0.95, cpu_mean * 1.6, cpu_mean * 0.2, cpu_mean * 0.3,
               4e9, 16e9, mem_mean, mem_mean * 0.97, mem_mean * 1.5, mem_mean * 0.1, mem_mean * 0.25)
        rows.append(row)
        if ref == "develop":
            develop_rows.append((p, version, items, compiler, compiler_version))
    db.executemany("INSERT INTO jobs VALUES (" + ",".join("?" * 30) + ")", rows)
    db.commit()
    db.close()

    by_package = {}
    for row in develop_rows:
        by_package.setdefault(row[0]["name"], []).append(row)
    package_rows = list(by_package.values())
    queries = []
    specs = []
    for _ in range(args.query_count):
        r = rng.random()
        # half as a pipeline asks (each package alike), half weighted by how often packages are built
        if rng.random() < 0.5:
            p, version, items, compiler, compiler_version = rng.choice(rng.choice(package_rows))
        else:
            p, version, items, compiler, compiler_version = rng.choice(develop_rows)
        arch = p["arch"]
        if r < 0.40:  # exact: a build that happened
            s = spec(p["name"], version, items, arch, compiler, compiler_version)
        elif r < 0.55:  # partial: a version nobody built on develop
            s = spec(p["name"], version + ".1", items, arch, compiler, compiler_version)
        elif r < 0.65:  # partial: another compiler version
            s = spec(p["name"], version, items, arch, compiler, compiler_version + "-rc1")
        elif r < 0.85:  # expensive-variant fallback: cheap variants nobody built
            changed = [(k, (not v) if k in CHEAP_BOOLS and isinstance(v, bool) else v) for k, v in items]
            changed.append(("new_cheap_variant", "on"))
            s = spec(p["name"], version, changed, arch, compiler, compiler_version)
        else:  # unknown package
            # (no invalid specs: each refusal is a WARN line in the log, which would be measured instead)
            s = spec(p["name"] + "-unknown", version, items, arch, compiler, compiler_version)
        specs.append(s)
        queries.append("/v1/allocation?spec=" + urllib.parse.quote(s, safe=""))
    with open(args.queries, "w") as f:
        f.write("\n".join(queries) + "\n")
    # bodies for POST /v1/allocations: the first 1,000 and 10,000 specs of the same list
    for n in (1_000, 10_000):
        with open(f"{args.queries}.batch-{n}.json", "w") as f:
            json.dump(specs[:n], f)
    print(f"wrote {len(rows)} jobs ({len(develop_rows)} on develop) over {len(packages)} packages to {args.db},"
          f" {len(queries)} queries to {args.queries}")


if __name__ == "__main__":
    main()
