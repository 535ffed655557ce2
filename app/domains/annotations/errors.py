"""Annotations errors: stable codes for clients; their messages are in this domain's locales."""

from typing import Any

from app.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnsupportedMediaType,
    ValidationFailed,
)


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


class AnnotationNotFound(NotFoundError):
    """The annotator has not annotated this document, or the caller may not see their annotation."""

    error_code = "annotation_not_found"

    def __init__(self, document_id: int, annotator_id: int) -> None:
        super().__init__(document_id=document_id, annotator_id=annotator_id)


class AnnotatorNotFound(NotFoundError):
    """The user named in the path is not an annotator (or manager) of this project."""

    error_code = "annotator_not_found"

    def __init__(self, user_id: int) -> None:
        super().__init__(user_id=user_id)


class AnnotatorRequired(PermissionDeniedError):
    """The caller is a member of the project, but neither an annotator nor a manager."""

    error_code = "annotator_required"

    def __init__(self, project_id: int) -> None:
        super().__init__(project_id=project_id)


class OwnAnnotationsOnly(PermissionDeniedError):
    """An annotator changes only their own annotations, unless the project is collaborative."""

    error_code = "own_annotations_only"

    def __init__(self, project_id: int) -> None:
        super().__init__(project_id=project_id)


class ReviewerRequired(PermissionDeniedError):
    """The caller is a member of the project, but neither a reviewer nor a manager."""

    error_code = "reviewer_required"

    def __init__(self, project_id: int) -> None:
        super().__init__(project_id=project_id)


class DocumentApproved(ConflictError):
    """An approved document is read only until a reviewer reopens it."""

    error_code = "document_approved"

    def __init__(self, document_id: int) -> None:
        super().__init__(document_id=document_id)


class AlreadyApproved(ConflictError):
    """An approval is given once; reopen the document to review it again."""

    error_code = "already_approved"

    def __init__(self, document_id: int) -> None:
        super().__init__(document_id=document_id)


class DocumentNotApproved(ConflictError):
    """Only an approved document is reopened."""

    error_code = "document_not_approved"

    def __init__(self, document_id: int) -> None:
        super().__init__(document_id=document_id)


class NothingToReview(ConflictError):
    """A document nobody has annotated is neither approved nor rejected."""

    error_code = "nothing_to_review"

    def __init__(self, document_id: int) -> None:
        super().__init__(document_id=document_id)


class InvalidMark(ValidationFailed):
    """A mark the document or the project does not allow; `details.mark` is its index in
    `marks`, counted from 0."""

    def __init__(self, mark: int, **params: int) -> None:
        values: dict[str, Any] = {"mark": mark, **params}
        super().__init__(details=dict(values), **values)


class UnknownLabel(InvalidMark):
    """The mark's label is not in the project's label set."""

    error_code = "unknown_label"

    def __init__(self, mark: int, *, label_id: int) -> None:
        super().__init__(mark, label_id=label_id)


class InvalidSpan(InvalidMark):
    """A span needs 0 <= start < end <= the text's length, in code points."""

    error_code = "invalid_span"

    def __init__(self, mark: int, *, start: int, end: int, length: int) -> None:
        super().__init__(mark, start=start, end=end, length=length)


class SpanRequired(InvalidMark):
    """A spans project's marks each cover a span: `start` and `end` are required."""

    error_code = "span_required"


class SpanNotAllowed(InvalidMark):
    """A classification project's marks label the whole document: no `start`, no `end`."""

    error_code = "span_not_allowed"


class DuplicateMark(InvalidMark):
    """The same mark twice (the same label on the same span, or on the whole document)."""

    error_code = "duplicate_mark"

    def __init__(self, mark: int, *, first: int) -> None:
        super().__init__(mark, first=first)


class OverlappingSpans(InvalidMark):
    """Two spans share characters, in a project that does not allow it."""

    error_code = "overlapping_spans"

    def __init__(self, mark: int, *, other: int) -> None:
        super().__init__(mark, other=other)


class OneLabelExpected(ValidationFailed):
    """A single-label project's annotation is exactly one mark (delete it to clear it)."""

    error_code = "one_label_expected"

    def __init__(self, count: int) -> None:
        super().__init__(details={"count": count}, count=count)


class LabelInUse(ConflictError):
    """Annotations carry the label: deleting it would change them behind their annotators' backs."""

    error_code = "label_in_use"

    def __init__(self, label_id: int) -> None:
        super().__init__(label_id=label_id)


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
