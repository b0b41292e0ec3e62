"""`python -m ameide_guard` runs the command line."""

from ameide_guard.cli.entry import main

if __name__ == "__main__":
    main()
