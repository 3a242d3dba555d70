/* dlm_punish.h — incentives in the public goods game (issue #15 item 3, issue #16 item 3):
 * peer punishment, pool punishment (Sigmund, De Silva, Traulsen & Hauert 2010, Nature
 * 466:861, "Social learning promotes institutions for governing the commons"), pool reward
 * (Sasaki, Brännström, Dieckmann & Sigmund 2012, PNAS 109:1165) and the loners of optional
 * participation, as strategies that evolve. Written once for every backend; included by
 * dlm_group.h, whose dlm_group_payoff calls dlm_punish_play in place of dlm_group_play when
 * the parameter set has incentives (the PGG only: the config refuses other games).
 *
 * Traits. A contribution rule (DLM_STRAT_CONTRIBUTION: allc, alld, cc(k)) carries its
 * incentive type in the record's `table` field (unused by contribution rules):
 *   DLM_INCENTIVE_NONE    contributes by its rule, nothing more;
 *   DLM_INCENTIVE_PEER    peer punisher ("punish" = allc+peer; cc(k)+peer, ...);
 *   DLM_INCENTIVE_POOL    pool punisher ("pool" = allc+pool);
 *   DLM_INCENTIVE_REWARD  pool rewarder ("rewarder" = allc+reward);
 *   DLM_INCENTIVE_LONER   loner: takes no part in the game and earns sigma ("loner").
 * dlm_strategy_equal compares it, so the census counts punish and allc apart.
 *
 * The parameters: one block of DLM_PUNISH_DOUBLES doubles in world->exact at the parameter
 * set's exact_offset (the group games have no types' costs or exact payoffs there; the
 * plan refuses both), read only through dlm_punish_param:
 *   [0] gamma  peer punisher's cost per punished member
 *   [1] beta   the fine a punished member pays per peer punisher
 *   [2] G      the fee a pool punisher or a pool rewarder pays in advance, every round
 *   [3] B      the fine a member pays per pool punisher
 *   [4] R      the reward a contributor receives per pool rewarder
 *   [5] sigma  a loner's payoff per round
 *   [6], [7]   zero (reserved)
 * and the flags in ep->norm (the donation game's norm; unused by group games):
 *   DLM_PUNISH_ON (the block is there) and DLM_PUNISH_SECOND_ORDER.
 * A later block of another layer (a referee) goes after these 8 doubles.
 *
 * One round of a group of S participants (members that are not loners) in which k
 * contributed (by rule, with the execution error) and d = S - k defected:
 *   public good: every participant earns r c k / S, a contributor pays c;
 *   peer: each peer punisher pays gamma for every other participant that defected, and a
 *     defector pays beta for every peer punisher other than itself; with second-order
 *     punishment, in a round with at least one defection (only then does not punishing
 *     show), each peer punisher also punishes every contributor that is not a peer
 *     punisher (gamma and beta as above);
 *   pool: each pool punisher pays G in advance; a defector pays B for every pool punisher
 *     other than itself; with second-order punishment every contributor that did not pay
 *     into the pool (any contributor that is not a pool punisher) pays B per pool
 *     punisher too, whether or not anyone defected;
 *   reward: each pool rewarder pays G in advance; every contributor receives R from every
 *     pool rewarder other than itself.
 * A loner, and every member of a group with fewer than 2 participants, earns sigma per
 * round (Hauert, De Monte, Hofbauer & Sigmund 2002; Sigmund et al. 2010: S = 1 cannot
 * play). Payoffs per round come from integer counts once per group game, in one fixed
 * expression, so every backend computes the same double.
 *
 * Random numbers: as dlm_group_play, one execution word per participant per round in
 * group order (only with an execution error); loners draw nothing.
 *
 * The census (dlm_census.h) counts agents per incentive type and the fines and rewards of
 * its evaluations (dlm_punish_tally): it alone passes a tally, so selection's evaluations
 * pay for nothing more.
 */
#ifndef DLM_PUNISH_H
#define DLM_PUNISH_H

#define DLM_INCENTIVE_NONE 0u
#define DLM_INCENTIVE_PEER 1u
#define DLM_INCENTIVE_POOL 2u
#define DLM_INCENTIVE_REWARD 3u
#define DLM_INCENTIVE_LONER 4u
/* census slots: the five types above, then the participants that never contribute (alld,
   with or without an incentive: the defectors of Sigmund et al.) */
#define DLM_INCENTIVE_SLOTS 6u
#define DLM_INCENTIVE_DEFECTORS 5u

#define DLM_PUNISH_ON 0x1u           /* in ep->norm: the parameter block is there */
#define DLM_PUNISH_SECOND_ORDER 0x2u /* in ep->norm: second-order punishment */
#define DLM_PUNISH_DOUBLES 8u        /* the block's doubles at exact_offset */

#define DLM_PUNISH_GAMMA 0u
#define DLM_PUNISH_BETA 1u
#define DLM_PUNISH_FEE 2u
#define DLM_PUNISH_FINE 3u
#define DLM_PUNISH_REWARD 4u
#define DLM_PUNISH_LONER 5u

/* What the census counts of a focal agent's group games: the fines it paid (peer and
 * pool, one per fine) and the rewards it received (one per reward); the tally of
 * dlm_group.h, which also holds the commons' stock. */
typedef dlm_group_tally dlm_punish_tally;

DLM_FN uint32_t dlm_punish_on(const dlm_evo_params *ep)
{
    return ep->interaction == DLM_INTERACTION_GROUP && (ep->norm & DLM_PUNISH_ON) != 0u;
}

DLM_FN double dlm_punish_param(const dlm_evo_world *w, const dlm_evo_params *ep, uint32_t i)
{
    return w->exact[ep->exact_offset + i];
}

