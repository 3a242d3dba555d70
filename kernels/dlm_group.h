/* dlm_group.h — N-player group games (DLM_INTERACTION_GROUP, DESIGN.md section 11,
 * docs/interactions.md, issue #15), written once for every backend. Included by
 * dlm_evolve.h after the structure functions (dlm_evo_partner, dlm_evo_partner_count),
 * which it uses; dlm_evo_evaluate is its only caller.
 *
 * Traits. A contribution rule is a dlm_strategy of kind DLM_STRAT_CONTRIBUTION: `opening`
 * holds the rule (DLM_CONTRIB_ALWAYS: contribute every round, `allc`; _NEVER: never,
 * `alld`; _CONDITIONAL: contribute in the first round, then whenever at least `depth` = k
 * of the other members contributed in the group's last round, `cc(k)`: the conditional
 * cooperators C_k of Van Segbroeck, Pacheco, Lenaerts & Santos 2012, PRL 108:158104).
 * Every other field is zero; dlm_strategy_equal compares rule and threshold.
 *
 * Groups. An evaluation of local agent x plays one group game in each of its groups:
 *   well-mixed (complete or sampled): `groups` groups (ep->payoff_b[3]), each x and n - 1
 *     distinct others (n = ep->group_size) drawn uniformly without replacement from the
 *     partner cursor (MATCHING stream: Floyd's algorithm, exactly n - 1 draws), so the
 *     others' composition is hypergeometric;
 *   graph: the k_x + 1 groups centred on x and on each of its interaction neighbours, a
 *     group being its centre and the centre's neighbours (Santos, Santos & Pacheco 2008,
 *     Nature 454:213); the plan keeps every degree + 1 <= DLM_GROUP_MAX.
 * x's payoff is the mean over its groups of its payoff per round (accumulate = total: the
 * sum over groups of the payoff per round). As in the 2x2 kind, a group game is played
 * afresh in each evaluation and credits only x.
 *
 * One round of a group of size s: every member intends to contribute by its rule and the
 * group's last round; the intention is flipped with the execution error (threshold
 * payoff_b[0]); k = the number who contributed. Then
 *   public goods (DLM_GROUP_PGG; r = payoff[0], c = payoff[1]): every member earns
 *     r c k / s, a contributor pays c;
 *   collective risk (DLM_GROUP_RISK, Santos & Pacheco 2011, PNAS 108:10421; endowment
 *     b = payoff[2], contribution fraction c = payoff[1], threshold M = payoff[3], risk p
 *     threshold payoff_b[1]): when k < M the group is struck with probability p and every
 *     member loses the endowment; a member earns b (kept) or 0 (struck), and a
 *     contributor pays c b either way, so the expected payoffs are the paper's
 *     P_D(k) = b {H(k - M) + (1 - p) [1 - H(k - M)]}, P_C(k) = P_D(k) - c b.
 * Payoffs are computed from integer counts once per group game (the contributions summed
 * over rounds, the rounds kept), so every backend computes the same double.
 *
 * Random numbers: group game j of an evaluation (slot *slot + j) reads the play stream at
 * window `window` from block (window << 30) + slot * DLM_GROUP_SLOT_BLOCKS(rounds), word
 * by word: per round, one execution word per member in group order (only when the error
 * is not zero), then one risk word (only when the game is risk, the round missed the
 * threshold and p is not zero). The level games read only with an execution error, from
 * block (window << 30) + slot * DLM_GROUP_LEVEL_SLOT_BLOCKS(rounds) (dlm_group_slot_blocks;
 * dlm_group_play_levels). The members of a well-mixed group: Floyd's draws from the
 * partner cursor. Nothing depends on which backend or thread evaluates.
 */
#ifndef DLM_GROUP_H
#define DLM_GROUP_H

#define DLM_GROUP_PGG 1u                    /* linear public goods */
#define DLM_GROUP_RISK 2u                   /* collective risk (threshold) */
#define DLM_GROUP_MAX DLM_GROUP_MAX_MEMBERS /* a 64-bit mask holds their last acts */

