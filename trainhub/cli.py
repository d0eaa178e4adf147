"""Command-line tasks: flask --app trainhub <command>."""


def init_app(app) -> None:
    pass
