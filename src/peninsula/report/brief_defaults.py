"""The policy brief's default sizes, apart from the brief itself so that the command line can
show them in its help without loading the numerical stack."""

DEFAULT_RUNS = 5000  # per policy: a P(war) near 8% then carries a 90% interval of about +-0.6 pp
SENSITIVITY_SAMPLES = 20  # Morris trajectories: (factors + 1) x 20 design points
SENSITIVITY_RUNS = 200  # runs per design point of the screening
SENSITIVITY_TOP = 8  # factors listed per metric
