"""Where a sweep's study lives (Optuna storage) and what it records about the sweep.

The default storage is an SQLite database in the experiment folder (`OUT/study.db`); any Optuna storage
URL works (`postgresql://…`, `mysql://…` for workers on several machines), and a path ending in `.journal`
is a journal file (Optuna's JournalFileBackend, safe on network file systems). The settings of the sweep
(design, data, space, base config, trial count, objectives, folder) are stored in the study itself, so a
worker needs only the study's name and storage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna

DATABASE = "study.db"
SETTINGS_ATTR = "cnnstudio.sweep"
OBJECTIVES = {  # name → Optuna direction
    "accuracy": "maximize",  # validation accuracy of the trial's best checkpoint
    "params": "minimize",  # learnable parameters
    "flops": "minimize",  # floating-point operations of one forward pass (the analyzer's)
    "latency": "minimize",  # measured milliseconds of one image on this machine's CPU
}
INSTALL_HINT = "sweeps need Optuna: pip install 'cnnstudio[experiments]'"


class SweepError(Exception):
    """A sweep that cannot start or go on; the message says why and what to do."""


@dataclass
class SweepSettings:
    """What a sweep trains: recorded in its study, shared by every worker.

    design: a NetworkGraph.to_dict(); data: a load_data spec; space: a search-space document; config: the
    TrainConfig options every trial starts from; out: the experiment folder (trial runs go into
    OUT/trials); trials: how many trials the study should hold; objectives: names from OBJECTIVES, the
    first one "accuracy".
    """

    design: dict[str, Any]
    data: str
    space: dict[str, Any]
    out: str
    trials: int
    config: dict[str, Any] = field(default_factory=dict)
    objectives: list[str] = field(default_factory=lambda: ["accuracy"])
    data_root: str | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.objectives or self.objectives[0] != "accuracy":
            raise SweepError("the first objective must be accuracy (then optionally params, flops or latency)")
        unknown = [name for name in self.objectives if name not in OBJECTIVES]
        if unknown or len(set(self.objectives)) != len(self.objectives):
            raise SweepError(
                f"objectives must be distinct names among {', '.join(OBJECTIVES)}, not {', '.join(self.objectives)}"
            )
        if isinstance(self.trials, bool) or not isinstance(self.trials, int) or self.trials < 1:
            raise SweepError(f"the number of trials must be a whole number of at least 1, not {self.trials!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def require_optuna() -> Any:
    """The optuna module, or SweepError naming the extra to install."""
    try:
        import optuna
    except ImportError:
        raise SweepError(INSTALL_HINT) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def default_storage(out: str | Path) -> str:
    return f"sqlite:///{Path(out).resolve() / DATABASE}"


def open_storage(url: str) -> optuna.storages.BaseStorage:
    """The Optuna storage of `url`: a database URL, or a `.journal` file."""
    optuna = require_optuna()
    try:
        if "://" not in url:
            if not url.endswith(".journal"):
                raise SweepError(
                    f"--storage {url}: expected a database URL (sqlite:///PATH, postgresql://…, mysql://…) "
                    "or a journal file ending in .journal"
                )
            Path(url).parent.mkdir(parents=True, exist_ok=True)
            backend = optuna.storages.journal.JournalFileBackend(url)
            return optuna.storages.journal.JournalStorage(backend)
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            # several worker processes share one SQLite file: wait for its lock instead of failing
            return optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": {"timeout": 60}})
        return optuna.storages.RDBStorage(url)
    except SweepError:
        raise
    except Exception as error:  # noqa: BLE001 - SQLAlchemy and driver errors: a storage that cannot be opened
        raise SweepError(f"cannot open the study storage {url}: {type(error).__name__}: {error}") from None


def create_study(settings: SweepSettings, name: str, storage: str) -> optuna.Study:
    """A new study holding `settings`."""
    optuna = require_optuna()
    backend = open_storage(storage)
    if name in _study_names(backend):
        raise SweepError(f"a study named {name!r} already exists in {storage}; add --resume to continue it")
    directions = [OBJECTIVES[objective] for objective in settings.objectives]
    study = optuna.create_study(study_name=name, storage=backend, directions=directions)
    study.set_user_attr(SETTINGS_ATTR, settings.to_dict())
    return load_study(name, storage, backend, seeded=True)


def resume_study(name: str, storage: str, trials: int | None = None) -> optuna.Study:
    """The existing study with its recorded settings; `trials` may raise the number of trials it should hold."""
    backend = open_storage(storage)
    if name not in _study_names(backend):
        raise SweepError(f"there is no study named {name!r} in {storage} to resume")
    study = load_study(name, storage, backend, seeded=True)
    recorded = study_settings(study)
    if trials is not None and trials > recorded.trials:
        recorded.trials = trials
        study.set_user_attr(SETTINGS_ATTR, recorded.to_dict())
    return study


def _study_names(backend: optuna.storages.BaseStorage) -> set[str]:
    return {summary.study_name for summary in require_optuna().get_all_study_summaries(backend)}


def load_study(
    name: str, storage: str, backend: optuna.storages.BaseStorage | None = None, *, seeded: bool = False
) -> optuna.Study:
    """An existing sweep's study with this process's sampler and pruner: TPE (`seeded`: with the sweep's seed
    plus the trials so far, so that a resumed sweep does not repeat its first draws; unseeded in workers, so
    that they do not draw the same values) and the median pruner (single objective; Optuna prunes no
    multi-objective study)."""
    optuna = require_optuna()
    backend = backend or open_storage(storage)
    try:
        plain = optuna.load_study(study_name=name, storage=backend)
    except KeyError:
        raise SweepError(f"there is no study named {name!r} in {storage}") from None
    settings = study_settings(plain)
    single = len(settings.objectives) == 1
    sampler = optuna.samplers.TPESampler(
        n_startup_trials=max(2, min(10, settings.trials // 3)),
        seed=settings.seed + len(plain.trials) if seeded else None,
        multivariate=True,
        constant_liar=True,
    )
    pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1) if single else optuna.pruners.NopPruner()
    return optuna.load_study(study_name=name, storage=backend, sampler=sampler, pruner=pruner)


def study_settings(study: optuna.Study) -> SweepSettings:
    values = study.user_attrs.get(SETTINGS_ATTR)
    if not isinstance(values, dict):
        raise SweepError(f"the study {study.study_name!r} was not made by `cnnstudio sweep` (no sweep settings)")
    return SweepSettings(**values)
