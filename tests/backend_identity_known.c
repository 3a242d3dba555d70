/* backend_identity_known.c — known answers on the device under test (part of the identity
 * body, tests/backend_identity_body.h): Philox4x32-10 (tests/data/philox4x32_10_kat.txt)
 * and the pinned bits of kernels/dlm_math.h (tests/test_math.c), then the device against
 * the host on many random inputs, bit for bit (OpenCL FP_CONTRACT OFF, nvcc -fmad=false).
 * Each runs the device's self-test kernel through the shim's run_check.
 */
#include "backend_identity_body.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlm_math.h"
#include "dlm_philox.h"

/* Runs self-test kernel `name` on the device under test, failing the test if it fails. */
static void run_check(const char *name, const void *in, size_t in_bytes, void *out,
                      size_t out_bytes, uint64_t n)
{
    dlm_error err;
    if (identity.shim->run_check(identity.dev_be, name, in, in_bytes, out, out_bytes, n, &err) !=
        DLM_OK)
        fail_msg("%s", err.message);
}

static void test_philox_known_answers_on_the_device(void **state)
{
    const char *path = DLM_TEST_DATA "/philox4x32_10_kat.txt";
    uint32_t in[6 * 4096], want[4 * 4096], got[4 * 4096];
    char line[512];
    size_t n = 0, kat = 0, i;
    FILE *f = fopen(path, "r");
    (void)state;
    if (!f)
        fail_msg("cannot open %s", path);
    while (fgets(line, sizeof line, f) && n < 64) {
        char name[32];
        unsigned rounds, c[4], k[2], w[4];
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%31s %u %x %x %x %x %x %x %x %x %x %x", name, &rounds, &c[0], &c[1],
                   &c[2], &c[3], &k[0], &k[1], &w[0], &w[1], &w[2], &w[3]) != 12)
            fail_msg("%s: bad line %s", path, line);
        for (i = 0; i < 4; ++i) {
            in[6 * n + i] = c[i];
            want[4 * n + i] = w[i];
        }
        in[6 * n + 4] = k[0];
        in[6 * n + 5] = k[1];
        ++n;
    }
    fclose(f);
    kat = n;
    assert_true(kat >= 3);
    /* then random counters and keys, against the host's Philox */
    for (; n < 4096; ++n) {
        dlm_u32x4 a = dlm_philox_block(99, 1, 2 * n), b = dlm_philox_block(99, 1, 2 * n + 1);
        dlm_u32x4 w;
        for (i = 0; i < 4; ++i)
            in[6 * n + i] = a.v[i];
        in[6 * n + 4] = b.v[0];
        in[6 * n + 5] = b.v[1];
        w = dlm_philox4x32_10(a.v[0], a.v[1], a.v[2], a.v[3], b.v[0], b.v[1]);
        for (i = 0; i < 4; ++i)
            want[4 * n + i] = w.v[i];
    }
    run_check("dlmk_check_philox", in, sizeof in, got, sizeof got, n);
    for (i = 0; i < 4 * n; ++i)
        if (got[i] != want[i])
            fail_msg("vector %zu word %zu: device %08x, expected %08x (%s)", i / 4, i % 4, got[i],
                     want[i], i / 4 < kat ? "known answer" : "host Philox");
    printf("    %zu known answers and %zu random blocks equal on the device\n", kat, n - kat);
}

static uint64_t bits(double x)
{
    return DLM_DOUBLE_BITS(x);
}

dlm_math_item dlm_math_item_of(double x, double beta, double delta, double p, const uint32_t w[4])
{
    dlm_math_item it;
    it.x = bits(x);
    it.beta = bits(beta);
    it.delta = bits(delta);
    it.p = bits(p);
    it.w01 = w ? (uint64_t)w[0] | (uint64_t)w[1] << 32 : 0;
    it.w23 = w ? (uint64_t)w[2] | (uint64_t)w[3] << 32 : 0;
    return it;
}

/* What the device must compute for an item: the same functions on the host. */
static void host_math(const dlm_math_item *it, uint64_t out[8])
{
    double x = DLM_BITS_DOUBLE(it->x),
           f = dlm_fermi(DLM_BITS_DOUBLE(it->beta), DLM_BITS_DOUBLE(it->delta));
    uint32_t w0 = (uint32_t)it->w01, w1 = (uint32_t)(it->w01 >> 32), w2 = (uint32_t)it->w23,
             w3 = (uint32_t)(it->w23 >> 32);
    dlm_f64x2 g = dlm_gaussian_pair(w0, w1, w2, w3);
    out[0] = bits(dlm_exp(x));
    out[1] = bits(dlm_log(x));
    out[2] = bits(f);
    out[3] = dlm_probability_threshold_from_double(f);
    out[4] = bits(g.v[0]);
    out[5] = bits(g.v[1]);
    out[6] = bits(dlm_uniform_double(w0, w1));
    out[7] = dlm_probability_threshold_from_double(DLM_BITS_DOUBLE(it->p));
}

