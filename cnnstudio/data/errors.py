"""The one exception type the data layer raises for problems a user can fix."""


class DataError(Exception):
    """A dataset could not be loaded or an option was invalid.

    The message is written for the user: what was wrong, where, and what to do about it. The GUI
    shows it as is; the CLI prints it without a traceback.
    """
