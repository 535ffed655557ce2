"""The labels Keel stamps on what it creates. Clients may not set anything under `io.keel.`."""

RESERVED_PREFIX = "io.keel."
INSTANCE = "io.keel.instance"  # which Keel deployment manages it
OWNER = "io.keel.owner"  # the owning user's id
CREATED_BY = "io.keel.created-by"  # who asked for it, by e-mail, for people reading `docker ps`
NAME = "io.keel.name"  # the name its owner chose; the engine's name is scoped to the owner
IMAGE = "io.keel.image"  # the image as its owner named it; the engine was given the image's id


def engine_name(*, instance: str, owner_id: int, name: str) -> str:
    """Names are global on an engine: scoping them keeps users from colliding, or probing
    each other's names through a conflict."""
    return f"{instance}-{owner_id}-{name}"
