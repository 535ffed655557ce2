"""Annotations errors: stable codes for clients; their messages are in this domain's locales."""

from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError, UnsupportedMediaType


class ProjectNotFound(NotFoundError):
    """No such project, or the caller is not one of its members."""

    error_code = "project_not_found"

    def __init__(self, project_id: int) -> None:
        super().__init__(project_id=project_id)


class ProjectChanged(ConflictError):
    """Someone else changed the project between our read and our write."""

    error_code = "project_changed"

    def __init__(self, project_id: int) -> None:
        super().__init__(project_id=project_id)


class ProjectManagerRequired(PermissionDeniedError):
    """The caller is a member of the project, but not one of its managers."""

    error_code = "project_manager_required"

    def __init__(self, project_id: int) -> None:
        super().__init__(project_id=project_id)


class LabelNotFound(NotFoundError):
    """No such label in this project."""

    error_code = "label_not_found"

    def __init__(self, label_id: int) -> None:
        super().__init__(label_id=label_id)


class LabelNameTaken(ConflictError):
    """The project already has a label with this name."""

    error_code = "label_name_taken"

    def __init__(self, name: str) -> None:
        super().__init__(name=name)


class LabelShortcutTaken(ConflictError):
    """Another label of the project already has this shortcut key."""

    error_code = "label_shortcut_taken"

    def __init__(self, shortcut: str) -> None:
        super().__init__(shortcut=shortcut)


class MemberNotFound(NotFoundError):
    """The user is not a member of this project."""

    error_code = "member_not_found"

    def __init__(self, user_id: int) -> None:
        super().__init__(user_id=user_id)


class AlreadyMember(ConflictError):
    """The user is a member of the project already: change their role instead."""

    error_code = "already_member"

    def __init__(self, user_id: int) -> None:
        super().__init__(user_id=user_id)


class LastManager(ConflictError):
    """The change would leave the project without a manager."""

    error_code = "last_project_manager"

    def __init__(self, project_id: int) -> None:
        super().__init__(project_id=project_id)


class LabelSetFull(ConflictError):
    """The project has as many labels as a project may have."""

    error_code = "label_set_full"

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit)


class AlreadyAnnotated(ConflictError):
    """The annotator's annotation of this document exists already: change it instead."""

    error_code = "already_annotated"

    def __init__(self, document_id: int) -> None:
        super().__init__(document_id=document_id)


class DocumentNotFound(NotFoundError):
    """No such document in this project."""

    error_code = "document_not_found"

    def __init__(self, document_id: int) -> None:
        super().__init__(document_id=document_id)


class ImportFormatUnknown(UnsupportedMediaType):
    """The import's format is neither given (`?format=`) nor told by its Content-Type."""

    error_code = "import_format_unknown"


class ExportOfOwnAnnotationsOnly(PermissionDeniedError):
    """An annotator of a project that is not collaborative exports only their own annotations
    (`?annotator_id=` their id, or `me`): the others' are not theirs to see."""

    error_code = "export_own_annotations_only"

    def __init__(self, project_id: int) -> None:
        super().__init__(project_id=project_id)


class AgreementNotVisible(PermissionDeniedError):
    """Agreement compares annotators with each other: for the project's managers and reviewers."""

    error_code = "agreement_not_visible"

    def __init__(self, project_id: int) -> None:
        super().__init__(project_id=project_id)
