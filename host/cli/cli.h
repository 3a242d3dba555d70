/* cli.h — the `dilemma` command line. */
#ifndef DLM_CLI_H
#define DLM_CLI_H

/* Runs the command line; returns the exit code (0 ok, 1 runtime failure, 2 usage). */
int dlm_cli_main(int argc, char **argv);

/* `dilemma bench` (bench.c). */
int dlm_bench_main(int argc, char **argv);

/* The built-in default scenario, as YAML. */
extern const char dlm_default_scenario[];

#endif /* DLM_CLI_H */
