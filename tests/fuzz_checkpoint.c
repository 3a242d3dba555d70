/* fuzz_checkpoint.c — fuzz target for the checkpoint reader (host/output/checkpoint.c) and
 * the evolution state it carries (host/run/evolve.c, dlm_evo_state_check and
 * dlm_evo_drive_from).
 *
 * Each input is a checkpoint file. It is read back under the config hash it names itself
 * (so inputs reach past that check); a refusal must be DLM_ERR_USAGE with a message. An
 * accepted evolution payload is checked against a fixed plan (4 agents, 2 populations)
 * and, when accepted too, resumed on the CPU backend for the plan's last generations.
 * A sweep checkpoint (kind DLM_CKPT_SWEEP) is read back as a sweep's state
 * (host/output/sweep_state.c): accepted, or refused by name.
 * Any crash, leak or sanitizer report is a bug: whatever a checkpoint holds, a resume
 * either refuses it by name or runs.
 *
 * Built like fuzz_config.c: a libFuzzer binary with clang and -DDLM_FUZZ=ON, and in every
 * build `fuzz_checkpoint_replay FILE|DIR...` over the seed corpus
 * (tests/fuzz_corpus/checkpoint/evolve.ckpt: what `dilemma run` wrote for the config below,
 * stopped after its first checkpoint; sweep.ckpt: what `dilemma sweep` wrote for
 * configs/sweeps/noise_timescales.yaml with --summary, stopped after its first). */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/backend.h"
#include "config/config.h"
#include "output/checkpoint.h"
#include "output/sweep_drive.h"
#include "run/evolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config_yaml[] =
    "mode: evolve\nseed: 3\nmatch: {rounds: 6, execution_error: 0.1}\n"
    "evolution:\n  population: 2\n  populations: 2\n  generations: 6\n  rule: moran-bd\n"
    "  mutation: {rate: 0.2, kind: set, set: [tft, alld, wsls]}\n  record_every: 2\n";

static void require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_checkpoint: broken contract: %s\n", what);
        abort();
    }
}

static dlm_scenario sc;
static dlm_evo_plan plan;
static const dlm_backend_ops *ops;
static dlm_backend *be;
static char path[64];
static long accepted, resumed; /* inputs read back whole; inputs a run resumed from */

static void setup_once(void)
{
    dlm_config *cfg = NULL;
    dlm_error err = {DLM_OK, ""};
    dlm_backend_options opt = {1, -1, -1, 0};
    int fd;
    require(dlm_config_load_string(config_yaml, strlen(config_yaml), "<fuzz>", &cfg, &err) ==
                DLM_OK && dlm_config_to_scenario(cfg, &sc, &err) == DLM_OK,
            "the fixed config loads");
    dlm_config_free(cfg);
    require(dlm_evo_plan_build(&sc, &plan, &err) == DLM_OK, "the fixed plan builds");
    require(dlm_backend_open("cpu", &opt, NULL, &ops, &be, &err) == DLM_OK, "the cpu backend");
    snprintf(path, sizeof path, "%s/dlm_fuzz_ckpt_XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"); /* no disk I/O */
    fd = mkstemp(path);
    require(fd >= 0, "a scratch file");
    close(fd);
}

