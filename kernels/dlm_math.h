/* dlm_math.h — the floating-point functions the model needs where a double decides an
 * event (DESIGN.md §4): exp and log, the Fermi imitation probability, the conversion of
 * Philox words to doubles and of a double probability to a 32-bit threshold, sin/cos of
 * a fraction of a turn and a Box–Muller Gaussian. Written once in the portable subset
 * (dlm_portable.h) so the CPU, CUDA and OpenCL backends compute the same bits.
 *
 * Why not the platform's exp/log: libm, CUDA's libdevice and each OpenCL driver round
 * differently in the last place, and one ulp is enough to flip "draw < threshold" and
 * make the backends' outputs diverge. Here every result is a fixed sequence of IEEE
 * double +, -, *, / (each correctly rounded on all three platforms), integer operations
 * and bit reinterpretation — no library call except DLM_SQRT (see below). The project
 * compiles with -ffp-contract=off (C), -fmad=false (nvcc) and FP_CONTRACT OFF (OpenCL),
 * so no operation below is fused into an FMA; each step is still a separate statement,
 * so what is rounded where does not depend on how a compiler reads an expression.
 *
 * Measured against glibc 2.36 on x86-64 (tests/test_math.c asserts the bounds):
 *   dlm_exp   max 1 ulp over [-745.14, 709.79] (subnormal results included)
 *   dlm_log   max 1 ulp over all positive doubles (subnormals included)
 *   dlm_sin_kernel / dlm_cos_kernel  max 1 ulp on [-pi/4, pi/4]
 *
 * exp, log and the sin/cos kernels follow the algorithms and use the minimax
 * coefficients of fdlibm 5.3 (e_exp.c, e_log.c, k_sin.c, k_cos.c), whose notice is:
 *
 *   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *   Developed at SunPro, a Sun Microsystems, Inc. business.
 *   Permission to use, copy, modify, and distribute this software is freely granted,
 *   provided that this notice is preserved.
 *
 * Decimal constants carry 17+ significant digits, so every compiler rounds them to the
 * same double (tests/test_math.c checks the bit patterns of the hi/lo splits).
 */
#ifndef DLM_MATH_H
#define DLM_MATH_H

#include "dlm_portable.h"

/* Bit reinterpretation between double and uint64_t, and sqrt. Same order of checks as
 * dlm_portable.h: OpenCL first, then nvcc, then plain C.
 *
 * DLM_SQRT is the one library call: IEEE 754 requires sqrt to be correctly rounded, and
 * all three platforms give the correctly rounded result for double — OpenCL C 1.2
 * (§7.4, table 7.2: sqrt for double is 0 ulp), CUDA (double sqrt is IEEE round-to-
 * nearest; -prec-sqrt only concerns float) and C with Annex F (__STDC_IEC_559__, which
 * glibc defines; gcc emits sqrtsd on x86-64). So DLM_SQRT(x) has the same bits everywhere. */
#if defined(__OPENCL_VERSION__)
#  pragma OPENCL EXTENSION cl_khr_fp64 : enable
#  define DLM_DOUBLE_BITS(x) ((uint64_t)as_ulong((double)(x)))
#  define DLM_BITS_DOUBLE(u) as_double((ulong)(u))
#  define DLM_SQRT(x) sqrt((double)(x))
#elif defined(__CUDACC__)
#  include <math.h>
#  if defined(__CUDA_ARCH__)
#    define DLM_DOUBLE_BITS(x) ((uint64_t)__double_as_longlong((double)(x)))
#    define DLM_BITS_DOUBLE(u) __longlong_as_double((long long)(uint64_t)(u))
#  else
DLM_FN uint64_t dlm_double_bits_(double x)
{
    union { double d; uint64_t u; } v;
    v.d = x;
    return v.u;
}
DLM_FN double dlm_bits_double_(uint64_t u)
{
    union { double d; uint64_t u; } v;
    v.u = u;
    return v.d;
}
#    define DLM_DOUBLE_BITS(x) dlm_double_bits_((double)(x))
#    define DLM_BITS_DOUBLE(u) dlm_bits_double_((uint64_t)(u))
#  endif
#  define DLM_SQRT(x) sqrt((double)(x))
#else
#  include <math.h>
/* Type punning through a union is defined in C11 (6.5.2.3 note 95). */
DLM_FN uint64_t dlm_double_bits_(double x)
{
    union { double d; uint64_t u; } v;
    v.d = x;
    return v.u;
}
DLM_FN double dlm_bits_double_(uint64_t u)
{
    union { double d; uint64_t u; } v;
    v.u = u;
    return v.d;
}
#  define DLM_DOUBLE_BITS(x) dlm_double_bits_((double)(x))
#  define DLM_BITS_DOUBLE(u) dlm_bits_double_((uint64_t)(u))
#  define DLM_SQRT(x) sqrt((double)(x))
#endif

