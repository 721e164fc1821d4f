"""The main window's parts: its menus and the actions behind them (mixed into MainWindow)."""
