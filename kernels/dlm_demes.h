/* dlm_demes.h — group selection as structure (Traulsen & Nowak 2006, PNAS 103:10952,
 * "Evolution of cooperation by multilevel selection"): a population of m groups (demes)
 * of at most n members. Written once for every backend; included by dlm_evolve.h after
 * the world's types, so that the structure functions (dlm_evo_partner,
 * dlm_evo_partner_count) can ask it who belongs to a group. The event that makes groups
 * grow, split and die is in dlm_demes_event.h.
 *
 * Layout. A population of N = m n places (pop->n). Group G owns places G n .. G n + n - 1;
 * its members are the first s_G of them (1 <= s_G <= n). The sizes live in the world's
 * per-population area `views` from pop->view0, one 32-bit word per group holding the
 * vacancies n - s_G, so that the zero every backend writes there at the start means
 * "every group full" (the model's initial state). Words view0 .. view0 + m - 1 are the
 * demes'; a population that also kept another ledger there would put it after them
 * (the plan refuses demes together with the donation game's views).
 *
 * The empty places of a group hold copies of its members' strategies (place j of a group
 * of s members a copy of member j mod s). A group only loses members when it is full
 * (a death) or when it is split or removed, and a split rewrites both daughters with their
 * copies, so every strategy in an empty place is one some living member of that group
 * holds: the population is monomorphic exactly when its living agents are, and the
 * engine's fixation check needs nothing new. The census leaves empty places out
 * (dlm_evo_present).
 *
 * Parameters (dlm_evo_params, structure DLM_STRUCTURE_DEMES): n in `partners` (what
 * "sampled partners" means for the other well-mixed structure), the split threshold of
 * q in payoff_b[0] (a 32-bit threshold as a double, exact; sides are refused), m = N / n.
 */
#ifndef DLM_DEMES_H
#define DLM_DEMES_H

#define DLM_DEMES_MAX_SIZE 63u /* n + 1 members' coins of a split fit one 64-bit word */

/* m, the groups of a population. */
DLM_FN uint32_t dlm_demes_groups(const dlm_evo_population *pop, const dlm_evo_params *ep)
{
    return pop->n / ep->partners;
}

/* s_G, the members of group G. */
DLM_FN uint32_t dlm_demes_size(const dlm_evo_world *w, const dlm_evo_population *pop,
                               const dlm_evo_params *ep, uint32_t group)
{
    return ep->partners - w->views[pop->view0 + group];
}

DLM_FN void dlm_demes_set_size(const dlm_evo_world *w, const dlm_evo_population *pop,
                               const dlm_evo_params *ep, uint32_t group, uint32_t size)
{
    w->views[pop->view0 + group] = ep->partners - size;
}

/* 1 when place x (population-local) holds a living member of its group. */
DLM_FN uint32_t dlm_demes_alive(const dlm_evo_world *w, const dlm_evo_population *pop,
                                const dlm_evo_params *ep, uint32_t x)
{
    return x % ep->partners < dlm_demes_size(w, pop, ep, x / ep->partners) ? 1u : 0u;
}

/* The k-th other member of x's group (k < s_G - 1): x meets every other member. */
DLM_FN uint32_t dlm_demes_partner(const dlm_evo_params *ep, uint32_t x, uint32_t k)
{
    uint32_t first = x - x % ep->partners, own = x - first;
    return first + k + (k >= own ? 1u : 0u);
}

/* How many others x meets: its group's members less itself. */
DLM_FN uint32_t dlm_demes_partner_count(const dlm_evo_world *w, const dlm_evo_population *pop,
                                        const dlm_evo_params *ep, uint32_t x)
{
    uint32_t s = dlm_demes_size(w, pop, ep, x / ep->partners);
    return s > 0u ? s - 1u : 0u;
}

#endif /* DLM_DEMES_H */
