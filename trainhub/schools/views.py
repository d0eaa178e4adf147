from trainhub.schools import bp  # noqa: F401
