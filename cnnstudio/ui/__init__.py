"""Everything Qt: the main window, one package per tab, shared widgets. Start it with `cnnstudio.ui.app.main`."""
