/* shared.c — libdilemma.so: every object of libdilemma.a (linked whole); this file only
 * gives the target a source. The exported functions are those marked DLM_API. */
#include "dilemma/sim.h"

typedef int dlm_shared_unit; /* a translation unit is not empty */