#define DLM_BITS_POS_INF 0x7FF0000000000000ull
#define DLM_BITS_NEG_INF 0xFFF0000000000000ull
#define DLM_BITS_QNAN    0x7FF8000000000000ull

/* Two doubles, returned by value (no pointers into private memory needed). */
typedef struct dlm_f64x2 { double v[2]; } dlm_f64x2;

/* --- exp ------------------------------------------------------------------------------ */

/* ln 2 split Cody–Waite style: DLM_LN2_HI has its low 21 significand bits zero
 * (0x3FE62E42FEE00000), so k * DLM_LN2_HI is exact for |k| < 2^21 and x - k * DLM_LN2_HI
 * is exact; DLM_LN2_LO (0x3DEA39EF35793C76) is ln 2 - DLM_LN2_HI rounded. */
#define DLM_LN2_HI  6.93147180369123816490e-01
#define DLM_LN2_LO  1.90821492927058770002e-10
#define DLM_INV_LN2 1.44269504088896338700e+00
/* exp(x) overflows to +inf above this (the largest x whose exp rounds to a finite
 * double) and underflows to +0 below the lower one (exp(x) < 2^-1075 there). */
#define DLM_EXP_OVERFLOW  7.09782712893383973096e+02
#define DLM_EXP_UNDERFLOW -7.45133219101941108420e+02
/* fdlibm e_exp.c: Remez minimax polynomial of degree 5 in r^2 approximating
 * R(r^2) = r * (exp(r) + 1) / (exp(r) - 1) = 2 + P1 r^2 + ... + P5 r^10 on
 * |r| <= 0.5 ln 2 = 0.34658, with |error| < 2^-59 — then exp(r) = 1 + 2r / (R - r). */
#define DLM_EXP_P1  1.66666666666666019037e-01
#define DLM_EXP_P2 -2.77777777770155933842e-03
#define DLM_EXP_P3  6.61375632143793436117e-05
#define DLM_EXP_P4 -1.65339022054652515390e-06
#define DLM_EXP_P5  4.13813679705723846039e-08
#define DLM_HALF_LN2       0.34657359027997264  /* ln2 / 2, rounded */
#define DLM_THREE_HALF_LN2 1.0397207708399179   /* 3 ln2 / 2, rounded */
#define DLM_TWO_M28   3.7252902984619140625e-09   /* 2^-28 */
#define DLM_TWO_M1000 9.33263618503218878990e-302 /* 2^-1000 */
#define DLM_TWO_P1023 8.98846567431157953865e+307 /* 2^1023 */

/* exp(x) within 1 ulp: NaN in gives NaN, x > 709.7827 gives +inf, x < -745.1332 gives +0
 * (exp(x) is below half the smallest subnormal there), results between are normal or
 * subnormal doubles. */
