"""The hyperparameter form: every choice of a TrainConfig a user is likely to change, with defaults
that train the templates well (TrainConfig's own) and a tooltip on each that says what it does.

The augmentation field is shared with the Data tab through `session.augment`: editing either one
updates the other.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from cnnstudio.data import DataError
from cnnstudio.data.augment import AUGMENTATIONS, parse_augment
from cnnstudio.engine.config import TrainConfig
from cnnstudio.ui import style
from cnnstudio.ui.session import StudioSession
from cnnstudio.ui.training.form_fields import FIELDS, SECTIONS
from cnnstudio.ui.widgets.labels import heading

_AUGMENT_HELP = "<br>".join(f"<b>{info.name}</b>:{info.param} — {info.help}" for info in AUGMENTATIONS.values())


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    form.setHorizontalSpacing(10)
    form.setVerticalSpacing(6)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return form


def _value(widget: QWidget) -> Any:
    return widget.currentData() if isinstance(widget, QComboBox) else widget.value()


def _set_value(widget: QWidget, value: Any) -> bool:
    """Show `value` in a field's widget; False when a combo box has no such choice."""
    if not isinstance(widget, QComboBox):
        widget.setValue(value)
        return True
    index = widget.findData(value)
    if index >= 0:
        widget.setCurrentIndex(index)
    return index >= 0


class HyperparameterForm(QWidget):
    """Edits a TrainConfig. `config(spec)` returns the validated config for data `spec`.

    Every field of SECTIONS is an attribute named by its `attr` (form.epochs, form.device …).
    """

    changed = Signal()

    def __init__(self, session: StudioSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 8)
        layout.setSpacing(6)
        self.fields: dict[str, QWidget] = {}
        for title, fields in SECTIONS:
            layout.addWidget(heading(title))
            form = _form()
            for field in fields:
                widget = field.make()
                widget.setToolTip(field.tooltip)
                setattr(self, field.attr, widget)
                self.fields[field.key] = widget
                form.addRow(field.label, widget)
                signal = widget.currentIndexChanged if isinstance(widget, QComboBox) else widget.valueChanged
                signal.connect(self.changed)
            if title == "Regularization":
                form.addRow("Augmentation", self.augment)
                form.addRow("", self.augment_problem)
            layout.addLayout(form)
        layout.addStretch(1)

        self.set_config(TrainConfig())
        self.augment.setText(session.augment)
        self.optimizer.currentIndexChanged.connect(self._optimizer_changed)
        self.augment.textEdited.connect(self._augment_edited)
        session.augment_changed.connect(self._augment_from_session)
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
        values = {field.key: field.from_form(_value(self.fields[field.key])) for field in FIELDS}
        return TrainConfig(**values, augment=augment, data=data_spec)

    def set_config(self, config: TrainConfig) -> None:
        """Show `config`'s values (those the form has)."""
        for field in FIELDS:
            shown = _set_value(self.fields[field.key], field.to_form(getattr(config, field.key)))
            if not shown and field.key == "device":
                _set_value(self.fields["device"], "auto")  # e.g. a GPU this computer does not have

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
