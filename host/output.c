/* output.c — placeholder */
