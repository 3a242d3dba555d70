/* test_checkpoint.c — the checkpoint container and what resuming relies on: a round trip
 * gives the payload back; every refusal (not a checkpoint, another version, another kind,
 * another config, truncated at any length, any single byte flipped) is DLM_ERR_USAGE
 * naming its reason; a rewrite leaves no temporary file; the config hash ignores what does
 * not change the results and sees what does; a partial records file is marked, resumed
 * (cut back to its mark) or refused (missing, shorter, different) without being changed;
 * and an evolution stopped at a checkpoint and resumed through the library gives the
 * uninterrupted run's records and outcomes. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "backends/backend.h"
#include "config/config.h"
#include "output/checkpoint.h"
#include "output/evolve_output.h"
#include "output/signals.h"
#include "output/sink.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dlm_ckpt_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    (void)state;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            remove(path);
        }
    if (d)
        closedir(d);
    return rmdir(dir);
}

static const char *in_dir(const char *name)
{
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

static long file_bytes(const char *path, unsigned char *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    size_t n;
    if (!fp)
        return -1;
    n = fread(buf, 1, cap, fp);
    fclose(fp);
    return (long)n;
}

static void put_bytes(const char *path, const unsigned char *buf, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, n, fp), n);
    fclose(fp);
}

/* Reading path must fail with DLM_ERR_USAGE and a message containing `reason`. */
static void refused(const char *path, uint32_t kind, uint64_t hash, const char *reason)
{
    dlm_error err = {DLM_OK, ""};
    void *payload = (void *)1;
    size_t n = 1;
    dlm_status st = dlm_checkpoint_read(path, kind, hash, &payload, &n, &err);
    assert_int_equal(st, DLM_ERR_USAGE);
    assert_null(payload);
    assert_int_equal(n, 0);
    if (reason && !strstr(err.message, reason))
        fail_msg("'%s' not in '%s'", reason, err.message);
}

static void test_round_trip(void **state)
{
    unsigned char payload[1000];
    dlm_error err = {DLM_OK, ""};
    void *back = NULL;
    size_t i, n = 0;
    (void)state;
    for (i = 0; i < sizeof payload; ++i)
        payload[i] = (unsigned char)(i * 7 + 3);
    assert_int_equal(dlm_checkpoint_write(in_dir("a.ckpt"), DLM_CKPT_SWEEP, 0x1234567890abcdefull,
                                          payload, sizeof payload, &err), DLM_OK);
    assert_int_equal(dlm_checkpoint_read(in_dir("a.ckpt"), DLM_CKPT_SWEEP, 0x1234567890abcdefull,
                                         &back, &n, &err), DLM_OK);
    assert_int_equal(n, sizeof payload);
    assert_memory_equal(back, payload, n);
    free(back);
    /* an empty payload, then a rewrite of the same path: no temporary file is left */
    assert_int_equal(dlm_checkpoint_write(in_dir("a.ckpt"), DLM_CKPT_EVOLVE, 7, NULL, 0, &err),
                     DLM_OK);
    assert_int_equal(dlm_checkpoint_read(in_dir("a.ckpt"), DLM_CKPT_EVOLVE, 7, &back, &n, &err),
                     DLM_OK);
    assert_int_equal(n, 0);
    free(back);
    {
        DIR *d = opendir(dir);
        struct dirent *e;
        int files = 0;
        while ((e = readdir(d)))
            files += e->d_name[0] != '.';
        closedir(d);
        assert_int_equal(files, 1);
    }
    /* standard output and devices cannot hold a checkpoint */
    assert_int_equal(dlm_checkpoint_write("-", DLM_CKPT_EVOLVE, 7, NULL, 0, &err), DLM_ERR_USAGE);
    assert_int_equal(dlm_checkpoint_write("/dev/null", DLM_CKPT_EVOLVE, 7, NULL, 0, &err),
                     DLM_ERR_USAGE);
}

