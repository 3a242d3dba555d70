/* main.c — the `dilemma` executable: everything happens in dlm_cli_main. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return dlm_cli_main(argc, argv);
}
