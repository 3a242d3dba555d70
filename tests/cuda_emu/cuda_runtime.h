/* cuda_runtime.h — the CUDA emulator's kernel side (tests/cuda_emu/README.md). With
 * cuda_runtime_api.h it stands in for the toolkit's header when kernels/cuda/dilemma.cu is
 * compiled as C++ by the host compiler (tests/cuda_emu/dilemma_cu.cpp): __global__
 * functions become host functions, threadIdx / blockIdx / blockDim / gridDim the emulator's
 * globals, __syncthreads a switch between the block's threads (each a coroutine with a
 * stack of its own), and a launch (DLM_CU_LAUNCH, which dilemma.cu spells as <<<...>>>
 * for nvcc) queues the grid on its stream, to run when the host synchronises as CUDA
 * allows it to (tests/cuda_emu/cuda_emu.cpp). One-dimensional grids and blocks only. */
#ifndef DLM_CUDA_EMU_RUNTIME_H
#define DLM_CUDA_EMU_RUNTIME_H

#include "cuda_runtime_api.h"

#ifdef __cplusplus
#include <cstddef>
#include <functional>

struct dim3 {
    unsigned x, y, z;
};
extern dim3 threadIdx, blockIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __host__

/* The block's threads wait here for each other (coroutines: the next thread runs). */
void __syncthreads(void);
/* The block's dynamic shared memory (the launch's `shared` bytes). */
void *dlm_emu_shared(void);
/* Queues a grid of `grid` blocks of `block` threads on `stream`; every thread runs body. */
void dlm_emu_enqueue(const char *name, unsigned grid, unsigned block, size_t shared,
                     cudaStream_t stream, std::function<void()> body);

template <class K> struct dlm_emu_launcher {
    const char *name;
    unsigned grid, block;
    size_t shared;
    cudaStream_t stream;
    K *kernel;
    /* The arguments are copied at the launch, as CUDA copies kernel parameters. */
    template <class... A> void operator()(A... args) const
    {
        K *k = kernel;
        dlm_emu_enqueue(name, grid, block, shared, stream, [=]() { k(args...); });
    }
};

template <class K>
dlm_emu_launcher<K> dlm_emu_launch(const char *name, unsigned grid, unsigned block,
                                   size_t shared, cudaStream_t stream, K *kernel)
{
    return dlm_emu_launcher<K>{name, grid, block, shared, stream, kernel};
}

#define DLM_CU_LAUNCH(kernel, grid, block, shared, stream)                                   \
    dlm_emu_launch(#kernel, (grid), (block), (shared), (stream), kernel)
#define DLM_CU_DYNAMIC_SHARED(type, name) type *name = (type *)dlm_emu_shared()
#endif /* __cplusplus */

#endif /* DLM_CUDA_EMU_RUNTIME_H */
