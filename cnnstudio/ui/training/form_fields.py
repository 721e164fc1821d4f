"""The fields of the hyperparameter form, as a table: which TrainConfig field each edits, with what widget
(range, step, suffix), under which heading, and the tooltip that says what it does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox, QWidget

from cnnstudio.engine.device import device_choices
from cnnstudio.ui.training.number_box import RateSpinBox

OPTIMIZERS = (("Adam", "adam"), ("AdamW", "adamw"), ("SGD with momentum", "sgd"), ("RMSprop", "rmsprop"))
SCHEDULES = (("Constant", "constant"), ("Step decay", "step"), ("Cosine", "cosine"), ("One-cycle", "onecycle"))
COMPILE_CHOICES = (("Off (eager PyTorch)", "off"), ("torch.compile", "on"))
PRECISIONS = (
    ("Auto (bf16/fp16 on CUDA)", "auto"),
    ("Off (fp32)", "off"),
    ("bf16", "bf16"),
    ("fp16 with loss scaling", "fp16"),
)


@dataclass(frozen=True)
class Field:
    """One row of the form: the widget `attr` of the form edits TrainConfig field `key`.

    to_form/from_form convert between the config's value and the widget's (e.g. a share ↔ a percentage).
    """

    attr: str
    key: str
    label: str
    make: Callable[[], QWidget]
    tooltip: str
    to_form: Callable[[Any], Any] = lambda value: value
    from_form: Callable[[Any], Any] = lambda value: value


def _spin(
    minimum: float, maximum: float, step: float = 1, decimals: int = 0, suffix: str = "", special: str = ""
) -> Callable[[], QWidget]:
    """A factory of spin boxes: integers when decimals is 0, else floats with that many decimals."""

    def make() -> QWidget:
        box: QSpinBox | QDoubleSpinBox = QDoubleSpinBox() if decimals else QSpinBox()
        if isinstance(box, QDoubleSpinBox):
            box.setDecimals(decimals)
            box.setRange(minimum, maximum)
            box.setSingleStep(step)
        else:
            box.setRange(int(minimum), int(maximum))
        box.setSuffix(suffix)
        box.setSpecialValueText(special)
        return box

    return make


def _combo(choices: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)  # may narrow with the panel
    combo.setMinimumContentsLength(6)
    for label, value in choices:
        combo.addItem(label, value)
    return combo


# (section title, its fields); the Regularization section ends with the augmentation field, which the
# form builds itself (it is shared with the Data tab and checked as it is typed).
SECTIONS: tuple[tuple[str, tuple[Field, ...]], ...] = (
    (
        "Optimization",
        (
            Field(
                "optimizer",
                "optimizer",
                "Optimizer",
                lambda: _combo(OPTIMIZERS),
                "How the weights follow the gradient. Adam adapts the step of every weight and "
                "works well without tuning; SGD with momentum often generalizes best when its "
                "learning rate is tuned; AdamW is Adam with decoupled weight decay.",
            ),
            Field(
                "lr",
                "lr",
                "Learning rate",
                lambda: RateSpinBox(1e-7, 10.0),
                "The size of each optimizer step. Too high and the loss jumps or becomes NaN; too low "
                "and it falls slowly. Typical: 0.001 for Adam, 0.01–0.1 for SGD. The arrows step "
                "through 1-2-5 values; you can type 3e-4.",
            ),
            Field(
                "momentum",
                "momentum",
                "Momentum",
                _spin(0.0, 0.999, step=0.05, decimals=3),
                "SGD only: how much of the previous step carries over (0.9 is the usual choice).",
            ),
            Field(
                "schedule",
                "schedule",
                "Schedule",
                lambda: _combo(SCHEDULES),
                "How the learning rate changes over the run (updated every batch), with PyTorch's own "
                "schedulers: step decay (StepLR) divides it by 10 every third of the run; cosine "
                "(CosineAnnealingLR) lowers it smoothly to zero; one-cycle (OneCycleLR) rises from a "
                "25th of it for 30 % of the run (or the warm-up), then anneals, cycling the momentum.",
            ),
            Field(
                "warmup",
                "warmup_epochs",
                "Warm-up",
                _spin(0.0, 1000.0, step=0.5, decimals=1, suffix=" epochs"),
                "Ramp the learning rate up from zero over this many epochs first: steadies the "
                "start of training with high rates or large batches.",
            ),
            Field(
                "epochs",
                "epochs",
                "Epochs",
                _spin(1, 100_000),
                "How many times the network sees every training image.",
            ),
            Field(
                "batch_size",
                "batch_size",
                "Batch size",
                _spin(1, 65_536),
                "Images per optimizer step. Larger batches train faster per image on a GPU but "
                "need more memory; lower it if training runs out of memory.",
            ),
        ),
    ),
    (
        "Regularization",
        (
            Field(
                "weight_decay",
                "weight_decay",
                "Weight decay",
                lambda: RateSpinBox(1e-6, 1.0, allow_zero=True),
                "Pulls the weights towards zero at every step (L2 regularization), which "
                "fights overfitting. 0 turns it off; 5e-4 is common for SGD, 0.01–0.05 for "
                "AdamW. Biases and normalization layers are never decayed.",
            ),
            Field(
                "label_smoothing",
                "label_smoothing",
                "Label smoothing",
                _spin(0.0, 0.5, step=0.05, decimals=2),
                "Train towards 1 − ε for the right class and ε spread over the others, "
                "instead of exactly 1: the network becomes less over-confident. 0.1 is "
                "typical; 0 turns it off.",
            ),
        ),
    ),
    (
        "Validation",
        (
            Field(
                "val_share",
                "val_fraction",
                "Held out",
                _spin(0, 90, suffix=" %"),
                "The share of the images held out to validate the network after every epoch: "
                "it measures how well the network does on images it never trained on. 0 trains "
                "on everything (no validation curve, no confusion matrix).",
                to_form=lambda fraction: round(fraction * 100),
                from_form=lambda percent: percent / 100,
            ),
            Field(
                "val_every",
                "val_every",
                "Validate every",
                _spin(0, 1_000_000, suffix=" batches", special="epoch end"),
                "Validate also after every this many batches (like Deep Network Designer's validation "
                "frequency): more validation points for short runs, at the cost of the time they take. "
                "'epoch end' validates once per epoch.",
            ),
            Field(
                "patience",
                "patience",
                "Stop early after",
                _spin(0, 10_000, suffix=" epochs", special="never"),
                "Stop early when the validation loss has not improved for this many epochs "
                "(the best checkpoint is kept). 'never' trains all epochs.",
                to_form=lambda patience: patience or 0,
                from_form=lambda patience: patience or None,
            ),
        ),
    ),
    (
        "Hardware",
        (
            Field(
                "device",
                "device",
                "Device",
                lambda: _combo(device_choices()),
                "Where to train. Auto picks a CUDA GPU, then an Apple GPU, then the CPU.",
            ),
            Field(
                "precision",
                "precision",
                "Mixed precision",
                lambda: _combo(PRECISIONS),
                "Mixed precision computes in 16-bit floats where it is safe: about twice as "
                "fast on modern GPUs, with the same accuracy. Auto uses bf16 where the GPU has "
                "it, else fp16 with loss scaling; the CPU always trains in fp32.",
            ),
            Field(
                "compile_box",
                "compile",
                "Compile",
                lambda: _combo(COMPILE_CHOICES),
                "torch.compile turns the network into fused kernels: faster steps on larger networks and GPUs "
                "after a compile of tens of seconds; on small networks it rarely pays. Where the model cannot be "
                "compiled the run trains in eager PyTorch and says why.",
                to_form=lambda enabled: "on" if enabled else "off",
                from_form=lambda choice: choice == "on",
            ),
            Field(
                "seed",
                "seed",
                "Seed",
                _spin(0, 2_147_483_647),
                "Starting point of every random choice (initial weights, shuffling, augmentation, "
                "the validation split): the same seed repeats the same run.",
            ),
        ),
    ),
)
FIELDS = tuple(field for _, fields in SECTIONS for field in fields)
