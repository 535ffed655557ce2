"""The containers policy's rules, the pull progress, and the Docker adapter's reading of the
engine's JSON: no engine needed."""

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from app.core.config import Settings
from app.domains.containers.errors import (
    ImageNotAllowed,
    LimitExceeded,
    VolumeTargetNotAbsolute,
    VolumeTargetReserved,
)
from app.domains.containers.policy import MIB, ContainerPolicy, Limits, volume_target
from app.domains.containers.ports import Image, PullProgress
from app.domains.containers.references import parse_image_name
from app.domains.containers.runtimes.docker import _stats, _timestamp
from app.domains.containers.schemas import ContainerCreate
from app.domains.containers.service.owner_lock import OwnerLocks
from app.domains.containers.tasks import PullTracker
from app.infrastructure.cache import MemoryCache

DIGEST = "sha256:" + "a" * 64


def policy(*allowed_images: str) -> ContainerPolicy:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    defaults = ContainerPolicy.from_settings(settings)
    return dataclasses.replace(defaults, allowed_images=allowed_images or defaults.allowed_images)


def request(**fields: Any) -> ContainerCreate:
    return ContainerCreate.model_validate({"image": "busybox", "name": "web", **fields})


# image names


@pytest.mark.parametrize(
    ("reference", "names"),
    [
        (
            "busybox",
            {
                "library/busybox",
                "library/busybox:latest",
                "docker.io/library/busybox",
                "docker.io/library/busybox:latest",
            },
        ),
        (
            "someone/tool:2",
            {"someone/tool", "someone/tool:2", "docker.io/someone/tool", "docker.io/someone/tool:2"},
        ),
        (
            "127.0.0.1:5000/keel/busybox",
            {"127.0.0.1:5000/keel/busybox", "127.0.0.1:5000/keel/busybox:latest"},
        ),
        ("localhost:5000/app:1.2", {"localhost:5000/app", "localhost:5000/app:1.2"}),
    ],
    ids=["docker-hub-short-name", "docker-hub-user-image", "registry-with-port", "registry-port-and-tag"],
)
def test_an_image_goes_by_every_name_that_reaches_it(reference: str, names: set[str]) -> None:
    """Docker Hub images by their library and registry names; a registry's port is no tag."""
    assert parse_image_name(reference).names() == names


def test_a_digest_reference_goes_by_its_digest_not_latest() -> None:
    assert parse_image_name(f"busybox@{DIGEST}").names() == {
        "library/busybox",
        f"library/busybox@{DIGEST}",
        "docker.io/library/busybox",
        f"docker.io/library/busybox@{DIGEST}",
    }
    assert parse_image_name(f"registry.local/team/app@{DIGEST}").names() == {
        "registry.local/team/app",
        f"registry.local/team/app@{DIGEST}",
    }


@pytest.mark.parametrize(
    ("reference", "canonical"),
    [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("docker.io/busybox", "docker.io/library/busybox:latest"),
        ("index.docker.io/library/busybox", "docker.io/library/busybox:latest"),
        ("someone/tool", "docker.io/someone/tool:latest"),
        ("docker.io/registry.local/team/app", "docker.io/registry.local/team/app:latest"),
        ("registry.local/team/app", "registry.local/team/app:latest"),
        ("localhost/app", "localhost/app:latest"),
        ("Team/app", "Team/app:latest"),
        ("127.0.0.1:5000/keel/busybox", "127.0.0.1:5000/keel/busybox:latest"),
        (f"busybox:1.36@{DIGEST}", f"docker.io/library/busybox@{DIGEST}"),
        ("1d8a", "docker.io/library/1d8a:latest"),
    ],
)
def test_a_reference_reads_as_the_engine_reads_it(reference: str, canonical: str) -> None:
    """Docker's defaults: Docker Hub, `library/`, `latest`; a registry by '.', ':', localhost
    or capitals; a digest wins over a tag. The full form is never read as an id prefix."""
    assert parse_image_name(reference).canonical == canonical