#define MATH_ITEMS 20000

/* The pinned values of tests/test_math.c. */
static const struct {
    double x;
    uint64_t exp_bits, log_bits;
} pinned_xs[] = {
    {1, 0x4005bf0a8b14576aull, 0x0000000000000000ull},
    {0.5, 0x3ffa61298e1e069cull, 0xbfe62e42fefa39efull},
    {1.0000000000000001e-05, 0x3ff0000a7c5e340eull, 0xc027069e2aa2aa5bull},
    {2.5, 0x40285d6fd931e0bbull, 0x3fed5240f0e0e078ull},
    {-2.5, 0x3fb50385c094f425ull, 0x3fed5240f0e0e078ull},
    {10, 0x40d5829dcf950560ull, 0x40026bb1bbb55516ull},
    {-10, 0x3f07cd79b5647c9aull, 0x40026bb1bbb55516ull},
    {100, 0x48f3494a9b171bf5ull, 0x40126bb1bbb55516ull},
    {-100, 0x36ea8c1f14e2af5dull, 0x40126bb1bbb55516ull},
    {700, 0x7f0d945df4f8ec8eull, 0x401a344e6741ebabull},
    {-707, 0x003029ade2342558ull, 0x401a3e7ed2a850c7ull},
    {-740, 0x0000000000000055ull, 0x401a6d35b4d755a7ull},
    {709.5, 0x7fe81e9b4b52d0c9ull, 0x401a421c25960b33ull},
    {0.10000000000000001, 0x3ff1aec7b35a00d4ull, 0xc0026bb1bbb55515ull},
    {3e-09, 0x3ff0000000ce288full, 0xc0339fe94b812f88ull},
    {9.9999999999999694e-311, 0x3ff0000000000000ull, 0xc0864e69394d9508ull},
};
static const struct {
    double beta, delta;
    uint64_t bits, threshold;
} pinned_fermi[] = {
    {1, 0, 0x3fe0000000000000ull, 2147483648u},
    {1, 1, 0x3fe764d4f5d5a2bdull, 3139872687u},
    {1, -1, 0x3fd136561454ba86ull, 1155094609u},
    {0.10000000000000001, 2, 0x3fe1983d7795f414ull, 2361519037u},
    {0.10000000000000001, -2, 0x3fdccf8510d417d9ull, 1933448259u},
    {10, 3.5, 0x3feffffffffffffaull, 4294967296u},
    {10, -3.5, 0x3cc6b7719a59f0dcull, 0u},
    {2, -20, 0x3c539792499b1a24ull, 0u},
    {1, -1000, 0x0000000000000000ull, 0u},
    {0.01, 0.5, 0x3fe00a3d6f3ded4dull, 2152852346u},
};
static const struct {
    uint32_t w[4];
    uint64_t z0, z1;
} pinned_gaussians[] = {
    {{0xE58D23F8u, 0xF9565182u, 0xD5428198u, 0x05CA6478u},
     0x3fcdcb9d11d92bccull,
     0xbfd9e95481d5591cull},
    {{0x1C38C5EAu, 0xC4822CD9u, 0x62F5C215u, 0xCD4049BFu},
     0xbff96bcfb2018b1aull,
     0x3ff5f8d4c1d596b1ull},
    {{0x9BEC1500u, 0x4822B9A2u, 0x0D301946u, 0x1DACB8F3u},
     0x3fee36127bf4d35full,
     0x3fd445386ab437c9ull},
    {{0xA6C02A33u, 0xBE418B05u, 0xDFDD7688u, 0x27EE53E4u},
     0x3fe4e1ccb9569f6aull,
     0xbfe50551c65ed38eull},
    {{0x94AF2498u, 0x8097EA36u, 0xC636080Fu, 0x125E4B98u},
     0x3fc44324c188dce9ull,
     0xbff07c5dd5f5b494ull},
    {{0x0B4D260Bu, 0x1A01A9C3u, 0xEB08545Bu, 0x09D80E6Eu},
     0x4001657947a9eb75ull,
     0xbff3ac552244e598ull},
};
/* The inputs of the math self-test: the pinned ones first (returns how many), then random
 * ones over every range the functions handle, up to MATH_ITEMS. */
