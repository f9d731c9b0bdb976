"""TF1's platform modules: ``tf.logging`` (`tf_logging`), ``tf.gfile`` (`gfile`), ``tf.flags``
(`flags`) and ``tf.app`` (`app`).

Logging and gfile are plain Python; flags and app are built on absl-py, as TF1's were, which is
the optional extra ``graphrnn[absl]``: without it, using ``gr.flags`` or ``gr.app`` raises a
`GraphError` saying so. Importing this package imports no absl.
"""
