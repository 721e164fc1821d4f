"""Python syntax colouring for the code view (keywords, builtins, strings, numbers, comments)."""

from __future__ import annotations

import keyword
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument


def _format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Bold)
    fmt.setFontItalic(italic)
    return fmt


_RULES = [
    (re.compile(r"\b(" + "|".join(keyword.kwlist) + r")\b"), _format("#cf222e", bold=True)),
    (re.compile(r"\b(self|super|None|True|False)\b"), _format("#8250df")),
    (re.compile(r"\b(nn|torch)\b"), _format("#0550ae")),
    (re.compile(r"\b\d+(\.\d*)?([eE][-+]?\d+)?\b"), _format("#0a3069")),
    (re.compile(r"(?<=\bclass )\w+|(?<=\bdef )\w+"), _format("#6639ba", bold=True)),
    (re.compile(r"\"\"\".*?\"\"\"|\"[^\"\n]*\"|'[^'\n]*'"), _format("#0a7a3e")),
    (re.compile(r"#.*$"), _format("#6e7781", italic=True)),
]


class PythonHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in _RULES:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)
