/* backend.c — the table of compiled backends and `--backend` resolution. */
#include <string.h>

#include "backends/backend.h"

static const dlm_backend_ops *const compiled[] = {
    /* Order is preference for `auto`: fastest first, the CPU reference last. */
#if defined(DLM_HAVE_CUDA)
    &dlm_backend_cuda,
#endif
#if defined(DLM_HAVE_OPENCL)
    &dlm_backend_opencl,
#endif
    &dlm_backend_cpu,
    NULL,
};

const dlm_backend_ops *const *dlm_backends(void)
{
    return compiled;
}

dlm_status dlm_backend_open(const char *name, const dlm_backend_options *opt, FILE *notices,
                            const dlm_backend_ops **ops_out, dlm_backend **be_out,
                            dlm_error *err)
{
    const dlm_backend_ops *const *it;
    char why[512];
    int is_auto = strcmp(name, "auto") == 0;
    if (!is_auto && strcmp(name, "cpu") != 0 && strcmp(name, "opencl") != 0 &&
        strcmp(name, "cuda") != 0)
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "unknown backend '%s' (allowed: auto, cpu, opencl, cuda)", name);
    for (it = compiled; *it; ++it) {
        if (!is_auto && strcmp((*it)->name, name) != 0)
            continue;
        why[0] = '\0';
        if (is_auto && (*it)->auto_skip && (*it)->auto_skip())
            continue;
        if (!(*it)->available(why, sizeof why)) {
            if (!is_auto)
                return dlm_error_set(err, DLM_ERR_RUNTIME, "backend %s cannot run here: %s",
                                     name, why);
            /* quietly when nothing of this kind is here (no driver, no device): the
               normal state of a machine without that hardware, not worth a notice */
            if (notices && (!(*it)->present || (*it)->present()))
                fprintf(notices, "dilemma: backend %s unavailable (%s); trying the next\n",
                        (*it)->name, why);
            continue;
        }
        /* auto passes over a backend that would run but is not the better choice here,
           quietly: nothing is missing, the next one is simply faster. */
        if (is_auto && (*it)->auto_preferred && !(*it)->auto_preferred(why, sizeof why))
            continue;
        *ops_out = *it;
        return (*it)->create(opt, be_out, err);
    }
    if (is_auto)
        return dlm_error_set(err, DLM_ERR_RUNTIME, "no backend can run here");
    {
        char list[256] = "auto";
        for (it = compiled; *it; ++it) {
            strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, (*it)->name, sizeof list - strlen(list) - 1);
        }
        return dlm_error_set(err, DLM_ERR_USAGE,
                             "this dilemma was built without the %s backend (built here: %s)",
                             name, list);
    }
}