DLM_FN double dlm_exp(double x)
{
    double hi, lo, r, t, p, c, y, kd, num, den, q, w;
    int k;
    if (x != x)
        return x + x; /* NaN: quiet it and pass it on */
    if (x > DLM_EXP_OVERFLOW)
        return DLM_BITS_DOUBLE(DLM_BITS_POS_INF); /* includes x = +inf */
    if (x < DLM_EXP_UNDERFLOW)
        return 0.0; /* includes x = -inf */
    if (x < DLM_TWO_M28 && x > -DLM_TWO_M28)
        return 1.0 + x; /* |x| < 2^-28: exp(x) = 1 + x to within half an ulp */

    /* Range reduction: x = k ln2 + r with |r| <= 0.5 ln2 (a hair more by rounding). */
    if (x > DLM_HALF_LN2 && x < DLM_THREE_HALF_LN2) {
        k = 1;
        hi = x - DLM_LN2_HI; /* exact (Sterbenz) */
        lo = DLM_LN2_LO;
    } else if (x < -DLM_HALF_LN2 && x > -DLM_THREE_HALF_LN2) {
        k = -1;
        hi = x + DLM_LN2_HI;
        lo = -DLM_LN2_LO;
    } else if (x > DLM_HALF_LN2 || x < -DLM_HALF_LN2) {
        /* k = round(x / ln2), half away from zero: truncate x / ln2 +- 1/2. */
        kd = DLM_INV_LN2 * x;
        kd = kd + (x < 0.0 ? -0.5 : 0.5);
        k = (int)kd;
        kd = (double)k;
        t = kd * DLM_LN2_HI; /* exact: |k| <= 1075 needs 11 bits, DLM_LN2_HI has 32 */
        hi = x - t;          /* exact: the result needs no more bits than x has */
        lo = kd * DLM_LN2_LO;
    } else {
        k = 0;
        hi = x;
        lo = 0.0;
    }
    r = hi - lo;

    /* c = r - (P1 r^2 + ... + P5 r^10) = r - (R(r^2) - 2), and then
     * exp(r) = 1 + r + r c / (2 - c), evaluated as fdlibm does to keep the big terms
     * exact. Horner, innermost first. */
    t = r * r;
    p = t * DLM_EXP_P5;
    p = DLM_EXP_P4 + p;
    p = t * p;
    p = DLM_EXP_P3 + p;
    p = t * p;
    p = DLM_EXP_P2 + p;
    p = t * p;
    p = DLM_EXP_P1 + p;
    p = t * p;
    c = r - p;
    if (k == 0) {
        /* y = 1 - ((x c) / (c - 2) - x) */
        num = x * c;
        den = c - 2.0;
        q = num / den;
        w = q - x;
        return 1.0 - w;
    }
    /* y = 1 - ((lo - (r c) / (2 - c)) - hi) */
    num = r * c;
    den = 2.0 - c;
    q = num / den;
    w = lo - q;
    w = w - hi;
    y = 1.0 - w;

    /* y * 2^k, y in (0.7, 1.42). Adding k to the exponent field is exact while the result
     * stays normal; k = 1024 (x just below the overflow threshold) goes through 2^1023
     * and an exact doubling; k < -1021 scales by 2^(k + 1000) exactly and then by 2^-1000,
     * the one rounding into the subnormal range. Unsigned arithmetic: a negative k wraps
     * modulo 2^64, which subtracts from the exponent as intended. */
    if (k > 1023) { /* k = 1024 only: x <= DLM_EXP_OVERFLOW */
        y = y * DLM_TWO_P1023;
        return y * 2.0;
    }
    if (k >= -1021)
        return DLM_BITS_DOUBLE(DLM_DOUBLE_BITS(y) + ((uint64_t)(int64_t)k << 52));
    y = DLM_BITS_DOUBLE(DLM_DOUBLE_BITS(y) + ((uint64_t)(int64_t)(k + 1000) << 52));
    return y * DLM_TWO_M1000;
}

/* --- log ------------------------------------------------------------------------------ */

#define DLM_TWO_P54 1.80143985094819840000e+16 /* 2^54 */
/* fdlibm e_log.c: with s = f / (2 + f), log(1 + f) = 2s + s R(s^2), and R(z) is a Remez
 * minimax polynomial of degree 7 on [0, 0.1716^2] (the range of s^2 for
 * sqrt(2)/2 < 1 + f < sqrt(2)), |error| < 2^-58.45. */
