"""Page fetching throughput: pages per second against a loopback site that adds latency.

Starts a real HTTP server on 127.0.0.1 (tests/newssite.py) that waits ``--latency`` seconds
before answering each request (100 ms by default, a distant news site), publishes ``--pages``
article pages, and fetches them all with newsflow's PageFetcher (robots.txt, limits and all)
with 1 connection and with N, on one host (``per_host_concurrency`` = N) and spread over
four hosts (``concurrency`` = N, ``per_host_concurrency`` = N / 4).
Prints pages/s and the speed-up over one connection.

Usage: nice python bench/fetch.py [--pages 80] [--latency 0.1] [--connections 1 4 8 16]
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import ExitStack
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from newsflow.ingest.fetch import FetchPolicy, PageFetcher  # noqa: E402
from tests.newssite import NewsSite  # noqa: E402

TEXT = "Paragraph {n} of a loopback article, long enough to look like one. " * 12


def run(urls: list[str], concurrency: int, per_host: int) -> tuple[float, int]:
    """Pages per second and pages fetched for one policy."""
    policy = FetchPolicy(
        allow_private_addresses=True, concurrency=concurrency, per_host_concurrency=per_host, per_host_delay_s=0.0
    )
    fetcher = PageFetcher(policy)
    started = time.perf_counter()
    results = fetcher.fetch_many(urls)
    elapsed = time.perf_counter() - started
    return len(urls) / elapsed, sum(r.ok for r in results.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=80)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4, 8, 16])
    args = parser.parse_args()
    with ExitStack() as stack:
        sites = [stack.enter_context(NewsSite(latency_s=args.latency)) for _ in range(4)]
        one_host, four_hosts = [], []
        for n in range(args.pages):
            for index, site in enumerate(sites):
                site.add_article(f"/news/{n}.html", f"Story {n}", "\n\n".join(TEXT.format(n=p) for p in range(4)))
                if index == 0:
                    one_host.append(f"{site.url}/news/{n}.html")
            four_hosts.append(f"{sites[n % 4].url}/news/{n}.html")
        print(f"{args.pages} pages, {args.latency * 1000:.0f} ms added per request (robots.txt included)")
        print(f"{'connections':>12}{'one host p/s':>14}{'speed-up':>10}{'4 hosts p/s':>13}{'speed-up':>10}")
        base_one = base_four = None
        for connections in args.connections:
            speed_one, ok_one = run(one_host, connections, connections)
            speed_four, ok_four = run(four_hosts, connections, max(connections // 4, 1))
            assert ok_one == ok_four == args.pages, "every page must be fetched"
            base_one, base_four = base_one or speed_one, base_four or speed_four
            print(
                f"{connections:>12}{speed_one:>14.1f}{speed_one / base_one:>9.1f}x"
                f"{speed_four:>13.1f}{speed_four / base_four:>9.1f}x"
            )


if __name__ == "__main__":
    main()
