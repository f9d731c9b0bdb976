"""``gr.debugging``: TF1's ``tf.debugging`` namespace, the checks users put before RNNs.

The same functions as ``gr.assert_*``, ``gr.Assert``, ``gr.check_numerics`` (see
`graphrnn.ops.checks`); each returns an op to put in ``gr.control_dependencies``.
"""

from graphrnn.ops.checks import (
    Assert,
    assert_equal,
    assert_greater,
    assert_greater_equal,
    assert_integer,
    assert_less,
    assert_less_equal,
    assert_near,
    assert_negative,
    assert_non_negative,
    assert_non_positive,
    assert_none_equal,
    assert_positive,
    assert_rank,
    assert_rank_at_least,
    assert_scalar,
    assert_type,
    check_numerics,
)

__all__ = ["Assert", "assert_equal", "assert_greater", "assert_greater_equal", "assert_integer", "assert_less",
           "assert_less_equal", "assert_near", "assert_negative", "assert_non_negative", "assert_non_positive",
           "assert_none_equal", "assert_positive", "assert_rank", "assert_rank_at_least", "assert_scalar",
           "assert_type", "check_numerics"]