def test_a_hub_image_named_like_a_registry_goes_by_its_full_name_only() -> None:
    assert parse_image_name("docker.io/registry.local/team/app").names() == {
        "docker.io/registry.local/team/app",
        "docker.io/registry.local/team/app:latest",
    }


# check_image


@pytest.mark.parametrize(
    "reference", ["busybox", "busybox:1.36", "library/alpine", "docker.io/library/busybox:latest"]
)
def test_library_pattern_allows_official_hub_images(reference: str) -> None:
    policy("library/*").check_image(reference)


@pytest.mark.parametrize(
    "reference", ["someone/busybox", "registry.local/library/busybox", "evil.example/busybox"]
)
def test_library_pattern_refuses_other_namespaces_and_registries(reference: str) -> None:
    with pytest.raises(ImageNotAllowed):
        policy("library/*").check_image(reference)


def test_a_registry_pattern_allows_that_registry_only() -> None:
    allowlist = policy("registry.local/*")

    allowlist.check_image("registry.local/team/app:1.2")
    for reference in (
        "registry.local.evil.example/app",
        "busybox",
        "other.local/team/app",
        "docker.io/registry.local/team/app",  # Docker Hub's, whatever it looks like
        "index.docker.io/registry.local/team/app",
    ):
        with pytest.raises(ImageNotAllowed):
            allowlist.check_image(reference)


def test_a_registry_with_a_port_pattern_matches_its_port_only() -> None:
    allowlist = policy("127.0.0.1:5000/keel/*")

    allowlist.check_image("127.0.0.1:5000/keel/busybox:latest")
    allowlist.check_image(f"127.0.0.1:5000/keel/busybox@{DIGEST}")
    for reference in ("127.0.0.1:5001/keel/busybox", "127.0.0.1:5000/other/busybox", "keel/busybox"):
        with pytest.raises(ImageNotAllowed):
            allowlist.check_image(reference)


def test_a_tag_pattern_allows_that_tag_only() -> None:
    allowlist = policy("library/busybox:1.36")

    allowlist.check_image("busybox:1.36")
    allowlist.check_image("docker.io/library/busybox:1.36")
    for reference in ("busybox", "busybox:latest", "busybox:1.36.1", "busybox:1.3"):
        with pytest.raises(ImageNotAllowed):
            allowlist.check_image(reference)


def test_a_tag_pattern_is_not_satisfied_by_a_tag_with_any_digest() -> None:
    with pytest.raises(ImageNotAllowed):
        policy("library/busybox:1.36").check_image(f"busybox:1.36@{DIGEST}")


def test_a_resolved_image_must_go_by_an_allowed_name() -> None:
    allowlist = policy("library/*")
    created = datetime(2026, 1, 1, tzinfo=UTC)
    busybox = Image(id=DIGEST, tags=("busybox:latest",), size_bytes=1, created_at=created)
    pulled_by_digest = Image(
        id=DIGEST, tags=(), size_bytes=1, created_at=created, digests=(f"busybox@{DIGEST}",)
    )
    other = Image(id=DIGEST, tags=("evil.example/miner:latest",), size_bytes=1, created_at=created)
    untagged = Image(id=DIGEST, tags=(), size_bytes=1, created_at=created)

    allowlist.check_resolved(busybox, reference="busybox")
    allowlist.check_resolved(pulled_by_digest, reference="busybox")
    for image in (other, untagged):
        with pytest.raises(ImageNotAllowed):
            allowlist.check_resolved(image, reference="cafe")


def test_a_refused_image_is_named_in_the_error() -> None:
    with pytest.raises(ImageNotAllowed) as refused:
        policy("library/*").check_image("evil.example/miner")

    assert refused.value.params["image"] == "evil.example/miner"


# volume targets


