/* tournament.c — placeholder */
