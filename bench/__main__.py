"""`make bench`: generate a municipality, serve the app and the floor under gunicorn,
drive every page with concurrent clients and print a table (README "Ytelse")."""

import argparse
import sys

from bench.run import main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--logs", type=int, default=10_000, help="logs in the municipality (the rest scales)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=10, help="seconds per page (and as long for its floor)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--pages", default="", help="comma-separated page keys to run (default: all)")
    parser.add_argument("--regenerate", action="store_true", help="build the database again even if it exists")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of the load: N requests per page in-process under cProfile",
    )
    parser.add_argument("--no-plans", action="store_true", help="skip the PostgreSQL query plans")
    parser.add_argument(
        "--postgres-url",
        default="postgresql://stafett:stafett@127.0.0.1:5432/postgres",
        help="a server database the role may CREATE DATABASE from (PostgreSQL only)",
    )
    sys.exit(main(parser.parse_args()))
