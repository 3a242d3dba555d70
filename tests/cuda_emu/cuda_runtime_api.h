/* cuda_runtime_api.h — the CUDA emulator's runtime API (tests/cuda_emu/README.md): the part
 * of the CUDA runtime that host/backend_cuda.c and tests/test_cuda.c use, with the real
 * names, types and error numbers (driver_types.h), implemented on the host by
 * tests/cuda_emu/cuda_emu.cpp. It stands in for the toolkit's header of the same name in
 * the emulated build only (its folder comes first on the include path there); the real
 * build never sees it. Plain C, so that backend_cuda.c compiles against it unchanged. */
#ifndef DLM_CUDA_EMU_RUNTIME_API_H
#define DLM_CUDA_EMU_RUNTIME_API_H

#include <stddef.h>

#define DLM_CUDA_EMULATOR 1

#ifdef __cplusplus
extern "C" {
#endif

/* The emulator's own: 0 when DLM_CUDA_EMU_DEVICES=none (no driver installed at all), for
 * the backend's cheap look for a driver before it touches the runtime. */
int dlm_cuda_emu_driver_installed(void);

/* The numbers of the toolkit's driver_types.h. */
typedef enum cudaError {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInitializationError = 3,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorInvalidMemcpyDirection = 21,
    cudaErrorInsufficientDriver = 35,
    cudaErrorNoDevice = 100,
    cudaErrorInvalidDevice = 101,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorNotReady = 600,
    cudaErrorIllegalAddress = 700,
    cudaErrorLaunchOutOfResources = 701,
    cudaErrorLaunchFailure = 719
} cudaError_t;

enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4
};

#define cudaHostAllocDefault 0x00
#define cudaStreamDefault 0x00
#define cudaStreamNonBlocking 0x01
#define cudaEventDefault 0x00
#define cudaEventDisableTiming 0x02

typedef struct dlm_emu_stream *cudaStream_t;
typedef struct dlm_emu_event *cudaEvent_t;

/* The fields the project reads (the real struct has many more). */
struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    int major, minor;
    int multiProcessorCount;
};

const char *cudaGetErrorName(cudaError_t error);
const char *cudaGetErrorString(cudaError_t error);
cudaError_t cudaGetLastError(void);
cudaError_t cudaPeekAtLastError(void);

cudaError_t cudaGetDeviceCount(int *count);
cudaError_t cudaDriverGetVersion(int *version);
cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes);

cudaError_t cudaMalloc(void **ptr, size_t size);
cudaError_t cudaFree(void *ptr);
cudaError_t cudaHostAlloc(void **ptr, size_t size, unsigned int flags);
cudaError_t cudaMallocHost(void **ptr, size_t size);
cudaError_t cudaFreeHost(void *ptr);

cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind);
cudaError_t cudaMemset(void *dst, int value, size_t count);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind,
                            cudaStream_t stream);
cudaError_t cudaMemsetAsync(void *dst, int value, size_t count, cudaStream_t stream);

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned int flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamQuery(cudaStream_t stream);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventQuery(cudaEvent_t event);

/* The emulator's own: the work queued on streams and not yet run, and the kernels run so
 * far (for tests of the emulator itself). */
size_t dlm_emu_pending(void);
unsigned long long dlm_emu_kernels_run(void);

#ifdef __cplusplus
}
#endif

#endif /* DLM_CUDA_EMU_RUNTIME_API_H */
