"""``python -m steelman``: the same as the ``steelman`` command."""

from steelman.cli import main

if __name__ == "__main__":
    main()
