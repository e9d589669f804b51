"""The one exception type the CLI turns into a single stderr line and an exit code."""


class FactcliError(Exception):
    """An error a user can act on: the message names the file or input and the reason."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
