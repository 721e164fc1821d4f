"""The one exception type the models package raises for problems a user can fix."""


class ModelLoadError(Exception):
    """A model could not be resolved, loaded or adapted.

    The message is written for the user (what, where, and how to fix it); the GUI shows it as is and
    the command line prints it as one line.
    """
