"""The policy brief's default sizes, apart from the brief itself so that the command line can
show them in its help without loading the numerical stack.

The budget: the full brief of two policies stays within half a minute on two cores, the draft
(``--quick``) within ten seconds. Most of a brief's time is the sensitivity screening, whose
cost is per design point (each point builds and summarises an ensemble) more than per run, so
it keeps few trajectories; a study folder of ``peninsula sensitivity`` replaces it for indices
to quote."""

DEFAULT_RUNS = 5000  # per policy: a P(war) near 8% then carries a 90% interval of about +-0.6 pp
DRIVER_RUNS = 2000  # per ensemble of the drivers (about 20 ensembles a policy, paired)
SENSITIVITY_SAMPLES = 6  # Morris trajectories: (factors + 1) x 6 design points
SENSITIVITY_RUNS = 100  # runs per design point of the screening
SENSITIVITY_TOP = 8  # factors listed per metric
QUICK_RUNS = 2000  # per policy in a draft (--quick), which runs no sensitivity screening
QUICK_DRIVER_RUNS = 500  # per ensemble of the drivers in a draft
