/* cuda_emu.cpp — the CUDA emulator (tests/cuda_emu/README.md): the runtime API of
 * cuda_runtime_api.h and the kernel launches of cuda_runtime.h, on the host, so that the
 * CUDA backend's own sources (host/backend_cuda.c and kernels/cuda/dilemma.cu, unchanged)
 * run and are compared with the CPU reference on machines without a GPU. It checks what a
 * GPU cannot be trusted to report kindly, as strictly as a device would, and stricter where
 * the project has a rule:
 *
 *   - device memory is host memory handed out with the 512-byte granularity of cudaMalloc
 *     and counted against a device size (DLM_CUDA_EMU_MEMORY, bytes; default 4 GiB); new
 *     allocations are filled with 0xCD, so reading memory never written shows as wrong
 *     bytes; copies check that each side is what the kind says (device memory lies inside
 *     one live allocation), else cudaErrorInvalidValue;
 *   - streams are queues: work on a stream created with cudaStreamNonBlocking runs only
 *     when the host waits for it (cudaStreamSynchronize, cudaEventSynchronize of an event
 *     recorded after it, cudaDeviceSynchronize, cudaFree, cudaFreeHost, destroying the
 *     stream), so a host that reads a result before waiting reads stale bytes; the legacy
 *     default stream (0) waits for the blocking streams first and then runs at once, and a
 *     synchronous cudaMemcpy does not wait for non-blocking streams, as on a device;
 *   - asynchronous copies must name page-locked host memory (cudaHostAlloc): the project
 *     copies asynchronously only from and into pinned buffers, so a pageable one is an
 *     error here (a device would silently copy synchronously);
 *   - blocks run in a scrambled order, and the threads of a block too, so a result that
 *     depends on the order of threads or blocks differs from the CPU's; a launch with
 *     dynamic shared memory runs each thread as a coroutine, switching at __syncthreads;
 *     a __syncthreads elsewhere stops the program with a message;
 *   - a launch outside the limits (grid 1..2^31-1 blocks, block 1..1024 threads, 48 KiB of
 *     dynamic shared memory) fails with cudaErrorInvalidConfiguration from
 *     cudaGetLastError, as on a device;
 *   - faults on demand (DLM_CUDA_EMU_FAIL=name:n[,name:n...]): the n-th call of runtime
 *     function `name` fails (cudaMalloc and cudaHostAlloc with cudaErrorMemoryAllocation,
 *     others with cudaErrorInvalidValue), or the n-th run of kernel `name` faults with
 *     cudaErrorIllegalAddress, which like a device's is sticky: every later call returns it;
 *   - DLM_CUDA_EMU_DEVICES: 1 by default; 0 is a driver without a device
 *     (cudaErrorNoDevice), `none` no driver at all (cudaErrorInsufficientDriver, driver
 *     version 0).
 * One host thread; the emulator is not thread-safe, nor is the backend's use of it. */
#include "cuda_runtime.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <ucontext.h>

#if defined(__SANITIZE_ADDRESS__)
#define DLM_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DLM_EMU_ASAN 1
#endif
#endif
#ifdef DLM_EMU_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

dim3 threadIdx, blockIdx, blockDim, gridDim;

struct dlm_emu_op {
    unsigned long long seq;
    std::function<void()> run;
};

struct dlm_emu_stream {
    unsigned flags;
    unsigned long long next_seq; /* of the next op queued */
    std::deque<dlm_emu_op> queue;
};

struct dlm_emu_event {
    dlm_emu_stream *stream; /* null: not recorded, or recorded on the default stream */
    unsigned long long seq; /* ops of `stream` before this one complete the event */
};

