/* dlm_reputation.h — the donation game with reputations (DLM_INTERACTION_DONATION,
 * DESIGN.md section 11, docs/interactions.md), written once for every backend. Included
 * by dlm_evolve.h after the structure functions (dlm_evo_partner, dlm_evo_partner_count),
 * which it uses; dlm_evo_evaluate is its only caller.
 *
 * Traits. An action rule is a dlm_strategy of kind DLM_STRAT_ACTION_RULE: `opening` holds
 * the rule (DLM_ACTION_ALLC: always help; _ALLD: never; _DISC: help recipients in good
 * standing), and `fsm_output` holds the agent's standing word (below). dlm_strategy_equal
 * compares the rule only, so census abundances and fixation ignore standings.
 *
 * Standing (public assessment: one observer's verdict, shared by all). The standing word
 * of an agent: bit 0 = bad at the end of generation s, bit 1 = bad at the start of
 * generation s, bits 2..31 = s mod 2^30. Zero (every fresh record) is good. The standing
 * of an agent at the start of generation g is bit 1 when s = g, else bit 0: so reading
 * never depends on whether the agent has already been evaluated in g, and evaluations of
 * one generation (run in parallel) all see the standings of its start.
 * Selection copies a record whole: an offspring inherits its parent's standing; a mutant
 * from the mutation set starts good.
 *
 * Evaluation of local agent x in generation g (rounds = ep->rules.rounds). In each round
 *   1. x is donor: a recipient y is drawn as the structure draws a partner (well-mixed: a
 *      uniform other agent; graph: a uniform neighbour); x intends to help by its rule and
 *      y's standing; an intended help fails with the execution error; the observer
 *      assesses x by the norm from (x's action, y's standing) and assigns the wrong
 *      standing with the assessment error;
 *   2. x is recipient: a donor z is drawn the same way and helps x by z's rule and x's
 *      standing (execution error as above).
 * x pays c per help given and earns b per help received; its payoff is the mean per round
 * (accumulate: total, the sum). Like the matches of the game kind, the other side of an
 * interaction is not credited to the partner. x's standing at the end of g is the verdict
 * on its last donation; it is written (one 32-bit store into x's own record) only by the
 * evaluations of the update rule (play stream of purpose MATCH_PLAY), never by a census,
 * and every such evaluation of x in g writes the same word.
 *
 * Norms (up to third order): bits 0..7 of ep->norm are the verdicts (1 = good) written
 * MSB first as 0b GGGG BBBB: a good donor's (C to good, D to good, C to bad, D to bad),
 * then a bad donor's; a second-order norm 0bABCD is 0bABCDABCD: image scoring 0xAA,
 * simple standing 0xBB, stern judging 0x99, shunning 0x88. Bit 8 set: a discriminator in
 * bad standing helps a recipient in bad standing (the action rule of the leading eight
 * L1 and L2, Ohtsuki & Iwasa 2004); otherwise a discriminator helps exactly the good.
 * A donor's own standing, for its action and its assessment, is its current one (after
 * its earlier donations of the evaluation).
 *
 * Parameters (dlm_evo_params, no new field but norm, which took the place of padding):
 * b = payoff[2] (T of the donation preset), c = -payoff[1] (-S); the thresholds
 * round(p 2^32) of the execution error in payoff_b[0] and of the assessment error in
 * payoff_b[1] (side B's matrix, which the donation game does not use; a threshold, at
 * most 2^32, is exact in a double), computed once on the host; norm = norm.
 *
 * Random numbers: REPUTATION (p, g) window x, per round in this order: the recipient (the
 * structure's draws), the execution word, the assessment word, the donor, its execution
 * word. A fixed number of words per round whatever happens, so every backend (and the
 * census) draws the same numbers for the same evaluation.
 */
#ifndef DLM_REPUTATION_H
#define DLM_REPUTATION_H

#define DLM_ACTION_ALLC 0u /* always help */
#define DLM_ACTION_ALLD 1u /* never help */
#define DLM_ACTION_DISC 2u /* help recipients in good standing */

#define DLM_NORM_IMAGE_SCORING   0xAAu
#define DLM_NORM_SIMPLE_STANDING 0xBBu
#define DLM_NORM_STERN_JUDGING   0x99u
#define DLM_NORM_SHUNNING        0x88u
#define DLM_NORM_BAD_HELP_BAD    0x100u /* the action rule's p(bad donor, bad recipient) = C */

/* 1 when the standing word says bad at the start of generation g. */
DLM_FN uint32_t dlm_rep_bad_at(uint32_t word, uint64_t g)
{
    return (word >> 2) == (uint32_t)(g & 0x3FFFFFFFu) ? (word >> 1) & 1u : word & 1u;
}

