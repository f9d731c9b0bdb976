"""TF1's session configuration messages: `ConfigProto`, `GPUOptions`, `GraphOptions`,
`OptimizerOptions`, `RunOptions`, `RunMetadata`.

They behave like TF1's protocol-buffer messages as far as Python code sees them: keyword-only
construction with TF1's field names and defaults, attribute access, nested messages that exist
from the start (``config.gpu_options.allow_growth = True`` works on a fresh ConfigProto), a
``device_count`` map, enum constants on the class (``RunOptions.FULL_TRACE``,
``OptimizerOptions.L0``), ``==``, ``CopyFrom`` and a text-format ``str``. An unknown field name or a
value of the wrong type raises `ConfigError` (a `GraphError` that is also the ``ValueError`` /
``TypeError`` TF1 raises) at once, instead of being silently ignored.

What the NumPy backend does with them (see `graphrnn.session.Session`): every field is recorded;
``intra_op_parallelism_threads > 0`` limits the BLAS thread pool during that Session's runs;
``log_device_placement`` prints each compiled node's placement (always this process's CPU);
``RunOptions.trace_level`` fills ``RunMetadata.step_stats`` (`StepStats`, `NodeExecStats`). Fields
about GPUs, remote targets and thread pools of TF's own runtime have nothing to act on here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from graphrnn.ir.errors import GraphError


class ConfigError(GraphError, ValueError, TypeError):
    """A configuration message got an unknown field or a value of the wrong type."""


# A field's checker takes (message name, field name, value) and returns the value to store.
_Checker = Callable[[str, str, Any], Any]


def _int(msg: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{msg}.{name} must be an int, got {value!r} of type {type(value).__name__}",
                          fix=f"pass a whole number, e.g. {name}=1")
    return value


def _float(msg: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{msg}.{name} must be a number, got {value!r} of type {type(value).__name__}",
                          fix=f"pass a float, e.g. {name}=0.5")
    return float(value)


def _bool(msg: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, int)):  # protobuf takes 0/1 for bools too
        raise ConfigError(f"{msg}.{name} must be a bool, got {value!r} of type {type(value).__name__}",
                          fix=f"pass True or False: {name}=True")
    return bool(value)


def _str(msg: str, name: str, value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode()
    if not isinstance(value, str):
        raise ConfigError(f"{msg}.{name} must be a string, got {value!r} of type {type(value).__name__}",
                          fix=f"pass a string, e.g. {name}=\"0,1\"")
    return value


def _str_list(msg: str, name: str, value: Any) -> list[str]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ConfigError(f"{msg}.{name} is a repeated string field, got {value!r}",
                          fix=f"pass a list of strings, e.g. {name}=[\"/job:ps\"]")
    return [_str(msg, name, v) for v in value]


def _int_map(msg: str, name: str, value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{msg}.{name} is a map from device type to count, got {value!r}",
                          fix=f"pass a dict, e.g. {name}={{'GPU': 0}}")
    return {_str(msg, f"{name} key", k): _int(msg, f"{name}[{k!r}]", v) for k, v in value.items()}


def _enum(values: Mapping[str, int]) -> _Checker:
    def check(msg: str, name: str, value: Any) -> int:
        if isinstance(value, str) and value in values:
            return values[value]
        if isinstance(value, bool) or not isinstance(value, int) or value not in values.values():
            names = ", ".join(f"{msg}.{k} ({v})" for k, v in values.items())
            raise ConfigError(f"{msg}.{name} must be one of {names}; got {value!r}",
                              fix=f"use one of the constants, e.g. {msg}.{next(iter(values))}")
        return value
    return check


def _opaque(msg: str, name: str, value: Any) -> Any:
    """A TF1 field whose contents nothing here reads (cluster definitions, RPC, debugger options):
    accepted and recorded as given."""
    return value


def _trace_spec(msg: str, name: str, value: Any) -> Any:
    """``RunOptions.trace`` (graphrnn's own field): True (values marked with gr.trace) or a list of
    tensors of While bodies; which graph they belong to is checked by the Session's run."""
    if value is True or value is False:
        return value
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ConfigError(f"{msg}.{name} must be True or a list of tensors of while_loop bodies, got {value!r}",
                      fix=f"e.g. {msg}({name}=[h]) for a tensor h computed in a loop body")


def _message(cls: type[Message]) -> _Checker:
    def check(msg: str, name: str, value: Any) -> Message:
        if not isinstance(value, cls):
            raise ConfigError(f"{msg}.{name} must be a gr.{cls.__name__}, got {type(value).__name__}",
                              fix=f"pass {name}=gr.{cls.__name__}(...) or set its fields: "
                                  f"config.{name}.<field> = value")
        return value
    return check


class Message:
    """A protocol-buffer-like record. Subclasses list ``FIELDS``: name -> (checker, default factory)."""

    FIELDS: ClassVar[dict[str, tuple[_Checker, Callable[[], Any]]]] = {}

    def __init__(self, **fields: Any) -> None:
        for name, (_, default) in self.FIELDS.items():
            object.__setattr__(self, name, default())
        for name, value in fields.items():
            setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        spec = self.FIELDS.get(name)
        if spec is None:
            known = ", ".join(self.FIELDS)
            raise ConfigError(f"{type(self).__name__} has no field {name!r}",
                              fix=f"use one of TF1's field names: {known}")
        object.__setattr__(self, name, spec[0](type(self).__name__, name, value))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, k) == getattr(other, k) for k in self.FIELDS)

    __hash__ = None  # type: ignore[assignment] - mutable, like protobuf messages

    def CopyFrom(self, other: Message) -> None:  # noqa: N802 - protobuf's name
        """Makes this message a deep copy of ``other`` (protobuf's CopyFrom)."""
        if type(other) is not type(self):
            raise ConfigError(f"{type(self).__name__}.CopyFrom needs a {type(self).__name__}, "
                              f"got {type(other).__name__}", fix="copy from a message of the same type")
        for k in self.FIELDS:
            object.__setattr__(self, k, copy.deepcopy(getattr(other, k)))

    def non_default_fields(self) -> dict[str, Any]:
        """The fields whose values differ from the defaults (what protobuf's text format shows)."""
        return {k: getattr(self, k) for k, (_, default) in self.FIELDS.items() if getattr(self, k) != default()}

    def _text(self, indent: str) -> list[str]:
        lines = []
        for k, v in self.non_default_fields().items():
            if isinstance(v, Message):
                lines += [f"{indent}{k} {{", *v._text(indent + "  "), f"{indent}}}"]
            elif isinstance(v, dict):
                for key, val in v.items():
                    lines += [f"{indent}{k} {{", f"{indent}  key: {key!r}", f"{indent}  value: {val!r}",
                              f"{indent}}}"]
            elif isinstance(v, list):
                lines += [f"{indent}{k}: {x!r}" for x in v]
            elif isinstance(v, bool):
                lines.append(f"{indent}{k}: {str(v).lower()}")
            else:
                lines.append(f"{indent}{k}: {v!r}")
        return lines

    def __str__(self) -> str:
        """Protobuf's text format: one line per field that is not at its default."""
        return "\n".join(self._text("")) + ("\n" if self.non_default_fields() else "")

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.non_default_fields().items())
        return f"gr.{type(self).__name__}({inner})"