namespace {

const size_t kGranule = 512;
const size_t kStack = 256u * 1024u; /* per emulated thread that runs as a coroutine */

struct emu_state {
    bool ready = false;
    int devices = 1;
    bool no_driver = false;
    size_t memory = (size_t)4 << 30;
    size_t used = 0;
    cudaError_t last = cudaSuccess, sticky = cudaSuccess;
    std::map<uintptr_t, size_t> device; /* start -> bytes */
    std::map<uintptr_t, size_t> pinned;
    std::set<dlm_emu_stream *> streams;
    std::map<std::string, unsigned long long> calls, fail_at;
    unsigned long long launches = 0, kernels_run = 0;
};

emu_state &emu();

extern "C" int dlm_cuda_emu_driver_installed(void)
{
    return emu().no_driver ? 0 : 1;
}

emu_state &emu()
{
    static emu_state s;
    if (!s.ready) {
        const char *v;
        s.ready = true;
        if ((v = getenv("DLM_CUDA_EMU_DEVICES")) != NULL) {
            if (strcmp(v, "none") == 0)
                s.no_driver = true;
            else
                s.devices = atoi(v);
        }
        if ((v = getenv("DLM_CUDA_EMU_MEMORY")) != NULL)
            s.memory = (size_t)strtoull(v, NULL, 10);
        if ((v = getenv("DLM_CUDA_EMU_FAIL")) != NULL) {
            std::string spec(v);
            size_t at = 0;
            while (at < spec.size()) {
                size_t comma = spec.find(',', at), colon;
                std::string item = spec.substr(at, comma == std::string::npos ? std::string::npos
                                                                               : comma - at);
                if ((colon = item.find(':')) != std::string::npos)
                    s.fail_at[item.substr(0, colon)] = strtoull(item.c_str() + colon + 1, NULL, 10);
                if (comma == std::string::npos)
                    break;
                at = comma + 1;
            }
        }
    }
    return s;
}

/* True when this call of `name` is the one DLM_CUDA_EMU_FAIL asks to fail. */
bool fault(const char *name)
{
    emu_state &s = emu();
    unsigned long long n = ++s.calls[name];
    auto it = s.fail_at.find(name);
    return it != s.fail_at.end() && it->second == n;
}

cudaError_t fail(cudaError_t rc)
{
    emu().last = rc;
    return rc;
}

/* The start of a call: the sticky error of an earlier fault, if any. */
#define EMU_ENTER(name)                                                                      \
    do {                                                                                     \
        if (emu().sticky != cudaSuccess)                                                     \
            return emu().sticky;                                                             \
    } while (0)

/* The allocation of `map` that holds [p, p + n), or map.end(). */
std::map<uintptr_t, size_t>::const_iterator holding(const std::map<uintptr_t, size_t> &map,
                                                    const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p;
    auto it = map.upper_bound(a);
    if (it == map.begin())
        return map.end();
    --it;
    if (a < it->first || a - it->first > it->second || n > it->second - (a - it->first))
        return map.end();
    return it;
}

bool is_device(const void *p, size_t n)
{
    return holding(emu().device, p, n) != emu().device.end();
}

bool is_pinned(const void *p, size_t n)
{
    return holding(emu().pinned, p, n) != emu().pinned.end();
}

/* --- running the queued work -------------------------------------------------------------- */

void run_ops(dlm_emu_stream *s, unsigned long long upto)
{
    while (!s->queue.empty() && s->queue.front().seq < upto) {
        dlm_emu_op op = std::move(s->queue.front());
        s->queue.pop_front();
        if (emu().sticky == cudaSuccess) /* after a fault, nothing more runs */
            op.run();
    }
}

void run_stream(dlm_emu_stream *s)
{
    run_ops(s, ~0ull);
}

void run_all(bool blocking_only)
{
    for (dlm_emu_stream *s : emu().streams)
        if (!blocking_only || !(s->flags & cudaStreamNonBlocking))
            run_stream(s);
}

/* Queues op on stream (0: the legacy default stream, which waits for the blocking streams
 * and then runs it at once). */
void submit(cudaStream_t stream, std::function<void()> op)
{
    if (!stream) {
        run_all(true);
        if (emu().sticky == cudaSuccess)
            op();
        return;
    }
    stream->queue.push_back(dlm_emu_op{stream->next_seq++, std::move(op)});
}

/* --- threads as coroutines ------------------------------------------------------------------ */

struct fiber {
    ucontext_t ctx;
    std::unique_ptr<char[]> stack; /* kStack bytes, kept for the next blocks */
    bool done;
};

ucontext_t scheduler;
std::vector<fiber> fibers;
size_t current;
const std::function<void()> *body;
bool in_fiber;
std::vector<unsigned char> shared_mem;
#ifdef DLM_EMU_ASAN
const void *scheduler_bottom;
size_t scheduler_size;
#endif

void to_scheduler(bool finished)
{
#ifdef DLM_EMU_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(finished ? NULL : &fake, scheduler_bottom, scheduler_size);
    swapcontext(&fibers[current].ctx, &scheduler);
    __sanitizer_finish_switch_fiber(fake, &scheduler_bottom, &scheduler_size);
#else
    (void)finished;
    swapcontext(&fibers[current].ctx, &scheduler);
#endif
}

void to_fiber(size_t t)
{
#ifdef DLM_EMU_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, fibers[t].stack.get(), kStack);
    swapcontext(&scheduler, &fibers[t].ctx);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
    swapcontext(&scheduler, &fibers[t].ctx);
#endif
}

void fiber_main()
{
#ifdef DLM_EMU_ASAN
    __sanitizer_finish_switch_fiber(NULL, &scheduler_bottom, &scheduler_size);
#endif
    (*body)();
    fibers[current].done = true;
    to_scheduler(true);
}

/* A fixed scramble of 0 .. n-1, different per launch. */
std::vector<unsigned> scrambled(unsigned n, unsigned long long salt)
{
    std::vector<unsigned> order(n);
    uint64_t x = 0x9e3779b97f4a7c15ull * (salt + 1u);
    for (unsigned i = 0; i < n; ++i)
        order[i] = i;
    for (unsigned i = n; i > 1; --i) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        std::swap(order[i - 1], order[(unsigned)((x * 0x2545f4914f6cdd1dull) >> 33) % i]);
    }
    return order;
}

