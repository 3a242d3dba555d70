/* dlm_referee.h — the institution inside the evolution engine (issue #16, items 1, 2 and
 * 7): a referee that audits interactions, fines judged defection, subsidises judged
 * cooperation, misjudges with errors, excludes the convicted from their next k
 * interactions, and pays for its audits from a budget. Written once for every backend;
 * included by dlm_evolve.h after dlm_evo_play_match, used by the iterated 2x2 game's
 * payoff (dlm_evo_game2_payoff) and by dlm_evo_generation_start. docs/decisions.md
 * ("Institutions, second slice") says why it is built this way.
 *
 * Not a kind of interaction but a layer over one: a run has a referee when params.costs
 * has the bit DLM_COSTS_REFEREE. Its parameters are a block of DLM_REFEREE_DOUBLES doubles
 * just before the parameter set's exact area, world->exact[exact_offset - 16 ..
 * exact_offset - 1] (host/plan/referee_plan.c puts them there; dlm_evo_params keeps its
 * 208 bytes). Every value in it is an integer held exactly by a double:
 *
 *   [0]  audit threshold  round(q 2^32): a match is audited with probability q
 *   [1]  false-accusation threshold  (e1: an audited C move judged D)
 *   [2]  missed-detection threshold  (e2: an audited D move judged C)
 *   [3]  fine F per move judged D, in micro-units (10^-6 of a payoff unit)
 *   [4]  subsidy s per move judged C, micro-units
 *   [5]  audit cost a per audit, micro-units
 *   [6]  tax per agent per generation, micro-units
 *   [7]  initial budget, micro-units
 *   [8]  1: the budget limits the audits (institution.budget given); 0: unlimited
 *   [9]  exclusion k: a convicted agent sits out its next k matches of the evaluation
 *   [10] the ledger's first word, counted from the population's view0
 *   [11] synchronous rules: the first word of the per-agent slots, counted from view0
 *   [12 .. 15] zero (room for other layers)
 *
 * The ledger: DLM_LEDGER_WORDS 32-bit words per population in world->views, after the
 * donation game's views (none in the 2x2 game), zero at the start (every backend zeroes
 * views). Eight 64-bit fields, low word first, in micro-units or counts:
 *   budget, taxes, fines, subsidies, audit_costs, audits, exclusions, false_accusations
 * then a flags word (bit 0: opened, bit 1: auditing this generation) and the number of
 * generations audited. Amounts are two's complement sums modulo 2^64 (the budget may go
 * below zero: an audit already decided is paid), so budget = initial + taxes + fines -
 * subsidies - audit_costs holds exactly, on every backend (tests/test_referee_cli.sh).
 *
 * A generation: at its start (dlm_referee_generation_start, from dlm_evo_generation_start at
 * event 0) the referee opens the ledger with the initial budget once, collects the tax from
 * every agent (budget += n tax) and decides whether it audits this generation: always
 * when unlimited, else when the budget is above zero. The decision holds for the whole
 * generation, so every evaluation of it sees the same referee whatever the order.
 *
 * An audit, per match of an evaluation of x (the 2x2 game: x's moves of the match): word 0
 * of the match's institution block decides it (q); then each of x's C moves is judged D
 * with e1 (one word each, only when e1 > 0), each D move is judged C with e2 (likewise,
 * after the C moves). x pays F per move judged D and receives s per move judged C, per
 * round of the match: the expected transfer per act is analyze's t_C = q[(1 - e1)s - e1 F],
 * t_D = q[e2 s - (1 - e2) F] (run/analyze_game.h), so the break-even fine of the exact
 * analysis applies to evolving populations. A match with at least one move judged D
 * convicts x: with exclusion k, x sits out its next k matches of this evaluation (no
 * match is played, x earns 0 there, the partner is spared; the partner and the slot are
 * still drawn, so the later matches keep their numbers).
 *
 * Random numbers (DESIGN.md §3): purpose INSTITUTION (an update rule's evaluations) or
 * CENSUS_INSTITUTION (the census's), population, generation; the match in slot j of window
 * e reads from block (e << 30) + j * dlm_match_blocks(rules), the match's own blocks in
 * its own stream (a match of r rounds has 8 r words there; an audit needs 1 + r).
 *
 * Group games (dlm_group.h): the audit is per group game of the evaluation, of x's acts in
 * it: contributions (C) and refusals (D) in the public goods and collective-risk games; in
 * the level games (commons, escalation) each unit of level a round is an act of defection
 * (hoarding, arming) and each unit below the top one of restraint, so a fine is per unit of
 * level judged. Exclusion sits x out of its next k group games (it earns 0 there). The
 * institution block of group game j is its play block, (e << 30) + j * dlm_group_slot_blocks
 * (rounds x 65 words, rounds x 193 in a level game with an execution error; an audit needs
 * at most 1 + rounds x 63).
 *
 * The donation game (dlm_reputation.h): the audit is per donation, x's act in one round;
 * see dlm_referee_donation (below) for its words, its writer and its exclusion.
 *
 * Who writes the ledger: the evaluations of an asynchronous rule (moran-bd, moran-db,
 * fermi: a population's events run one after another on one thread, so its ledger is
 * written in one order everywhere) and the generation start. The census plays its own
 * audited matches (its payoffs include fines) but writes nothing. The plan refuses exact
 * or estimated payoffs (no moves to audit), the count representation and group selection.
 *
 * The synchronous rules (fermi-sync, wright-fisher, imitate-best) evaluate every agent at
 * once (step 1, one work-item per agent), so an evaluation cannot add to the ledger: it
 * books its entries (fines, subsidies, audit costs, audits, exclusions, false
 * accusations) into its own agent's slot, DLM_SLOT_WORDS words per agent after the ledger
 * (block [11]), which only its work-item writes. Step 2, serial per population
 * (dlm_evo_sync_step2, after every evaluation and before the updates), takes the
 * generation's start as the asynchronous rules take it at event 0 (open, tax, decision)
 * and then adds every slot into the ledger in agent order and clears it. The evaluations
 * of step 1 need the decision before step 2 takes it: they compute it themselves from the
 * ledger as it stands (dlm_referee_decision: the same arithmetic on the same words, which
 * nothing writes during step 1), so every evaluation of a generation sees the same
 * referee. Integer sums: the ledger's bytes do not depend on the order (nor on threads or
 * work-group sizes); agent order is simply the one written down. The census, after the
 * commit, reads the flag step 2 wrote, as under the asynchronous rules.
 */
