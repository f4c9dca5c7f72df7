/* SPDX-License-Identifier: MIT */
/* The daemon's ids: a kind letter, '-', 16 random hex digits ("s-…" sessions, "j-…" jobs,
 * "u-…" uploads, "i-…" init sockets). Unguessable, so one uid cannot probe another's. */
#pragma once

#include <stdbool.h>

#define ID_LEN 18 /* kind, '-', 16 hex digits */

/* A fresh id of kind into ret; -EIO when the kernel gives no randomness. */
int id_new(char kind, char ret[static ID_LEN + 1]);

/* Whether s is an id of kind, exactly. */
bool id_is_valid(char kind, const char *s);
