"""The main menu: each domain adds its entries; the menu shows those the user's role can use."""
from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    capability: str | None = None
    roles: frozenset[str] | None = None
    order: int = 50


_ITEMS: list[NavItem] = []


def add_nav_item(endpoint: str, label, capability: str | None = None, roles=None, order: int = 50) -> None:
    if any(item.endpoint == endpoint for item in _ITEMS):
        return
    _ITEMS.append(NavItem(endpoint, label, capability, frozenset(roles) if roles else None, order))
    _ITEMS.sort(key=lambda item: item.order)


def _active_endpoint(items: list[NavItem], endpoint: str) -> str | None:
    """Return the menu entry to highlight: the page itself, or the only entry of its blueprint."""
    if any(item.endpoint == endpoint for item in items):
        return endpoint
    blueprint = endpoint.split(".")[0] + "."
    same_blueprint = [item.endpoint for item in items if item.endpoint.startswith(blueprint)]
    return same_blueprint[0] if len(same_blueprint) == 1 else None


def init_app(app) -> None:
    # Imported here: domain packages register their entries while the models are still importing.
    from trainhub.accounts.models import ROLES
    from trainhub.accounts.permissions import can

    @app.context_processor
    def _menu():
        if not current_user.is_authenticated:
            return {"nav_items": [], "role_label": ""}
        shown = [
            item for item in _ITEMS
            if item.endpoint in app.view_functions  # a domain still being built adds no dead link
            and (item.capability is None or can(item.capability))
            and (item.roles is None or current_user.role in item.roles)
        ]
        active = _active_endpoint(shown, request.endpoint or "")
        items = [{"url": url_for(item.endpoint), "label": item.label, "active": item.endpoint == active}
                 for item in shown]
        return {"nav_items": items, "role_label": ROLES.get(current_user.role, current_user.role)}
