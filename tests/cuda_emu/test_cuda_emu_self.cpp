// test_cuda_emu_self.cpp — the CUDA emulator's own promises (tests/cuda_emu/README.md),
// so that test_cuda_emu passing means what it says: work on a stream waits for the host to
// synchronise, an event releases what came before it and nothing after, the default stream
// waits for blocking streams only, blocks and threads run scrambled, __syncthreads switches
// between a block's threads, launches outside the limits fail, a pageable asynchronous copy
// and a copy of the wrong kind are refused, memory is counted and filled with 0xCD, and a
// faulting kernel is sticky. Exit 0 when all hold, 1 with the broken ones listed.
#include "cuda_runtime.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char *what)
{
    if (!ok) {
        ++failures;
        std::printf("FAIL: %s\n", what);
    }
}

__global__ void fill(uint32_t *out, uint32_t n, uint32_t value)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = value + i;
}

// Records the order in which threads ran: out[ticket] = global thread index.
__global__ void order(uint32_t *out, uint32_t *ticket)
{
    out[(*ticket)++] = blockIdx.x * blockDim.x + threadIdx.x;
}

// A block's sum by halving, as dilemma.cu's dlmk_evo_evaluate does it; with_barrier = 0
// leaves out the barriers, which the scrambled order must catch.
__global__ void block_sum(const uint32_t *in, uint32_t *out, int with_barrier)
{
    DLM_CU_DYNAMIC_SHARED(uint32_t, scratch);
    uint32_t l = threadIdx.x, s;
    scratch[l] = in[blockIdx.x * blockDim.x + l];
    if (with_barrier)
        __syncthreads();
    for (s = blockDim.x / 2u; s > 0u; s >>= 1) {
        if (l < s)
            scratch[l] += scratch[l + s];
        if (with_barrier)
            __syncthreads();
    }
    if (l == 0u)
        out[blockIdx.x] = scratch[0];
}

} // namespace

