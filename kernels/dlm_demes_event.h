/* dlm_demes_event.h — one event of group selection (Traulsen & Nowak 2006), written once
 * for every backend; dlm_evo_event calls it for rule DLM_RULE_GROUP_SELECTION (the layout
 * and the structure's functions are in dlm_demes.h).
 *
 * An event (a generation is N = m n of them, as for the other asynchronous rules):
 *   1. a parent is chosen from the whole population with probability proportional to its
 *      fitness, its payoff coming from the 2x2 game against every other member of its own
 *      group (dlm_evo_evaluate: within-group interaction). By rejection: a uniform place,
 *      refused when empty, else accepted with probability f / f_max (every trial draws
 *      the place and the uniform, so the draws do not depend on which places are empty);
 *   2. its offspring (mutated with probability mu) joins the parent's group G;
 *   3. a group that was not full just grows by one. A full group (n members, so it
 *      "reaches n" with the offspring) splits with probability q: its n members and the
 *      offspring are divided at random into two groups (a fair coin each; were all n + 1
 *      coins the same, the offspring goes to the other side, so both daughters are
 *      non-empty and hold at most n), one daughter keeping G's places and the other taking
 *      the places of another group, uniform among the m - 1 others, which is removed
 *      (between-group competition: the number of groups stays m). Otherwise (1 - q) a
 *      uniform one of its n members dies and the offspring takes its place (within-group
 *      competition: a Moran birth-death step inside the group).
 * Random numbers: SELECTION (p, g) window e: the trials (two words for the place, two
 * for the uniform each), then the split's word, then the victim (two words) or the
 * removed group (two words) and the coins (two words); MUTATION (p, g) window e: the
 * offspring's mutation; MATCHING / MATCH_PLAY / MATCH_LENGTH as for every evaluation.
 */
#ifndef DLM_DEMES_EVENT_H
#define DLM_DEMES_EVENT_H

/* Copies place `from` of the population's agents over place `to`. */
DLM_FN void dlm_demes_copy(const dlm_evo_world *w, const dlm_evo_population *pop, uint32_t to,
                           uint32_t from)
{
    w->strategy[pop->agent0 + to] = w->strategy[pop->agent0 + from];
}

/* Fills group G's empty places (from its s members on) with copies of its members. */
DLM_FN void dlm_demes_fill(const dlm_evo_world *w, const dlm_evo_population *pop,
                           const dlm_evo_params *ep, uint32_t group, uint32_t s)
{
    uint32_t first = group * ep->partners, j;
    for (j = s; j < ep->partners; ++j)
        dlm_demes_copy(w, pop, first + j, first + j % s);
    dlm_demes_set_size(w, pop, ep, group, s);
}

/* Event e of a generation of group selection (the cursors and streams of dlm_evo_event). */
DLM_FN void dlm_demes_event(const dlm_evo_world *w, const dlm_evo_population *pop,
                            const dlm_evo_params *ep, uint64_t play, uint64_t length, uint32_t e,
                            dlm_cursor *sel, dlm_cursor *partners, dlm_cursor *mut,
                            dlm_evo_counts *counts)
{
    uint32_t n = ep->partners, m = dlm_demes_groups(pop, ep), slot = 0u, trial;
    uint32_t parent = pop->n, group, first, s, other, i, kept, moved;
    uint64_t coins, mask, ones;
    dlm_strategy child;
    for (trial = 0; trial < ep->max_trials; ++trial) {
        uint32_t c = dlm_cursor_below(sel, pop->n);
        double u = dlm_cursor_uniform(sel), f;
        if (!dlm_demes_alive(w, pop, ep, c))
            continue;
        f = dlm_fitness(ep, dlm_evo_evaluate(w, pop, ep, c, play, length, e, &slot, partners,
                                             counts));
        if (u * ep->fitness_max < f) {
            parent = c;
            break;
        }
    }
    if (parent == pop->n) {
        counts->failed_events += 1u;
        return;
    }
    group = parent / n;
    first = group * n;
    s = dlm_demes_size(w, pop, ep, group);
    child = dlm_evo_maybe_mutate(w, ep, w->strategy[pop->agent0 + parent], mut);
    if (s < n) { /* room: the group grows */
        w->strategy[pop->agent0 + first + s] = child;
        dlm_demes_set_size(w, pop, ep, group, s + 1u);
        return;
    }
    if (!dlm_fires(dlm_cursor_word(sel), (uint64_t)ep->payoff_b[0])) { /* a member dies */
        w->strategy[pop->agent0 + first + dlm_cursor_below(sel, n)] = child;
        return;
    }
    /* the group splits; another group is removed */
    other = dlm_cursor_below(sel, m - 1u);
    other = other + (other >= group ? 1u : 0u);
    coins = (uint64_t)dlm_cursor_word(sel) << 32;
    coins = coins | dlm_cursor_word(sel);
    mask = n + 1u >= 64u ? ~(uint64_t)0 : (((uint64_t)1 << (n + 1u)) - 1u);
    coins = coins & mask;
    ones = (uint64_t)dlm_popcount32((uint32_t)coins) + dlm_popcount32((uint32_t)(coins >> 32));
    if (ones == 0u)
        coins = (uint64_t)1 << n;          /* the offspring goes to the other daughter */
    else if (ones == (uint64_t)n + 1u)
        coins = coins & ~((uint64_t)1 << n);
    /* coin 1: to the removed group's places (read before G's places are compacted) */
    moved = 0u;
    for (i = 0; i <= n; ++i)
        if ((coins >> i) & 1u) {
            if (i < n)
                dlm_demes_copy(w, pop, other * n + moved, first + i);
            else
                w->strategy[pop->agent0 + other * n + moved] = child;
            moved++;
        }
    /* coin 0: stays in G, compacted in place (place kept <= i) */
    kept = 0u;
    for (i = 0; i <= n; ++i)
        if (!((coins >> i) & 1u)) {
            if (i < n) {
                if (kept != i)
                    dlm_demes_copy(w, pop, first + kept, first + i);
            } else {
                w->strategy[pop->agent0 + first + kept] = child;
            }
            kept++;
        }
    dlm_demes_fill(w, pop, ep, group, kept);
    dlm_demes_fill(w, pop, ep, other, moved);
}

#endif /* DLM_DEMES_EVENT_H */
