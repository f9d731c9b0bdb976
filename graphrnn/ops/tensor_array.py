"""`TensorArray` as a value: a buffer tensor ``[size, *element_shape]`` threaded through the graph.

TF1's TensorArray is a resource plus a "flow" scalar. Here the flow *is* the buffer, so a
TensorArray carried through `while_loop` is an ordinary loop-carried value and the loop stays one
node with nothing looked up by name. `write` is functional (returns a new TensorArray); the NumPy
interpreter updates the buffer in place when the old one has no other reader.

Ops (all index along attr ``axis``, 0 unless a pass moved the layout):
- ``TensorArrayNew(size)``: zeros; dims of ``element_shape`` unknown at build time are allocated as
  0 and set by the first write (the buffer is re-allocated then).
- ``TensorArrayWrite(buf, index, value)``: ``buf`` with ``buf[index] = value``; grows when
  ``dynamic_size`` and the index is past the end; otherwise an out-of-range index is an error.
- ``TensorArrayRead(buf, index)``: ``buf[index]`` (range-checked).
- ``TensorArraySize(buf)``: ``buf.shape[axis]`` as int32.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import ALLOCATES, NON_DIFFERENTIABLE, PURE, register
from graphrnn.ir.types import UNKNOWN_RANK, TensorType, as_shape, format_shape, merge_shapes, shapes_compatible
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.rules import require_int


def _index_type(t: TensorType, what: str) -> None:
    require_int(t, what)
    if t.rank != 0:
        raise ShapeError(f"{what} must be a scalar, got shape {format_shape(t.shape)}")


def _new_rule(types: Sequence[TensorType], attrs: Any) -> tuple[TensorType, ...]:
    _index_type(types[0], "TensorArray size")
    return (attrs["type"],)


def _elem_shape(buf: TensorType, axis: int) -> Any:
    if not buf.has_rank:  # a TensorArray whose element shape is set by its first write at run time
        return UNKNOWN_RANK
    return buf.shape[:axis] + buf.shape[axis + 1:]


def _write_rule(types: Sequence[TensorType], attrs: Any) -> tuple[TensorType, ...]:
    buf, idx, val = types
    axis = attrs.get("axis", 0)
    _index_type(idx, "TensorArray index")
    if val.dtype is not buf.dtype:
        raise DTypeError(f"cannot write a {val.dtype.name} value into a {buf.dtype.name} TensorArray",
                         fix="cast the value to the TensorArray's dtype")
    elem = _elem_shape(buf, axis)
    if not shapes_compatible(elem, val.shape):
        raise ShapeError(f"TensorArray elements have shape {format_shape(elem)}, cannot write a value of "
                         f"shape {format_shape(val.shape)}")
    return (buf,)


def _read_rule(types: Sequence[TensorType], attrs: Any) -> tuple[TensorType, ...]:
    buf, idx = types
    _index_type(idx, "TensorArray index")
    return (TensorType(buf.dtype, _elem_shape(buf, attrs.get("axis", 0))),)


def _size_rule(types: Sequence[TensorType], attrs: Any) -> tuple[TensorType, ...]:
    return (TensorType(dtypes.int32, ()),)


register("TensorArrayNew", _new_rule, "a zero buffer [size, *element_shape]",
         traits=(PURE, ALLOCATES, NON_DIFFERENTIABLE), num_inputs=1)
register("TensorArrayWrite", _write_rule, "buf with buf[index] = value along axis", traits=(PURE, ALLOCATES),
         num_inputs=3)
register("TensorArrayRead", _read_rule, "buf[index] along axis", traits=(PURE,), num_inputs=2)
def _unstack_check_rule(types: Sequence[TensorType], attrs: Any) -> tuple[TensorType, ...]:
    value, size = types
    _index_type(size, "TensorArray size")
    if value.has_rank and value.rank < 1:
        raise ShapeError("TensorArray.unstack needs a value of rank >= 1")
    return (size,)


register("TensorArrayUnstackCheck", _unstack_check_rule,
         "size, after checking value.shape[0] == size (<= size with attr dynamic_size): an unstack's length",
         traits=(PURE, NON_DIFFERENTIABLE), num_inputs=2)
register("TensorArraySize", _size_rule, "buf.shape[axis]", traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)


def _static_index(x: Value) -> int | None:
    from graphrnn.ops.convert import static_value
    v = static_value(x)
    return None if v is None or v.ndim else int(v)


def _is_length_of(size: Value, value: Value) -> bool:
    """``size`` is ``shape(value)[0]`` (as dynamic_rnn builds it), so an unstack needs no check."""
    node = size.node
    if node is not None and node.op == "Cast":
        node = node.inputs[0].node
    if node is None or node.op != "StridedSlice" or node.attrs.get("spec") != (("int", 0),):
        return False
    src = node.inputs[0].node
    return src is not None and src.op == "Shape" and src.inputs[0] is value


class TensorArray:
    """TF1's TensorArray API over a buffer value (``flow``); instances are immutable."""

    def __init__(self, dtype: Any, size: Any = None, dynamic_size: bool = False, clear_after_read: bool = True,
                 tensor_array_name: str | None = None, handle: Any = None, flow: Value | None = None,
                 infer_shape: bool = True, element_shape: Any = None, colocate_with_first_write_call: bool = True,
                 name: str | None = None) -> None:
        self.dtype = dtypes.as_dtype(dtype)
        self.dynamic_size = bool(dynamic_size)
        self._name = name or tensor_array_name or "TensorArray"
        # The element shape known so far, shared by every TensorArray derived from this one (through
        # while_loop, as in TF1), so a write inside a loop body tells the loop's result its shape.
        self._elem_cell: list[Any] = [None]
        # Indices known (at build time) to be written: TF1 refuses a second write to an index. None
        # when unknown (a write at a run-time index, a TensorArray carried through a loop).
        self._written: frozenset[int] | None = None
        if flow is not None:
            self.flow = flow
            self.element_shape = flow.type.shape[1:] if flow.type.has_rank else UNKNOWN_RANK
            if flow.type.has_rank:
                self._elem_cell[0] = self.element_shape
            return
        if size is None:
            raise GraphError("TensorArray needs a size (use size=0, dynamic_size=True to grow)")
        self._size = convert_to_tensor(size, dtypes.int32)
        self._written = frozenset()
        # TensorShape(None) (TF1's unknown element shape) is the same as none given: writes set it.
        shp = as_shape(element_shape, allow_unknown_rank=True) if element_shape is not None else None
        self.element_shape = None if shp is UNKNOWN_RANK else shp
        self.flow = None  # type: ignore[assignment]
        if self.element_shape is not None:
            self.flow = self._new_flow(self.element_shape)

    def _new_flow(self, elem: Any) -> Value:
        """The initial buffer; ``elem`` `UNKNOWN_RANK` gives a buffer of unknown rank (its element
        shape is set by the first write at run time)."""
        static = None
        if self._size.node is not None and self._size.node.op == "Const" and not self.dynamic_size:
            static = int(self._size.node.attrs["value"])
        t = TensorType(self.dtype, (static, *elem) if elem is not UNKNOWN_RANK else UNKNOWN_RANK)
        return builder.add_op("TensorArrayNew", [self._size], {"type": t, "dynamic_size": self.dynamic_size},
                              name=self._name)

    def with_flow(self, flow: Value) -> TensorArray:
        ta = TensorArray(self.dtype, dynamic_size=self.dynamic_size, flow=flow, name=self._name)
        if not flow.type.has_rank:
            ta._elem_cell = self._elem_cell  # same array as far as shapes go: share what writes learn
        return ta

    def loop_flow(self) -> Value:
        """The buffer to carry through `while_loop`. A TensorArray created without ``element_shape``
        and not written yet enters as a buffer of unknown rank; writes in the body set its element
        shape at run time, and statically through the shared cell (TF1's ``infer_shape``)."""
        if self.flow is None:
            self.flow = self._new_flow(UNKNOWN_RANK)
        return self.flow

    def _refined(self, v: Value, lead: tuple[int | None, ...]) -> Value:
        """``v`` (read from a buffer of unknown rank) with the element shape learned from writes."""
        elem = self._elem_cell[0]
        if v.type.has_rank or elem is None:
            return v
        from graphrnn.ops.array import reshape
        from graphrnn.ops.array_shape import shape as shape_of
        target = (*lead, *elem)
        if None not in elem:  # checked at run time by the Reshape kernel
            return reshape(v, [-1 if d is None else d for d in target])
        return builder.add_op("ReshapeDynamic", [v, shape_of(v)], {"static_shape": target}, name="Reshape")

    def _require_flow(self) -> Value:
        if self.flow is None:
            raise GraphError("this TensorArray's element shape is not known yet",
                             fix="pass element_shape=... (None for unknown dims) when creating it, or write to it "
                                 "before passing it to while_loop")
        return self.flow

    @property
    def shape(self) -> Any:
        return self._require_flow().shape

    def write(self, index: Any, value: Any, name: str | None = None) -> TensorArray:
        value = convert_to_tensor(value, self.dtype)
        if self.flow is None:
            self.flow = self._new_flow(value.type.shape)
            self.element_shape = value.type.shape
        cell = self._elem_cell
        if not self.flow.type.has_rank and value.type.has_rank:
            if cell[0] is not None and not shapes_compatible(cell[0], value.type.shape):
                raise ShapeError(f"TensorArray elements have shape {format_shape(cell[0])} (from an earlier "
                                 f"write), cannot write a value of shape {format_shape(value.type.shape)}",
                                 op="TensorArrayWrite", source=builder.format_source(builder.source_location()))
            cell[0] = value.type.shape if cell[0] is None else merge_shapes(cell[0], value.type.shape)
        idx = convert_to_tensor(index, dtypes.int32)
        i = _static_index(idx)
        if i is not None and self._written is not None and i in self._written:
            raise GraphError(f"TensorArray index {i} is written twice (TF1: could not write to TensorArray "
                             f"index {i} because it has already been written to)", op="TensorArrayWrite",
                             source=builder.format_source(builder.source_location()),
                             fix="write each index once; to update a value, keep it in a loop variable")
        out = builder.add_op("TensorArrayWrite", [self.flow, idx, value],
                             {"axis": 0, "dynamic_size": self.dynamic_size}, name=name or "TensorArrayWrite")
        ta = self.with_flow(out)
        if i is not None and self._written is not None:
            ta._written = self._written | {i}
        return ta

    def read(self, index: Any, name: str | None = None) -> Value:
        idx = convert_to_tensor(index, dtypes.int32)
        return self._refined(builder.add_op("TensorArrayRead", [self._require_flow(), idx], {"axis": 0},
                                            name=name or "TensorArrayRead"), ())

    def stack(self, name: str | None = None) -> Value:
        """All elements as one tensor ``[size, *element_shape]`` (the buffer itself)."""
        return self._refined(self._require_flow(), (None,))

    def gather(self, indices: Any, name: str | None = None) -> Value:
        from graphrnn.ops.array_index import gather
        return gather(self.stack(), indices, axis=0)

    def unstack(self, value: Any, name: str | None = None) -> TensorArray:
        """A TensorArray whose elements are ``value``'s slices along axis 0 (no copy is made).

        As in TF1: a value longer than a fixed-size array is an error; a shorter one leaves the last
        elements unwritten, which read as zeros (the buffer is padded; with ``dynamic_size`` the
        array keeps its size or grows to the value's). Lengths unknown while building are checked at
        run time (``TensorArrayUnstackCheck``), except a shorter value there is an error too: the
        padding would need the run-time size. ``size=shape(value)[0]`` needs no check."""
        value = convert_to_tensor(value, self.dtype)
        if value.type.has_rank and value.type.rank < 1:
            raise ShapeError("TensorArray.unstack needs a value of rank >= 1")
        if self._written:
            raise GraphError(f"TensorArray.unstack into an array whose indices {sorted(self._written)} are "
                             "already written (TF1 refuses a second write to an index)",
                             source=builder.format_source(builder.source_location()),
                             fix="unstack into a new TensorArray")
        size = getattr(self, "_size", None)
        ta = self.with_flow(self._unstack_flow(value, size) if size is not None else value)
        n = value.type.shape[0] if value.type.has_rank else None
        if n is not None and size is not None:
            ta._written = frozenset(range(n))
        return ta

    def _unstack_flow(self, value: Value, size: Value) -> Value:
        """``value`` as the buffer of an array of ``size`` elements (see `unstack`)."""
        n = value.type.shape[0] if value.type.has_rank else None
        s = _static_index(size)
        if _is_length_of(size, value):
            return value
        if n is not None and s is not None:
            if n > s and not self.dynamic_size:
                raise ShapeError(f"TensorArray.unstack of {n} elements into a TensorArray of size {s} (TF1: "
                                 "the array is not resizeable)", op="TensorArrayUnstack",
                                 source=builder.format_source(builder.source_location()),
                                 fix=f"create the TensorArray with size={n}, or dynamic_size=True")
            if n >= s:
                return value
            from graphrnn.ops.array_shape import pad
            return pad(value, [[0, s - n]] + [[0, 0]] * (value.type.rank - 1))
        from graphrnn.ops.array import identity
        check = builder.add_op("TensorArrayUnstackCheck", [value, size], {"dynamic_size": self.dynamic_size},
                               name="unstack_check")
        with builder.control_dependencies([check.node]):
            return identity(value, name="unstack")

    def scatter(self, indices: Any, value: Any, name: str | None = None) -> TensorArray:
        raise GraphError("TensorArray.scatter is not supported", fix="write elements one by one")

    def size(self, name: str | None = None) -> Value:
        return builder.add_op("TensorArraySize", [self._require_flow()], {"axis": 0}, name=name or "TensorArraySize")

    def close(self, name: str | None = None) -> None:
        return None

    def identity(self) -> TensorArray:
        return self

    def __repr__(self) -> str:
        t = self.flow.type if self.flow is not None else "unallocated"
        return f"<gr.TensorArray {t}>"
