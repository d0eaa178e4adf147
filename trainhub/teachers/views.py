from trainhub.teachers import bp  # noqa: F401
