/* bench.c — placeholder */
