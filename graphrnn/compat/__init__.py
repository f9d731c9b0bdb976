"""TF1 compatibility helpers: the table of TF1 names graphrnn does not support (`unsupported`)."""