#define DLM_CONTRIB_ALWAYS 0u      /* allc */
#define DLM_CONTRIB_NEVER 1u       /* alld */
#define DLM_CONTRIB_CONDITIONAL 2u /* cc(k) */

/* The level games (dlm_group_play_levels): games and rules numbered from 16, apart from
 * the binary ones, so that rules added there cannot collide with these. */
#define DLM_GROUP_COMMONS 16u    /* a renewable commons (the shared quota) */
#define DLM_GROUP_ESCALATION 17u /* an all-pay contest of capability levels */
#define DLM_CONTRIB_LEVEL 16u    /* level(k): level k every round */
#define DLM_CONTRIB_STOCK 17u    /* stock(k, j, f): k while the stock >= f K, else j */

/* Blocks of the play stream one group game may read: rounds x (DLM_GROUP_MAX + 1) words;
 * a level game with an execution error: rounds x (3 DLM_GROUP_MAX + 1) words (per member
 * one execution word, and two for the random level when it fires). */
#define DLM_GROUP_SLOT_BLOCKS(rounds) (((uint64_t)(rounds) * (DLM_GROUP_MAX + 1u) + 3u) >> 2)
#define DLM_GROUP_LEVEL_SLOT_BLOCKS(rounds)                                                    \
    (((uint64_t)(rounds) * (3u * DLM_GROUP_MAX + 1u) + 3u) >> 2)

/* What the census counts of a focal agent's group games (only the census passes one; see
 * dlm_census_group): with incentives (dlm_punish.h) the fines it paid and the rewards it
 * received; in the commons the stock of each of its group games, as fractions of the
 * capacity K. The doubles are added in one fixed order, so every backend gets the same. */
typedef struct dlm_group_tally {
    uint64_t fines;       /* incentives: fines paid (one per fine) */
    uint64_t rewards;     /* incentives: rewards received (one per reward) */
    double stock_sum;     /* commons: over the group games, the mean over their rounds of
                             the stock at each round's start, over K */
    double stock_end_sum; /* commons: over the group games, the stock left after the last
                             round's regrowth, over K */
    uint64_t stock_games; /* commons: group games played */
    uint64_t collapses;   /* commons: ... of which the stock ended at 0 (collapsed) */
} dlm_group_tally;

/* The group parameters' places in dlm_evo_params (read only through these). */
DLM_FN uint32_t dlm_group_game(const dlm_evo_params *ep)
{
    return (uint32_t)ep->payoff_b[2];
}
DLM_FN uint32_t dlm_group_count(const dlm_evo_params *ep)
{
    return (uint32_t)ep->payoff_b[3];
}
DLM_FN uint64_t dlm_group_execution(const dlm_evo_params *ep)
{
    return (uint64_t)ep->payoff_b[0];
}
DLM_FN uint64_t dlm_group_risk(const dlm_evo_params *ep)
{
    return (uint64_t)ep->payoff_b[1];
}

/* The blocks of the play stream between two group games of an evaluation. */
DLM_FN uint64_t dlm_group_slot_blocks(const dlm_evo_params *ep)
{
    if (dlm_group_game(ep) >= DLM_GROUP_COMMONS && dlm_group_execution(ep) != 0u)
        return DLM_GROUP_LEVEL_SLOT_BLOCKS(ep->rules.rounds);
    return DLM_GROUP_SLOT_BLOCKS(ep->rules.rounds);
}

/* The level games' parameters: L levels 0 .. L-1 (payoff[2]); the commons' capacity K
 * (payoff[3]), growth rate g (payoff[0]) and harvest per level (payoff[1]); the contest's
 * prize V (payoff[0]) and cost per level (payoff[1]). */
DLM_FN uint32_t dlm_group_levels(const dlm_evo_params *ep)
{
    return (uint32_t)ep->payoff[2];
}

/* The level a member of rule `s` chooses while the stock is `stock` of `capacity`. */
DLM_FN uint32_t dlm_group_level(DLM_CONST dlm_strategy *s, double stock, double capacity)
{
    if (s->opening == DLM_CONTRIB_STOCK)
        return stock >= (double)s->threshold[0] * (capacity / 4294967296.0) ? s->depth
                                                                            : s->fsm_output;
    return s->depth;
}

