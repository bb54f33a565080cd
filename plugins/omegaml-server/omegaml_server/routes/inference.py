"""The Open Inference Protocol (KServe v2): health, model metadata, readiness and ``infer``.

Inputs become the model's X: one input of shape ``[n, k]`` is an array, several
inputs of shape ``[n]`` or ``[n, 1]`` are the columns of a frame named after
them. The requested output names choose the method (``predict`` by default;
``predict_proba``, ``decision_function``, ``transform``). Tensor data comes as
JSON or in the binary extension (``Inference-Header-Content-Length``), and
outputs go back in binary when requested (``binary_data``), as tritonclient does by default.
"""

import json
from typing import Any

from .. import execution
from ..problems import Problem

DTYPES = {"BOOL": "bool", "UINT8": "uint8", "UINT16": "uint16", "UINT32": "uint32", "UINT64": "uint64",
          "INT8": "int8", "INT16": "int16", "INT32": "int32", "INT64": "int64", "FP16": "float16",
          "FP32": "float32", "FP64": "float64", "BYTES": "object"}
OUTPUT_METHODS = ("predict", "predict_proba", "decision_function", "transform")
HEADER_LENGTH = "inference-header-content-length"


def _bad(detail: str) -> Problem:
    return Problem(400, detail=detail)


def parse_request(body: bytes, header_length: str | None) -> tuple[dict, bytes]:
    """The JSON part of an infer request and the binary tensor data that follows it."""
    if header_length is not None:
        try:
            size = int(header_length)
        except ValueError:
            raise _bad("Inference-Header-Content-Length must be a number of bytes") from None
        if not 0 < size <= len(body):
            raise _bad(f"Inference-Header-Content-Length {size} does not fit the body of {len(body)} bytes")
        head, rest = body[:size], body[size:]
    else:
        head, rest = body, b""
    try:
        request = json.loads(head)
    except ValueError as exc:
        raise _bad(f"the infer request is not valid JSON: {exc}") from None
    if not isinstance(request, dict) or not isinstance(request.get("inputs"), list) or not request["inputs"]:
        raise _bad("an infer request needs \"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, ...]")
    return request, rest


def tensor(spec: Any, binary: memoryview, offset: int) -> tuple[Any, int]:
    """One input as a numpy array, and the offset of the next binary tensor."""
    import numpy as np

    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise _bad("each input needs a \"name\", a \"shape\", a \"datatype\" and \"data\"")
    name, shape, datatype = spec["name"], spec.get("shape"), spec.get("datatype")
    if datatype not in DTYPES:
        raise _bad(f"input {name!r}: datatype {datatype!r} is not known; use one of {', '.join(DTYPES)}")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                               for d in shape) or not 1 <= len(shape) <= 2:
        raise _bad(f"input {name!r}: shape must be a list of one or two non-negative integers, e.g. [2, 4]")
    size = (spec.get("parameters") or {}).get("binary_data_size")
    count = int(np.prod(shape))
    if size is not None:
        if datatype == "BYTES":
            raise _bad(f"input {name!r}: send BYTES tensors as JSON data, not binary")
        if not isinstance(size, int) or size < 0 or offset + size > len(binary):
            raise _bad(f"input {name!r}: binary_data_size {size!r} does not fit the binary data sent")
        array = np.frombuffer(binary[offset:offset + size], dtype=DTYPES[datatype])
        offset += size
    else:
        if "data" not in spec:
            raise _bad(f"input {name!r} has no \"data\"")
        try:
            array = np.asarray(spec["data"], dtype=DTYPES[datatype]).reshape(-1)
        except (ValueError, TypeError) as exc:
            raise _bad(f"input {name!r}: data does not match datatype {datatype}: {exc}") from None
    if array.size != count:
        raise _bad(f"input {name!r}: {array.size} values do not fill shape {shape}")
    return array.reshape(shape), offset


def model_input(inputs: list, binary: bytes) -> Any:
    """X for the model: one 2-D input as an array, else a frame of one column per input."""
    import pandas as pd

    view, offset, arrays = memoryview(binary), 0, {}
    for spec in inputs:
        array, offset = tensor(spec, view, offset)
        if spec["name"] in arrays:
            raise _bad(f"input {spec['name']!r} is given twice; input names must be unique")
        arrays[spec["name"]] = array
    if len(arrays) == 1:
        (array,) = arrays.values()
        return array if array.ndim == 2 else array.reshape(-1, 1)
    lengths = {a.shape[0] for a in arrays.values()}
    if len(lengths) != 1 or any(a.ndim == 2 and a.shape[1] != 1 for a in arrays.values()):
        raise _bad("several inputs must each have shape [n] or [n, 1] with the same n (one column each)")
    return pd.DataFrame({name: a.reshape(-1) for name, a in arrays.items()})