static void test_refusals(void **state)
{
    unsigned char payload[64], good[200], bad[200];
    dlm_error err = {DLM_OK, ""};
    const char *path = in_dir("r.ckpt"), *other = in_dir("o.ckpt");
    long size, cut, i;
    int bit;
    (void)state;
    memset(payload, 0xA5, sizeof payload);
    assert_int_equal(dlm_checkpoint_write(path, DLM_CKPT_EVOLVE, 42, payload, sizeof payload, &err),
                     DLM_OK);
    size = file_bytes(path, good, sizeof good);
    assert_int_equal(size, 32 + 64 + 4);
    refused(path, DLM_CKPT_SWEEP, 42, "of another kind (an evolution run's, not a sweep run's)");
    refused(path, DLM_CKPT_EVOLVE, 43, "from another config");
    refused(in_dir("missing.ckpt"), DLM_CKPT_EVOLVE, 42, "cannot read checkpoint");
    memcpy(bad, good, (size_t)size);
    bad[8] = 2;
    put_bytes(other, bad, (size_t)size);
    refused(other, DLM_CKPT_EVOLVE, 42, "another format version (found 2, expected 1)");
    memcpy(bad, good, (size_t)size);
    bad[0] = 'X';
    put_bytes(other, bad, (size_t)size);
    refused(other, DLM_CKPT_EVOLVE, 42, "is not a dilemma checkpoint");
    /* cut at every length: refused as truncated (or, before the magic is whole, as no
       checkpoint at all) */
    for (cut = 0; cut < size; ++cut) {
        put_bytes(other, good, (size_t)cut);
        refused(other, DLM_CKPT_EVOLVE, 42, cut < 8 ? "is not a dilemma checkpoint" : "truncated");
    }
    /* one byte more: corrupted */
    memcpy(bad, good, (size_t)size);
    bad[size] = 0;
    put_bytes(other, bad, (size_t)size + 1);
    refused(other, DLM_CKPT_EVOLVE, 42, "is corrupted");
    /* any single bit flipped anywhere: refused (the payload's and trailer's as corrupted) */
    for (i = 0; i < size; ++i)
        for (bit = 0; bit < 8; bit += 3) {
            memcpy(bad, good, (size_t)size);
            bad[i] ^= (unsigned char)(1u << bit);
            put_bytes(other, bad, (size_t)size);
            refused(other, DLM_CKPT_EVOLVE, 42, i >= 32 ? "is corrupted (its checksum" : NULL);
        }
}

static uint64_t hash_of(const char *yaml, const char *const *sets, size_t n_sets)
{
    dlm_config *cfg = NULL;
    dlm_error err = {DLM_OK, ""};
    uint64_t h;
    size_t i;
    assert_int_equal(dlm_config_load_string(yaml, strlen(yaml), "<test>", &cfg, &err), DLM_OK);
    for (i = 0; i < n_sets; ++i)
        assert_int_equal(dlm_config_set(cfg, sets[i], &err), DLM_OK);
    h = dlm_config_hash(cfg);
    dlm_config_free(cfg);
    return h;
}

static void test_config_hash(void **state)
{
    static const char base[] = "mode: evolve\nseed: 3\nevolution: {population: 10, rule: fermi}\n";
    static const char reordered[] = "evolution:\n  rule: fermi\n  population: 10\nseed: 3\n"
                                    "mode: evolve\n";
    static const char *const ignored[] = {"backend=cpu", "threads=2", "output.file=x.csv",
                                          "output.checkpoint=c.ckpt",
                                          "output.checkpoint_every=30s"};
    static const char *const seed[] = {"seed=4"};
    static const char *const format[] = {"output.format=json"};
    static const char *const population[] = {"evolution.population=11"};
    uint64_t h = hash_of(base, NULL, 0);
    (void)state;
    assert_true(h == hash_of(reordered, NULL, 0));
    assert_true(h == hash_of(base, ignored, 5));
    assert_true(h != hash_of(base, seed, 1));
    assert_true(h != hash_of(base, format, 1));
    assert_true(h != hash_of(base, population, 1));
}

static void write_text(dlm_sink *s, const char *text)
{
    assert_true(fputs(text, s->fp) >= 0);
}

