/* cli.c — placeholder */
