/* signals.c — SIGINT, SIGTERM and SIGHUP: temporary files removed, partial records cut
 * back to a complete record, a message, exit status 128 + signal; or, in deferred mode,
 * a flag the run reads at its next checkpoint (signals.h). */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/io.h"
#include "output/signals.h"

#define SLOTS 16
#define PATH_CAP 1200

static char temp_path[SLOTS][PATH_CAP];
static volatile sig_atomic_t temp_used[SLOTS];
static char records_path[PATH_CAP];
static volatile sig_atomic_t records_fd = -1;
static volatile off_t records_good; /* written only outside the handler */
static volatile sig_atomic_t installed;
static volatile sig_atomic_t deferred;       /* dlm_signals_defer */
static volatile sig_atomic_t stop_requested; /* the first signal of a deferred run */

/* write(2) of a NUL-terminated string, ignoring failures (nothing else can be done). */
static void say(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void say_number(long v)
{
    char buf[24];
    int i = (int)sizeof buf - 1;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && i > 0);
    say(buf + i);
}

static void on_signal(int sig)
{
    int i;
    if (deferred && !stop_requested) {
        stop_requested = sig;
        say("dilemma: stopping at the next safe point (a generation boundary; in a sweep, the "
            "end of a run), after a checkpoint (a second "
            "signal stops at once)\n");
        return;
    }
    for (i = 0; i < SLOTS; ++i)
        if (temp_used[i])
            unlink(temp_path[i]);
    if (records_fd >= 0) {
        off_t good = records_good;
        if (good > 0 && ftruncate(records_fd, good) == 0) {
            say("dilemma: interrupted; the records up to the last complete one are in ");
            say(records_path);
            say("\n");
        } else {
            unlink(records_path);
            say("dilemma: interrupted before any record was complete; nothing was kept\n");
        }
        if (deferred)
            say("dilemma: --resume with the last checkpoint, if one was written, continues "
                "the run\n");
    } else {
        say("dilemma: interrupted (signal ");
        say_number(sig);
        say("); no partial output was kept\n");
    }
    _exit(128 + sig);
}

void dlm_signals_install(void)
{
    struct sigaction sa;
    if (dlm_io_library()) /* a library handle: the host program's handlers stay */
        return;
    if (installed)
        return;
    installed = 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void dlm_signals_defer(int on)
{
    if (dlm_io_library())
        return;
    stop_requested = 0;
    deferred = on ? 1 : 0;
}

int dlm_signals_stop_requested(void)
{
    if (dlm_io_library()) /* a cancelled handle stops as at a signal */
        return dlm_io_cancelled() ? SIGINT : 0;
    return (int)stop_requested;
}

int dlm_signals_track_temp(const char *path)
{
    int i;
    if (dlm_io_library())
        return -1;
    if (strlen(path) >= PATH_CAP)
        return -1;
    for (i = 0; i < SLOTS; ++i)
        if (!temp_used[i]) {
            memcpy(temp_path[i], path, strlen(path) + 1);
            temp_used[i] = 1; /* last: the handler reads the path only once this is set */
            return i;
        }
    return -1;
}

void dlm_signals_untrack(int slot)
{
    if (slot >= 0 && slot < SLOTS)
        temp_used[slot] = 0;
}

void dlm_signals_track_records(int fd, const char *path)
{
    if (dlm_io_library())
        return;
    if (strlen(path) >= PATH_CAP)
        return;
    memcpy(records_path, path, strlen(path) + 1);
    records_good = 0;
    records_fd = fd;
}

void dlm_signals_records_good(off_t good)
{
    if (dlm_io_library())
        return;
    records_good = good;
}

void dlm_signals_untrack_records(void)
{
    if (dlm_io_library())
        return;
    records_fd = -1;
}
