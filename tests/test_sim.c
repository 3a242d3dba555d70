/* test_sim.c — libdilemma's simulation handle (include/dilemma/sim.h): the same bytes as
 * the CLI (the dilemma executable, run as a process) for several commands; two handles on
 * two threads at once, each with the CLI's bytes; records pulled and through a callback;
 * cancel; progress; bad input -> DLM_ERR_USAGE with the CLI's message. */
#define _POSIX_C_SOURCE 200809L /* popen */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "dilemma/sim.h"

#define MAX_ARGS 32

/* The CLI's standard output for argv (a NULL-terminated list), run as a process. */
static char *cli_output(const char *const *args, size_t *length, int *rc)
{
    char cmd[4096];
    size_t n = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    FILE *p;
    int i, status;
    snprintf(cmd, sizeof cmd, "%s", DLM_CLI);
    for (i = 0; args[i]; ++i) {
        strncat(cmd, " '", sizeof cmd - strlen(cmd) - 1);
        strncat(cmd, args[i], sizeof cmd - strlen(cmd) - 1);
        strncat(cmd, "'", sizeof cmd - strlen(cmd) - 1);
    }
    strncat(cmd, " 2>/dev/null", sizeof cmd - strlen(cmd) - 1);
    assert_non_null(buf);
    assert_non_null(p = popen(cmd, "r"));
    for (;;) {
        size_t got;
        if (n == cap)
            assert_non_null(buf = realloc(buf, cap *= 2));
        got = fread(buf + n, 1, cap - n, p);
        if (got == 0)
            break;
        n += got;
    }
    status = pclose(p);
    *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    *length = n;
    return buf;
}

/* A handle for args[0] with args[1..] as its arguments (not started). */
static dlm_sim *open_with(const char *const *args)
{
    dlm_sim *sim = NULL;
    dlm_error err;
    int i;
    assert_int_equal(dlm_sim_open(&sim, args[0], &err), DLM_OK);
    for (i = 1; args[i]; ++i)
        assert_int_equal(dlm_sim_arg(sim, args[i]), DLM_OK);
    return sim;
}

static void expect_identical(const char *const *args)
{
    size_t cli_n, lib_n;
    int rc;
    char *cli = cli_output(args, &cli_n, &rc);
    dlm_sim *sim = open_with(args);
    const char *lib;
    assert_int_equal(dlm_sim_run(sim), rc == 0   ? DLM_OK
                                       : rc == 2 ? DLM_ERR_USAGE
                                                 : DLM_ERR_RUNTIME);
    assert_int_equal(dlm_sim_exit_code(sim), rc);
    lib = dlm_sim_output(sim, &lib_n);
    assert_true(cli_n > 0);
    assert_int_equal(lib_n, cli_n);
    assert_memory_equal(lib, cli, cli_n);
    dlm_sim_close(sim);
    free(cli);
}

#define CONFIG(name) DLM_SOURCE_DIR "/configs/" name

static void test_identity(void **state)
{
    static const char *const cases[][MAX_ARGS] = {
        {"match", "tft", "wsls", "--rounds", "200", "--execution-error", "0.05", "--seed", "5",
         NULL},
        {"match", "tft", "grim", "--rounds", "100", "--format", "json", "--trace", NULL},
        {"tournament", "--strategies", "tft,alld,wsls,grim,allc", "--repetitions", "3",
         "--execution-error", "0.01", "--format", "csv", NULL},
        {"analyze", "tft", "wsls", "--execution-error", "0.01", NULL},
        {"strategies", NULL},
        {"run", CONFIG("default.yaml"), NULL},
        {"run", CONFIG("axelrod_noise.yaml"), "--format", "jsonl", NULL},
        {"run", CONFIG("timescales.yaml"), NULL},
        {"sweep", CONFIG("sweeps/noise_timescales.yaml"), "--quiet", NULL},
        {"run", "--set", "mode=evolve", "--set", "evolution.generations=40", "--set",
         "evolution.population=200", "--seed", "3", "--format", "csv", NULL},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; ++i)
        expect_identical(cases[i]);
}

/* An evolution that writes many records, one per generation. */
static const char *const EVOLVE_A[] = {"run",
                                       "--set",
                                       "mode=evolve",
                                       "--set",
                                       "evolution.generations=300",
                                       "--set",
                                       "evolution.population=300",
                                       "--seed",
                                       "11",
                                       "--format",
                                       "csv",
                                       "--quiet",
                                       NULL};
