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
#define DLM_NORM_PRIVATE         0x200u /* private assessment (views in w->views) */
#define DLM_NORM_INSTITUTION     0x400u /* institutional assessment (panel views in w->views) */
#define DLM_NORM_PANEL_BROADCAST 0x800u /* ... its members judge by the broadcast standings */
/* Institutional assessment: the panel size (1..32) in bits 16..23 of the norm word, the
 * quorum (1..panel) in bits 24..31. The norm word: bits 0..7 verdicts, 8 BAD_HELP_BAD,
 * 9 PRIVATE, 10 INSTITUTION, 11 PANEL_BROADCAST, 12 ENCOUNTERS, 13 OWN, 14..15 free,
 * 16..23 panel, 24..31 quorum. */
#define DLM_REP_PANEL(norm)  (((norm) >> 16) & 0xFFu)
#define DLM_REP_QUORUM(norm) (((norm) >> 24) & 0xFFu)

#define DLM_NORM_ENCOUNTERS      0x1000u /* rounds come in encounters (evolution.reputation.repeat) */
#define DLM_NORM_OWN             0x2000u /* some traits carry their own norm (private assessment) */

/* The norm agent o judges and acts by: its trait's own (DLM_ACTION_RULE_OWN_NORM in
 * `depth`: `disc/stern-judging`, private assessment only) with the population's other
 * bits, else the population's. Norms evolve with the traits (selection copies records,
 * mutation within a set of rule/norm traits); an agent judges every donation it observes
 * by its norm, and its own action rule's bit 8 (L1, L2) is its norm's. */
DLM_FN uint32_t dlm_rep_norm_of(const dlm_evo_world *w, const dlm_evo_population *pop,
                                const dlm_evo_params *ep, uint32_t o)
{
    uint32_t d;
    if (!(ep->norm & DLM_NORM_OWN))
        return ep->norm;
    d = w->strategy[pop->agent0 + o].depth;
    return (d & DLM_ACTION_RULE_OWN_NORM) ? (ep->norm & ~0x1FFu) | (d & 0x1FFu) : ep->norm;
}

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

/* Private assessment (norm bit DLM_NORM_PRIVATE). Every agent o holds its own view of
 * every agent t of its population: bit 1 = o thinks t bad (zero, every fresh world, is
 * all good). The views of a population live in w->views from pop->view0 as two N x N bit
 * matrices, the one read in generation g at parity g & 1 and the one written at
 * parity (g + 1) & 1; matrix row t (W = ceil(N / 32) words) holds the views of target t,
 * bit o of it observer o's. So the evaluation of donor x in g writes row x of the next
 * matrix only (its own words: evaluations stay parallel), and every read sees the views
 * at the start of g. Views belong to places, not records: an agent that adopts another
 * strategy keeps the views it holds and the views others hold of it (the imitation
 * picture of the synchronous rules).
 *
 * Per round, with x's action as under public assessment except that x judges recipient
 * y by its own view of y (and its own standing is its view of itself, at the start of g),
 * each agent o of the population observes the donation with probability q (threshold
 * payoff_b[2]) and, if it does, judges x by the norm from (its current view of x, x's
 * action, its view of y at the start of g), assigning the wrong verdict with the
 * assessment error; an observer that did not observe keeps its view. Its draws are one
 * Philox block keyed by (population, generation, donor x, observer o, round r): stream
 * REPUTATION (p, g), block (x << 30) + 2^29 + o * rounds + r (the plan keeps
 * N * rounds < 2^29), words: observes, assessment error, perception error (the
 * observer misreads the action: threshold payoff_b[3]), empathy (the observer judges
 * with the donor's view of the recipient instead of its own: threshold in `sigma`, which
 * the donation game's set mutation does not use). The donor's own window (above) is drawn
 * as under public assessment, word for word. Under public assessment the one observer
 * misreads the action of round r when word 0 of block (x << 30) + 2^28 + r fires the
 * perception error (a block apart from the donor's window; empathy means nothing there).
 * The census reads the good fraction as the mean of the views (dlm_rep_good_views). */
