"""The `cnnstudio` command line (`cnnstudio.cli.main:main`): one module per family of commands, each calling
the core functions that the window calls too. Nothing is imported here, so that registering one family
does not load the others' libraries."""
