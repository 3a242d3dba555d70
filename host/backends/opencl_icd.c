/* opencl_icd.c — what `--backend auto` can know about OpenCL without loading a driver.
 *
 * Enumerating OpenCL platforms makes the ICD loader load every installed driver, and
 * PoCL (a CPU implementation) links LLVM and clang: about 0.1 s and 60 MiB for each
 * process that merely asks. A CPU OpenCL device is never auto's choice (the cpu backend
 * runs the same model faster on the same cores), so when the only installed drivers are
 * PoCL on its CPU devices, auto passes over OpenCL after reading a few small files.
 * Anything this cannot read for certain (a loader's environment variables, another
 * vendor's driver, PoCL told to use other devices) leaves the decision to the drivers. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend_opencl.h"

#define VENDORS "/etc/OpenCL/vendors" /* the ICD loaders' default registry */

/* 1 if the .icd file names a PoCL library (its first line: a path or a file name). */
static int icd_is_pocl(const char *path)
{
    char line[512];
    const char *base;
    FILE *f = fopen(path, "r");
    int pocl = 0;
    if (!f)
        return 0;
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        base = strrchr(line, '/') ? strrchr(line, '/') + 1 : line;
        pocl = strncmp(base, "libpocl.so", 10) == 0;
    }
    fclose(f);
    return pocl;
}

/* 1 when PoCL, if loaded, offers only CPU devices (POCL_DEVICES unset, or only its CPU
 * drivers). */
static int pocl_cpu_only(void)
{
    const char *devices = getenv("POCL_DEVICES");
    char copy[256], *tok, *save = NULL;
    if (!devices || !devices[0])
        return 1;
    snprintf(copy, sizeof copy, "%s", devices);
    for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
        if (strcmp(tok, "pthread") != 0 && strcmp(tok, "basic") != 0 &&
            strcmp(tok, "cpu") != 0 && strcmp(tok, "cpu-minimal") != 0)
            return 0;
    return 1;
}

int dlm_cl_only_cpu_drivers_in(const char *vendors)
{
    static const char *const loader_vars[] = {"OCL_ICD_VENDORS", "OCL_ICD_FILENAMES",
                                              "OPENCL_VENDOR_PATH", "OCL_ICD_ASSUME_ICD_EXTENSION"};
    DIR *dir;
    struct dirent *e;
    int icds = 0, other = 0;
    size_t i;
    for (i = 0; i < sizeof loader_vars / sizeof loader_vars[0]; ++i)
        if (getenv(loader_vars[i]))
            return 0; /* the loader looks elsewhere: ask it */
    if (!pocl_cpu_only() || !(dir = opendir(vendors)))
        return 0;
    while ((e = readdir(dir)) != NULL && !other) {
        size_t n = strlen(e->d_name);
        char path[1024];
        if (n < 5 || strcmp(e->d_name + n - 4, ".icd") != 0 || n > 250)
            continue;
        snprintf(path, sizeof path, "%s/%s", vendors, e->d_name);
        if (icd_is_pocl(path))
            ++icds;
        else
            other = 1;
    }
    closedir(dir);
    return icds > 0 && !other;
}

int dlm_cl_only_cpu_drivers(void)
{
    return dlm_cl_only_cpu_drivers_in(VENDORS);
}
