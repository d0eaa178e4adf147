from trainhub.training import bp  # noqa: F401