DLM_FN uint32_t dlm_popcount32(uint32_t v)
{
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    return (((v + (v >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24;
}

DLM_FN uint64_t dlm_rep_row(const dlm_evo_population *pop, uint64_t parity, uint32_t t)
{
    uint64_t words = ((uint64_t)pop->n + 31u) >> 5;
    return pop->view0 + (parity & 1u) * (uint64_t)pop->n * words + (uint64_t)t * words;
}

/* 1 when observer o holds target t bad at the start of generation g. */
DLM_FN uint32_t dlm_rep_view_bad(const dlm_evo_world *w, const dlm_evo_population *pop,
                                 uint64_t g, uint32_t o, uint32_t t)
{
    return (w->views[dlm_rep_row(pop, g, t) + (o >> 5)] >> (o & 31u)) & 1u;
}

/* The number of agents that hold local agent t good at the start of generation g. */
DLM_FN uint32_t dlm_rep_good_views(const dlm_evo_world *w, const dlm_evo_population *pop,
                                   uint64_t g, uint32_t t)
{
    uint64_t row = dlm_rep_row(pop, g, t), words = ((uint64_t)pop->n + 31u) >> 5, i;
    uint32_t bad = 0u;
    for (i = 0; i < words; ++i)
        bad += dlm_popcount32(w->views[row + i]);
    return pop->n - bad;
}

/* Private assessment of donor x's round r in generation g (write = 1 only): every
 * observer's verdict into row x of the next matrix (which the evaluation first filled
 * with the views at the start of g). */
DLM_FN void dlm_rep_observe(const dlm_evo_world *w, const dlm_evo_population *pop,
                            const dlm_evo_params *ep, uint64_t g, uint32_t x, uint32_t y,
                            uint32_t help, uint32_t r)
{
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_REPUTATION, pop->id, g);
    uint64_t next = dlm_rep_row(pop, g + 1u, x), base = ((uint64_t)x << 30) + (1ull << 29);
    uint64_t observe = (uint64_t)ep->payoff_b[2], assessment = (uint64_t)ep->payoff_b[1];
    uint64_t perception = (uint64_t)ep->payoff_b[3], empathy = (uint64_t)ep->sigma;
    uint32_t o, rounds = ep->rules.rounds, donor_view = dlm_rep_view_bad(w, pop, g, x, y);
    for (o = 0; o < pop->n; ++o) {
        dlm_u32x4 d = dlm_philox_block(pop->seed, stream, base + (uint64_t)o * rounds + r);
        uint32_t mask = 1u << (o & 31u), donor_bad, verdict, seen = help, bad_y;
        if (!dlm_fires(d.v[0], observe))
            continue;
        donor_bad = (w->views[next + (o >> 5)] & mask) ? 1u : 0u;
        if (dlm_fires(d.v[2], perception))
            seen ^= 1u;
        bad_y = dlm_fires(d.v[3], empathy) ? donor_view : dlm_rep_view_bad(w, pop, g, o, y);
        verdict = dlm_rep_verdict(dlm_rep_norm_of(w, pop, ep, o), donor_bad, seen, bad_y);
        if (dlm_fires(d.v[1], assessment))
            verdict ^= 1u;
        if (verdict)
            w->views[next + (o >> 5)] &= ~mask;
        else
            w->views[next + (o >> 5)] |= mask;
    }
}

/* Public assessment: 1 when the observer misreads donor x's action of round r in g. */
DLM_FN uint32_t dlm_rep_misread(const dlm_evo_population *pop, const dlm_evo_params *ep,
                                uint64_t g, uint32_t x, uint32_t r)
{
    uint64_t perception = (uint64_t)ep->payoff_b[3];
    uint64_t block = ((uint64_t)x << 30) + (1ull << 28) + r;
    if (perception == 0u || (ep->norm & (DLM_NORM_PRIVATE | DLM_NORM_INSTITUTION)))
        return 0u;
    return dlm_fires(dlm_philox_block(pop->seed, dlm_stream_id(DLM_PURPOSE_REPUTATION, pop->id, g),
                                      block).v[0], perception);
}

/* Institutional assessment (norm bit DLM_NORM_INSTITUTION; Radzvilavicius, Kessinger &
 * Plotkin 2021, Nat. Commun. 12:3567). An institution of P panel members (P = panel,
 * 1..32, not agents of the population) judges every donation and broadcasts one public
 * standing per agent, by a quorum rule: t is good when at least Q (quorum) members hold
 * t good.
 *
 * A panel member's private view. In the paper the institution's members are observers
 * like the private assessors of Radzvilavicius, Stewart & Plotkin 2019: each member keeps
 * its own view of every individual, formed by its own observations of that individual's
 * donations and judged by the institution's norm against the member's OWN view of the
 * recipient, with its own errors; the institution does not pool the members' views, it
 * only counts their verdicts on the donor and broadcasts the quorum's outcome, which
 * every individual adopts. Here (the tractable version): member k's view of t is bit k of
 * a 32-bit word per agent, two words per agent (parity, as the private views), so the
 * memory is 2 N words per population (planned before the run); every member observes
 * every donation (the paper's members each sample the donor's interactions; here they
 * all see the same ones, so their views differ only by their errors and by what they
 * thought of the recipients); member k judges donor x's round r from (its current view
 * of x, x's action, its view of the recipient y at the start of g) by the norm,
 * misreading the action with the perception error and assigning the wrong verdict with
 * the assessment error, each drawn for itself: Philox block (x << 30) + 2^29 + k rounds
 * + r of stream REPUTATION (p, g) (the private observers' blocks; the two kinds never
 * meet), words 1 (assessment) and 2 (perception). Agents act on the broadcast standing
 * at the start of g: a donor judges its recipient and itself by it. The other reading
 * (DLM_NORM_PANEL_BROADCAST, `panel_views: broadcast`): members judge by the broadcast
 * standings at the start of g, of the recipient and (third-order norms) of the donor,
 * instead of their own views; their verdicts then differ only by their own errors.
 * Adherence (agents
 * that ignore the institution and keep private views, the paper's other axis) is not
 * modelled: everyone adheres. The census reads the broadcast standing, and its agreement
 * statistic is the agreement among the panel members. */
DLM_FN uint64_t dlm_rep_panel_row(const dlm_evo_population *pop, uint64_t parity, uint32_t t)
{
    return pop->view0 + (parity & 1u) * (uint64_t)pop->n + t;
}

/* The broadcast standing (1 = bad) of t at the start of g: fewer than quorum members
 * hold it good. */
DLM_FN uint32_t dlm_rep_panel_bad(const dlm_evo_world *w, const dlm_evo_population *pop,
                                  const dlm_evo_params *ep, uint64_t g, uint32_t t)
{
    uint32_t panel = DLM_REP_PANEL(ep->norm);
    uint32_t mask = panel >= 32u ? 0xFFFFFFFFu : (1u << panel) - 1u;
    uint32_t good = panel - dlm_popcount32(w->views[dlm_rep_panel_row(pop, g, t)] & mask);
    return good < DLM_REP_QUORUM(ep->norm) ? 1u : 0u;
}

/* Institutional assessment of donor x's round r in generation g (write = 1 only): every
 * member's verdict into x's word of the next parity. */
DLM_FN void dlm_rep_panel_observe(const dlm_evo_world *w, const dlm_evo_population *pop,
                                  const dlm_evo_params *ep, uint64_t g, uint32_t x,
                                  uint32_t y, uint32_t help, uint32_t r)
{
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_REPUTATION, pop->id, g);
    uint64_t next = dlm_rep_panel_row(pop, g + 1u, x), base = ((uint64_t)x << 30) + (1ull << 29);
    uint64_t assessment = (uint64_t)ep->payoff_b[1], perception = (uint64_t)ep->payoff_b[3];
    uint32_t k, rounds = ep->rules.rounds, panel = DLM_REP_PANEL(ep->norm);
    uint32_t shared = (ep->norm & DLM_NORM_PANEL_BROADCAST) ? 1u : 0u;
    uint32_t of_y = shared ? 0u - dlm_rep_panel_bad(w, pop, ep, g, y)
                           : w->views[dlm_rep_panel_row(pop, g, y)];
    uint32_t of_x = 0u - dlm_rep_panel_bad(w, pop, ep, g, x); /* shared: the broadcast */
    for (k = 0; k < panel; ++k) {
        dlm_u32x4 d = dlm_philox_block(pop->seed, stream, base + (uint64_t)k * rounds + r);
        uint32_t mask = 1u << k, seen = help, verdict;
        if (dlm_fires(d.v[2], perception))
            seen ^= 1u;
        verdict = dlm_rep_verdict(ep->norm, ((shared ? of_x : w->views[next]) & mask) ? 1u : 0u,
                                  seen, (of_y & mask) ? 1u : 0u);
        if (dlm_fires(d.v[1], assessment))
            verdict ^= 1u;
        if (verdict)
            w->views[next] &= ~mask;
        else
            w->views[next] |= mask;
    }
}

/* Standing of t in the eyes of o at the start of g: the public word's, or o's view. */
DLM_FN uint32_t dlm_rep_bad(const dlm_evo_world *w, const dlm_evo_population *pop,
                            const dlm_evo_params *ep, uint64_t g, uint32_t o, uint32_t t)
{
    if (ep->norm & DLM_NORM_PRIVATE)
        return dlm_rep_view_bad(w, pop, g, o, t);
    if (ep->norm & DLM_NORM_INSTITUTION)
        return dlm_rep_panel_bad(w, pop, ep, g, t);
    return dlm_rep_bad_at(w->strategy[pop->agent0 + t].fsm_output, g);
}

/* Asynchronous rules (moran-bd, moran-db, fermi). A generation is still n events, and
 * the reputations move on the generation clock, as under the synchronous rules: the
 * generation's first event begins with the assessment step (dlm_rep_generation_start),
 * which runs every agent's donations of the generation once, in agent order, and writes
 * the standings (public), views (private) or panel views (institutional) at its end: exactly what the synchronous
 * rules' evaluations write, with the same REPUTATION draws. The events' evaluations then
 * only read (they see the standings at the generation's start, as the census does): the
 * payoff of x at an event is its rounds of the generation (REPUTATION window x), re-scored
 * against the rules the population holds at that moment. So an agent's standing never
 * depends on whether or how often selection happened to evaluate it, and every backend
 * runs the step inside the event loop it already has (it is event 0's first work; the
 * host never splits a generation before event 0). An offspring takes its parent's record
 * (public: its standing word, as under the synchronous rules); private views stay with
 * places. */
DLM_FN uint32_t dlm_rep_asynchronous(const dlm_evo_params *ep)
{
    return ep->rule == DLM_RULE_MORAN_BD || ep->rule == DLM_RULE_MORAN_DB ||
                   ep->rule == DLM_RULE_FERMI
               ? 1u
               : 0u;
}

/* 1 when the evaluation with this play stream writes standings: the synchronous rules'
 * (purpose MATCH_PLAY), or the asynchronous rules' assessment step (purpose REPUTATION);
 * never a census, never an asynchronous event. */
DLM_FN uint32_t dlm_rep_writes(const dlm_evo_params *ep, uint64_t play_stream)
{
    uint32_t purpose = (uint32_t)(play_stream >> 60);
    if (purpose == DLM_PURPOSE_REPUTATION)
        return 1u;
    return purpose == DLM_PURPOSE_MATCH_PLAY && !dlm_rep_asynchronous(ep) ? 1u : 0u;
}

/* Direct and indirect reciprocity in one population (issue #14, item 5; norm bit
 * DLM_NORM_ENCOUNTERS, set by evolution.reputation.repeat). The rounds of an evaluation
 * come in encounters: round 0 draws a partner y as the structure draws one; each later
 * round keeps y with probability `repeat` (threshold in rules.continuation, which the
 * donation game's fixed lengths leave unused) and draws a new one otherwise. In each
 * round x and y both act, a simultaneous round of the donation game (a prisoner's dilemma
 * with R = b - c, S = -c, T = b, P = 0): x pays c for its help and earns b for y's. x's
 * act is a donation to y, assessed as every donation (norm, errors, public, private or
 * institutional observers: dlm_rep_panel_observe, as in dlm_rep_payoff's rounds); y's
 * act in x's evaluation is not (its own evaluation assesses its acts).
 * Action rules act as before (allc, alld, disc by the standing at the generation's
 * start); an IPD rule (DLM_ACTION_M1, the memory-one vector in threshold[], from tft, wsls,
 * gtft, m1(...)) plays its vector within the encounter: its first move by threshold[0],
 * later ones by the realised moves of the previous round (own << 1 | partner's, C = 0).
 * Two modifiers condition it on standing (Roberts 2008, Proc. R. Soc. B 275:173, whose
 * strategies use direct experience where they have it and reputation otherwise):
 * DLM_ACTION_GOOD_FIRST (`tft@good`): its first move is C exactly to a partner in good
 * standing; DLM_ACTION_SHUN_BAD (`tft@shun`): it defects against a partner in bad
 * standing at every move. Random numbers: x's REPUTATION window, per round in this order:
 * the repeat word, the partner (when a new one is drawn), x's move word, y's move word,
 * x's execution word, y's, the assessment word. */
#define DLM_ACTION_M1 DLM_ACTION_RULE_M1                 /* an IPD rule in encounters */
#define DLM_ACTION_GOOD_FIRST DLM_ACTION_RULE_GOOD_FIRST /* first move: C iff partner good */
#define DLM_ACTION_SHUN_BAD DLM_ACTION_RULE_SHUN_BAD     /* D against a partner in bad standing */
#define DLM_ACTION_MASK 0xFu        /* the rule in `opening`; the modifiers above it */

/* 1 when an agent of strategy s (an action rule) intends to help in an encounter: first
 * (its first round), own and opp (the realised moves of the previous round, 1 = help),
 * bad (the partner's standing in its eyes), donor_bad (its own), u (a uniform word). */
DLM_FN uint32_t dlm_rep_encounter_intends(DLM_CONST dlm_strategy *s, uint32_t norm,
                                          uint32_t donor_bad, uint32_t bad, uint32_t first,
                                          uint32_t own, uint32_t opp, uint32_t u)
{
    uint32_t rule = s->opening & DLM_ACTION_MASK, index;
    if (rule != DLM_ACTION_M1)
        return dlm_rep_intends(rule, norm, donor_bad, bad);
    if ((s->opening & DLM_ACTION_SHUN_BAD) && bad)
        return 0u;
    if (first && (s->opening & DLM_ACTION_GOOD_FIRST))
        return bad ? 0u : 1u;
    if (first)
        return dlm_fires(u, s->threshold[0]);
    index = ((own ? 0u : 1u) << 1) | (opp ? 0u : 1u);
    return dlm_fires(u, s->threshold[1u + index]);
}

/* The payoff of x's encounters in generation g (write: the evaluation assesses; play_stream:
 * the evaluation's, for the referee). */
DLM_FN double dlm_rep_encounters(const dlm_evo_world *w, const dlm_evo_population *pop,
                                 const dlm_evo_params *ep, uint32_t x, uint64_t g,
                                 uint64_t play_stream, uint32_t write, dlm_evo_counts *counts)
{
    uint32_t priv = (ep->norm & DLM_NORM_PRIVATE) ? 1u : 0u;
    uint32_t inst = (ep->norm & DLM_NORM_INSTITUTION) ? 1u : 0u;
    DLM_GLOBAL dlm_strategy *agents = w->strategy + pop->agent0;
    dlm_cursor c = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_REPUTATION, pop->id, g), x);
    uint64_t execution = (uint64_t)ep->payoff_b[0], assessment = (uint64_t)ep->payoff_b[1];
    uint32_t count = dlm_evo_partner_count(w, pop, ep, x), rounds = ep->rules.rounds;
    uint32_t bad = dlm_rep_bad(w, pop, ep, g, x, x), bad_end = bad, y = 0u, bad_y = 0u;
    uint32_t bad_x = 0u, y_bad = 0u, given = 0u, received = 0u, encounters = 0u, r;
    uint32_t own = 1u, opp = 1u, first = 1u;
    uint32_t referee = dlm_referee_on(ep), excluded = 0u, out = 0u, played = 0u;
    uint64_t transfer = 0u; /* the referee's, micro-units (dlm_referee_donation) */
    double total;
    for (r = 0; r < rounds; ++r) {
        uint32_t again = dlm_fires(dlm_cursor_word(&c), ep->rules.continuation) && r > 0u;
        uint32_t ux, uy, hx, hy, verdict;
        if (!again) {
            y = dlm_rep_partner(w, pop, ep, x, count, &c);
            bad_y = dlm_rep_bad(w, pop, ep, g, x, y); /* y in x's eyes */
            bad_x = dlm_rep_bad(w, pop, ep, g, y, x); /* x in y's eyes */
            y_bad = dlm_rep_bad(w, pop, ep, g, y, y); /* y's own standing */
            first = 1u;
            encounters += 1u;
        }
        ux = dlm_cursor_word(&c);
        uy = dlm_cursor_word(&c);
        hx = dlm_rep_encounter_intends(&agents[x], dlm_rep_norm_of(w, pop, ep, x),
                                       priv | inst ? bad : bad_end, bad_y, first, own, opp, ux);
        hy = dlm_rep_encounter_intends(&agents[y], dlm_rep_norm_of(w, pop, ep, y), y_bad, bad_x,
                                       first, opp, own, uy);
        if (dlm_fires(dlm_cursor_word(&c), execution))
            hx = 0u;
        if (dlm_fires(dlm_cursor_word(&c), execution))
            hy = 0u;
        verdict = dlm_rep_verdict(ep->norm, bad_end, hx ^ dlm_rep_misread(pop, ep, g, x, r), bad_y);
        if (dlm_fires(dlm_cursor_word(&c), assessment))
            verdict ^= 1u;
        if (referee) /* a round sat out (dlm_referee.h): neither acts, the encounter waits */
            out = dlm_referee_donation_out(w, pop, ep, x, write, &excluded);
        if (out)
            continue;
        bad_end = verdict ? 0u : 1u;
        if (priv && write)
            dlm_rep_observe(w, pop, ep, g, x, y, hx, r);
        if (inst && write)
            dlm_rep_panel_observe(w, pop, ep, g, x, y, hx, r);
        given += hx;
        received += hy;
        played += 1u;
        if (referee)
            transfer += dlm_referee_donation(w, pop, ep, play_stream, x, r, hx, write, &excluded);
        own = hx;
        opp = hy;
        first = 0u;
    }
    if (write && !priv && !inst)
        agents[x].fsm_output = ((uint32_t)(g & 0x3FFFFFFFu) << 2) | (bad << 1) | bad_end;
    counts->cooperations += given;
    counts->moves += played;
    counts->matches += encounters;
    total = ep->payoff[2] * (double)received + ep->payoff[1] * (double)given;
    if (referee)
        total = total + dlm_referee_amount(transfer);
    return ep->accumulate ? total : total / (double)rounds;
}