#ifndef DLM_REFEREE_H
#define DLM_REFEREE_H

#define DLM_PURPOSE_INSTITUTION 12u        /* the referee's audits and judgements */
#define DLM_PURPOSE_CENSUS_INSTITUTION 13u /* the same, in census evaluations */

#define DLM_COSTS_TYPES 1u   /* params.costs: per-type strategy costs at exact[exact_offset] */
#define DLM_COSTS_REFEREE 2u /* params.costs: a referee, its block before exact_offset */

#define DLM_REFEREE_DOUBLES 16u
#define DLM_REF_AUDIT 0u
#define DLM_REF_E1 1u
#define DLM_REF_E2 2u
#define DLM_REF_FINE 3u
#define DLM_REF_SUBSIDY 4u
#define DLM_REF_AUDIT_COST 5u
#define DLM_REF_TAX 6u
#define DLM_REF_BUDGET0 7u
#define DLM_REF_LIMITED 8u
#define DLM_REF_EXCLUSION 9u
#define DLM_REF_LEDGER 10u
#define DLM_REF_SLOTS 11u /* synchronous rules: the per-agent slots' first word from view0 */

#define DLM_LEDGER_FIELDS 8u
#define DLM_LEDGER_WORDS 18u
#define DLM_LEDGER_BUDGET 0u
#define DLM_LEDGER_TAXES 1u
#define DLM_LEDGER_FINES 2u
#define DLM_LEDGER_SUBSIDIES 3u
#define DLM_LEDGER_AUDIT_COSTS 4u
#define DLM_LEDGER_AUDITS 5u
#define DLM_LEDGER_EXCLUSIONS 6u
#define DLM_LEDGER_FALSE 7u
#define DLM_LEDGER_FLAGS 16u       /* word: bit 0 opened, bit 1 auditing */
#define DLM_LEDGER_GENERATIONS 17u /* word: generations audited */
#define DLM_SLOT_WORDS 12u /* synchronous rules: per agent, ledger fields 2..7 of its evaluation */
#define DLM_LEDGER_ITSELF 0xFFFFFFFFu /* `who`: the ledger itself, not an agent's slot */

