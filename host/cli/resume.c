/* resume.c — the command that resumes a run, signal names, the tests' stop hook
 * (resume.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/resume.h"

/* Appends " word" to buf (at *used), single-quoted unless it is plain. */
static void append_word(char *buf, size_t len, size_t *used, const char *word)
{
    int plain = word[0] != '\0';
    const char *c;
    for (c = word; *c; ++c)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=:,+@%-",
                     *c))
            plain = 0;
    if (*used + 2 >= len)
        return;
    buf[(*used)++] = ' ';
    if (!plain)
        buf[(*used)++] = '\'';
    for (c = word; *c && *used + 5 < len; ++c) {
        if (*c == '\'' && !plain) { /* ' becomes '\'' */
            memcpy(buf + *used, "'\\''", 4);
            *used += 4;
        } else {
            buf[(*used)++] = *c;
        }
    }
    if (!plain && *used + 1 < len)
        buf[(*used)++] = '\'';
    buf[*used] = '\0';
}

void dlm_cli_resume_command(char *buf, size_t len, int argc, char **argv, int first,
                            const char *checkpoint)
{
    size_t used;
    int i;
    if (len == 0)
        return;
    snprintf(buf, len, "dilemma");
    used = strlen(buf);
    for (i = first; i < argc; ++i) {
        if (strcmp(argv[i], "--resume") == 0) {
            ++i; /* and its value */
            continue;
        }
        if (strncmp(argv[i], "--resume=", 9) == 0)
            continue;
        append_word(buf, len, &used, argv[i]);
    }
    append_word(buf, len, &used, "--resume");
    append_word(buf, len, &used, checkpoint);
}

const char *dlm_cli_signal_name(int sig, char *buf, size_t len)
{
    if (sig == SIGINT)
        snprintf(buf, len, "SIGINT");
    else if (sig == SIGTERM)
        snprintf(buf, len, "SIGTERM");
    else if (sig == SIGHUP)
        snprintf(buf, len, "SIGHUP");
    else
        snprintf(buf, len, "signal %d", sig);
    return buf;
}

int dlm_cli_test_stop(dlm_evo_checkpointing *ck)
{
    const char *v = getenv("DLM_TEST_STOP_AFTER_CHECKPOINTS");
    char *end = NULL;
    unsigned long k;
    ck->test_stop_after = 0;
    ck->test_signal = SIGTERM;
    if (!v || !v[0])
        return 0;
    k = strtoul(v, &end, 10);
    if (end == v || k == 0 || k > 1000000)
        return -1;
    if (strcmp(end, ":INT") == 0)
        ck->test_signal = SIGINT;
    else if (strcmp(end, ":HUP") == 0)
        ck->test_signal = SIGHUP;
    else if (end[0] && strcmp(end, ":TERM") != 0)
        return -1;
    ck->test_stop_after = (uint32_t)k;
    return 0;
}
