"""`ContainerRuntime` on a Docker engine, through aiodocker.

The only module that knows Docker's JSON: Keel's specs become create bodies, Docker's answers
become Keel's types, and the engine's failures become domain errors (its own words are
logged, never sent to clients).
"""

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import aiodocker
import aiohttp
import structlog
from aiodocker.exceptions import DockerError
from aiodocker.multiplexed import multiplexed_result_stream

from app.core.errors import AppError
from app.domains.containers.errors import (
    ContainerNameTaken,
    ContainerNotFound,
    DockerUnavailable,
    ImageInUse,
    ImageNotFound,
    RuntimeConflict,
    RuntimeFailed,
    RuntimeRejected,
)
from app.domains.containers.ports import (
    Container,
    ContainerSpec,
    ContainerState,
    Image,
    LogRequest,
    PublishedPort,
    PullProgress,
    StatsSnapshot,
    VolumeMount,
)

logger = structlog.get_logger("keel.containers")

# aiodocker reports a connection it could not make as this pseudo status.
UNREACHABLE_STATUS = 900
NANO = 1_000_000_000
HOST_MODE_KEYS = {"network": "NetworkMode", "pid": "PidMode", "ipc": "IpcMode", "uts": "UTSMode"}


class DockerRuntime:
    def __init__(self, docker: aiodocker.Docker) -> None:
        self.docker = docker

    async def ping(self) -> None:
        """Any failure is "unavailable" here: a readiness probe answers 503, never a 500."""
        try:
            with _engine_errors():
                await self.docker.version()
        except AppError as error:
            raise DockerUnavailable(reason=error.error_code) from error

    async def list_containers(self, *, labels: Mapping[str, str]) -> list[Container]:
        filters = {"label": [f"{key}={value}" for key, value in labels.items()]} if labels else None
        with _engine_errors():
            found = await self.docker.containers.list(all=True, filters=filters or {})
        return [_summary(container._container) for container in found]

    async def inspect(self, container_id: str) -> Container:
        with _engine_errors(container_id=container_id):
            container = await self.docker.containers.get(container_id)
        return _details(container._container)

    async def create(self, spec: ContainerSpec) -> Container:
        with _engine_errors(image=spec.image, name=spec.name):
            created = await self.docker.containers.create(_create_body(spec), name=spec.name)
        return await self.inspect(created.id)

    async def start(self, container_id: str) -> None:
        with _engine_errors(container_id=container_id):
            await self.docker.containers.container(container_id).start()

    async def stop(self, container_id: str, *, timeout_seconds: int) -> None:
        with _engine_errors(container_id=container_id):
            await self.docker.containers.container(container_id).stop(t=timeout_seconds)

    async def restart(self, container_id: str, *, timeout_seconds: int) -> None:
        with _engine_errors(container_id=container_id):
            await self.docker.containers.container(container_id).restart(t=timeout_seconds)

    async def remove(self, container_id: str, *, force: bool) -> None:
        with _engine_errors(container_id=container_id):
            await self.docker.containers.container(container_id).delete(force=force, v=True)

    async def logs(self, container_id: str, request: LogRequest) -> list[str]:
        with _engine_errors(container_id=container_id):
            chunks = await self.docker.containers.container(container_id).log(
                stdout=True, stderr=True, follow=False, **_log_params(request)
            )
        return "".join(chunks).splitlines()

    async def follow_logs(self, container_id: str, request: LogRequest) -> AsyncIterator[str]:
        """Lines until the container stops or the caller closes this iterator.

        aiodocker's own follow never closes its response, so a follower that leaves would
        keep an engine connection until the container stopped: the request is made here
        and its response closed, whatever ends the stream.
        """
        with _engine_errors(container_id=container_id):
            shown = await self.docker.containers.get(container_id)
            tty = bool(shown._container["Config"].get("Tty"))  # a terminal's output is not multiplexed
            params = {"stdout": True, "stderr": True, "follow": True, **_log_params(request)}
            query = self.docker._query(f"containers/{container_id}/logs", params=params, timeout=None)
            async with query as response:
                try:
                    pending = ""
                    chunks = multiplexed_result_stream(response, is_tty=tty)  # type: ignore[no-untyped-call]
                    async for chunk in chunks:
                        *lines, pending = (pending + chunk).split("\n")
                        for line in lines:
                            yield line
                    if pending:
                        yield pending
                finally:
                    response.close()

    async def stats(self, container_id: str) -> StatsSnapshot:
        with _engine_errors(container_id=container_id):
            samples = await self.docker.containers.container(container_id).stats(stream=False)
        return _stats(samples[0])

    async def list_images(self) -> list[Image]:
        with _engine_errors():
            found = await self.docker.images.list()
        return [_image(image) for image in found]

    async def inspect_image(self, reference: str) -> Image:
        with _engine_errors(image=reference):
            return _image(await self.docker.images.inspect(reference))

    async def pull_image(self, reference: str) -> AsyncIterator[PullProgress]:
        with _engine_errors(image=reference):
            async for step in self.docker.images.pull(reference, stream=True):
                detail = step.get("progressDetail") or {}
                yield PullProgress(
                    layer=step.get("id"),
                    status=str(step.get("status", "")),
                    current=detail.get("current"),
                    total=detail.get("total"),
                )

    async def remove_image(self, image: str, *, force: bool) -> None:
        with _engine_errors(image=image):
            await self.docker.images.delete(image, force=force)

    async def close(self) -> None:
        await self.docker.close()


