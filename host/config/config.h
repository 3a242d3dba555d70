/* config.h — YAML configs (read with libyaml), --set overrides and validation.
 *
 * A config is parsed into a tree that remembers where every node came from (file and
 * line, or "--set key=value"); overrides are applied to the tree; then the tree is
 * validated against the schema in one pass that checks every key and fills a
 * dlm_scenario. Errors name the key, the file and line, and what is allowed, and
 * return DLM_ERR_USAGE. The schema is documented in configs/README.md.
 */
#ifndef DLM_CONFIG_H
#define DLM_CONFIG_H

#include "dilemma.h"
#include "config/scenario.h"

typedef struct dlm_config dlm_config;

/* Parses a YAML file. */
dlm_status dlm_config_load_file(const char *path, dlm_config **out, dlm_error *err);

/* Parses YAML text; origin names it in messages (e.g. "<built-in default>"). */
dlm_status dlm_config_load_string(const char *text, size_t len, const char *origin,
                                  dlm_config **out, dlm_error *err);

/* An empty config (every key at its default). */
dlm_status dlm_config_new(dlm_config **out, dlm_error *err);

/* Applies one override "dotted.key=value"; value is read as YAML (a scalar, or a flow
 * sequence/mapping such as [tft, alld]). */
dlm_status dlm_config_set(dlm_config *cfg, const char *assignment, dlm_error *err);

/* Validates every key and fills sc (call dlm_scenario_free later). */
dlm_status dlm_config_to_scenario(const dlm_config *cfg, dlm_scenario *sc, dlm_error *err);

/* A 64-bit hash (FNV-1a) of the config the results depend on: the tree after overrides,
 * canonical (mapping keys sorted, YAML nulls alike), leaving out the keys that do not
 * change the results' bytes — backend, threads, output.file, output.checkpoint and
 * output.checkpoint_every — and sections left empty without them. Checkpoints carry it
 * (output/checkpoint.h), so a run resumes only under the config it was started with. */
uint64_t dlm_config_hash(const dlm_config *cfg);

void dlm_config_free(dlm_config *cfg);

#endif /* DLM_CONFIG_H */
