#!/usr/bin/env python3
"""Writes Tests/VoltSearchTests/Fixtures/optuna_study.db and optuna_study.json with Optuna (pip install optuna).

The study "optuna-fixture" holds 12 trials made by Optuna's own TPESampler and MedianPruner over a float (log), a
stepped float, a stepped int and a categorical of mixed choices: COMPLETE, PRUNED (with intermediate values) and
one FAIL. The JSON holds what Optuna reports for each trial, for the Swift tests to compare Volt's reading against,
and the schema (sqlite_master) Optuna created, for the schema test.
"""
import json
import math
import os
import sqlite3

import optuna

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "VoltSearchTests", "Fixtures")
db = os.path.join(here, "optuna_study.db")
os.makedirs(here, exist_ok=True)
if os.path.exists(db):
    os.remove(db)
optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(study_name="optuna-fixture", storage="sqlite:///" + db, direction="minimize",
                            sampler=optuna.samplers.TPESampler(seed=1),
                            pruner=optuna.pruners.MedianPruner(n_startup_trials=3))


def objective(trial):
    lr = trial.suggest_float("module.lr", 1e-6, 1e-2, log=True)
    dropout = trial.suggest_float("model.dropout", 0.0, 0.5, step=0.1)
    r = trial.suggest_int("peft.r", 4, 32, step=4)
    opt = trial.suggest_categorical("module.optimizer", ["adam", "sgd", 1, 2.5, None, True])
    if trial.number == 5:
        raise RuntimeError("fixture failure")
    base = (math.log10(lr) + 4) ** 2 + dropout + abs(r - 16) / 16 + (0.5 if opt != "adam" else 0.0)
    for step in range(4):
        value = base + 1.0 / (step + 1)
        trial.report(value, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    trial.set_user_attr("note", "made by optuna")
    return base


study.optimize(objective, n_trials=12, catch=(RuntimeError,))

trials = []
for t in study.trials:
    trials.append({
        "number": t.number,
        "state": t.state.name,
        "value": t.value,
        "params": {k: [v, t.distributions[k].to_internal_repr(v)] for k, v in t.params.items()},
        "distributions": {k: optuna.distributions.distribution_to_json(d) for k, d in t.distributions.items()},
        "intermediate_values": {str(k): v for k, v in t.intermediate_values.items()},
        "user_attrs": t.user_attrs,
    })
connection = sqlite3.connect(db)
schema = {name: sql for name, sql in connection.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")}
version = connection.execute("SELECT schema_version, library_version FROM version_info").fetchone()
alembic = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
connection.close()
with open(os.path.join(here, "optuna_study.json"), "w") as f:
    json.dump({"optuna_version": optuna.__version__, "study_name": study.study_name, "schema": schema,
               "schema_version": version[0], "library_version": version[1], "alembic_version": alembic,
               "trials": trials}, f, indent=1, sort_keys=True)

# Optuna's Parzen estimator (TPE's defaults) evaluated at fixed points, for the Swift estimator to match.
import numpy as np
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights

parameters = _ParzenEstimatorParameters(prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False,
                                        weights=default_weights, multivariate=False)
rng = np.random.RandomState(0)
cases = []
for dist in [FloatDistribution(-2.0, 3.0), FloatDistribution(1e-6, 1e-2, log=True), FloatDistribution(0.0, 0.5, step=0.1),
             IntDistribution(4, 32, step=4), IntDistribution(1, 1000, log=True), CategoricalDistribution(["a", "b", 3, None])]:
    # Stepped values repeat; with 26+ observations the kernels' weights differ and Optuna's result then depends on
    # how numpy's unstable argsort orders equal values, so stepped cases stop at 20 observations.
    for n in ((0, 1, 3, 20) if getattr(dist, "step", None) is not None else (0, 1, 3, 30)):
        if isinstance(dist, CategoricalDistribution):
            obs = rng.randint(0, len(dist.choices), size=n).astype(float)
            points = np.arange(len(dist.choices), dtype=float)
        else:
            grid = np.linspace(0, 1, 7)
            if dist.log:
                lo, hi = np.log(dist.low), np.log(dist.high)
                obs = np.exp(lo + (hi - lo) * rng.rand(n)); points = np.exp(lo + (hi - lo) * grid)
            else:
                obs = dist.low + (dist.high - dist.low) * rng.rand(n); points = dist.low + (dist.high - dist.low) * grid
            if dist.step is not None:
                snap = lambda v: np.clip(dist.low + np.round((v - dist.low) / dist.step) * dist.step, dist.low, dist.high)
                obs, points = snap(obs), np.unique(snap(points))
            elif isinstance(dist, IntDistribution):
                obs, points = np.round(obs), np.unique(np.round(points))
        pe = _ParzenEstimator({"p": obs}, {"p": dist}, parameters)
        cases.append({"distribution": optuna.distributions.distribution_to_json(dist), "observations": obs.tolist(),
                      "points": points.tolist(), "log_pdf": pe.log_pdf({"p": points}).tolist()})
with open(os.path.join(here, "parzen_estimator.json"), "w") as f:
    json.dump(cases, f, indent=1)

print(f"wrote {db} ({os.path.getsize(db)} bytes) with {len(trials)} trials:",
      {s: sum(t["state"] == s for t in trials) for s in ("COMPLETE", "PRUNED", "FAIL")})