void run_block_direct(const std::function<void()> &f, const std::vector<unsigned> &order)
{
    for (unsigned t : order) {
        threadIdx = dim3{t, 0, 0};
        f();
    }
}

void run_block_fibers(const std::function<void()> &f, const std::vector<unsigned> &order)
{
    unsigned n = (unsigned)order.size();
    bool live = true;
    if (fibers.size() < n) {
        size_t old = fibers.size();
        fibers.resize(n);
        for (size_t t = old; t < n; ++t)
            fibers[t].stack.reset(new char[kStack]);
    }
    body = &f;
    for (unsigned t = 0; t < n; ++t) {
        getcontext(&fibers[t].ctx);
        fibers[t].ctx.uc_stack.ss_sp = fibers[t].stack.get();
        fibers[t].ctx.uc_stack.ss_size = kStack;
        fibers[t].ctx.uc_link = NULL;
        makecontext(&fibers[t].ctx, fiber_main, 0);
        fibers[t].done = false;
    }
    in_fiber = true;
    while (live) { /* one pass runs every thread up to its next __syncthreads or its end */
        live = false;
        for (unsigned t : order) {
            if (fibers[t].done)
                continue;
            current = t;
            threadIdx = dim3{t, 0, 0};
            to_fiber(t);
            live = live || !fibers[t].done;
        }
    }
    in_fiber = false;
}

void run_grid(const std::string &name, unsigned grid, unsigned block, size_t shared,
              unsigned long long salt, const std::function<void()> &f)
{
    emu_state &s = emu();
    std::vector<unsigned> blocks = scrambled(grid, salt), threads = scrambled(block, salt + 7u);
    if (fault(name.c_str())) {
        s.sticky = cudaErrorIllegalAddress;
        return;
    }
    ++s.kernels_run;
    gridDim = dim3{grid, 1, 1};
    blockDim = dim3{block, 1, 1};
    for (unsigned b : blocks) {
        blockIdx = dim3{b, 0, 0};
        if (shared) {
            shared_mem.assign(shared, 0xCD);
            run_block_fibers(f, threads);
        } else {
            run_block_direct(f, threads);
        }
    }
}

} // namespace

