"""Which upstream serves a task: the vendors' routing table, as data in one place."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    service: str  # the upstream, as named to clients: "reduceai" | "cheeyuan"
    tool: str  # REDUCEAI's toolName, or CHEEYUAN's product_type


ROUTES: dict[tuple[str, str], Route] = {
    ("zhiwang", "reduce-plagiarism"): Route(service="reduceai", tool="onlyjc"),
    ("zhiwang", "reduce-ai-rate"): Route(service="cheeyuan", tool="78"),
    ("weipu", "reduce-plagiarism"): Route(service="reduceai", tool="onlyjc"),
    ("weipu", "reduce-ai-rate"): Route(service="reduceai", tool="onlyai"),
}


def route_for(platform: str, task_type: str) -> Route:
    """The route of a platform and task type; KeyError for a pair the request check let through."""
    return ROUTES[platform, task_type]
