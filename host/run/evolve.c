/* evolve.c — runs an evolution plan on a backend (evolve.h): generations in passes up to
 * the next recording generation, snapshot or end (and about a second of work under a
 * wall-clock limit), a census after each, fixations and stops decided from the census,
 * snapshots copied from the backend. What it produces goes to an observer in generation
 * order; everything statistical comes from the backend's census records. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run/evolve.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The named strategy every agent has, or -1. */
static int fixed_named(const dlm_evo_plan *plan, const dlm_evo_census *c, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < plan->n_named; ++i)
        if (c->named[i] == n)
            return (int)i;
    return -1;
}

/* A population that stopped inside a step, for writing in generation order. */
typedef struct early_stop {
    uint64_t generation;
    size_t p;
} early_stop;

static int by_generation(const void *a, const void *b)
{
    const early_stop *x = a, *y = b;
    if (x->generation != y->generation)
        return x->generation < y->generation ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

/* How many generations the pass from g runs: up to the next recording generation, the
 * next snapshot or the last generation, whichever comes first; with a wall-clock limit
 * also at most about a second of work at the rate measured so far (generations per
 * second, 0 before any), so that the limit is checked on its own schedule. */
static uint64_t next_step(const dlm_evolution_spec *ev, uint64_t g, double rate,
                          double remaining)
{
    uint64_t every = ev->record_every ? ev->record_every : 1, next = ev->generations, at;
    uint64_t step;
    at = (g / every + 1) * every;
    next = at < next ? at : next;
    if (ev->snapshot_every) {
        at = (g / ev->snapshot_every + 1) * ev->snapshot_every;
        next = at < next ? at : next;
    }
    step = next > g ? next - g : 1;
    if (ev->wall_clock > 0) {
        double budget = remaining < 1.0 ? remaining : 1.0, cap = rate * budget;
        uint64_t most = cap >= 1.0 ? (cap < 1e18 ? (uint64_t)cap : step) : 1;
        step = step < most ? step : most;
    }
    return step;
}


/* One evolution run as evolve.c drives it (dlm_evo_drive). */
typedef struct evo_run {
    const dlm_scenario *sc;
    const dlm_evolution_spec *ev;
    const dlm_evo_plan *plan;
    const dlm_backend_ops *ops;
    dlm_backend *be;
    dlm_evo_state *state;
    const dlm_evo_observer *obs;
    size_t np;
    dlm_evo_counts *counts;   /* per population, added up over the run */
    dlm_evo_census *census;   /* the latest census */
    dlm_evo_outcome *out;     /* per population */
    uint8_t *active;          /* still evolving */
    uint8_t *recorded;        /* active when the latest census came in */
    uint8_t *fixed_now;       /* fixed at the latest census */
    early_stop *early;        /* stopped inside the last step, n_early of them */
    size_t n_early;
    dlm_strategy *snap;       /* a snapshot's copy of every agent */
    uint64_t g, step;
    uint64_t target;          /* the next boundary of the runner's own schedule (natural:
                                 a census is taken there); others are checkpoints' */
    uint64_t g_loop;          /* the generation the loop started at (0, or resumed) */
    double started, looping;  /* seconds: the run's start, the first census */
    const char *stopped;      /* why it ended: generations, fixation, wall-clock */
    int fix_stop;
    int resumed;              /* the first boundary is the checkpoint's: nothing to redo */
    int submitted;            /* the step is queued on a backend with evo_submit */
    int interrupted;          /* a checkpoint ended the run (a signal asked for it) */
} evo_run;

static void run_free(evo_run *r, int keep_outcomes)
{
    if (r->state)
        r->ops->evo_destroy(r->be, r->state);
    free(r->counts);
    free(r->census);
    free(r->active);
    free(r->recorded);
    free(r->fixed_now);
    free(r->early);
    free(r->snap);
    if (!keep_outcomes)
        free(r->out);
}

/* Allocates the run's arrays and uploads the plan. */
static dlm_status run_begin(evo_run *r, dlm_evo_outcome *outcomes, dlm_error *err)
{
    size_t np = r->np, p;
    dlm_evo_setup setup;
    dlm_status st;
    r->counts = calloc(np, sizeof *r->counts);
    r->census = calloc(np, sizeof *r->census);
    r->out = outcomes ? outcomes : calloc(np, sizeof *r->out);
    r->active = malloc(np);
    r->recorded = malloc(np);
    r->fixed_now = malloc(np);
    r->early = malloc((np ? np : 1) * sizeof *r->early);
    if (!r->counts || !r->census || !r->out || !r->active || !r->recorded || !r->fixed_now ||
        !r->early)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory");
    if (!r->ops->evo_create)
        return dlm_error_set(err, DLM_ERR_USAGE, "backend %s cannot run evolution yet",
                             r->ops->name);
    memset(r->active, 1, np);
    memset(r->out, 0, np * sizeof *r->out);
    for (p = 0; p < np; ++p)
        r->out[p].fixed_named = -1;
    dlm_evo_plan_setup(r->plan, r->sc->seed, &setup);
    if ((st = r->ops->evo_create(r->be, &setup, &r->state, err)) != DLM_OK)
        return st;
    if (r->obs && r->obs->begin)
        return r->obs->begin(r->obs->ctx, err);
    return DLM_OK;
}

/* The census of generation g is in: each active population's outcome, its fixation,
 * and those that stopped at fixation inside the last step (census[p].generation < g). */
static void pass_outcomes(evo_run *r)
{
    size_t p;
    r->n_early = 0;
    for (p = 0; p < r->np; ++p) {
        const dlm_evo_census *c = &r->census[p];
        r->recorded[p] = r->active[p];
        r->fixed_now[p] = 0;
        if (!r->active[p])
            continue;
        r->out[p].final = *c;
        r->out[p].generations = c->generation;
        if (c->generation != r->g) {
            r->early[r->n_early].generation = c->generation;
            r->early[r->n_early++].p = p;
        }
        if (c->monomorphic && r->plan->params.mutation_kind == 0 && !r->out[p].fixed) {
            r->out[p].fixed = 1;
            r->out[p].fixation_generation = c->generation;
            r->out[p].fixed_named = fixed_named(r->plan, c, r->plan->populations[p].n);
            r->fixed_now[p] = 1;
            if (r->fix_stop)
                r->active[p] = 0;
        }
    }
}

/* 1 when the run ends at g: its last generation, every population stopped, or the wall
 * clock. */
static int pass_stop(evo_run *r)
{
    size_t p;
    if (r->g >= r->ev->generations)
        return 1;
    for (p = 0; p < r->np && !r->active[p]; ++p)
        ;
    if (p == r->np) {
        r->stopped = "fixation";
        return 1;
    }
    if (r->ev->wall_clock > 0 && seconds_now() - r->started > r->ev->wall_clock) {
        r->stopped = "wall-clock";
        return 1;
    }
    return 0;
}

/* The records of the pass, in generation order: first those that stopped inside the
 * step, then the rest (at g) when g is a recording generation, or the last, or they
 * fixed at g. */
static dlm_status pass_write(evo_run *r, int stop, dlm_error *err)
{
    int due = stop || r->g % (r->ev->record_every ? r->ev->record_every : 1) == 0;
    size_t k, p;
    if (!r->obs)
        return DLM_OK;
    qsort(r->early, r->n_early, sizeof *r->early, by_generation);
    for (k = 0; r->obs->record && k < r->n_early; ++k) {
        p = r->early[k].p;
        r->obs->record(r->obs->ctx, (uint32_t)p, &r->census[p], &r->out[p], r->fixed_now[p]);
    }
    for (p = 0; r->obs->record && p < r->np; ++p)
        if (r->recorded[p] && r->census[p].generation == r->g && (due || r->fixed_now[p]))
            r->obs->record(r->obs->ctx, (uint32_t)p, &r->census[p], &r->out[p],
                           r->fixed_now[p]);
    return r->obs->flush ? r->obs->flush(r->obs->ctx, err) : DLM_OK;
}

/* A snapshot due at g: copy = 1 copies every agent from the backend, 0 writes it. */
static dlm_status pass_snapshot(evo_run *r, int copy, dlm_error *err)
{
    if (!r->ev->snapshot_every || r->g % r->ev->snapshot_every != 0 || r->g == 0)
        return DLM_OK;
    if (copy) {
        if (!r->snap && !(r->snap = malloc(r->plan->n_agents * sizeof *r->snap)))
            return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a snapshot");
        return r->ops->evo_snapshot(r->be, r->state, r->snap, err);
    }
    return r->obs && r->obs->snapshot ? r->obs->snapshot(r->obs->ctx, r->g, r->snap, err)
                                      : DLM_OK;
}

/* The schedule from g: the next boundary of the runner's own (records, snapshots, the
 * end, a wall-clock slice: r->target, recomputed once reached) and the step to the
 * next boundary of any kind (a checkpoint's: a multiple of checkpoint_every, about a
 * second of work). Where a step ends short of the target, no census is taken: what the
 * run records is the same however its generations are cut. */
static void pass_plan(evo_run *r)
{
    double spent = seconds_now() - r->looping;
    double rate = r->g > r->g_loop && spent > 0.0 ? (double)(r->g - r->g_loop) / spent : 0.0;
    uint64_t step;
    if (r->g >= r->target)
        r->target = r->g + next_step(r->ev, r->g, rate,
                                     r->ev->wall_clock - (seconds_now() - r->started));
    step = r->target - r->g;
    if (r->obs && (r->obs->checkpoint_due || r->obs->progress)) {
        uint64_t every = r->obs->checkpoint_due ? r->obs->checkpoint_every : 0, most;
        if (every && (r->g / every + 1) * every - r->g < step)
            step = (r->g / every + 1) * every - r->g;
        most = rate >= 1.0 ? (rate < 1e18 ? (uint64_t)rate : step) : 1;
        step = step < most ? step : most;
    }
    r->step = step;
}

/* Submits the step when it ends at the target (a backend with evo_submit works on it from
 * here); other steps run in pass_collect. */
static dlm_status pass_submit(evo_run *r, dlm_error *err)
{
    dlm_status st = DLM_OK;
    if (r->ops->evo_submit && r->g + r->step == r->target) {
        st = r->ops->evo_submit(r->be, r->state, r->g, r->step, r->active, err);
        r->submitted = st == DLM_OK;
    }
    return st;
}

/* Waits for the step and its census (or runs them, for backends without evo_submit); a
 * step short of the target runs without a census. */
static dlm_status pass_collect(evo_run *r, dlm_error *err)
{
    dlm_status st;
    if (r->submitted)
        st = r->ops->evo_collect(r->be, r->state, r->counts, r->census, err);
    else if ((st = r->ops->evo_run(r->be, r->state, r->g, r->step, r->active, r->counts,
                                   err)) == DLM_OK && r->g + r->step == r->target)
        st = r->ops->evo_census(r->be, r->state, r->g + r->step, r->census, err);
    r->submitted = 0;
    r->g += r->step;
    return st;
}

/* The end of the run: a biased run is an error; the observer gets the outcomes. */
static dlm_status run_finish(evo_run *r, dlm_error *err)
{
    size_t p;
    for (p = 0; p < r->np; ++p)
        if (r->counts[p].failed_events)
            return dlm_error_set(err, DLM_ERR_RUNTIME,
                                 "population %zu: %llu events found no parent in %u fitness-"
                                 "proportional draws; the results would be biased", p,
                                 (unsigned long long)r->counts[p].failed_events,
                                 r->plan->params.max_trials);
    return r->obs && r->obs->finish ? r->obs->finish(r->obs->ctx, r->out, r->stopped, err)
                                    : DLM_OK;
}

/* --- checkpoints: the runner's state ---------------------------------------------------
 * A header of eight u64 — a tag, the sizes of the records below (a build with other
 * layouts is refused), populations, agents, the generation, the seconds spent before
 * (a double's bits), the words of private views (0 without them), one reserved — then
 * per population its counts, its outcome, its fixation generation in the world and its
 * active flag (8 bytes), then every agent's strategy, then the private views. The RNG needs nothing: every number is keyed by what it is for. */
#define STATE_TAG 0x3130545345534c44ull /* "DLSEST01" read as a little-endian u64 */
#define STATE_HEADER (8 * sizeof(uint64_t))

static uint64_t state_layout(void)
{
    return (uint64_t)sizeof(dlm_strategy) | (uint64_t)sizeof(dlm_evo_counts) << 16 |
           (uint64_t)sizeof(dlm_evo_outcome) << 32;
}

static size_t state_bytes(size_t np, uint64_t n_agents, uint64_t n_views)
{
    return STATE_HEADER + np * (sizeof(dlm_evo_counts) + sizeof(dlm_evo_outcome) + 16) +
           (size_t)n_agents * sizeof(dlm_strategy) + (size_t)n_views * sizeof(uint32_t);
}

/* 1 when s is a strategy the model can run: a known kind with its fields in range (a
 * checkpoint's checksum guards against accidents, not against a crafted file). */
static int strategy_sane(const dlm_strategy *s)
{
    int i;
    if (s->kind == DLM_STRAT_MEMORY_ONE) {
        for (i = 0; i < 5; ++i)
            if (s->threshold[i] > ((uint64_t)1 << 32))
                return 0;
        return 1;
    }
    if (s->kind == DLM_STRAT_LOOKUP)
        return s->depth >= 1 && s->depth <= 3;
    if (s->kind == DLM_STRAT_ACTION_RULE) /* allc, alld, disc, or an IPD rule and modifiers */
        return (s->opening <= DLM_ACTION_RULE_DISC ||
                ((s->opening & 0xFu) == DLM_ACTION_RULE_M1 && (s->opening & ~0x3Fu) == 0u)) &&
               (s->depth & ~(DLM_ACTION_RULE_OWN_NORM | 0x1FFu)) == 0u;
    if (s->kind == DLM_STRAT_CONTRIBUTION)
        return (s->opening <= 2u || s->opening == DLM_CONTRIB_LEVEL ||
                s->opening == DLM_CONTRIB_STOCK) && s->depth < 64u && s->fsm_output < 64u &&
               s->table <= DLM_INCENTIVE_LONER; /* the incentive type (dlm_punish.h) */
    return s->kind == DLM_STRAT_FSM && s->depth >= 1 && s->depth <= 16 && s->opening < 16;
}

/* The per-population and per-agent parts of a state (checked for size): outcomes that
 * name a strategy the plan has, strategies the model can run. */
static dlm_status state_check_content(const dlm_evo_plan *plan, const unsigned char *b,
                                      dlm_error *err)
{
    size_t np = plan->n_populations, p;
    const unsigned char *at = b + STATE_HEADER + np * sizeof(dlm_evo_counts);
    uint64_t i;
    for (p = 0; p < np; ++p) {
        dlm_evo_outcome o;
        memcpy(&o, at + p * sizeof o, sizeof o);
        if (o.fixed_named < -1 || o.fixed_named >= (int)plan->n_named || o.fixed > 1)
            return dlm_error_set(err, DLM_ERR_USAGE, "the checkpoint's outcome of population "
                                 "%zu is not one this run can have", p);
    }
    at += np * (sizeof(dlm_evo_outcome) + 16);
    for (i = 0; i < plan->n_agents; ++i) {
        dlm_strategy s;
        memcpy(&s, at + i * sizeof s, sizeof s);
        if (!strategy_sane(&s))
            return dlm_error_set(err, DLM_ERR_USAGE, "the checkpoint's agent %llu holds no "
                                 "strategy the model can run (kind %u)", (unsigned long long)i,
                                 s.kind);
    }
    return DLM_OK;
}

dlm_status dlm_evo_state_check(const dlm_evo_plan *plan, const void *state, size_t n,
                               uint64_t *generation, dlm_error *err)
{
    uint64_t h[8];
    if (n < STATE_HEADER)
        return dlm_error_set(err, DLM_ERR_USAGE, "the checkpoint holds no evolution state");
    memcpy(h, state, sizeof h);
    if (h[0] != STATE_TAG || h[1] != state_layout())
        return dlm_error_set(err, DLM_ERR_USAGE, "the checkpoint's evolution state was written "
                             "by a build of dilemma whose records are laid out differently");
    if (h[2] != plan->n_populations || h[3] != plan->n_agents)
        return dlm_error_set(err, DLM_ERR_USAGE, "the checkpoint holds %llu populations of "
                             "%llu agents in all; this run has %zu of %llu",
                             (unsigned long long)h[2], (unsigned long long)h[3],
                             plan->n_populations, (unsigned long long)plan->n_agents);
    if (h[6] != plan->n_views)
        return dlm_error_set(err, DLM_ERR_USAGE, "the checkpoint holds %llu words of private "
                             "views; this run has %llu", (unsigned long long)h[6],
                             (unsigned long long)plan->n_views);
    if (n != state_bytes(plan->n_populations, plan->n_agents, plan->n_views))
        return dlm_error_set(err, DLM_ERR_USAGE, "the checkpoint's evolution state has %zu bytes, "
                             "not the %zu its populations need", n,
                             state_bytes(plan->n_populations, plan->n_agents, plan->n_views));
    if (generation)
        *generation = h[4];
    return state_check_content(plan, state, err);
}

/* The runner's state at g, with the world copied from the backend; *n its bytes. */
static void *state_pack(evo_run *r, size_t *n, dlm_error *err)
{
    size_t np = r->np, p, bytes = state_bytes(np, r->plan->n_agents, r->plan->n_views);
    unsigned char *b = calloc(1, bytes), *at;
    uint64_t h[8] = {STATE_TAG, state_layout(), np, r->plan->n_agents, r->g, 0,
                     r->plan->n_views, 0};
    double elapsed = seconds_now() - r->started;
    uint64_t *fixed;
    if (!b) {
        dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory for a checkpoint (%zu bytes)", bytes);
        return NULL;
    }
    memcpy(&h[5], &elapsed, sizeof elapsed);
    memcpy(b, h, sizeof h);
    at = b + STATE_HEADER;
    memcpy(at, r->counts, np * sizeof *r->counts);
    at += np * sizeof *r->counts;
    memcpy(at, r->out, np * sizeof *r->out);
    at += np * sizeof *r->out;
    fixed = (uint64_t *)(void *)at;
    at += np * sizeof(uint64_t);
    for (p = 0; p < np; ++p)
        memcpy(at + 8 * p, &r->active[p], 1);
    at += 8 * np;
    if (r->ops->evo_save(r->be, r->state, (dlm_strategy *)(void *)at, fixed,
                         (uint32_t *)(void *)(at + r->plan->n_agents * sizeof(dlm_strategy)),
                         err) != DLM_OK) {
        free(b);
        return NULL;
    }
    *n = bytes;
    return b;
}

/* Restores the runner's state (checked by dlm_evo_state_check) and the backend's world. */
static dlm_status state_unpack(evo_run *r, const void *state, size_t n, dlm_error *err)
{
    const unsigned char *at = (const unsigned char *)state + STATE_HEADER;
    size_t np = r->np, p;
    uint64_t h[8], *fixed;
    uint32_t *views;
    double elapsed;
    dlm_strategy *agents;
    dlm_status st;
    if ((st = dlm_evo_state_check(r->plan, state, n, NULL, err)) != DLM_OK)
        return st;
    if (!r->ops->evo_restore)
        return dlm_error_set(err, DLM_ERR_USAGE, "backend %s cannot resume from a checkpoint",
                             r->ops->name);
    memcpy(h, state, sizeof h);
    memcpy(&elapsed, &h[5], sizeof elapsed);
    r->g = h[4];
    r->started -= elapsed;
    memcpy(r->counts, at, np * sizeof *r->counts);
    at += np * sizeof *r->counts;
    memcpy(r->out, at, np * sizeof *r->out);
    at += np * sizeof *r->out;
    /* copies: the payload is a byte buffer, its arrays need not be aligned */
    fixed = malloc((np ? np : 1) * sizeof *fixed);
    agents = malloc((r->plan->n_agents ? r->plan->n_agents : 1) * sizeof *agents);
    views = malloc((r->plan->n_views ? r->plan->n_views : 1) * sizeof *views);
    if (!fixed || !agents || !views) {
        free(fixed);
        free(agents);
        free(views);
        return dlm_error_set(err, DLM_ERR_RUNTIME, "out of memory restoring a checkpoint");
    }
    memcpy(fixed, at, np * sizeof *fixed);
    at += np * sizeof *fixed;
    for (p = 0; p < np; ++p)
        r->active[p] = at[8 * p] ? 1 : 0;
    at += 8 * np;
    memcpy(agents, at, r->plan->n_agents * sizeof *agents);
    at += r->plan->n_agents * sizeof *agents;
    if (r->plan->n_views)
        memcpy(views, at, r->plan->n_views * sizeof *views);
    st = r->ops->evo_restore(r->be, r->state, agents, fixed, views, err);
    free(fixed);
    free(agents);
    free(views);
    r->target = r->g;
    r->resumed = 1;
    return st;
}

/* A checkpoint at g: the state to the observer, which writes it (and may end the run). */
static dlm_status pass_checkpoint(evo_run *r, dlm_error *err)
{
    size_t n = 0;
    int stop = 0;
    void *state = state_pack(r, &n, err);
    dlm_status st;
    if (!state)
        return err && err->status != DLM_OK ? err->status : DLM_ERR_RUNTIME;
    st = r->obs->checkpoint(r->obs->ctx, r->g, state, n, &stop, err);
    free(state);
    r->interrupted = st == DLM_OK && stop;
    return st;
}

/* One generation boundary. At the runner's own (a census is in): outcomes, a snapshot
 * copied, the stop decided, the next step submitted (a backend with evo_submit works on
 * it from here), and only then the records written, while the device computes. Where a
 * checkpoint is due it is taken after the records (the submission waits for it). *end:
 * the run is over (or interrupted) here. */
static dlm_status pass_boundary(evo_run *r, int *end, dlm_error *err)
{
    int natural = r->g == r->target && !r->resumed, stop = 0, due = 0;
    dlm_status st;
    r->resumed = 0;
    if (natural) {
        pass_outcomes(r);
        if ((st = pass_snapshot(r, 1, err)) != DLM_OK)
            return st;
        stop = pass_stop(r);
    }
    if (r->obs && r->obs->progress)
        r->obs->progress(r->obs->ctx, r->g, r->ev->generations);
    if (!stop) {
        pass_plan(r);
        due = r->obs && r->obs->checkpoint_due && r->obs->checkpoint_due(r->obs->ctx, r->g);
        if (!due && (st = pass_submit(r, err)) != DLM_OK)
            return st;
    }
    if (natural && ((st = pass_write(r, stop, err)) != DLM_OK ||
                    (st = pass_snapshot(r, 0, err)) != DLM_OK))
        return st;
    *end = stop;
    if (!due)
        return DLM_OK;
    if ((st = pass_checkpoint(r, err)) != DLM_OK)
        return st;
    *end = r->interrupted;
    return r->interrupted ? DLM_OK : pass_submit(r, err);
}

dlm_status dlm_evo_drive_from(const dlm_scenario *sc, const dlm_evo_plan *plan,
                              const dlm_backend_ops *ops, dlm_backend *be,
                              const dlm_evo_observer *obs, const void *state, size_t n,
                              dlm_evo_outcome *outcomes, dlm_error *err)
{
    evo_run r;
    dlm_status st;
    memset(&r, 0, sizeof r);
    r.sc = sc;
    r.ev = &sc->evolution;
    r.plan = plan;
    r.ops = ops;
    r.be = be;
    r.obs = obs;
    r.np = plan->n_populations;
    r.started = seconds_now();
    r.stopped = "generations";
    r.fix_stop = r.ev->stop_at_fixation && plan->params.mutation_kind == 0;
    st = run_begin(&r, outcomes, err);
    if (st == DLM_OK && obs && obs->checkpoint_due && !ops->evo_save)
        st = dlm_error_set(err, DLM_ERR_USAGE, "backend %s cannot write checkpoints", ops->name);
    if (st == DLM_OK)
        st = state ? state_unpack(&r, state, n, err) : ops->evo_census(be, r.state, 0, r.census,
                                                                        err);
    r.looping = seconds_now();
    r.g_loop = r.g;
    while (st == DLM_OK) {
        int end = 0;
        if ((st = pass_boundary(&r, &end, err)) != DLM_OK || end)
            break;
        st = pass_collect(&r, err);
    }
    if (st == DLM_OK && !r.interrupted)
        st = run_finish(&r, err);
    run_free(&r, outcomes != NULL);
    return st;
}

dlm_status dlm_evo_drive(const dlm_scenario *sc, const dlm_evo_plan *plan,
                         const dlm_backend_ops *ops, dlm_backend *be, const dlm_evo_observer *obs,
                         dlm_evo_outcome *outcomes, dlm_error *err)
{
    return dlm_evo_drive_from(sc, plan, ops, be, obs, NULL, 0, outcomes, err);
}