/* 1 when the parameter set has a referee. */
DLM_FN uint32_t dlm_referee_on(const dlm_evo_params *ep)
{
    return (ep->costs & DLM_COSTS_REFEREE) ? 1u : 0u;
}

/* Value i of the referee's block (an integer). */
DLM_FN uint64_t dlm_referee_param(const dlm_evo_world *w, const dlm_evo_params *ep, uint32_t i)
{
    return (uint64_t)w->exact[ep->exact_offset - DLM_REFEREE_DOUBLES + i];
}

/* The index in world->views of the population's ledger word k. */
DLM_FN uint64_t dlm_ledger_at(const dlm_evo_world *w, const dlm_evo_population *pop,
                              const dlm_evo_params *ep, uint32_t k)
{
    return pop->view0 + dlm_referee_param(w, ep, DLM_REF_LEDGER) + k;
}

/* Ledger field f (64 bits, two's complement). */
DLM_FN uint64_t dlm_ledger_get(const dlm_evo_world *w, const dlm_evo_population *pop,
                               const dlm_evo_params *ep, uint32_t f)
{
    uint64_t at = dlm_ledger_at(w, pop, ep, 2u * f);
    return (uint64_t)w->views[at] | ((uint64_t)w->views[at + 1u] << 32);
}

DLM_FN void dlm_ledger_set(const dlm_evo_world *w, const dlm_evo_population *pop,
                           const dlm_evo_params *ep, uint32_t f, uint64_t v)
{
    uint64_t at = dlm_ledger_at(w, pop, ep, 2u * f);
    w->views[at] = (uint32_t)v;
    w->views[at + 1u] = (uint32_t)(v >> 32);
}

/* Adds v (modulo 2^64: a negative amount as its two's complement) to field f. */
DLM_FN void dlm_ledger_add(const dlm_evo_world *w, const dlm_evo_population *pop,
                           const dlm_evo_params *ep, uint32_t f, uint64_t v)
{
    dlm_ledger_set(w, pop, ep, f, dlm_ledger_get(w, pop, ep, f) + v);
}

/* 1 when the rule is synchronous (fermi-sync, wright-fisher, imitate-best): its evaluations
 * run in parallel and book into per-agent slots, reduced by dlm_referee_sync_close. */
DLM_FN uint32_t dlm_referee_synchronous(const dlm_evo_params *ep)
{
    return ep->rule == DLM_RULE_FERMI_SYNC || ep->rule == DLM_RULE_WRIGHT_FISHER ||
                   ep->rule == DLM_RULE_IMITATE_BEST
               ? 1u
               : 0u;
}

/* The decision of the generation that starts now, from the ledger as it stands (not
 * written): 1 when it audits (unlimited, or the budget after this generation's tax above
 * zero). */
