"""``gr.train``: TF1's optimizers, `clip_by_global_norm` and `global_step` helpers."""

from graphrnn.ops.math_reduce import clip_by_global_norm, clip_by_norm, global_norm
from graphrnn.train.checkpoint_state import (
    CheckpointState,
    checkpoint_exists,
    get_checkpoint_mtimes,
    get_checkpoint_state,
    latest_checkpoint,
    remove_checkpoint,
    update_checkpoint_state,
)
from graphrnn.train.checkpoint_utils import (
    CheckpointReader,
    NewCheckpointReader,
    list_variables,
    load_checkpoint,
    load_variable,
)
from graphrnn.train.optimizer import Optimizer
from graphrnn.train.optimizers import (
    AdadeltaOptimizer,
    AdagradOptimizer,
    AdamOptimizer,
    GradientDescentOptimizer,
    MomentumOptimizer,
    ProximalGradientDescentOptimizer,
    RMSPropOptimizer,
)
from graphrnn.train.saver import Saver, SaverDef
from graphrnn.train.step import create_global_step, get_global_step, get_or_create_global_step

__all__ = ["Optimizer", "GradientDescentOptimizer", "MomentumOptimizer", "AdamOptimizer", "clip_by_global_norm",
           "clip_by_norm", "global_norm", "create_global_step", "get_global_step", "get_or_create_global_step",
           "RMSPropOptimizer", "AdagradOptimizer", "AdadeltaOptimizer", "ProximalGradientDescentOptimizer"]
__all__ += ["Saver", "SaverDef", "CheckpointState", "CheckpointReader", "NewCheckpointReader", "checkpoint_exists",
            "get_checkpoint_mtimes", "get_checkpoint_state", "latest_checkpoint", "remove_checkpoint",
            "update_checkpoint_state", "list_variables", "load_checkpoint", "load_variable"]

from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
