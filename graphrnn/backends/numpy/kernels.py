"""Imports every kernel module once, so `KERNELS` is complete (an explicit list, no scanning)."""

from graphrnn.backends.numpy import (  # noqa: F401
    kernels_array,  # array, shape and indexing ops
    kernels_assign,  # AssignAdd, AssignSub
    kernels_autodiff,  # ops that only gradients create
    kernels_checks,  # Assert, CheckNumerics
    kernels_control,  # While, If, TensorArray
    kernels_math,  # elementwise math, reductions, matmul
    kernels_nn,  # activations, softmax, losses, dropout
    kernels_passes,  # ops that only optimization passes create
    kernels_rnn,  # run-time checks of the RNN drivers
    kernels_state,  # Const, variables, Assign, NoOp
    kernels_summary,  # ScalarSummary, HistogramSummary, MergeSummary
)