/* One level game (DLM_GROUP_COMMONS, DLM_GROUP_ESCALATION) of `size` members in which x
 * sits at `focal`: x's payoff per round; its levels counted into counts (cooperations:
 * the sum of its levels, moves: rounds x (L - 1), so the census's rate is the mean level
 * over L - 1), the commons' stock into tally when given (the census).
 *   Each round every member chooses its level by its rule and the stock at the round's
 *   start; with the execution error e (threshold payoff_b[0]) the chosen level is replaced
 *   by a uniform random level 0 .. L - 1 (which may be the same) with probability e. The
 *   words: per round, per member in group order, one execution word, and when it fires
 *   two more for the level (dlm_cursor_below), from c; none without an error.
 *   commons: the stock starts at K in each group game. Each round every member asks
 *     for h l (h the harvest per level, l its level); when the demand D = h sum l fits in
 *     the stock x, each gets what it asked and x -= D; otherwise the stock is shared in
 *     proportion to the levels and x = 0: the commons has collapsed for good. Then it
 *     regrows logistically, x += g x (1 - x / K). Payoff: the harvest.
 *   escalation (an all-pay Tullock contest): each round the prize V is shared in
 *     proportion to the levels (V / size each when all are 0) and every member pays the
 *     cost per level times its own level, whatever it wins: x earns V l_x / sum l - c l_x.
 *     Against the others' total Y the best level, sqrt(V Y / c) - Y, rises with Y while
 *     Y < V / (4c): arming pays more as the others arm. */
DLM_FN double dlm_group_play_levels(const dlm_evo_world *w, const dlm_evo_population *pop,
                                    const dlm_evo_params *ep, const uint32_t *members,
                                    uint32_t size, uint32_t focal, dlm_cursor *c,
                                    dlm_evo_counts *counts, dlm_group_tally *tally)
{
    DLM_GLOBAL dlm_strategy *agents = w->strategy + pop->agent0;
    uint32_t rounds = ep->rules.rounds, levels = dlm_group_levels(ep), t, m;
    uint64_t execution = dlm_group_execution(ep);
    double capacity = ep->payoff[3], unit = ep->payoff[1], stock = capacity, earned = 0.0;
    double stock_seen = 0.0;
    uint64_t own_sum = 0u;
    uint32_t escalation = dlm_group_game(ep) == DLM_GROUP_ESCALATION;
    for (t = 0; t < rounds; ++t) {
        uint32_t total = 0u, own = 0u;
        stock_seen = stock_seen + stock;
        for (m = 0; m < size; ++m) {
            uint32_t l = dlm_group_level(agents + members[m], stock, capacity);
            if (execution != 0u && dlm_fires(dlm_cursor_word(c), execution))
                l = dlm_cursor_below(c, levels);
            total += l;
            own = m == focal ? l : own;
        }
        own_sum += own;
        if (escalation) {
            earned += (total == 0u ? ep->payoff[0] / (double)size
                                   : ep->payoff[0] * (double)own / (double)total) -
                      unit * (double)own;
            continue;
        }
        if (unit * (double)total <= stock) {
            earned += unit * (double)own;
            stock -= unit * (double)total;
        } else {
            earned += total == 0u ? 0.0 : stock * (double)own / (double)total;
            stock = 0.0;
        }
        stock = stock + ep->payoff[0] * stock * (1.0 - stock / capacity);
    }
    counts->cooperations += own_sum;
    counts->moves += (uint64_t)rounds * (uint64_t)(levels - 1u);
    counts->matches += 1u;
    if (tally && !escalation) {
        tally->stock_sum =
            tally->stock_sum + (rounds == 0u ? 1.0 : stock_seen / (double)rounds / capacity);
        tally->stock_end_sum = tally->stock_end_sum + stock / capacity;
        tally->stock_games += 1u;
        tally->collapses += stock == 0.0 ? 1u : 0u;
    }
    return rounds == 0u ? 0.0 : earned / (double)rounds;
}

