"""What each field type of `--field name:type` becomes in a generated domain.

One row per type: its column in the model and in the migration, its types in the schemas,
and the values the generated tests send. The first `str` field is unique per owner.
"""

from dataclasses import dataclass

# Integers are INTEGER on PostgreSQL: a larger one would overflow the driver into a 500.
INT_BOUNDS = "Field(ge=-2_147_483_648, le=2_147_483_647)"


@dataclass(frozen=True, slots=True)
class FieldType:
    model_annotation: str  # Mapped[...] in models.py
    column: str  # mapped_column(...) arguments
    migration: str  # sa.Column(name, ...) arguments
    create: str  # annotation and default in <Thing>Create
    update: str  # annotation in <Thing>Update (always optional)
    read: str  # annotation in <Thing>Read
    nullable: bool
    sample: str  # a valid JSON value, as Python
    other: str  # another valid one, different from `sample`
    invalid: tuple[str, ...]  # values the API refuses with a 422
    documented: str  # its row in the domain's README: what it takes, and its default
    alias: str = ""  # the schemas' alias it uses, if any


FIELD_TYPES: dict[str, FieldType] = {
    "str": FieldType(
        model_annotation="str",
        column="String(200)",
        migration="sa.String(length=200), nullable=False",
        create="ShortText",
        update="ShortText | None = None",
        read="str",
        nullable=False,
        sample='"first"',
        other='"second"',
        invalid=('""', '"   "', '"x" * 201', "None"),
        documented="text, 1 to 200 characters, trimmed | required",
        alias="ShortText",
    ),
    "text": FieldType(
        model_annotation="str",
        column='Text, default=""',
        migration="sa.Text(), nullable=False",
        create='LongText = ""',
        update="LongText | None = None",
        read="str",
        nullable=False,
        sample='"some text"',
        other='"other text"',
        invalid=('"x" * 10_001', "7"),
        documented='text, up to 10,000 characters | optional, `""`',
        alias="LongText",
    ),
    "int": FieldType(
        model_annotation="int",
        column="default=0",
        migration="sa.Integer(), nullable=False",
        create="Number = 0",
        update="Number | None = None",
        read="int",
        nullable=False,
        sample="7",
        other="8",
        invalid=('"many"', "2**31", "1.5"),
        documented="integer (32-bit) | optional, `0`",
        alias="Number",
    ),
    "bool": FieldType(
        model_annotation="bool",
        column="default=False",
        migration="sa.Boolean(), nullable=False",
        create="bool = False",
        update="bool | None = None",
        read="bool",
        nullable=False,
        sample="True",
        other="False",
        invalid=('"maybe"',),
        documented="boolean | optional, `false`",
    ),
    "datetime": FieldType(
        model_annotation="datetime | None",
        column="",
        migration="sa.DateTime(timezone=True), nullable=True",
        create="Moment | None = None",
        update="Moment | None = None",
        read="datetime | None",
        nullable=True,
        sample='"2030-01-02T03:04:05Z"',
        other='"2031-02-03T04:05:06Z"',
        invalid=('"2030-01-02T03:04:05"', '"tomorrow"'),  # naive: which zone is meant?
        documented="moment with a time zone (ISO 8601), or null | optional, `null`",
    ),
}

# The schemas' aliases, in the order they are written.
ALIASES = {
    "ShortText": "Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]",
    "LongText": "Annotated[str, StringConstraints(max_length=10_000)]",
    "Number": f"Annotated[int, {INT_BOUNDS}]",
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str

    @property
    def kind(self) -> FieldType:
        return FIELD_TYPES[self.type]