#define DLM_LOG_LG1 6.666666666666735130e-01
#define DLM_LOG_LG2 3.999999999940941908e-01
#define DLM_LOG_LG3 2.857142874366239149e-01
#define DLM_LOG_LG4 2.222219843214978396e-01
#define DLM_LOG_LG5 1.818357216161805012e-01
#define DLM_LOG_LG6 1.531383769920937332e-01
#define DLM_LOG_LG7 1.479819860511658591e-01

/* Natural log within 1 ulp: NaN in gives NaN, x < 0 gives NaN, +-0 gives -inf,
 * +inf gives +inf, log(1) = +0; subnormal x is scaled by 2^54 first. */
DLM_FN double dlm_log(double x)
{
    uint64_t bits;
    int32_t hx, i, j, k;
    double f, s, z, w, t1, t2, r, hfsq, dk, a, b;
    if (x != x)
        return x + x;
    if (x < 0.0)
        return DLM_BITS_DOUBLE(DLM_BITS_QNAN);
    if (x == 0.0)
        return DLM_BITS_DOUBLE(DLM_BITS_NEG_INF);
    bits = DLM_DOUBLE_BITS(x);
    if (bits >= DLM_BITS_POS_INF)
        return x; /* +inf */
    k = 0;
    if (bits < 0x0010000000000000ull) { /* subnormal: make it normal, exactly */
        x = x * DLM_TWO_P54;
        k = -54;
        bits = DLM_DOUBLE_BITS(x);
    }
    /* x = 2^k (1 + f) with sqrt(2)/2 < 1 + f < sqrt(2): take the exponent, then pick
     * the binade of the significand by whether it is above 0x6A09E (sqrt(2)'s high bits)
     * — adding 0x95F64 carries into bit 20 exactly then — and rebuild x with exponent 0
     * or -1. */
    hx = (int32_t)(bits >> 32);
    k += (hx >> 20) - 1023;
    hx &= 0x000FFFFF;
    i = (hx + 0x95F64) & 0x100000;
    k += (i >> 20);
    bits = ((uint64_t)(uint32_t)(hx | (i ^ 0x3FF00000)) << 32) | (bits & 0xFFFFFFFFull);
    x = DLM_BITS_DOUBLE(bits);
    f = x - 1.0; /* exact */
    dk = (double)k;

    if ((0x000FFFFF & (2 + hx)) < 3) { /* |f| < 2^-20: a short series suffices */
        if (f == 0.0) {
            if (k == 0)
                return 0.0;
            a = dk * DLM_LN2_HI;
            b = dk * DLM_LN2_LO;
            return a + b;
        }
        /* R = f^2 (1/2 - f/3) */
        r = 0.33333333333333333 * f;
        r = 0.5 - r;
        w = f * f;
        r = w * r;
        if (k == 0)
            return f - r;
        /* dk ln2_hi - ((R - dk ln2_lo) - f) */
        b = dk * DLM_LN2_LO;
        w = r - b;
        w = w - f;
        a = dk * DLM_LN2_HI;
        return a - w;
    }
    s = 2.0 + f;
    s = f / s;
    z = s * s;
    w = z * z;
    /* t1 = w (Lg2 + w (Lg4 + w Lg6)), t2 = z (Lg1 + w (Lg3 + w (Lg5 + w Lg7))):
     * the even and odd halves of R, so each Horner chain is half as long. */
    t1 = w * DLM_LOG_LG6;
    t1 = DLM_LOG_LG4 + t1;
    t1 = w * t1;
    t1 = DLM_LOG_LG2 + t1;
    t1 = w * t1;
    t2 = w * DLM_LOG_LG7;
    t2 = DLM_LOG_LG5 + t2;
    t2 = w * t2;
    t2 = DLM_LOG_LG3 + t2;
    t2 = w * t2;
    t2 = DLM_LOG_LG1 + t2;
    t2 = z * t2;
    r = t2 + t1;
    /* fdlibm's choice between two forms: where the top significand bits hx lie in
     * (0x6147A, 0x6B851), i.e. 1 + f in (1.38, 1.414) or [0.707, 0.71) (|f| near its
     * largest), log(1 + f) = f - (f^2/2 - s (f^2/2 + R)) keeps the error under 1 ulp;
     * elsewhere f - s (f - R) does. i > 0 exactly when both differences are positive. */
    i = hx - 0x6147A;
    j = 0x6B851 - hx;
    i = i | j;
    if (i > 0) {
        hfsq = 0.5 * f;
        hfsq = hfsq * f;
        w = hfsq + r;
        w = s * w;
        if (k == 0) {
            w = hfsq - w;
            return f - w; /* f - (hfsq - s (hfsq + R)) */
        }
        /* dk ln2_hi - ((hfsq - (s (hfsq + R) + dk ln2_lo)) - f) */
        b = dk * DLM_LN2_LO;
        w = w + b;
        w = hfsq - w;
        w = w - f;
        a = dk * DLM_LN2_HI;
        return a - w;
    }
    w = f - r;
    w = s * w;
    if (k == 0)
        return f - w; /* f - s (f - R) */
    /* dk ln2_hi - ((s (f - R) - dk ln2_lo) - f) */
    b = dk * DLM_LN2_LO;
    w = w - b;
    w = w - f;
    a = dk * DLM_LN2_HI;
    return a - w;
}