/* 1 when a member of rule `s` intends to contribute in round t, seeing `others` of the
 * other members contribute in the group's last round. */
DLM_FN uint32_t dlm_group_intends(DLM_CONST dlm_strategy *s, uint32_t t, uint32_t others)
{
    if (s->opening == DLM_CONTRIB_ALWAYS)
        return 1u;
    if (s->opening != DLM_CONTRIB_CONDITIONAL)
        return 0u;
    return t == 0u || others >= s->depth ? 1u : 0u;
}

/* One group game of `size` members (local agents members[0 ..]) in which x sits at
 * `focal`: x's payoff per round, its contributions counted into counts. Draws from c. */
DLM_FN double dlm_group_play(const dlm_evo_world *w, const dlm_evo_population *pop,
                             const dlm_evo_params *ep, const uint32_t *members, uint32_t size,
                             uint32_t focal, dlm_cursor *c, dlm_evo_counts *counts)
{
    DLM_GLOBAL dlm_strategy *agents = w->strategy + pop->agent0;
    uint64_t execution = dlm_group_execution(ep), risk = dlm_group_risk(ep);
    uint64_t last = 0u, contributed = 0u, kept = 0u;
    uint32_t rounds = ep->rules.rounds, game = dlm_group_game(ep),
             threshold = (uint32_t)ep->payoff[3];
    uint32_t t, m, k = 0u, own = 0u;
    for (t = 0; t < rounds; ++t) {
        uint64_t now = 0u;
        uint32_t count = 0u;
        for (m = 0; m < size; ++m) {
            uint32_t mine = (uint32_t)(last >> m) & 1u;
            uint32_t act = dlm_group_intends(agents + members[m], t, k - mine);
            if (execution != 0u && dlm_fires(dlm_cursor_word(c), execution))
                act ^= 1u;
            now |= (uint64_t)act << m;
            count += act;
        }
        own += (uint32_t)(now >> focal) & 1u;
        contributed += count;
        if (game == DLM_GROUP_PGG || count >= threshold ||
            (risk == 0u || !dlm_fires(dlm_cursor_word(c), risk)))
            kept += 1u;
        last = now;
        k = count;
    }
    counts->cooperations += own;
    counts->moves += rounds;
    counts->matches += 1u;
    if (rounds == 0u)
        return 0.0;
    if (game == DLM_GROUP_PGG)
        return (ep->payoff[0] * ep->payoff[1] * (double)contributed / (double)size -
                ep->payoff[1] * (double)own) /
               (double)rounds;
    return (ep->payoff[2] * (double)kept - ep->payoff[1] * ep->payoff[2] * (double)own) /
           (double)rounds;
}

/* The members of a well-mixed group of x: x first, then n - 1 distinct uniform others
 * (Floyd's algorithm over the n - 1 others' indices, exactly n - 1 draws from c). */
DLM_FN uint32_t dlm_group_draw(const dlm_evo_population *pop, uint32_t x, uint32_t n,
                               uint32_t *members, dlm_cursor *c)
{
    uint32_t others = pop->n - 1u, j, i, size = 1u;
    members[0] = x;
    if (n > pop->n)
        n = pop->n;
    for (j = others - (n - 1u); j < others; ++j) {
        uint32_t t = dlm_cursor_below(c, j + 1u), pick = t, y;
        y = t + (t >= x ? 1u : 0u);
        for (i = 1u; i < size; ++i)
            if (members[i] == y)
                pick = j;
        y = pick + (pick >= x ? 1u : 0u);
        members[size++] = y;
    }
    return size;
}

#include "dlm_punish.h"

/* DLM_INTERACTION_GROUP: the payoff of local agent x in one evaluation; with incentives
 * (dlm_punish.h) their fines and rewards counted into tally when given (the census). */