DLM_FN uint32_t dlm_referee_decision(const dlm_evo_world *w, const dlm_evo_population *pop,
                                     const dlm_evo_params *ep)
{
    uint64_t tax = dlm_referee_param(w, ep, DLM_REF_TAX) * (uint64_t)pop->n;
    uint64_t budget = (w->views[dlm_ledger_at(w, pop, ep, DLM_LEDGER_FLAGS)] & 1u)
                          ? dlm_ledger_get(w, pop, ep, DLM_LEDGER_BUDGET)
                          : dlm_referee_param(w, ep, DLM_REF_BUDGET0);
    budget += tax;
    return dlm_referee_param(w, ep, DLM_REF_LIMITED) == 0u ||
                   (budget != 0u && (budget >> 63) == 0u)
               ? 1u
               : 0u;
}

/* 1 when the referee audits in the generation under way: the flag the generation start
 * wrote; for a synchronous rule's evaluation (purpose MATCH_PLAY), which runs before its
 * generation's serial step, the decision that step will take (the same ledger, the same
 * arithmetic). */
DLM_FN uint32_t dlm_referee_auditing_in(const dlm_evo_world *w, const dlm_evo_population *pop,
                                        const dlm_evo_params *ep, uint64_t play_stream)
{
    if (dlm_referee_synchronous(ep) && (uint32_t)(play_stream >> 60) == DLM_PURPOSE_MATCH_PLAY)
        return dlm_referee_decision(w, pop, ep);
    return (w->views[dlm_ledger_at(w, pop, ep, DLM_LEDGER_FLAGS)] >> 1) & 1u;
}

/* The start of a generation: open the ledger once, collect the tax, decide the audits. */
DLM_FN void dlm_referee_generation_start(const dlm_evo_world *w, const dlm_evo_population *pop,
                                         const dlm_evo_params *ep)
{
    uint64_t flags_at = dlm_ledger_at(w, pop, ep, DLM_LEDGER_FLAGS);
    uint64_t tax = dlm_referee_param(w, ep, DLM_REF_TAX) * (uint64_t)pop->n;
    uint32_t flags = w->views[flags_at], auditing = dlm_referee_decision(w, pop, ep);
    if (!(flags & 1u)) {
        dlm_ledger_set(w, pop, ep, DLM_LEDGER_BUDGET, dlm_referee_param(w, ep, DLM_REF_BUDGET0));
        flags |= 1u;
    }
    if (tax != 0u) {
        dlm_ledger_add(w, pop, ep, DLM_LEDGER_BUDGET, tax);
        dlm_ledger_add(w, pop, ep, DLM_LEDGER_TAXES, tax);
    }
    w->views[flags_at] = (flags & ~2u) | (auditing << 1);
    if (auditing)
        w->views[dlm_ledger_at(w, pop, ep, DLM_LEDGER_GENERATIONS)] += 1u;
}

/* Who books an evaluation's entries: the ledger itself (asynchronous rules: one thread),
 * or, under a synchronous rule, the evaluated agent's slot (its work-item's own words). */
DLM_FN uint32_t dlm_referee_who(const dlm_evo_params *ep, uint32_t x)
{
    return dlm_referee_synchronous(ep) ? x : DLM_LEDGER_ITSELF;
}

/* Adds v to ledger field f (2 .. 7), in the ledger or in agent who's slot. */
DLM_FN void dlm_referee_book(const dlm_evo_world *w, const dlm_evo_population *pop,
                             const dlm_evo_params *ep, uint32_t who, uint32_t f, uint64_t v)
{
    uint64_t at, old;
    if (who == DLM_LEDGER_ITSELF) {
        dlm_ledger_add(w, pop, ep, f, v);
        return;
    }
    at = pop->view0 + dlm_referee_param(w, ep, DLM_REF_SLOTS) + (uint64_t)who * DLM_SLOT_WORDS +
         2u * (f - DLM_LEDGER_FINES);
    old = (uint64_t)w->views[at] | ((uint64_t)w->views[at + 1u] << 32);
    old += v;
    w->views[at] = (uint32_t)old;
    w->views[at + 1u] = (uint32_t)(old >> 32);
}