static void cleanup(void)
{
    remove(path);
    if (be)
        ops->destroy(be);
    dlm_evo_plan_free(&plan);
    dlm_scenario_free(&sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    dlm_error err = {DLM_OK, ""};
    void *payload = NULL;
    size_t n = 0, i;
    uint64_t hash = 0, g = 0;
    dlm_status st;
    FILE *fp;
    if (!ready) {
        setup_once();
        atexit(cleanup);
        ready = 1;
    }
    fp = fopen(path, "wb");
    require(fp && fwrite(data, 1, size, fp) == size && fclose(fp) == 0, "the scratch file");
    for (i = 0; i < 8 && 16 + i < size; ++i) /* the hash it names, so inputs get past it */
        hash |= (uint64_t)data[16 + i] << (8 * i);
    if (size >= 16 && data[12] == DLM_CKPT_SWEEP && !data[13] && !data[14] && !data[15]) {
        dlm_sweep_state s;
        memset(&s, 0, sizeof s);
        st = dlm_sweep_state_read(path, hash, &s, &err);
        require(st == DLM_OK || (st == DLM_ERR_USAGE && err.message[0]), "a sweep state or a named "
                "refusal");
        require(st != DLM_OK || s.done <= s.total, "a sweep state's runs in order");
        accepted += st == DLM_OK;
        dlm_digest_free(&s.acc);
        return 0;
    }
    st = dlm_checkpoint_read(path, DLM_CKPT_EVOLVE, hash, &payload, &n, &err);
    if (st != DLM_OK) {
        require(st == DLM_ERR_USAGE && err.status == st && err.message[0], "a named refusal");
        require(payload == NULL && n == 0, "nothing returned on a refusal");
        return 0;
    }
    require(n + 36 == size, "the payload is the file less header and checksum");
    ++accepted;
    if (n >= 32 && dlm_evo_state_check(&plan, (const uint8_t *)payload + 32, n - 32, &g, &err) ==
                       DLM_OK) {
        dlm_evo_outcome out[2];
        if (g < sc.evolution.generations && ++resumed) /* the run would go on from there */
            st = dlm_evo_drive_from(&sc, &plan, ops, be, NULL, (const uint8_t *)payload + 32,
                                    n - 32, out, &err);
        require(st == DLM_OK || (err.message[0] && err.status == st), "a resume runs or says why");
    }
    free(payload);
    return 0;
}

#ifdef DLM_FUZZ_REPLAY
#include <dirent.h>
#include <sys/stat.h>
#include <zlib.h>

/* Gives buf (len bytes, a checkpoint) a checksum that matches its content again. */
static void reseal(uint8_t *buf, size_t len)
{
    uint32_t c;
    int i;
    if (len < 36)
        return;
    c = (uint32_t)crc32_z(0L, buf, len - 4);
    for (i = 0; i < 4; ++i)
        buf[len - 4 + (size_t)i] = (uint8_t)(c >> (8 * i));
}

static int replay_file(const char *file)
{
    FILE *f = fopen(file, "rb");
    uint8_t *buf;
    long len;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        perror(file);
        if (f)
            fclose(f);
        return 1;
    }
    buf = malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        fclose(f);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    free(buf);
    return 0;
}

/* Replays every file named (and every file in every folder named); with --mutate, also
 * every truncation of each, and every single-byte change (+1, then 0xFF) with the checksum
 * made to match again, so that the changes reach the checks behind it: the kind, the
 * hash, the runner's state and, where that is accepted, a resumed run. */
int main(int argc, char **argv)
{
    int i, failed = 0, n = 0, mutate = argc > 1 && strcmp(argv[1], "--mutate") == 0;
    for (i = 1 + mutate; i < argc; ++i) {
        struct stat st;
        DIR *d;
        struct dirent *e;
        char file[4096];
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) && (d = opendir(argv[i]))) {
            while ((e = readdir(d)))
                if (e->d_name[0] != '.') {
                    snprintf(file, sizeof file, "%s/%s", argv[i], e->d_name);
                    failed |= replay_file(file);
                    ++n;
                    if (mutate) {
                        FILE *f = fopen(file, "rb");
                        uint8_t buf[1 << 14];
                        size_t len = f ? fread(buf, 1, sizeof buf, f) : 0, k;
                        if (f)
                            fclose(f);
                        for (k = 0; k < len; ++k, n += 3) {
                            uint8_t keep = buf[k];
                            LLVMFuzzerTestOneInput(buf, k);
                            buf[k] = (uint8_t)(keep + 1);
                            reseal(buf, len);
                            LLVMFuzzerTestOneInput(buf, len);
                            buf[k] = 0xFF;
                            reseal(buf, len);
                            LLVMFuzzerTestOneInput(buf, len);
                            buf[k] = keep;
                            reseal(buf, len);
                        }
                    }
                }
            closedir(d);
        } else {
            failed |= replay_file(argv[i]);
            ++n;
        }
    }
    printf("fuzz_checkpoint_replay: %d inputs replayed, %ld read back whole, %ld resumed\n", n,
           accepted, resumed);
    return failed;
}
#endif