DLM_FN double dlm_group_payoff_with(const dlm_evo_world *w, const dlm_evo_population *pop,
                                    const dlm_evo_params *ep, uint32_t x, uint64_t play_stream,
                                    uint32_t window, uint32_t *slot, dlm_cursor *partners,
                                    dlm_evo_counts *counts, dlm_group_tally *tally)
{
    uint32_t members[DLM_GROUP_MAX];
    uint32_t groups, j, size, focal, i;
    double sum = 0.0;
    uint64_t stride = dlm_group_slot_blocks(ep);
    uint32_t referee = dlm_referee_on(ep), excluded = 0u;
    if (ep->structure == DLM_STRUCTURE_GRAPH)
        groups = dlm_evo_partner_count(w, pop, ep, x) + 1u;
    else
        groups = dlm_group_count(ep);
    for (j = 0; j < groups; ++j) {
        dlm_cursor c;
        if (ep->structure == DLM_STRUCTURE_GRAPH) { /* centred on x, then on each neighbour */
            uint32_t centre = j == 0u ? x : dlm_evo_partner(w, pop, ep, x, j - 1u, partners);
            uint32_t degree = dlm_evo_partner_count(w, pop, ep, centre);
            members[0] = centre;
            focal = 0u;
            for (i = 0; i < degree && i + 1u < DLM_GROUP_MAX; ++i) {
                members[i + 1u] = dlm_evo_partner(w, pop, ep, centre, i, partners);
                if (members[i + 1u] == x && centre != x)
                    focal = i + 1u;
            }
            size = i + 1u;
        } else {
            size = dlm_group_draw(pop, x, ep->group_size, members, partners);
            focal = 0u;
        }
        c = dlm_cursor_at(pop->seed, play_stream, window);
        c.block += (uint64_t)(*slot) * stride;
        (*slot)++;
        if (referee) { /* a layer over the game (dlm_referee.h): sat out, or audited */
            uint64_t c0 = counts->cooperations, m0 = counts->moves, own, acts;
            double pay;
            if (dlm_referee_sit_out(w, pop, ep, play_stream, window, &excluded, counts))
                continue; /* earns 0 */
            if (dlm_group_game(ep) >= DLM_GROUP_COMMONS)
                pay = dlm_group_play_levels(w, pop, ep, members, size, focal, &c, counts, tally);
            else if (dlm_punish_on(ep)) /* the incentives first, then the referee's audit */
                pay = dlm_punish_play(w, pop, ep, members, size, focal, &c, counts, tally);
            else
                pay = dlm_group_play(w, pop, ep, members, size, focal, &c, counts);
            own = counts->cooperations - c0; /* contributions, or units of level */
            acts = counts->moves - m0;
            if (dlm_group_game(ep) >= DLM_GROUP_COMMONS) /* levels: units of level defect */
                pay = pay + dlm_referee_interaction(w, pop, ep, play_stream, window,
                                                    (uint64_t)(*slot - 1u) * stride, acts - own,
                                                    own, ep->rules.rounds, &excluded);
            else
                pay = pay + dlm_referee_interaction(w, pop, ep, play_stream, window,
                                                    (uint64_t)(*slot - 1u) * stride, own,
                                                    acts - own, ep->rules.rounds, &excluded);
            sum = sum + pay;
            continue;
        }
        if (dlm_group_game(ep) >= DLM_GROUP_COMMONS)
            sum = sum + dlm_group_play_levels(w, pop, ep, members, size, focal, &c, counts,
                                                   tally);
        else if (dlm_punish_on(ep))
            sum = sum + dlm_punish_play(w, pop, ep, members, size, focal, &c, counts, tally);
        else
            sum = sum + dlm_group_play(w, pop, ep, members, size, focal, &c, counts);
    }
    if (ep->accumulate || groups == 0u)
        return sum;
    return sum / (double)groups;
}

DLM_FN double dlm_group_payoff(const dlm_evo_world *w, const dlm_evo_population *pop,
                               const dlm_evo_params *ep, uint32_t x, uint64_t play_stream,
                               uint32_t window, uint32_t *slot, dlm_cursor *partners,
                               dlm_evo_counts *counts)
{
    return dlm_group_payoff_with(w, pop, ep, x, play_stream, window, slot, partners, counts,
                                 (dlm_group_tally *)0);
}

#endif /* DLM_GROUP_H */
