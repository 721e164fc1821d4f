"""The hyperparameter form: every choice of a TrainConfig a user is likely to change, with defaults
that train the templates well (TrainConfig's own) and a tooltip on each that says what it does.

The augmentation field is shared with the Data tab through `session.augment`: editing either one
updates the other.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data import DataError
from cnnstudio.data.augment import AUGMENTATIONS, parse_augment
from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.device import device_choices
from cnnstudio.ui import style
from cnnstudio.ui.session import StudioSession
from cnnstudio.ui.training.number_box import RateSpinBox

OPTIMIZERS = (("Adam", "adam"), ("AdamW", "adamw"), ("SGD with momentum", "sgd"), ("RMSprop", "rmsprop"))
SCHEDULES = (("Constant", "constant"), ("Step decay", "step"), ("Cosine", "cosine"), ("One-cycle", "onecycle"))
PRECISIONS = (
    ("Auto (bf16/fp16 on CUDA)", "auto"),
    ("Off (fp32)", "off"),
    ("bf16", "bf16"),
    ("fp16 with loss scaling", "fp16"),
)
_AUGMENT_HELP = "<br>".join(f"<b>{info.name}</b>:{info.param} — {info.help}" for info in AUGMENTATIONS.values())


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    form.setHorizontalSpacing(10)
    form.setVerticalSpacing(6)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return form


def _combo(choices: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)  # may narrow with the panel
    combo.setMinimumContentsLength(6)
    for label, value in choices:
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: Any) -> bool:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0


class HyperparameterForm(QWidget):
    """Edits a TrainConfig. `config(spec)` returns the validated config for data `spec`."""

    changed = Signal()

    def __init__(self, session: StudioSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        defaults = TrainConfig()

        self.optimizer = _combo(OPTIMIZERS)
        self.optimizer.setToolTip(
            "How the weights follow the gradient. Adam adapts the step of every weight and "
            "works well without tuning; SGD with momentum often generalizes best when its "
            "learning rate is tuned; AdamW is Adam with decoupled weight decay."
        )
        self.lr = RateSpinBox(1e-7, 10.0)
        self.lr.setToolTip(
            "The size of each optimizer step. Too high and the loss jumps or becomes NaN; too low "
            "and it falls slowly. Typical: 0.001 for Adam, 0.01–0.1 for SGD. The arrows step "
            "through 1-2-5 values; you can type 3e-4."
        )
        self.momentum = QDoubleSpinBox()
        self.momentum.setRange(0.0, 0.999)
        self.momentum.setSingleStep(0.05)
        self.momentum.setDecimals(3)
        self.momentum.setToolTip("SGD only: how much of the previous step carries over (0.9 is the usual choice).")
        self.schedule = _combo(SCHEDULES)
        self.schedule.setToolTip(
            "How the learning rate changes over the run (updated every batch). Step decay "
            "divides it by 10 every third of the run; cosine lowers it smoothly to zero; "
            "one-cycle warms up for 30 % of the run, then anneals."
        )
        self.warmup = QDoubleSpinBox()
        self.warmup.setRange(0.0, 1000.0)
        self.warmup.setSingleStep(0.5)
        self.warmup.setDecimals(1)
        self.warmup.setSuffix(" epochs")
        self.warmup.setToolTip(
            "Ramp the learning rate up from zero over this many epochs first: steadies the "
            "start of training with high rates or large batches."
        )
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100_000)
        self.epochs.setToolTip("How many times the network sees every training image.")
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 65_536)
        self.batch_size.setToolTip(
            "Images per optimizer step. Larger batches train faster per image on a GPU but "
            "need more memory; lower it if training runs out of memory."
        )
        self.weight_decay = RateSpinBox(1e-6, 1.0, allow_zero=True)
        self.weight_decay.setToolTip(
            "Pulls the weights towards zero at every step (L2 regularization), which "
            "fights overfitting. 0 turns it off; 5e-4 is common for SGD, 0.01–0.05 for "
            "AdamW. Biases and normalization layers are never decayed."
        )
        self.label_smoothing = QDoubleSpinBox()
        self.label_smoothing.setRange(0.0, 0.5)
        self.label_smoothing.setSingleStep(0.05)
        self.label_smoothing.setDecimals(2)
        self.label_smoothing.setToolTip(
            "Train towards 1 − ε for the right class and ε spread over the others, "
            "instead of exactly 1: the network becomes less over-confident. 0.1 is "
            "typical; 0 turns it off."
        )
        self.augment = QLineEdit()
        self.augment.setPlaceholderText("none, or e.g. flip,crop:4,rotate:15")
        self.augment.setToolTip(
            "Random changes to every training image, different in every epoch, so the network "
            "learns what matters rather than the exact pixels. Comma-separated; shared with "
            f"the Data tab's preview.<br><br>{_AUGMENT_HELP}"
        )
        self.augment_problem = QLabel()
        self.augment_problem.setProperty("role", "error")
        self.augment_problem.setWordWrap(True)
        self.augment_problem.hide()
        self.val_share = QSpinBox()
        self.val_share.setRange(0, 90)
        self.val_share.setSuffix(" %")
        self.val_share.setToolTip(
            "The share of the images held out to validate the network after every epoch: "
            "it measures how well the network does on images it never trained on. 0 trains "
            "on everything (no validation curve, no confusion matrix)."
        )
        self.patience = QSpinBox()
        self.patience.setRange(0, 10_000)
        self.patience.setSpecialValueText("never")
        self.patience.setSuffix(" epochs")
        self.patience.setToolTip(
            "Stop early when the validation loss has not improved for this many epochs "
            "(the best checkpoint is kept). 'never' trains all epochs."
        )
        self.device = _combo(device_choices())
        self.device.setToolTip("Where to train. Auto picks a CUDA GPU, then an Apple GPU, then the CPU.")
        self.precision = _combo(PRECISIONS)
        self.precision.setToolTip(
            "Mixed precision computes in 16-bit floats where it is safe: about twice as "
            "fast on modern GPUs, with the same accuracy. Auto uses bf16 where the GPU has "
            "it, else fp16 with loss scaling; the CPU always trains in fp32."
        )
        self.seed = QSpinBox()
        self.seed.setRange(0, 2_147_483_647)
        self.seed.setToolTip(
            "Starting point of every random choice (initial weights, shuffling, augmentation, "
            "the validation split): the same seed repeats the same run."
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 8)
        layout.setSpacing(6)
        sections = (
            (
                "Optimization",
                (
                    ("Optimizer", self.optimizer),
                    ("Learning rate", self.lr),
                    ("Momentum", self.momentum),
                    ("Schedule", self.schedule),
                    ("Warm-up", self.warmup),
                    ("Epochs", self.epochs),
                    ("Batch size", self.batch_size),
                ),
            ),
            (
                "Regularization",
                (
                    ("Weight decay", self.weight_decay),
                    ("Label smoothing", self.label_smoothing),
                    ("Augmentation", self.augment),
                    ("", self.augment_problem),
                ),
            ),
            ("Validation", (("Held out", self.val_share), ("Stop early after", self.patience))),
            ("Hardware", (("Device", self.device), ("Mixed precision", self.precision), ("Seed", self.seed))),
        )
        for title, rows in sections:
            layout.addWidget(_heading(title))
            form = _form()
            for label, widget in rows:
                form.addRow(label, widget)
            layout.addLayout(form)
        layout.addStretch(1)

        self.set_config(defaults)
        self.augment.setText(session.augment)
        self.optimizer.currentIndexChanged.connect(self._optimizer_changed)
        self.augment.textEdited.connect(self._augment_edited)
        session.augment_changed.connect(self._augment_from_session)
        for widget in (self.optimizer, self.schedule, self.device, self.precision):
            widget.currentIndexChanged.connect(self.changed)
        for widget in (
            self.lr,
            self.momentum,
            self.warmup,
            self.epochs,
            self.batch_size,
            self.weight_decay,
            self.label_smoothing,
            self.val_share,
            self.patience,
            self.seed,
        ):
            widget.valueChanged.connect(self.changed)
        self._optimizer_changed()

    # ----- reading and writing the config
    def config(self, data_spec: str) -> TrainConfig:
        """The config the form describes, for data `data_spec`.

        Raises ConfigError (an invalid value) or DataError (augmentation text that does not parse).
        """
        augment = self.augment.text().strip()
        parse_augment(augment)
        return self._config(augment, data_spec)

    def _config(self, augment: str, data_spec: str) -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs.value(),
            batch_size=self.batch_size.value(),
            optimizer=self.optimizer.currentData(),
            lr=self.lr.value(),
            momentum=self.momentum.value(),
            weight_decay=self.weight_decay.value(),
            schedule=self.schedule.currentData(),
            warmup_epochs=self.warmup.value(),
            label_smoothing=self.label_smoothing.value(),
            patience=self.patience.value() or None,
            seed=self.seed.value(),
            device=self.device.currentData(),
            precision=self.precision.currentData(),
            augment=augment,
            data=data_spec,
            val_fraction=self.val_share.value() / 100,
        )

    def set_config(self, config: TrainConfig) -> None:
        """Show `config`'s values (those the form has)."""
        _select(self.optimizer, config.optimizer)
        _select(self.schedule, config.schedule)
        _select(self.precision, config.precision)
        if not _select(self.device, config.device):
            _select(self.device, "auto")  # e.g. a GPU this computer does not have
        self.lr.setValue(config.lr)
        self.momentum.setValue(config.momentum)
        self.warmup.setValue(config.warmup_epochs)
        self.epochs.setValue(config.epochs)
        self.batch_size.setValue(config.batch_size)
        self.weight_decay.setValue(config.weight_decay)
        self.label_smoothing.setValue(config.label_smoothing)
        self.val_share.setValue(round(config.val_fraction * 100))
        self.patience.setValue(config.patience or 0)
        self.seed.setValue(config.seed)

    def values(self) -> dict[str, Any]:
        """The form as JSON-compatible values (to remember between sessions)."""
        values = self._config("", "").to_dict()
        return {name: value for name, value in values.items() if name not in ("augment", "data")}

    def restore(self, values: dict[str, Any]) -> None:
        """Show remembered values; ignores what does not make a valid config."""
        known = {name: value for name, value in values.items() if name in TrainConfig.__dataclass_fields__}
        try:
            config = TrainConfig(**{**TrainConfig().to_dict(), **known})
        except (TypeError, ValueError):
            return
        self.set_config(config)

    # ----- reactions
    def _optimizer_changed(self) -> None:
        self.momentum.setEnabled(self.optimizer.currentData() == "sgd")

    def _augment_edited(self, text: str) -> None:
        try:
            parse_augment(text)
        except DataError as error:
            self.augment_problem.setText(str(error))
            self.augment_problem.show()
            self.augment.setStyleSheet(f"QLineEdit {{ border: 1px solid {style.ERROR}; }}")
            return
        self.augment_problem.hide()
        self.augment.setStyleSheet("")
        self.session.set_augment(text.strip())

    def _augment_from_session(self) -> None:
        if self.session.augment != self.augment.text().strip():
            self.augment.setText(self.session.augment)
            self._augment_edited(self.session.augment)
