"""Import before torch/numpy: BLAS threading, kernel selection, malloc tuning.

One BLAS thread per model: the two models train in parallel Python threads
(see train.py), and nested BLAS threads on a busy 2-core machine spin-wait.

Debian's OpenBLAS 0.3.21 does not recognise this VM's CPU (Sapphire Rapids)
and falls back to its generic "Prescott" kernels, ~8x slower sgemm (measured
10 vs 85 GFLOP/s on one core). Name a kernel family the CPU's flags support,
unless the user already chose one.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def _openblas_coretype():
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((l for l in f if l.startswith("flags")), "").split()
    except OSError:
        return
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"} <= set(flags):
        os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
    elif {"avx2", "fma"} <= set(flags):
        os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")


_openblas_coretype()


def _malloc_tuning():
    """glibc keeps freed activation buffers of varying sizes in per-thread
    arenas; with two training threads and variable-length batches the process
    grew by ~10 MB/s. A fixed mmap threshold makes every large (>= 1 MiB)
    tensor buffer an mmap that is returned to the OS when freed."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 20)
        libc.mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):
        pass


_malloc_tuning()
