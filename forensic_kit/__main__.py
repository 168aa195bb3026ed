"""``python -m forensic_kit`` runs the ``fkit`` command line."""

from forensic_kit.cli.app import main

if __name__ == "__main__":
    main()
