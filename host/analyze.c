/* analyze.c — placeholder */
