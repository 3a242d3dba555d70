/* dlm_match.h — one iterated 2x2 match between two players, written once for every
 * backend. Semantics (README "Matches"):
 *
 *   Round t = 0, 1, ...: each player X with reaction period k and observation delay d
 *   1. learns the outcome of round t-1-d (if t > d): its own realised move and its
 *      reading of the opponent's realised move; a Moore machine steps on it;
 *   2. if t mod k = 0 it chooses a new intended move from the outcomes observed so far
 *      (the most recent ones for memory-one and lookup tables); otherwise it keeps its
 *      last intended move;
 *   3. its realised move is the intended move flipped with probability e (execution
 *      error); both players record realised moves;
 *   4. it reads the opponent's realised move, misreading it with probability p
 *      (perception error), independently of the other player.
 *   k = 1, d = 0 is the ordinary iterated game.
 *
 * Random numbers (DESIGN.md §3), in the window `index` of the MATCH_PLAY stream:
 *   block 2t   : A's strategy draw, B's strategy draw, A's execution draw, B's execution draw
 *   block 2t+1 : A's perception draw, B's perception draw, (unused), (unused)
 * and for geometric matches, word i of the window `index` of the MATCH_LENGTH stream
 * decides whether round i+1 is played. A block nobody needs is not computed, which
 * changes no number: each is a pure function of its position.
 */
#ifndef DLM_MATCH_H
#define DLM_MATCH_H

#include "dlm_portable.h"
#include "dlm_philox.h"
#include "dlm_model.h"

/* A player's memory during a match. */
typedef struct dlm_player_state {
    uint64_t own_hist;  /* own realised moves, bit j = round t-1-j */
    uint64_t opp_hist;  /* perceived opponent moves, bit j = round t-1-j */
    uint32_t fsm_state; /* current Moore-machine state */
    uint32_t intended;  /* last intended move */
    uint32_t countdown; /* rounds until the next decision (t mod k == 0 <=> countdown == 0) */
    uint32_t pad;
} dlm_player_state;

/* 1 if the strategy ever needs a random draw to choose a move. */
DLM_FN uint32_t dlm_strategy_is_stochastic(const dlm_strategy *s)
{
    uint32_t i;
    if (s->kind != DLM_STRAT_MEMORY_ONE)
        return 0u;
    for (i = 0; i < 5u; ++i)
        if (s->threshold[i] != 0u && s->threshold[i] != ((uint64_t)1 << 32))
            return 1u;
    return 0u;
}

/* Initial memory of a player about to play strategy s. */
DLM_FN dlm_player_state dlm_player_start(const dlm_strategy *s)
{
    dlm_player_state st;
    st.own_hist = 0u;
    st.opp_hist = 0u;
    st.fsm_state = s->kind == DLM_STRAT_FSM ? (s->opening & 0xFu) : 0u;
    st.intended = DLM_C;
    st.countdown = 0u;
    st.pad = 0u;
    return st;
}

/* threshold[slot]. On a GPU (CUDA device code, OpenCL) by masks, not by an index: with
 * constant indices the compiler keeps the strategy in registers, where a dynamic index
 * puts the array in local memory (ptxas -v shows it as a stack frame) and reads it every
 * round. On a CPU the indexed load is the fast spelling (the masks cost the evolution
 * workloads 10-30 %). The same value either way, like DLM_MULHI32's spellings. */
DLM_FN uint64_t dlm_threshold_at(const dlm_strategy *s, uint32_t slot)
{
#if defined(__CUDA_ARCH__) || defined(__OPENCL_VERSION__)
    return (s->threshold[0] & ((uint64_t)0 - (uint64_t)(slot == 0u))) |
           (s->threshold[1] & ((uint64_t)0 - (uint64_t)(slot == 1u))) |
           (s->threshold[2] & ((uint64_t)0 - (uint64_t)(slot == 2u))) |
           (s->threshold[3] & ((uint64_t)0 - (uint64_t)(slot == 3u))) |
           (s->threshold[4] & ((uint64_t)0 - (uint64_t)(slot == 4u)));
#else
    return s->threshold[slot];
#endif
}

/* The move strategy s chooses having observed `observed` outcomes, the most recent
 * ones in own/opp (bit 0 = most recent), in Moore state fsm_state; draw is a uniform
 * 32-bit number used by stochastic strategies only. */
DLM_FN uint32_t dlm_strategy_move(const dlm_strategy *s, uint32_t observed, uint64_t own,
                                  uint64_t opp, uint32_t fsm_state, uint32_t draw)
{
    if (s->kind == DLM_STRAT_MEMORY_ONE) {
        uint32_t slot = observed == 0u ? 0u : 1u + (uint32_t)(((own & 1u) << 1) | (opp & 1u));
        return dlm_fires(draw, dlm_threshold_at(s, slot)) ? DLM_C : DLM_D;
    }
    if (s->kind == DLM_STRAT_LOOKUP) {
        uint32_t n = s->depth;
        uint64_t mask = ((uint64_t)1 << n) - 1u;
        if (observed < n)
            return (s->opening >> observed) & 1u;
        return (uint32_t)(s->table >> (((own & mask) << n) | (opp & mask))) & 1u;
    }
    return (s->fsm_output >> fsm_state) & 1u;
}