static void test_partial_resume(void **state)
{
    dlm_sink s;
    dlm_sink_mark mark, other;
    dlm_error err = {DLM_OK, ""};
    const char *out = in_dir("rec.csv"), *partial = in_dir("rec.csv.partial");
    unsigned char buf[256], before[256];
    long n;
    (void)state;
    assert_int_equal(dlm_sink_open_partial(&s, out, &err), DLM_OK);
    write_text(&s, "header\nrow 1\n");
    assert_int_equal(dlm_sink_mark_partial(&s, &other, &err), DLM_OK);
    write_text(&s, "row 2\n");
    assert_int_equal(dlm_sink_mark_partial(&s, &mark, &err), DLM_OK);
    assert_int_equal(mark.length, 19);
    assert_true(other.crc != mark.crc);
    write_text(&s, "row 3, after the checkpoint\n");
    assert_int_equal(dlm_sink_suspend(&s, &err), DLM_OK);
    n = file_bytes(partial, before, sizeof before);
    assert_int_equal(n, 19 + 28);
    /* refused: a mark the file does not match (other content, longer than the file) */
    other.length = mark.length;
    assert_int_equal(dlm_sink_resume_partial(&s, out, &other, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "is not what it was"));
    other = mark;
    other.length = 1000;
    assert_int_equal(dlm_sink_resume_partial(&s, out, &other, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "is shorter"));
    assert_int_equal(dlm_sink_resume_partial(&s, "-", &mark, &err), DLM_ERR_USAGE);
    assert_int_equal(file_bytes(partial, buf, sizeof buf), n);
    assert_memory_equal(buf, before, (size_t)n);
    /* resumed: cut back to the mark, appended to, committed */
    assert_int_equal(dlm_sink_resume_partial(&s, out, &mark, &err), DLM_OK);
    write_text(&s, "row 3\n");
    assert_int_equal(dlm_sink_commit(&s, &err), DLM_OK);
    n = file_bytes(out, buf, sizeof buf);
    assert_int_equal(n, 25);
    assert_memory_equal(buf, "header\nrow 1\nrow 2\nrow 3\n", 25);
    /* refused: missing */
    assert_int_equal(dlm_sink_resume_partial(&s, out, &mark, &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "is missing"));
    dlm_signals_untrack_records();
}

/* --- an evolution stopped at a checkpoint and resumed through the library ----------------- */

static const char evolution_yaml[] =
    "mode: evolve\nseed: 5\nbackend: cpu\nmatch: {rounds: 12, execution_error: 0.03}\n"
    "evolution:\n  population: 16\n  populations: 2\n  generations: 30\n  rule: fermi\n"
    "  mutation: {rate: 0.05, kind: set, set: [tft, alld, wsls]}\n  record_every: 4\n";

/* The test's scenario, plan and config hash. */
static void build(dlm_scenario *sc, dlm_evo_plan *plan, uint64_t *hash)
{
    dlm_config *cfg = NULL;
    dlm_error err = {DLM_OK, ""};
    assert_int_equal(dlm_config_load_string(evolution_yaml, strlen(evolution_yaml), "<test>", &cfg,
                                            &err), DLM_OK);
    assert_int_equal(dlm_config_to_scenario(cfg, sc, &err), DLM_OK);
    *hash = dlm_config_hash(cfg);
    dlm_config_free(cfg);
    assert_int_equal(dlm_evo_plan_build(sc, plan, &err), DLM_OK);
}

/* Runs the evolution into out (a partial sink): from the start, or resuming from the
 * checkpoint, stopping after `stop_after` checkpoints (0: never). Returns the status and
 * fills the outcomes. */
static dlm_status run_evolution(const char *out, const char *ckpt, int resume, uint32_t stop_after,
                                dlm_evo_checkpointing *ck, dlm_evo_outcome *outcomes)
{
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_error err = {DLM_OK, ""};
    const dlm_backend_ops *ops = NULL;
    dlm_backend *be = NULL;
    dlm_backend_options opt = {1, -1, -1, 0};
    dlm_sink sink;
    void *payload = NULL;
    dlm_status st;
    memset(ck, 0, sizeof *ck);
    build(&sc, &plan, &ck->config_hash);
    if (resume) {
        st = dlm_evo_resume_open(ckpt, ck->config_hash, &plan, DLM_FMT_JSONL, out, &sink,
                                 &payload, &ck->resume_n, &err);
        if (st != DLM_OK)
            fail_msg("resume: %s", err.message);
        ck->resume = payload;
    } else {
        assert_int_equal(dlm_sink_open_partial(&sink, out, &err), DLM_OK);
    }
    assert_int_equal(dlm_backend_open("cpu", &opt, NULL, &ops, &be, &err), DLM_OK);
    ck->path = ckpt;
    ck->every_generations = 3;
    ck->test_stop_after = stop_after;
    ck->test_signal = SIGTERM;
    dlm_signals_install();
    dlm_signals_defer(1);
    st = dlm_evolve_checkpointed(&sc, &plan, ops, be, &sink, DLM_FMT_JSONL, ck, NULL, outcomes,
                                 &err);
    if (st != DLM_OK)
        fail_msg("evolve: %s", err.message);
    if (ck->signal)
        assert_int_equal(dlm_sink_suspend(&sink, &err), DLM_OK);
    else
        assert_int_equal(dlm_sink_commit(&sink, &err), DLM_OK);
    free(payload);
    ops->destroy(be);
    dlm_evo_plan_free(&plan);
    dlm_scenario_free(&sc);
    return st;
}

