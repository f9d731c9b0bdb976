"""A TF1 training script with flags, logging and TensorBoard summaries, ported by changing the import.

It trains a small RNN regressor (predict the sum of a sequence) with a feed_dict loop, writes the
loss and the weights' histograms every step and the graph once, and the event file is read back.
"""

import numpy as np
import pytest

import graphrnn as tf
from graphrnn.testing.event_files import event_files, read_events

pytest.importorskip("tensorboardX")
pytest.importorskip("absl")

# --- the TF1 program (unchanged apart from `import graphrnn as tf`) ------------------------------------
flags = tf.flags
FLAGS = flags.FLAGS
flags.DEFINE_integer("summary_program_steps", 60, "training steps")
flags.DEFINE_float("summary_program_learning_rate", 0.05, "Adam's learning rate")
flags.DEFINE_integer("summary_program_hidden", 8, "RNN units")
flags.DEFINE_string("summary_program_logdir", "", "where the event files go")

TIME_STEPS = 6


def make_batch(rng, batch=32):
    x = rng.uniform(-1.0, 1.0, size=(batch, TIME_STEPS, 1)).astype(np.float32)
    return x, x.sum(axis=1)


def main(argv):
    tf.logging.set_verbosity(tf.logging.INFO)
    tf.reset_default_graph()
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, TIME_STEPS, 1], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    cell = tf.nn.rnn_cell.BasicRNNCell(FLAGS.summary_program_hidden)
    _, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    prediction = tf.layers.dense(state, 1)
    with tf.name_scope("train"):
        loss = tf.reduce_mean(tf.square(prediction - y))
        tf.summary.scalar("loss", loss)
    for v in tf.trainable_variables():
        tf.summary.histogram(v.op.name, v)
    train_op = tf.train.AdamOptimizer(FLAGS.summary_program_learning_rate).minimize(loss)
    merged = tf.summary.merge_all()

    rng = np.random.RandomState(0)
    losses = []
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(FLAGS.summary_program_logdir, sess.graph)
        sess.run(tf.global_variables_initializer())
        for step in range(FLAGS.summary_program_steps):
            bx, by = make_batch(rng)
            _, l, summary = sess.run([train_op, loss, merged], feed_dict={x: bx, y: by})
            writer.add_summary(summary, step)
            losses.append(l)
            tf.logging.log_every_n(tf.logging.INFO, "step %d loss %.4f", 20, step, l)
        writer.close()
    main.losses = losses
    return 0
# ----------------------------------------------------------------------------------------------------------


def test_tf1_program_writes_tensorboard_files(tmp_path):
    logdir = str(tmp_path / "logs")
    with pytest.raises(SystemExit) as e:
        tf.app.run(main, argv=["train.py", f"--summary_program_logdir={logdir}", "--summary_program_steps=60"])
    assert e.value.code == 0
    losses = main.losses
    assert len(losses) == 60 and np.mean(losses[-10:]) < 0.3 * np.mean(losses[:5])

    (path,) = event_files(logdir)
    events = read_events(path)
    assert events[0].file_version == "brain.Event:2"
    scalars = {e.step: v.simple_value for e in events if e.HasField("summary")
               for v in e.summary.value if v.tag == "train/loss"}
    assert sorted(scalars) == list(range(60))
    assert np.allclose([scalars[s] for s in range(60)], losses, rtol=1e-6)
    histos = {v.tag: v.histo for e in events if e.HasField("summary") and e.step == 59 for v in e.summary.value
              if v.HasField("histo")}
    # TF1's tags: the variable's name, made unique against the variable's own scope (hence _1).
    assert sorted(histos) == ["dense/bias_1", "dense/kernel_1", "rnn/basic_rnn_cell/bias_1",
                              "rnn/basic_rnn_cell/kernel_1"]
    assert histos["rnn/basic_rnn_cell/kernel_1"].num == (1 + 8) * 8

    (graph_event,) = [e for e in events if e.HasField("graph_def")]
    gd = tf.GraphDef()
    gd.ParseFromString(graph_event.graph_def)
    names = {n.name for n in gd.node}
    assert {"x", "y", "rnn/while", "rnn/while/body/basic_rnn_cell/MatMul", "train/loss", "Merge/MergeSummary"} <= names
    assert any(n.startswith("gradients/") for n in names)
