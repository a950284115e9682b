"""Benchmark: what checking one password costs at sign-in.

Prints the CPU milliseconds (and wall milliseconds) per verify for the portal's password
hash (PASSWORD_HASH_METHOD, werkzeug's scrypt by default) and, for comparison, for
werkzeug's PBKDF2 default. Every sign-in pays this once, a wrong email included (it is
checked against a dummy hash so that both cost the same).

    .venv/bin/python bench/login_hash.py
    .venv/bin/python bench/login_hash.py --runs 50 --method scrypt:32768:8:1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def measure(method: str, runs: int) -> tuple[float, float]:
    """Median CPU and wall milliseconds of one successful verify."""
    stored = generate_password_hash("correct-horse-battery", method=method)
    cpu, wall = [], []
    for _ in range(runs):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        assert check_password_hash(stored, "correct-horse-battery")
        cpu.append((time.process_time() - cpu_start) * 1000)
        wall.append((time.perf_counter() - wall_start) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    from portal import create_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--method", help="a werkzeug hash method (default: the portal's)")
    args = parser.parse_args()
    configured = create_app({"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config[
        "PASSWORD_HASH_METHOD"
    ]
    methods = [args.method] if args.method else [configured, "pbkdf2"]
    print(f"{'method':<24} {'CPU ms/verify':>14} {'wall ms/verify':>15}")
    for method in methods:
        cpu, wall = measure(method, args.runs)
        note = "  (the portal's)" if method == configured else ""
        print(f"{method:<24} {cpu:>14.1f} {wall:>15.1f}{note}")


if __name__ == "__main__":
    main()
