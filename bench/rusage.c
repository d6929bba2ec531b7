/*
 * rusage: run a command and write its CPU time and peak RSS to a file.
 * The bench starts every measured process through this small program:
 * a process's peak RSS (ru_maxrss) counts the memory of the process that
 * forked it until exec, so a process forked straight from the bench's
 * Python, which holds tenants and logs, would report Python's size.
 *
 * usage: rusage OUTFILE COMMAND [ARG...]
 * OUTFILE gets one line: "user sys maxrss_kib exit_status".  The exit
 * status is the command's (128 + signal if killed).
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	FILE *f;
	pid_t pid;
	int st, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: rusage OUTFILE COMMAND [ARG...]\n");
		return 2;
	}
	if ((pid = fork()) == -1) {
		perror("rusage: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("rusage: exec");
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) == -1) {
		perror("rusage: wait4");
		return 2;
	}
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if ((f = fopen(argv[1], "w")) == NULL) {
		perror("rusage: output");
		return 2;
	}
	fprintf(f, "%ld.%06ld %ld.%06ld %ld %d\n", (long)ru.ru_utime.tv_sec,
	    (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
	    (long)ru.ru_stime.tv_usec, ru.ru_maxrss, rc);
	if (fclose(f) != 0) {
		perror("rusage: output");
		return 2;
	}
	return rc;
}
