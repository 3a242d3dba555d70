/* evo_memory.c — the device buffers of an evolution, listed once for every device backend
 * (backend.h), so that OpenCL and CUDA plan the same memory and name it alike. */
#include "backends/backend.h"

size_t dlm_evo_device_needs(const dlm_evo_setup *s, uint64_t groups, uint64_t max_chunks,
                            dlm_device_need *needs)
{
    uint64_t graph_offsets = s->inter_offsets ? ((uint64_t)s->graph_n + 1u) * sizeof(uint64_t) : 0;
    uint64_t pops = s->n_populations;
    size_t n = 0;
#define NEED(wh, b)                                                                                \
    do {                                                                                           \
        needs[n].what = (wh);                                                                      \
        needs[n].bytes = (b);                                                                      \
        ++n;                                                                                       \
    } while (0)
    NEED("the strategies", s->n_agents * sizeof(dlm_strategy));
    NEED("the agent classes", s->n_agents * sizeof(uint32_t));
    if (s->synchronous) {
        NEED("the next generation", s->n_agents * sizeof(dlm_strategy));
        NEED("the payoffs", s->n_agents * sizeof(double));
        NEED("the fitness sums", s->n_agents * sizeof(double));
        NEED("the partial counts", pops * groups * 3u * sizeof(uint64_t));
    }
    NEED("the interaction graph offsets", graph_offsets);
    NEED("the interaction graph", s->inter_arcs * sizeof(uint32_t));
    NEED("the replacement graph offsets", graph_offsets);
    NEED("the replacement graph", s->repl_arcs * sizeof(uint32_t));
    NEED("the parameter sets", s->n_params * sizeof(dlm_evo_params));
    NEED("the agent class settings", s->n_classes * sizeof(dlm_player_params));
    NEED("the mutation sets", s->n_table * sizeof(dlm_strategy));
    NEED("the exact payoffs of the types", s->n_exact * sizeof(double));
    NEED("the per-population words (private views: 2 N x N bits; group sizes: m)",
         s->n_views * sizeof(uint32_t));
    NEED("the populations", pops * (sizeof(dlm_evo_population) + 1u));
    NEED("the counts", pops * sizeof(dlm_evo_counts));
    NEED("the fixation generations", pops * sizeof(uint64_t));
    NEED("the named strategies", (uint64_t)s->n_named * sizeof(dlm_strategy));
    NEED("the census chunks", pops * max_chunks * sizeof(dlm_evo_census));
    NEED("the census records", pops * sizeof(dlm_evo_census));
#undef NEED
    return n;
}