/* 1 when strategy s is an action rule in good standing at the start of generation g
 * (what the census counts). */
DLM_FN uint32_t dlm_rep_good(const dlm_strategy *s, uint64_t g)
{
    return s->kind == DLM_STRAT_ACTION_RULE && !dlm_rep_bad_at(s->fsm_output, g) ? 1u : 0u;
}

/* 1 when an agent of rule `rule` and standing donor_bad intends to help a recipient of
 * standing bad (1 = bad) under norm (whose bit 8 says what a bad discriminator does to a
 * bad recipient). */
DLM_FN uint32_t dlm_rep_intends(uint32_t rule, uint32_t norm, uint32_t donor_bad, uint32_t bad)
{
    if (rule == DLM_ACTION_ALLC)
        return 1u;
    if (rule != DLM_ACTION_DISC)
        return 0u;
    return bad == 0u || (donor_bad && (norm & DLM_NORM_BAD_HELP_BAD)) ? 1u : 0u;
}

/* The norm's verdict (1 = good) on a donor of standing donor_bad who helped (1) or not a
 * recipient of standing bad (1 = bad). */
DLM_FN uint32_t dlm_rep_verdict(uint32_t norm, uint32_t donor_bad, uint32_t helped, uint32_t bad)
{
    uint32_t index = (donor_bad << 2) | (bad << 1) | (helped ? 0u : 1u);
    return (norm >> (7u - index)) & 1u;
}

/* A partner of x drawn by the structure: a uniform one of its dlm_evo_partner_count. */
DLM_FN uint32_t dlm_rep_partner(const dlm_evo_world *w, const dlm_evo_population *pop,
                                const dlm_evo_params *ep, uint32_t x, uint32_t count,
                                dlm_cursor *c)
{
    uint32_t k = dlm_cursor_below(c, count);
    return dlm_evo_partner(w, pop, ep, x, k, c);
}

/* DLM_INTERACTION_DONATION: the payoff of local agent x in the evaluation whose play
 * stream is play_stream (its generation and purpose say g and whether to write). */
DLM_FN double dlm_rep_payoff(const dlm_evo_world *w, const dlm_evo_population *pop,
                             const dlm_evo_params *ep, uint32_t x, uint64_t play_stream,
                             dlm_evo_counts *counts)
{
    uint64_t g = play_stream & 0xFFFFFFFFFFull;
    uint32_t write = (uint32_t)(play_stream >> 60) == DLM_PURPOSE_MATCH_PLAY ? 1u : 0u;
    DLM_GLOBAL dlm_strategy *agents = w->strategy + pop->agent0;
    dlm_cursor c = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_REPUTATION, pop->id, g), x);
    uint64_t execution = (uint64_t)ep->payoff_b[0], assessment = (uint64_t)ep->payoff_b[1];
    uint32_t count = dlm_evo_partner_count(w, pop, ep, x), rounds = ep->rules.rounds;
    uint32_t rule = agents[x].opening, bad = dlm_rep_bad_at(agents[x].fsm_output, g);
    uint32_t bad_end = bad, given = 0u, received = 0u, r;
    double total;
    if (count == 0u || rounds == 0u)
        return 0.0;
    for (r = 0; r < rounds; ++r) {
        uint32_t y = dlm_rep_partner(w, pop, ep, x, count, &c), z;
        uint32_t bad_y = dlm_rep_bad_at(agents[y].fsm_output, g);
        uint32_t help = dlm_rep_intends(rule, ep->norm, bad_end, bad_y);
        uint32_t verdict;
        if (dlm_fires(dlm_cursor_word(&c), execution))
            help = 0u;
        verdict = dlm_rep_verdict(ep->norm, bad_end, help, bad_y);
        if (dlm_fires(dlm_cursor_word(&c), assessment))
            verdict ^= 1u;
        bad_end = verdict ? 0u : 1u;
        given += help;
        z = dlm_rep_partner(w, pop, ep, x, count, &c);
        help = dlm_rep_intends(agents[z].opening, ep->norm,
                               dlm_rep_bad_at(agents[z].fsm_output, g), bad);
        if (dlm_fires(dlm_cursor_word(&c), execution))
            help = 0u;
        received += help;
    }
    if (write)
        agents[x].fsm_output = ((uint32_t)(g & 0x3FFFFFFFu) << 2) | (bad << 1) | bad_end;
    counts->cooperations += given;
    counts->moves += rounds;
    counts->matches += rounds;
    total = ep->payoff[2] * (double)received + ep->payoff[1] * (double)given;
    return ep->accumulate ? total : total / (double)rounds;
}

#endif /* DLM_REPUTATION_H */
