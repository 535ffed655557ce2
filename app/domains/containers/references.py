"""Image references read the way the Docker engine reads them.

The allowlist must judge the image the engine will use, not the string a client sent:
`docker.io/registry.local/team/app` looks like `registry.local`'s, but the engine pulls it
from Docker Hub. The rules are Docker's own (`distribution/reference`): the first part is
a registry if it holds a '.' or ':', is `localhost` or has capitals; otherwise the image is
Docker Hub's, under `library/` when it has no namespace; the tag is `latest` unless a tag
or a digest is given, and a digest wins over a tag.
"""

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
LEGACY_DOCKER_HUB = "index.docker.io"  # Docker reads it as docker.io
OFFICIAL_NAMESPACE = "library/"
DEFAULT_TAG = "latest"
# Docker's reference grammar (`distribution/reference`), anchored: a name with `..`, an empty
# or upper-case path component or a stray character is no reference, and is refused before
# the engine (whose lookup URL would read `a/../b` as `b`) sees it. ASCII classes only.
_ALPHANUMERIC = r"[a-z0-9]+"
_PATH_COMPONENT = rf"{_ALPHANUMERIC}(?:(?:[._]|__|-+){_ALPHANUMERIC})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE_PATTERN = rf"^(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*(?::{_TAG})?(?:@{_DIGEST})?$"
REFERENCE_MAX_LENGTH = 255

# The engine takes these as image ids (or id prefixes), whatever the allowlist says of names.
IMAGE_ID = re.compile(r"(sha256:)?[a-f0-9]{12,64}")


@dataclass(frozen=True, slots=True)
class ImageName:
    """One image reference, in Docker's full form: registry, path, and a tag or a digest."""

    registry: str
    path: str
    tag: str | None  # None when a digest names the image
    digest: str | None = None

    @property
    def repository(self) -> str:
        return f"{self.registry}/{self.path}"

    @property
    def canonical(self) -> str:
        """What to hand the engine: it reads this one way, never as an image id."""
        return f"{self.repository}@{self.digest}" if self.digest else f"{self.repository}:{self.tag}"

    def names(self) -> set[str]:
        """Every name the engine reads as this very image, with and without its tag or digest:
        `busybox` is also `library/busybox` and `docker.io/library/busybox`; Docker Hub's
        `registry.local/team/app` is only `docker.io/registry.local/team/app`, since without
        `docker.io/` the engine would read `registry.local` as the registry."""
        repositories = {self.repository}
        if self.registry == DOCKER_HUB and parse_image_name(self.path).repository == self.repository:
            repositories.add(self.path)
        suffix = f"@{self.digest}" if self.digest else f":{self.tag}"
        return repositories | {f"{repository}{suffix}" for repository in repositories}


def parse_image_name(reference: str) -> ImageName:
    name, _, digest = reference.partition("@")
    tag: str | None = DEFAULT_TAG
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    if digest:
        tag = None  # the engine looks up and pulls by the digest alone
    first, _, rest = name.partition("/")
    if rest and (any(mark in first for mark in ".:") or first == "localhost" or first != first.lower()):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, name
    if registry == LEGACY_DOCKER_HUB:
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in path:
        path = f"{OFFICIAL_NAMESPACE}{path}"
    return ImageName(registry=registry, path=path, tag=tag, digest=digest or None)