/* A synchronous rule's serial step of a generation (step 2, after every evaluation, before
 * the updates; dlm_evo_sync_step2): the generation's start as the asynchronous rules take it
 * (open, tax, decide: the decision its evaluations already read), then every agent's slot
 * added into the ledger in agent order and cleared. Integer sums: any order would give
 * the same bytes; agent order is the one written down. */
DLM_FN void dlm_referee_sync_close(const dlm_evo_world *w, const dlm_evo_population *pop,
                                   const dlm_evo_params *ep)
{
    uint64_t base = pop->view0 + dlm_referee_param(w, ep, DLM_REF_SLOTS), v[6], net;
    uint32_t x, f;
    dlm_referee_generation_start(w, pop, ep);
    for (x = 0; x < pop->n; ++x) {
        uint64_t at = base + (uint64_t)x * DLM_SLOT_WORDS;
        for (f = 0; f < 6u; ++f) {
            v[f] = (uint64_t)w->views[at + 2u * f] | ((uint64_t)w->views[at + 2u * f + 1u] << 32);
            w->views[at + 2u * f] = 0u;
            w->views[at + 2u * f + 1u] = 0u;
            if (v[f] != 0u)
                dlm_ledger_add(w, pop, ep, DLM_LEDGER_FINES + f, v[f]);
        }
        net = v[DLM_LEDGER_FINES - 2u] - v[DLM_LEDGER_SUBSIDIES - 2u] -
              v[DLM_LEDGER_AUDIT_COSTS - 2u];
        if (net != 0u)
            dlm_ledger_add(w, pop, ep, DLM_LEDGER_BUDGET, net);
    }
}

/* 1 when an evaluation with this play stream writes the ledger (an update rule's, not the
 * census's). */
DLM_FN uint32_t dlm_referee_writes(uint64_t play_stream)
{
    return (uint32_t)(play_stream >> 60) == DLM_PURPOSE_MATCH_PLAY ? 1u : 0u;
}

/* The referee's stream for the evaluation whose play stream is play_stream: the same
 * population and generation, purpose INSTITUTION (or CENSUS_INSTITUTION for the census). */
DLM_FN uint64_t dlm_referee_stream(uint64_t play_stream)
{
    uint32_t purpose =
        dlm_referee_writes(play_stream) ? DLM_PURPOSE_INSTITUTION : DLM_PURPOSE_CENSUS_INSTITUTION;
    return (play_stream & 0x0FFFFFFFFFFFFFFFull) | ((uint64_t)purpose << 60);
}

/* The audit of one interaction in which the audited agent made `c` cooperative and `d`
 * defecting acts, drawing from cursor r (its first word decides the audit). Returns the
 * transfer to the agent in micro-units (two's complement), 0 when not audited; *convicted
 * = 1 when at least one act was judged a defection. Writes the ledger when `write`. */