class GPUOptions(Message):
    """TF1's GPUOptions: recorded only (the NumPy backend has no GPU)."""

    FIELDS = {
        "per_process_gpu_memory_fraction": (_float, float),
        "allow_growth": (_bool, bool),
        "allocator_type": (_str, str),
        "deferred_deletion_bytes": (_int, int),
        "visible_device_list": (_str, str),
        "polling_active_delay_usecs": (_int, int),
        "polling_inactive_delay_msecs": (_int, int),
        "force_gpu_compatible": (_bool, bool),
        "experimental": (_opaque, lambda: None),
    }


class OptimizerOptions(Message):
    """TF1's OptimizerOptions (recorded; the Session's ``optimize=`` argument selects graphrnn's passes)."""

    L1, L0 = 0, -1                                   # opt_level
    DEFAULT, OFF, ON_1, ON_2 = 0, -1, 1, 2           # global_jit_level
    FIELDS = {
        "do_common_subexpression_elimination": (_bool, bool),
        "do_constant_folding": (_bool, bool),
        "max_folded_constant_in_bytes": (_int, int),
        "do_function_inlining": (_bool, bool),
        "opt_level": (_enum({"L1": 0, "L0": -1}), int),
        "global_jit_level": (_enum({"DEFAULT": 0, "OFF": -1, "ON_1": 1, "ON_2": 2}), int),
    }


class GraphOptions(Message):
    """TF1's GraphOptions: recorded."""

    FIELDS = {
        "enable_recv_scheduling": (_bool, bool),
        "optimizer_options": (_message(OptimizerOptions), OptimizerOptions),
        "build_cost_model": (_int, int),
        "build_cost_model_after": (_int, int),
        "infer_shapes": (_bool, bool),
        "place_pruned_graph": (_bool, bool),
        "enable_bfloat16_sendrecv": (_bool, bool),
        "timeline_step": (_int, int),
        "rewrite_options": (_opaque, lambda: None),
    }


