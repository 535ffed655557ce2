"""Todos errors: stable codes for clients, message keys for translators."""

from app.core.errors import ConflictError, NotFoundError, ValidationFailed


class TodoNotFound(NotFoundError):
    """No such todo, or not the caller's."""

    error_code = "todo_not_found"

    def __init__(self, todo_id: int) -> None:
        super().__init__(todo_id=todo_id)


class TagNotFound(NotFoundError):
    """No such tag, or not the caller's."""

    error_code = "tag_not_found"

    def __init__(self, tag_id: int) -> None:
        super().__init__(tag_id=tag_id)


class UnknownTags(ValidationFailed):
    """Tag ids that do not exist, or belong to someone else: the same answer for both;
    `details.tag_ids` lists them."""

    error_code = "unknown_tags"

    def __init__(self, tag_ids: list[int]) -> None:
        super().__init__(details={"tag_ids": tag_ids}, tag_ids=", ".join(map(str, tag_ids)))


class TagNameTaken(ConflictError):
    """The owner already has a tag with this name."""

    error_code = "tag_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(name=name)


class TodoChanged(ConflictError):
    """Someone else changed the todo between our read and our write."""

    error_code = "todo_changed"

    def __init__(self, todo_id: int) -> None:
        super().__init__(todo_id=todo_id)
