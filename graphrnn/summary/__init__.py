"""TF1's ``tf.summary``: summary ops (`scalar`, `histogram`, `merge`, `merge_all`), `FileWriter`
and the proto classes, writing real TensorBoard event files when tensorboardX is installed
(``pip install "graphrnn[tensorboard]"``); without it summaries are empty and writers write nothing,
after one warning.
"""

from graphrnn.summary.ops import SUMMARIES, audio, histogram, image, merge, merge_all, scalar, text
from graphrnn.summary.proto_alias import Event, SessionLog, Summary, SummaryDescription, TaggedRunMetadata
from graphrnn.summary.protos import SummariesDisabledWarning
from graphrnn.summary.writer import FileWriter, SummaryWriterError
from graphrnn.summary.writer_cache import FileWriterCache

__all__ = ["Event", "FileWriter", "FileWriterCache", "SUMMARIES", "SessionLog", "Summary", "SummariesDisabledWarning",
           "SummaryDescription", "SummaryWriterError", "TaggedRunMetadata", "audio", "histogram", "image", "merge",
           "merge_all", "scalar", "text"]
