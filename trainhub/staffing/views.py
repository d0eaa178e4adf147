from trainhub.staffing import bp  # noqa: F401
