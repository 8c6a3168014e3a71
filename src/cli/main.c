/* main.c - vmmsec's entry point; everything else lives in the library. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
