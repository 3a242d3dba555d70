/* config_punish.c — evolution.group.punishment: incentives in the public goods game
 * (kernels/dlm_punish.h; Sigmund, De Silva, Traulsen & Hauert 2010; Sasaki et al. 2012):
 *   gamma        peer punisher's cost per member it punishes     (default 0.7)
 *   beta         the fine per peer punisher                       (default 0.7)
 *   fee          G: a pool punisher's or rewarder's fee per round (default 0.7)
 *   fine         B: the fine per pool punisher                    (default 0.7)
 *   reward       R: the reward per pool rewarder                  (default 0.7)
 *   loner        sigma: a loner's payoff per round                (default 1)
 *   second_order true: punishers also punish contributors that do not punish (peer: in a
 *                round with a defection; pool: those who did not pay into the pool)
 * The strategies that use them (punish, pool, rewarder, loner, X+peer, X+pool, X+reward)
 * are checked by the plan (host/plan/group_plan.c). Allowed with game: pgg only.
 * Errors read "file:line: evolution.group.punishment.key: what was found, what is allowed".
 */
#include <math.h>
#include <string.h>

#include "config/config_evolution_internal.h"

static const char *const punish_keys[] = {"gamma", "beta",  "fee",         "fine",
                                          "reward", "loner", "second_order"};

/* A number in [0, 1e6] at map.key (when present) into *out. */
static dlm_status read_amount(reader *r, const dlm_node *map, const char *key, double *out)
{
    char path[96];
    const dlm_node *v = dlm_node_lookup(map, key, NULL);
    double x;
    dlm_status st;
    if (!v)
        return DLM_OK;
    dlm_cfg_join(path, sizeof path, "evolution.group.punishment", key);
    if ((st = dlm_cfg_get_number(r->err, v, path, "a number in [0, 1e6]", &x)))
        return st;
    if (!(x >= 0.0 && x <= 1e6))
        return dlm_cfg_fail(r->err, v, path, "%g is out of range (expected a number in [0, 1e6])",
                            x);
    *out = x;
    return DLM_OK;
}

dlm_status dlm_cfg_evo_read_punishment(reader *r, const dlm_node *key, const dlm_node *v)
{
    dlm_evolution_spec *ev = r->ev;
    const dlm_node *b;
    dlm_status st;
    if (ev->group_game != 1)
        return dlm_cfg_fail(r->err, key, "evolution.group.punishment",
                            "incentives (peer and pool punishment, pool reward, loners) are "
                            "for the public goods game: set evolution.group.game: pgg, or "
                            "leave punishment out");
    if (v->kind != DLM_NODE_MAPPING)
        return dlm_cfg_fail(r->err, key, "evolution.group.punishment",
                            "expected a mapping with keys gamma, beta, fee, fine, reward, "
                            "loner, second_order");
    ev->punish = 1;
    ev->punish_gamma = ev->punish_beta = ev->punish_fee = ev->punish_fine = 0.7;
    ev->punish_reward = 0.7;
    ev->punish_loner = 1.0;
    ev->punish_second_order = 0;
    if ((st = dlm_cfg_check_keys(r->err, v, "evolution.group.punishment", punish_keys,
                                 N_OF(punish_keys))) ||
        (st = read_amount(r, v, "gamma", &ev->punish_gamma)) ||
        (st = read_amount(r, v, "beta", &ev->punish_beta)) ||
        (st = read_amount(r, v, "fee", &ev->punish_fee)) ||
        (st = read_amount(r, v, "fine", &ev->punish_fine)) ||
        (st = read_amount(r, v, "reward", &ev->punish_reward)) ||
        (st = read_amount(r, v, "loner", &ev->punish_loner)))
        return st;
    if ((b = dlm_node_lookup(v, "second_order", NULL)) &&
        (st = dlm_cfg_get_bool(r->err, b, "evolution.group.punishment.second_order",
                               &ev->punish_second_order)))
        return st;
    return DLM_OK;
}
