/* dlm_portable.h — the one place where the model code learns which compiler it is
 * under. Everything in kernels/ (every .h) is written in the subset of C that compiles as
 * C11 (gcc/clang, the CPU backend and the tests), as CUDA (nvcc) and as OpenCL C 1.2.
 *
 * Order of checks matters: __OPENCL_VERSION__ first (an OpenCL compiler may be
 * clang-based and define __clang__), then __CUDACC__ (nvcc also defines __GNUC__
 * for its host pass), then plain C.
 *
 *   DLM_FN      qualifier for every model function
 *   DLM_FN_OUTLINE  the same, for a function that the C compiler should keep out of line
 *               (a rarely taken slow path in a hot loop); DLM_FN on devices
 *   DLM_GLOBAL  qualifier for pointers into global (device) memory
 *   DLM_CONST   qualifier for pointers into read-only global memory
 *   uint32_t, uint64_t, int32_t, int64_t, uint8_t  fixed-width integers everywhere
 */
#ifndef DLM_PORTABLE_H
#define DLM_PORTABLE_H

#if defined(__OPENCL_VERSION__)
#  pragma OPENCL FP_CONTRACT OFF
   typedef uchar  uint8_t;
   typedef ushort uint16_t;
   typedef uint   uint32_t;
   typedef int    int32_t;
   typedef ulong  uint64_t;
   typedef long   int64_t;
#  define DLM_FN static inline
#  define DLM_FN_OUTLINE DLM_FN
#  define DLM_GLOBAL __global
#  define DLM_CONST __global const
   /* Not mul_hi: PoCL expands it into 16-bit pieces (Philox 2-3x slower); the 64-bit
      product is one multiply on CPUs, and GPU compilers turn it into a mul.hi. */
#  define DLM_MULHI32(a, b) ((uint)(((ulong)(uint)(a) * (ulong)(uint)(b)) >> 32))
#elif defined(__CUDACC__)
#  include <stdint.h>
#  define DLM_FN static __host__ __device__ __forceinline__
#  define DLM_FN_OUTLINE DLM_FN
#  define DLM_GLOBAL
#  define DLM_CONST const
#  if defined(__CUDA_ARCH__)
#    define DLM_MULHI32(a, b) __umulhi((a), (b))
#  else
#    define DLM_MULHI32(a, b) ((uint32_t)(((uint64_t)(a) * (uint64_t)(b)) >> 32))
#  endif
#else
#  include <stdint.h>
#  define DLM_FN static inline
#  if defined(__GNUC__)
#    define DLM_FN_OUTLINE static __attribute__((noinline, unused))
#  else
#    define DLM_FN_OUTLINE DLM_FN
#  endif
#  define DLM_GLOBAL
#  define DLM_CONST const
#  define DLM_MULHI32(a, b) ((uint32_t)(((uint64_t)(a) * (uint64_t)(b)) >> 32))
#endif

/* Moves: one bit. C = 0, D = 1, so histories and lookup indices are plain bit strings. */
#define DLM_C 0u
#define DLM_D 1u

#endif /* DLM_PORTABLE_H */
