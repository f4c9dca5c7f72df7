/* SPDX-License-Identifier: MIT */
/* The progress bar of `file cp` on a terminal: bytes done of the total, percent and rate on one
 * stderr line, redrawn at most every CTL_PROGRESS_REDRAW_USEC. Nothing is shown when stderr is
 * not a terminal or the transfer is small. The transfers themselves are ctl-file.c. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

#define CTL_PROGRESS_REDRAW_USEC 100000
#define CTL_PROGRESS_BAR_WIDTH	 24

static uint64_t now_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* "12.3 MiB": one decimal in the largest binary unit that keeps the number under 1024. */
static const char *human(double v, char buf[static 16])
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;

	while (v >= 1024 && u < sizeof(unit) / sizeof(unit[0]) - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, 16, "%.0f B", v);
	else
		snprintf(buf, 16, "%.1f %s", v, unit[u]);
	return buf;
}

static void draw(const struct ctl_progress *p, uint64_t now)
{
	char done[16], total[16], rate[16], bar[CTL_PROGRESS_BAR_WIDTH + 1];
	double secs = (double)(now - p->start_usec) / 1e6;
	unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 100;
	size_t fill = (size_t)pct * CTL_PROGRESS_BAR_WIDTH / 100;

	for (size_t i = 0; i < CTL_PROGRESS_BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : ' ';
	bar[CTL_PROGRESS_BAR_WIDTH] = '\0';
	fprintf(stderr, "\r[%s] %s / %s  %3u%%  %s/s\033[K", bar, human((double)p->done, done),
		human((double)p->total, total), pct,
		human(secs > 0 ? (double)p->done / secs : 0, rate));
	fflush(stderr);
}

void ctl_progress_start(struct ctl_progress *p, uint64_t total)
{
	*p = (struct ctl_progress){.total = total};
	if (total <= CTL_PROGRESS_MIN || !isatty(STDERR_FILENO))
		return;
	p->active = true;
	p->start_usec = p->last_usec = now_usec();
}

void ctl_progress_update(struct ctl_progress *p, uint64_t done)
{
	uint64_t now;

	p->done = done > p->total ? p->total : done; /* a file that grew meanwhile */
	if (!p->active)
		return;
	now = now_usec();
	if (now - p->last_usec < CTL_PROGRESS_REDRAW_USEC)
		return;
	p->last_usec = now;
	draw(p, now);
}

void ctl_progress_end(struct ctl_progress *p, bool ok)
{
	if (!p->active)
		return;
	p->active = false;
	if (ok) {
		draw(p, now_usec()); /* the final numbers stay on the screen */
		fputc('\n', stderr);
	} else
		fputs("\r\033[K", stderr); /* an error message follows on a clean line */
	fflush(stderr);
}
