"""``python -m newsflow``: see :mod:`newsflow.cli`."""

if __name__ == "__main__":
    from newsflow.cli import main

    raise SystemExit(main())