/* The incentive type of a trait (DLM_INCENTIVE_*; anything else reads as none). */
DLM_FN uint32_t dlm_incentive_of(DLM_CONST dlm_strategy *s)
{
    return s->kind == DLM_STRAT_CONTRIBUTION && s->table <= DLM_INCENTIVE_LONER
               ? (uint32_t)s->table
               : DLM_INCENTIVE_NONE;
}

/* The census slot of a trait: its incentive type, or DLM_INCENTIVE_DEFECTORS for a
 * participant that never contributes without one. */
DLM_FN uint32_t dlm_incentive_slot(DLM_CONST dlm_strategy *s)
{
    uint32_t type = dlm_incentive_of(s);
    if (type == DLM_INCENTIVE_NONE && s->kind == DLM_STRAT_CONTRIBUTION &&
        s->opening == DLM_CONTRIB_NEVER)
        return DLM_INCENTIVE_DEFECTORS;
    return type;
}

/* One public goods game with incentives, of `size` members (local agents members[0 ..])
 * in which x sits at `focal`: x's payoff per round; its contributions counted into counts
 * (a loner's rounds count as acts without a contribution), its fines and rewards into
 * tally when given. Draws from c. */
DLM_FN double dlm_punish_play(const dlm_evo_world *w, const dlm_evo_population *pop,
                              const dlm_evo_params *ep, const uint32_t *members, uint32_t size,
                              uint32_t focal, dlm_cursor *c, dlm_evo_counts *counts,
                              dlm_punish_tally *tally)
{
    DLM_GLOBAL dlm_strategy *agents = w->strategy + pop->agent0;
    uint64_t execution = dlm_group_execution(ep), last = 0u;
    uint64_t contributed = 0u, own = 0u, peer_costs = 0u, peer_fines = 0u, pool_fines = 0u,
             rewards = 0u;
    uint32_t rounds = ep->rules.rounds, second = (ep->norm & DLM_PUNISH_SECOND_ORDER) != 0u;
    uint32_t t, m, k = 0u, participants = 0u, peers = 0u, pools = 0u, rewarders = 0u;
    uint32_t mine = dlm_incentive_of(agents + members[focal]);
    uint64_t peer_mask = 0u, in = 0u;
    double sigma = dlm_punish_param(w, ep, DLM_PUNISH_LONER), pay;
    for (m = 0; m < size; ++m) {
        uint32_t type = dlm_incentive_of(agents + members[m]);
        if (type == DLM_INCENTIVE_LONER)
            continue;
        in |= (uint64_t)1u << m;
        participants += 1u;
        peers += type == DLM_INCENTIVE_PEER ? 1u : 0u;
        pools += type == DLM_INCENTIVE_POOL ? 1u : 0u;
        rewarders += type == DLM_INCENTIVE_REWARD ? 1u : 0u;
        peer_mask |= (uint64_t)(type == DLM_INCENTIVE_PEER ? 1u : 0u) << m;
    }
    counts->moves += rounds;
    counts->matches += 1u;
    if (rounds == 0u)
        return 0.0;
    if (mine == DLM_INCENTIVE_LONER || participants < 2u)
        return sigma;
    for (t = 0; t < rounds; ++t) {
        uint64_t now = 0u;
        uint32_t count = 0u, peer_count = 0u, act_x, defected;
        for (m = 0; m < size; ++m) {
            uint32_t act, previous = (uint32_t)(last >> m) & 1u;
            if (((in >> m) & 1u) == 0u)
                continue;
            act = dlm_group_intends(agents + members[m], t, k - previous);
            if (execution != 0u && dlm_fires(dlm_cursor_word(c), execution))
                act ^= 1u;
            now |= (uint64_t)act << m;
            count += act;
            peer_count += act & (uint32_t)(peer_mask >> m);
        }
        act_x = (uint32_t)(now >> focal) & 1u;
        defected = participants - count;
        own += act_x;
        contributed += count;
        if (act_x == 0u) { /* x defected: fined by every other punisher */
            peer_fines += peers - (mine == DLM_INCENTIVE_PEER ? 1u : 0u);
            pool_fines += pools - (mine == DLM_INCENTIVE_POOL ? 1u : 0u);
        } else {
            if (second && mine != DLM_INCENTIVE_PEER && defected != 0u)
                peer_fines += peers; /* x did not punish the round's defectors */
            if (second && mine != DLM_INCENTIVE_POOL)
                pool_fines += pools; /* x did not pay into the pool */
            rewards += rewarders - (mine == DLM_INCENTIVE_REWARD ? 1u : 0u);
        }
        if (mine == DLM_INCENTIVE_PEER) {
            peer_costs += defected - (act_x == 0u ? 1u : 0u);
            if (second && defected != 0u)
                peer_costs += count - peer_count; /* contributors that did not punish */
        }
        last = now;
        k = count;
    }
    counts->cooperations += own;
    if (tally) {
        tally->fines += peer_fines + pool_fines;
        tally->rewards += rewards;
    }
    pay = ep->payoff[0] * ep->payoff[1] * (double)contributed / (double)participants -
          ep->payoff[1] * (double)own -
          dlm_punish_param(w, ep, DLM_PUNISH_GAMMA) * (double)peer_costs -
          dlm_punish_param(w, ep, DLM_PUNISH_BETA) * (double)peer_fines -
          dlm_punish_param(w, ep, DLM_PUNISH_FINE) * (double)pool_fines +
          dlm_punish_param(w, ep, DLM_PUNISH_REWARD) * (double)rewards;
    if (mine == DLM_INCENTIVE_POOL || mine == DLM_INCENTIVE_REWARD)
        pay = pay - dlm_punish_param(w, ep, DLM_PUNISH_FEE) * (double)rounds;
    return pay / (double)rounds;
}

#endif /* DLM_PUNISH_H */