@pytest.mark.parametrize(
    ("target", "cleaned"),
    [
        ("/data", "/data"),
        ("/data/", "/data"),
        ("//data//x/./y/", "/data/x/y"),
        ("/proc/../x", "/x"),
        ("/a b", "/a b"),
        ("/procs", "/procs"),
        ("/etc", "/etc"),
        ("/etc/hosts.d", "/etc/hosts.d"),
    ],
)
def test_a_volume_target_is_cleaned_as_the_engine_cleans_it(target: str, cleaned: str) -> None:
    assert volume_target(target) == cleaned


@pytest.mark.parametrize(
    "target", ["//", "/proc/self/../sys", "/sys/", "/etc/./hosts", "/dev/pts/0", "///dev"]
)
def test_a_volume_over_the_kernel_or_the_engines_own_files_is_refused(target: str) -> None:
    with pytest.raises(VolumeTargetReserved) as refused:
        volume_target(target)

    assert refused.value.details == {"target": target}


@pytest.mark.parametrize("target", ["data", "./data", "../proc", "proc", " /data"])
def test_a_relative_volume_target_is_refused(target: str) -> None:
    with pytest.raises(VolumeTargetNotAbsolute):
        volume_target(target)


# limits


def test_limits_default_to_the_policys_defaults() -> None:
    assert policy().limits(request()) == Limits(memory_bytes=256 * MIB, cpus=1.0, pids=256)


def test_limits_at_their_maxima_are_allowed() -> None:
    limits = policy().limits(request(memory_mb=1024, cpus=2, pids_limit=1024))

    assert limits == Limits(memory_bytes=1024 * MIB, cpus=2.0, pids=1024)


@pytest.mark.parametrize(
    ("limit", "requested", "maximum"),
    [("memory_mb", 1025, 1024), ("cpus", 2.5, 2.0), ("pids_limit", 1025, 1024)],
)
def test_a_limit_above_its_maximum_is_refused_by_name(limit: str, requested: float, maximum: float) -> None:
    with pytest.raises(LimitExceeded) as refused:
        policy().limits(request(**{limit: requested}))

    assert refused.value.details == {"limit": limit, "requested": requested, "maximum": maximum}


# PullTracker


def step(
    layer: str | None, status: str, current: int | None = None, total: int | None = None
) -> PullProgress:
    return PullProgress(layer=layer, status=status, current=current, total=total)


def test_no_layers_yet_is_zero_percent() -> None:
    tracker = PullTracker()
    tracker.update(step(None, "Digest: sha256:abc"))

    assert tracker.percent == 0
    assert tracker.last_status == "Digest: sha256:abc"


def test_progress_averages_the_layers_bytes() -> None:
    tracker = PullTracker()
    tracker.update(step("a", "Pulling fs layer"))
    tracker.update(step("b", "Pulling fs layer"))
    tracker.update(step("a", "Downloading", current=50, total=100))

    assert tracker.percent == 25


def test_a_layers_progress_never_goes_back() -> None:
    tracker = PullTracker()
    tracker.update(step("a", "Downloading", current=80, total=100))
    tracker.update(step("a", "Extracting", current=10, total=100))

    assert tracker.percent == 80


@pytest.mark.parametrize("status", ["Pull complete", "Already exists", "Download complete"])
def test_a_done_status_completes_its_layer(status: str) -> None:
    tracker = PullTracker()
    tracker.update(step("a", status))
    tracker.update(step("b", "Pulling fs layer"))

    assert tracker.percent == 50


def test_progress_stops_at_99_until_the_job_finishes() -> None:
    tracker = PullTracker()
    tracker.update(step("a", "Pull complete"))
    tracker.update(step("b", "Already exists"))

    assert tracker.percent == 99


def test_the_pulling_from_step_is_not_a_layer() -> None:
    tracker = PullTracker()
    tracker.update(step("latest", "Pulling from keel/busybox"))  # as the engine sends it
    tracker.update(step("a", "Pulling fs layer"))
    tracker.update(step("a", "Pull complete"))

    assert tracker.percent == 99


