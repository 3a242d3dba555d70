/* dilemma/status.h — what every function of dilemma's API returns: a status code and,
 * on failure, a message. Self-contained (installed with dilemma/sim.h). */
#ifndef DILEMMA_STATUS_H
#define DILEMMA_STATUS_H

#define DLM_VERSION "0.1.0" /* the release; CMakeLists.txt's project version */
#define DLM_ABI_VERSION 0   /* libdilemma.so.N: raised when a change breaks a built client */

/* The functions of the installed library (everything else in it is hidden). */
#if defined(__GNUC__)
#define DLM_API __attribute__((visibility("default")))
#else
#define DLM_API
#endif

/* Status codes double as the CLI's exit codes (DESIGN.md §8). */
typedef enum dlm_status {
    DLM_OK = 0,
    DLM_ERR_RUNTIME = 1, /* device, I/O, out of memory, cancelled */
    DLM_ERR_USAGE = 2    /* bad command line, config, strategy, checkpoint or graph file */
} dlm_status;

typedef struct dlm_error {
    dlm_status status;
    char message[2048];
} dlm_error;

#endif /* DILEMMA_STATUS_H */