/* A checkpoint rewritten with a valid checksum but an agent no model can run, or an
 * outcome naming a strategy the plan lacks, is refused before the partial file is touched. */
static void crafted_refused(const char *ckpt, const char *out)
{
    dlm_scenario sc;
    dlm_evo_plan plan;
    dlm_error err = {DLM_OK, ""};
    dlm_sink sink;
    uint64_t hash;
    void *payload = NULL, *again = NULL;
    size_t n = 0, n2 = 0, agent0;
    unsigned char before[1 << 16], after[1 << 16];
    char partial[600];
    long nb;
    int k;
    build(&sc, &plan, &hash);
    snprintf(partial, sizeof partial, "%s.partial", out);
    nb = file_bytes(partial, before, sizeof before);
    assert_int_equal(dlm_checkpoint_read(ckpt, DLM_CKPT_EVOLVE, hash, &payload, &n, &err), DLM_OK);
    /* 32 bytes the observer's, 64 the runner's header, then per population 32 + outcome + 16 */
    agent0 = n - (size_t)plan.n_agents * sizeof(dlm_strategy);
    for (k = 0; k < 2; ++k) {
        unsigned char *d = malloc(n);
        char path[600];
        memcpy(d, payload, n);
        if (k == 0) {
            uint32_t bad_kind = 9;
            memcpy(d + agent0 + 5 * sizeof(dlm_strategy) + offsetof(dlm_strategy, kind),
                   &bad_kind, 4);
        } else {
            int32_t named = 99;
            memcpy(d + 32 + 64 + plan.n_populations * sizeof(dlm_evo_counts) +
                   offsetof(dlm_evo_outcome, fixed_named), &named, 4);
        }
        snprintf(path, sizeof path, "%s.crafted", ckpt);
        assert_int_equal(dlm_checkpoint_write(path, DLM_CKPT_EVOLVE, hash, d, n, &err), DLM_OK);
        assert_int_equal(dlm_evo_resume_open(path, hash, &plan, DLM_FMT_JSONL, out, &sink, &again,
                                             &n2, &err), DLM_ERR_USAGE);
        assert_non_null(strstr(err.message, k == 0 ? "holds no strategy" : "is not one this run"));
        assert_null(again);
        assert_int_equal(remove(path), 0);
        free(d);
    }
    assert_int_equal(file_bytes(partial, after, sizeof after), nb);
    assert_memory_equal(after, before, (size_t)nb);
    free(payload);
    dlm_evo_plan_free(&plan);
    dlm_scenario_free(&sc);
}

static void test_evolution_resumes(void **state)
{
    dlm_evo_checkpointing ck;
    dlm_evo_outcome full[2], resumed[2];
    unsigned char a[1 << 16], b[1 << 16];
    long na, nb;
    (void)state;
    run_evolution(in_dir("full.jsonl"), in_dir("full.ckpt"), 0, 0, &ck, full);
    assert_int_equal(ck.signal, 0);
    run_evolution(in_dir("cut.jsonl"), in_dir("cut.ckpt"), 0, 4, &ck, resumed);
    assert_int_equal(ck.signal, SIGTERM);
    assert_int_equal(ck.generation, 12); /* the 4th checkpoint, every 3 generations */
    assert_int_equal(access(in_dir("cut.jsonl"), F_OK), -1);
    assert_int_equal(access(in_dir("cut.jsonl.partial"), F_OK), 0);
    crafted_refused(in_dir("cut.ckpt"), in_dir("cut.jsonl"));
    run_evolution(in_dir("cut.jsonl"), in_dir("cut.ckpt"), 1, 0, &ck, resumed);
    na = file_bytes(in_dir("full.jsonl"), a, sizeof a);
    nb = file_bytes(in_dir("cut.jsonl"), b, sizeof b);
    assert_true(na > 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, (size_t)na);
    assert_int_equal(full[0].generations, resumed[0].generations);
    assert_int_equal(full[1].final.generation, resumed[1].final.generation);
    assert_int_equal(full[1].final.cooperations, resumed[1].final.cooperations);
    assert_true(full[1].final.payoff_sum == resumed[1].final.payoff_sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_config_hash),
        cmocka_unit_test(test_partial_resume),
        cmocka_unit_test(test_evolution_resumes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