static size_t math_inputs(dlm_math_item *in)
{
    size_t n = 0, i, pinned;
    for (i = 0; i < N_OF(pinned_xs); ++i) {
        in[n++] = dlm_math_item_of(pinned_xs[i].x, 1, 0, 0.5, NULL);
        in[n++] = dlm_math_item_of(fabs(pinned_xs[i].x), 1, 0, 0.5, NULL);
    }
    for (i = 0; i < N_OF(pinned_fermi); ++i)
        in[n++] = dlm_math_item_of(1, pinned_fermi[i].beta, pinned_fermi[i].delta, 0.5, NULL);
    for (i = 0; i < N_OF(pinned_gaussians); ++i)
        in[n++] = dlm_math_item_of(1, 1, 0, 0.5, pinned_gaussians[i].w);
    pinned = n;
    for (; n < MATH_ITEMS; ++n) {
        dlm_u32x4 a = dlm_philox_block(2024, 5, 2 * n), b = dlm_philox_block(2024, 5, 2 * n + 1);
        double u = dlm_uniform_double(a.v[0], a.v[1]), x;
        if (n % 3 == 0) /* exp's whole range and beyond */
            x = -750.0 + 1465.0 * u;
        else if (n % 3 == 1) /* any positive finite double, subnormals included */
            x = DLM_BITS_DOUBLE(((uint64_t)a.v[2] << 32 | a.v[3]) % 0x7FF0000000000000ull);
        else
            x = -2.0 + 40.0 * u;
        in[n] = dlm_math_item_of(x, 20.0 * dlm_uniform_double(a.v[2], a.v[3]),
                                 -30.0 + 60.0 * dlm_uniform_double(b.v[0], b.v[1]),
                                 -0.1 + 1.2 * dlm_uniform_double(b.v[2], b.v[3]), b.v);
    }
    return pinned;
}

static void test_math_bits_on_the_device(void **state)
{
    static const char *what[8] = {"exp",         "log",         "fermi",          "fermi threshold",
                                  "gaussian z0", "gaussian z1", "uniform double", "threshold"};
    static dlm_math_item in[MATH_ITEMS];
    static uint64_t out[8 * MATH_ITEMS];
    size_t n = MATH_ITEMS, i, k, pinned = math_inputs(in);
    (void)state;
    run_check("dlmk_check_math", in, sizeof in, out, sizeof out, n);
    for (i = 0, k = 0; i < N_OF(pinned_xs); ++i, k += 2) {
        if (out[8 * k] != pinned_xs[i].exp_bits)
            fail_msg("device exp(%.17g) = 0x%016llx, expected 0x%016llx", pinned_xs[i].x,
                     (unsigned long long)out[8 * k], (unsigned long long)pinned_xs[i].exp_bits);
        if (out[8 * (k + 1) + 1] != pinned_xs[i].log_bits)
            fail_msg("device log(%.17g) = 0x%016llx, expected 0x%016llx", fabs(pinned_xs[i].x),
                     (unsigned long long)out[8 * (k + 1) + 1],
                     (unsigned long long)pinned_xs[i].log_bits);
    }
    for (i = 0; i < N_OF(pinned_fermi); ++i, ++k)
        if (out[8 * k + 2] != pinned_fermi[i].bits || out[8 * k + 3] != pinned_fermi[i].threshold)
            fail_msg("device fermi(%g, %g) = 0x%016llx, threshold %llu", pinned_fermi[i].beta,
                     pinned_fermi[i].delta, (unsigned long long)out[8 * k + 2],
                     (unsigned long long)out[8 * k + 3]);
    for (i = 0; i < N_OF(pinned_gaussians); ++i, ++k)
        if (out[8 * k + 4] != pinned_gaussians[i].z0 || out[8 * k + 5] != pinned_gaussians[i].z1)
            fail_msg("device gaussian #%zu = 0x%016llx, 0x%016llx", i,
                     (unsigned long long)out[8 * k + 4], (unsigned long long)out[8 * k + 5]);
    for (i = 0; i < n; ++i) {
        uint64_t want[8];
        host_math(&in[i], want);
        for (k = 0; k < 8; ++k)
            if (out[8 * i + k] != want[k])
                fail_msg("item %zu: device %s = 0x%016llx, host 0x%016llx (x = %a)", i, what[k],
                         (unsigned long long)out[8 * i + k], (unsigned long long)want[k],
                         DLM_BITS_DOUBLE(in[i].x));
    }
    printf("    %zu pinned and %zu random inputs: exp, log, fermi, thresholds, gaussians equal "
           "bit for bit\n",
           pinned, n - pinned);
}

size_t dlm_identity_known_answer_tests(struct CMUnitTest *all, size_t n, size_t max)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_known_answers_on_the_device),
        cmocka_unit_test(test_math_bits_on_the_device),
    };
    size_t i;
    if (n + N_OF(tests) > max)
        return max + 1;
    for (i = 0; i < N_OF(tests); ++i)
        all[n++] = tests[i];
    return n;
}