void __syncthreads(void)
{
    if (!in_fiber) {
        fprintf(stderr, "cuda emulator: __syncthreads in a kernel launched without dynamic "
                        "shared memory; the emulator runs only those as coroutines\n");
        abort();
    }
    to_scheduler(false);
}

void *dlm_emu_shared(void)
{
    return shared_mem.data();
}

void dlm_emu_enqueue(const char *name, unsigned grid, unsigned block, size_t shared,
                     cudaStream_t stream, std::function<void()> f)
{
    emu_state &s = emu();
    unsigned long long salt = s.launches++;
    if (s.sticky != cudaSuccess) {
        s.last = s.sticky;
        return;
    }
    if (grid == 0 || grid > 2147483647u || block == 0 || block > 1024 || shared > 48u * 1024u) {
        s.last = cudaErrorInvalidConfiguration;
        return;
    }
    if (stream && !s.streams.count(stream)) {
        s.last = cudaErrorInvalidResourceHandle;
        return;
    }
    std::string kernel(name);
    submit(stream, [=]() { run_grid(kernel, grid, block, shared, salt, f); });
}

/* --- the runtime API ----------------------------------------------------------------------- */

extern "C" {

const char *cudaGetErrorName(cudaError_t e)
{
    switch (e) {
#define NAME(x)                                                                              \
    case x:                                                                                  \
        return #x
        NAME(cudaSuccess);
        NAME(cudaErrorInvalidValue);
        NAME(cudaErrorMemoryAllocation);
        NAME(cudaErrorInitializationError);
        NAME(cudaErrorInvalidConfiguration);
        NAME(cudaErrorInvalidDevicePointer);
        NAME(cudaErrorInvalidMemcpyDirection);
        NAME(cudaErrorInsufficientDriver);
        NAME(cudaErrorNoDevice);
        NAME(cudaErrorInvalidDevice);
        NAME(cudaErrorInvalidResourceHandle);
        NAME(cudaErrorNotReady);
        NAME(cudaErrorIllegalAddress);
        NAME(cudaErrorLaunchOutOfResources);
        NAME(cudaErrorLaunchFailure);
#undef NAME
    }
    return "cudaErrorUnknown";
}

/* The runtime's own descriptions. */
const char *cudaGetErrorString(cudaError_t e)
{
    switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInitializationError: return "initialization error";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidDevicePointer: return "invalid device pointer";
    case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
    case cudaErrorInsufficientDriver:
        return "CUDA driver version is insufficient for CUDA runtime version";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorNotReady: return "device not ready";
    case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
    case cudaErrorLaunchOutOfResources: return "too many resources requested for launch";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    }
    return "unrecognized error code";
}

cudaError_t cudaGetLastError(void)
{
    emu_state &s = emu();
    cudaError_t rc = s.sticky != cudaSuccess ? s.sticky : s.last;
    s.last = cudaSuccess;
    return rc;
}

cudaError_t cudaPeekAtLastError(void)
{
    emu_state &s = emu();
    return s.sticky != cudaSuccess ? s.sticky : s.last;
}

cudaError_t cudaGetDeviceCount(int *count)
{
    emu_state &s = emu();
    *count = 0;
    if (s.no_driver)
        return fail(cudaErrorInsufficientDriver);
    if (s.devices <= 0)
        return fail(cudaErrorNoDevice);
    *count = s.devices;
    return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int *version)
{
    *version = emu().no_driver ? 0 : 13000;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device)
{
    emu_state &s = emu();
    EMU_ENTER("cudaGetDeviceProperties");
    if (s.no_driver || device < 0 || device >= s.devices)
        return fail(cudaErrorInvalidDevice);
    memset(prop, 0, sizeof *prop);
    snprintf(prop->name, sizeof prop->name, "dilemma CUDA emulator %d (host)", device);
    prop->totalGlobalMem = s.memory;
    prop->major = 9;
    prop->minor = 0;
    prop->multiProcessorCount = 1;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int device)
{
    emu_state &s = emu();
    EMU_ENTER("cudaSetDevice");
    if (fault("cudaSetDevice") || s.no_driver || device < 0 || device >= s.devices)
        return fail(cudaErrorInvalidDevice);
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize(void)
{
    EMU_ENTER("cudaDeviceSynchronize");
    run_all(false);
    return emu().sticky;
}

cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes)
{
    emu_state &s = emu();
    EMU_ENTER("cudaMemGetInfo");
    *free_bytes = s.memory - s.used;
    *total_bytes = s.memory;
    return cudaSuccess;
}

