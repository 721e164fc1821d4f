"""Experiments: hyperparameter and architecture sweeps on Optuna (no Qt).

    space = load_space("space.json")                       # or DEFAULT_SPACE
    sweep = create_sweep(SweepSettings(design, "digits", space.to_dict(), out="sweeps/a", trials=12))
    run_trials(sweep, on_event=print)                       # in any number of processes: open_sweep(...)

Each trial is a normal run folder (`OUT/trials/trial-0003`) written by the training engine, so every run
view opens it. Optuna is an optional extra (`pip install "cnnstudio[experiments]"`), imported when a study
is opened; the search space and the design knobs are plain Python.
"""