/* Moore-machine step of strategy s from state `state` on seeing opponent move m. */
DLM_FN uint32_t dlm_fsm_next(const dlm_strategy *s, uint32_t state, uint32_t m)
{
    uint64_t table = m == DLM_D ? s->fsm_next_d : s->fsm_next_c;
    return (uint32_t)(table >> (4u * state)) & 0xFu;
}

/* Steps 1-2 of a round for one player: learn the outcome of round t-1-d, then keep or
 * choose the intended move. */
DLM_FN void dlm_player_decide(const dlm_strategy *s, const dlm_player_params *p,
                              dlm_player_state *st, uint32_t t, uint32_t draw)
{
    uint32_t d = p->observation_delay;
    uint32_t observed = t > d ? t - d : 0u;
    if (s->kind == DLM_STRAT_FSM && observed > 0u)
        st->fsm_state = dlm_fsm_next(s, st->fsm_state, (uint32_t)(st->opp_hist >> d) & 1u);
    /* A countdown instead of t % k: no integer division in the inner loop. */
    if (st->countdown == 0u) {
        st->intended = dlm_strategy_move(s, observed, st->own_hist >> d, st->opp_hist >> d,
                                         st->fsm_state, draw);
        st->countdown = p->reaction_period;
    }
    st->countdown -= 1u;
}

/* Length of a match: `rounds` when fixed; otherwise 1 + the number of consecutive
 * continuation draws that fire, capped at `rounds`. The draws are the words of stream
 * `stream` from block `block0` on. */
DLM_FN uint32_t dlm_match_length_at(const dlm_match_rules *rules, uint64_t seed, uint64_t stream,
                                    uint64_t block0)
{
    uint32_t length = 1u, w;
    uint64_t block = block0;
    if (!rules->geometric)
        return rules->rounds;
    for (;;) {
        dlm_u32x4 r = dlm_philox_block(seed, stream, block++);
        for (w = 0; w < 4u; ++w) {
            if (length >= rules->rounds || !dlm_fires(r.v[w], rules->continuation))
                return length;
            ++length;
        }
    }
}

/* Length of the match in window `index` of `stream`. */
DLM_FN uint32_t dlm_match_length(const dlm_match_rules *rules, uint64_t seed, uint64_t stream,
                                 uint32_t index)
{
    return dlm_match_length_at(rules, seed, stream, (uint64_t)index << 30);
}

/* Blocks a match of these rules may use: 2 per round in the play stream, and one per
 * 4 rounds in the length stream. Matches laid side by side in one window (evolution)
 * start `dlm_match_blocks` apart. */
DLM_FN uint64_t dlm_match_blocks(const dlm_match_rules *rules)
{
    return 2u * (uint64_t)rules->rounds;
}

/* Round t of a match, given its blocks (play: block 2t, perc: block 2t + 1, zeros when
 * not needed): both players decide, act, see; the outcome is counted two to a word in
 * by_a_c (A cooperated: CC low, CD high) and by_a_d (A defected: DC low, DD high). */
DLM_FN void dlm_match_round(const dlm_strategy *a, const dlm_strategy *b,
                            const dlm_player_params *pa, const dlm_player_params *pb,
                            dlm_player_state *sa, dlm_player_state *sb, uint32_t t,
                            const dlm_u32x4 *play, const dlm_u32x4 *perc, uint64_t *by_a_c,
                            uint64_t *by_a_d, DLM_GLOBAL uint8_t *trace)
{
    uint32_t ra, rb, seen_by_a, seen_by_b;
    dlm_player_decide(a, pa, sa, t, play->v[0]);
    dlm_player_decide(b, pb, sb, t, play->v[1]);
    ra = sa->intended ^ dlm_fires(play->v[2], pa->execution_error);
    rb = sb->intended ^ dlm_fires(play->v[3], pb->execution_error);
    seen_by_a = rb ^ dlm_fires(perc->v[0], pa->perception_error);
    seen_by_b = ra ^ dlm_fires(perc->v[1], pb->perception_error);
    sa->own_hist = (sa->own_hist << 1) | ra;
    sa->opp_hist = (sa->opp_hist << 1) | seen_by_a;
    sb->own_hist = (sb->own_hist << 1) | rb;
    sb->opp_hist = (sb->opp_hist << 1) | seen_by_b;
    {
        uint64_t inc = (uint64_t)1 << (32u * rb), a_defected = (uint64_t)0 - ra;
        *by_a_d += inc & a_defected;
        *by_a_c += inc & ~a_defected;
    }
    if (trace)
        trace[t] = (uint8_t)(sa->intended * DLM_TRACE_A_INTENDED | ra * DLM_TRACE_A_REALISED |
                             seen_by_a * DLM_TRACE_A_PERCEIVED |
                             sb->intended * DLM_TRACE_B_INTENDED | rb * DLM_TRACE_B_REALISED |
                             seen_by_b * DLM_TRACE_B_PERCEIVED);
}