def requested_outputs(request: dict) -> list[tuple[str, bool]]:
    """``(method, binary)`` for each requested output; ``predict`` if none are named."""
    default_binary = bool((request.get("parameters") or {}).get("binary_data_output", False))
    outputs = request.get("outputs") or [{"name": "predict"}]
    if not isinstance(outputs, list):
        raise _bad("\"outputs\" must be a list of {\"name\": ...}")
    found = []
    for spec in outputs:
        name = spec.get("name") if isinstance(spec, dict) else None
        if name not in OUTPUT_METHODS:
            raise _bad(f"output {name!r} is not known; ask for one of {', '.join(OUTPUT_METHODS)}")
        found.append((name, bool((spec.get("parameters") or {}).get("binary_data", default_binary))))
    return found


def datatype_of(array: Any) -> str:
    for name, dtype in DTYPES.items():
        if name != "BYTES" and array.dtype == dtype:
            return name
    return "BYTES"


def infer(omega: Any, model: str, version: str | None, body: bytes, header_length: str | None) -> tuple[bytes, dict]:
    """Run the request; the response body and its headers."""
    import numpy as np

    request, binary = parse_request(body, header_length)
    x = model_input(request["inputs"], binary)
    name = f"{model}@{version}" if version else model
    omega.models.metadata(name)  # 404 before any work for a model that does not exist
    head: dict[str, Any] = {"model_name": model, "outputs": []}
    if version:
        head["model_version"] = version
    if "id" in request:
        head["id"] = str(request["id"])
    chunks = []
    for method, as_binary in requested_outputs(request):
        array = np.asarray(execution.run(omega, name, method, [x], {}))
        datatype = datatype_of(array)
        output: dict[str, Any] = {"name": method, "datatype": datatype, "shape": list(array.shape)}
        if as_binary and datatype != "BYTES":
            data = np.ascontiguousarray(array).tobytes()
            output["parameters"] = {"binary_data_size": len(data)}
            chunks.append(data)
        else:
            output["data"] = [str(v) for v in array.reshape(-1)] if datatype == "BYTES" else array.reshape(-1).tolist()
        head["outputs"].append(output)
    encoded = json.dumps(head).encode("utf-8")
    if not chunks:
        return encoded, {"content-type": "application/json"}
    return encoded + b"".join(chunks), {"content-type": "application/octet-stream",
                                        "Inference-Header-Content-Length": str(len(encoded))}


def routes(api: Any) -> Any:
    """The ``/v2`` router (mounted at the root, not under ``/api/v1``)."""
    from fastapi import APIRouter, Depends, Request
    from fastapi.responses import Response

    from omegaml_core import __version__

    router = APIRouter(prefix="/v2", tags=["inference (KServe v2)"])

    @router.get("", summary="Server metadata")
    async def server_metadata() -> dict:
        return {"name": "omegaml", "version": __version__, "extensions": ["binary_tensor_data"]}

    @router.get("/health/live", summary="The server is up")
    async def live() -> dict:
        return {"live": True}

    @router.get("/health/ready", summary="The server can serve requests")
    async def ready() -> dict:
        return {"ready": True}

    async def run_infer(request: Request, name: str, version: str | None) -> Response:
        body = await request.body()

        def handle() -> tuple[bytes, dict]:
            # authorization and inference share one worker thread: the hot path
            omega = api.authorize(request, "read")
            return infer(omega, name, version, body, request.headers.get(HEADER_LENGTH))

        content, headers = await api.run_async(api.call, handle)
        media = headers.pop("content-type")
        return Response(content, media_type=media, headers=headers)

    @router.post("/models/{name:path}/versions/{version}/infer", summary="Infer with a model version")
    async def infer_version(request: Request, name: str, version: str) -> Response:
        return await run_infer(request, name, version)

    @router.post("/models/{name:path}/infer", summary="Infer")
    async def infer_latest(request: Request, name: str) -> Response:
        return await run_infer(request, name, None)

    @router.get("/models/{name:path}/versions/{version}/ready", summary="A model version is ready")
    async def version_ready(name: str, version: str, omega: Any = Depends(api.omega("read"))) -> dict:
        await api.run_async(api.call, omega.models.metadata, f"{name}@{version}")
        return {"name": name, "version": version, "ready": True}

    @router.get("/models/{name:path}/ready", summary="A model is ready")
    async def model_ready(name: str, omega: Any = Depends(api.omega("read"))) -> dict:
        await api.run_async(api.call, omega.models.metadata, name)
        return {"name": name, "ready": True}

    @router.get("/models/{name:path}/versions/{version}", summary="A model version's metadata")
    async def version_metadata(name: str, version: str, omega: Any = Depends(api.omega("read"))) -> dict:
        return await api.run_async(api.call, metadata, omega, name, version)

    @router.get("/models/{name:path}", summary="A model's metadata")
    async def model_metadata(name: str, omega: Any = Depends(api.omega("read"))) -> dict:
        return await api.run_async(api.call, metadata, omega, name, None)

    return router


def metadata(omega: Any, name: str, version: str | None) -> dict:
    from omegaml_core.versioning import versions

    meta = omega.models.metadata(f"{name}@{version}" if version else name)
    numbers = [str(v.attributes.get("version")) for v in versions(omega.models, name)]
    return {"name": name, "versions": numbers, "platform": f"omegaml:{meta.kind}", "inputs": [],
            "outputs": [{"name": m, "datatype": "FP64", "shape": [-1]} for m in OUTPUT_METHODS]}