cudaError_t cudaMalloc(void **ptr, size_t size)
{
    emu_state &s = emu();
    size_t granted = (size + kGranule - 1) / kGranule * kGranule;
    EMU_ENTER("cudaMalloc");
    *ptr = NULL;
    if (fault("cudaMalloc") || granted > s.memory - s.used)
        return fail(cudaErrorMemoryAllocation);
    if (!(*ptr = malloc(granted ? granted : 1)))
        return fail(cudaErrorMemoryAllocation);
    memset(*ptr, 0xCD, granted);
    s.device[(uintptr_t)*ptr] = size;
    s.used += granted;
    return cudaSuccess;
}

/* cudaFree and cudaFreeHost release the memory even after a fault (and then return it),
 * as a context's teardown would, so that leak checks stay meaningful on error paths. */
cudaError_t cudaFree(void *ptr)
{
    emu_state &s = emu();
    run_all(false); /* cudaFree waits for the device */
    if (!ptr)
        return s.sticky;
    auto it = s.device.find((uintptr_t)ptr);
    if (it == s.device.end())
        return fail(cudaErrorInvalidValue);
    s.used -= (it->second + kGranule - 1) / kGranule * kGranule;
    s.device.erase(it);
    free(ptr);
    return s.sticky;
}

cudaError_t cudaHostAlloc(void **ptr, size_t size, unsigned int flags)
{
    EMU_ENTER("cudaHostAlloc");
    (void)flags;
    *ptr = NULL;
    if (fault("cudaHostAlloc") || !(*ptr = malloc(size ? size : 1)))
        return fail(cudaErrorMemoryAllocation);
    memset(*ptr, 0xCD, size);
    emu().pinned[(uintptr_t)*ptr] = size;
    return cudaSuccess;
}

cudaError_t cudaMallocHost(void **ptr, size_t size)
{
    return cudaHostAlloc(ptr, size, cudaHostAllocDefault);
}

cudaError_t cudaFreeHost(void *ptr)
{
    emu_state &s = emu();
    run_all(false);
    if (!ptr)
        return s.sticky;
    auto it = s.pinned.find((uintptr_t)ptr);
    if (it == s.pinned.end())
        return fail(cudaErrorInvalidValue);
    s.pinned.erase(it);
    free(ptr);
    return s.sticky;
}

/* The sides of a copy are what its kind says. */
static bool copy_sides_ok(void *dst, const void *src, size_t n, enum cudaMemcpyKind kind)
{
    bool d = is_device(dst, n), sd = is_device(src, n);
    switch (kind) {
    case cudaMemcpyHostToDevice: return d && !is_device(src, 1);
    case cudaMemcpyDeviceToHost: return sd && !is_device(dst, 1);
    case cudaMemcpyDeviceToDevice: return d && sd;
    default: return false; /* the project names its kinds */
    }
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
    EMU_ENTER("cudaMemcpy");
    if (fault("cudaMemcpy") || !copy_sides_ok(dst, src, count, kind))
        return fail(cudaErrorInvalidValue);
    submit(0, [=]() { memcpy(dst, src, count); });
    return emu().sticky;
}

