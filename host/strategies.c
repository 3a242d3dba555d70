/* strategies.c — placeholder */
