"""A WAV encoder for audio summaries: 16-bit signed little-endian PCM, as TF1's wav_io writes it.

Samples are ``round(x * 32768)`` (halves away from zero) clamped to [-32768, 32767]; channels are
interleaved per frame. Invariant: the bytes equal TF1's EncodeAudioAsS16LEWav for finite input.
"""

from __future__ import annotations

import struct

import numpy as np


def encode_wav(frames: np.ndarray, sample_rate: int) -> bytes:
    """WAV bytes of float32 ``frames`` of shape ``(num_frames, num_channels)`` at ``sample_rate`` Hz."""
    n, c = frames.shape
    x = np.nan_to_num(frames.astype(np.float32) * np.float32(32768.0), nan=0.0)
    # np.round rounds halves to even; C's roundf (TF1) rounds them away from zero.
    rounded = np.sign(x) * np.floor(np.abs(x) + np.float32(0.5))
    samples = np.clip(rounded, -32768, 32767).astype("<i2")
    data = samples.tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 1, c, sample_rate,
                         sample_rate * c * 2, c * 2, 16, b"data", len(data))
    return header + data