DLM_FN uint64_t dlm_referee_audit(const dlm_evo_world *w, const dlm_evo_population *pop,
                                  const dlm_evo_params *ep, dlm_cursor *r, uint64_t c, uint64_t d,
                                  uint32_t write, uint32_t who, uint32_t *convicted)
{
    uint64_t e1 = dlm_referee_param(w, ep, DLM_REF_E1), e2 = dlm_referee_param(w, ep, DLM_REF_E2);
    uint64_t accused = 0u, missed = 0u, judged_d, judged_c, fines, subsidies, i;
    *convicted = 0u;
    if (!dlm_fires(dlm_cursor_word(r), dlm_referee_param(w, ep, DLM_REF_AUDIT)))
        return 0u;
    for (i = 0; e1 != 0u && i < c; ++i)
        accused += dlm_fires(dlm_cursor_word(r), e1);
    for (i = 0; e2 != 0u && i < d; ++i)
        missed += dlm_fires(dlm_cursor_word(r), e2);
    judged_d = accused + (d - missed);
    judged_c = (c - accused) + missed;
    fines = judged_d * dlm_referee_param(w, ep, DLM_REF_FINE);
    subsidies = judged_c * dlm_referee_param(w, ep, DLM_REF_SUBSIDY);
    *convicted = judged_d != 0u ? 1u : 0u;
    if (write) { /* the budget's share: here, or when a slot is reduced */
        uint64_t cost = dlm_referee_param(w, ep, DLM_REF_AUDIT_COST);
        dlm_referee_book(w, pop, ep, who, DLM_LEDGER_AUDITS, 1u);
        dlm_referee_book(w, pop, ep, who, DLM_LEDGER_FINES, fines);
        dlm_referee_book(w, pop, ep, who, DLM_LEDGER_SUBSIDIES, subsidies);
        dlm_referee_book(w, pop, ep, who, DLM_LEDGER_AUDIT_COSTS, cost);
        dlm_referee_book(w, pop, ep, who, DLM_LEDGER_FALSE, accused);
        if (who == DLM_LEDGER_ITSELF)
            dlm_ledger_add(w, pop, ep, DLM_LEDGER_BUDGET, fines - subsidies - cost);
    }
    return subsidies - fines;
}

/* A transfer in micro-units (two's complement) as payoff units. */
DLM_FN double dlm_referee_amount(uint64_t micro)
{
    int64_t v = (micro >> 63) ? -(int64_t)(~micro + 1u) : (int64_t)micro;
    return (double)v * 1e-6;
}

/* An interaction of an agent excluded for *excluded more: sat out (its count taken down,
 * the interaction counted, the ledger's exclusions when written). Returns 1 when sat out. */
DLM_FN uint32_t dlm_referee_sit_out(const dlm_evo_world *w, const dlm_evo_population *pop,
                                    const dlm_evo_params *ep, uint64_t play_stream,
                                    uint32_t window, uint32_t *excluded, dlm_evo_counts *counts)
{
    if (*excluded == 0u)
        return 0u;
    *excluded -= 1u;
    counts->matches += 1u;
    if (dlm_referee_writes(play_stream))
        dlm_referee_book(w, pop, ep, dlm_referee_who(ep, window), DLM_LEDGER_EXCLUSIONS, 1u);
    return 1u;
}

/* The referee's part of one played interaction of `rounds` rounds in which the audited agent
 * made c cooperative and d defecting acts, its words from block `block` of window `window`:
 * nothing when it does not audit this generation; else the audit, the ledger (when
 * written), the exclusion that follows a conviction; the transfer per round. */
DLM_FN double dlm_referee_interaction(const dlm_evo_world *w, const dlm_evo_population *pop,
                                      const dlm_evo_params *ep, uint64_t play_stream,
                                      uint32_t window, uint64_t block, uint64_t c, uint64_t d,
                                      uint32_t rounds, uint32_t *excluded)
{
    uint32_t convicted = 0u;
    uint64_t transfer;
    dlm_cursor r;
    if (!dlm_referee_auditing_in(w, pop, ep, play_stream))
        return 0.0;
    r = dlm_cursor_at(pop->seed, dlm_referee_stream(play_stream), window);
    r.block += block;
    transfer = dlm_referee_audit(w, pop, ep, &r, c, d, dlm_referee_writes(play_stream),
                                 dlm_referee_who(ep, window), &convicted);
    if (convicted)
        *excluded = (uint32_t)dlm_referee_param(w, ep, DLM_REF_EXCLUSION);
    return dlm_referee_amount(transfer) / (double)(rounds ? rounds : 1u);
}

/* The iterated 2x2 game's match of local agent x against y, in slot `slot` of window
 * `window`, under the referee: sat out while *excluded > 0 (payoff 0), else played and, when
 * the referee audits this generation, audited (x's C and D moves); the payoff per round with
 * the transfer per round added. */