class ConfigProto(Message):
    """TF1's ConfigProto. ``intra_op_parallelism_threads > 0`` caps the BLAS threads while the
    Session runs (0, the default, leaves the BLAS library's own choice); ``log_device_placement``
    prints where each node of each newly compiled plan runs; the rest is recorded."""

    FIELDS = {
        "device_count": (_int_map, dict),
        "intra_op_parallelism_threads": (_int, int),
        "inter_op_parallelism_threads": (_int, int),
        "use_per_session_threads": (_bool, bool),
        "session_inter_op_thread_pool": (_opaque, list),
        "placement_period": (_int, int),
        "device_filters": (_str_list, list),
        "gpu_options": (_message(GPUOptions), GPUOptions),
        "allow_soft_placement": (_bool, bool),
        "log_device_placement": (_bool, bool),
        "graph_options": (_message(GraphOptions), GraphOptions),
        "operation_timeout_in_ms": (_int, int),
        "rpc_options": (_opaque, lambda: None),
        "cluster_def": (_opaque, lambda: None),
        "isolate_session_state": (_bool, bool),
        "experimental": (_opaque, lambda: None),
    }


class RunOptions(Message):
    """TF1's RunOptions for one `Session.run`: a ``trace_level`` above NO_TRACE, with a `RunMetadata`
    passed too, times every node into ``run_metadata.step_stats``; the other fields are accepted and
    not acted on (timeouts, thread pools and debugger options belong to TF's runtime)."""

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3
    FIELDS = {
        "trace_level": (_enum({"NO_TRACE": 0, "SOFTWARE_TRACE": 1, "HARDWARE_TRACE": 2, "FULL_TRACE": 3}), int),
        "timeout_in_ms": (_int, int),
        "inter_op_thread_pool": (_int, int),
        "output_partition_graphs": (_bool, bool),
        "debug_options": (_opaque, lambda: None),
        "report_tensor_allocations_upon_oom": (_bool, bool),
        "experimental": (_opaque, lambda: None),
        # graphrnn's own: the per-iteration history of loop-body values (graphrnn.passes.trace)
        "trace": (_trace_spec, list),
    }


def _message_list(cls: type[Message]) -> _Checker:
    def check(msg: str, name: str, value: Any) -> list[Message]:
        if isinstance(value, Message) or not hasattr(value, "__iter__"):
            raise ConfigError(f"{msg}.{name} is a repeated gr.{cls.__name__} field, got {value!r}",
                              fix=f"pass a list of gr.{cls.__name__}")
        items = list(value)
        for item in items:
            _message(cls)(msg, name, item)
        return items
    return check


class NodeExecStats(Message):
    """TF1's NodeExecStats: when one node of a traced run started and ended (micro- and nanoseconds;
    ``*_rel_*`` are relative to ``all_start_*``). The NumPy backend runs a node's kernel as one call,
    so the op and the whole node share their times; memory fields stay empty."""

    FIELDS = {
        "node_name": (_str, str),
        "all_start_micros": (_int, int),
        "op_start_rel_micros": (_int, int),
        "op_end_rel_micros": (_int, int),
        "all_end_rel_micros": (_int, int),
        "memory": (_opaque, list),
        "output": (_opaque, list),
        "timeline_label": (_str, str),
        "scheduled_micros": (_int, int),
        "thread_id": (_int, int),
        "referenced_tensor": (_opaque, list),
        "memory_stats": (_opaque, lambda: None),
        "all_start_nanos": (_int, int),
        "op_start_rel_nanos": (_int, int),
        "op_end_rel_nanos": (_int, int),
        "all_end_rel_nanos": (_int, int),
        "scheduled_nanos": (_int, int),
    }


class DeviceStepStats(Message):
    """TF1's DeviceStepStats: the node stats of one device (here always this process's CPU)."""

    FIELDS = {
        "device": (_str, str),
        "node_stats": (_message_list(NodeExecStats), list),
        "thread_names": (_opaque, dict),
    }


class StepStats(Message):
    """TF1's StepStats: per device, what each node of a traced run did and when."""

    FIELDS = {"dev_stats": (_message_list(DeviceStepStats), list)}


class RunMetadata(Message):
    """TF1's RunMetadata, an output of `Session.run`. A run with ``RunOptions(trace_level=...)`` above
    NO_TRACE fills ``step_stats`` with the start and end time of every node of the compiled plan (a
    While or If node's time includes its body); cost graphs and partition graphs are not collected."""

    FIELDS = {
        "step_stats": (_message(StepStats), StepStats),
        "cost_graph": (_opaque, lambda: None),
        "partition_graphs": (_opaque, list),
        "function_graphs": (_opaque, list),
        # graphrnn's own: per traced value name, its per-iteration history (RunOptions.trace)
        "traces": (_opaque, dict),
    }
