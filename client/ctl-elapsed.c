/* SPDX-License-Identifier: MIT */
/* "elapsed Ns" on a terminal while sandboxctl waits for a long call (job wait, run, exec), so a
 * person sees it is alive. A 1 s interval timer writes the line from its signal handler (write
 * only); nothing is shown when stderr is not a terminal. */
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "ctl.h"

static volatile sig_atomic_t seconds;
static volatile sig_atomic_t shown;
static bool active;

static void on_tick(int sig)
{
	char buf[48] = "\r[elapsed ";
	size_t n = strlen(buf);
	char digits[16];
	int k = 0;
	unsigned v;

	(void)sig;
	v = (unsigned)++seconds;
	do
		digits[k++] = (char)('0' + v % 10);
	while ((v /= 10) > 0 && k < (int)sizeof(digits));
	while (k > 0)
		buf[n++] = digits[--k];
	buf[n++] = 's';
	buf[n++] = ']';
	(void)!write(STDERR_FILENO, buf, n);
	shown = 1;
}

void ctl_elapsed_start(void)
{
	struct sigaction sa = {.sa_handler = on_tick, .sa_flags = SA_RESTART};
	struct itimerval it = {.it_interval = {1, 0}, .it_value = {1, 0}};

	if (!isatty(STDERR_FILENO))
		return;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0 || setitimer(ITIMER_REAL, &it, NULL) < 0)
		return;
	seconds = 0;
	shown = 0;
	active = true;
}

void ctl_elapsed_stop(void)
{
	struct itimerval off = {};

	if (!active)
		return;
	(void)setitimer(ITIMER_REAL, &off, NULL);
	active = false;
	if (shown)
		(void)!write(STDERR_FILENO, "\r\033[K", 4); /* clear the line it used */
}
