"""`python -m wallboard.simulator`: the QueueMetrics simulator from the command line."""

from __future__ import annotations

import argparse

from wallboard.simulator import DEFAULT_HOST, DEFAULT_PORT, run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m wallboard.simulator",
        description="A QueueMetrics look-alike; API under http://HOST:PORT/queuemetrics/",
    )
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--queues", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second"
    )
    args = parser.parse_args(argv)
    print(
        f"QueueMetrics simulator on http://{args.host}:{args.port}/queuemetrics/ "
        f"(robot/robot, demosupervisor/demo); control API under /sim/"
    )
    run(args.host, args.port, args.agents, args.queues, args.seed, args.speed)


if __name__ == "__main__":
    main()
