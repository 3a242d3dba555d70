/* resume.h — what the command line says and reads around checkpoints (resume.c): the
 * command that resumes a run, signal names, and the tests' hook that stops a run right
 * after its k-th checkpoint. */
#ifndef DLM_CLI_RESUME_H
#define DLM_CLI_RESUME_H

#include <stddef.h>

#include "output/evolve_output.h"

/* The command line that resumes this one from checkpoint: "dilemma" and argv[first..]
 * as given (any --resume left out), then "--resume CHECKPOINT", each word quoted for a
 * POSIX shell where it needs it. */
void dlm_cli_resume_command(char *buf, size_t len, int argc, char **argv, int first,
                            const char *checkpoint);

/* "SIGINT", "SIGTERM", "SIGHUP" or "signal N". */
const char *dlm_cli_signal_name(int sig, char *buf, size_t len);

/* Tests only: DLM_TEST_STOP_AFTER_CHECKPOINTS=K[:INT|:TERM|:HUP] raises that signal (TERM by
 * default) right after the K-th checkpoint this process writes, so that a test stops a run
 * at a known generation without depending on time. Returns 0, or -1 when the variable is
 * set but malformed. */
int dlm_cli_test_stop(dlm_evo_checkpointing *ck);

#endif /* DLM_CLI_RESUME_H */