#if defined(DLM_BLOCKS_AHEAD)
/* The host's CPU backend computes the blocks of upcoming rounds eight at a time in vector
 * lanes (host/backends/cpu_lanes.c) and defines DLM_BLOCKS_AHEAD as that function:
 * out[l] = block first + 2l of `stream` under `seed`, for l < n <= 8. Every block is the
 * one the round would compute itself, so the results are the same bytes. */
void DLM_BLOCKS_AHEAD(uint64_t seed, uint64_t stream, uint64_t first, uint32_t n,
                      dlm_u32x4 *out);
#endif

/* Plays one match between A (strategy a, parameters pa) and B. Round t draws block
 * play_block0 + 2t (and + 2t + 1) of play_stream; a geometric length draws the words of
 * length_stream from block length_block0 on. trace, if not null, receives one
 * DLM_TRACE_* byte per round (room for rules->rounds bytes). */
DLM_FN dlm_match_result dlm_play_match_at(const dlm_strategy *a, const dlm_strategy *b,
                                          const dlm_player_params *pa,
                                          const dlm_player_params *pb,
                                          const dlm_match_rules *rules, uint64_t seed,
                                          uint64_t play_stream, uint64_t play_block0,
                                          uint64_t length_stream, uint64_t length_block0,
                                          DLM_GLOBAL uint8_t *trace)
{
    dlm_match_result res;
    dlm_player_state sa = dlm_player_start(a);
    dlm_player_state sb = dlm_player_start(b);
    uint32_t need_play = dlm_strategy_is_stochastic(a) | dlm_strategy_is_stochastic(b) |
                         (pa->execution_error != 0u) | (pb->execution_error != 0u);
    uint32_t need_perception = (pa->perception_error != 0u) | (pb->perception_error != 0u);
    uint32_t rounds = dlm_match_length_at(rules, seed, length_stream, length_block0);
    uint32_t t, i;
    /* outcome counts in registers, two to a word (A cooperated: CC low, CD high; A
       defected: DC low, DD high); rounds <= 2^29 fit in 32 bits */
    uint64_t by_a_c = 0u, by_a_d = 0u;
    dlm_u32x4 play, perc;
    for (i = 0; i < 4u; ++i) {
        play.v[i] = 0u;
        perc.v[i] = 0u;
    }
    res.rounds = rounds;
#if defined(DLM_BLOCKS_AHEAD)
    if (need_play | need_perception) {
        dlm_u32x4 plays[8], percs[8];
        for (t = 0; t < rounds; t += 8u) {
            uint32_t n = rounds - t < 8u ? rounds - t : 8u, l;
            if (need_play)
                DLM_BLOCKS_AHEAD(seed, play_stream, play_block0 + 2u * (uint64_t)t, n, plays);
            if (need_perception)
                DLM_BLOCKS_AHEAD(seed, play_stream, play_block0 + 2u * (uint64_t)t + 1u, n,
                                 percs);
            for (l = 0; l < n; ++l)
                dlm_match_round(a, b, pa, pb, &sa, &sb, t + l, need_play ? &plays[l] : &play,
                                need_perception ? &percs[l] : &perc, &by_a_c, &by_a_d, trace);
        }
        rounds = 0u; /* played */
    }
#endif
    for (t = 0; t < rounds; ++t) {
        if (need_play)
            play = dlm_philox_block(seed, play_stream, play_block0 + 2u * (uint64_t)t);
        if (need_perception)
            perc = dlm_philox_block(seed, play_stream, play_block0 + 2u * (uint64_t)t + 1u);
        dlm_match_round(a, b, pa, pb, &sa, &sb, t, &play, &perc, &by_a_c, &by_a_d, trace);
    }
    res.outcome[0] = (uint32_t)by_a_c;
    res.outcome[1] = (uint32_t)(by_a_c >> 32);
    res.outcome[2] = (uint32_t)by_a_d;
    res.outcome[3] = (uint32_t)(by_a_d >> 32);
    return res;
}

/* The match of a pair that owns window `index` of both streams (tournaments, batches). */
DLM_FN dlm_match_result dlm_play_match(const dlm_strategy *a, const dlm_strategy *b,
                                       const dlm_player_params *pa, const dlm_player_params *pb,
                                       const dlm_match_rules *rules, uint64_t seed,
                                       uint64_t play_stream, uint64_t length_stream,
                                       uint32_t index, DLM_GLOBAL uint8_t *trace)
{
    uint64_t block0 = (uint64_t)index << 30;
    return dlm_play_match_at(a, b, pa, pb, rules, seed, play_stream, block0, length_stream,
                             block0, trace);
}

#endif /* DLM_MATCH_H */