/* DLM_INTERACTION_DONATION: the payoff of local agent x in the evaluation whose play
 * stream is play_stream (its generation and purpose say g and whether to write). */
DLM_FN double dlm_rep_payoff(const dlm_evo_world *w, const dlm_evo_population *pop,
                             const dlm_evo_params *ep, uint32_t x, uint64_t play_stream,
                             dlm_evo_counts *counts)
{
    uint64_t g = play_stream & 0xFFFFFFFFFFull;
    uint32_t write = dlm_rep_writes(ep, play_stream);
    uint32_t priv = (ep->norm & DLM_NORM_PRIVATE) ? 1u : 0u;
    uint32_t inst = (ep->norm & DLM_NORM_INSTITUTION) ? 1u : 0u;
    DLM_GLOBAL dlm_strategy *agents = w->strategy + pop->agent0;
    dlm_cursor c = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_REPUTATION, pop->id, g), x);
    uint64_t execution = (uint64_t)ep->payoff_b[0], assessment = (uint64_t)ep->payoff_b[1];
    uint32_t count = dlm_evo_partner_count(w, pop, ep, x), rounds = ep->rules.rounds;
    uint32_t rule = agents[x].opening, bad = dlm_rep_bad(w, pop, ep, g, x, x);
    uint32_t bad_end = bad, given = 0u, received = 0u, r;
    uint32_t referee = dlm_referee_on(ep), excluded = 0u, out = 0u, played = 0u;
    uint64_t transfer = 0u; /* the referee's, micro-units (dlm_referee_donation) */
    double total;
    if (count == 0u || rounds == 0u)
        return 0.0;
    if (priv && write) { /* the views of x carry over unless observed */
        uint64_t from = dlm_rep_row(pop, g, x), to = dlm_rep_row(pop, g + 1u, x), i;
        for (i = 0; i < (((uint64_t)pop->n + 31u) >> 5); ++i)
            w->views[to + i] = w->views[from + i];
    }
    if (inst && write) /* the panel's views of x carry over unless it judges again */
        w->views[dlm_rep_panel_row(pop, g + 1u, x)] = w->views[dlm_rep_panel_row(pop, g, x)];
    if (ep->norm & DLM_NORM_ENCOUNTERS)
        return dlm_rep_encounters(w, pop, ep, x, g, play_stream, write, counts);
    for (r = 0; r < rounds; ++r) {
        uint32_t y = dlm_rep_partner(w, pop, ep, x, count, &c), z;
        uint32_t bad_y = dlm_rep_bad(w, pop, ep, g, x, y);
        uint32_t help = dlm_rep_intends(rule, dlm_rep_norm_of(w, pop, ep, x),
                                        priv | inst ? bad : bad_end, bad_y);
        uint32_t verdict;
        if (dlm_fires(dlm_cursor_word(&c), execution))
            help = 0u;
        verdict = dlm_rep_verdict(ep->norm, bad_end, help ^ dlm_rep_misread(pop, ep, g, x, r),
                                  bad_y);
        if (dlm_fires(dlm_cursor_word(&c), assessment))
            verdict ^= 1u;
        if (referee) /* a round sat out (dlm_referee.h): no donation, nothing received */
            out = dlm_referee_donation_out(w, pop, ep, x, write, &excluded);
        if (!out) {
            bad_end = verdict ? 0u : 1u;
            if (priv && write)
                dlm_rep_observe(w, pop, ep, g, x, y, help, r);
            if (inst && write)
                dlm_rep_panel_observe(w, pop, ep, g, x, y, help, r);
            given += help;
            played += 1u;
            if (referee)
                transfer += dlm_referee_donation(w, pop, ep, play_stream, x, r, help, write, &excluded);
        }
        z = dlm_rep_partner(w, pop, ep, x, count, &c);
        help = dlm_rep_intends(agents[z].opening, dlm_rep_norm_of(w, pop, ep, z),
                               dlm_rep_bad(w, pop, ep, g, z, z),
                               dlm_rep_bad(w, pop, ep, g, z, x));
        if (dlm_fires(dlm_cursor_word(&c), execution))
            help = 0u;
        if (!out)
            received += help;
    }
    if (write && !priv && !inst)
        agents[x].fsm_output = ((uint32_t)(g & 0x3FFFFFFFu) << 2) | (bad << 1) | bad_end;
    counts->cooperations += given;
    counts->moves += played;
    counts->matches += rounds;
    total = ep->payoff[2] * (double)received + ep->payoff[1] * (double)given;
    if (referee)
        total = total + dlm_referee_amount(transfer);
    return ep->accumulate ? total : total / (double)rounds;
}

/* The asynchronous rules' assessment step of generation g (see dlm_rep_asynchronous):
 * every agent's donations, in agent order, writing the standings at the end of g. */
DLM_FN void dlm_rep_generation_start(const dlm_evo_world *w, const dlm_evo_population *pop,
                                     const dlm_evo_params *ep, uint64_t g)
{
    uint64_t stream = dlm_stream_id(DLM_PURPOSE_REPUTATION, pop->id, g);
    dlm_evo_counts none;
    uint32_t x;
    none.cooperations = none.moves = none.matches = none.failed_events = 0u;
    for (x = 0; x < pop->n; ++x)
        (void)dlm_rep_payoff(w, pop, ep, x, stream, &none);
}

#endif /* DLM_REPUTATION_H */
