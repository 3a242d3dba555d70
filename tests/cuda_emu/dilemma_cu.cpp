/* dilemma_cu.cpp — kernels/cuda/dilemma.cu, unchanged, compiled as C++ by the host
 * compiler against the CUDA emulator's headers (tests/cuda_emu/README.md). */
#include "cuda/dilemma.cu"
