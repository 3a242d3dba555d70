/* backend.c — placeholder */