# _timestamp


def test_docker_zero_time_means_never() -> None:
    assert _timestamp("0001-01-01T00:00:00Z") is None


@pytest.mark.parametrize("value", [None, "", 1700000000])
def test_no_time_is_none(value: object) -> None:
    assert _timestamp(value) is None


def test_a_time_without_fraction_is_read_in_utc() -> None:
    assert _timestamp("2024-05-06T07:08:09Z") == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_nanoseconds_are_cut_to_microseconds() -> None:
    moment = _timestamp("2024-05-06T07:08:09.123456789Z")

    assert moment is not None
    assert (moment.second, moment.microsecond) == (9, 123456)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-06T07:08:09.123456789Z", datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)),
        ("2024-05-06T09:08:09.5+02:00", datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=UTC)),
    ],
)
def test_a_time_with_a_fraction_keeps_its_time_zone(value: str, expected: datetime) -> None:
    moment = _timestamp(value)

    assert moment is not None
    assert moment.tzinfo is not None
    assert moment == expected


# _stats


def sample(**overrides: Any) -> dict[str, Any]:
    """One `docker stats --no-stream` sample: 2 cores, 20% of the machine's time since the last."""
    return {
        "read": "2024-05-06T07:08:09Z",
        "cpu_stats": {"cpu_usage": {"total_usage": 3_000}, "system_cpu_usage": 20_000, "online_cpus": 2},
        "precpu_stats": {"cpu_usage": {"total_usage": 1_000}, "system_cpu_usage": 10_000},
        "memory_stats": {"usage": 100 * MIB, "limit": 256 * MIB, "stats": {"inactive_file": 30 * MIB}},
        "pids_stats": {"current": 3},
        **overrides,
    }


def test_stats_compute_cpu_percent_of_one_core() -> None:
    assert _stats(sample()).cpu_percent == 40.0  # 2000 / 10000 of the machine, times 2 cores


def test_stats_leave_out_reclaimable_page_cache() -> None:
    snapshot = _stats(sample())

    assert snapshot.memory_bytes == 70 * MIB
    assert snapshot.memory_limit_bytes == 256 * MIB
    assert snapshot.pids == 3
    assert snapshot.read_at == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_stats_with_no_cpu_time_used_are_zero_cpu() -> None:
    idle = {"cpu_usage": {"total_usage": 1_000}, "system_cpu_usage": 20_000, "online_cpus": 2}

    assert _stats(sample(cpu_stats=idle)).cpu_percent == 0.0


def test_stats_of_a_stopped_container_are_zeros() -> None:
    snapshot = _stats(
        {"read": "0001-01-01T00:00:00Z", "cpu_stats": {}, "precpu_stats": {}, "memory_stats": {}}
    )

    assert (snapshot.cpu_percent, snapshot.memory_bytes, snapshot.memory_limit_bytes, snapshot.pids) == (
        0.0,
        0,
        0,
        0,
    )


@pytest.mark.parametrize(
    "reference",
    ["sha256:" + "a" * 64, "a" * 64, "0123456789ab"],
)
def test_image_ids_are_never_allowed_by_name_patterns(reference: str) -> None:
    with pytest.raises(ImageNotAllowed):
        policy("*").check_image(reference)


# OwnerLocks


async def test_an_owner_lock_is_released_by_its_holder_only() -> None:
    cache = MemoryCache()
    key = "containers:keel:creating:7"

    async with OwnerLocks(cache, instance="keel").creating(7):
        await cache.set(key, "the next create's")  # ours lapsed meanwhile and another took it

    assert await cache.get(key) == "the next create's"


async def test_an_owner_lock_is_free_again_after_its_holder_is_done() -> None:
    cache = MemoryCache()
    locks = OwnerLocks(cache, instance="keel")

    async with locks.creating(7):
        pass
    async with locks.creating(7):
        assert await cache.get("containers:keel:creating:7") is not None