static const char *const EVOLVE_B[] = {"run",
                                       "--set",
                                       "mode=evolve",
                                       "--set",
                                       "evolution.generations=300",
                                       "--set",
                                       "evolution.population=250",
                                       "--seed",
                                       "12",
                                       "--format",
                                       "jsonl",
                                       "--quiet",
                                       NULL};

typedef struct lines {
    char *text;
    size_t length, cap;
    uint64_t next_index;
    int bad_index;
} lines;

static void on_record(void *user, const dlm_record *rec)
{
    lines *l = user;
    if (rec->index != l->next_index++ || strlen(rec->line) != rec->length)
        l->bad_index = 1;
    while (l->length + rec->length + 2 > l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4096;
        l->text = realloc(l->text, l->cap);
    }
    memcpy(l->text + l->length, rec->line, rec->length);
    l->length += rec->length;
    l->text[l->length++] = '\n';
}

/* Two handles on two threads at once (each started on its own thread, both running
   together): each gives the CLI's bytes, pulled with dlm_sim_next on one and through the
   record callback on the other. */
static void test_two_at_once(void **state)
{
    size_t a_n, b_n;
    int rc;
    char *a_cli = cli_output(EVOLVE_A, &a_n, &rc), *b_cli;
    dlm_sim *a = open_with(EVOLVE_A), *b = open_with(EVOLVE_B);
    lines pulled = {0}, called = {0};
    dlm_record rec;
    dlm_status st;
    (void)state;
    assert_int_equal(rc, 0);
    b_cli = cli_output(EVOLVE_B, &b_n, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(dlm_sim_on_record(b, on_record, &called), DLM_OK);
    assert_int_equal(dlm_sim_start(a), DLM_OK);
    assert_int_equal(dlm_sim_start(b), DLM_OK);
    while ((st = dlm_sim_next(a, &rec)) == DLM_OK && rec.line)
        on_record(&pulled, &rec);
    assert_int_equal(st, DLM_OK);
    assert_int_equal(dlm_sim_wait(b), DLM_OK);
    assert_false(pulled.bad_index);
    assert_false(called.bad_index);
    assert_true(pulled.next_index > 300);
    assert_int_equal(pulled.length, a_n);
    assert_memory_equal(pulled.text, a_cli, a_n);
    assert_int_equal(called.length, b_n);
    assert_memory_equal(called.text, b_cli, b_n);
    dlm_sim_close(a);
    dlm_sim_close(b);
    free(pulled.text);
    free(called.text);
    free(a_cli);
    free(b_cli);
}

typedef struct progress_seen {
    uint64_t calls, last_done, total;
    int backwards;
    char unit[32];
} progress_seen;

static void on_progress(void *user, const char *what, const char *unit, uint64_t done,
                        uint64_t total)
{
    progress_seen *p = user;
    (void)what;
    if (done < p->last_done)
        p->backwards = 1;
    p->last_done = done;
    p->total = total;
    p->calls++;
    snprintf(p->unit, sizeof p->unit, "%s", unit);
}

/* The progress callback sees every generation of an evolution, in order, up to the end;
   the messages hold no progress line. */
static void test_progress(void **state)
{
    static const char *const args[] = {"run",
                                       "--set",
                                       "mode=evolve",
                                       "--set",
                                       "evolution.generations=120",
                                       "--set",
                                       "evolution.population=100",
                                       NULL};
    dlm_sim *sim = open_with(args);
    progress_seen p = {0};
    (void)state;
    assert_int_equal(dlm_sim_on_progress(sim, on_progress, &p), DLM_OK);
    assert_int_equal(dlm_sim_run(sim), DLM_OK);
    assert_false(p.backwards);
    assert_true(p.calls >= 2);
    assert_int_equal(p.total, 120);
    assert_int_equal(p.last_done, 120);
    assert_string_equal(p.unit, "generations");
    assert_null(strstr(dlm_sim_messages(sim), "generations/s"));
    dlm_sim_close(sim);
}

/* A long evolution cancelled after its first records: it stops (long before its end)
   with DLM_ERR_RUNTIME and says it was cancelled. */
static void test_cancel(void **state)
{
    static const char *const args[] = {"run",
                                       "--set",
                                       "mode=evolve",
                                       "--set",
                                       "evolution.generations=100000000",
                                       "--set",
                                       "evolution.population=200",
                                       "--format",
                                       "csv",
                                       "--quiet",
                                       NULL};
    dlm_sim *sim = open_with(args);
    dlm_record rec;
    int i;
    (void)state;
    for (i = 0; i < 5; ++i) {
        assert_int_equal(dlm_sim_next(sim, &rec), DLM_OK);
        assert_non_null(rec.line);
    }
    dlm_sim_cancel(sim);
    assert_int_equal(dlm_sim_wait(sim), DLM_ERR_RUNTIME);
    assert_non_null(strstr(dlm_sim_messages(sim), "cancelled"));
    assert_int_not_equal(dlm_sim_exit_code(sim), 0);
    dlm_sim_close(sim);
}

/* Closing a running handle cancels it and waits (no leak, no crash under ASan). */
static void test_close_running(void **state)
{
    static const char *const args[] = {"run",
                                       "--set",
                                       "mode=evolve",
                                       "--set",
                                       "evolution.generations=100000000",
                                       "--set",
                                       "evolution.population=200",
                                       "--quiet",
                                       NULL};
    dlm_sim *sim = open_with(args);
    (void)state;
    assert_int_equal(dlm_sim_start(sim), DLM_OK);
    dlm_sim_close(sim);
}

/* Bad input: DLM_ERR_USAGE (exit code 2) with the CLI's message, nothing on the output. */
static void test_bad_input(void **state)
{
    dlm_sim *sim = NULL;
    dlm_error err;
    size_t n;
    dlm_record rec;
    (void)state;
    assert_int_equal(dlm_sim_open(&sim, "match", &err), DLM_OK);
    assert_int_equal(dlm_sim_arg(sim, "tft"), DLM_OK);
    assert_int_equal(dlm_sim_arg(sim, "no-such-strategy"), DLM_OK);
    assert_int_equal(dlm_sim_next(sim, &rec), DLM_ERR_USAGE);
    assert_null(rec.line);
    assert_int_equal(dlm_sim_exit_code(sim), 2);
    assert_non_null(strstr(dlm_sim_messages(sim), "no-such-strategy"));
    dlm_sim_output(sim, &n);
    assert_int_equal(n, 0);
    dlm_sim_close(sim);

    assert_int_equal(dlm_sim_open(&sim, "run", &err), DLM_OK);
    assert_int_equal(dlm_sim_config_text(sim, "match:\n  rounds: -3\n"), DLM_OK);
    assert_int_equal(dlm_sim_run(sim), DLM_ERR_USAGE);
    assert_non_null(strstr(dlm_sim_messages(sim), "match.rounds"));
    dlm_sim_close(sim);

    assert_int_equal(dlm_sim_open(&sim, "run", &err), DLM_OK);
    assert_int_equal(dlm_sim_set(sim, "no.such.key", "1"), DLM_OK);
    assert_int_equal(dlm_sim_run(sim), DLM_ERR_USAGE);
    assert_non_null(strstr(dlm_sim_messages(sim), "no.such.key"));
    assert_int_equal(dlm_sim_arg(sim, "late"), DLM_ERR_USAGE); /* started: no more args */
    dlm_sim_close(sim);

    assert_int_equal(dlm_sim_open(NULL, "run", &err), DLM_ERR_USAGE);
    assert_non_null(strstr(err.message, "handle"));
}

/* A config given as text is the same run as its file. */
static void test_config_text(void **state)
{
    FILE *f = fopen(CONFIG("match.yaml"), "rb");
    char text[65536];
    size_t n, a_n, b_n;
    dlm_sim *a = NULL, *b = NULL;
    dlm_error err;
    const char *ao, *bo;
    (void)state;
    assert_non_null(f);
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_int_equal(dlm_sim_open(&a, "run", &err), DLM_OK);
    assert_int_equal(dlm_sim_open(&b, "run", &err), DLM_OK);
    assert_int_equal(dlm_sim_config_file(a, CONFIG("match.yaml")), DLM_OK);
    assert_int_equal(dlm_sim_config_text(b, text), DLM_OK);
    assert_int_equal(dlm_sim_config_text(b, text), DLM_ERR_USAGE); /* one config */
    assert_int_equal(dlm_sim_run(a), DLM_OK);
    assert_int_equal(dlm_sim_run(b), DLM_OK);
    ao = dlm_sim_output(a, &a_n);
    bo = dlm_sim_output(b, &b_n);
    assert_true(a_n > 0);
    assert_int_equal(a_n, b_n);
    assert_memory_equal(ao, bo, a_n);
    dlm_sim_close(a);
    dlm_sim_close(b);
}

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(dlm_version(), DLM_VERSION);
    assert_int_equal(dlm_abi(), DLM_ABI_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),     cmocka_unit_test(test_identity),
        cmocka_unit_test(test_two_at_once), cmocka_unit_test(test_progress),
        cmocka_unit_test(test_cancel),      cmocka_unit_test(test_close_running),
        cmocka_unit_test(test_bad_input),   cmocka_unit_test(test_config_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