cudaError_t cudaMemset(void *dst, int value, size_t count)
{
    EMU_ENTER("cudaMemset");
    if (fault("cudaMemset") || !is_device(dst, count))
        return fail(cudaErrorInvalidValue);
    submit(0, [=]() { memset(dst, value, count); });
    return emu().sticky;
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind,
                            cudaStream_t stream)
{
    emu_state &s = emu();
    const void *host = kind == cudaMemcpyHostToDevice ? src : dst;
    EMU_ENTER("cudaMemcpyAsync");
    if (fault("cudaMemcpyAsync") || !copy_sides_ok(dst, src, count, kind) ||
        (stream && !s.streams.count(stream)))
        return fail(cudaErrorInvalidValue);
    if (kind != cudaMemcpyDeviceToDevice && !is_pinned(host, count)) {
        fprintf(stderr, "cuda emulator: cudaMemcpyAsync of %zu bytes names pageable host "
                        "memory; the project copies asynchronously only with pinned buffers\n",
                count);
        return fail(cudaErrorInvalidValue);
    }
    submit(stream, [=]() { memcpy(dst, src, count); });
    return s.sticky;
}

cudaError_t cudaMemsetAsync(void *dst, int value, size_t count, cudaStream_t stream)
{
    emu_state &s = emu();
    EMU_ENTER("cudaMemsetAsync");
    if (fault("cudaMemsetAsync") || !is_device(dst, count) ||
        (stream && !s.streams.count(stream)))
        return fail(cudaErrorInvalidValue);
    submit(stream, [=]() { memset(dst, value, count); });
    return s.sticky;
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned int flags)
{
    EMU_ENTER("cudaStreamCreateWithFlags");
    if (fault("cudaStreamCreateWithFlags"))
        return fail(cudaErrorInvalidValue);
    *stream = new dlm_emu_stream{flags, 0, {}};
    emu().streams.insert(*stream);
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream)
{
    emu_state &s = emu();
    if (!stream || !s.streams.count(stream))
        return fail(cudaErrorInvalidResourceHandle);
    run_stream(stream); /* its work completes first */
    s.streams.erase(stream);
    delete stream;
    return s.sticky;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream)
{
    emu_state &s = emu();
    EMU_ENTER("cudaStreamSynchronize");
    if (stream && !s.streams.count(stream))
        return fail(cudaErrorInvalidResourceHandle);
    if (stream)
        run_stream(stream);
    else
        run_all(true);
    return s.sticky;
}

cudaError_t cudaStreamQuery(cudaStream_t stream)
{
    EMU_ENTER("cudaStreamQuery");
    return stream && !stream->queue.empty() ? cudaErrorNotReady : cudaSuccess;
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)
{
    EMU_ENTER("cudaEventCreateWithFlags");
    (void)flags;
    if (fault("cudaEventCreateWithFlags"))
        return fail(cudaErrorInvalidValue);
    *event = new dlm_emu_event{NULL, 0};
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event)
{
    if (!event)
        return fail(cudaErrorInvalidResourceHandle);
    delete event;
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
{
    emu_state &s = emu();
    EMU_ENTER("cudaEventRecord");
    if (!event || (stream && !s.streams.count(stream)))
        return fail(cudaErrorInvalidResourceHandle);
    if (stream) {
        event->stream = stream;
        event->seq = stream->next_seq; /* the ops queued so far */
    } else {
        run_all(true);
        event->stream = NULL;
    }
    return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event)
{
    emu_state &s = emu();
    EMU_ENTER("cudaEventSynchronize");
    if (!event)
        return fail(cudaErrorInvalidResourceHandle);
    if (event->stream && s.streams.count(event->stream))
        run_ops(event->stream, event->seq); /* what came before it, and nothing after */
    return s.sticky;
}

cudaError_t cudaEventQuery(cudaEvent_t event)
{
    EMU_ENTER("cudaEventQuery");
    if (!event)
        return fail(cudaErrorInvalidResourceHandle);
    if (event->stream && emu().streams.count(event->stream) &&
        !event->stream->queue.empty() && event->stream->queue.front().seq < event->seq)
        return cudaErrorNotReady;
    return cudaSuccess;
}

size_t dlm_emu_pending(void)
{
    size_t n = 0;
    for (dlm_emu_stream *s : emu().streams)
        n += s->queue.size();
    return n;
}

unsigned long long dlm_emu_kernels_run(void)
{
    return emu().kernels_run;
}

} /* extern "C" */