/* --- sin and cos ------------------------------------------------------------------------ */

/* fdlibm k_sin.c: sin(x) = x + S1 x^3 + ... + S6 x^13 on |x| <= pi/4, a Remez minimax
 * fit with |sin(x)/x - (1 + S1 x^2 + ... + S6 x^12)| <= 2^-58. */
#define DLM_SIN_S1 -1.66666666666666324348e-01
#define DLM_SIN_S2  8.33333333332248946124e-03
#define DLM_SIN_S3 -1.98412698298579493134e-04
#define DLM_SIN_S4  2.75573137070700676789e-06
#define DLM_SIN_S5 -2.50507602534068634195e-08
#define DLM_SIN_S6  1.58969099521155010221e-10
/* fdlibm k_cos.c: cos(x) = 1 - x^2/2 + C1 x^4 + ... + C6 x^14 on |x| <= pi/4, Remez
 * minimax with |cos(x) - (1 - x^2/2 + C1 x^4 + ... + C6 x^14)| <= 2^-58. */
#define DLM_COS_C1  4.16666666666666019037e-02
#define DLM_COS_C2 -1.38888888888741095749e-03
#define DLM_COS_C3  2.48015872894767294178e-05
#define DLM_COS_C4 -2.75573143513906633035e-07
#define DLM_COS_C5  2.08757232129817482790e-09
#define DLM_COS_C6 -1.13596475577881948265e-11
#define DLM_TWO_M27 7.4505805969238281250e-09 /* 2^-27 */
#define DLM_TWO_PI  6.28318530717958647693e+00 /* 2 pi, rounded (0x401921FB54442D18) */

/* sin(x) for |x| <= pi/4 (a little beyond is fine), within 1 ulp. */
DLM_FN double dlm_sin_kernel(double x)
{
    double z, v, r;
    if (x < DLM_TWO_M27 && x > -DLM_TWO_M27)
        return x; /* |x| < 2^-27: sin x = x to within half an ulp; keeps the sign of -0 */
    z = x * x;
    v = z * x;
    r = z * DLM_SIN_S6;
    r = DLM_SIN_S5 + r;
    r = z * r;
    r = DLM_SIN_S4 + r;
    r = z * r;
    r = DLM_SIN_S3 + r;
    r = z * r;
    r = DLM_SIN_S2 + r;
    r = z * r; /* r = z (S2 + z (S3 + ...)) */
    r = DLM_SIN_S1 + r;
    r = v * r;
    return x + r; /* x + x^3 (S1 + z (S2 + ...)): the big term added last */
}

