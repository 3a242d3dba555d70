/* evolve_batch.c — the runs of a sweep batched into one plan (evolve_plan.h). */
#include <stdlib.h>
#include <string.h>

#include "plan/evolve_plan.h"

/* Whether two graphs are the same: vertices, arcs, every neighbour list. */
static int graph_same(const dlm_graph *g, const dlm_graph *h)
{
    if (g->n != h->n || g->n_arcs != h->n_arcs)
        return 0;
    if (g->n == 0)
        return 1;
    return memcmp(g->offsets, h->offsets, (g->n + 1u) * sizeof *g->offsets) == 0 &&
           (g->n_arcs == 0 || memcmp(g->neighbors, h->neighbors,
                                     g->n_arcs * sizeof *g->neighbors) == 0);
}

/* A copy of g into *out (empty for an empty g); 0 when memory runs out. */
static int graph_copy(const dlm_graph *g, dlm_graph *out)
{
    *out = *g;
    out->offsets = NULL;
    out->neighbors = NULL;
    if (g->n == 0)
        return 1;
    out->offsets = malloc((g->n + 1u) * sizeof *out->offsets);
    out->neighbors = malloc((g->n_arcs ? g->n_arcs : 1) * sizeof *out->neighbors);
    if (!out->offsets || !out->neighbors)
        return 0;
    memcpy(out->offsets, g->offsets, (g->n + 1u) * sizeof *out->offsets);
    memcpy(out->neighbors, g->neighbors, g->n_arcs * sizeof *out->neighbors);
    return 1;
}

int dlm_evo_plan_batchable(const dlm_scenario *sa, const dlm_evo_plan *a,
                           const dlm_scenario *sb, const dlm_evo_plan *b)
{
    const dlm_evolution_spec *x = &sa->evolution, *y = &sb->evolution;
    uint32_t i;
    if (a->rule != b->rule || a->synchronous != b->synchronous)
        return 0;
    /* a graph is the batch's: every run on the same one (population-local ids) */
    if ((a->params.structure == DLM_STRUCTURE_GRAPH) != (b->params.structure == DLM_STRUCTURE_GRAPH) ||
        !graph_same(&a->interaction, &b->interaction) ||
        !graph_same(&a->replacement, &b->replacement))
        return 0;
    /* the runner's schedule and its reading of fixation are the batch's */
    if (x->generations != y->generations || x->record_every != y->record_every ||
        x->stop_at_fixation != y->stop_at_fixation || x->snapshot_every || y->snapshot_every ||
        x->wall_clock > 0 || y->wall_clock > 0 ||
        (a->params.mutation_kind == 0) != (b->params.mutation_kind == 0))
        return 0;
    /* the census counts the same named strategies */
    if (a->n_named != b->n_named || a->tolerance != b->tolerance)
        return 0;
    for (i = 0; i < a->n_named; ++i)
        if (memcmp(&a->named[i], &b->named[i], sizeof a->named[i]) != 0 ||
            strcmp(a->named_labels[i], b->named_labels[i]) != 0)
            return 0;
    return 1;
}

dlm_status dlm_evo_plan_join(const dlm_evo_plan *const *plans, size_t k, dlm_evo_plan *out,
                             dlm_error *err)
{
    size_t j, p, np = 0, nt = 0, nc = 0, ne = 0, at_p = 0, at_t = 0, at_c = 0, at_e = 0;
    uint64_t na = 0, at_a = 0, nv = 0, at_v = 0;
    memset(out, 0, sizeof *out);
    for (j = 0; j < k; ++j) {
        np += plans[j]->n_populations;
        na += plans[j]->n_agents;
        nt += plans[j]->n_table;
        nc += plans[j]->n_classes;
        ne += plans[j]->n_exact;
        nv += plans[j]->n_views;
    }
    *out = *plans[0];
    out->estimate_se = NULL; /* the runs' own (reported by each run's plan) */
    out->n_estimate_se = 0;
    memset(&out->interaction, 0, sizeof out->interaction);
    memset(&out->replacement, 0, sizeof out->replacement);
    if (!graph_copy(&plans[0]->interaction, &out->interaction) ||
        !graph_copy(&plans[0]->replacement, &out->replacement)) {
        dlm_graph_free(&out->interaction);
        dlm_graph_free(&out->replacement);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a batch's graph");
    }
    out->n_populations = np;
    out->n_agents = na;
    out->n_table = nt;
    out->n_exact = ne;
    out->n_views = nv;
    out->batch_params = calloc(k, sizeof *out->batch_params);
    out->populations = calloc(np ? np : 1, sizeof *out->populations);
    out->strategies = malloc((na ? na : 1) * sizeof *out->strategies);
    out->agent_class = malloc((na ? na : 1) * sizeof *out->agent_class);
    out->table = malloc((nt ? nt : 1) * sizeof *out->table);
    out->batch_classes = malloc((nc ? nc : 1) * sizeof *out->batch_classes);
    out->exact = malloc((ne ? ne : 1) * sizeof *out->exact);
    out->bytes = 0;
    if (!out->batch_params || !out->populations || !out->strategies || !out->agent_class ||
        !out->table || !out->batch_classes || !out->exact) {
        dlm_evo_plan_free(out);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a batch of %zu runs", k);
    }
    out->n_batch_params = k;
    out->n_batch_classes = nc;
    for (j = 0; j < k; ++j) {
        const dlm_evo_plan *q = plans[j];
        dlm_evo_params ep = q->params;
        ep.set_offset += (uint32_t)at_t;
        ep.class_offset = (uint32_t)at_c;
        ep.type_offset += (uint32_t)at_t;
        ep.exact_offset += (uint32_t)at_e;
        out->batch_params[j] = ep;
        for (p = 0; p < q->n_populations; ++p) {
            dlm_evo_population pop = q->populations[p];
            pop.agent0 += at_a;
            pop.view0 += at_v;
            pop.params = (uint32_t)j;
            out->populations[at_p + p] = pop;
        }
        memcpy(out->strategies + at_a, q->strategies, q->n_agents * sizeof *q->strategies);
        memcpy(out->agent_class + at_a, q->agent_class, q->n_agents * sizeof *q->agent_class);
        memcpy(out->table + at_t, q->table, q->n_table * sizeof *q->table);
        memcpy(out->batch_classes + at_c, q->classes, q->n_classes * sizeof *q->classes);
        if (q->n_exact)
            memcpy(out->exact + at_e, q->exact, q->n_exact * sizeof *q->exact);
        out->bytes += q->bytes;
        at_p += q->n_populations;
        at_a += q->n_agents;
        at_t += q->n_table;
        at_c += q->n_classes;
        at_e += q->n_exact;
        at_v += q->n_views;
    }
    return DLM_OK;
}