DLM_FN double dlm_referee_game2_match(const dlm_evo_world *w, const dlm_evo_population *pop,
                                      const dlm_evo_params *ep, uint32_t x, uint32_t y,
                                      uint64_t play_stream, uint64_t length_stream, uint32_t window,
                                      uint32_t slot, uint32_t *excluded, dlm_evo_counts *counts)
{
    dlm_match_rules rules = ep->rules;
    dlm_match_result m;
    double pay;
    if (dlm_referee_sit_out(w, pop, ep, play_stream, window, excluded, counts))
        return 0.0;
    m = dlm_evo_play_match(w, pop, ep, x, y, play_stream, length_stream, window, slot, counts);
    pay = dlm_match_payoff_side(ep, &m, dlm_evo_side(ep, x));
    if (!dlm_referee_auditing_in(w, pop, ep, play_stream))
        return pay;
    return pay + dlm_referee_interaction(w, pop, ep, play_stream, window,
                                         (uint64_t)slot * dlm_match_blocks(&rules),
                                         (uint64_t)m.outcome[0] + m.outcome[1],
                                         (uint64_t)m.outcome[2] + m.outcome[3], m.rounds, excluded);
}

/* The donation game (dlm_reputation.h). The audited interaction is a donation: each round
 * of x's rounds of generation g, x as donor, one act (help: C; refusal: D). Audited with
 * probability q, the act judged (e1, e2) and x fined F or subsidised s as above. The words:
 * stream INSTITUTION (p, g), window x, block r for round r (word 0 the audit, word 1 the
 * judgement: only when its error is above zero), keyed by the act and not by the
 * evaluation, so every evaluation that replays x's donations of g (the assessment step,
 * an event's re-scoring, the census) sees the same audits. Only the evaluations that write
 * standings (dlm_rep_writes: the asynchronous rules' assessment step, each donation of the
 * generation once, in agent order) write the ledger. A conviction sits x out of its next k
 * rounds of the generation: it neither gives nor receives (earns nothing), no donation of it
 * is assessed; the round's words are drawn all the same. Returns the transfer in
 * micro-units (two's complement), 0 when not audited or the referee does not audit in g. */
DLM_FN uint64_t dlm_referee_donation(const dlm_evo_world *w, const dlm_evo_population *pop,
                                     const dlm_evo_params *ep, uint64_t play_stream, uint32_t x,
                                     uint32_t r, uint32_t help, uint32_t write,
                                     uint32_t *excluded)
{
    uint64_t g = play_stream & 0xFFFFFFFFFFull;
    uint32_t convicted = 0u;
    uint64_t transfer;
    dlm_cursor c;
    if (!dlm_referee_auditing_in(w, pop, ep, play_stream))
        return 0u;
    c = dlm_cursor_at(pop->seed, dlm_stream_id(DLM_PURPOSE_INSTITUTION, pop->id, g), x);
    c.block += r;
    transfer = dlm_referee_audit(w, pop, ep, &c, help ? 1u : 0u, help ? 0u : 1u, write,
                                 dlm_referee_who(ep, x), &convicted);
    if (convicted)
        *excluded = (uint32_t)dlm_referee_param(w, ep, DLM_REF_EXCLUSION);
    return transfer;
}

/* The donation game's round of an agent excluded for *excluded more rounds: 1 (sat out,
 * the count taken down, the ledger's exclusions when written), else 0. */
DLM_FN uint32_t dlm_referee_donation_out(const dlm_evo_world *w, const dlm_evo_population *pop,
                                         const dlm_evo_params *ep, uint32_t x, uint32_t write,
                                         uint32_t *excluded)
{
    if (*excluded == 0u)
        return 0u;
    *excluded -= 1u;
    if (write)
        dlm_referee_book(w, pop, ep, dlm_referee_who(ep, x), DLM_LEDGER_EXCLUSIONS, 1u);
    return 1u;
}

#endif /* DLM_REFEREE_H */
