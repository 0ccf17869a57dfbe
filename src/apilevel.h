/* SPDX-License-Identifier: MIT */
#ifndef APM_APILEVEL_H
#define APM_APILEVEL_H
#define APM_API_LEVEL 1 /* the level of the JSON interface: apmatrix(8) */
#endif
