"""Command line of the benchmarks: ``python -m benchmarks quality|speed``."""

import argparse
import os
import sys


def _parser():
    from ._common import DEFAULT_DATA_HOME, DEFAULT_OUT

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Benchmarks of WeightedMultiLabelClassifier; each writes a Markdown "
            "table and PNG plots into --out."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)

    quality = commands.add_parser(
        "quality", help="macro- and micro-F1 on the official test splits"
    )
    speed = commands.add_parser(
        "speed", help="predict latency, fit time, threshold search and memory"
    )
    for command in (quality, speed):
        command.add_argument(
            "--data",
            default=str(DEFAULT_DATA_HOME),
            help="folder of the shared data sets (default: ../shared/data "
            "beside the checkout)",
        )
        command.add_argument(
            "--out",
            default=str(DEFAULT_OUT),
            help="folder the tables and plots are written to "
            "(default: benchmarks/results)",
        )
        command.add_argument(
            "--quick",
            action="store_true",
            help="tiny sizes, to check that the benchmark runs (not for figures); "
            "quality runs the grid search on every data set then",
        )
        command.add_argument(
            "--quiet", action="store_true", help="print nothing while running"
        )

    from .quality import DATASETS, ESTIMATOR_KEYS

    quality.add_argument(
        "--datasets",
        nargs="+",
        default=list(DATASETS),
        metavar="NAME",
        help=f"data sets to run, among {', '.join(DATASETS)} (default: all)",
    )
    quality.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=[0, 1, 2],
        metavar="SEED",
        help="seeds of the estimators (default: 0 1 2)",
    )
    quality.add_argument(
        "--estimators",
        nargs="+",
        default=list(ESTIMATOR_KEYS),
        metavar="NAME",
        help=f"estimators to run, among {', '.join(ESTIMATOR_KEYS)} (default: all)",
    )
    quality.add_argument(
        "--merge",
        action="store_true",
        help="keep the fits already in the output folder's quality_runs.csv "
        "for the data sets and estimators not run now, and report both",
    )
    quality.add_argument(
        "--no-grid",
        dest="grid",
        action="store_false",
        help="skip the GridSearchCV row",
    )

    speed.add_argument(
        "--fits",
        type=int,
        default=None,
        help="consecutive fits of the memory measurement (default: 50, quick: 4)",
    )
    return parser


def main(argv=None):
    """Parse the command line and run the chosen benchmark."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = _parser()
    args = parser.parse_args(argv)
    verbose = 0 if args.quiet else 1

    if args.command == "quality":
        from .quality import DATASETS, ESTIMATOR_KEYS, run

        for option, accepted in (
            ("datasets", DATASETS),
            ("estimators", ESTIMATOR_KEYS),
        ):
            unknown = sorted(set(getattr(args, option)) - set(accepted))
            if unknown:
                parser.error(
                    f"--{option}: unknown name(s) {', '.join(map(repr, unknown))}; "
                    f"choose among {', '.join(accepted)}"
                )
        if len(set(args.seeds)) != len(args.seeds):
            parser.error(f"--seeds must be distinct, got {args.seeds}")
        result = run(
            datasets=args.datasets,
            seeds=args.seeds,
            estimators=[ESTIMATOR_KEYS[key] for key in args.estimators],
            data_home=args.data,
            out=args.out,
            quick=args.quick,
            grid=args.grid,
            merge=args.merge,
            verbose=verbose,
        )
    else:
        from .speed import run

        if args.fits is not None and args.fits < 2:
            parser.error(
                "--fits must be at least 2 (the first fits are compared with the "
                f"last ones), got {args.fits}"
            )
        result = run(
            data_home=args.data,
            out=args.out,
            quick=args.quick,
            n_fits=args.fits,
            verbose=verbose,
        )

    if verbose:
        for path in result["paths"].values():
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
