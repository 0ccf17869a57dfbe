/* SPDX-License-Identifier: MIT */
/*
 * A signal during a change: SIGINT, SIGTERM and SIGHUP caught once the frame
 * takes the lock, kept in apm_stop_signal for the lock's wait and the writes
 * (through their context), and said when they stopped the change.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "apmatrix.h"
#include "frame.h"

volatile sig_atomic_t apm_stop_signal;

/* "SIGINT" for the messages */
const char *apm_signal_name(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	default: return "a signal";
	}
}

static void on_signal(int sig)
{
	if (!apm_stop_signal)
		apm_stop_signal = sig;
}

/*
 * From here on SIGINT, SIGTERM and SIGHUP only ask the change to stop: the
 * write in flight completes (SA_RESTART), plan_execute undoes what this run
 * wrote, the lock is released, and the command exits 128 + the signal. A
 * second signal does not cut the undo short.
 */
void apm_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* an ignored signal (nohup, a background job) stays ignored */
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int apm_interrupted(void)
{
	if (!apm_stop_signal)
		return 0;
	apm_err(_("interrupted by %s; nothing more was written"),
		apm_signal_name(apm_stop_signal));
	return APM_EXIT_SIGNAL + apm_stop_signal;
}
