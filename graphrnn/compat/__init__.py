"""TF1 compatibility helpers: the table of TF1 names graphrnn does not support (`unsupported`)."""


def __getattr__(name: str) -> object:
    """``tf.compat.v1`` is graphrnn itself (it has only the TF1 API), so ``tf.compat.v1.placeholder`` works."""
    if name == "v1":
        import graphrnn
        return graphrnn
    raise AttributeError(f"module 'graphrnn.compat' has no attribute {name!r}")
