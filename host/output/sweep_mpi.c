/* sweep_mpi.c — the few MPI calls a sweep makes (sweep_drive.h). MPI is started only
 * when an MPI launcher started this process (its environment says so), so a binary
 * built with MPI runs alone exactly as one built without. */
#include <stdio.h>
#include <stdlib.h>

#include "core/io.h"
#include "output/sweep_drive.h"

#ifdef DLM_HAVE_MPI
#include <mpi.h>

static int mpi_on;

/* The launcher's variables: Open MPI's, then the PMI ones of MPICH and Slurm. */
static const char *launcher_env(const char *const *names)
{
    const char *v = NULL;
    while (*names && !(v = getenv(*names)))
        ++names;
    return v;
}

int dlm_mpi_start(int *rank, int *size, int *local_rank)
{
    static const char *const sizes[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", NULL};
    static const char *const locals[] = {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID",
                                         "SLURM_LOCALID", NULL};
    const char *local;
    *rank = 0;
    *size = 1;
    *local_rank = 0;
    if (!launcher_env(sizes) || dlm_io_library()) /* a library handle runs alone */
        return 0;
    if (!mpi_on) {
        if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
            fprintf(dlm_err(), "dilemma sweep: MPI_Init failed\n");
            return 1;
        }
        mpi_on = 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    if ((local = launcher_env(locals)) != NULL)
        *local_rank = atoi(local);
    return 0;
}

int dlm_mpi_send(const void *buf, size_t n)
{
    unsigned long long len = n;
    if (MPI_Send(&len, 1, MPI_UNSIGNED_LONG_LONG, 0, 1, MPI_COMM_WORLD) != MPI_SUCCESS)
        return -1;
    while (n > 0) { /* counts are ints: 1 GiB at a time */
        int part = n > (1u << 30) ? (1 << 30) : (int)n;
        if (MPI_Send(buf, part, MPI_BYTE, 0, 2, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
        buf = (const char *)buf + part;
        n -= (size_t)part;
    }
    return 0;
}

int dlm_mpi_recv(int from, char **buf, size_t *n)
{
    unsigned long long len = 0;
    size_t done = 0;
    *buf = NULL;
    *n = 0;
    if (MPI_Recv(&len, 1, MPI_UNSIGNED_LONG_LONG, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
            MPI_SUCCESS ||
        !(*buf = malloc(len ? (size_t)len : 1)))
        return -1;
    while (done < len) {
        int part = len - done > (1u << 30) ? (1 << 30) : (int)(len - done);
        if (MPI_Recv(*buf + done, part, MPI_BYTE, from, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
            MPI_SUCCESS)
            return -1;
        done += (size_t)part;
    }
    *n = (size_t)len;
    return 0;
}

int dlm_mpi_broadcast(uint64_t *v)
{
    unsigned long long x = *v;
    if (!mpi_on)
        return 0;
    if (MPI_Bcast(&x, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        return -1;
    *v = x;
    return 0;
}

void dlm_mpi_finish(int code)
{
    if (!mpi_on)
        return;
    if (code)
        MPI_Abort(MPI_COMM_WORLD, code);
    MPI_Finalize();
    mpi_on = 0;
}

#else /* no MPI in this build */

int dlm_mpi_start(int *rank, int *size, int *local_rank)
{
    *rank = 0;
    *size = 1;
    *local_rank = 0;
    if (getenv("OMPI_COMM_WORLD_SIZE") && atoi(getenv("OMPI_COMM_WORLD_SIZE")) > 1)
        fprintf(dlm_err(), "dilemma sweep: started by mpirun, but this dilemma was built without "
                           "MPI: every rank runs the whole sweep (install libopenmpi-dev and "
                           "rebuild)\n");
    return 0;
}

int dlm_mpi_send(const void *buf, size_t n)
{
    (void)buf;
    (void)n;
    return -1;
}

int dlm_mpi_recv(int from, char **buf, size_t *n)
{
    (void)from;
    *buf = NULL;
    *n = 0;
    return -1;
}

int dlm_mpi_broadcast(uint64_t *v)
{
    (void)v;
    return 0;
}

void dlm_mpi_finish(int code)
{
    (void)code;
}

#endif