/* cos(x) for |x| <= pi/4 (a little beyond is fine), within 1 ulp. */
DLM_FN double dlm_cos_kernel(double x)
{
    double z, r, hz, qx, a, w;
    uint32_t hi;
    z = x * x;
    r = z * DLM_COS_C6;
    r = DLM_COS_C5 + r;
    r = z * r;
    r = DLM_COS_C4 + r;
    r = z * r;
    r = DLM_COS_C3 + r;
    r = z * r;
    r = DLM_COS_C2 + r;
    r = z * r;
    r = DLM_COS_C1 + r;
    r = z * r; /* r = z (C1 + z (C2 + ...)), cos = 1 - z/2 + z r */
    hz = 0.5 * z;
    w = z * r;
    hi = (uint32_t)((DLM_DOUBLE_BITS(x) >> 32) & 0x7FFFFFFFu); /* high word of |x| */
    if (hi < 0x3FD33333u) { /* |x| < 0.3 */
        w = hz - w;
        return 1.0 - w; /* 1 - (z/2 - z r) */
    }
    /* |x| >= 0.3: 1 - z/2 loses bits, so split off qx ~ x^2/8 exactly (fdlibm):
     * cos = (1 - qx) - ((z/2 - qx) - z r), both brackets exact or nearly so. */
    if (hi > 0x3FE90000u) /* |x| > 0.78125 */
        qx = 0.28125;
    else /* |x| / 4 with its low word cleared: the high word minus 2 in the exponent */
        qx = DLM_BITS_DOUBLE((uint64_t)(hi - 0x00200000u) << 32);
    hz = hz - qx;
    a = 1.0 - qx;
    w = hz - w;
    return a - w;
}

/* {cos(2 pi t), sin(2 pi t)} for t in [0, 1], each within about 1 ulp plus 1 ulp of the
 * argument. Reducing in turns is exact: q = round(4t) picks the quadrant and
 * s = t - q/4 in [-1/8, 1/8] is computed without rounding (Sterbenz, q/4 exact), so only
 * a = 2 pi s rounds; then the pi/4 kernels and the quadrant's sign/swap. Quarter turns
 * give exact 0 and +-1. */
DLM_FN dlm_f64x2 dlm_cos_sin_turn(double t)
{
    double u, s, a, c, sn;
    int q;
    dlm_f64x2 out;
    u = 4.0 * t;
    u = u + 0.5;
    q = (int)u;
    s = 0.25 * (double)q;
    s = t - s;
    a = s * DLM_TWO_PI;
    c = dlm_cos_kernel(a);
    sn = dlm_sin_kernel(a);
    switch (q & 3) {
    case 0:
        out.v[0] = c;
        out.v[1] = sn;
        break;
    case 1: /* 2 pi t = a + pi/2 */
        out.v[0] = -sn;
        out.v[1] = c;
        break;
    case 2: /* a + pi */
        out.v[0] = -c;
        out.v[1] = -sn;
        break;
    default: /* a + 3 pi/2 */
        out.v[0] = sn;
        out.v[1] = -c;
        break;
    }
    return out;
}

/* --- the Fermi imitation probability ------------------------------------------------------ */

/* 1 / (1 + exp(-beta delta)) in [0, 1]: the probability that a focal agent imitates a
 * model whose payoff exceeds its own by delta, at selection intensity beta. Exactly 0.5
 * at beta delta = +-0; 1 and 0 in the limits, never NaN unless an input is NaN (or
 * beta delta = inf x 0). exp is only ever taken of -|beta delta| <= 0, so it cannot
 * overflow, and for beta delta < 0 the form e / (1 + e) keeps small probabilities
 * accurate relative to their size; f(z) + f(-z) = 1 to rounding because both use the
 * same e. */
DLM_FN double dlm_fermi(double beta, double delta)
{
    double z, e, d;
    z = beta * delta;
    if (z >= 0.0) {
        e = dlm_exp(-z);
        d = 1.0 + e;
        return 1.0 / d;
    }
    e = dlm_exp(z); /* also the NaN path: NaN / NaN */
    d = 1.0 + e;
    return e / d;
}

