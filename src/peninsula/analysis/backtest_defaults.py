"""The back-test's default sizes, written once: the replay's ensemble and the calibration's
budget. Read by the analysis, the API, the command line and the validation page (a module of
its own, so that reading them imports nothing else)."""

DEFAULT_RUNS = 4000  # replay runs of a back-test
DEFAULT_DRAWS = 20_000  # ABC simulations of a calibration (the prior draws of rejection)
