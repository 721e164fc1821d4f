"""The Experiments tab: start or open an Optuna sweep, follow its trials live, open a trial."""