@contextmanager
def _engine_errors(
    *, container_id: str | None = None, image: str | None = None, name: str | None = None
) -> Iterator[None]:
    """Docker's failures as domain errors, judged by what the call was about."""
    try:
        yield
    except DockerError as error:
        raise _domain_error(error, container_id=container_id, image=image, name=name) from error
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        logger.warning("docker_unreachable", error=repr(error))
        raise DockerUnavailable(reason=repr(error)) from error


def _domain_error(
    error: DockerError, *, container_id: str | None, image: str | None, name: str | None
) -> Exception:
    status, message = error.status, str(error.message)
    if status == UNREACHABLE_STATUS:
        logger.warning("docker_unreachable", error=message)
        return DockerUnavailable(reason=message)
    if status == 404 and container_id is not None:
        return ContainerNotFound(container_id)
    if status == 404 and image is not None:
        return ImageNotFound(image)
    if status == 409 and name is not None:
        return ContainerNameTaken(name)
    if status == 409 and image is not None:
        return ImageInUse(image)
    logger.warning("docker_refused", status=status, error=message)
    if status == 409:
        return RuntimeConflict()
    if 400 <= status < 500:
        return RuntimeRejected()
    return RuntimeFailed()


def _create_body(spec: ContainerSpec) -> dict[str, Any]:
    host = spec.host
    modes = {key: "host" for namespace, key in HOST_MODE_KEYS.items() if namespace in host.host_namespaces}
    host_config: dict[str, Any] = {
        "NetworkMode": spec.network,
        "Memory": spec.memory_bytes,
        "MemorySwap": spec.memory_bytes,  # no swap beyond the memory limit
        "NanoCpus": int(spec.cpus * NANO),
        "PidsLimit": spec.pids_limit,
        "Privileged": host.privileged,
        "CapAdd": list(host.add_capabilities),
        "Devices": [
            {"PathOnHost": path, "PathInContainer": path, "CgroupPermissions": "rwm"} for path in host.devices
        ],
        "Binds": list(host.bind_mounts),
        "Mounts": [
            {"Type": "volume", "Source": mount.volume, "Target": mount.target, "ReadOnly": mount.read_only}
            for mount in spec.volumes
        ],
        # Always on: a process in the container can never gain privileges (setuid binaries).
        "SecurityOpt": ["no-new-privileges:true", *host.security_options],
        # Raw sockets (ARP or IP spoofing of the neighbours on a shared network) unless granted.
        "CapDrop": [] if "NET_RAW" in host.add_capabilities else ["NET_RAW"],
        # The engine keeps logs on the host's disk: bounded, so no container can fill it.
        "LogConfig": {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "3"}},
        "PortBindings": {
            f"{port.container_port}/{port.protocol}": [
                {"HostIp": port.host_ip, "HostPort": str(port.host_port or "")}
            ]
            for port in spec.ports
        },
        "RestartPolicy": {"Name": "no"},
        **modes,
    }
    return {
        "Image": spec.image,
        "Cmd": list(spec.command) if spec.command else None,
        "Env": [f"{key}={value}" for key, value in spec.env.items()],
        "Labels": dict(spec.labels),
        "ExposedPorts": {f"{port.container_port}/{port.protocol}": {} for port in spec.ports},
        "HostConfig": host_config,
    }


def _summary(raw: Mapping[str, Any]) -> Container:
    """A container from the listing, which carries no limits."""
    names = raw.get("Names") or ["/"]
    return Container(
        id=raw["Id"],
        name=names[0].lstrip("/"),
        image=raw.get("Image", ""),
        state=_state(raw.get("State")),
        labels=raw.get("Labels") or {},
        created_at=datetime.fromtimestamp(int(raw.get("Created") or 0), UTC),
    )