int main()
{
    const uint32_t n = 1000;
    uint32_t *d = nullptr, *d2 = nullptr, *h = nullptr, *t = nullptr;
    cudaStream_t s = nullptr, blocking = nullptr;
    cudaEvent_t e = nullptr;
    size_t free0 = 0, total = 0, free1 = 0;

    check(cudaMemGetInfo(&free0, &total) == cudaSuccess && free0 == total, "memory: all free");
    check(cudaMalloc((void **)&d, n * 4) == cudaSuccess, "cudaMalloc");
    check(cudaMemGetInfo(&free1, &total) == cudaSuccess && free0 - free1 == 4096,
          "memory: 4000 bytes take 4096 (512-byte granules)");
    check(cudaHostAlloc((void **)&h, n * 4, cudaHostAllocDefault) == cudaSuccess, "cudaHostAlloc");
    check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) == cudaSuccess, "stream");
    check(cudaStreamCreateWithFlags(&blocking, cudaStreamDefault) == cudaSuccess,
          "blocking stream");
    check(cudaEventCreateWithFlags(&e, cudaEventDisableTiming) == cudaSuccess, "event");

    // Work on a stream waits for the host; an event releases what came before it only.
    DLM_CU_LAUNCH(fill, (n + 127) / 128, 128, 0, s)(d, n, 7u);
    check(cudaGetLastError() == cudaSuccess, "a launch within the limits");
    check(cudaMemcpyAsync(h, d, n * 4, cudaMemcpyDeviceToHost, s) == cudaSuccess,
          "cudaMemcpyAsync to pinned memory");
    check(cudaEventRecord(e, s) == cudaSuccess, "cudaEventRecord");
    DLM_CU_LAUNCH(fill, (n + 127) / 128, 128, 0, s)(d, n, 1000u); // after the event
    check(dlm_emu_pending() == 3, "three operations queued (two launches, a copy), none run");
    check(h[0] == 0xCDCDCDCDu && h[n - 1] == 0xCDCDCDCDu,
          "before synchronising, the host sees the pinned buffer's old bytes");
    check(cudaStreamQuery(s) == cudaErrorNotReady, "cudaStreamQuery: not ready");
    check(cudaEventSynchronize(e) == cudaSuccess, "cudaEventSynchronize");
    check(h[0] == 7u && h[n - 1] == 7u + n - 1, "after the event: the copy's bytes");
    check(dlm_emu_pending() == 1, "the launch after the event is still queued");
    // a synchronous copy on the legacy stream does not wait for a non-blocking stream
    check(cudaMemcpy(h, d, n * 4, cudaMemcpyDeviceToHost) == cudaSuccess, "cudaMemcpy");
    check(h[0] == 7u, "the legacy stream does not wait for a non-blocking stream");
    check(cudaStreamSynchronize(s) == cudaSuccess && dlm_emu_pending() == 0,
          "cudaStreamSynchronize runs the rest");
    check(cudaMemcpy(h, d, n * 4, cudaMemcpyDeviceToHost) == cudaSuccess && h[5] == 1005u,
          "after it, the second launch's bytes");
    // ... but it waits for a blocking stream
    DLM_CU_LAUNCH(fill, (n + 127) / 128, 128, 0, blocking)(d, n, 50u);
    check(cudaMemcpy(h, d, n * 4, cudaMemcpyDeviceToHost) == cudaSuccess && h[5] == 55u,
          "the legacy stream waits for a blocking stream");

    // New device memory reads 0xCD; copies must be of the kind they say, async ones pinned.
    check(cudaMalloc((void **)&d2, 64) == cudaSuccess, "cudaMalloc 64");
    check(cudaMemcpy(h, d2, 64, cudaMemcpyDeviceToHost) == cudaSuccess && h[0] == 0xCDCDCDCDu,
          "new device memory reads 0xCD");
    check(cudaMemcpy(h, d2, 65, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue,
          "a copy past the end of an allocation is refused");
    check(cudaMemcpy(d2, h, 64, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue,
          "a copy of the wrong kind is refused");
    std::vector<uint32_t> pageable(n);
    std::printf("(the emulator's message about pageable memory below is expected)\n");
    check(cudaMemcpyAsync(pageable.data(), d, n * 4, cudaMemcpyDeviceToHost, s) ==
              cudaErrorInvalidValue,
          "an asynchronous copy to pageable memory is refused");
    (void)cudaGetLastError();

    // Threads and blocks run scrambled, each thread once.
    {
        const uint32_t threads = 4 * 64;
        uint32_t *d_ticket = nullptr, identity = 1, seen[threads] = {0};
        check(cudaMalloc((void **)&t, threads * 4) == cudaSuccess &&
                  cudaMalloc((void **)&d_ticket, 4) == cudaSuccess &&
                  cudaMemset(d_ticket, 0, 4) == cudaSuccess,
              "order buffers");
        DLM_CU_LAUNCH(order, 4, 64, 0, s)(t, d_ticket);
        check(cudaStreamSynchronize(s) == cudaSuccess, "order ran");
        std::vector<uint32_t> got(threads);
        check(cudaMemcpy(got.data(), t, threads * 4, cudaMemcpyDeviceToHost) == cudaSuccess,
              "order copied");
        for (uint32_t i = 0; i < threads; ++i) {
            identity = identity && got[i] == i;
            if (got[i] < threads)
                ++seen[got[i]];
        }
        check(!identity, "threads do not run in index order");
        bool once = true;
        for (uint32_t i = 0; i < threads; ++i)
            once = once && seen[i] == 1;
        check(once, "every thread runs once");
        cudaFree(d_ticket);
    }

    // __syncthreads: a block sum is right with the barriers and wrong without them.
    {
        const uint32_t blocks = 3, width = 256;
        std::vector<uint32_t> in(blocks * width), sums(blocks);
        uint32_t *d_in = nullptr, *d_out = nullptr;
        for (uint32_t i = 0; i < blocks * width; ++i)
            in[i] = i;
        check(cudaMalloc((void **)&d_in, in.size() * 4) == cudaSuccess &&
                  cudaMalloc((void **)&d_out, blocks * 4) == cudaSuccess &&
                  cudaMemcpy(d_in, in.data(), in.size() * 4, cudaMemcpyHostToDevice) ==
                      cudaSuccess,
              "sum buffers");
        DLM_CU_LAUNCH(block_sum, blocks, width, width * 4, s)(d_in, d_out, 1);
        check(cudaStreamSynchronize(s) == cudaSuccess &&
                  cudaMemcpy(sums.data(), d_out, blocks * 4, cudaMemcpyDeviceToHost) ==
                      cudaSuccess,
              "block sums ran");
        bool right = true;
        for (uint32_t b = 0; b < blocks; ++b)
            right = right && sums[b] == width * (width - 1) / 2 + b * width * width;
        check(right, "with __syncthreads, each block's sum is right");
        DLM_CU_LAUNCH(block_sum, blocks, width, width * 4, s)(d_in, d_out, 0);
        check(cudaStreamSynchronize(s) == cudaSuccess &&
                  cudaMemcpy(sums.data(), d_out, blocks * 4, cudaMemcpyDeviceToHost) ==
                      cudaSuccess,
              "block sums without barriers ran");
        right = true;
        for (uint32_t b = 0; b < blocks; ++b)
            right = right && sums[b] == width * (width - 1) / 2 + b * width * width;
        check(!right, "without __syncthreads, the scrambled order gets a sum wrong");
        cudaFree(d_in);
        cudaFree(d_out);
    }

    // Launch limits.
    DLM_CU_LAUNCH(fill, 1, 2048, 0, s)(d, n, 0u);
    check(cudaGetLastError() == cudaErrorInvalidConfiguration, "2048 threads a block: refused");
    check(cudaGetLastError() == cudaSuccess, "cudaGetLastError clears a launch error");
    DLM_CU_LAUNCH(fill, 0, 128, 0, s)(d, n, 0u);
    check(cudaGetLastError() == cudaErrorInvalidConfiguration, "an empty grid: refused");
    DLM_CU_LAUNCH(block_sum, 1, 128, 64 * 1024, s)(d, d, 1);
    check(cudaGetLastError() == cudaErrorInvalidConfiguration, "64 KiB of shared memory: refused");

    cudaFree(t);
    cudaFree(d2);
    cudaFree(d);
    check(cudaMemGetInfo(&free1, &total) == cudaSuccess && free1 == total,
          "memory: all free again");

    // A faulting kernel (DLM_CUDA_EMU_FAIL=fill:N, set by ctest) is sticky.
    if (std::getenv("DLM_CUDA_EMU_FAIL")) {
        uint32_t *d3 = nullptr;
        for (int i = 0; i < 6; ++i)
            DLM_CU_LAUNCH(fill, 1, 32, 0, s)(h, 0u, 0u); // n = 0: touches nothing
        check(cudaStreamSynchronize(s) == cudaErrorIllegalAddress, "the fault shows at the sync");
        check(cudaMalloc((void **)&d3, 16) == cudaErrorIllegalAddress,
              "and at every later call (sticky)");
        check(cudaGetLastError() == cudaErrorIllegalAddress, "cudaGetLastError keeps it");
    }
    cudaEventDestroy(e);
    cudaStreamDestroy(s);
    cudaStreamDestroy(blocking);
    cudaFreeHost(h);
    std::printf("test_cuda_emu_self: %s\n", failures ? "FAILED" : "all promises hold");
    return failures ? 1 : 0;
}