/* --- Philox words to doubles, doubles to thresholds ------------------------------------- */

#define DLM_TWO_M53 1.1102230246251565404236316680908203125e-16 /* 2^-53 */
#define DLM_TWO_P32 4294967296.0                                /* 2^32 */

/* The 53-bit integer (hi >> 5) 2^26 + (lo >> 6): the top 27 bits of hi and the top 26
 * bits of lo (the construction of MT19937's genrand_res53; the low bits are dropped). */
DLM_FN uint64_t dlm_uniform53(uint32_t hi, uint32_t lo)
{
    return ((uint64_t)(hi >> 5) << 26) | (uint64_t)(lo >> 6);
}

/* A double uniform on [0, 1) from two Philox words: dlm_uniform53(hi, lo) 2^-53, a
 * multiple of 2^-53 (every one equally likely), 0 for hi = lo = 0, at most 1 - 2^-53.
 * Exact: the integer converts to double without rounding and the scaling is a power of 2. */
DLM_FN double dlm_uniform_double(uint32_t hi, uint32_t lo)
{
    return (double)dlm_uniform53(hi, lo) * DLM_TWO_M53;
}

/* The threshold t = round(p 2^32) (halves away from zero, as llround) with p <= 0 or NaN
 * giving 0 (never fires) and p >= 1 giving 2^32 (always fires): the same integer as the
 * host's dlm_probability_threshold, computed in device code from a probability that was
 * itself computed there (the Fermi probability). Since that double is the same bits on
 * every backend, so is t, and the decision dlm_fires(draw, t) = draw < t is identical on
 * every backend too. p 2^32 is exact, so is its fractional part. */
DLM_FN uint64_t dlm_probability_threshold_from_double(double p)
{
    double x, frac;
    uint64_t t;
    if (!(p > 0.0))
        return 0u;
    if (p >= 1.0)
        return (uint64_t)1 << 32;
    x = p * DLM_TWO_P32; /* exact, in (0, 2^32) */
    t = (uint64_t)x;     /* truncation */
    frac = x - (double)t;
    if (frac >= 0.5)
        t = t + 1u;
    return t;
}

/* --- Gaussian deviates ------------------------------------------------------------------ */

/* Two independent standard normal deviates from four Philox words, by Box–Muller:
 *   u1 = (dlm_uniform53(a, b) + 1) 2^-53 in (0, 1],  t = dlm_uniform_double(c, d) in [0, 1),
 *   z0 = sqrt(-2 ln u1) cos(2 pi t),  z1 = sqrt(-2 ln u1) sin(2 pi t).
 * Box–Muller rather than Marsaglia's polar method: it consumes exactly four words per
 * pair, so a draw's position in its stream never depends on earlier rejections, and it
 * needs no loop. |z| <= sqrt(106 ln 2) = 8.57 (u1 >= 2^-53); the tail beyond has
 * probability ~1e-17. All steps are dlm_log, DLM_SQRT, the turn kernels and single
 * multiplications, so the bits are the same on every backend. */
DLM_FN dlm_f64x2 dlm_gaussian_pair(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    double u1, l, r2, rad, t;
    dlm_f64x2 cs, out;
    u1 = (double)(dlm_uniform53(a, b) + 1u) * DLM_TWO_M53;
    l = dlm_log(u1);
    r2 = 0.0 - l; /* -2 ln u1 >= +0, written so that u1 = 1 gives +0, not -0 */
    r2 = r2 + r2;
    rad = DLM_SQRT(r2);
    t = dlm_uniform_double(c, d);
    cs = dlm_cos_sin_turn(t);
    out.v[0] = rad * cs.v[0];
    out.v[1] = rad * cs.v[1];
    return out;
}

/* One standard normal deviate from four Philox words: the cos half of
 * dlm_gaussian_pair (use the pair where both are wanted). */
DLM_FN double dlm_gaussian(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    dlm_f64x2 z = dlm_gaussian_pair(a, b, c, d);
    return z.v[0];
}

#endif /* DLM_MATH_H */