def _details(raw: Mapping[str, Any]) -> Container:
    config, host, state = raw.get("Config") or {}, raw.get("HostConfig") or {}, raw.get("State") or {}
    bindings = host.get("PortBindings") or {}
    return Container(
        id=raw["Id"],
        name=str(raw.get("Name", "")).lstrip("/"),
        image=config.get("Image", ""),
        state=_state(state.get("Status")),
        labels=config.get("Labels") or {},
        created_at=_timestamp(raw.get("Created")) or datetime.fromtimestamp(0, UTC),
        command=tuple(config["Cmd"]) if config.get("Cmd") else None,
        memory_bytes=int(host.get("Memory") or 0),
        cpus=int(host.get("NanoCpus") or 0) / NANO,
        pids_limit=int(host.get("PidsLimit") or 0),
        ports=tuple(
            PublishedPort(
                container_port=int(port.split("/")[0]),
                protocol=port.split("/")[1] if "/" in port else "tcp",
                host_ip=binding.get("HostIp") or "",
                host_port=int(binding["HostPort"]) if binding.get("HostPort") else None,
            )
            for port, port_bindings in bindings.items()
            for binding in port_bindings or ()
        ),
        volumes=tuple(
            VolumeMount(volume=mount.get("Name", ""), target=mount["Destination"], read_only=not mount["RW"])
            for mount in raw.get("Mounts") or ()
            if mount.get("Type") == "volume"
        ),
        started_at=_timestamp(state.get("StartedAt")),
        finished_at=_timestamp(state.get("FinishedAt")),
        exit_code=state.get("ExitCode") if state.get("Status") in ("exited", "dead") else None,
    )


def _image(raw: Mapping[str, Any]) -> Image:
    """An image from the listing or from inspect (which gives its creation as a time, not seconds)."""
    created = raw.get("Created")
    if isinstance(created, str):
        created_at = _timestamp(created) or datetime.fromtimestamp(0, UTC)
    else:
        created_at = datetime.fromtimestamp(int(created or 0), UTC)
    return Image(
        id=raw["Id"],
        tags=tuple(tag for tag in raw.get("RepoTags") or () if tag != "<none>:<none>"),
        size_bytes=int(raw.get("Size") or 0),
        created_at=created_at,
        digests=tuple(digest for digest in raw.get("RepoDigests") or () if digest != "<none>@<none>"),
    )


def _stats(raw: Mapping[str, Any]) -> StatsSnapshot:
    cpu, previous = raw.get("cpu_stats") or {}, raw.get("precpu_stats") or {}
    used = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (previous.get("cpu_usage") or {}).get(
        "total_usage", 0
    )
    elapsed = cpu.get("system_cpu_usage", 0) - previous.get("system_cpu_usage", 0)
    cores = cpu.get("online_cpus") or 1
    memory = raw.get("memory_stats") or {}
    # What the kernel could drop at once is not the container's: `docker stats` subtracts it too.
    reclaimable = (memory.get("stats") or {}).get("inactive_file", 0)
    return StatsSnapshot(
        cpu_percent=round(used / elapsed * cores * 100, 2) if used > 0 and elapsed > 0 else 0.0,
        memory_bytes=max(int(memory.get("usage", 0)) - int(reclaimable), 0),
        memory_limit_bytes=int(memory.get("limit", 0)),
        pids=int((raw.get("pids_stats") or {}).get("current", 0)),
        read_at=_timestamp(raw.get("read")) or datetime.now(UTC),
    )


def _log_params(request: LogRequest) -> dict[str, Any]:
    params: dict[str, Any] = {"timestamps": request.timestamps, "tail": request.tail or "all"}
    if request.tail == 0:
        params["tail"] = 0
    if request.since is not None:
        params["since"] = int(request.since.timestamp())
    return params


def _state(value: object) -> ContainerState:
    try:
        return ContainerState(str(value))
    except ValueError:
        return ContainerState.DEAD


def _timestamp(value: object) -> datetime | None:
    """Docker's RFC 3339 times, with nanoseconds; its zero time means never."""
    if not isinstance(value, str) or not value or value.startswith("0001-"):
        return None
    text = value.replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:  # Python reads at most microseconds; the offset follows the fraction's digits
        fraction = rest[: len(rest) - len(rest.lstrip("0123456789"))]
        text = f"{head}.{fraction[:6]}{rest[len(fraction) :]}"
    return datetime.fromisoformat(text)
