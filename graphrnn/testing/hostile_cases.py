"""The table of hostile construction inputs: public constructors x classes of values TF1 rejects.

Each *slot* is one argument of one public constructor, written against a TF1-like module ``tf``
(``graphrnn`` here, ``tensorflow.compat.v1`` in the fixture generator), so the very same calls run
on both sides: `graphrnn.testing.hostile` runs them on graphrnn and compares with what
``tests/data/hostile/make_hostile.py`` recorded from TensorFlow.

Each *class* is a kind of value users pass by mistake (None, a string, a ragged list, a float
where an int is needed, an int that overflows int32, a bool where a number is, a tensor of another
graph, a class instead of an instance...). A case is (slot, class, k): the k-th value of the class
put in the slot. This module imports nothing from graphrnn so the TensorFlow side can load it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Slot = Callable[[Any, Any], Any]


def hostile_values(tf: Any, cls: str) -> list[Any]:
    """The values of hostile class ``cls``, made for module ``tf`` (inside its current default graph)."""
    if cls == "wrong_graph":
        other = tf.Graph()
        with other.as_default():
            return [tf.constant([1.0, 2.0])]
    if cls == "class":
        cell_cls = getattr(getattr(getattr(tf, "nn", None), "rnn_cell", None), "LSTMCell", None)
        return [cell_cls if isinstance(cell_cls, type) else tf.Graph]
    return {
        "none": [None],
        "str": ["abc"],
        "dict": [{"a": 1}],
        "ragged": [[[1, 2], [3]]],
        "complex": [1 + 2j],
        "float_for_int": [2.5, 2.0],
        "negative": [-3],
        "zero": [0],
        "overflow": [2**40, 2**70],
        "bool": [True],
    }[cls]


CLASSES = ("none", "str", "dict", "ragged", "complex", "float_for_int", "negative", "zero", "overflow",
           "bool", "wrong_graph", "class")


def _x(tf: Any) -> Any:
    return tf.zeros([2, 3])


def _cell(tf: Any) -> Any:
    return tf.nn.rnn_cell.BasicRNNCell(3)


# Slot name -> call. Names say which constructor and which argument gets the hostile value.
SLOTS: dict[str, Slot] = {
    "constant(value)": lambda tf, h: tf.constant(h),
    "constant(value, int32)": lambda tf, h: tf.constant(h, dtype=tf.int32),
    "constant(value, float32)": lambda tf, h: tf.constant(h, dtype=tf.float32),
    "constant(1, dtype)": lambda tf, h: tf.constant(1, dtype=h),
    "convert_to_tensor(value)": lambda tf, h: tf.convert_to_tensor(h),
    "add(x, y)": lambda tf, h: tf.add(_x(tf), h),
    "multiply(x, y) int": lambda tf, h: tf.multiply(tf.constant([1, 2]), h),
    "matmul(a, b)": lambda tf, h: tf.matmul(_x(tf), h),
    "concat(values)": lambda tf, h: tf.concat([_x(tf), h], 0),
    "concat(axis)": lambda tf, h: tf.concat([_x(tf), _x(tf)], h),
    "split(num_or_size_splits)": lambda tf, h: tf.split(tf.zeros([4, 2]), h),
    "split(axis)": lambda tf, h: tf.split(tf.zeros([4, 2]), 2, axis=h),
    "stack(values)": lambda tf, h: tf.stack([_x(tf), h]),
    "stack(axis)": lambda tf, h: tf.stack([_x(tf), _x(tf)], axis=h),
    "unstack(num)": lambda tf, h: tf.unstack(_x(tf), num=h),
    "unstack(axis)": lambda tf, h: tf.unstack(_x(tf), axis=h),
    "transpose(perm)": lambda tf, h: tf.transpose(_x(tf), h),
    "transpose(perm entry)": lambda tf, h: tf.transpose(_x(tf), [h, 0]),
    "reshape(shape)": lambda tf, h: tf.reshape(_x(tf), h),
    "reshape(shape entry)": lambda tf, h: tf.reshape(_x(tf), [h, 3]),
    "expand_dims(axis)": lambda tf, h: tf.expand_dims(_x(tf), h),
    "squeeze(axis)": lambda tf, h: tf.squeeze(tf.zeros([1, 3]), h),
    "slice(begin)": lambda tf, h: tf.slice(_x(tf), [h, 0], [1, 1]),
    "slice(size)": lambda tf, h: tf.slice(_x(tf), [0, 0], [1, h]),
    "strided_slice(end)": lambda tf, h: tf.strided_slice(_x(tf), [0], [h]),
    "gather(indices)": lambda tf, h: tf.gather(_x(tf), h),
    "gather(axis)": lambda tf, h: tf.gather(_x(tf), [0], axis=h),
    "reverse(axis)": lambda tf, h: tf.reverse(_x(tf), h),
    "reverse_sequence(seq_axis)": lambda tf, h: tf.reverse_sequence(tf.zeros([2, 3, 4]), [1, 2], seq_axis=h),
    "zeros(shape)": lambda tf, h: tf.zeros(h),
    "ones(shape entry)": lambda tf, h: tf.ones([h, 2]),
    "fill(dims entry)": lambda tf, h: tf.fill([2, h], 1.0),
    "fill(value)": lambda tf, h: tf.fill([2, 2], h),
    "zeros_like(tensor)": lambda tf, h: tf.zeros_like(h),
    "range(limit)": lambda tf, h: tf.range(h),
    "range(delta)": lambda tf, h: tf.range(0, 5, h),
    "tile(multiples entry)": lambda tf, h: tf.tile(_x(tf), [1, h]),
    "pad(paddings entry)": lambda tf, h: tf.pad(_x(tf), [[0, h], [0, 0]]),
    "one_hot(depth)": lambda tf, h: tf.one_hot([0, 1], h),
    "one_hot(axis)": lambda tf, h: tf.one_hot([0, 1], 3, axis=h),
    "sequence_mask(maxlen)": lambda tf, h: tf.sequence_mask([1, 2], h),
    "cast(dtype)": lambda tf, h: tf.cast(_x(tf), h),
    "reduce_sum(axis)": lambda tf, h: tf.reduce_sum(_x(tf), h),
    "reduce_mean(input)": lambda tf, h: tf.reduce_mean(h),
    "argmax(axis)": lambda tf, h: tf.argmax(_x(tf), h),
    "add_n(inputs)": lambda tf, h: tf.add_n([_x(tf), h]),
    "clip_by_value(min)": lambda tf, h: tf.clip_by_value(_x(tf), h, 1.0),
    "where(condition)": lambda tf, h: tf.where(h, _x(tf), _x(tf)),
    "shape(input)": lambda tf, h: tf.shape(h),
    "identity(input)": lambda tf, h: tf.identity(h),
    "nn.relu(features)": lambda tf, h: tf.nn.relu(h),
    "nn.softmax(axis)": lambda tf, h: tf.nn.softmax(_x(tf), axis=h),
    "nn.dropout(keep_prob)": lambda tf, h: tf.nn.dropout(_x(tf), keep_prob=h),
    "nn.dropout(seed)": lambda tf, h: tf.nn.dropout(_x(tf), keep_prob=0.5, seed=h),
    "nn.dropout(noise_shape)": lambda tf, h: tf.nn.dropout(_x(tf), keep_prob=0.5, noise_shape=h),
    "nn.bias_add(bias)": lambda tf, h: tf.nn.bias_add(_x(tf), h),
    "nn.sparse_softmax_xent(labels)": lambda tf, h: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=h, logits=_x(tf)),
    "nn.embedding_lookup(ids)": lambda tf, h: tf.nn.embedding_lookup(_x(tf), h),
    "random_normal(shape)": lambda tf, h: tf.random_normal(h),
    "random_normal(mean)": lambda tf, h: tf.random_normal([2], mean=h),
    "random_uniform(seed)": lambda tf, h: tf.random_uniform([2], seed=h),
    "while_loop(loop_vars)": lambda tf, h: tf.while_loop(lambda v: tf.constant(False), lambda v: v, [h]),
    "while_loop(cond)": lambda tf, h: tf.while_loop(h, lambda i: i + 1, [tf.constant(0)]),
    "while_loop(body)": lambda tf, h: tf.while_loop(lambda i: i < 3, h, [tf.constant(0)]),
    "while_loop(maximum_iterations)": lambda tf, h: tf.while_loop(lambda i: i < 3, lambda i: i + 1,
                                                                   [tf.constant(0)], maximum_iterations=h),
    "cond(pred)": lambda tf, h: tf.cond(h, lambda: tf.constant(1), lambda: tf.constant(2)),
    "cond(true_fn)": lambda tf, h: tf.cond(tf.constant(True), h, lambda: tf.constant(2)),
    "TensorArray(size)": lambda tf, h: tf.TensorArray(tf.float32, size=h).write(0, 1.0).stack(),
    "TensorArray(dtype)": lambda tf, h: tf.TensorArray(h, size=2),
    "TensorArray.write(index)": lambda tf, h: tf.TensorArray(tf.float32, size=2).write(h, 1.0).stack(),
    "TensorArray.write(value)": lambda tf, h: tf.TensorArray(tf.float32, size=2).write(0, h).stack(),
    "layers.dense(units)": lambda tf, h: tf.layers.dense(_x(tf), h),
    "layers.dense(inputs)": lambda tf, h: tf.layers.dense(h, 2),
    "rnn_cell.LSTMCell(num_units)": lambda tf, h: tf.nn.rnn_cell.LSTMCell(h),
    "rnn_cell.GRUCell(num_units)": lambda tf, h: tf.nn.rnn_cell.GRUCell(h),
    "rnn_cell.BasicRNNCell(num_units)": lambda tf, h: tf.nn.rnn_cell.BasicRNNCell(h),
    "rnn_cell.BasicLSTMCell(forget_bias)": lambda tf, h: tf.nn.rnn_cell.BasicLSTMCell(2, forget_bias=h),
    "rnn_cell.MultiRNNCell(cells)": lambda tf, h: tf.nn.rnn_cell.MultiRNNCell([_cell(tf), h]),
    "rnn_cell.DropoutWrapper(cell)": lambda tf, h: tf.nn.rnn_cell.DropoutWrapper(h),
    "nn.dynamic_rnn(cell)": lambda tf, h: tf.nn.dynamic_rnn(h, tf.zeros([2, 3, 4]), dtype=tf.float32),
    "nn.dynamic_rnn(inputs)": lambda tf, h: tf.nn.dynamic_rnn(_cell(tf), h, dtype=tf.float32),
    "nn.dynamic_rnn(dtype)": lambda tf, h: tf.nn.dynamic_rnn(_cell(tf), tf.zeros([2, 3, 4]), dtype=h),
    "nn.static_rnn(inputs)": lambda tf, h: tf.nn.static_rnn(_cell(tf), h, dtype=tf.float32),
    "nn.dynamic_rnn(sequence_length)": lambda tf, h: tf.nn.dynamic_rnn(_cell(tf), tf.zeros([2, 3, 4]),
                                                                        sequence_length=h, dtype=tf.float32),
    "subtract(x, y)": lambda tf, h: tf.subtract(h, _x(tf)),
    "divide(x, y)": lambda tf, h: tf.divide(_x(tf), h),
    "floordiv(x, y) int": lambda tf, h: tf.floordiv(tf.constant([5, 7]), h),
    "maximum(x, y)": lambda tf, h: tf.maximum(_x(tf), h),
    "pow(x, y)": lambda tf, h: tf.pow(_x(tf), h),
    "equal(x, y)": lambda tf, h: tf.equal(_x(tf), h),
    "less(x, y) int": lambda tf, h: tf.less(tf.constant([1, 2]), h),
    "logical_and(x, y)": lambda tf, h: tf.logical_and(tf.constant([True, False]), h),
    "tanh(x)": lambda tf, h: tf.tanh(h),
    "square(x)": lambda tf, h: tf.square(h),
    "size(input)": lambda tf, h: tf.size(h),
    "rank(input)": lambda tf, h: tf.rank(h),
    "ones_like(tensor)": lambda tf, h: tf.ones_like(h),
    "reduce_any(axis)": lambda tf, h: tf.reduce_any(tf.constant([[True, False]]), h),
    "reduce_prod(keepdims)": lambda tf, h: tf.reduce_prod(_x(tf), 0, keepdims=h),
    "argmin(output_type)": lambda tf, h: tf.argmin(_x(tf), 0, output_type=h),
    "stop_gradient(input)": lambda tf, h: tf.stop_gradient(h),
    "gather(params)": lambda tf, h: tf.gather(h, [0]),
    "clip_by_norm(clip_norm)": lambda tf, h: tf.clip_by_norm(_x(tf), h),
    "global_norm(t_list)": lambda tf, h: tf.global_norm([_x(tf), h]),
    "clip_by_global_norm(clip_norm)": lambda tf, h: tf.clip_by_global_norm([_x(tf)], h)[0],
    "nn.log_softmax(logits)": lambda tf, h: tf.nn.log_softmax(h),
    "nn.softmax_xent_v2(labels)": lambda tf, h: tf.nn.softmax_cross_entropy_with_logits_v2(labels=h, logits=_x(tf)),
    "nn.sigmoid_xent(labels)": lambda tf, h: tf.nn.sigmoid_cross_entropy_with_logits(labels=h, logits=_x(tf)),
    "nn.l2_loss(t)": lambda tf, h: tf.nn.l2_loss(h),
    "nn.l2_normalize(axis)": lambda tf, h: tf.nn.l2_normalize(_x(tf), axis=h),
    "nn.xw_plus_b(biases)": lambda tf, h: tf.nn.xw_plus_b(_x(tf), tf.zeros([3, 2]), h),
    "nn.elu(features)": lambda tf, h: tf.nn.elu(h),
    "truncated_normal(stddev)": lambda tf, h: tf.truncated_normal([2], stddev=h),
    "random_uniform(maxval)": lambda tf, h: tf.random_uniform([2], maxval=h),
    "layers.dropout(rate)": lambda tf, h: tf.layers.dropout(_x(tf), rate=h, training=True),
    "TensorArray.read(index)": lambda tf, h: tf.TensorArray(tf.float32, size=2, element_shape=[]).read(h),
    "TensorArray.unstack(value)": lambda tf, h: tf.TensorArray(tf.float32, size=2).unstack(h).stack(),
}


# Slots whose argument is any real number in TF1 (a float attribute, stored as given): there a
# number of any of these classes is a valid input, even where TensorFlow 2 can no longer build the
# call (Keras-based cells) to compare with.
NUMBER_SLOTS = {"rnn_cell.BasicLSTMCell(forget_bias)": ("float_for_int", "negative", "zero", "overflow"),
                "layers.dropout(rate)": ("zero",)}  # rate 0 keeps everything

# Cases where graphrnn returns a valid result and TensorFlow's refusal is an artefact of the call
# written for both, not a rule of TF1: key -> why.
KNOWN_DIVERGENCES = {
    "while_loop(loop_vars) | dict | 0":
        "TF1 supports dict loop variables, but its body-structure check compares list(loop_vars) with "
        "list(body result), and list() of the returned dict is its keys; graphrnn loops over the dict",
    **{f"subtract(x, y) | {cls} | 0":
       "a Python number as x takes y's dtype, as it does as y and in TF1's `number - tensor`; TF1's "
       "gen_math_ops converts x first (to int32 or bool) and then refuses the float y"
       for cls in ("negative", "zero", "overflow", "bool")},
}


def case_ids() -> list[tuple[str, str, int]]:
    """Every (slot, class, k) case, in a fixed order. The number of values of a class does not
    depend on the module (see `hostile_values`)."""
    counts = {"float_for_int": 2, "overflow": 2}
    return [(slot, cls, k) for slot in SLOTS for cls in CLASSES for k in range(counts.get(cls, 1))]


def case_key(slot: str, cls: str, k: int) -> str:
    return f"{slot} | {cls} | {k}"
