/* graph_internal.h — internal to the graph code: the memory and CSR-assembly helpers
 * graph.c defines and graph_file.c (the edge-list reader) uses too.
 */
#ifndef DLM_GRAPH_INTERNAL_H
#define DLM_GRAPH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "model/graph.h"

/* malloc of count elements of size bytes, null on overflow or failure (never 0 bytes). */
void *dlm_graph_alloc_array(uint64_t count, size_t size);

/* Sets err to "what: out of memory" naming the bytes asked for; returns DLM_ERR_RUNTIME. */
dlm_status dlm_graph_out_of_memory(dlm_error *err, const char *what, uint64_t bytes);

/* Builds *out on n vertices from m edges (edges[2i], edges[2i+1]), both arcs each;
 * `what` names the graph in an out-of-memory message. */
dlm_status dlm_graph_csr_from_edges(uint32_t n, const uint32_t *edges, uint64_t m,
                                    const char *what, dlm_graph *out, dlm_error *err);

#endif /* DLM_GRAPH_INTERNAL_H */
