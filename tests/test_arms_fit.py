"""Richardson fitting: recovers known coefficients, detects non-interaction at nominal rate."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from peninsula.analysis.arms_fit import classify, fit_combined, fit_pair
from peninsula.cli import app

runner = CliRunner()


def simulate(k, l, a, b, g, h, n, noise, seed, x0=10.0, y0=12.0):
    rng = np.random.default_rng(seed)
    x, y = np.empty(n), np.empty(n)
    x[0], y[0] = x0, y0
    for t in range(n - 1):
        x[t + 1] = x[t] + k * y[t] - a * x[t] + g + noise * rng.standard_normal()
        y[t + 1] = y[t] + l * x[t] - b * y[t] + h + noise * rng.standard_normal()
    return x, y


def test_pair_fit_recovers_known_coefficients():
    x, y = simulate(k=0.3, l=0.2, a=0.5, b=0.4, g=2.0, h=1.0, n=400, noise=0.5, seed=1)
    fit = fit_pair(x, y)
    for got, want in ((fit["x"]["reaction"], 0.3), (fit["x"]["fatigue"], 0.5),
                      (fit["y"]["reaction"], 0.2), (fit["y"]["fatigue"], 0.4),
                      (fit["x"]["grievance"], 2.0), (fit["y"]["grievance"], 1.0)):
        assert got == pytest.approx(want, abs=0.15 * max(1.0, abs(want)))
    se = fit["x"]["reaction_se"]
    assert abs(fit["x"]["reaction"] - 0.3) < 4 * se
    # equilibrium from the true values: x* = (b g + k h)/(ab - kl) = 0.8/0.14... check stable
    assert fit["stability"] == "stable node" and fit["richardson_condition_ab_gt_kl"]
    assert fit["equilibrium"]["x"] == pytest.approx((0.4 * 2 + 0.3 * 1) / (0.2 - 0.06), rel=0.2)


def test_combined_form_recovers_exponential_growth_rate():
    u0, k = 194.0, 0.73
    u = [200.0]
    for _ in range(6):  # exact discrete solution of dU = k (U_mid - U0)
        prev = u[-1]
        u.append((prev + k * (prev / 2 - u0)) / (1 - k / 2))
    fit = fit_combined(np.array(u))
    assert fit["k"] == pytest.approx(k, rel=1e-9) and fit["u0"] == pytest.approx(u0, rel=1e-9)


def test_no_interaction_test_holds_its_nominal_false_positive_rate():
    rejections = 0
    trials = 400
    rng = np.random.default_rng(5)
    for _ in range(trials):  # independent AR(1) budgets (Majeski & Jones: no interaction)
        x, y = np.empty(40), np.empty(40)
        x[0], y[0] = 10, 10
        for t in range(39):
            x[t + 1] = 2 + 0.8 * x[t] + rng.standard_normal()
            y[t + 1] = 3 + 0.7 * y[t] + rng.standard_normal()
        if fit_pair(x, y)["x"]["no_interaction_p"] < 0.05:
            rejections += 1
    rate = rejections / trials
    assert 0.02 <= rate <= 0.09  # nominal 5%; binomial sd ~1.1 pp


def test_stability_classes():
    assert classify(a=0.5, b=0.4, k=0.1, l=0.1) == "stable node"
    assert classify(a=0.1, b=0.1, k=0.5, l=0.5) == "saddle"
    assert classify(a=-0.2, b=-0.3, k=0.0, l=0.0) == "runaway"
    assert classify(a=0.1, b=0.1, k=0.5, l=-0.5) == "stable focus"


def test_cli_fit_json_and_errors(tmp_path):
    x, y = simulate(k=0.3, l=0.2, a=0.5, b=0.4, g=2.0, h=1.0, n=60, noise=0.3, seed=2)
    path = tmp_path / "budgets.csv"
    lines = ["year,fra,rus,ger,aut"] + [f"{1900 + i},{x[i] / 2},{x[i] / 2},{y[i]},0"
                                        for i in range(60)]
    path.write_text("\n".join(lines) + "\n")
    res = runner.invoke(app, ["fit", "arms-race", str(path), "--x", "fra,rus", "--y", "ger,aut",
                              "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {"combined", "pair", "equilibrium", "stability"} <= set(out)
    assert {"k", "u0", "k_se"} <= set(out["combined"])
    assert {"reaction", "fatigue", "grievance"} <= set(out["pair"]["x"])
    assert out["pair"]["x"]["reaction"] == pytest.approx(0.3, abs=0.15)
    res = runner.invoke(app, ["fit", "arms-race", str(path), "--x", "fra,nope", "--y", "ger"])
    assert res.exit_code == 2 and "unknown column" in res.output
